"""The batch manifest: its schema (pydantic models), parameter layering and run slugs.

Manifest (YAML, read by the project's one strict YAML reader, :func:`dxlib.data.read_yaml`:
safe, duplicate keys are an error)::

    defaults:                      # optional
      kernel: dxlib                # kernel given to papermill (default "dxlib")
      kernels: warm                # warm | fresh: one kernel kept per worker and reset between
                                   # notebooks, or a new one each (dxlib.batch.kernels; default "warm")
      timeout: 600                 # per-cell timeout in seconds (default 600)
      params: [params/common.yaml] # parameter files applied to every entry first
    reports:
      - notebook: 05_plan_scorecard            # stem under notebooks/, or a path
        params: [params/05_plan_scorecard.yaml]
        set: {lang: en}
      - notebook: 04_pillar_assessment
        grid: {pillar: [digital_infrastructure, digital_economy], lang: [vi, en]}
        slug: pillar                           # optional slug prefix (default: notebook stem)
        index: {group: {vi: Trụ cột, en: Pillars}, order: 2}  # optional, for index.html only

``index`` (optional) places the entry's runs in ``index.html``: ``group`` (text, or a mapping
of language to text) is the section they are listed under, and an entry without one continues
the group of the entry before it; ``title`` (text or mapping) replaces the report's first
heading; ``order`` (number; default: manifest order) sorts sections and reports; ``start: true``
also lists the runs under "start here". None of it changes a run, its slug or its cache key.

Layering, later wins: ``defaults.params`` files, the entry's ``params`` files, ``set``, one
combination of ``grid`` (cartesian product in listed order). A name may not be in both ``set``
and ``grid``. Every name must be declared in the notebook's ``parameters`` cell, except names
coming from ``defaults.params`` files: these are passed only to the notebooks that declare them
(so that one common file can serve notebooks with different parameters), and are an error only
when no notebook of the manifest declares them. Types follow :func:`dxlib.batch.nbtools.check_value`.

Slug of a run: the prefix (``slug`` or the notebook stem: as written when it is already a slug,
``[a-z0-9_-]`` starting with a letter or digit, else slugified), then for every key of
``set`` and ``grid`` in the order written ``__<key>-<slugified value>``. Slugs consist of
``[a-z0-9_-]`` only, so they cannot leave the output folder; ``index`` and ``run`` are reserved.

Every problem of a manifest is reported at once, each with the manifest's line.
"""

from __future__ import annotations

import ast
import fnmatch
import hashlib
import itertools
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dxlib import paths
from dxlib.batch.execute import DEFAULT_KERNEL
from dxlib.batch.kernels import DEFAULT_KERNELS
from dxlib.batch.manifest_schema import (
    DEFAULT_TIMEOUT,
    EXPECTED,
    MAX_SLUG,
    NOTEBOOK_EXPECTED,
    PATH_LIKE,
    RESERVED_SLUGS,
    SLUG_OK,
    Defaults,
    Entry,
    IndexEntry,
    Manifest,
    Problems,
    short_value,
    type_name,
    valid_part,
)
from dxlib.batch.nbtools import ParamSpec, check_value, declared_parameters, suggest
from dxlib.batch.util import slugify
from dxlib.data import read_yaml
from dxlib.errors import ParameterError, Problem, display_path


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
    index: dict[str, Any] = field(default_factory=dict)  # how index.html lists it (IndexEntry)
    kernels: str = DEFAULT_KERNELS  # kernel mode: "fresh" or "warm" (dxlib.batch.kernels)

    @cached_property
    def notebook_text(self) -> str:
        """The notebook file's content."""
        return self.notebook.read_text(encoding="utf-8")

    def value(self, name: str) -> Any:
        """The value this run gives parameter ``name``: the layered one, else the notebook's
        default when that is a literal; ``None`` otherwise."""
        if name in self.parameters:
            return self.parameters[name]
        try:
            return ast.literal_eval(self.defaults.get(name, "None"))
        except (ValueError, SyntaxError):
            return None

    def payload(self) -> dict[str, Any]:
        """The picklable, filesystem-independent input of :func:`~dxlib.batch.execute_run`."""
        return {
            "slug": self.slug,
            "notebook_name": self.notebook.name,
            "notebook_json": self.notebook_text,
            "parameters": self.parameters,
            "kernel": self.kernel,
            "kernels": self.kernels,
            "timeout": self.timeout,
            "cwd": str(self.notebook.parent),
        }


def _notebook_path(name: str) -> Path:
    if name.endswith(".ipynb") or "/" in name or os.sep in name:
        return paths.resolve(name)
    return paths.NOTEBOOKS / f"{name}.ipynb"


def _run_slug(prefix: str, keys: list[tuple[str, Any]]) -> str:
    slug = prefix + "".join(f"__{slugify(k)}-{slugify(v)}" for k, v in keys)
    if len(slug) > MAX_SLUG:  # file names have limits; keep it unique with a hash
        digest = hashlib.sha256(slug.encode("utf-8")).hexdigest()[:10]
        slug = slug[: MAX_SLUG - 12].rstrip("_-") + "__" + digest
    return slug


class _Loader:
    """Reads parameter files and notebooks once each, recording their problems."""

    def __init__(self, pb: Problems):
        self.pb = pb
        self.params: dict[Path, dict | None] = {}
        self.declared: dict[Path, dict[str, ParamSpec] | None] = {}

    def param_file(self, file: str, place: tuple) -> tuple[Path, dict]:
        p = paths.resolve(file)
        if p not in self.params:
            self.params[p] = None
            if not p.is_file():
                self.pb.add(place, f"'{file}', which does not exist ({display_path(p)})",
                            "an existing parameter file (paths are relative to the project root)")
            elif not p.read_bytes().strip():
                self.params[p] = {}
            else:
                problems: list[Problem] = []
                values, _ = read_yaml(p, problems)
                if problems:
                    self.pb.add(place, f"{display_path(p)}, which cannot be read ({problems[0].where}: "
                                f"{problems[0].found})", "a readable YAML parameter file")
                elif values is not None and (not isinstance(values, dict)
                                             or not all(isinstance(k, str) for k in values)):
                    self.pb.add(place, f"{display_path(p)} holding {type_name(values)}",
                                "a mapping of parameter names to values")
                else:
                    self.params[p] = values or {}
        return p, self.params[p] or {}

    def notebook(self, name: str, place: tuple) -> tuple[Path | None, dict[str, ParamSpec] | None]:
        nb_path = _notebook_path(name)
        if not nb_path.is_file():
            stems = sorted(p.stem for p in paths.NOTEBOOKS.glob("*.ipynb"))
            self.pb.add(place, f"'{name}', which does not exist ({display_path(nb_path)})", NOTEBOOK_EXPECTED,
                        suggest(Path(name).stem, stems))
            return None, None
        if nb_path not in self.declared:
            try:
                self.declared[nb_path] = declared_parameters(nb_path)
            except Exception as exc:  # noqa: BLE001 - any unreadable notebook
                self.declared[nb_path] = None
                self.pb.add(place, f"{display_path(nb_path)}, which cannot be read "
                            f"({type(exc).__name__}: {exc})", "a Jupyter notebook")
        return nb_path, self.declared[nb_path]


def load_manifest(path: str | os.PathLike[str], *, only: str | None = None) -> list[RunSpec]:
    """Read and validate a batch manifest; the runs it describes, in manifest order.

    Every problem is collected and reported in one :class:`~dxlib.errors.ParameterError` naming
    the manifest, the line and the YAML path. ``only`` keeps the runs whose slug matches it (an
    ``fnmatch`` pattern if it contains ``*?[``, else a substring); the whole manifest is
    validated first either way.
    """
    manifest = paths.resolve(path)
    if not manifest.is_file():
        raise ParameterError(f"{display_path(manifest)}: file not found")
    read_problems: list[Problem] = []
    data, lines = read_yaml(manifest, read_problems)
    if read_problems:
        raise ParameterError("\n".join(str(p) for p in read_problems))
    pb = Problems(manifest, lines)
    if not isinstance(data, dict):
        pb.add((), type_name(data), EXPECTED[()])
        pb.raise_if_any()
    bad: set[tuple] = set()
    try:
        Manifest.model_validate(data)
    except ValidationError as exc:
        bad = pb.schema(exc, data)
    defaults = valid_part(Defaults, data.get("defaults"), bad, ("defaults",)) or Defaults()
    raw_reports = data.get("reports") if isinstance(data.get("reports"), list) else []
    entries = [valid_part(Entry, raw, bad, ("reports", i)) for i, raw in enumerate(raw_reports)]

    loader = _Loader(pb)
    defaults_loaded = [loader.param_file(f, ("defaults", "params", j)) for j, f in enumerate(defaults.params)]
    runs: list[RunSpec] = []
    slug_where: dict[str, str] = {}
    declared_anywhere: set[str] = set()
    group: Any = None  # the index group, continued by entries without one
    for i, entry in enumerate(entries):
        if entry is None:
            continue
        index = (entry.index or IndexEntry()).model_dump()
        group = index["group"] = index["group"] if index["group"] is not None else group
        here = ("reports", i)
        nb_path, declared = loader.notebook(entry.notebook, (*here, "notebook"))
        declared_anywhere.update(declared or {})

        def check(place: tuple, pname: str, value: Any, strict: bool = True, tail: str = "",
                  declared=declared, nb_path=nb_path) -> bool:
            """Check one value; False when the name is not declared (and not strict)."""
            if declared is None:
                return True
            spec = declared.get(pname)
            if spec is None:
                if strict:
                    pb.add(place, f"parameter '{pname}', which {nb_path.stem} does not declare",
                           "one of: " + (", ".join(declared) or "(no parameters)"),
                           suggest(pname, list(declared)), tail=tail)
                return False
            expected = check_value(spec, value)
            if expected is not None:
                pb.add(place, f"{type(value).__name__} {short_value(value)}", expected, tail=tail)
            return True

        values: dict[str, Any] = {}
        files: list[Path] = []
        for j, (p, vals) in enumerate(defaults_loaded):
            files.append(p)
            for k, v in vals.items():
                if check(("defaults", "params", j), k, v, strict=False, tail=f" ({display_path(p)}).{k}"):
                    values[k] = v
        for j, f in enumerate(entry.params or []):
            p, vals = loader.param_file(f, (*here, "params", j))
            files.append(p)
            for k, v in vals.items():
                check((*here, "params", j), k, v, tail=f" ({display_path(p)}).{k}")
                values[k] = v
        set_values = entry.set or {}
        for k, v in set_values.items():
            check((*here, "set", k), k, v)
            values[k] = v
        grid = entry.grid or {}
        for k, vs in grid.items():
            if k in set_values:
                pb.add((*here, "grid", k), f"'{k}' in both set and grid", "each name in one of them")
            for m, v in enumerate(vs):
                check((*here, "grid", k, m), k, v)
        prefix = entry.slug
        if prefix is not None and not slugify(prefix):
            pb.add((*here, "slug"), short_value(prefix), EXPECTED[("reports", 0, "slug")])
            prefix = None
        elif prefix is not None and PATH_LIKE.search(prefix):
            pb.add((*here, "slug"), f"{short_value(prefix)}, a path that could leave the output folder",
                   "a plain name (letters, digits, spaces, _ and -; no '/', '\\' or '..')")
            prefix = None
        if nb_path is None:
            continue
        prefix = prefix if prefix is not None else nb_path.stem
        # a prefix that is already a slug is kept as written ("x__fast" stays, so --only finds it)
        prefix_slug = prefix if SLUG_OK.match(prefix) else slugify(prefix)
        order = [key for key in raw_reports[i] if key in ("set", "grid")]
        slug_keys = [(src, k) for src in order for k in (set_values if src == "set" else grid)]
        defaults_text = {n: s.default_source for n, s in (declared or {}).items()}
        for combo in itertools.product(*grid.values()):
            chosen = dict(zip(grid.keys(), combo, strict=True))
            run_values = {**values, **chosen}
            slug = _run_slug(prefix_slug, [(k, set_values[k] if src == "set" else chosen[k])
                                           for src, k in slug_keys])
            if slug in slug_where:
                pb.add(here, f"duplicate slug '{slug}' (also made by {slug_where[slug]})",
                       "a unique slug per run: add a 'slug' prefix or change set/grid")
                continue
            if slug in RESERVED_SLUGS or not SLUG_OK.match(slug):
                pb.add((*here, "slug"), f"slug '{slug}'",
                       "a slug other than index/run, starting with a letter or digit")
                continue
            slug_where[slug] = f"reports[{i}]"
            runs.append(RunSpec(slug, nb_path, run_values, list(files), defaults.kernel,
                                defaults.timeout, defaults_text, manifest, f"reports[{i}]", index,
                                defaults.kernels))

    # names in defaults.params files that no notebook declares are typos, not "shared" names
    for j, (p, vals) in enumerate(defaults_loaded):
        for k in vals:
            if declared_anywhere and k not in declared_anywhere:
                pb.add(("defaults", "params", j),
                       f"parameter '{k}', which no notebook of the manifest declares",
                       "a parameter of at least one notebook", suggest(k, declared_anywhere),
                       tail=f" ({display_path(p)}).{k}")
    pb.raise_if_any()
    return select(runs, only, manifest) if only else runs


def select(runs: list[RunSpec], only: str, manifest: Path) -> list[RunSpec]:
    """The runs whose slug matches ``only`` (``fnmatch`` pattern if it has ``*?[``, else a
    substring); ``ParameterError`` listing the slugs when none does."""
    if any(c in only for c in "*?["):
        chosen = [r for r in runs if fnmatch.fnmatchcase(r.slug, only)]
    else:
        chosen = [r for r in runs if only in r.slug]
    if not chosen:
        hint = suggest(only, [r.slug for r in runs])
        raise ParameterError(
            f"{display_path(manifest)}: no run matches --only {only!r}"
            + (f" ({hint})" if hint else "")
            + "; slugs are: "
            + ", ".join(r.slug for r in runs)
        )
    return chosen
