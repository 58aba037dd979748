"""Validating a YAML document with pydantic, and saying what is wrong the way a person reads the
file: every pydantic error becomes one :class:`~dxlib.errors.Problem` naming the YAML path (with
the ``id`` of the entry it is in) and line, the key, what was found and what was expected.

Used by the target registry (:mod:`dxlib.data.registry`) and by any other YAML file that is
validated by a model (``extra="forbid"``): read it with :func:`dxlib.data.read_yaml` (which gives
the line of every key path), validate it with the model, and map a ``ValidationError`` with
:func:`pydantic_problems`.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from dxlib.errors import Problem


class StrictModel(BaseModel):
    """A model that forbids unknown keys and strips surrounding whitespace from text."""

    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


class RuleError(ValueError):
    """Raised by a model validator that found several problems with an entry: ``errors`` lists
    ``(key, expected)`` pairs; :func:`pydantic_problems` makes one problem of each."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors))


def yaml_where(loc: Sequence[Any], data: Any, lines: dict[tuple, int]) -> tuple[str, str]:
    """Pydantic's error location -> ("targets[3] (ECO-3), line 40", "comparator").

    ``data`` is the loaded document and ``lines`` the line of every key path (from
    :func:`dxlib.data.read_yaml`)."""
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


def pydantic_problems(exc: ValidationError, name: str, data: Any, lines: dict[tuple, int],
                      model: type[BaseModel] | None = None) -> list[Problem]:
    """One problem per error of ``exc``, raised when validating ``data`` (read from the file
    shown as ``name``, with the key lines ``lines``) with ``model``. ``model`` lets an unknown
    key be answered with the keys allowed there (and the closest one); without it the message
    says only that there is no such key. A :class:`RuleError` gives one problem per key."""
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        kind = err["type"]
        ctx = err.get("ctx") or {}
        if kind == "value_error" and isinstance(ctx.get("error"), RuleError):
            for key, expected in ctx["error"].errors:
                where, _ = yaml_where((*loc, key), data, lines)
                node = data
                for x in loc:
                    node = node[x]
                found = repr(node.get(key)) if isinstance(node, dict) and key in node else "nothing"
                out.append(Problem(name, where, key, found, expected))
            continue
        where, column = yaml_where(loc, data, lines)
        found = repr(err.get("input"))
        if isinstance(err.get("input"), bool):  # YAML true/false/yes/no
            found = f"{str(err['input']).lower()} (a boolean)"
        if len(found) > 60:
            found = found[:57] + "..."
        if kind == "missing":
            found, expected = "nothing", "a value (this key is required)"
        elif kind == "extra_forbidden":
            fields = _fields_for(model, loc[:-1]) if model is not None else []
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
    "finite_number": "a finite number (not .nan or .inf)",
}


def _fields_for(model: type[BaseModel], loc: Sequence[Any]) -> list[str]:
    """The keys ``model`` allows at the path ``loc`` (list indexes skipped); [] when unknown."""
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
