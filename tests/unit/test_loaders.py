"""Loaders: typed frames from valid files, Vietnamese number format, Excel workbooks, template;
the model's as-of and full-year rules; pydantic errors as YAML lines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from dxlib.data import (
    PARTIAL_DATE,
    Dataset,
    StrictModel,
    TargetRegistry,
    full_year,
    load_dataset,
    load_observations,
    parse_number,
    partial_year,
    pydantic_problems,
    read_yaml,
)
from dxlib.data.template import write_template

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"


def mini(**kw):
    args = {"targets": MINI / "targets.yaml", "observations": [MINI / "observations.csv"],
            "indicators": MINI / "indicators.csv", "geos": MINI / "geos.csv"}
    args.update(kw)
    return load_dataset(**args)


def test_valid_files_give_typed_tidy_frames() -> None:
    ds = mini()
    obs = ds.observations
    assert obs["year"].dtype == "int64" and obs["value"].dtype == "float64"
    assert str(obs["as_of"].dtype).startswith("datetime64")
    assert obs["as_of"].notna().sum() == 1  # the one partial-year value
    assert set(obs["source_row"]) >= {2, 3}
    reg = ds.registry
    assert list(reg.pillars.index) == ["gov", "eco"]
    assert reg.targets.loc["E-2", "numerator"] == "ecom_revenue"
    assert reg.targets.loc["G-1", "geo"] == "tinh_a"  # filled from the plan
    # the fixture's indicators.csv: a rank among 63 provinces
    assert ds.indicators.loc["dti_rank", "lower"] == 1 and ds.indicators.loc["dti_rank", "upper"] == 63


@pytest.mark.parametrize(("text", "locale", "value"), [
    ("85.75", "c", 85.75), ("216943", "c", 216943.0), ("-1.5e2", "c", -150.0),
    ("85,75%", "vi", 85.75), ("1.234,5", "vi", 1234.5), ("3.000", "vi", 3000.0), ("12", "vi", 12.0),
])
def test_parse_number(text: str, locale: str, value: float) -> None:
    assert parse_number(text, locale) == (value, "")


@pytest.mark.parametrize("text", ["3.000", "85,75", "1.234,5", "85.75%", "abc", "nan", "inf"])
def test_plain_locale_never_misreads_vietnamese_numbers(text: str) -> None:
    assert parse_number(text, "c")[0] is None


def test_value_vi_column_declares_vietnamese_format(tmp_path: Path) -> None:
    f = tmp_path / "vi.csv"
    f.write_text(
        "geo,indicator,year,value_vi,unit,source_url,source_title,published,quote,confidence\n"
        'tinh_a,online_rate,2024,"85,75%",%,https://example.org/x,T,2025,q,high\n'
        'tinh_a,trainees,2024,3.000,count,https://example.org/x,T,2025,q,high\n', encoding="utf-8")
    obs = load_observations([f], mini().indicators)
    assert sorted(obs["value"]) == [85.75, 3000.0]


def test_excel_workbook_loads_like_csv(tmp_path: Path) -> None:
    frame = pd.read_csv(MINI / "observations.csv", dtype=str, keep_default_na=False)
    book = tmp_path / "obs.xlsx"
    frame.to_excel(book, index=False)
    from_csv = load_observations([MINI / "observations.csv"])
    from_xlsx = load_observations([book])
    cols = ["geo", "indicator", "year", "value", "source_url", "quote", "as_of"]
    pd.testing.assert_frame_equal(from_csv[cols], from_xlsx[cols])


def test_template_round_trip(tmp_path: Path) -> None:
    """The template has one row per mapped indicator and year; blank rows load as nothing,
    a filled row loads as an observation."""
    ds = mini()
    out = tmp_path / "fill-me.xlsx"
    n = write_template(ds.registry, ds.indicators, out)
    # mapped (geo, indicator) pairs: online_rate, agencies_connected, dti_rank, ecom_revenue,
    # retail_sales, trainees -> 6 pairs x 2020..2025
    assert n == 6 * 6
    sheets = pd.read_excel(out, sheet_name=None, dtype=str)
    assert list(sheets) == ["Số liệu - Data", "Hướng dẫn - Instructions", "Chỉ số - Indicators"]
    data = sheets["Số liệu - Data"]
    assert data.columns[2] == "Năm | year"
    # fill one row, as a department would
    from openpyxl import load_workbook

    wb = load_workbook(out)
    ws = wb["Số liệu - Data"]
    ws["D2"], ws["F2"], ws["G2"], ws["I2"], ws["J2"] = (
        "31.5", "https://example.org/dept", "Báo cáo của Sở", "đạt 31,5%", "high")
    wb.save(out)
    obs = load_observations([out], ds.indicators, ds.geos)
    assert len(obs) == 1 and obs.iloc[0]["value"] == 31.5 and obs.iloc[0]["year"] == 2020


def test_percent_formatted_excel_cell_is_rejected_not_misread(tmp_path: Path) -> None:
    """Excel stores a cell shown as 85.75% as 0.8575: it must not load as 0.8575 %."""
    from openpyxl import Workbook

    from dxlib.errors import DataValidationError

    wb = Workbook()
    ws = wb.active
    ws.append(["geo", "indicator", "year", "value", "unit", "source_url", "source_title", "published",
               "quote", "confidence"])
    ws.append(["tinh_a", "online_rate", 2024, 0.8575, "%", "https://example.org/x", "T", "2025", "q",
               "high"])
    ws["D2"].number_format = "0.00%"
    book = tmp_path / "pct.xlsx"
    wb.save(book)
    with pytest.raises(DataValidationError) as err:
        load_observations([book], mini().indicators)
    assert str(err.value.problems[0]) == (
        f"{book}, row 2, column 'value': found a cell formatted as a percentage (shown 85.75%, stored "
        "0.8575); expected the number as it is written in the source (type 85.75 in a cell formatted "
        "as a number or text; the unit column carries the %)")


# --------------------------------------------------------------------------------------------
# The two rules of the model: the vintage year (Dataset.as_of) and full / partial years


def _dataset(observations: pd.DataFrame) -> Dataset:
    reg = TargetRegistry(plan={"geo": "tinh_a"}, pillars=pd.DataFrame(),
                         departments=pd.DataFrame(), targets=pd.DataFrame())
    return Dataset(registry=reg, indicators=pd.DataFrame(), observations=observations)


def _obs() -> pd.DataFrame:
    """2021-2024 full-year values (the 2024 one published in 2025), a partial 2024 value dated
    2024-06-30 and a partial 2025 value dated 2025-08-06."""
    return pd.DataFrame({
        "geo": "tinh_a", "indicator": "online_rate",
        "year": [2021, 2022, 2023, 2024, 2024, 2025],
        "value": [10.0, 20.0, 30.0, 40.0, 35.0, 47.5],
        "published": ["2022", "2023", "2024", "2025-03", "2024-07", "2025-08"],
        PARTIAL_DATE: pd.to_datetime([None, None, None, None, "2024-06-30", "2025-08-06"]),
    })


def test_as_of_keeps_the_data_of_reference_years_up_to_the_vintage() -> None:
    ds = _dataset(_obs())
    then = ds.as_of(2024)
    # the 2024 value published in 2025 counts as 2024 data; the 2024 partial value too
    assert list(then.observations["year"]) == [2021, 2022, 2023, 2024, 2024]
    assert list(ds.as_of(2022).observations["value"]) == [10.0, 20.0]
    assert then.registry is ds.registry and then.indicators is ds.indicators
    assert len(ds.observations) == 6  # the dataset itself is unchanged
    assert ds.as_of(None) is ds  # None: all data
    assert ds.as_of(2020).observations.empty  # before every observation: nothing left


def test_full_year_and_partial_year_split_the_observations() -> None:
    ds = _dataset(_obs())
    full, part = ds.full_year(), ds.partial_year()
    assert list(full["value"]) == [10.0, 20.0, 30.0, 40.0]
    assert list(part["value"]) == [35.0, 47.5] and part[PARTIAL_DATE].notna().all()
    assert sorted([*full.index, *part.index]) == list(ds.observations.index)
    # the two rules compose: full-year values of the 2023 vintage, partial values up to 2024
    assert list(ds.as_of(2023).full_year()["year"]) == [2021, 2022, 2023]
    assert list(ds.as_of(2024).partial_year()[PARTIAL_DATE].dt.date.astype(str)) == ["2024-06-30"]
    # a frame without partial-year dates holds full-year values only
    plain = _obs().drop(columns=PARTIAL_DATE)
    assert len(full_year(plain)) == 6 and partial_year(plain).empty


def test_shipped_partial_value_is_not_a_full_year_value() -> None:
    ds = mini()
    assert len(ds.full_year()) + len(ds.partial_year()) == len(ds.observations)
    assert len(ds.partial_year()) == 1  # the one partial-year value of the mini fixture


# --------------------------------------------------------------------------------------------
# pydantic errors as YAML paths and lines (shared by every YAML file validated by a model)


class _Item(StrictModel):
    id: str
    year: int


class _Doc(StrictModel):
    items: list[_Item]


def test_pydantic_problems_name_path_line_and_allowed_keys(tmp_path: Path) -> None:
    f = tmp_path / "doc.yaml"
    f.write_text("items:\n  - id: a\n    year: 2024\n  - id: b\n    yaer: 2025\n", encoding="utf-8")
    problems: list = []
    data, lines = read_yaml(f, problems)
    assert not problems and lines[("items", 1, "yaer")] == 5
    with pytest.raises(ValidationError) as err:
        _Doc.model_validate(data)
    found = {(p.where, p.column, p.found, p.expected)
             for p in pydantic_problems(err.value, "doc.yaml", data, lines, _Doc)}
    assert found == {
        ("items[1] (b), line 4", "year", "nothing", "a value (this key is required)"),
        ("items[1] (b), line 5", "yaer", "an unknown key", "one of id, year (did you mean 'year'?)"),
    }
    without_model = pydantic_problems(err.value, "doc.yaml", data, lines)
    assert {p.expected for p in without_model if p.column == "yaer"} == {"no such key"}


def test_definition_labels_are_described_in_the_report_language(tmp_path: Path) -> None:
    from dxlib.data import load_definitions
    from dxlib.errors import DataValidationError
    from dxlib.report.evidence_rows import definition_text

    p = tmp_path / "definitions.csv"
    p.write_text("indicator,definition,text_vi,text_en\n"
                 "online_rate,old_count,Cách đếm cũ,The old count\n", encoding="utf-8")
    d = load_definitions(p)
    assert definition_text(d, "online_rate", "old_count", "vi") == "Cách đếm cũ"
    assert definition_text(d, "online_rate", "old_count", "en") == "The old count"
    # a label the catalogue does not describe is shown as written; no label, a dash
    assert definition_text(d, "online_rate", "new_count", "en") == "new_count"
    assert definition_text(d, "online_rate", float("nan"), "vi") == "—"
    p.write_text("indicator,definition,text_vi,text_en\n"
                 "online_rate,old_count,Cách đếm cũ,\n"
                 "online_rate,old_count,Cách đếm cũ,The old count\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        load_definitions(p)
    text = str(err.value)
    assert "row 2, column 'text_en': found an empty cell; expected a value in every column" in text
    assert ("row 3, column 'definition': found 'old_count' of online_rate again; expected one row "
            "per indicator and label") in text
