"""Helpers used inside notebooks, and the parameter rules shared with the batch runner.

In a notebook::

    # cell tagged "parameters"
    lang = "vi"
    pillar = "digital_economy"
    horizon: int = 2030

    # next cell
    import dxlib.batch.nbtools as nbt
    params = nbt.check_parameters(globals(), "04_pillar_assessment")
    ...
    nbt.record({"n_targets": 12, "p_attained": 0.41})   # metrics for the batch runner

Type rules (one implementation, :func:`check_value`, used both here and by the manifest
validation of :mod:`dxlib.batch`):

- the declared type is the annotation of the parameter when there is one (``n: int = 3``,
  ``xs: list[str] = []``, ``x: float | None = None``, ``Optional[str]``, ``Any``), otherwise
  the type of the default literal (``3`` -> int, ``"vi"`` -> str, ``[..]`` -> list ...);
- ``bool`` accepts only ``True``/``False``; ``int`` accepts ints but not bools; ``float``
  accepts ints and floats (not bools);
- ``list`` and ``tuple`` accept a list or a tuple (YAML has no tuples); element types are
  checked only when an annotation gives them (``list[str]``); ``dict`` accepts a mapping
  (with ``dict[str, float]`` checking keys and values);
- a default of ``None`` without annotation, or a default that is not a literal
  (``paths.DATA / "x.csv"``) accepts anything; ``None`` is accepted only where the annotation
  allows it (``X | None``, ``Optional[X]``) or the default is ``None``.
"""

from __future__ import annotations

import ast
import datetime as _dt
import difflib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from types import SimpleNamespace
from typing import Any

from dxlib.errors import ParameterError, display_path

#: MIME type of the output that :func:`record` displays; the runner reads it back.
METRICS_MIME = "application/vnd.dxlib.metrics+json"

#: Tag papermill gives the cell it injects.
INJECTED_TAG = "injected-parameters"

_NO_DEFAULT = object()


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


def to_jsonable(value: Any, _where: str = "metrics") -> Any:
    """``value`` as plain JSON data: numpy scalars/arrays unwrapped, NaN/inf -> ``None``,
    tuples/sets -> lists, dates -> ISO text, paths -> text. Raises ``TypeError`` otherwise."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if hasattr(value, "tolist") and type(value).__module__.startswith("numpy"):
        return to_jsonable(value.tolist(), _where)  # numpy scalar (-> python) or array
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v, f"{_where}[{k!r}]") for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [to_jsonable(v, f"{_where}[{i}]") for i, v in enumerate(items)]
    if isinstance(value, _dt.date | _dt.datetime):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if hasattr(value, "item") and callable(value.item):  # pandas/numpy-like scalars
        return to_jsonable(value.item(), _where)
    raise TypeError(f"{_where}: {type(value).__name__} is not JSON-serialisable")


def record(mapping: Mapping[str, Any]) -> None:
    """Record metrics of this run for the batch runner (``metrics.json`` next to the report).

    Displays one output of MIME type :data:`METRICS_MIME` (plus an empty ``text/plain`` so
    JupyterLab shows nothing); the runner merges every such output of the notebook in order,
    later keys winning, and strips them from the HTML.
    """
    from IPython.display import display

    if not isinstance(mapping, Mapping):
        raise TypeError(f"record() expects a mapping, got {type(mapping).__name__}")
    data = to_jsonable(dict(mapping))
    display({METRICS_MIME: data, "text/plain": ""}, raw=True)


def _iter_outputs(nb: Any):
    for cell in nb["cells"]:
        if cell.get("cell_type") == "code":
            yield from cell.get("outputs", [])


def read_metrics(executed_nb: Mapping[str, Any]) -> dict[str, Any]:
    """The metrics a notebook recorded: every :func:`record` output, merged in order."""
    merged: dict[str, Any] = {}
    for out in _iter_outputs(executed_nb):
        data = out.get("data") or {}
        if METRICS_MIME in data and isinstance(data[METRICS_MIME], Mapping):
            merged.update(data[METRICS_MIME])
    return merged


def strip_metrics_outputs(nb: Any) -> None:
    """Remove :func:`record` outputs from ``nb`` in place (before rendering HTML)."""
    for cell in nb["cells"]:
        if cell.get("cell_type") == "code" and cell.get("outputs"):
            cell["outputs"] = [o for o in cell["outputs"] if METRICS_MIME not in o.get("data", {})]


# --------------------------------------------------------------------------------------------
# Declared parameters and type rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParamSpec:
    """One parameter declared in a notebook's ``parameters`` cell."""

    name: str
    default_source: str  # the default as written
    annotation: str = ""  # the annotation as written ("" when none)
    help: str = ""

    @property
    def default(self) -> Any:
        """The default value if it is a literal, else :data:`_NO_DEFAULT`."""
        try:
            return ast.literal_eval(self.default_source)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return _NO_DEFAULT

    @property
    def has_literal_default(self) -> bool:
        """Whether the default is a Python literal (then it is shown and type-checked)."""
        return self.default is not _NO_DEFAULT

    @property
    def type_text(self) -> str:
        """The declared type, for messages: the annotation, or the default literal's type."""
        if self.annotation:
            return self.annotation
        d = self.default
        if d is _NO_DEFAULT or d is None:
            return "any"
        return type(d).__name__


def _ast_parameters(source: str) -> dict[str, ParamSpec]:
    """Names, annotations and defaults of a parameters cell read with ``ast`` (complements
    papermill's line regex, which misses e.g. ``x: float | None = None``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found: dict[str, ParamSpec] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if node.value is None:
                continue
            ann = node.annotation
            if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
                ann_text = ann.value
            else:
                ann_text = ast.unparse(ann)
            found[node.target.id] = ParamSpec(node.target.id, ast.unparse(node.value), ann_text)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = ParamSpec(target.id, ast.unparse(node.value))
    return found


def parameters_from_source(
    source: str, inspected: list[Mapping[str, Any]] | None = None
) -> dict[str, ParamSpec]:
    """Declared parameters of a parameters-cell source text: papermill's inspection (names,
    help texts; ``inspected`` when already done by :func:`papermill.inspect_notebook`) merged
    with an ``ast`` reading of the same cell (annotations, defaults, names papermill misses)."""
    if inspected is None:
        import nbformat
        from papermill.translators import PythonTranslator

        inspected = [p._asdict() for p in PythonTranslator.inspect(nbformat.v4.new_code_cell(source))]
    specs = _ast_parameters(source)
    for p in inspected:
        name, help_text = p["name"], p.get("help") or ""
        if name in specs:
            s = specs[name]
            specs[name] = ParamSpec(s.name, s.default_source, s.annotation, help_text)
        else:
            ann = p.get("inferred_type_name")
            ann = "" if ann in ("None", None) else ann
            specs[name] = ParamSpec(name, p.get("default") or "None", ann, help_text)
    return specs


def _parameters_cell_source(nb: Mapping[str, Any]) -> str | None:
    """Source of the first code cell tagged ``parameters`` of notebook content, or ``None``."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            src = cell.get("source", "")
            return "".join(src) if isinstance(src, list) else src
    return None


def declared_parameters(
    notebook: str | os.PathLike[str] | Mapping[str, Any],
) -> dict[str, ParamSpec]:
    """Parameters declared in a notebook (a path, or notebook content), in cell order.

    For a path, :func:`papermill.inspect_notebook` gives the names and help texts; the same
    cell is read with ``ast`` for annotations papermill's regex misses. A notebook without a
    ``parameters`` cell declares nothing.
    """
    inspected = None
    if isinstance(notebook, Mapping):
        nb = notebook
    else:
        import papermill

        path = Path(notebook)
        inspected = list(papermill.inspect_notebook(path).values())
        nb = json.loads(path.read_text(encoding="utf-8"))
    source = _parameters_cell_source(nb)
    return {} if source is None else parameters_from_source(source, inspected)


def _declared_light(path: Path) -> dict[str, ParamSpec]:
    """Declared parameters read with ``json`` and ``ast`` only. Used inside the kernel, where
    importing papermill/nbformat costs seconds per run (jsonschema's format checkers); it
    finds every name papermill's inspection finds."""
    source = _parameters_cell_source(json.loads(path.read_text(encoding="utf-8")))
    return {} if source is None else _ast_parameters(source)


def suggest(name: str, candidates: list[str] | tuple[str, ...] | set[str]) -> str:
    """``"did you mean 'x'?"`` for the closest candidate, or ``""``."""
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


_SIMPLE = {
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "list": list,
    "tuple": tuple,
    "dict": dict,
    "set": set,
}


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _matches(value: Any, ann: ast.expr | None) -> bool:
    """Whether ``value`` satisfies the annotation expression ``ann`` (None = anything)."""
    if ann is None:
        return True
    if isinstance(ann, ast.Constant):
        if ann.value is None:
            return value is None
        if isinstance(ann.value, str):
            try:
                return _matches(value, ast.parse(ann.value, mode="eval").body)
            except SyntaxError:
                return True
        return True
    if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
        return _matches(value, ann.left) or _matches(value, ann.right)
    if isinstance(ann, ast.Attribute):  # typing.Any, pathlib.Path, ...
        return _matches(value, ast.Name(ann.attr))
    if isinstance(ann, ast.Name):
        name = ann.id
        if name in ("Any", "object"):
            return True
        if name == "None":
            return value is None
        if name == "bool":
            return isinstance(value, bool)
        if name == "int":
            return isinstance(value, int) and not isinstance(value, bool)
        if name == "float":
            return isinstance(value, int | float) and not isinstance(value, bool)
        if name in ("list", "List", "tuple", "Tuple", "Sequence"):
            return isinstance(value, list | tuple)
        if name in ("dict", "Dict", "Mapping"):
            return isinstance(value, Mapping)
        if name in ("str", "Path"):
            return isinstance(value, str | PurePath)
        if name in _SIMPLE:
            return isinstance(value, _SIMPLE[name])
        return True  # unknown names (user classes, Literal ...) are not checked
    if isinstance(ann, ast.Subscript):
        outer = ann.value.attr if isinstance(ann.value, ast.Attribute) else getattr(ann.value, "id", "")
        args = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        if outer == "Optional":
            return value is None or _matches(value, args[0])
        if outer == "Union":
            return any(_matches(value, a) for a in args)
        if outer == "Literal":
            try:
                return value in [ast.literal_eval(a) for a in args]
            except ValueError:
                return True
        if outer in ("list", "List", "Sequence", "set", "Set"):
            return isinstance(value, list | tuple) and all(_matches(v, args[0]) for v in value)
        if outer in ("tuple", "Tuple"):
            if not isinstance(value, list | tuple):
                return False
            if len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is ...:
                return all(_matches(v, args[0]) for v in value)
            return len(value) == len(args) and all(_matches(v, a) for v, a in zip(value, args, strict=True))
        if outer in ("dict", "Dict", "Mapping"):
            if not isinstance(value, Mapping):
                return False
            if len(args) == 2:
                return all(_matches(k, args[0]) and _matches(v, args[1]) for k, v in value.items())
            return True
        return _matches(value, ann.value)
    return True


def check_value(spec: ParamSpec, value: Any) -> str | None:
    """``None`` if ``value`` is acceptable for the declared parameter, else what was expected
    (for instance ``"int (default 3)"``). See the module docstring for the rules."""
    if spec.annotation:
        try:
            ann = ast.parse(spec.annotation, mode="eval").body
        except SyntaxError:
            return None
        default = spec.default
        if _matches(value, ann) or (value is None and default is None):
            return None
        return f"{spec.annotation} (annotation of '{spec.name}')"
    default = spec.default
    if default is _NO_DEFAULT or default is None:
        return None
    kind = type(default).__name__
    ann_name = {"tuple": "list", "set": "list"}.get(kind, kind)
    if _matches(value, ast.Name(ann_name)):
        return None
    extra = " (an int is accepted too)" if kind == "float" else ""
    return f"{kind}{extra}, like the default {spec.default_source}"


def check_parameter_values(
    values: Mapping[str, Any],
    declared: Mapping[str, ParamSpec],
) -> list[tuple[str, str, str, str]]:
    """Problems of ``values`` against ``declared``: a list of ``(name, found, expected, hint)``.

    Unknown names get a did-you-mean hint; wrong types say what the declaration expects.
    """
    problems = []
    for name, value in values.items():
        spec = declared.get(name)
        if spec is None:
            names = ", ".join(declared) or "none"
            problems.append(
                (
                    name,
                    "a name the notebook does not declare",
                    f"one of the declared parameters ({names})",
                    suggest(name, list(declared)),
                )
            )
            continue
        expected = check_value(spec, value)
        if expected is not None:
            problems.append((name, _describe(value), expected, ""))
    return problems


# --------------------------------------------------------------------------------------------
# The in-notebook check
# --------------------------------------------------------------------------------------------


def _resolve_notebook(notebook: str | os.PathLike[str]) -> Path:
    from dxlib import paths

    text = os.fspath(notebook)
    if text.endswith(".ipynb") or os.sep in text or "/" in text:
        return paths.resolve(text)
    return paths.NOTEBOOKS / f"{text}.ipynb"


def _history(glb: Mapping[str, Any]) -> list[str]:
    hist = glb.get("In")
    if isinstance(hist, list):
        return [h for h in hist if isinstance(h, str)]
    try:
        from IPython import get_ipython

        ip = get_ipython()
        if ip is not None:
            return [h for h in ip.user_ns.get("In", []) if isinstance(h, str)]
    except ImportError:  # pragma: no cover - IPython always there in a kernel
        pass
    return []


def injected_parameters(glb: Mapping[str, Any]) -> tuple[list[str], str | None]:
    """Names papermill injected in this kernel, and the source of the cell executed just before
    the injected one (the notebook's own parameters cell), read from IPython's ``In`` history.
    ``([], None)`` when nothing was injected (interactive session)."""
    hist = _history(glb)
    for i in range(len(hist) - 1, -1, -1):
        src = hist[i]
        if src.lstrip().startswith("# Parameters"):
            try:
                tree = ast.parse(src)
            except SyntaxError:
                continue
            names = [
                t.id
                for node in tree.body
                if isinstance(node, ast.Assign)
                for t in node.targets
                if isinstance(t, ast.Name)
            ]
            before = hist[i - 1] if i > 0 else None
            return names, before
    return [], None


def check_parameters(glb: Mapping[str, Any], notebook: str | os.PathLike[str]) -> SimpleNamespace:
    """Validate this notebook's parameters; call it in the cell after the parameters cell.

    ``glb`` is the notebook's ``globals()``; ``notebook`` its stem under ``notebooks/`` or a
    path. The declared parameters come from the notebook file's parameters cell, parsed with
    ``json`` and ``ast`` (no papermill or nbformat import in the kernel: about 3 s saved per
    run); when the file is not there (a Dask worker without the project), from the parameters cell as
    executed just before papermill's injected cell. Injected names that the notebook does not
    declare and values of the wrong type raise :class:`~dxlib.errors.ParameterError`. Returns a
    namespace of every declared parameter's current value.
    """
    path = _resolve_notebook(notebook)
    injected, params_source = injected_parameters(glb)
    if path.is_file():
        declared = _declared_light(path)
        where = display_path(path)
    elif params_source is not None:
        declared = _ast_parameters(params_source)
        where = os.fspath(notebook)
    else:
        raise ParameterError(
            f"check_parameters: notebook {os.fspath(notebook)!r} not found (looked for {display_path(path)})"
        )
    names = injected if injected else [n for n in declared if n in glb]
    values = {n: glb[n] for n in names if n in glb}
    problems = check_parameter_values(values, declared)
    if problems:
        lines = [f"{len(problems)} parameter problem{'s' if len(problems) != 1 else ''} in {where}:"]
        for name, found, expected, hint in problems:
            line = f"- parameter '{name}': found {found}; expected {expected}"
            lines.append(line + (f" ({hint})" if hint else ""))
        raise ParameterError("\n".join(lines))
    return SimpleNamespace(**{n: glb[n] for n in declared if n in glb})
