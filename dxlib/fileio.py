"""File input and output for the command line: reading user tables with clear errors, and
writing results atomically (a temporary name in the same folder, then a rename)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from dxlib.data import KINDS, parse_number, read_table
from dxlib.errors import DataValidationError, Problem, display_path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file in ``path``'s folder, then ``os.replace`` it into place:
    readers see the old file or the new one, never half of it (also after Ctrl-C). The file gets
    the usual permissions (0666 less the umask), not mkstemp's 0600: outputs are meant to be
    shared."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_csv_atomic(frame: pd.DataFrame, path: str | Path) -> None:
    """A frame as UTF-8 CSV without the index, written atomically."""
    atomic_write_bytes(path, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def read_forecast_input(path: str | Path) -> pd.DataFrame:
    """The ``dx forecast`` input: ``series_id, year, value`` and optional ``kind, lower, upper``;
    other columns are ignored. Raises DataValidationError naming file, row and column."""
    path = Path(path)
    name = display_path(path)
    problems: list[Problem] = []
    frame = read_table(path, problems)
    if frame is None:
        raise DataValidationError(problems)
    for col in ("series_id", "year", "value"):
        if col not in frame.columns:
            problems.append(Problem(name, "row 1", col, "no such column", f"the column '{col}'"))
    if problems:
        raise DataValidationError(problems)
    out = {"series_id": [], "year": [], "value": []}
    opt = [c for c in ("kind", "lower", "upper") if c in frame.columns]
    for c in opt:
        out[c] = []
    for row in frame.to_dict("records"):
        where = f"row {row['_row']}"
        if not row["series_id"]:
            problems.append(Problem(name, where, "series_id", "an empty cell", "a series id"))
        try:
            year = int(row["year"])
        except ValueError:
            problems.append(Problem(name, where, "year", repr(row["year"]), "a whole year"))
            year = 0
        value, hint = parse_number(row["value"])
        if value is None:
            problems.append(Problem(name, where, "value", repr(row["value"]), "a number", hint))
        out["series_id"].append(row["series_id"])
        out["year"].append(year)
        out["value"].append(value)
        if "kind" in opt:
            if row["kind"] and row["kind"] not in KINDS:
                problems.append(Problem(name, where, "kind", repr(row["kind"]),
                                        "one of " + ", ".join(KINDS) + " or empty"))
            out["kind"].append(row["kind"] or None)
        for c in ("lower", "upper"):
            if c in opt:
                v, h = parse_number(row[c]) if row[c] else (None, "")
                if row[c] and v is None:
                    problems.append(Problem(name, where, c, repr(row[c]), "a number or empty", h))
                out[c].append(v)
    if problems:
        raise DataValidationError(problems)
    return pd.DataFrame(out)
