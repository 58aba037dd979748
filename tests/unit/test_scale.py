"""National scale: many geographies at once.

* The vectorised :func:`dxlib.engine.attainment.assess_dataset` and :func:`dxlib.engine.rollup.pillar_rollup`
  return exactly the frozen outputs in ``tests/fixtures/scale/`` (``<case>.assessment.csv``,
  ``<case>.pillars.csv`` and the column dtypes in ``dtypes.json``) for the cases of
  :data:`CASES`. They were first frozen from the per-row implementation (commit 0e6956d) to prove
  the vectorisation changed nothing; intended changes of results since (exact projections for
  single-series targets, growth targets' last value as growth, exact ``p_all_met``, evidence
  counts as of the year, ``met_early`` only while the latest value meets the target) were
  re-frozen with ``python tests/test_scale.py --refreeze`` after checking that no status or
  probability changed except where intended. CSV text written by pandas keeps every float
  exactly.
* ``dx assess --geo A,B`` and ``--geo all`` write one table with the rows of every geography.
* The synthetic national set of ``benchmarks/scale.py`` builds, loads and assesses.

No wall-clock assertions: the timings are in benchmarks/README.md ("National scale").
"""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from dxlib import paths
from dxlib.cli import main
from dxlib.data import Dataset, load_dataset
from dxlib.engine.attainment import _path_column, assess_dataset
from dxlib.engine.forecast import forecast
from dxlib.engine.rollup import pillar_rollup

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
FROZEN = Path(__file__).resolve().parents[1] / "fixtures" / "scale"
MINI_GEOS = ["tinh_a", "tinh_b", "vn"]

#: case name -> (data set, keyword arguments of assess_dataset); the seed also goes to the roll-up
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "mini": ("mini", {}),
    "mini_all_geos": ("mini", {"geos": MINI_GEOS}),
    "mini_all_geos_as_of_2023": ("mini", {"geos": MINI_GEOS, "as_of": 2023}),
    "mini_as_of_2022_seed_7": ("mini", {"as_of": 2022, "seed": 7}),
    "shipped": ("shipped", {}),
    "shipped_as_of_2024": ("shipped", {"as_of": 2024}),
    "shipped_as_of_2023_three_geos": ("shipped", {"as_of": 2023, "geos": ["nghe_an", "vn", "bac_ninh"]}),
    "synthetic5": ("synthetic5", {"geos": "all"}),
    "synthetic5_as_of_2023": ("synthetic5", {"geos": "all", "as_of": 2023}),
}


def _scale_module():
    spec = importlib.util.spec_from_file_location("dx_bench_scale", paths.ROOT / "benchmarks" / "scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scale():
    return _scale_module()


@pytest.fixture(scope="module")
def synthetic_files(scale, tmp_path_factory) -> dict[str, Path]:
    return scale.make_synthetic(tmp_path_factory.mktemp("synthetic"), 5, seed=5)


@pytest.fixture(scope="module")
def datasets(synthetic_files) -> dict[str, Dataset]:
    f = synthetic_files
    return {
        "mini": load_dataset(MINI / "targets.yaml", [MINI / "observations.csv"], MINI / "indicators.csv",
                             MINI / "geos.csv"),
        "shipped": load_dataset(),
        "synthetic5": load_dataset(f["targets"], [f["observations"]], f["indicators"], f["geos"]),
    }


@pytest.mark.parametrize("case", list(CASES))
def test_assessment_and_rollup_identical_to_the_frozen_reference(case, datasets):
    name, kwargs = CASES[case]
    ds = datasets[name]
    kwargs = dict(kwargs)
    if kwargs.get("geos") == "all":
        kwargs["geos"] = sorted(ds.geos.index)
    table = assess_dataset(ds, **kwargs)
    pillars = pillar_rollup(table, ds.registry)
    dtypes = json.loads((FROZEN / "dtypes.json").read_text(encoding="utf-8"))[case]
    assert {c: str(t) for c, t in table.dtypes.items()} == dtypes["assessment_dtypes"]
    assert {c: str(t) for c, t in pillars.dtypes.items()} == dtypes["pillars_dtypes"]
    expected = (FROZEN / f"{case}.assessment.csv").read_text(encoding="utf-8")
    got = table.to_csv(index=False)
    if got != expected:  # name the first differing cell
        exp = pd.read_csv(FROZEN / f"{case}.assessment.csv", keep_default_na=False, dtype=str)
        now = pd.read_csv(io.StringIO(got), keep_default_na=False, dtype=str)
        diff = (exp != now).stack()
        pytest.fail(f"{case}: first differences {list(diff[diff].index[:5])}")
    assert pillars.to_csv(index=False) == (FROZEN / f"{case}.pillars.csv").read_text(encoding="utf-8")


def test_path_column_equals_the_paths_frame(datasets):
    """The assessment reads one column of the sample paths without building the DataFrame;
    it must be exactly the column of :meth:`Forecast.paths`."""
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
            col = _path_column(fc, sid, year)
            if year in p.columns:
                np.testing.assert_array_equal(col, p[year].to_numpy(dtype=float))
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
    assert per_series.between(3, 8).all()
    mapped = {i for i in ds.registry.targets["indicator"].dropna() if isinstance(i, str)}
    mapped -= set(ds.registry.targets.loc[ds.registry.targets["kind"] == "milestone", "indicator"].dropna())
    assert len(per_series) == 5 * len(mapped)
    result = CliRunner().invoke(main, [
        "assess", "--targets", str(f["targets"]), "--indicators", str(f["indicators"]),
        "--observations", str(f["observations"]), "--geos", str(f["geos"]), "--geo", "all",
        "--output", str(tmp_path / "a.csv"), "--pillars-output", str(tmp_path / "p.csv")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "a.csv")
    assert len(table) == 5 * 26
    assert (table.groupby("geo").size() == 26).all()
    assert table["probability"].dropna().between(0, 1).all()
    # every province reads its own series (the national proxies were dropped in the copy)
    scored = table.dropna(subset=["series_geo"])
    assert (scored["series_geo"] == scored["geo"]).all()
    assert len(pd.read_csv(tmp_path / "p.csv")) == 5 * 6
    # deterministic for a seed
    again = scale.make_synthetic(tmp_path / "again", 5, seed=5)
    assert again["observations"].read_bytes() == f["observations"].read_bytes()


def refreeze() -> None:
    """Rewrite the frozen outputs from the current implementation (after an intended change)."""
    import tempfile

    files = _scale_module().make_synthetic(Path(tempfile.mkdtemp()), 5, seed=5)
    sets = {
        "mini": load_dataset(MINI / "targets.yaml", [MINI / "observations.csv"], MINI / "indicators.csv",
                             MINI / "geos.csv"),
        "shipped": load_dataset(),
        "synthetic5": load_dataset(files["targets"], [files["observations"]], files["indicators"],
                                   files["geos"]),
    }
    dtypes = {}
    for case, (name, kwargs) in CASES.items():
        ds, kwargs = sets[name], dict(kwargs)
        if kwargs.get("geos") == "all":
            kwargs["geos"] = sorted(ds.geos.index)
        table = assess_dataset(ds, **kwargs)
        pillars = pillar_rollup(table, ds.registry)
        (FROZEN / f"{case}.assessment.csv").write_text(table.to_csv(index=False), encoding="utf-8")
        (FROZEN / f"{case}.pillars.csv").write_text(pillars.to_csv(index=False), encoding="utf-8")
        dtypes[case] = {"assessment_dtypes": {c: str(t) for c, t in table.dtypes.items()},
                        "pillars_dtypes": {c: str(t) for c, t in pillars.dtypes.items()}}
    (FROZEN / "dtypes.json").write_text(json.dumps(dtypes, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--refreeze"]:
        refreeze()
