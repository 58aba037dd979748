"""The batch runner: run parameterized notebooks with Papermill, render self-contained HTML
without code, and write an index and a machine-readable record of the batch.

Manifest (YAML, read with ``yaml.safe_load`` semantics; duplicate keys are an error)::

    defaults:                      # optional
      kernel: dxlib                # kernel given to papermill (default "dxlib")
      timeout: 600                 # per-cell timeout in seconds (default 600)
      params: [params/common.yaml] # parameter files applied to every entry first
    reports:
      - notebook: 05_plan_scorecard            # stem under notebooks/, or a path
        params: [params/05_plan_scorecard.yaml]
        set: {lang: en}
      - notebook: 04_pillar_assessment
        grid: {pillar: [digital_infrastructure, digital_economy], lang: [vi, en]}
        slug: pillar                           # optional slug prefix (default: notebook stem)

Layering, later wins: ``defaults.params`` files, the entry's ``params`` files, ``set``, one
combination of ``grid`` (cartesian product in listed order). A name may not be in both ``set``
and ``grid``. Every name must be declared in the notebook's ``parameters`` cell, except names
coming from ``defaults.params`` files: these are passed only to the notebooks that declare them
(so that one common file can serve notebooks with different parameters), and are an error only
when no notebook of the manifest declares them. Types follow :func:`dxlib.batch.nbtools.check_value`.

Slug of a run: the prefix (``slug`` or the notebook stem, slugified), then for every key of
``set`` and ``grid`` in the order written ``__<key>-<slugified value>``. Slugs consist of
``[a-z0-9_-]`` only, so they cannot leave the output folder; ``index`` and ``run`` are reserved.

Execution: the unit of work is :func:`execute_run`, a pure function of the notebook *content*
and parameters that returns the executed notebook as JSON text; it writes only to its own
temporary folder, so it can run on a Dask worker that does not share the project's files.
The kernel's working directory is the notebook's folder when the worker has it (as in
JupyterLab), else the run's temporary folder; notebooks take their paths from
:mod:`dxlib.paths`, so either works. Everything in the output folder is written by the main
process, each file through a temporary name and ``os.replace``.

Outputs in ``out_dir``: ``<slug>.html``, ``<slug>/<slug>.ipynb`` (also for failed runs),
``<slug>/metrics.json``, ``index.html`` and ``run.json``. ``run.json`` holds, per run, slug,
notebook, parameters, param_files, status, error, outputs (relative paths) and metrics; plus
versions, git commit and the manifest path; all that varies between two executions of the same
batch (times, executor, jobs) is under its top-level ``timing`` key.
"""

from __future__ import annotations

import ast
import copy
import fnmatch
import functools
import hashlib
import html
import itertools
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from dxlib import __version__, paths
from dxlib.batch.nbtools import (
    INJECTED_TAG,
    ParamSpec,
    check_value,
    declared_parameters,
    read_metrics,
    strip_metrics_outputs,
    suggest,
)
from dxlib.data import StrictLoader
from dxlib.errors import DxError, ParameterError, Problem, display_path
from dxlib.fileio import atomic_write_bytes

#: Kernel used when the manifest names none.
DEFAULT_KERNEL = "dxlib"
#: Per-cell timeout (seconds) when the manifest and the caller give none.
DEFAULT_TIMEOUT = 600
#: Longest slug; longer ones are cut and end with a hash of the full slug.
MAX_SLUG = 120
#: Slugs that would collide with the batch's own files.
RESERVED_SLUGS = frozenset({"index", "run"})
#: Where the jinja2 templates (index, run details, nbconvert report template) live.
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Tag papermill gives the error banner cells it adds to a failed notebook.
PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"
#: Cells with these tags are not rendered.
REMOVED_TAGS = frozenset({"remove-cell", INJECTED_TAG, PAPERMILL_ERROR_TAG})

_MANIFEST_KEYS = {"defaults", "reports"}
_DEFAULTS_KEYS = {"kernel", "timeout", "params"}
_ENTRY_KEYS = {"notebook", "params", "set", "grid", "slug"}
_SLUG_OK = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_PATH_LIKE = re.compile(r"[/\\]|\.\.|^[.~]")


# --------------------------------------------------------------------------------------------
# Small helpers: slugs, JSON, atomic writes, YAML
# --------------------------------------------------------------------------------------------


def slugify(value: Any) -> str:
    """Lower-case ASCII slug: Vietnamese diacritics folded (``đ`` -> ``d``), every run of other
    characters -> ``_``; lists are joined with ``-``; ``None`` -> ``none``.

    >>> slugify("Kinh tế số – Đắk Lắk")
    'kinh_te_so_dak_lak'
    """
    if isinstance(value, list | tuple):
        return "-".join(slugify(v) for v in value)
    if value is None:
        return "none"
    text = str(value).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def dumps_json(obj: Any) -> str:
    """JSON as dxlib writes it: sorted keys, UTF-8 text (no ``\\u`` escapes), indent 2, final
    newline."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


@functools.cache
def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """:func:`atomic_write_bytes` of UTF-8 text."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Atomically write ``obj`` as :func:`dumps_json` text."""
    return atomic_write_text(path, dumps_json(obj))


def read_yaml(path: Path) -> Any:
    """YAML data of ``path`` (the safe loader of the data files, which rejects duplicate keys
    and Vietnamese-style numbers such as 3.000); ``ParameterError`` with the file name and
    position when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterError(f"{display_path(path)}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{display_path(path)}: cannot read ({exc})") from None
    try:
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ParameterError(f"{display_path(path)}: not valid YAML: {exc}") from None


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --------------------------------------------------------------------------------------------
# Manifest
# --------------------------------------------------------------------------------------------


@dataclass
class RunSpec:
    """One run of a notebook with one parameter set."""

    slug: str
    notebook: Path
    parameters: dict[str, Any]  # fully layered values passed to papermill
    param_files: list[Path] = field(default_factory=list)
    kernel: str = DEFAULT_KERNEL
    timeout: float | None = DEFAULT_TIMEOUT
    defaults: dict[str, str] = field(default_factory=dict)  # declared defaults, as written
    manifest: Path | None = None
    entry: str = ""  # where in the manifest, e.g. "reports[3]"

    @cached_property
    def notebook_text(self) -> str:
        """The notebook file's content."""
        return self.notebook.read_text(encoding="utf-8")

    def payload(self) -> dict[str, Any]:
        """The picklable, filesystem-independent input of :func:`execute_run`."""
        return {
            "slug": self.slug,
            "notebook_name": self.notebook.name,
            "notebook_json": self.notebook_text,
            "parameters": self.parameters,
            "kernel": self.kernel,
            "timeout": self.timeout,
            "cwd": str(self.notebook.parent),
        }


class _Problems:
    def __init__(self, manifest: Path):
        self.file = display_path(manifest)
        self.items: list[Problem] = []

    def add(self, where: str, found: str, expected: str, hint: str = "") -> None:
        self.items.append(Problem(self.file, where, "", found, expected, hint))

    def raise_if_any(self) -> None:
        if self.items:
            n = len(self.items)
            head = f"{n} problem{'s' if n != 1 else ''} in the manifest {self.file}:"
            err = ParameterError("\n".join([head, *(f"- {p}" for p in self.items)]))
            err.problems = list(self.items)  # type: ignore[attr-defined]
            raise err


def _notebook_path(name: str) -> Path:
    if name.endswith(".ipynb") or "/" in name or os.sep in name:
        return paths.resolve(name)
    return paths.NOTEBOOKS / f"{name}.ipynb"


def _str_list(value: Any) -> list | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def load_manifest(path: str | os.PathLike[str], *, only: str | None = None) -> list[RunSpec]:
    """Read and validate a batch manifest; the runs it describes, in manifest order.

    Every problem is collected and reported in one :class:`~dxlib.errors.ParameterError` naming
    the manifest and the YAML path. ``only`` keeps the runs whose slug matches it (an
    ``fnmatch`` pattern if it contains ``*?[``, else a substring); the whole manifest is
    validated first either way.
    """
    manifest = paths.resolve(path)
    data = read_yaml(manifest)
    pb = _Problems(manifest)
    if not isinstance(data, dict):
        pb.add("(top level)", _type_name(data), "a mapping with 'reports' (and 'defaults')")
        pb.raise_if_any()
    for key in data:
        if key not in _MANIFEST_KEYS:
            pb.add(
                str(key),
                f"unknown key '{key}'",
                "one of: defaults, reports",
                suggest(str(key), _MANIFEST_KEYS),
            )

    # --- defaults
    defaults = data.get("defaults") or {}
    kernel, timeout, default_files = DEFAULT_KERNEL, DEFAULT_TIMEOUT, []
    if not isinstance(defaults, dict):
        pb.add("defaults", _type_name(defaults), "a mapping")
        defaults = {}
    for key in defaults:
        if key not in _DEFAULTS_KEYS:
            pb.add(
                f"defaults.{key}",
                f"unknown key '{key}'",
                "one of: kernel, params, timeout",
                suggest(str(key), _DEFAULTS_KEYS),
            )
    if "kernel" in defaults:
        if isinstance(defaults["kernel"], str) and defaults["kernel"]:
            kernel = defaults["kernel"]
        else:
            pb.add("defaults.kernel", _short(defaults["kernel"]), "a kernel name (text)")
    if "timeout" in defaults:
        t = defaults["timeout"]
        if t is None or (isinstance(t, int | float) and not isinstance(t, bool) and t > 0):
            timeout = t
        else:
            pb.add("defaults.timeout", _short(t), "a positive number of seconds (or null)")
    if "params" in defaults:
        files = _str_list(defaults["params"])
        if files is None:
            pb.add("defaults.params", _short(defaults["params"]), "a list of parameter files")
        else:
            default_files = files

    param_cache: dict[Path, dict | None] = {}

    def load_params(file: str, where: str) -> tuple[Path, dict]:
        p = paths.resolve(file)
        if p not in param_cache:
            param_cache[p] = None
            if not p.is_file():
                pb.add(
                    where,
                    f"'{file}', which does not exist ({display_path(p)})",
                    "an existing parameter file (paths are relative to the project root)",
                )
            else:
                try:
                    values = read_yaml(p)
                except ParameterError as exc:
                    pb.add(where, str(exc), "a readable YAML parameter file")
                else:
                    if values is None:
                        values = {}
                    if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
                        pb.add(
                            where,
                            f"{display_path(p)} holding {_type_name(values)}",
                            "a mapping of parameter names to values",
                        )
                    else:
                        param_cache[p] = values
        return p, param_cache[p] or {}

    defaults_loaded = [load_params(f, f"defaults.params[{j}]") for j, f in enumerate(default_files)]

    # --- entries
    reports = data.get("reports")
    if not isinstance(reports, list) or not reports:
        pb.add(
            "reports",
            _short(reports) if reports is not None else "nothing",
            "a non-empty list of report entries",
        )
        reports = []

    runs: list[RunSpec] = []
    slug_where: dict[str, str] = {}
    declared_anywhere: set[str] = set()
    declared_cache: dict[Path, dict[str, ParamSpec] | None] = {}
    stems = sorted(p.stem for p in paths.NOTEBOOKS.glob("*.ipynb")) if paths.NOTEBOOKS.is_dir() else []

    for i, entry in enumerate(reports):
        here = f"reports[{i}]"
        if not isinstance(entry, dict):
            pb.add(here, _type_name(entry), "a mapping with 'notebook'")
            continue
        for key in entry:
            if key not in _ENTRY_KEYS:
                pb.add(
                    f"{here}.{key}",
                    f"unknown key '{key}'",
                    "one of: " + ", ".join(sorted(_ENTRY_KEYS)),
                    suggest(str(key), _ENTRY_KEYS),
                )
        name = entry.get("notebook")
        declared: dict[str, ParamSpec] | None = None
        nb_path: Path | None = None
        if not isinstance(name, str) or not name:
            pb.add(
                f"{here}.notebook",
                _short(name) if name is not None else "nothing",
                "a notebook stem under notebooks/ or a path to a .ipynb file",
            )
        else:
            nb_path = _notebook_path(name)
            if not nb_path.is_file():
                pb.add(
                    f"{here}.notebook",
                    f"'{name}', which does not exist ({display_path(nb_path)})",
                    "a notebook stem under notebooks/ or a path to a .ipynb file",
                    suggest(Path(name).stem, stems),
                )
                nb_path = None
            else:
                if nb_path not in declared_cache:
                    try:
                        declared_cache[nb_path] = declared_parameters(nb_path)
                    except Exception as exc:  # noqa: BLE001 - any unreadable notebook
                        declared_cache[nb_path] = None
                        pb.add(
                            f"{here}.notebook",
                            f"{display_path(nb_path)}, which cannot be read ({type(exc).__name__}: {exc})",
                            "a Jupyter notebook",
                        )
                declared = declared_cache[nb_path]
        if declared is not None:
            declared_anywhere.update(declared)

        def check(
            where: str,
            pname: str,
            value: Any,
            declared=declared,
            nb_path=nb_path,
            strict: bool = True,
        ) -> bool:
            """Check one value; False when the name is not declared (and not strict)."""
            if declared is None:
                return True
            spec = declared.get(pname)
            if spec is None:
                if strict:
                    pb.add(
                        where,
                        f"parameter '{pname}', which {nb_path.stem} does not declare",
                        "one of: " + (", ".join(declared) or "(no parameters)"),
                        suggest(pname, list(declared)),
                    )
                return False
            expected = check_value(spec, value)
            if expected is not None:
                pb.add(where, f"{type(value).__name__} {_short(value)}", expected)
            return True

        values: dict[str, Any] = {}
        files: list[Path] = []
        for j, (p, vals) in enumerate(defaults_loaded):
            files.append(p)
            for k, v in vals.items():
                if check(f"defaults.params[{j}] ({display_path(p)}).{k}", k, v, strict=False):
                    values[k] = v
        entry_files = entry.get("params", [])
        file_list = _str_list(entry_files) if entry_files is not None else []
        if file_list is None:
            pb.add(f"{here}.params", _short(entry_files), "a list of parameter files")
            file_list = []
        for j, f in enumerate(file_list):
            p, vals = load_params(f, f"{here}.params[{j}]")
            files.append(p)
            for k, v in vals.items():
                check(f"{here}.params[{j}] ({display_path(p)}).{k}", k, v)
                values[k] = v
        set_values = entry.get("set") or {}
        if not isinstance(set_values, dict):
            pb.add(f"{here}.set", _type_name(set_values), "a mapping of parameter names to values")
            set_values = {}
        for k, v in set_values.items():
            check(f"{here}.set.{k}", str(k), v)
            values[str(k)] = v
        grid = entry.get("grid") or {}
        if not isinstance(grid, dict):
            pb.add(f"{here}.grid", _type_name(grid), "a mapping of parameter names to lists")
            grid = {}
        for k, vs in list(grid.items()):
            if not isinstance(vs, list) or not vs:
                pb.add(f"{here}.grid.{k}", _short(vs), "a non-empty list of values")
                grid.pop(k)
                continue
            if k in set_values:
                pb.add(f"{here}.grid.{k}", f"'{k}' in both set and grid", "each name in one of them")
            for m, v in enumerate(vs):
                check(f"{here}.grid.{k}[{m}]", str(k), v)
        prefix = entry.get("slug", None)
        if prefix is not None and not (isinstance(prefix, str) and slugify(prefix)):
            pb.add(f"{here}.slug", _short(prefix), "text with letters or digits")
            prefix = None
        elif isinstance(prefix, str) and _PATH_LIKE.search(prefix):
            pb.add(
                f"{here}.slug",
                f"{_short(prefix)}, a path that could leave the output folder",
                "a plain name (letters, digits, spaces, _ and -; no '/', '\\' or '..')",
            )
            prefix = None
        if nb_path is None:
            continue
        prefix_slug = slugify(prefix if prefix is not None else nb_path.stem)
        order = [key for key in entry if key in ("set", "grid")]
        slug_keys = [(src, k) for src in order for k in (set_values if src == "set" else grid)]
        defaults_text = {n: s.default_source for n, s in (declared or {}).items()}
        for combo in itertools.product(*grid.values()):
            run_values = dict(values)
            chosen = dict(zip(grid.keys(), combo, strict=True))
            run_values.update(chosen)
            slug = prefix_slug + "".join(
                f"__{slugify(k)}-{slugify(set_values[k] if src == 'set' else chosen[k])}"
                for src, k in slug_keys
            )
            if len(slug) > MAX_SLUG:  # file names have limits; keep it unique with a hash
                digest = hashlib.sha256(slug.encode("utf-8")).hexdigest()[:10]
                slug = slug[: MAX_SLUG - 12].rstrip("_-") + "__" + digest
            if slug in slug_where:
                pb.add(
                    here,
                    f"duplicate slug '{slug}' (also made by {slug_where[slug]})",
                    "a unique slug per run: add a 'slug' prefix or change set/grid",
                )
                continue
            if slug in RESERVED_SLUGS or not _SLUG_OK.match(slug):
                pb.add(
                    f"{here}.slug",
                    f"slug '{slug}'",
                    "a slug other than index/run, starting with a letter or digit",
                )
                continue
            slug_where[slug] = here
            runs.append(
                RunSpec(
                    slug, nb_path, run_values, list(files), kernel, timeout, defaults_text, manifest, here
                )
            )

    # names in defaults.params files that no notebook declares are typos, not "shared" names
    for j, (p, vals) in enumerate(defaults_loaded):
        for k in vals:
            if declared_anywhere and k not in declared_anywhere:
                pb.add(
                    f"defaults.params[{j}] ({display_path(p)}).{k}",
                    f"parameter '{k}', which no notebook of the manifest declares",
                    "a parameter of at least one notebook",
                    suggest(k, declared_anywhere),
                )
    pb.raise_if_any()

    if only:
        if any(c in only for c in "*?["):
            chosen_runs = [r for r in runs if fnmatch.fnmatchcase(r.slug, only)]
        else:
            chosen_runs = [r for r in runs if only in r.slug]
        if not chosen_runs:
            hint = suggest(only, [r.slug for r in runs])
            raise ParameterError(
                f"{display_path(manifest)}: no run matches --only {only!r}"
                + (f" ({hint})" if hint else "")
                + "; slugs are: "
                + ", ".join(r.slug for r in runs)
            )
        runs = chosen_runs
    return runs


# --------------------------------------------------------------------------------------------
# The unit of work
# --------------------------------------------------------------------------------------------


def _first_line(source: str | list[str]) -> str:
    source = "".join(source) if isinstance(source, list) else source
    for line in source.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= 120 else line[:117] + "..."
    return ""


def find_error(nb: Mapping[str, Any]) -> dict[str, Any] | None:
    """The first failing cell of an executed notebook: ``{cell, execution_count, first_line,
    ename, evalue}`` where ``cell`` counts the cells of the notebook as written (0-based; the
    injected-parameters cell and papermill's error banners are not counted); ``None`` if no
    cell failed."""
    index = -1
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if INJECTED_TAG in tags or PAPERMILL_ERROR_TAG in tags:
            continue
        index += 1
        if cell.get("cell_type") != "code":
            continue
        base = {
            "cell": index,
            "execution_count": cell.get("execution_count"),
            "first_line": _first_line(cell.get("source", "")),
        }
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                if out.get("ename") == "SystemExit" and out.get("evalue") in ("", "0"):
                    continue
                return {**base, "ename": out.get("ename", ""), "evalue": out.get("evalue", "")}
        if cell.get("metadata", {}).get("papermill", {}).get("exception") is True:
            return {**base, "ename": "", "evalue": ""}
    return None


def _kernel_quiet_arguments(kernel: str) -> list[str]:
    """Extra kernel arguments that silence ipykernel's start-up warnings (one per run on the
    console otherwise); none for kernels that are not ipykernel or cannot be found."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        argv = KernelSpecManager().get_kernel_spec(kernel).argv
    except Exception:  # noqa: BLE001 - papermill reports a missing kernel itself
        return []
    if any("ipykernel" in a for a in argv):
        return ["--IPKernelApp.log_level=CRITICAL"]
    return []


def _execution_failure(exc: BaseException, timeout: float | None) -> dict[str, Any]:
    """The error record of an exception papermill raised outside a cell's own error: a cell
    timeout, a dead kernel, a kernel that cannot start ... (``kind`` is dropped later)."""
    name = type(exc).__name__
    text = str(exc).strip()
    kind = ""
    if name == "CellTimeoutError" or "timed out" in text.lower():
        kind = "timeout"
        text = (
            f"the cell ran longer than the per-cell timeout of {timeout:g} s and was stopped "
            "(raise it with defaults.timeout in the manifest or dx reports --timeout)"
            if isinstance(timeout, int | float)
            else text
        )
        name = "CellTimeoutError"
    elif name == "DeadKernelError":
        kind = "dead_kernel"
        text = (
            "the kernel died while running this cell "
            "(the process exited or was killed, e.g. out of memory)"
        )
    return {
        "cell": None,
        "execution_count": None,
        "first_line": "",
        "ename": name,
        "evalue": text if len(text) <= 1000 else text[:997] + "...",
        "kind": kind,
    }


def _running_cell(nb: Mapping[str, Any]) -> dict[str, Any] | None:
    """``{cell, execution_count, first_line}`` of the last code cell papermill started (the one
    running when the kernel died or was stopped), counted like :func:`find_error`."""
    index, found = -1, None
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if INJECTED_TAG in tags or PAPERMILL_ERROR_TAG in tags:
            continue
        index += 1
        started = cell.get("metadata", {}).get("papermill", {}).get("start_time")
        if cell.get("cell_type") == "code" and started:
            found = {
                "cell": index,
                "execution_count": cell.get("execution_count"),
                "first_line": _first_line(cell.get("source", "")),
            }
    return found


#: a kernel that fails to start (a port race between parallel kernels) is started once more
KERNEL_START_ATTEMPTS = 2
#: the papermill engine the runner uses (see :func:`_register_engine`)
ENGINE_NAME = "dxlib"


@functools.lru_cache(maxsize=1)
def _register_engine() -> str:
    """Register papermill's nbclient engine with one change: the executed notebook is written
    once, when execution ends (also after a failure, a dead kernel or a timeout), instead of at
    the start and end of every cell. The output is a temporary file that only the end state
    reaches, and the per-cell writes (with nbformat validation) cost about 0.4 s per report.
    Registered in each process that executes notebooks (local workers and Dask workers)."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class _SaveAtEnd(NotebookExecutionManager):
        _final = False

        def save(self, **kwargs: Any) -> None:
            if self._final:
                super().save(**kwargs)

        def notebook_complete(self, **kwargs: Any) -> None:
            self._final = True
            super().notebook_complete(**kwargs)

    class _Engine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True,
                             log_output=False, autosave_cell_every=30, **kwargs):
            nb_man = _SaveAtEnd(nb, output_path=output_path, progress_bar=progress_bar,
                                log_output=log_output, autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(ENGINE_NAME, _Engine)
    return ENGINE_NAME


def _kernel_start_failed(exc: BaseException, out: Path) -> bool:
    """True when ``exc`` happened while the kernel was starting, before any cell ran."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return False
    text = f"{type(exc).__name__}: {exc}"
    starting = any(s in text for s in ("kernel_info", "Address already in use", "ZMQError",
                                       "Kernel didn't respond", "Kernel died before"))
    if not starting:
        return False
    if out.is_file():  # some cell already ran: not a start-up failure
        try:
            nb = json.loads(out.read_text(encoding="utf-8"))
        except ValueError:
            return True
        return not any(c.get("execution_count") for c in nb.get("cells", []))
    return True


def execute_run(spec_payload: dict[str, Any]) -> dict[str, Any]:
    """Execute one notebook; the worker function of both executors.

    ``spec_payload`` is :meth:`RunSpec.payload`: ``slug``, ``notebook_name``, ``notebook_json``
    (the notebook's content), ``parameters``, ``kernel``, ``timeout`` and ``cwd`` (used only if
    that folder exists where this runs). Writes only inside its own temporary folder. Never
    raises for a failing notebook; returns ``{slug, status ('ok'|'failed'), executed_notebook
    (JSON text, partial for failures; None if execution never started), error (None or
    {cell, execution_count, first_line, ename, evalue}), seconds}``.
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    error: dict[str, Any] | None = None
    executed: str | None = None
    with tempfile.TemporaryDirectory(prefix="dxrun-") as tmp:
        inp = Path(tmp) / Path(spec_payload.get("notebook_name") or "notebook.ipynb").name
        out = Path(tmp) / "executed.ipynb"
        inp.write_text(spec_payload["notebook_json"], encoding="utf-8")
        kernel = spec_payload.get("kernel") or DEFAULT_KERNEL
        cwd = spec_payload.get("cwd")
        if not cwd or not os.path.isdir(cwd):
            cwd = tmp
        try:
            for attempt in range(KERNEL_START_ATTEMPTS):
                try:
                    papermill.execute_notebook(
                        str(inp),
                        str(out),
                        parameters=spec_payload.get("parameters") or {},
                        kernel_name=kernel,
                        execution_timeout=spec_payload.get("timeout"),
                        cwd=cwd,
                        progress_bar=False,
                        log_output=False,
                        engine_name=_register_engine(),
                        extra_arguments=_kernel_quiet_arguments(kernel),
                    )
                    break
                except Exception as exc:
                    # Parallel kernels can race for a port (papermill #511): start once more.
                    if attempt + 1 < KERNEL_START_ATTEMPTS and _kernel_start_failed(exc, out):
                        out.unlink(missing_ok=True)
                        continue
                    raise
        except PapermillExecutionError as exc:
            error = {
                "cell": None,
                "execution_count": exc.exec_count,
                "first_line": _first_line(exc.source or ""),
                "ename": exc.ename,
                "evalue": exc.evalue,
            }
        except Exception as exc:  # noqa: BLE001 - dead kernel, timeout, missing kernel, ...
            error = _execution_failure(exc, spec_payload.get("timeout"))
        if out.is_file():
            executed = out.read_text(encoding="utf-8")
    if executed is not None:
        executed_nb = nbformat.reads(executed, as_version=4)
        if error is not None and error.get("kind") in ("timeout", "dead_kernel"):
            # the kernel was interrupted or is gone: the cell that was running is the failure
            located = _running_cell(executed_nb)
            if located is not None:
                error = {**error, **located}
            error.pop("kind")
            located = None
        else:
            located = find_error(executed_nb)
        if located is not None:
            if error is None:
                error = located
            else:  # keep the exception's name/value when the cell has no error output
                error = {**error, **{k: v for k, v in located.items() if v or k == "cell"}}
    if error is not None:
        error.pop("kind", None)
    return {
        "slug": spec_payload["slug"],
        "status": "failed" if error else "ok",
        "executed_notebook": executed,
        "error": error,
        "seconds": round(time.perf_counter() - start, 3),
    }


# --------------------------------------------------------------------------------------------
# Executors
# --------------------------------------------------------------------------------------------


def _crash(slug: str, exc: BaseException) -> dict[str, Any]:
    return {
        "slug": slug,
        "status": "failed",
        "executed_notebook": None,
        "seconds": 0.0,
        "error": {
            "cell": None,
            "execution_count": None,
            "first_line": "",
            "ename": type(exc).__name__,
            "evalue": str(exc),
        },
    }


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


_WORKER_BUSY = False


def _worker_signal(signum: int, frame: Any) -> None:
    if _WORKER_BUSY:
        raise KeyboardInterrupt(f"signal {signum}")
    os._exit(128 + signum)  # idle: nothing to clean up


def _worker_init() -> None:
    """Worker processes treat SIGTERM like Ctrl-C while they run a notebook, so that papermill
    shuts their kernel down and their temporary folder is removed when the batch is stopped;
    idle workers just exit."""
    import signal

    signal.signal(signal.SIGTERM, _worker_signal)
    signal.signal(signal.SIGINT, _worker_signal)


def _execute_in_worker(payload: dict[str, Any]) -> dict[str, Any]:
    """:func:`execute_run` in a pool worker; an interrupted worker exits once the kernel and
    the temporary folder are cleaned up (the batch is being stopped)."""
    global _WORKER_BUSY
    _WORKER_BUSY = True
    try:
        return execute_run(payload)
    except KeyboardInterrupt:
        os._exit(130)
    finally:
        _WORKER_BUSY = False


def _stop_pool(pool: Any) -> None:
    """Cancel what has not started and stop the workers (SIGTERM, then SIGKILL after 10 s)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    deadline = time.monotonic() + 10
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()


def _run_local(payloads: list[dict], jobs: int) -> Iterator[dict]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init)
    try:
        futures = {pool.submit(_execute_in_worker, p): p["slug"] for p in payloads}
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker process died
                yield _crash(futures[fut], exc)
    except BaseException:
        _stop_pool(pool)
        raise
    else:
        pool.shutdown(wait=True)


def _run_dask(payloads: list[dict], jobs: int, scheduler: Any) -> Iterator[dict]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise DxError("the Dask executor needs dask and distributed: pip install '.[dask]'") from None

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True)
        client, own_client = Client(cluster), True
    elif isinstance(scheduler, Client):
        client, own_client = scheduler, False
    else:
        client, own_client = Client(scheduler), True
    try:
        futures = {client.submit(execute_run, p, pure=False): p["slug"] for p in payloads}
        try:
            for fut in as_completed(list(futures)):
                try:
                    yield fut.result()
                except Exception as exc:  # noqa: BLE001 - worker lost, unpicklable, ...
                    yield _crash(futures[fut], exc)
        except BaseException:
            client.cancel(list(futures))
            raise
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=paths.ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else "unknown"


def _package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    result = {}
    for name in ("pandas", "numpy", "statsmodels", "papermill", "nbconvert"):
        try:
            result[name] = version(name)
        except PackageNotFoundError:
            result[name] = "not installed"
    return result


def data_fingerprint(root: Path | None = None) -> dict[str, str]:
    """``{path relative to the project root: first 12 hex digits of sha256}`` for every file
    under ``data/`` (hidden files skipped), sorted by path."""
    root = paths.DATA if root is None else root
    result: dict[str, str] = {}
    if not root.is_dir():
        return result
    for p in sorted(root.rglob("*")):
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts):
            h = hashlib.sha256()
            with p.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            result[display_path(p)] = h.hexdigest()[:12]
    return result


def _first_heading(nb: Mapping[str, Any]) -> str:
    """The first Markdown heading a reader sees: in a markdown cell that is not removed, or in a
    ``text/markdown`` output (notebooks write their titles in the report's language that way)."""
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if REMOVED_TAGS.intersection(tags):
            continue
        if cell.get("cell_type") == "markdown":
            sources = [cell.get("source", "")]
        elif cell.get("cell_type") == "code":
            sources = [o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])]
        else:
            continue
        for source in sources:
            heading = _heading_in("".join(source) if isinstance(source, list) else source)
            if heading:
                return heading
    return ""


def _heading_in(source: str) -> str:
    for line in source.splitlines():
        m = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m and m.group(1):
            text = re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)[*_`]", "", m.group(1)))
            return html.unescape(text).strip()
    return ""


def _value_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class _Renderer:
    """HTML of the runs and of the index, in this process (one nbconvert exporter reused)."""

    def __init__(self) -> None:
        import jinja2
        from nbconvert import HTMLExporter
        from nbconvert.preprocessors import TagRemovePreprocessor

        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
        )
        self.exporter = HTMLExporter(
            template_name="lab",
            template_file=str(TEMPLATES / "dx_report.html.j2"),
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
        )
        self.exporter.register_preprocessor(
            TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True), enabled=True
        )

    def report(self, nb: Any, spec: RunSpec, record: dict, context: dict) -> str:
        """HTML of one run: no code, no injected parameters, failure note, run details."""
        nb = copy.deepcopy(nb)
        strip_metrics_outputs(nb)
        for cell in nb.cells:  # tracebacks and warnings are for the .ipynb, not for planners
            if cell.cell_type == "code":
                cell.outputs = [
                    o
                    for o in cell.get("outputs", [])
                    if o.get("output_type") != "error"
                    and not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                ]
        nb.metadata["title"] = _first_heading(nb) or spec.slug
        lang = spec.parameters.get("lang")
        if lang is None:
            try:
                lang = ast.literal_eval(spec.defaults.get("lang", "None"))
            except (ValueError, SyntaxError):
                lang = None
        self.exporter.language_code = lang if lang in ("vi", "en") else "en"
        params = [
            {"name": k, "value": _value_text(v), "source": "manifest"} for k, v in spec.parameters.items()
        ]
        params += [
            {"name": k, "value": src, "source": "mặc định / default"}
            for k, src in spec.defaults.items()
            if k not in spec.parameters
        ]
        footer = self.env.get_template("run_details.html.j2").render(
            notebook=record["notebook"],
            slug=spec.slug,
            status=record["status"],
            param_files=record["param_files"],
            parameters=params,
            **context,
        )
        header = ""
        if record["status"] != "ok":
            header = self.env.get_template("failure_note.html.j2").render(
                error=record["error"], notebook_link=record["outputs"]["notebook"] or "-"
            )
        resources = {
            "metadata": {"name": spec.slug, "path": str(spec.notebook.parent)},
            "dx_header": header,
            "dx_footer": footer,
        }
        html, _ = self.exporter.from_notebook_node(nb, resources=resources)
        return html

    def index(self, records: list[dict], titles: dict[str, str], context: dict) -> str:
        """HTML of ``index.html``: every run grouped by notebook, in manifest order."""
        groups: dict[str, dict] = {}
        for rec in records:
            g = groups.setdefault(
                rec["notebook"],
                {
                    "notebook": rec["notebook"],
                    "title": titles.get(rec["notebook"], ""),
                    "anchor": "nb-" + slugify(rec["notebook"]),
                    "runs": [],
                },
            )
            g["title"] = g["title"] or Path(rec["notebook"]).stem
            g["runs"].append(
                {
                    **rec,
                    "parameters_text": [(k, _value_text(v)) for k, v in rec["parameters"].items()],
                }
            )
        for g in groups.values():
            g["subgroups"] = _subgroups(g["runs"])
        counts = {
            "total": len(records),
            "ok": sum(r["status"] == "ok" for r in records),
            "failed": sum(r["status"] == "failed" for r in records),
            "not_run": sum(r["status"] == "not_run" for r in records),
            "reused": sum(r.get("origin") == "reused" for r in records),
            "earlier_run": sum(r.get("origin") == "earlier_run" for r in records),
        }
        return self.env.get_template("batch_index.html.j2").render(
            groups=list(groups.values()), counts=counts, **context
        )


#: parameters that split a notebook's runs into sub-lists of the index when they vary (a grid
#: over 34 provinces reads as 34 short lists, not one long one)
INDEX_SUBGROUP_PARAMETERS: tuple[str, ...] = ("geo",)


def _subgroups(runs: list[dict]) -> list[dict]:
    """The runs of one notebook split by the first of :data:`INDEX_SUBGROUP_PARAMETERS` whose value
    differs between them, in order of first appearance; one unlabelled sub-list otherwise."""
    for key in INDEX_SUBGROUP_PARAMETERS:
        values = [_value_text(r["parameters"].get(key, "")) for r in runs]
        if len(set(values)) > 1:
            out: dict[str, dict] = {}
            for value, run in zip(values, runs, strict=True):
                out.setdefault(value, {"label": f"{key} = {value}", "runs": []})["runs"].append(run)
            return list(out.values())
    return [{"label": "", "runs": runs}]


# --------------------------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    """What :func:`run_batch` did. ``runs`` are the per-run records of ``run.json``."""

    runs: list[dict[str, Any]]
    ok: bool
    summary_text: str
    index_path: Path
    run_json_path: Path | None = None
    out_dir: Path | None = None


def _summary(records: list[dict], out_dir: Path, n_earlier: int = 0) -> str:
    n = len(records)
    ok = sum(r["status"] == "ok" for r in records)
    failed = [r for r in records if r["status"] == "failed"]
    not_run = n - ok - len(failed)
    reused = sum(r.get("origin") == "reused" for r in records)
    head = f"{n} run{'s' if n != 1 else ''}: {ok} ok, {len(failed)} failed"
    if not_run:
        head += f", {not_run} not run"
    if reused:
        head += f"; {reused} reused (inputs unchanged)"
    if n_earlier:
        head += f"; {n_earlier} earlier report{'s' if n_earlier != 1 else ''} still listed"
    lines = [f"{head} -> {display_path(out_dir)}"]
    for r in failed:
        e = r["error"] or {}
        lines.append(f"FAILED {r['slug']} ({r['notebook']})")
        where = []
        if e.get("cell") is not None:
            where.append(f"cell {e['cell']}")
        if e.get("execution_count") is not None:
            where.append(f"In [{e['execution_count']}]")
        loc = " ".join(where)
        if e.get("first_line"):
            loc += f": {e['first_line']}" if loc else e["first_line"]
        if loc:
            lines.append(f"  at {loc}")
        lines.append(f"  {e.get('ename', '')}: {e.get('evalue', '')}")
    return "\n".join(lines)


def _check_kernel(kernels: set[str], manifest: Path) -> None:
    from jupyter_client.kernelspec import KernelSpecManager

    available = set(KernelSpecManager().find_kernel_specs())
    missing = sorted(kernels - available)
    if missing:
        raise ParameterError(
            f"{display_path(manifest)}, defaults.kernel: found kernel '{missing[0]}', which is "
            f"not installed; expected one of: {', '.join(sorted(available)) or '(none)'}"
            + (
                " (register it with: python -m ipykernel install --user --name dxlib)"
                if missing[0] == DEFAULT_KERNEL
                else ""
            )
        )


def _code_fingerprint() -> str:
    """sha256 of dxlib's own files (modules, templates, profiles): a change of the code that
    makes the reports invalidates the ``--resume`` cache even without a version bump."""
    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parent.parent
    for p in sorted(pkg.rglob("*")):
        rel = p.relative_to(pkg)
        if p.is_file() and "__pycache__" not in rel.parts and p.suffix in (".py", ".j2", ".json", ".csv"):
            h.update(str(rel).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _parameter_files(value: Any) -> dict[str, str]:
    """``{path: sha256}`` of every parameter value (or list element) naming an existing file;
    these are the inputs a notebook reads besides ``data/``."""
    found: dict[str, str] = {}
    for v in value if isinstance(value, list | tuple) else [value]:
        if isinstance(v, str) and v and len(v) < 4096 and "\n" not in v:
            try:
                p = paths.resolve(v)
                if p.is_file():
                    found[str(p)] = _file_digest(p)
            except (OSError, ValueError):
                continue
    return found


def cache_key(spec: RunSpec, data_files: Mapping[str, str], code: str | None = None) -> str:
    """Key of a run's inputs for ``--resume``: the notebook's content, the layered parameters,
    the kernel, the data files' hashes (``data/`` and every file a parameter names), the
    dxlib version and the hash of dxlib's own code. Equal keys mean the same report."""
    files: dict[str, str] = {}
    for v in spec.parameters.values():
        files.update(_parameter_files(v))
    key = {
        "notebook": hashlib.sha256(spec.notebook_text.encode("utf-8")).hexdigest(),
        "parameters": spec.parameters,
        "kernel": spec.kernel,
        "data_files": dict(data_files),
        "parameter_files": files,
        "dxlib_version": __version__,
        "dxlib_code": code if code is not None else _code_fingerprint(),
    }
    return hashlib.sha256(dumps_json(key).encode("utf-8")).hexdigest()[:32]


def _literal_default(spec: RunSpec, name: str) -> Any:
    if name in spec.parameters:
        return spec.parameters[name]
    try:
        return ast.literal_eval(spec.defaults.get(name, "None"))
    except (ValueError, SyntaxError):
        return None


#: Parameters holding a year of the data that must not precede every observation.
YEAR_PARAMETERS = ("as_of", "compare_as_of")


def preflight(specs: Sequence[RunSpec], manifest: Path) -> None:
    """Checks of the runs against their data, before any notebook starts: for every run of a
    notebook that declares ``targets`` (the plan notebooks), its dataset loads without problems,
    no target's deadline precedes all its data, and ``as_of``/``compare_as_of`` are not before
    the earliest observation. Raises :class:`~dxlib.errors.DxError` naming the manifest entry."""
    from dxlib.data import load_dataset
    from dxlib.data.checks import check_as_of, check_dataset

    datasets: dict[tuple, Any] = {}
    problems: list[str] = []
    for s in specs:
        if "targets" not in s.defaults or not isinstance(_literal_default(s, "targets"), str):
            continue
        obs = _literal_default(s, "observations") or []
        obs = [obs] if isinstance(obs, str) else list(obs)
        files = (
            _literal_default(s, "targets"),
            tuple(obs),
            _literal_default(s, "indicators"),
            _literal_default(s, "geos"),
        )
        if files not in datasets:
            targets, obs_files, indicators, geos = files
            ds = load_dataset(
                paths.resolve(targets),
                [paths.resolve(f) for f in obs_files] or None,
                paths.resolve(indicators) if isinstance(indicators, str) and indicators else None,
                paths.resolve(geos) if isinstance(geos, str) and geos else None,
            )
            check_dataset(ds)
            datasets[files] = ds
        for name in YEAR_PARAMETERS:
            value = _literal_default(s, name)
            if isinstance(value, int) and not isinstance(value, bool):
                where = f"{display_path(manifest)}, {s.entry} (run {s.slug}) parameter {name}"
                try:
                    check_as_of(datasets[files], value, name=where)
                except ParameterError as exc:
                    problems.append(str(exc))
        as_of, compare = _literal_default(s, "as_of"), _literal_default(s, "compare_as_of")
        if isinstance(as_of, int) and isinstance(compare, int) and compare >= as_of:
            problems.append(f"{display_path(manifest)}, {s.entry} (run {s.slug}) parameter "
                            f"compare_as_of: found {compare}; expected a year before as_of ({as_of})")
    if problems:
        n = len(problems)
        raise ParameterError(
            "\n".join([f"{n} problem{'s' if n != 1 else ''} before running the batch:"]
                      + [f"- {p}" for p in problems])
        )


def _previous_records(out: Path) -> dict[str, dict]:
    """The run records of ``out/run.json`` from an earlier batch whose HTML is still there
    (``{}`` when there is none or it cannot be read)."""
    path = out / "run.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        runs = data["runs"]
    except (OSError, ValueError, KeyError, TypeError):
        print(f"warning: {display_path(path)} cannot be read; earlier runs are not listed", file=sys.stderr)
        return {}
    kept = {}
    for rec in runs:
        if not isinstance(rec, dict) or not isinstance(rec.get("slug"), str):
            continue
        html_rel = (rec.get("outputs") or {}).get("html")
        if html_rel and _SLUG_OK.match(rec["slug"]) and (out / html_rel).is_file():
            kept[rec["slug"]] = rec
    return kept


def _reusable(rec: dict | None, key: str, out: Path) -> bool:
    if not rec or rec.get("status") != "ok" or rec.get("cache_key") != key:
        return False
    outputs = rec.get("outputs") or {}
    return all(outputs.get(k) and (out / outputs[k]).is_file() for k in ("html", "notebook", "metrics"))


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Remove temporary files (``.<name>.<random>.tmp``) that a killed earlier batch left in
    ``out``; the finished files are never touched. Returns what was removed."""
    removed = []
    for p in list(out.glob(".*.tmp")) + list(out.glob("*/.*.tmp")):
        if p.is_file():
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def run_batch(
    manifest: str | os.PathLike[str],
    out_dir: str | os.PathLike[str] = paths.REPORTS,
    *,
    jobs: int | None = None,
    only: str | None = None,
    executor: str = "local",
    scheduler: Any = None,
    timeout: float | None = None,
    resume: bool = False,
    progress: bool = True,
) -> BatchResult:
    """Run every report of ``manifest`` and write the outputs to ``out_dir``.

    ``jobs``: parallel runs (default ``os.cpu_count()``; for Dask without ``scheduler``, the
    number of ``LocalCluster`` workers). ``executor``: ``"local"`` (process pool) or ``"dask"``
    (``scheduler``: address or ``distributed.Client``; a ``LocalCluster`` when ``None``).
    ``timeout`` overrides the manifest's per-cell timeout (seconds). ``resume``: reuse the
    outputs of runs whose :func:`cache_key` equals the one recorded in ``out_dir/run.json``
    (status ok, files present) instead of executing them again.

    Failing runs do not stop the others; ``result.ok`` is False when any failed. Manifest and
    data problems raise :class:`~dxlib.errors.DxError` before anything runs or is written.
    ``index.html`` and ``run.json`` list this batch's runs in manifest order, then runs of an
    earlier batch whose HTML is still in ``out_dir`` (not selected by ``only``, or not reached
    because the batch was interrupted), marked ``origin: earlier_run``. On Ctrl-C (or SIGTERM
    in ``dx reports``) the workers are stopped, ``run.json`` and ``index.html`` are written for
    what finished, and ``KeyboardInterrupt`` propagates; every file is replaced atomically.
    """
    from tqdm.auto import tqdm

    manifest_path = paths.resolve(manifest)
    all_specs = load_manifest(manifest_path)
    specs = load_manifest(manifest_path, only=only) if only else all_specs
    if executor not in ("local", "dask"):
        raise ParameterError(f"executor: found {executor!r}; expected 'local' or 'dask'")
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ParameterError(f"timeout: found {timeout!r}; expected a positive number of seconds")
        for s in specs:
            s.timeout = timeout
    if executor == "local":
        _check_kernel({s.kernel for s in specs}, manifest_path)
    out = Path(out_dir).resolve()
    for s in specs:  # slugs are [a-z0-9_-]; this guards against future changes
        if (out / s.slug).resolve().parent != out:
            raise ParameterError(f"slug {s.slug!r} would leave the output folder {out}")
    preflight(specs, manifest_path)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(specs)))

    by_slug = {s.slug: s for s in specs}
    renderer = _Renderer()
    context = {
        "dxlib_version": __version__,
        "git_commit": _git_commit(),
        "data_files": data_fingerprint(),
    }
    code = _code_fingerprint()
    keys = {s.slug: cache_key(s, context["data_files"], code) for s in specs}
    previous = _previous_records(out)
    titles: dict[str, str] = {}
    for s in all_specs:
        key = display_path(s.notebook)
        if key not in titles:
            titles[key] = _first_heading(json.loads(s.notebook_text))
    records: dict[str, dict] = {}
    seconds: dict[str, float] = {}
    if resume:
        for s in specs:
            if _reusable(previous.get(s.slug), keys[s.slug], out):
                records[s.slug] = {**previous[s.slug], "origin": "reused"}
    to_run = [s for s in specs if s.slug not in records]
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    payloads = [s.payload() for s in to_run]
    results: Any = iter(())
    if payloads:
        jobs = max(1, min(jobs, len(payloads)))
        results = _run_local(payloads, jobs) if executor == "local" else _run_dask(payloads, jobs, scheduler)
    bar = tqdm(total=len(to_run), disable=not progress, unit="run", desc="dx reports", file=sys.stderr)
    try:
        for result in results:
            spec = by_slug[result["slug"]]
            try:
                records[spec.slug] = _write_run(out, spec, result, renderer, context)
            except Exception as exc:  # noqa: BLE001 - one unrenderable run must not stop the batch
                result = {
                    **result,
                    "status": "failed",
                    "error": {
                        "cell": None,
                        "execution_count": None,
                        "first_line": "",
                        "ename": type(exc).__name__,
                        "evalue": f"writing the outputs failed: {exc}",
                    },
                }
                records[spec.slug] = {**_not_run_record(spec), "status": "failed", "error": result["error"]}
            records[spec.slug]["cache_key"] = keys[spec.slug]
            records[spec.slug]["origin"] = "this_run"
            seconds[spec.slug] = result.get("seconds", 0.0)
            bar.update(1)
            if result["status"] != "ok":
                e = result.get("error") or {}
                bar.write(
                    f"FAILED {spec.slug}: {e.get('ename', '')}: {e.get('evalue', '')}",
                    file=sys.stderr,
                )
    finally:
        bar.close()
        if hasattr(results, "close"):
            results.close()
        selected = {s.slug for s in specs}
        ordered: list[dict] = []
        for s in all_specs:
            if s.slug in records:
                ordered.append(records[s.slug])
            elif s.slug in previous:  # not selected, or not reached: the earlier report stays
                ordered.append({**previous[s.slug], "origin": "earlier_run"})
            elif s.slug in selected:
                ordered.append({**_not_run_record(s), "cache_key": keys[s.slug], "origin": "this_run"})
        if only:  # reports of other manifests in this folder stay listed too
            listed = {r["slug"] for r in ordered}
            ordered += [
                {**rec, "origin": "earlier_run"} for slug, rec in previous.items() if slug not in listed
            ]
        timing = {
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - t0, 3),
            "run_seconds": seconds,
            "executor": executor,
            "jobs": jobs,
        }
        run_json = {
            "manifest": display_path(manifest_path),
            "dxlib_version": __version__,
            "git_commit": context["git_commit"],
            "python": platform.python_version(),
            "packages": _package_versions(),
            "data_files": context["data_files"],
            "summary": {
                "total": len(ordered),
                "ok": sum(r["status"] == "ok" for r in ordered),
                "failed": sum(r["status"] == "failed" for r in ordered),
                "reused": sum(r.get("origin") == "reused" for r in ordered),
                "earlier_run": sum(r.get("origin") == "earlier_run" for r in ordered),
            },
            "runs": ordered,
            "timing": timing,
        }
        run_json_path = write_json(out / "run.json", run_json)
        index_path = atomic_write_text(out / "index.html", renderer.index(ordered, titles, context))
    this_batch = [r for r in ordered if r.get("origin") != "earlier_run"]
    return BatchResult(
        runs=this_batch,
        ok=all(r["status"] == "ok" for r in this_batch),
        summary_text=_summary(this_batch, out, n_earlier=len(ordered) - len(this_batch)),
        index_path=index_path,
        run_json_path=run_json_path,
        out_dir=out,
    )


def _outputs(slug: str) -> dict[str, str | None]:
    return {
        "html": f"{slug}.html",
        "notebook": f"{slug}/{slug}.ipynb",
        "metrics": f"{slug}/metrics.json",
    }


def _base_record(spec: RunSpec) -> dict[str, Any]:
    return {
        "slug": spec.slug,
        "notebook": display_path(spec.notebook),
        "parameters": spec.parameters,
        "param_files": [display_path(p) for p in spec.param_files],
    }


def _not_run_record(spec: RunSpec) -> dict[str, Any]:
    return {
        **_base_record(spec),
        "status": "not_run",
        "error": None,
        "metrics": {},
        "outputs": {"html": None, "notebook": None, "metrics": None},
    }


def _write_run(out: Path, spec: RunSpec, result: dict, renderer: _Renderer, context: dict) -> dict[str, Any]:
    """Write one run's notebook, metrics and HTML (main process); its ``run.json`` record."""
    import nbformat

    outputs = _outputs(spec.slug)
    text = result.get("executed_notebook")
    if text:
        nb = nbformat.reads(text, as_version=4)
        pm = nb.metadata.setdefault("papermill", {})
        pm["input_path"] = display_path(spec.notebook)
        pm["output_path"] = outputs["notebook"]
        atomic_write_text(out / outputs["notebook"], nbformat.writes(nb) + "\n")
    else:  # execution never started: render the notebook as written, keep no .ipynb
        nb = nbformat.reads(spec.notebook_text, as_version=4)
        outputs["notebook"] = None
    metrics = read_metrics(nb) if text else {}
    write_json(out / spec.slug / "metrics.json", metrics)
    record = {
        **_base_record(spec),
        "status": result["status"],
        "error": result.get("error"),
        "metrics": metrics,
        "outputs": outputs,
    }
    atomic_write_text(out / outputs["html"], renderer.report(nb, spec, record, context))
    return record


def batch_main(argv: Sequence[str] | None = None) -> int:
    """Minimal command line (``python -m dxlib.batch MANIFEST [OUT]``) for debugging; the
    ``dx reports`` command of :mod:`dxlib.cli` is the real one."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m dxlib.batch")
    ap.add_argument("manifest", nargs="?", default=str(paths.DEFAULT_BATCH))
    ap.add_argument("out", nargs="?", default=str(paths.REPORTS))
    ap.add_argument("--jobs", type=int)
    ap.add_argument("--only")
    ap.add_argument("--executor", choices=["local", "dask"], default="local")
    ap.add_argument("--scheduler")
    args = ap.parse_args(argv)
    try:
        result = run_batch(
            args.manifest,
            args.out,
            jobs=args.jobs,
            only=args.only,
            executor=args.executor,
            scheduler=args.scheduler,
        )
    except DxError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.summary_text)
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(batch_main())
