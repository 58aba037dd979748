"""Observations: the long-format files of published values (CSV or .xlsx), every row checked
(source, year, number, bounds of its series, confidence, dates), then the files against one
another (two sources disagreeing on one value, two units for one indicator)."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from dxlib import paths
from dxlib.data.tables import check_columns, parse_number, read_table
from dxlib.errors import DataValidationError, Problem, display_path
from dxlib.model import BOUNDS

OBSERVATION_COLUMNS: tuple[str, ...] = (
    "geo", "indicator", "year", "value", "unit", "source_url", "source_title", "published",
    "quote", "confidence",
)
#: optional columns: ``as_of``, the date of a partial-year value (:data:`dxlib.model.PARTIAL_DATE`),
#: ``note``, ``bound`` (:data:`dxlib.model.BOUNDS`: the value is a lower or upper bound, "over 25
#: bn USD") and ``definition`` (a short label of the definition the value is measured under;
#: values under different labels are never joined into one trend)
OBSERVATION_OPTIONAL: tuple[str, ...] = ("as_of", "note", "bound", "definition")
#: columns of the entry template (:mod:`dxlib.data.template`) that are for the reader only: a
#: filled template loads with them, and they are not read as data
TEMPLATE_COLUMNS: tuple[str, ...] = ("targets", "department")
CONFIDENCE: tuple[str, ...] = ("high", "medium", "low")
YEAR_RANGE: tuple[int, int] = (1990, 2100)

_PUBLISHED = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def load_observations(
    paths_: str | Path | Iterable[str | Path] | None = None,
    indicators: pd.DataFrame | None = None,
    geos: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """All observations of the given files (CSV or .xlsx) as one tidy frame.

    Columns: ``geo, indicator`` (str), ``year`` (int), ``value`` (float, in the unit of the
    ``unit`` column), ``unit, source_url, source_title, published, quote, confidence, note``
    (str), ``as_of`` (datetime64, NaT for full-year figures), ``source_file`` (str, path relative
    to the project root), ``source_row`` (int, spreadsheet row). Rows of a filled-in template that
    were left blank (no value, no source) are skipped. With ``indicators`` every row is checked
    against its series' bounds and its ``unit`` must be the catalogue's; with ``geos`` every geo
    must be known.
    """
    if paths_ is None:
        files = paths.default_observation_files()
    elif isinstance(paths_, (str, Path)):
        files = [Path(paths_)]
    else:
        files = [Path(x) for x in paths_]
    problems: list[Problem] = []
    frames = []
    if not files:
        problems.append(Problem(display_path(paths.DEFAULT_OBSERVATIONS_DIR), "", "",
                                "no observation files", "at least one .csv or .xlsx file"))
    for f in files:
        frame = _observation_file(f, indicators, geos, problems)
        if frame is not None:
            frames.append(frame)
    if frames:
        obs = pd.concat(frames, ignore_index=True)
        _check_duplicates(obs, problems)
        _check_definitions(obs, problems)
        _check_units(obs, problems)
    if problems:
        raise DataValidationError(problems)
    return obs.sort_values(["geo", "indicator", "year", "as_of"], na_position="last",
                           kind="stable").reset_index(drop=True)


def _observation_file(path: Path, indicators: pd.DataFrame | None, geos: pd.DataFrame | None,
                      problems: list[Problem]) -> pd.DataFrame | None:
    name = display_path(path)
    frame = read_table(path, problems)
    if frame is None:
        return None
    if not check_columns(frame, name, OBSERVATION_COLUMNS, OBSERVATION_OPTIONAL + TEMPLATE_COLUMNS,
                         problems, alternatives={"value_vi": "value"}):
        return None
    if "value" in frame.columns and "value_vi" in frame.columns:
        problems.append(Problem(name, "row 1", "value_vi", "both value and value_vi",
                                "one value column"))
        return None
    locale = "vi" if "value_vi" in frame.columns else "c"
    value_col = "value_vi" if locale == "vi" else "value"
    for col in OBSERVATION_OPTIONAL:
        if col not in frame.columns:
            frame[col] = ""
    # Template rows that nobody filled in: no value and no source.
    unfilled = (frame[value_col] == "") & (frame["source_url"] == "") & (frame["quote"] == "")
    frame = frame.loc[~unfilled]
    if frame.empty:
        problems.append(Problem(name, "", "", "no filled-in rows", "at least one observation"))
        return None
    n_before = len(problems)
    records = []
    for row in frame.to_dict("records"):
        where = f"row {row['_row']}"
        rec = _observation_row(row, name, where, locale, value_col, indicators, geos, problems)
        if rec is not None:
            records.append(rec)
    if len(problems) > n_before:
        return None
    out = pd.DataFrame.from_records(records)
    out["as_of"] = pd.to_datetime(out["as_of"])
    return out.astype({"year": int, "value": float, "source_row": int})


def _observation_row(row: dict[str, str], name: str, where: str, locale: Literal["c", "vi"],
                     value_col: str, indicators: pd.DataFrame | None, geos: pd.DataFrame | None,
                     problems: list[Problem]) -> dict[str, Any] | None:
    bad = len(problems)
    for col in ("geo", "indicator", "unit", "source_title", "quote"):
        if not row[col]:
            problems.append(Problem(name, where, col, "an empty cell", "a value"))
    url = row["source_url"]
    if not re.match(r"^https?://\S+$", url):
        problems.append(Problem(name, where, "source_url", repr(url) if url else "an empty cell",
                                "the address of the source (http:// or https://)"))
    if geos is not None and row["geo"] and row["geo"] not in geos.index:
        close = difflib.get_close_matches(row["geo"], list(geos.index), n=1)
        problems.append(Problem(name, where, "geo", repr(row["geo"]), "a geo id of data/geos.csv",
                                f"did you mean '{close[0]}'?" if close else ""))
    ind_row = None
    if indicators is not None and row["indicator"]:
        if row["indicator"] not in indicators.index:
            close = difflib.get_close_matches(row["indicator"], list(indicators.index), n=1)
            problems.append(Problem(name, where, "indicator", repr(row["indicator"]),
                                    "an indicator of the catalogue (data/indicators.csv)",
                                    f"did you mean '{close[0]}'?" if close else ""))
        else:
            ind_row = indicators.loc[row["indicator"]]
    year = None
    if re.match(r"^\d{4}$", row["year"]):
        year = int(row["year"])
        if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            problems.append(Problem(name, where, "year", row["year"],
                                    f"a year from {YEAR_RANGE[0]} to {YEAR_RANGE[1]}"))
            year = None
    else:
        problems.append(Problem(name, where, "year", repr(row["year"]) if row["year"]
                                else "an empty cell", "a four-digit year such as 2024"))
    value, hint = parse_number(row[value_col], locale) if row[value_col] else (None, "")
    if value is None:
        problems.append(Problem(name, where, value_col, repr(row[value_col]) if row[value_col]
                                else "an empty cell", "a number", hint))
    elif ind_row is not None:
        lo, hi = ind_row["lower"], ind_row["upper"]
        if (not math.isnan(lo) and value < lo) or (not math.isnan(hi) and value > hi):
            problems.append(Problem(
                name, where, value_col, f"{value:g}",
                f"a value from {lo:g} to {hi:g} for the {ind_row['kind']} '{row['indicator']}'"))
        elif ind_row["kind"] in ("count", "rank") and not value.is_integer():
            problems.append(Problem(name, where, value_col, f"{value:g}", f"a whole number for "
                                    f"the {ind_row['kind']} '{row['indicator']}'"))
    if ind_row is not None and row["unit"] and row["unit"] != ind_row["unit"]:
        problems.append(Problem(name, where, "unit", repr(row["unit"]),
                                f"'{ind_row['unit']}', the unit of '{row['indicator']}' in the "
                                "catalogue (data/indicators.csv)",
                                "convert the value: a share of 0.44 is 44 %"
                                if ind_row["unit"] == "%" else ""))
    if row["bound"] not in BOUNDS:
        problems.append(Problem(name, where, "bound", repr(row["bound"]),
                                "lower, upper or an empty cell (an exact value)"))
    if row["confidence"] not in CONFIDENCE:
        problems.append(Problem(name, where, "confidence", repr(row["confidence"]),
                                "one of high, medium, low"))
    expected = _published_expected(row["published"], year) if row["published"] else ""
    if expected:
        problems.append(Problem(name, where, "published", repr(row["published"]), expected))
    as_of = None
    if row["as_of"]:
        try:
            as_of = date.fromisoformat(row["as_of"])
        except ValueError:
            problems.append(Problem(name, where, "as_of", repr(row["as_of"]),
                                    "a date YYYY-MM-DD (or an empty cell for a full-year value)"))
        else:
            if year is not None and as_of.year != year:
                problems.append(Problem(name, where, "as_of", row["as_of"],
                                        f"a date within the year {year} of the row"))
    if len(problems) > bad:
        return None
    return {
        "geo": row["geo"], "indicator": row["indicator"], "year": year, "value": value,
        "unit": row["unit"], "source_url": url, "source_title": row["source_title"],
        "published": row["published"], "quote": row["quote"], "confidence": row["confidence"],
        "as_of": as_of, "note": row["note"], "bound": row["bound"],
        "definition": row["definition"], "source_file": name, "source_row": row["_row"],
    }


def _published_expected(text: str, year: int | None) -> str:
    """What a ``published`` cell should be when ``text`` is not acceptable, else '': a real date
    YYYY-MM-DD, YYYY-MM or YYYY, in :data:`YEAR_RANGE` and not before the year of the value."""
    if not _PUBLISHED.match(text):
        return "a date YYYY-MM-DD, YYYY-MM or YYYY (or an empty cell)"
    parts = [int(x) for x in text.split("-")]
    if not YEAR_RANGE[0] <= parts[0] <= YEAR_RANGE[1]:
        return f"a date from {YEAR_RANGE[0]} to {YEAR_RANGE[1]}"
    try:
        date(*parts, *[1] * (3 - len(parts)))
    except ValueError:
        return "a real date (month 1 to 12, a day the month has)"
    if year is not None and parts[0] < year:
        return f"a date in or after {year}, the year the value is for"
    return ""


def _check_duplicates(obs: pd.DataFrame, problems: list[Problem]) -> None:
    # values under different definitions, or a bound next to an exact value, may differ
    key = ["geo", "indicator", "year", "as_of", "definition", "bound"]
    grouped = obs.groupby(key, dropna=False)["value"].nunique()
    for k in grouped.index[grouped > 1]:
        sel = obs
        for col, v in zip(key, k, strict=True):
            sel = sel[sel[col].isna()] if pd.isna(v) else sel[sel[col] == v]
        first = sel.iloc[0]
        for _, dup in sel.iloc[1:].iterrows():
            if dup["value"] != first["value"]:
                problems.append(Problem(
                    dup["source_file"], f"row {dup['source_row']}", "value", f"{dup['value']:g}",
                    f"the same value as {first['source_file']} row {first['source_row']} "
                    f"({first['value']:g}) for {k[0]}, {k[1]}, {k[2]}"
                    + ("" if pd.isna(k[3]) else f", as of {k[3].date()}"),
                    "two sources disagree: keep one, or give one a different indicator id"))


def _check_definitions(obs: pd.DataFrame, problems: list[Problem]) -> None:
    """One definition per value: two values of one (geo, indicator, year, as_of) under
    different definitions would make the series' current definition depend on file order."""
    key = ["geo", "indicator", "year", "as_of"]
    counts = obs.groupby(key, dropna=False)["definition"].nunique()
    for k in counts.index[counts > 1]:
        sel = obs[(obs["geo"] == k[0]) & (obs["indicator"] == k[1]) & (obs["year"] == k[2])
                  & (obs["as_of"].isna() if pd.isna(k[3]) else obs["as_of"] == k[3])]
        first = sel.iloc[0]
        for _, dup in sel.iloc[1:].iterrows():
            if dup["definition"] != first["definition"]:
                problems.append(Problem(
                    dup["source_file"], f"row {dup['source_row']}", "definition",
                    repr(dup["definition"]) if dup["definition"] else "an empty cell",
                    f"the definition of {first['source_file']} row {first['source_row']} ("
                    + (repr(first["definition"]) if first["definition"] else "none")
                    + f") for {k[0]}, {k[1]}, {k[2]}"
                    + ("" if pd.isna(k[3]) else f", as of {k[3].date()}"),
                    "one definition per year of a series: keep one value, or give the other a "
                    "different indicator id"))


def _check_units(obs: pd.DataFrame, problems: list[Problem]) -> None:
    units = obs.groupby("indicator")["unit"].unique()
    for ind, us in units.items():
        if len(us) > 1:
            first = obs[(obs["indicator"] == ind) & (obs["unit"] == us[0])].iloc[0]
            odd = obs[(obs["indicator"] == ind) & (obs["unit"] != us[0])].iloc[0]
            problems.append(Problem(odd["source_file"], f"row {odd['source_row']}", "unit",
                                    repr(odd["unit"]),
                                    f"'{us[0]}', the unit of '{ind}' in {first['source_file']} "
                                    f"row {first['source_row']}", "one unit per indicator"))
