"""No text from a data file runs as script or as math in a report (issue 12): a target id, a
catalogue unit and an indicator name carrying HTML and matplotlib math, through the notebooks
that print them in sentences, tables and figures."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml

from dxlib.batch import run_batch

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
BAD_ID = 'G-1<img src=x onerror="alert(1)">'
BAD_UNIT = '<img src=y onerror="alert(2)"> US$ / US$'
BAD_NAME = r"$\notacommand{x}$ rate <script>alert(3)</script>"


def _poisoned_plan(folder: Path) -> dict[str, str]:
    shutil.copytree(MINI, folder)
    targets = folder / "targets.yaml"
    text = targets.read_text(encoding="utf-8").replace("  - id: G-1\n", f"  - id: '{BAD_ID}'\n")
    targets.write_text(text, encoding="utf-8")
    money = {"ecom_revenue", "retail_sales"}
    for name, column, value, which in (("indicators.csv", "unit", BAD_UNIT, money),
                                       ("indicators.csv", "name_en", BAD_NAME, {"online_rate"}),
                                       ("observations.csv", "unit", BAD_UNIT, money)):
        path = folder / name
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        for row in rows:
            if row["indicator"] in which:
                row[column] = value
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return {"targets": str(targets), "observations": [str(folder / "observations.csv")],
            "indicators": str(folder / "indicators.csv"), "geos": str(folder / "geos.csv")}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("safety")
    plan = _poisoned_plan(tmp / "plan")
    manifest = {"defaults": {"kernel": "python3", "timeout": 300}, "reports": [
        {"notebook": "01_data_inventory", "set": {**plan, "lang": "en"}},
        {"notebook": "02_indicator_forecast", "set": {**plan, "lang": "en", "target": BAD_ID}},
        {"notebook": "02_indicator_forecast", "set": {**plan, "lang": "vi", "target": "E-2"}},
        {"notebook": "04_pillar_assessment", "set": {**plan, "lang": "en", "pillar": "eco"}},
        {"notebook": "05_plan_scorecard", "set": {**plan, "lang": "en"}},
    ]}
    path = tmp / "batch.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    return run_batch(path, tmp / "out", jobs=2, progress=False), tmp / "out"


def test_every_report_renders(reports) -> None:
    result, _ = reports
    assert result.ok, result.summary_text  # no math-text crash on the indicator name


def test_no_data_text_becomes_markup(reports) -> None:
    _, out = reports
    pages = sorted(out.glob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for raw in ("<img src=x", "<img src=y", "<script>alert(3)"):
            assert raw not in html, f"{page.name}: {raw!r} reached the page unescaped"
