"""The README's "Add your province's figures", end to end: a department fills the template for
three targets that have no data, adds it with --add-observations, and the scorecard gives their
probabilities. The values are clearly fake (sources on example.invalid) and live in a tmp
folder, never in data/."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from openpyxl import load_workbook

from dxlib.cli import main

#: three numeric targets without any published series, their reserved indicator and fake
#: values 2022-2024 (a rising share, each below its 2025 target so a forecast decides)
FILLED = {
    "GOV-3": ("egov_satisfaction_rate", [80.0, 84.0, 87.0]),
    "ECO-7": ("ecom_utility_econtract_rate", [60.0, 72.0, 85.0]),
    "SOC-1": ("soc_smartphone_users_egov_rate", [30.0, 38.0, 45.0]),
}


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def fill(book: Path) -> int:
    """Fill the template rows of FILLED as a department would (values, source, quote); returns
    how many rows were filled."""
    wb = load_workbook(book)
    ws = wb["Số liệu - Data"]
    col = {str(c.value).rsplit("|", 1)[-1].strip(): c.column for c in ws[1]}
    by_indicator = {ind: dict(zip((2022, 2023, 2024), vals, strict=True))
                    for ind, vals in FILLED.values()}
    n = 0
    for r in range(2, ws.max_row + 1):
        ind = ws.cell(r, col["indicator"]).value
        year = int(ws.cell(r, col["year"]).value)
        if ind in by_indicator and year in by_indicator[ind]:
            v = by_indicator[ind][year]
            for name, text in (("value", str(v)), ("source_url", f"https://example.invalid/{ind}"),
                               ("source_title", "TEST ONLY - fake department report"),
                               ("published", f"{year + 1}-01-15"),
                               ("quote", f"fake test value {v}"), ("confidence", "low")):
                ws.cell(r, col[name]).value = text
            n += 1
    wb.save(book)
    return n


def test_a_filled_template_gives_probabilities_for_targets_without_data(tmp_path: Path) -> None:
    book = tmp_path / "so-lieu.xlsx"
    # step 1: the template has rows for these targets at the plan's geography
    assert run("template", "--output", str(book)).exit_code == 0
    data = pd.read_excel(book, sheet_name="Số liệu - Data", dtype=str)
    assert set(data["Địa bàn | geo"]) == {"nghe_an"}  # never a stand-in geography
    # step 2: the department fills them in
    assert fill(book) == 9
    # step 3: validate with the shipped data plus the workbook
    v = run("validate", "--add-observations", str(book))
    assert v.exit_code == 0, v.output
    assert str(book) in v.output.splitlines()[-1]
    # step 4: the scorecard
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    assert run("assess", "--output", str(before)).exit_code == 0
    r = run("assess", "--add-observations", str(book), "--output", str(after))
    assert r.exit_code == 0, r.output
    b = pd.read_csv(before).set_index("target_id")
    a = pd.read_csv(after).set_index("target_id")
    for tid in FILLED:
        assert b.loc[tid, "status"] == "insufficient_data" and pd.isna(b.loc[tid, "probability"])
        assert 0 <= a.loc[tid, "probability"] <= 1, a.loc[tid]
        assert a.loc[tid, "evidence"] == "direct" and a.loc[tid, "n_obs"] == 3
    # the other targets are as before
    others = [t for t in b.index if t not in FILLED]
    pd.testing.assert_series_equal(a.loc[others, "status"], b.loc[others, "status"])
