"""National scale: many geographies at once.

Properties of the vectorised :func:`dxlib.engine.attainment.assess_dataset` and
:func:`dxlib.engine.rollup.pillar_rollup`, on the mini plan, the shipped data and the synthetic
national set of ``benchmarks/scale.py`` (they replace a frozen 18-CSV snapshot whose reference
implementation no longer existed):

* assessing N geographies together gives the rows of each geography assessed alone;
* the order of the geographies changes only the order of the rows;
* the roll-up equals a small reference computation written here (counts, sums, products);
* ``as_of=Y`` equals assessing the data with the years after Y removed;
* the column types do not depend on the data set.

Also: ``dx assess --geo A,B`` and ``--geo all`` write one table with the rows of every geography,
and the synthetic national set builds, loads and assesses.

No wall-clock assertions: the timings are in benchmarks/README.md ("National scale").
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from dxlib import paths
from dxlib.cli import main
from dxlib.data import Dataset, load_dataset
from dxlib.engine.attainment import STATUSES, assess_dataset
from dxlib.engine.forecast import forecast
from dxlib.engine.rollup import pillar_rollup

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"

#: data set -> the geographies assessed together ("all": every geography of the data set)
GEOS: dict[str, list[str] | str] = {
    "mini": ["tinh_a", "tinh_b", "vn"],
    "shipped": ["nghe_an", "vn", "bac_ninh"],
    "synthetic5": "all",
}


@pytest.fixture(scope="module")
def scale(benchmark_module):
    return benchmark_module("scale")


@pytest.fixture(scope="module")
def synthetic_files(scale, tmp_path_factory) -> dict[str, Path]:
    return scale.make_synthetic(tmp_path_factory.mktemp("synthetic"), 5, seed=5)


@pytest.fixture(scope="module")
def datasets(synthetic_files, mini_dataset, shipped_dataset) -> dict[str, Dataset]:
    f = synthetic_files
    return {
        "mini": mini_dataset,
        "shipped": shipped_dataset,
        "synthetic5": load_dataset(f["targets"], [f["observations"]], f["indicators"], f["geos"]),
    }


def _geos(datasets, name: str) -> tuple[Dataset, list[str]]:
    ds, geos = datasets[name], GEOS[name]
    return ds, sorted(ds.geos.index) if geos == "all" else list(geos)


def _csv(frame: pd.DataFrame) -> str:
    """The CSV text ``dx assess`` would write (pandas keeps every float exactly)."""
    return frame.to_csv(index=False)


@pytest.mark.parametrize("as_of", [None, 2023])
@pytest.mark.parametrize("name", list(GEOS))
def test_several_geographies_are_each_geography_assessed_alone(name, as_of, datasets):
    ds, geos = _geos(datasets, name)
    together = assess_dataset(ds, geos=geos, as_of=as_of)
    alone = [assess_dataset(ds, geos=[g], as_of=as_of) for g in geos]
    assert list(together["geo"].unique()) == geos
    # the same text; the frames differ only in the dtype pandas gives an all-empty column on concat
    assert _csv(together) == "".join([_csv(alone[0]), *(_csv(a).split("\n", 1)[1] for a in alone[1:])])
    roll = pillar_rollup(together, ds.registry)
    assert _csv(roll) == "".join(
        [_csv(pillar_rollup(alone[0], ds.registry)),
         *(_csv(pillar_rollup(a, ds.registry)).split("\n", 1)[1] for a in alone[1:])])


@pytest.mark.parametrize("name", list(GEOS))
def test_order_of_geographies_changes_only_the_order_of_rows(name, datasets):
    ds, geos = _geos(datasets, name)
    forward = assess_dataset(ds, geos=geos)
    backward = assess_dataset(ds, geos=geos[::-1])
    assert list(backward["geo"].unique()) == geos[::-1]
    key = ["geo", "target_id"]
    pd.testing.assert_frame_equal(forward.sort_values(key).reset_index(drop=True),
                                  backward.sort_values(key).reset_index(drop=True))


def _reference_rollup(table: pd.DataFrame, pillars: list[str]) -> pd.DataFrame:
    """The roll-up by its definition, one group at a time (slow and plain); targets with
    stand-in evidence only (a national series, a related measure) are counted apart."""
    rows = []
    for geo in table["geo"].unique():
        here = table[table["geo"] == geo]
        for pillar in [*pillars, "all"]:
            every = here if pillar == "all" else here[here["pillar"] == pillar]
            apart = every["evidence"].isin(["proxy_geography", "proxy_measure"])
            sub = every[~apart]
            p = sub["probability"].dropna().to_numpy(dtype=float)
            counts = sub["status"].value_counts()
            rows.append({
                "geo": geo, "pillar": pillar, "n_targets": len(every), "n_scored": len(p),
                "expected_met": p.sum() if len(p) else np.nan,
                "expected_share": p.mean() if len(p) else np.nan,
                "p_all_met": np.prod(p) if len(p) else np.nan,  # independence: the product
                # Fréchet bounds, valid under any dependence: max(0, sum p - (n - 1)), min p
                "p_all_met_lower": max(0.0, p.sum() - (len(p) - 1)) if len(p) else np.nan,
                "p_all_met_upper": p.min() if len(p) else np.nan,
                **{f"n_{s}": int(counts.get(s, 0)) for s in STATUSES},
                "n_no_data": int(counts.get("insufficient_data", 0)),
                "n_stand_in": int(apart.sum()),
            })
    return pd.DataFrame(rows)


@pytest.mark.parametrize("as_of", [None, 2023])
@pytest.mark.parametrize("name", list(GEOS))
def test_rollup_equals_the_reference_computation(name, as_of, datasets):
    ds, geos = _geos(datasets, name)
    table = assess_dataset(ds, geos=geos, as_of=as_of)
    got = pillar_rollup(table, ds.registry)
    want = _reference_rollup(table, list(ds.registry.pillars.index))
    pd.testing.assert_frame_equal(got, want[list(got.columns)], check_dtype=False, rtol=1e-12)
    assert (got.loc[got["pillar"] == "all", "n_targets"] == len(ds.registry.targets)).all()


@pytest.mark.parametrize("name", list(GEOS))
def test_as_of_equals_assessing_the_data_cut_at_that_year(name, datasets):
    ds, geos = _geos(datasets, name)
    obs = ds.observations
    cut = dataclasses.replace(ds, observations=obs[obs["year"] <= 2023].reset_index(drop=True))
    assert _csv(assess_dataset(ds, geos=geos, as_of=2023)) == _csv(assess_dataset(cut, geos=geos, as_of=2023))


def test_column_types_do_not_depend_on_the_data_set(datasets):
    types = {}
    for name in GEOS:
        ds, geos = _geos(datasets, name)
        table = assess_dataset(ds, geos=geos)
        roll = pillar_rollup(table, ds.registry)
        types[name] = ({c: str(t) for c, t in table.dtypes.items()},
                       {c: str(t) for c, t in roll.dtypes.items()})
    assert types["mini"] == types["shipped"] == types["synthetic5"]
    table_types, roll_types = types["mini"]
    assert table_types["probability"] == "float64" and table_types["n_obs"] == "int64"
    assert roll_types["n_targets"] == "int64" and roll_types["p_all_met"] == "float64"


def test_a_seed_gives_the_same_table_and_only_the_seed_changes_it(datasets):
    ds = datasets["mini"]
    a = assess_dataset(ds, as_of=2022, seed=7)
    pd.testing.assert_frame_equal(a, assess_dataset(ds, as_of=2022, seed=7))
    b = assess_dataset(ds, as_of=2022)
    same = [c for c in a.columns if c not in ("probability", "projected_median", "projected_low",
                                              "projected_high", "status")]
    pd.testing.assert_frame_equal(a[same], b[same])


def test_path_column_equals_the_paths_frame(datasets):
    """The assessment reads one column of the sample paths with the public ``Forecast.samples``
    without building the DataFrame; it must be exactly the column of :meth:`Forecast.paths`."""
    rng = np.random.default_rng(1)
    rows = []
    for i, kind in enumerate(["share", "level", "count", "rank", "index", "share"]):
        n = 3 + i % 4
        vals = {"share": rng.uniform(10, 90, n), "level": rng.uniform(1, 50, n),
                "count": rng.integers(0, 500, n).astype(float), "rank": rng.integers(1, 63, n).astype(float),
                "index": rng.uniform(0, 1, n)}[kind]
        if i == 5:
            vals[-1] = 100.0  # at the bound: point mass
        lo, hi = {"rank": (1.0, 63.0), "index": (0.0, 1.0)}.get(kind, (0.0, 100.0))
        rows.append(pd.DataFrame({"series_id": f"s{i}", "year": np.arange(2024 - n, 2024), "value": vals,
                                  "kind": kind, "lower": lo, "upper": hi}))
    fc = forecast(pd.concat(rows, ignore_index=True), to_year=2027, n_samples=500, seed=3)
    for sid in fc.series.index:
        p = fc.paths(sid)
        for year in (2022, 2023, 2024, 2025, 2026, 2027, 2028):
            col = fc.samples(sid, [year])  # the public joint-sample API
            if year in p.columns:
                np.testing.assert_array_equal(col[:, 0], p[year].to_numpy(dtype=float))
            else:
                assert col is None


def _assess_args(out: Path, geo: str) -> list[str]:
    return ["assess", "--targets", str(MINI / "targets.yaml"), "--indicators", str(MINI / "indicators.csv"),
            "--observations", str(MINI / "observations.csv"), "--geos", str(MINI / "geos.csv"),
            "--geo", geo, "--output", str(out / "assessment.csv"),
            "--pillars-output", str(out / "pillars.csv")]


def test_dx_assess_geo_list_writes_one_table(tmp_path):
    result = CliRunner().invoke(main, _assess_args(tmp_path, "tinh_a,tinh_b"))
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "assessment.csv")
    assert list(table["geo"].unique()) == ["tinh_a", "tinh_b"]
    assert (table["geo"].value_counts() == 8).all()  # 8 targets each
    assert set(table[table["geo"] == "tinh_b"]["series_geo"].dropna()) == {"tinh_b"}
    pillars = pd.read_csv(tmp_path / "pillars.csv")
    assert len(pillars) == 2 * 3  # two pillars and 'all', per geography
    assert "wrote" in result.output and "16 targets" in result.output


def test_dx_assess_unknown_geo_is_a_clean_error(tmp_path):
    result = CliRunner().invoke(main, _assess_args(tmp_path, "tinh_a,tinh_x"))
    assert result.exit_code == 2
    assert "tinh_x" in result.output
    assert not (tmp_path / "assessment.csv").exists()


def test_synthetic_national_set_builds_and_assesses(synthetic_files, datasets, tmp_path, scale):
    f = synthetic_files
    obs = pd.read_csv(f["observations"], dtype=str, keep_default_na=False)
    assert set(obs["source_url"]) == {"https://example.invalid/synthetic"}
    assert set(obs["quote"]) == {"synthetic benchmark value"}
    assert set(obs["confidence"]) == {"low"}
    assert not any(Path(p).resolve().is_relative_to(paths.DATA.resolve()) for p in f.values())
    geos = pd.read_csv(f["geos"])
    assert list(geos["geo"]) == [f"synthetic_{i:02d}" for i in range(1, 6)]
    assert geos["name_en"].iloc[0] == "Synthetic province 01"
    ds = datasets["synthetic5"]
    full = obs[obs["as_of"] == ""]
    per_series = full.groupby(["geo", "indicator"]).size()
    assert per_series.between(3, 8).all()  # make_synthetic draws n = rng.integers(3, 9) years
    mapped = {i for i in ds.registry.targets["indicator"].dropna() if isinstance(i, str)}
    mapped -= set(ds.registry.targets.loc[ds.registry.targets["kind"] == "milestone", "indicator"].dropna())
    assert len(per_series) == 5 * len(mapped)
    result = CliRunner().invoke(main, [
        "assess", "--targets", str(f["targets"]), "--indicators", str(f["indicators"]),
        "--observations", str(f["observations"]), "--geos", str(f["geos"]), "--geo", "all",
        "--output", str(tmp_path / "a.csv"), "--pillars-output", str(tmp_path / "p.csv")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "a.csv")
    assert len(table) == 5 * 26  # 5 provinces x the 26 targets of the shipped registry it copies
    assert (table.groupby("geo").size() == 26).all()
    assert table["probability"].dropna().between(0, 1).all()
    # every province reads its own series (the national proxies were dropped in the copy)
    scored = table.dropna(subset=["series_geo"])
    assert (scored["series_geo"] == scored["geo"]).all()
    assert len(pd.read_csv(tmp_path / "p.csv")) == 5 * 6  # 5 pillars and 'all', per province
    # deterministic for a seed
    again = scale.make_synthetic(tmp_path / "again", 5, seed=5)
    assert again["observations"].read_bytes() == f["observations"].read_bytes()
