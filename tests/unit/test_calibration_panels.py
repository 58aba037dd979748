"""Scoring other panels with the attainment-calibration benchmark (benchmarks/calibration_cases.py,
issue 10): which files a folder gives, their bounds and classes, one-line refusals of bad input,
and cases for a bounded and an unbounded panel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dxlib import paths


@pytest.fixture(scope="module")
def cc(benchmark_module):
    return benchmark_module("calibration_cases")


def _panel(path: Path, values: dict[str, list[float]], start: int = 2008) -> None:
    """A tidy panel file: one country per key, values for consecutive years from ``start``."""
    rows = [(c, c.title(), start + i, v) for c, vs in values.items() for i, v in enumerate(vs)]
    pd.DataFrame(rows, columns=["country_code", "country_name", "year", "value"]).to_csv(
        path, index=False)


def test_default_files_are_the_issue_panels_when_present_else_every_csv(cc, tmp_path) -> None:
    for name in cc.PANEL_FILES:
        _panel(tmp_path / f"{name}.csv", {"AAA": [10, 20]})
    _panel(tmp_path / "other.csv", {"AAA": [10, 20]})
    assert [p.name for p in cc.panel_specs(tmp_path)] == list(cc.PANEL_FILES)
    assert [p.name for p in cc.panel_specs(tmp_path, ["other.csv"])] == ["other"]
    (tmp_path / f"{cc.PANEL_FILES[0]}.csv").unlink()
    assert [p.name for p in cc.panel_specs(tmp_path)] == sorted(
        [*cc.PANEL_FILES[1:], "other"])


def test_bounds_come_from_the_manifest_else_from_the_values(cc, tmp_path) -> None:
    _panel(tmp_path / "pct.csv", {"AAA": [10, 20]})
    _panel(tmp_path / "frac.csv", {"AAA": [0.1, 0.2]})
    _panel(tmp_path / "subs.csv", {"AAA": [0, 90, 130]})
    pd.DataFrame({"file": ["frac.csv", "subs.csv"], "upper_bound": [1.0, np.nan]}).to_csv(
        tmp_path / "manifest.csv", index=False)
    specs = {p.name: p for p in cc.panel_specs(tmp_path)}
    assert (specs["pct"].upper, specs["pct"].kind) == (100.0, "share")  # values never above 100
    assert (specs["frac"].upper, specs["frac"].kind) == (1.0, "share")  # named by the manifest
    assert (specs["subs"].upper, specs["subs"].kind) == (None, "level")  # 130 > 100, no bound
    assert specs["subs"].rows["value"].tolist() == [0, 90, 130]  # a zero stays an outcome
    past, _ = cc.panel_histories(specs["subs"], 2010, 3)
    assert past.empty  # ... but no history of a level holds it (log scale)
    past, _ = cc.panel_histories(specs["subs"], 2010, 2)
    assert past["value"].tolist() == [90, 130]


@pytest.mark.parametrize(("text", "message"), [
    ("country_code,year,share\nAAA,2010,5\n", "expected country_code, year, value"),
    ("country_code,year,value\nAAA,2010,5\nAAA,2010.5,6\n", "row 3: year '2010.5'"),
    ("country_code,year,value\nAAA,2010,5\nAAA,2011,x\n", "expected a whole year 1800-2100"),
    ("country_code,year,value\nAAA,20130000000000000000,5\n", "row 2: year '2013000"),
    ("country_code,year,value\n", "no rows"),
    ("", "not a readable UTF-8 CSV table"),
    ("country_code,year,value\nAAA,2010,5\nAAA,2010,6\n", "AAA 2010 appears twice"),
])
def test_a_bad_panel_is_refused_with_one_line(cc, tmp_path, text, message) -> None:
    (tmp_path / "bad.csv").write_text(text)
    with pytest.raises(SystemExit) as stop:
        cc.panel_specs(tmp_path)
    assert message in str(stop.value) and "bad.csv" in str(stop.value)
    assert "\n" not in str(stop.value)


@pytest.mark.parametrize(("bound", "message"), [
    ("abc", "upper_bound 'abc'; expected a finite number above 0"),
    ("inf", "upper_bound 'inf'"), ("0", "upper_bound '0'")])
def test_a_bad_manifest_bound_is_refused(cc, tmp_path, bound, message) -> None:
    _panel(tmp_path / "frac.csv", {"AAA": [0.1, 0.2]})
    (tmp_path / "manifest.csv").write_text(f"file,upper_bound\nfrac.csv,{bound}\n")
    with pytest.raises(SystemExit, match=message):
        cc.panel_specs(tmp_path)


def test_an_unbounded_panel_with_negative_values_is_refused(cc, tmp_path) -> None:
    _panel(tmp_path / "diff.csv", {"AAA": [150.0, -3.0]})
    with pytest.raises(SystemExit, match="expected no negative values"):
        cc.panel_specs(tmp_path)


def test_a_panel_named_twice_is_refused(cc, tmp_path) -> None:
    _panel(tmp_path / "pct.csv", {"AAA": [10, 20]})
    with pytest.raises(SystemExit, match="expected each panel once"):
        cc.panel_specs(tmp_path, ["pct", "pct.csv"])


def test_values_outside_the_manifest_bound_are_refused(cc, tmp_path) -> None:
    _panel(tmp_path / "frac.csv", {"AAA": [0.1, 1.2]})
    pd.DataFrame({"file": ["frac.csv"], "upper_bound": [1.0]}).to_csv(
        tmp_path / "manifest.csv", index=False)
    with pytest.raises(SystemExit, match=r"values 0.1..1.2; expected 0..1 \(its upper bound\)"):
        cc.panel_specs(tmp_path)


def test_cases_of_a_share_and_a_level_panel(cc, tmp_path) -> None:
    rng = np.random.default_rng(3)
    shares = {f"C{i:02d}": list(np.clip(np.linspace(5, 60, 12) + rng.normal(0, 2, 12), 1, 99))
              for i in range(8)}
    subs = {f"C{i:02d}": list(np.linspace(40, 140, 12) * np.exp(rng.normal(0, 0.03, 12)))
            for i in range(8)}
    _panel(tmp_path / "share.csv", shares)
    _panel(tmp_path / "subs.csv", subs)  # 2008..2019: origin 2013, outcomes 2014..2019
    panels = cc.panel_specs(tmp_path)
    cases, iv = cc.panel_cases(panels, ets=False, origins=(2013,))
    assert set(cases["family"]) == {"share", "level"}
    assert cases["p"].between(0, 1).all() and cases["outcome"].isin([0.0, 1.0]).all()
    # every threshold of a share lies in (0, 100]; one row per country x year x d kept
    share = cases[cases["file"] == "share"]
    assert len(share) == 8 * 6 * len(cc.PANEL_D) * len(cc.PANEL_K + cc.PANEL_K_THIN)
    assert (iv["q10"] <= iv["q50"]).all() and (iv["q50"] <= iv["q90"]).all()
    # a level's targets are relative: d = -5 .. 20 % of the last value
    level = cases[cases["file"] == "subs"]
    assert sorted(level["x"].unique()) == sorted(np.array(cc.PANEL_D) / 100)
    assert not cc.usable(panels[0], (2030,)) and cc.usable(panels[0], (2013,))
    # the last value in % of the bound (the "near the bound" slice): a share's, none for a level
    last_2013 = {c: v[5] for c, v in shares.items()}  # 2008 + 5
    got = share.groupby(share["series"].str.split("|").str[-1])["last_pct"].unique()
    assert all(len(v) == 1 and v[0] == pytest.approx(last_2013[c]) for c, v in got.items())
    assert level["last_pct"].isna().all() and iv.loc[iv["file"] == "subs", "last_pct"].isna().all()


def test_the_script_refuses_bad_options_with_one_line_and_status_2(tmp_path) -> None:
    script = paths.ROOT / "benchmarks" / "attainment_calibration.py"
    other = tmp_path / "other"
    other.mkdir()
    _panel(other / "pct.csv", {"AAA": [10, 20, 30]})  # 2008-2010: nothing after 2013
    later = tmp_path / "later"
    later.mkdir()
    _panel(later / "pct.csv", {"AAA": list(range(10, 22))})  # 2008-2019
    for args, message in ((["--origins", "20x3"], "--origins: found '20x3'"),
                          (["--origins", "2013,2013"], "expected distinct years"),
                          (["--panel", str(tmp_path)], "no panel files"),
                          (["--panel", str(other)], "pct: no history ending in 2013, 2017"),
                          (["--origins", "2013", "--write-profile"],
                           "cannot be combined with --files or --origins"),
                          (["--panel", str(later), "--write-profile"],
                           "--write-profile: scoring pct; expected the issue's panels")):
        run = subprocess.run([sys.executable, str(script), *args, "--out", str(tmp_path / "o")],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 2, run.stderr
        assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "o").exists()
