"""Load and validate the data files: the indicator catalogue, the target registry and the
observations.

Every loader reads the whole input, collects *every* problem it finds and raises one
:class:`~dxlib.errors.DataValidationError` listing them, each naming the file, the row (counting
the header as row 1, as a spreadsheet shows it) or YAML path, the column, what was found and what
was expected. Nothing is half-loaded: a loader either returns typed, tidy frames or raises.

Files
-----
``data/indicators.csv``
    one row per observed series: ``indicator, name_vi, name_en, unit, kind, lower, upper,
    higher_is_better, definition``.
``data/geos.csv`` (optional)
    ``geo, name_vi, name_en, level``.
``data/targets/*.yaml``
    the plan: ``plan``, optional ``departments``, ``pillars`` and ``targets`` (see data/README.md).
``data/observations/*.csv`` or ``*.xlsx``
    long format, one row per published value: ``geo, indicator, year, value, unit, source_url,
    source_title, published, quote, confidence`` and optional ``as_of``, ``note``. A column named
    ``value_vi`` instead of ``value`` declares Vietnamese number format ("1.234,5", "85,75%").
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from dxlib import paths
from dxlib.engine.forecast import KINDS  # one definition, shared with the engine
from dxlib.errors import DataValidationError, Problem, display_path

TARGET_KINDS: tuple[str, ...] = (*KINDS, "growth", "milestone")
CONFIDENCE: tuple[str, ...] = ("high", "medium", "low")
YEAR_RANGE: tuple[int, int] = (1990, 2100)

INDICATOR_COLUMNS: tuple[str, ...] = (
    "indicator", "name_vi", "name_en", "unit", "kind", "lower", "upper", "higher_is_better",
    "definition",
)
GEO_COLUMNS: tuple[str, ...] = ("geo", "name_vi", "name_en", "level")
OBSERVATION_COLUMNS: tuple[str, ...] = (
    "geo", "indicator", "year", "value", "unit", "source_url", "source_title", "published",
    "quote", "confidence",
)
OBSERVATION_OPTIONAL: tuple[str, ...] = ("as_of", "note")

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_C_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_VI_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")  # 3.000 or 1.234.567
_VI_NUMBER = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*(,\d+)?$|^[+-]?\d+(,\d+)?$")
_PUBLISHED = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


# --------------------------------------------------------------------------------------------
# Results


@dataclass
class TargetRegistry:
    """A plan: its header, pillars (in report order), owning departments and targets.

    ``targets`` has one row per target, in file order, indexed by ``target_id``; columns
    ``pillar, text_vi, text_en, kind, comparator, value, unit, deadline, indicator, geo, level,
    measure, base_year, numerator, denominator, proxy, proxy_vi, owner, evidence (tuple), note``.
    Absent optional values are ``None``/NaN. ``geo`` is the series' geography, filled with the
    plan's geography where a target does not name its own.
    """

    plan: dict[str, Any]
    pillars: pd.DataFrame
    departments: pd.DataFrame
    targets: pd.DataFrame
    path: Path | None = None

    @property
    def geo(self) -> str:
        return str(self.plan["geo"])


def series_indicators(target: Any) -> list[str]:
    """The indicator ids a target reads: its ``indicator``, or ``numerator`` and ``denominator``
    (a registry row as a dict or Series); empty for unmapped targets and milestones without one."""
    names = [target.get("indicator"), target.get("numerator"), target.get("denominator")]
    return [n for n in names if isinstance(n, str) and n]


def series_geo(target: Any, plan_geo: str, geo: str | None = None) -> str:
    """The geography whose series stands for a target: its own ``geo`` when it names one other
    than the plan's (a national proxy keeps it for every geography assessed), else ``geo`` (the
    geography asked for) or, without one, the plan's."""
    own = target["geo"]
    if geo is None or (isinstance(own, str) and own != plan_geo):
        return own
    return geo


@dataclass
class Dataset:
    """Everything an assessment needs, loaded and cross-checked together."""

    registry: TargetRegistry
    indicators: pd.DataFrame
    observations: pd.DataFrame
    geos: pd.DataFrame | None = None
    files: list[Path] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Reading raw files


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    name = display_path(path)
    if not path.exists():
        problems.append(Problem(name, "", "", "no such file", "an existing file"))
        return None
    raw = path.read_bytes()
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
        if not path.exists():
            problems.append(Problem(name, "", "", "no such file", "an existing file"))
            return None
        body = _read_workbook(path, name, problems)
        if body is None:
            return None
    else:
        text = _read_text(path, problems)
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
    """The data sheet of an .xlsx workbook (the first sheet whose first row names the
    'indicator' column) as a frame of strings with ``_row``. Excel stores a cell shown as
    "85.75%" as 0.8575: such percent-formatted number cells are rejected with a hint rather than
    read 100 times too small."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        problems.append(Problem(name, "", "", f"an unreadable workbook ({exc})", "an .xlsx workbook"))
        return None
    for ws in wb.worksheets:
        rows = list(ws.iter_rows())
        if not rows:
            continue
        header = [_header_name(_cell_text(c.value)) for c in rows[0]]
        if "indicator" not in header:
            continue
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
                rec[col] = _cell_text(cell.value)
            records.append(rec)
        if len(problems) > n_before:
            return None
        cols = [c for c in header if c]
        body = pd.DataFrame(records, columns=cols).fillna("")
        body["_row"] = range(2, len(body) + 2)
        return body
    problems.append(Problem(name, "", "", "no sheet with a header row naming 'indicator'",
                            "a sheet whose first row holds the column names"))
    return None


def _check_columns(
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


# --------------------------------------------------------------------------------------------
# Numbers


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
    if _VI_THOUSANDS.match(s):
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


def _optional_float(text: str) -> float | None:
    value, _ = parse_number(text) if text else (None, "")
    return value


# --------------------------------------------------------------------------------------------
# Catalogue and geographies


def load_indicators(path: str | Path | None = None) -> pd.DataFrame:
    """The indicator catalogue, indexed by ``indicator``.

    Columns: ``name_vi, name_en, unit, kind`` (str), ``lower, upper`` (float, NaN when unbounded),
    ``higher_is_better`` (bool), ``definition`` (str). Raises DataValidationError.
    """
    p = Path(path) if path is not None else paths.DEFAULT_INDICATORS
    problems: list[Problem] = []
    frame = read_table(p, problems)
    name = display_path(p)
    if frame is None or not _check_columns(frame, name, INDICATOR_COLUMNS, (), problems):
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
        records.append({
            "indicator": ind, "name_vi": row["name_vi"], "name_en": row["name_en"],
            "unit": row["unit"], "kind": kind,
            "lower": lo if lo is not None else math.nan,
            "upper": hi if hi is not None else math.nan,
            "higher_is_better": hib in _TRUE, "definition": row["definition"],
        })
    if not records and not problems:
        problems.append(Problem(name, "", "", "a header without rows", "at least one indicator"))
    if problems:
        raise DataValidationError(problems)
    out = pd.DataFrame.from_records(records).set_index("indicator")
    return out.astype({"lower": float, "upper": float, "higher_is_better": bool})


def load_geos(path: str | Path | None = None) -> pd.DataFrame | None:
    """The geography list (``geo`` -> ``name_vi, name_en, level``), or None when the default file
    does not exist."""
    p = Path(path) if path is not None else paths.DEFAULT_GEOS
    if path is None and not p.exists():
        return None
    problems: list[Problem] = []
    frame = read_table(p, problems)
    name = display_path(p)
    if frame is None or not _check_columns(frame, name, GEO_COLUMNS, (), problems):
        raise DataValidationError(problems)
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


# --------------------------------------------------------------------------------------------
# Target registry (YAML)


class StrictLoader(yaml.SafeLoader):
    """A safe loader that rejects duplicate keys and Vietnamese-style numbers such as 3.000
    (every YAML file of the project is read with it: registries, parameter files, manifests)."""


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False):
    keys: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key '{key}' appears twice in one mapping", key_node.start_mark)
        keys[key] = key_node
    return loader.construct_mapping(node, deep=deep)


def _construct_float(loader: StrictLoader, node: yaml.ScalarNode) -> float:
    if _VI_THOUSANDS.match(node.value):
        raise yaml.constructor.ConstructorError(
            None, None,
            f"{node.value} looks like Vietnamese thousands notation (the dot groups thousands); "
            f"write {node.value.replace('.', '')}", node.start_mark)
    return loader.construct_yaml_float(node)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def read_yaml(path: Path, problems: list[Problem]) -> tuple[Any, dict[tuple, int]]:
    """Safe-load a YAML file; also return the line number (1-based) of every key path."""
    text = _read_text(path, problems)
    if text is None:
        return None, {}
    name = display_path(path)
    try:
        node = yaml.compose(text, Loader=StrictLoader)
        data = yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.append(Problem(name, where, "", f"invalid YAML ({exc.problem or exc.context})",
                                "a well-formed YAML document"))
        return None, {}
    except yaml.YAMLError as exc:
        problems.append(Problem(name, "", "", f"invalid YAML ({exc})", "a well-formed YAML document"))
        return None, {}
    lines: dict[tuple, int] = {}

    def walk(n: yaml.Node | None, here: tuple) -> None:
        if n is None:
            return
        lines[here] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                key = (*here, k.value)
                lines[key] = k.start_mark.line + 1
                walk(v, key)
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                walk(v, (*here, i))

    walk(node, ())
    return data, lines


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


class _Source(_Strict):
    url: str | None = None
    title: str | None = None
    note: str | None = None


class _PlanHeader(_Strict):
    id: str
    title_vi: str
    title_en: str
    geo: str
    issued: date | str
    deadline: int
    source: _Source | str


class _Pillar(_Strict):
    id: str
    name_vi: str
    name_en: str


class _Department(_Strict):
    id: str
    name_vi: str
    name_en: str


class _Target(_Strict):
    id: str
    pillar: str
    text_vi: str
    text_en: str
    kind: Literal["share", "level", "count", "rank", "index", "growth", "milestone"]
    comparator: Literal[">=", ">", "<=", "<"] | None = None
    value: float | None = None
    unit: str | None = None
    deadline: int
    indicator: str | None = None
    level: Literal["province", "district", "commune"] | None = None
    measure: Literal["yoy", "cagr"] | None = None
    base_year: int | None = None
    numerator: str | None = None
    denominator: str | None = None
    geo: str | None = None
    proxy: str | None = None
    proxy_vi: str | None = None
    owner: str | None = None
    evidence: list[str] = []
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> _Target:
        errors = []
        if self.kind == "milestone":
            if self.comparator is not None:
                errors.append(("comparator", "no comparator: a milestone is not scored as a number"))
            if self.value is not None:
                errors.append(("value", "no value: a milestone is not scored as a number"))
        else:
            if self.comparator is None:
                errors.append(("comparator", "one of >=, >, <=, < for a numeric target"))
            if self.value is None:
                errors.append(("value", "a number for a numeric target"))
        if self.kind == "growth" and self.measure is None:
            errors.append(("measure", "yoy or cagr for a growth target"))
        if self.measure is not None and self.kind != "growth":
            errors.append(("measure", "no measure: only growth targets have one"))
        if self.measure == "cagr" and self.base_year is None:
            errors.append(("base_year", "the base year of the average growth (measure: cagr)"))
        if self.base_year is not None and self.base_year >= self.deadline:
            errors.append(("base_year", f"a year before the deadline {self.deadline}"))
        if (self.numerator is None) != (self.denominator is None):
            errors.append(("denominator" if self.denominator is None else "numerator",
                           "both numerator and denominator, or neither"))
        if self.numerator is not None and self.indicator is not None:
            errors.append(("indicator", "either indicator or numerator/denominator, not both"))
        if errors:
            raise _TargetRuleError(errors)
        return self


class _TargetRuleError(ValueError):
    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors))


class _Registry(_Strict):
    plan: _PlanHeader
    departments: list[_Department] = []
    pillars: list[_Pillar]
    targets: list[_Target]


def _yaml_where(loc: Sequence[Any], data: Any, lines: dict[tuple, int]) -> tuple[str, str]:
    """Pydantic's error location -> ("targets[3] (ECO-3), line 40", "comparator")."""
    loc = tuple(x for x in loc if not (isinstance(x, str) and x.startswith("function-")))
    column = ""
    container = loc
    if loc and isinstance(loc[-1], str):
        container, column = loc[:-1], str(loc[-1])
    parts: list[str] = []
    node = data
    for x in container:
        if isinstance(x, int):
            parts[-1] = f"{parts[-1]}[{x}]" if parts else f"[{x}]"
        else:
            parts.append(str(x))
        try:
            node = node[x]
        except (KeyError, IndexError, TypeError):
            node = None
    where = ".".join(parts) or "top level"
    if isinstance(node, dict) and node.get("id") is not None and column != "id":
        where += f" ({node['id']})"
    line = lines.get(loc) or lines.get(container)
    if line:
        where += f", line {line}"
    return where, column


def _pydantic_problems(exc: ValidationError, name: str, data: Any,
                       lines: dict[tuple, int]) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        kind = err["type"]
        ctx = err.get("ctx") or {}
        if kind == "value_error" and isinstance(ctx.get("error"), _TargetRuleError):
            for key, expected in ctx["error"].errors:
                where, _ = _yaml_where((*loc, key), data, lines)
                node = data
                for x in loc:
                    node = node[x]
                found = repr(node.get(key)) if isinstance(node, dict) and key in node else "nothing"
                out.append(Problem(name, where, key, found, expected))
            continue
        where, column = _yaml_where(loc, data, lines)
        found = repr(err.get("input"))
        if len(found) > 60:
            found = found[:57] + "..."
        if kind == "missing":
            found, expected = "nothing", "a value (this key is required)"
        elif kind == "extra_forbidden":
            fields = _fields_for(loc[:-1])
            close = difflib.get_close_matches(column, fields, n=1)
            found = "an unknown key"
            expected = "one of " + ", ".join(fields) if fields else "no such key"
            if close:
                expected += f" (did you mean '{close[0]}'?)"
        elif kind == "literal_error":
            expected = "one of " + str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        elif kind in _PYDANTIC_EXPECTED:
            expected = _PYDANTIC_EXPECTED[kind]
        else:
            expected = err["msg"][0].lower() + err["msg"][1:]
            expected = expected.replace("input should be ", "").replace("valid ", "")
        out.append(Problem(name, where, column, found, expected))
    return out


_PYDANTIC_EXPECTED = {
    "int_parsing": "a whole number such as 2025", "int_type": "a whole number such as 2025",
    "int_from_float": "a whole number such as 2025",
    "float_parsing": "a number", "float_type": "a number", "string_type": "text",
    "list_type": "a list", "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)", "date_parsing": "a date YYYY-MM-DD",
    "date_from_datetime_parsing": "a date YYYY-MM-DD", "bool_parsing": "true or false",
}


def _fields_for(loc: Sequence[Any]) -> list[str]:
    model: type[BaseModel] = _Registry
    for x in loc:
        if isinstance(x, int):
            continue
        info = model.model_fields.get(str(x))
        if info is None:
            return []
        ann = info.annotation
        inner = getattr(ann, "__args__", (ann,))
        nxt = next((a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if nxt is None:
            return []
        model = nxt
    return list(model.model_fields)


def load_targets(
    path: str | Path | None = None,
    indicators: pd.DataFrame | None = None,
    geos: pd.DataFrame | None = None,
) -> TargetRegistry:
    """The target registry of one plan. With ``indicators`` (and ``geos``), every id a target
    names is checked against them. Raises DataValidationError listing every problem."""
    p = Path(path) if path is not None else paths.DEFAULT_TARGETS
    name = display_path(p)
    problems: list[Problem] = []
    data, lines = read_yaml(p, problems)
    if problems:
        raise DataValidationError(problems)
    if not isinstance(data, dict):
        raise DataValidationError([Problem(name, "top level", "", type(data).__name__,
                                           "a mapping with the keys plan, pillars, targets")])
    try:
        reg = _Registry.model_validate(data)
    except ValidationError as exc:
        raise DataValidationError(_pydantic_problems(exc, name, data, lines)) from None

    def where(i: int, key: str = "") -> str:
        w, _ = _yaml_where(("targets", i, key) if key else ("targets", i), data, lines)
        return w

    pillar_ids = [pl.id for pl in reg.pillars]
    for i, pl in enumerate(reg.pillars):
        if pillar_ids.index(pl.id) != i:
            problems.append(Problem(name, f"pillars[{i}]", "id", f"'{pl.id}' again", "a unique id"))
    dept_ids = {d.id for d in reg.departments}
    seen: dict[str, int] = {}
    for i, t in enumerate(reg.targets):
        if t.id in seen:
            problems.append(Problem(name, where(i, "id"), "id", f"'{t.id}' again",
                                    f"a unique target id (first used by targets[{seen[t.id]}])"))
        seen.setdefault(t.id, i)
        if t.pillar not in pillar_ids:
            close = difflib.get_close_matches(t.pillar, pillar_ids, n=1)
            problems.append(Problem(name, where(i, "pillar"), "pillar", repr(t.pillar),
                                    "one of the pillars: " + ", ".join(pillar_ids),
                                    f"did you mean '{close[0]}'?" if close else ""))
        if t.owner is not None and reg.departments and t.owner not in dept_ids:
            problems.append(Problem(name, where(i, "owner"), "owner", repr(t.owner),
                                    "a department id from departments: " + ", ".join(sorted(dept_ids))))
        if indicators is not None:
            for key in ("indicator", "numerator", "denominator"):
                ind = getattr(t, key)
                if ind is not None and ind not in indicators.index:
                    close = difflib.get_close_matches(ind, list(indicators.index), n=1)
                    problems.append(Problem(name, where(i, key), key, repr(ind),
                                            "an indicator of the catalogue",
                                            f"did you mean '{close[0]}'?" if close else ""))
            for j, ind in enumerate(t.evidence):
                if ind not in indicators.index:
                    problems.append(Problem(name, where(i, "evidence") + f"[{j}]", "evidence",
                                            repr(ind), "an indicator of the catalogue"))
            _check_kind(t, indicators, name, where(i, "kind"), problems)
        if geos is not None and t.geo is not None and t.geo not in geos.index:
            problems.append(Problem(name, where(i, "geo"), "geo", repr(t.geo),
                                    "a geo id of data/geos.csv"))
    if geos is not None and reg.plan.geo not in geos.index:
        problems.append(Problem(name, "plan", "geo", repr(reg.plan.geo), "a geo id of data/geos.csv"))
    if not reg.targets:
        problems.append(Problem(name, "targets", "", "an empty list", "at least one target"))
    if problems:
        raise DataValidationError(problems)

    plan = reg.plan.model_dump()
    if isinstance(reg.plan.source, _Source):
        plan["source"] = reg.plan.source.model_dump(exclude_none=True)
    rows = []
    for t in reg.targets:
        d = t.model_dump()
        d["target_id"] = d.pop("id")
        d["geo"] = t.geo or reg.plan.geo
        d["evidence"] = tuple(t.evidence)
        rows.append(d)
    targets = pd.DataFrame.from_records(rows).set_index("target_id")
    targets = targets.astype({"value": float, "deadline": int})
    pillars = pd.DataFrame([pl.model_dump() for pl in reg.pillars]).set_index("id")
    departments = (pd.DataFrame([d.model_dump() for d in reg.departments]).set_index("id")
                   if reg.departments else pd.DataFrame(columns=["name_vi", "name_en"]))
    return TargetRegistry(plan=plan, pillars=pillars, departments=departments,
                          targets=targets, path=p)


def _check_kind(t: _Target, indicators: pd.DataFrame, name: str, where: str,
                problems: list[Problem]) -> None:
    """The target's kind must suit its series; its value must lie inside the series' bounds."""
    if t.indicator is None or t.indicator not in indicators.index or t.kind == "milestone":
        return
    ind = indicators.loc[t.indicator]
    if t.kind == "growth":
        if ind["kind"] not in ("level", "count"):
            problems.append(Problem(name, where, "kind", f"growth of a {ind['kind']} series "
                                    f"('{t.indicator}')", "a level or count series for a growth target"))
        return
    if ind["kind"] != t.kind:
        problems.append(Problem(name, where, "kind", repr(t.kind),
                                f"'{ind['kind']}', the kind of its indicator '{t.indicator}'"))
        return
    lo, hi = ind["lower"], ind["upper"]
    if t.value is not None and ((not math.isnan(lo) and t.value < lo)
                                or (not math.isnan(hi) and t.value > hi)):
        problems.append(Problem(name, where, "value", repr(t.value),
                                f"a value within the bounds of '{t.indicator}' ({lo:g} to {hi:g})"))


# --------------------------------------------------------------------------------------------
# Observations


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
    against its series' bounds; with ``geos`` every geo must be known.
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
    if not _check_columns(frame, name, OBSERVATION_COLUMNS, OBSERVATION_OPTIONAL, problems,
                          alternatives={"value_vi": "value"}):
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
    if row["confidence"] not in CONFIDENCE:
        problems.append(Problem(name, where, "confidence", repr(row["confidence"]),
                                "one of high, medium, low"))
    if row["published"] and not _PUBLISHED.match(row["published"]):
        problems.append(Problem(name, where, "published", repr(row["published"]),
                                "a date YYYY-MM-DD, YYYY-MM or YYYY (or an empty cell)"))
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
        "as_of": as_of, "note": row["note"], "source_file": name, "source_row": row["_row"],
    }


def _check_duplicates(obs: pd.DataFrame, problems: list[Problem]) -> None:
    key = ["geo", "indicator", "year", "as_of"]
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


# --------------------------------------------------------------------------------------------
# Everything together


def load_dataset(
    targets: str | Path | None = None,
    observations: str | Path | Iterable[str | Path] | None = None,
    indicators: str | Path | None = None,
    geos: str | Path | None = None,
) -> Dataset:
    """Load and cross-check the catalogue, geographies, registry and observations; defaults are
    the shipped files. All problems of all files are reported together."""
    problems: list[Problem] = []

    def attempt(fn, *args):
        try:
            return fn(*args)
        except DataValidationError as exc:
            problems.extend(exc.problems)
            return None

    ind = attempt(load_indicators, indicators)
    geo = attempt(load_geos, geos)
    reg = attempt(load_targets, targets, ind, geo)
    obs = attempt(load_observations, observations, ind, geo)
    if problems:
        raise DataValidationError(problems)
    files = [reg.path] if reg.path else []
    files += sorted({paths.resolve(f) for f in obs["source_file"]})
    return Dataset(registry=reg, indicators=ind, observations=obs, geos=geo, files=files)
