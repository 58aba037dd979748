"""The `dx` command line on valid input (bad input: test_bad_inputs.py, test_bad_commands.py;
what the shipped data give through it: tests/data/test_shipped_results.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from dxlib.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_python_m_dxlib_is_the_same_command() -> None:
    out = subprocess.run([sys.executable, "-m", "dxlib", "--help"], capture_output=True, text=True,
                         check=True).stdout
    for cmd in ("validate", "assess", "forecast", "template", "reports"):
        assert cmd in out


def test_forecast_writes_one_row_per_series_and_year(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("series_id,year,value,kind,lower,upper,extra\n"
                   "a,2020,10,share,0,100,x\na,2021,12,share,0,100,x\na,2022,15,share,0,100,x\n"
                   "b,2019,100,,,,y\nb,2021,150,,,,y\nc,2024,5,,,,z\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    r = run("forecast", "--input", str(src), "--horizon", "3", "--quantiles", "0.1,0.5,0.90",
            "--output", str(out))
    assert r.exit_code == 0, r.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["series_id", "year", "h", "point", "q_0.1", "q_0.5", "q_0.90", "note"]
    a = table[table["series_id"] == "a"]
    assert list(a["year"]) == [2023, 2024, 2025] and list(a["h"]) == [1, 2, 3]
    assert (a["q_0.90"] <= 100).all() and (a["q_0.1"] < a["point"]).all()
    assert list(table[table["series_id"] == "b"]["year"]) == [2022, 2023, 2024]  # gap allowed
    c = table[table["series_id"] == "c"]
    assert len(c) == 1 and c["point"].isna().all() and "one observation" in c["note"].iloc[0]


def test_template_writes_a_workbook(tmp_path: Path) -> None:
    out = tmp_path / "fill.xlsx"
    r = run("template", "--output", str(out))
    assert r.exit_code == 0, r.output
    sheets = pd.read_excel(out, sheet_name=None)
    assert "Số liệu - Data" in sheets and len(sheets["Số liệu - Data"]) > 0


def test_reports_batch_is_looked_up_in_the_current_directory_then_the_root(
        tmp_path: Path, monkeypatch) -> None:
    """`dx reports --batch REL`: a manifest in the current directory is read from there; a path
    that is not there is the project root's (params/batch.yaml from anywhere). `--only` with no
    match stops both before any notebook runs, naming the manifest that was read."""
    from dxlib import paths

    mine = tmp_path / "mine.yaml"
    mine.write_text(paths.DEFAULT_BATCH.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["reports", "--batch", "mine.yaml", "--only", "nomatch_xx",
                                  "--out", str(tmp_path / "out")])
    assert r.exit_code == 2 and "mine.yaml: no run matches --only 'nomatch_xx'" in r.output
    r = CliRunner().invoke(main, ["reports", "--batch", "params/batch.yaml", "--only",
                                  "nomatch_xx", "--out", str(tmp_path / "out")])
    assert r.exit_code == 2, r.output
    assert "params/batch.yaml: no run matches --only 'nomatch_xx'" in r.output
    assert not (tmp_path / "out").exists()
