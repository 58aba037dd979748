"""The target registry: one plan's YAML file (``plan``, optional ``departments``, ``pillars``,
``targets``; see data/README.md) validated by pydantic models and cross-checked against the
indicator catalogue and the geographies, as a :class:`~dxlib.model.TargetRegistry`."""

from __future__ import annotations

import difflib
import math
import unicodedata
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from dxlib import paths
from dxlib.data.observations import YEAR_RANGE
from dxlib.data.schema import RuleError, StrictModel, pydantic_problems, yaml_where
from dxlib.data.yamlio import read_yaml
from dxlib.errors import DataValidationError, Problem, display_path
from dxlib.model import KINDS, TargetRegistry

#: the kinds a target may have: a series kind, a growth rate or a qualitative milestone
TARGET_KINDS: tuple[str, ...] = (*KINDS, "growth", "milestone")


def _not_boolean(what: str):
    """A validator refusing YAML's true/false/yes/no (booleans, which pydantic would take as 1
    and 0) where ``what`` (e.g. "a year such as 2025") is expected."""

    def check(value: Any) -> Any:
        if isinstance(value, bool):
            raise PydanticCustomError("bool_not_number", "{what}, not true or false",
                                      {"what": what})
        return value

    return check


def _year_in_range(year: int) -> int:
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise PydanticCustomError("year_range", "a year from {lo} to {hi}",
                                  {"lo": YEAR_RANGE[0], "hi": YEAR_RANGE[1]})
    return year


#: a year of the plan (deadline, base year): a whole number from 1990 to 2100, not a boolean
_Year = Annotated[int, BeforeValidator(_not_boolean("a year such as 2025")),
                  AfterValidator(_year_in_range)]
#: a target value: a finite number (not .nan or .inf), not a boolean
_Value = Annotated[float, BeforeValidator(_not_boolean("a number")),
                   Field(allow_inf_nan=False)]


def _nfc(data: Any) -> Any:
    """Every text of a loaded YAML document in Unicode normal form C, so that an id typed with
    combining accents (NFD, as some editors and macOS file names write 'kinh_tế') is the same id
    as the one typed precomposed."""
    if isinstance(data, str):
        return unicodedata.normalize("NFC", data)
    if isinstance(data, dict):
        return {_nfc(k): _nfc(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_nfc(v) for v in data]
    return data


class _Source(StrictModel):
    url: str | None = None
    title: str | None = None
    note: str | None = None


class _PlanHeader(StrictModel):
    id: str
    title_vi: str
    title_en: str
    geo: str
    issued: date | str
    deadline: _Year
    source: _Source | str


class _Pillar(StrictModel):
    id: str
    name_vi: str
    name_en: str


class _Department(StrictModel):
    id: str
    name_vi: str
    name_en: str


class _Target(StrictModel):
    id: str
    pillar: str
    text_vi: str
    text_en: str
    kind: Literal["share", "level", "count", "rank", "index", "growth", "milestone"]
    comparator: Literal[">=", ">", "<=", "<"] | None = None
    value: _Value | None = None
    unit: str | None = None
    deadline: _Year
    indicator: str | None = None
    level: Literal["province", "district", "commune"] | None = None
    measure: Literal["yoy", "cagr"] | None = None
    base_year: _Year | None = None
    numerator: str | None = None
    denominator: str | None = None
    geo: str | None = None
    proxy: str | None = None
    proxy_vi: str | None = None
    grade: Literal["direct", "proxy_geography", "proxy_measure"] | None = None
    own_indicator: str | None = None
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
        if self.numerator is not None and self.numerator == self.denominator:
            errors.append(("denominator", "a series other than the numerator (a series divided "
                                          "by itself is always 1)"))
        if self.value is not None:
            if self.kind == "count" and not (self.value.is_integer() and self.value >= 0):
                errors.append(("value", "a whole number of 0 or more: a count target counts "
                                        "whole units"))
            if self.kind == "rank" and not (self.value.is_integer() and self.value >= 1):
                errors.append(("value", "a whole rank of 1 or more, such as 20"))
            if self.kind == "share" and self.indicator is None and self.unit == "%" \
                    and not 0 <= self.value <= 100:  # (with an indicator: its bounds)
                errors.append(("value", "a percentage from 0 to 100"))
        if self.grade == "proxy_measure" and self.proxy is None:
            errors.append(("proxy", "the words saying how the stand-in measure differs "
                           "(grade: proxy_measure)"))
        if self.own_indicator is not None and self.indicator is None:
            errors.append(("own_indicator", "no own_indicator without a stand-in indicator: "
                           "name the plan's own measure as indicator"))
        if errors:
            raise RuleError(errors)
        return self



class _Registry(StrictModel):
    plan: _PlanHeader
    departments: list[_Department] = []
    pillars: list[_Pillar]
    targets: list[_Target]



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
    raw, data = data, _nfc(data)
    try:
        reg = _Registry.model_validate(data)
    except ValidationError as exc:
        raise DataValidationError(pydantic_problems(exc, name, data, lines, _Registry)) from None

    def where(i: int, key: str = "") -> str:
        w, _ = yaml_where(("targets", i, key) if key else ("targets", i), data, lines)
        return w

    pillar_ids = [pl.id for pl in reg.pillars]
    for i, pl in enumerate(reg.pillars):
        first = pillar_ids.index(pl.id)
        if first != i:
            ids = [x.get("id") if isinstance(x, dict) else None for x in raw["pillars"]]
            hint = (f"pillars[{first}] has the same id written with other Unicode code points "
                    "(precomposed or combining accents); both read as one id"
                    if ids[first] != ids[i] else "")
            problems.append(Problem(name, f"pillars[{i}]", "id", f"'{pl.id}' again", "a unique id",
                                    hint))
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
                                    "one of the pillars: " + ", ".join(dict.fromkeys(pillar_ids)),
                                    f"did you mean '{close[0]}'?" if close else ""))
        if t.owner is not None and reg.departments and t.owner not in dept_ids:
            problems.append(Problem(name, where(i, "owner"), "owner", repr(t.owner),
                                    "a department id from departments: " + ", ".join(sorted(dept_ids))))
        if indicators is not None:
            for key in ("indicator", "numerator", "denominator", "own_indicator"):
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
        if t.grade == "direct" and t.geo is not None and t.geo != reg.plan.geo:
            problems.append(Problem(name, where(i, "grade"), "grade", "'direct'",
                                    f"proxy_geography or proxy_measure: the series is for "
                                    f"'{t.geo}', not the plan's geography '{reg.plan.geo}'"))
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

