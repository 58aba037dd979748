"""The manifest's schema: pydantic models (``extra="forbid"``) of ``defaults:`` and ``reports:``,
the slug rules, and the mapping of validation errors to one problem per place, each with the
manifest's line (:class:`Problems`). :mod:`dxlib.batch.manifest` loads and layers with them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictStr, ValidationError

from dxlib.batch.execute import DEFAULT_KERNEL
from dxlib.batch.kernels import DEFAULT_KERNELS
from dxlib.batch.nbtools import suggest
from dxlib.errors import ParameterError, Problem, display_path

#: Per-cell timeout (seconds) when the manifest and the caller give none.
DEFAULT_TIMEOUT = 600
#: Longest slug; longer ones are cut and end with a hash of the full slug.
MAX_SLUG = 120
#: Slugs that would collide with the batch's own files.
RESERVED_SLUGS = frozenset({"index", "run"})
SLUG_OK = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PATH_LIKE = re.compile(r"[/\\]|\.\.|^[.~]")
NOTEBOOK_EXPECTED = "a notebook stem under notebooks/ or a path to a .ipynb file"


# --------------------------------------------------------------------------------------------
# Schema


def _one_or_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


_Files = Annotated[list[StrictStr], BeforeValidator(_one_or_list)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Defaults(_Model):
    """``defaults:`` of a manifest."""

    kernel: Annotated[StrictStr, Field(min_length=1)] = DEFAULT_KERNEL
    kernels: Literal["fresh", "warm"] = DEFAULT_KERNELS
    # whole seconds, as `dx reports --timeout` and nbclient take them (30.5 would fail every run)
    timeout: Annotated[int, Field(ge=1, le=86400, strict=True)] | None = DEFAULT_TIMEOUT
    params: _Files = []


_Text = StrictStr | dict[StrictStr, StrictStr]


class IndexEntry(_Model):
    """``index:`` of a report entry (how ``index.html`` lists its runs)."""

    group: _Text | None = None
    title: _Text | None = None
    order: Annotated[float, Field(strict=True)] | None = None
    start: Annotated[bool, Field(strict=True)] = False


class Entry(_Model):
    """One item of ``reports:``."""

    notebook: Annotated[StrictStr, Field(min_length=1)]
    params: _Files | None = None
    set: dict[StrictStr, Any] | None = None
    grid: dict[StrictStr, Annotated[list[Any], Field(min_length=1)]] | None = None
    slug: StrictStr | None = None
    index: IndexEntry | None = None


class Manifest(_Model):
    """A whole manifest."""

    defaults: Defaults | None = None
    reports: Annotated[list[Entry], Field(min_length=1)]


#: What is expected at a place of the manifest (ints stand for any index, "*" for any key).
EXPECTED: dict[tuple, str] = {
    (): "a mapping with 'reports' (and 'defaults')",
    ("defaults",): "a mapping",
    ("defaults", "kernel"): "a kernel name (text)",
    ("defaults", "kernels"): "'fresh' or 'warm'",
    ("defaults", "timeout"): "a whole number of seconds from 1 to 86400 (or null)",
    ("defaults", "params"): "a list of parameter files",
    ("reports",): "a non-empty list of report entries",
    ("reports", 0): "a mapping with 'notebook'",
    ("reports", 0, "notebook"): NOTEBOOK_EXPECTED,
    ("reports", 0, "params"): "a list of parameter files",
    ("reports", 0, "set"): "a mapping of parameter names to values",
    ("reports", 0, "grid"): "a mapping of parameter names to lists",
    ("reports", 0, "grid", "*"): "a non-empty list of values",
    ("reports", 0, "slug"): "text with letters or digits",
    ("reports", 0, "index"): "a mapping with group, title (text or language: text), order, start",
}


def _place(loc: Sequence[Any]) -> tuple:
    """A pydantic error location cut to the places of :data:`EXPECTED` (an error inside a
    list of files is an error of the list)."""
    loc = tuple(loc)
    if loc[:1] == ("defaults",):
        return loc[:2]
    if loc[:1] == ("reports",) and len(loc) >= 3:
        return loc[:4] if loc[2] == "grid" else loc[:3]
    return loc


def _pattern(place: tuple) -> tuple:
    return tuple(0 if isinstance(x, int) else ("*" if i == 3 else x) for i, x in enumerate(place))


def _fields(place: tuple) -> list[str]:
    model = {(): Manifest, ("defaults",): Defaults, ("reports", 0): Entry}.get(_pattern(place))
    return sorted(model.model_fields) if model else []


def _at(data: Any, place: tuple) -> Any:
    for x in place:
        try:
            data = data[x]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def short_value(value: Any) -> str:
    """A value as the manifest (YAML) writes it: true/false/null, not Python's True/None."""
    text = {True: "true", False: "false", None: "null"}.get(value, None) if isinstance(
        value, bool | type(None)) else None
    text = text or repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _found(value: Any, expected: str) -> str:
    return type_name(value) if "mapping" in expected else short_value(value)


class Problems:
    """The problems of one manifest, each with the line it is on."""

    def __init__(self, manifest: Path, lines: dict[tuple, int] | None = None):
        self.file = display_path(manifest)
        self.lines = lines or {}
        self.items: list[Problem] = []
        self.order: list[int] = []  # line of each item, to report them in file order

    def line(self, place: Sequence[Any]) -> int:
        """The line of ``place`` or of the nearest enclosing place the file has (0: none)."""
        place = tuple(place)
        while place and place not in self.lines:
            place = place[:-1]
        return self.lines.get(place, 0)

    def add(self, place: Sequence[Any], found: str, expected: str, hint: str = "", tail: str = "") -> None:
        """A problem at ``place``, a YAML path such as ``("reports", 2, "set", "lang")``, shown
        as ``line 7, reports[2].set.lang`` (``tail`` appended)."""
        text = ""
        for x in place:
            text += f"[{x}]" if isinstance(x, int) else (f".{x}" if text else str(x))
        text = (text or "(top level)") + tail
        line = self.line(place)
        self.items.append(Problem(self.file, f"line {line}, {text}" if line else text, "", found,
                                  expected, hint))
        self.order.append(line)

    def schema(self, exc: ValidationError, data: Any) -> set[tuple]:
        """Add the problems of a pydantic validation; the places that failed."""
        bad: set[tuple] = set()
        for err in exc.errors():
            place = _place(err["loc"])
            if place in bad:
                continue
            bad.add(place)
            if err["type"] == "extra_forbidden":
                fields = _fields(place[:-1])
                key = str(place[-1])
                self.add(place, f"unknown key '{key}'", "one of: " + ", ".join(fields), suggest(key, fields))
                continue
            expected = EXPECTED.get(_pattern(place), err["msg"])
            found = "nothing" if err["type"] == "missing" else _found(_at(data, place), expected)
            self.add(place, found, expected)
        return bad

    def raise_if_any(self) -> None:
        if self.items:
            self.items = [p for _, _, p in sorted(zip(self.order, range(len(self.items)), self.items,
                                                      strict=True))]
            n = len(self.items)
            head = f"{n} problem{'s' if n != 1 else ''} in the manifest {self.file}:"
            err = ParameterError("\n".join([head, *(f"- {p}" for p in self.items)]))
            err.problems = list(self.items)  # type: ignore[attr-defined]
            raise err


def valid_part(model: type[_Model], raw: Any, bad: set[tuple], prefix: tuple) -> Any:
    """``raw`` validated as ``model`` without the keys that failed (``None`` if still invalid),
    so that the rest of a faulty manifest is checked too."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict) or prefix in bad:
        return None
    n = len(prefix)
    failed = {place[n] for place in bad if place[:n] == prefix and len(place) > n}
    kept = {k: v for k, v in raw.items() if k not in failed}
    try:
        return model.model_validate(kept)
    except ValidationError:
        return None


# --------------------------------------------------------------------------------------------
# Runs
