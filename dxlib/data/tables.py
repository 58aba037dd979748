"""Reading tables and numbers as written in the data files: CSV (UTF-8) and .xlsx files as frames
of stripped strings with spreadsheet row numbers, bilingual header names ("Năm | year"), the
column check, and number parsing in C or Vietnamese notation. Problems are appended to a list
(:class:`~dxlib.errors.Problem`), never raised, so a loader can report all of them at once."""

from __future__ import annotations

import csv
import difflib
import errno
import io
import math
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from dxlib.errors import Problem, display_path

_C_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
#: Vietnamese thousands notation such as 3.000 or 1.234.567 (read as 3 or 1.234 in C notation)
VI_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")
_VI_NUMBER = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*(,\d+)?$|^[+-]?\d+(,\d+)?$")


#: the largest data file read (bytes): a table of 224k observation rows is about 60 MB
MAX_TABLE_BYTES: int = 256 * 2**20


def _size(n: int) -> str:
    """A byte count as people read it (KB, MB), for messages."""
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def check_file(path: Path, problems: list[Problem], max_bytes: int = MAX_TABLE_BYTES) -> bool:
    """True when ``path`` is a regular, readable file of at most ``max_bytes``; otherwise append
    one problem saying what is there instead (nothing, a folder, a symbolic link loop or a link
    to nothing, a device or pipe, a file too large or not readable) and return False."""
    name = display_path(path)

    def refuse(found: str, expected: str = "an existing file", hint: str = "") -> bool:
        problems.append(Problem(name, "", "", found, expected, hint))
        return False

    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            return refuse(f"a symbolic link to a missing file ({os.readlink(path)})")
        return refuse("no such file")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return refuse("a symbolic link loop (the link leads back to itself)",
                          "a file, or a link to one")
        if exc.errno == errno.ENOTDIR:
            return refuse("no such file (a part of the path is a file, not a folder)")
        return refuse(f"a path that cannot be read ({exc.strerror})", "a readable file")
    if stat.S_ISDIR(st.st_mode):
        return refuse("a folder", "a file (give the path of a file inside the folder)")
    if not stat.S_ISREG(st.st_mode):
        return refuse("a special file (a device, pipe or socket)", "a regular file")
    if st.st_size > max_bytes:
        return refuse(f"a file of {_size(st.st_size)}", f"a file of at most {_size(max_bytes)}")
    if not os.access(path, os.R_OK):
        return refuse("a file that cannot be read (permission denied)", "a readable file")
    return True


def read_text(path: Path, problems: list[Problem], max_bytes: int = MAX_TABLE_BYTES) -> str | None:
    """The text of a UTF-8 file (a byte-order mark is dropped), or None after appending one
    problem when the path is not a readable file of at most ``max_bytes`` (:func:`check_file`),
    is not UTF-8 or is empty."""
    name = display_path(path)
    if not check_file(path, problems, max_bytes):
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:  # e.g. removed or made unreadable between the check and the read
        problems.append(Problem(name, "", "", f"a file that cannot be read ({exc.strerror})",
                                "a readable file"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(
            name, f"byte {exc.start}", "", f"byte 0x{raw[exc.start]:02x}, which is not UTF-8",
            "a UTF-8 text file", "save the file as 'CSV UTF-8' / UTF-8 in your editor",
        ))
        return None
    if not text.strip():
        problems.append(Problem(name, "", "", "an empty file", "a header row and data"))
        return None
    return text


def _header_name(cell: str) -> str:
    """Bilingual template headers read "Năm | year": the column name is after the last '|'."""
    return cell.rsplit("|", 1)[-1].strip()


def read_table(path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    """A CSV (UTF-8) or .xlsx file as a frame of stripped strings ('' for blanks).

    The frame gets a ``_row`` column with the spreadsheet row number (header = row 1).
    """
    name = display_path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if not check_file(path, problems):
            return None
        body = _read_workbook(path, name, problems)
        if body is None:
            return None
    else:
        text = read_text(path, problems)
        if text is None:
            return None
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            rows = list(reader)
        except csv.Error as exc:
            problems.append(Problem(name, f"row {reader.line_num}", "", f"malformed CSV ({exc})",
                                    "comma-separated values with quoted fields"))
            return None
        header, data = rows[0], rows[1:]
        width_problems = [
            Problem(name, f"row {i}", "", f"{len(r)} fields",
                    f"{len(header)} fields, as many as the header (quote values with commas)")
            for i, r in enumerate(data, start=2) if r and len(r) != len(header)]
        if width_problems:
            problems.extend(width_problems[:20])
            return None
        body = pd.DataFrame([r if r else [""] * len(header) for r in data],
                            columns=header, dtype=str)
        body.columns = [_header_name(c) for c in body.columns]
        body["_row"] = range(2, len(body) + 2)
    cols = [c for c in body.columns if c != "_row"]
    repeated = sorted({c for c in cols if cols.count(c) > 1})
    if repeated:
        problems.append(Problem(name, "row 1", repeated[0], "a repeated column", "each column once"))
        return None
    for col in cols:
        body[col] = body[col].astype(str).str.strip()
    # Fully blank lines are not rows.
    data_cols = [c for c in body.columns if c != "_row"]
    blank = (body[data_cols] == "").all(axis=1) if data_cols else pd.Series(False, body.index)
    return body.loc[~blank].reset_index(drop=True)


def _cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV would hold: whole numbers without ".0", dates as
    YYYY-MM-DD, blanks as ''."""
    import datetime as _dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _read_workbook(path: Path, name: str, problems: list[Problem]) -> pd.DataFrame | None:
    """The data sheet of an .xlsx workbook as a frame of strings with ``_row``.

    The data sheet is the sheet whose first row names the columns ``indicator`` and ``year`` (or
    ``value``); a workbook with two such sheets is refused (naming them) rather than one of them
    silently ignored. Without one, the first sheet naming ``indicator`` is read (its missing
    columns are then reported). Excel stores a cell shown as "85.75%" as 0.8575: such
    percent-formatted number cells are rejected with a hint rather than read 100 times too
    small; a formula whose result the file does not store is reported as a formula."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        problems.append(Problem(name, "", "", f"an unreadable workbook ({exc})", "an .xlsx workbook"))
        return None
    candidates = []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows())
        header = [_header_name(_cell_text(c.value)) for c in rows[0]] if rows else []
        if "indicator" in header:
            candidates.append((ws, rows, header))
    if not candidates:
        problems.append(Problem(name, "", "", "no sheet with a header row naming 'indicator'",
                                "a sheet whose first row holds the column names"))
        return None
    data = [c for c in candidates if {"year", "value", "value_vi"} & set(c[2])]
    if len(data) > 1:
        problems.append(Problem(
            name, "", "", f"data on {len(data)} sheets ("
            + ", ".join(repr(ws.title) for ws, _, _ in data) + ")",
            "one sheet of observations (a first row naming indicator, year and value)",
            "move all rows to one sheet, or save each sheet as a file of its own"))
        return None
    ws, rows, header = data[0] if data else candidates[0]
    formulas: Any = None
    records = []
    n_before = len(problems)
    for cells in rows[1:]:
        rec = {}
        for col, cell in zip(header, cells, strict=False):
            if not col:
                continue
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool) \
                    and "%" in (cell.number_format or ""):
                problems.append(Problem(
                    name, f"row {cell.row}", col, f"a cell formatted as a percentage "
                    f"(shown {cell.value * 100:g}%, stored {cell.value:g})",
                    "the number as it is written in the source",
                    f"type {cell.value * 100:g} in a cell formatted as a number or text; "
                    "the unit column carries the %"))
            if cell.value is None:
                if formulas is None:  # read the formulas only when a cell shows nothing
                    formulas = load_workbook(path, data_only=False)[ws.title]
                formula = formulas.cell(row=cell.row, column=cell.column).value
                formula = getattr(formula, "text", formula)  # an array formula
                if isinstance(formula, str) and formula.startswith("="):
                    shown = formula if len(formula) <= 40 else formula[:37] + "..."
                    problems.append(Problem(
                        name, f"row {cell.row}", col,
                        f"a formula ({shown}) whose result the file does not store",
                        "the value itself",
                        "type the number, or open and save the workbook in Excel so that it "
                        "stores the result"))
            rec[col] = _cell_text(cell.value)
        records.append(rec)
    if len(problems) > n_before:
        return None
    cols = [c for c in header if c]
    body = pd.DataFrame(records, columns=cols).fillna("")
    body["_row"] = range(2, len(body) + 2)
    return body


def check_columns(
    frame: pd.DataFrame, file: str, required: Sequence[str], optional: Sequence[str],
    problems: list[Problem], alternatives: dict[str, str] | None = None,
) -> bool:
    """Missing and unknown columns; ``alternatives`` maps an accepted alias to the column it
    replaces (``value_vi`` for ``value``). True when the required columns are all there."""
    alternatives = alternatives or {}
    cols = [c for c in frame.columns if c != "_row"]
    known = set(required) | set(optional) | set(alternatives)
    ok = True
    for col in required:
        if col not in cols and not any(alt in cols for alt, r in alternatives.items() if r == col):
            problems.append(Problem(file, "row 1", col, "no such column",
                                    f"the column '{col}'"))
            ok = False
    for col in cols:
        if col not in known:
            close = difflib.get_close_matches(col, sorted(known), n=1)
            hint = f"did you mean '{close[0]}'?" if close else ""
            problems.append(Problem(file, "row 1", col, "an unknown column",
                                    f"only the columns {', '.join(sorted(known))}", hint))
    return ok



def parse_number(text: str, locale: Literal["c", "vi"] = "c") -> tuple[float | None, str]:
    """Parse one number as written in a data file.

    ``locale='c'``: a dot is the decimal separator and there is no thousands separator
    ("85.75", "216943", "1e3"). Vietnamese-looking input ("85,75", "1.234,5", "3.000") is rejected
    with a hint instead of being misread (3.000 is three thousand in Vietnamese notation).
    ``locale='vi'``: a dot groups thousands and a comma is the decimal separator; a trailing
    ``%`` is allowed ("85,75%" -> 85.75, "1.234,5" -> 1234.5, "3.000" -> 3000).

    Returns ``(value, hint)``: value is None when the text is not a number, and hint then says why.
    """
    s = text.replace("\u00a0", "").replace(" ", "")
    if locale == "vi":
        if s.endswith("%"):
            s = s[:-1]
        if not _VI_NUMBER.match(s):
            return None, "Vietnamese format: dot groups thousands, comma for decimals, e.g. 1.234,5"
        return float(s.replace(".", "").replace(",", ".")), ""
    if VI_THOUSANDS.match(s):
        return None, (f"'{text}' looks like Vietnamese thousands notation; write "
                      f"{s.replace('.', '')} (or rename the column value_vi to declare the format)")
    if "," in s:
        return None, ("a comma is not a decimal separator here: write 85.75, or rename the column "
                      "value_vi to declare Vietnamese format")
    if s.endswith("%"):
        return None, "write the number without '%'; the unit column carries the unit"
    if not _C_NUMBER.match(s):
        return None, ""
    value = float(s)
    if not math.isfinite(value):
        return None, ""
    return value, ""
