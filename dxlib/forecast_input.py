"""The input of ``dx forecast``: read a long table and check every row before any work.

The table (a UTF-8 CSV file) has ``series_id, year, value`` and optionally ``kind, lower,
upper`` (other columns are ignored). Every problem is collected and raised at once as a
:class:`~dxlib.errors.DataValidationError`, one line each: file, row (header = row 1), column,
what was found, what was expected. What is checked:

* ``series_id`` not empty; ``year`` written as a whole number (digits only: no ``2_020``,
  ``2020.5``, ``-5``) from 1800 to 2100 (:data:`YEARS`), each (series, year) once. The bounded
  span also bounds the engine's work (a series with years 1 and 2000000000 is refused, not
  computed), and ``--horizon`` is at most 50;
* ``value`` a finite number with ``|value| <= MAX_ABS`` (beyond that the engine's squares and
  exponentials overflow; rescale, e.g. to millions). A series growing so fast that its forecast
  still overflows is refused after the computation, before anything is written
  (:func:`finite_or_problem`);
* ``kind`` one of the engine's kinds or empty, and the same in every row of a series; the same for
  ``lower`` and ``upper``;
* ``share``/``index``: ``lower < upper`` (defaults 0 and 100) and every value within them;
  ``rank``: ``upper`` = N, a whole number >= 2, and whole ranks from 1 to N; ``count``: whole
  numbers >= 0; ``level``: positive numbers (a level is modelled on the log scale);
* a series without a kind whose values include 0 but nothing negative is refused (say ``count``
  or a bounded kind): the raw scale such a series would get can forecast negative values.
  A series with a negative value and no kind stays on the raw scale (e.g. a balance);
* ``lower``/``upper`` given for a series whose kind does not use them (level, count, none).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from dxlib.data import KINDS, parse_number, read_table
from dxlib.errors import DataValidationError, Problem, display_path

#: Years accepted in a forecast input (inclusive). Forecasts run at most 50 years beyond.
YEARS: tuple[int, int] = (1800, 2100)
#: Largest magnitude of a value; larger figures overflow the engine (exp/square). Rescale.
MAX_ABS: float = 1e18
_YEAR = re.compile(r"^[0-9]{1,9}$")
_BOUNDED = ("share", "index")


def _num(x: float) -> str:
    """A number as a person writes it: 100 not 100.0 (six significant digits)."""
    return f"{x:g}"


def read_forecast_input(path: str | Path) -> pd.DataFrame:
    """The checked ``dx forecast`` input as a frame: series_id (str), year (int), value (float)
    and, when present in the file, kind (str or None), lower, upper (float or None).
    Raises DataValidationError listing every problem (see the module docstring)."""
    path = Path(path)
    name = display_path(path)
    problems: list[Problem] = []
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise DataValidationError([Problem(name, "", "", "an Excel workbook", "a CSV file",
                                           "in Excel: Save As 'CSV UTF-8'")])
    frame = read_table(path, problems)
    if frame is None:
        raise DataValidationError(problems)
    _check_columns(list(frame.columns), name, problems)
    if problems:
        raise DataValidationError(problems)
    opt = [c for c in ("kind", "lower", "upper") if c in frame.columns]
    rows = _parse_rows(frame, opt, name, problems)
    _check_series(rows, opt, name, problems)
    if problems:
        raise DataValidationError(sorted(problems, key=_row_number))
    out = pd.DataFrame([{k: r[k] for k in ("series_id", "year", "value", *opt)} for r in rows],
                       columns=["series_id", "year", "value", *opt])
    out["year"] = out["year"].astype("int64")
    out["value"] = out["value"].astype(float)
    return out


_COLUMNS = ("series_id", "year", "value", "kind", "lower", "upper")


def _check_columns(columns: list[str], name: str, problems: list[Problem]) -> None:
    """The three required columns are there; a column that looks like a known one written
    differently ('Kind', 'uper') is refused, as it would be silently ignored."""
    import difflib

    others = [c for c in columns if c != "_row" and c not in _COLUMNS]
    meant: set[str] = set()
    for col in others:
        close = difflib.get_close_matches(col.lower(), _COLUMNS, n=1, cutoff=0.8)
        if close and close[0] not in columns:
            meant.add(close[0])
            problems.append(Problem(
                name, "row 1", col, "an unknown column, which would be ignored",
                f"the column '{close[0]}'",
                "column names are lower case" if col.lower() == close[0] else ""))
    for col in ("series_id", "year", "value"):
        if col not in columns and col not in meant:
            problems.append(Problem(name, "row 1", col, "no such column", f"the column '{col}'"))


def _row_number(p: Problem) -> int:
    return int(p.where.split()[1]) if p.where.startswith("row ") else 0


def _parse_rows(frame: pd.DataFrame, opt: list[str], name: str,
                problems: list[Problem]) -> list[dict]:
    """Cell-level checks; returns one dict per row (with ``_row``), unparsable cells as None."""
    rows: list[dict] = []
    lo_y, hi_y = YEARS
    for rec in frame.to_dict("records"):
        where = f"row {rec['_row']}"
        row: dict = {"_row": rec["_row"], "series_id": rec["series_id"]}
        if not rec["series_id"]:
            problems.append(Problem(name, where, "series_id", "an empty cell", "a series id"))
        text = rec["year"]
        year = int(text) if _YEAR.match(text) else None
        if year is None or not lo_y <= year <= hi_y:
            problems.append(Problem(name, where, "year", repr(text),
                                    f"a whole year from {lo_y} to {hi_y}"))
            year = None
        row["year"] = year
        value, hint = parse_number(rec["value"])
        if value is None:
            found = "an empty cell" if not rec["value"] else repr(rec["value"])
            problems.append(Problem(name, where, "value", found, "a number", hint))
        elif abs(value) > MAX_ABS:
            problems.append(Problem(name, where, "value", repr(rec["value"]),
                                    f"a number of magnitude at most {MAX_ABS:g}",
                                    "rescale the series, e.g. to millions"))
            value = None
        row["value"] = value
        if "kind" in opt:
            kind = rec["kind"] or None
            if kind is not None and kind not in KINDS:
                problems.append(Problem(name, where, "kind", repr(rec["kind"]),
                                        "one of " + ", ".join(KINDS) + " or empty"))
            row["kind"] = kind
        for c in ("lower", "upper"):
            if c in opt:
                v, h = parse_number(rec[c]) if rec[c] else (None, "")
                if rec[c] and v is None:
                    problems.append(Problem(name, where, c, repr(rec[c]), "a number or empty", h))
                elif v is not None and abs(v) > MAX_ABS:
                    problems.append(Problem(name, where, c, repr(rec[c]),
                                            f"a number of magnitude at most {MAX_ABS:g}"))
                    v = None
                if rec[c] and v is None:
                    row["_bad_bound"] = True  # reported; no second message about the bounds
                row[c] = v
        rows.append(row)
    return rows


def _check_series(rows: list[dict], opt: list[str], name: str,
                  problems: list[Problem]) -> None:
    """Checks across the rows of one series: duplicates, constant attributes, values of a kind."""
    by_series: dict[str, list[dict]] = {}
    for r in rows:
        by_series.setdefault(r["series_id"], []).append(r)
    for sid, rs in by_series.items():
        seen: dict[int, int] = {}
        for r in rs:
            y = r["year"]
            if y is None:
                continue
            if y in seen:
                problems.append(Problem(
                    name, f"row {r['_row']}", "year", f"{y} again in series '{sid}' (row {seen[y]})",
                    "each year once per series"))
            else:
                seen[y] = r["_row"]
        attrs = {c: _constant(rs, c, sid, name, problems) for c in opt}
        if _CONFLICT not in attrs.values() and not any(r.get("_bad_bound") for r in rs):
            _check_kind(rs, sid, attrs, name, problems)


_CONFLICT = object()


def _constant(rs: list[dict], col: str, sid: str, name: str, problems: list[Problem]):
    """The one non-empty value of ``col`` in a series (None if all empty); a second, different
    value is a problem (reported at its row) and gives ``_CONFLICT``."""
    first = None
    what = {"kind": "one kind", "lower": "one lower bound", "upper": "one upper bound"}[col]
    for r in rs:
        v = r.get(col)
        if v is None:
            continue
        if first is None:
            first = r
        elif v != first[col]:
            shown = repr(v) if col == "kind" else _num(v)
            was = repr(first[col]) if col == "kind" else _num(first[col])
            problems.append(Problem(
                name, f"row {r['_row']}", col,
                f"{shown} in series '{sid}', which row {first['_row']} gives as {was}",
                f"{what} per series"))
            return _CONFLICT
    return None if first is None else first[col]


def _check_kind(rs: list[dict], sid: str, attrs: dict, name: str,
                problems: list[Problem]) -> None:
    """The values of one series against its kind and bounds."""
    kind, lower, upper = attrs.get("kind"), attrs.get("lower"), attrs.get("upper")
    if kind is not None and kind not in KINDS:
        return  # already reported
    first_row = f"row {rs[0]['_row']}"
    values = [(r, r["value"]) for r in rs if r["value"] is not None]

    def bad(r: dict, found: str, expected: str, hint: str = "") -> None:
        problems.append(Problem(name, f"row {r['_row']}", "value", found, expected, hint))

    a_kind = f"an {kind}" if kind == "index" else f"a {kind}"
    if kind in _BOUNDED:
        lw = 0.0 if lower is None else lower
        up = 100.0 if upper is None else upper
        if not up > lw:
            problems.append(Problem(
                name, first_row, "upper", f"{_num(up)} in series '{sid}', with lower {_num(lw)}",
                f"an upper bound above the lower bound ({a_kind} lies between them)"))
            return
        for r, v in values:
            if not lw <= v <= up:
                bad(r, f"{_num(v)} in series '{sid}', {a_kind} from {_num(lw)} to {_num(up)}",
                    f"a value from {_num(lw)} to {_num(up)}",
                    "or give the series its own lower and upper bounds")
    elif kind == "rank":
        if upper is None:
            problems.append(Problem(
                name, first_row, "upper", f"no upper bound for series '{sid}', a rank",
                "the number of ranked units N in 'upper' (ranks run from 1 to N)"))
            return
        if upper != int(upper) or upper < 2:
            problems.append(Problem(
                name, first_row, "upper", f"{_num(upper)} for series '{sid}', a rank",
                "a whole number of ranked units, at least 2"))
            return
        if lower is not None and lower != 1:
            problems.append(Problem(
                name, first_row, "lower", f"{_num(lower)} for series '{sid}', a rank",
                "an empty cell or 1 (ranks start at 1)"))
        for r, v in values:
            if v != int(v) or not 1 <= v <= upper:
                bad(r, f"{_num(v)} in series '{sid}', a rank among {_num(upper)}",
                    f"a whole rank from 1 to {_num(upper)}")
    else:
        for col, val in (("lower", lower), ("upper", upper)):
            if val is not None:
                what = a_kind if kind else "which has no kind"
                problems.append(Problem(
                    name, first_row, col, f"{_num(val)} for series '{sid}', {what}",
                    "bounds only for a share or index (and 'upper' for a rank)",
                    "set the kind, or leave the bounds empty"))
        if kind == "count":
            for r, v in values:
                if v != int(v) or v < 0:
                    bad(r, f"{_num(v)} in series '{sid}', a count", "a whole number, 0 or more")
        elif kind == "level":
            for r, v in values:
                if not v > 0:
                    bad(r, f"{_num(v)} in series '{sid}', a level",
                        "a positive number, as a level is forecast on the log scale",
                        "use kind 'count' for whole numbers that can be 0")
        elif values and min(v for _, v in values) == 0:
            r = next(r for r, v in values if v == 0)
            bad(r, f"0 in series '{sid}', which has no kind and no negative values",
                "a kind for a series with zeros: count for whole numbers, share or index for "
                "bounded values",
                "without a kind it is forecast on the raw scale, which can go below 0")


def finite_or_problem(table: pd.DataFrame, source: str | Path) -> None:
    """Refuse a forecast table with a value that is not finite where a forecast was made (an
    explosive series can overflow even within the accepted magnitudes). Raises
    DataValidationError naming the series and year."""
    num = [c for c in table.columns if c == "point" or c.startswith("q_")]
    made = table["h"].notna()
    bad = ~np.isfinite(table.loc[made, num].to_numpy(float))
    if not bad.any():
        return
    i = int(bad.any(axis=1).nonzero()[0][0])
    row = table.loc[made].iloc[i]
    raise DataValidationError([Problem(
        display_path(source), "", "value",
        f"series '{row['series_id']}' growing so fast that its forecast for {row['year']} "
        "overflows", "a series whose trend can be extrapolated",
        "forecast its growth rate instead, or shorten --horizon")])
