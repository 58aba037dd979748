"""The catalogue of observed series (``data/indicators.csv``), the list of geographies
(``data/geos.csv``) and the descriptions of definition labels (``data/definitions.csv``), each
checked row by row."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from dxlib import paths
from dxlib.data.tables import check_columns, parse_number, read_table
from dxlib.errors import DataValidationError, Problem, display_path
from dxlib.model import KINDS
from dxlib.profiles import REFERENCE_CLASSES

INDICATOR_COLUMNS: tuple[str, ...] = (
    "indicator", "name_vi", "name_en", "unit", "kind", "lower", "upper", "higher_is_better",
    "definition",
)
#: optional: the reference class of the forecast (empty: the default of the kind); ``ends``: the
#: last year the series is published under its definition (empty: continuing)
INDICATOR_OPTIONAL: tuple[str, ...] = ("reference_class", "ends")
GEO_COLUMNS: tuple[str, ...] = ("geo", "name_vi", "name_en", "level")
#: columns of ``data/definitions.csv``: what a definition label of an indicator's values means
DEFINITION_COLUMNS: tuple[str, ...] = ("indicator", "definition", "text_vi", "text_en")

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


def load_indicators(path: str | Path | None = None) -> pd.DataFrame:
    """The indicator catalogue, indexed by ``indicator``.

    Columns: ``name_vi, name_en, unit, kind`` (str), ``lower, upper`` (float, NaN when unbounded),
    ``higher_is_better`` (bool), ``definition`` (str), ``reference_class`` (str, NaN when empty: the
    optional column naming the reference class whose error profile forecasts the indicator,
    :data:`dxlib.profiles.REFERENCE_CLASSES`; empty = the default of its kind), ``ends`` (float
    year, NaN when empty: the optional column giving the last year a series is published under
    its definition, e.g. a ranking of 63 provinces that ends with the 2025 merger; a target due
    later gets no forecast of it). Raises
    DataValidationError.
    """
    p = Path(path) if path is not None else paths.DEFAULT_INDICATORS
    problems: list[Problem] = []
    frame = read_table(p, problems)
    name = display_path(p)
    if frame is None or not check_columns(frame, name, INDICATOR_COLUMNS, INDICATOR_OPTIONAL,
                                          problems):
        raise DataValidationError(problems)
    seen: dict[str, int] = {}
    records = []
    for row in frame.to_dict("records"):
        where = f"row {row['_row']}"
        ind = row["indicator"]
        if not _ID.match(ind):
            problems.append(Problem(name, where, "indicator", repr(ind),
                                    "a snake_case id (a-z, 0-9, _), starting with a letter"))
        elif ind in seen:
            problems.append(Problem(name, where, "indicator", f"'{ind}' again",
                                    f"a unique id (first defined in row {seen[ind]})"))
        seen.setdefault(ind, row["_row"])
        for col in ("name_vi", "name_en", "unit"):
            if not row[col]:
                problems.append(Problem(name, where, col, "an empty cell", "a value"))
        kind = row["kind"]
        if kind not in KINDS:
            problems.append(Problem(name, where, "kind", repr(kind), f"one of {', '.join(KINDS)}"))
        bounds = {}
        for col in ("lower", "upper"):
            value, hint = parse_number(row[col]) if row[col] else (None, "")
            if row[col] and value is None:
                problems.append(Problem(name, where, col, repr(row[col]),
                                        "a number or an empty cell", hint))
            bounds[col] = value
        lo, hi = bounds["lower"], bounds["upper"]
        if kind in ("share", "index") and (lo is None or hi is None):
            problems.append(Problem(name, where, "lower" if lo is None else "upper",
                                    "an empty cell", f"a bound: a {kind} is bounded (e.g. 0 and 100)"))
        if kind == "rank" and hi is None:
            problems.append(Problem(name, where, "upper", "an empty cell",
                                    "the number of units ranked (a rank runs from 1 to upper)"))
        elif kind == "rank" and not hi.is_integer():
            problems.append(Problem(name, where, "upper", repr(row["upper"]),
                                    "a whole number of units ranked (a rank runs from 1 to upper)"))
        if kind == "rank" and lo is None:
            lo = 1.0
        if kind in ("level", "count") and lo is None:
            lo = 0.0
        if lo is not None and hi is not None and not lo < hi:
            problems.append(Problem(name, where, "upper", repr(row["upper"]),
                                    f"a value above lower ({row['lower']})"))
        hib = row["higher_is_better"].lower()
        if hib not in _TRUE | _FALSE:
            problems.append(Problem(name, where, "higher_is_better", repr(row["higher_is_better"]),
                                    "true or false"))
        rclass = row.get("reference_class", "").strip() or None
        if rclass is not None and rclass not in REFERENCE_CLASSES:
            problems.append(Problem(name, where, "reference_class", repr(rclass),
                                    f"one of {', '.join(REFERENCE_CLASSES)} or an empty cell"))
        ends_text = row.get("ends", "").strip()
        ends = math.nan
        if ends_text:
            if re.fullmatch(r"\d{4}", ends_text) and 1990 <= int(ends_text) <= 2100:
                ends = float(ends_text)
            else:
                problems.append(Problem(name, where, "ends", repr(ends_text),
                                        "a year from 1990 to 2100 or an empty cell"))
        records.append({
            "indicator": ind, "name_vi": row["name_vi"], "name_en": row["name_en"],
            "unit": row["unit"], "kind": kind,
            "lower": lo if lo is not None else math.nan,
            "upper": hi if hi is not None else math.nan,
            "higher_is_better": hib in _TRUE, "definition": row["definition"],
            "reference_class": rclass, "ends": ends,
        })
    if not records and not problems:
        problems.append(Problem(name, "", "", "a header without rows", "at least one indicator"))
    if problems:
        raise DataValidationError(problems)
    out = pd.DataFrame.from_records(records).set_index("indicator")
    return out.astype({"lower": float, "upper": float, "higher_is_better": bool, "ends": float})


def _checked_table(p: Path, columns: tuple[str, ...]) -> tuple[pd.DataFrame, str, list[Problem]]:
    """A small catalogue file read with exactly ``columns`` (else DataValidationError): the frame
    (with ``_row``), its display name and an empty problem list for the row checks."""
    problems: list[Problem] = []
    frame = read_table(p, problems)
    name = display_path(p)
    if frame is None or not check_columns(frame, name, columns, (), problems):
        raise DataValidationError(problems)
    return frame, name, problems


def load_geos(path: str | Path | None = None) -> pd.DataFrame | None:
    """The geography list (``geo`` -> ``name_vi, name_en, level``), or None when the default file
    does not exist."""
    p = Path(path) if path is not None else paths.DEFAULT_GEOS
    if path is None and not p.exists():
        return None
    frame, name, problems = _checked_table(p, GEO_COLUMNS)
    dup = frame["geo"].duplicated()
    for row in frame.loc[dup].to_dict("records"):
        problems.append(Problem(name, f"row {row['_row']}", "geo", f"'{row['geo']}' again",
                                "a unique id"))
    for row in frame.to_dict("records"):
        if not _ID.match(row["geo"]):
            problems.append(Problem(name, f"row {row['_row']}", "geo", repr(row["geo"]),
                                    "a snake_case id"))
    if problems:
        raise DataValidationError(problems)
    return frame.drop(columns="_row").set_index("geo")


def load_definitions(path: str | Path | None = None) -> pd.DataFrame:
    """What each definition label (observation column ``definition``) means, indexed by
    ``(indicator, definition)`` with columns ``text_vi, text_en`` (str). Empty when the default
    file does not exist. Every cell is required; a key may appear once."""
    p = Path(path) if path is not None else paths.DEFAULT_DEFINITIONS
    empty = pd.DataFrame(columns=["text_vi", "text_en"],
                         index=pd.MultiIndex.from_tuples([], names=["indicator", "definition"]))
    if path is None and not p.exists():
        return empty
    frame, name, problems = _checked_table(p, DEFINITION_COLUMNS)
    for row in frame.to_dict("records"):
        for col in DEFINITION_COLUMNS:
            if not row[col]:
                problems.append(Problem(name, f"row {row['_row']}", col, "an empty cell",
                                        "a value in every column"))
    dup = frame.duplicated(["indicator", "definition"])
    for row in frame.loc[dup].to_dict("records"):
        problems.append(Problem(name, f"row {row['_row']}", "definition",
                                f"'{row['definition']}' of {row['indicator']} again",
                                "one row per indicator and label"))
    if problems:
        raise DataValidationError(problems)
    return frame.drop(columns="_row").set_index(["indicator", "definition"])
