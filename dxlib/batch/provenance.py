"""What a batch ran with, for ``run.json`` and ``--resume``: the git commit, package versions,
hashes of the data files, of the files next to a notebook (its prose templates) and of dxlib's
own code, and the cache key of a run's inputs."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dxlib import __version__, paths
from dxlib.batch.manifest import RunSpec
from dxlib.batch.util import dumps_json
from dxlib.errors import display_path


def git_commit() -> str:
    """Short hash of the project's HEAD commit, or ``"unknown"``."""
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


def package_versions() -> dict[str, str]:
    """Versions of the packages that shape a report (``"not installed"`` for missing ones)."""
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
            result[display_path(p)] = _file_digest(p)[:12]
    return result


def code_fingerprint() -> str:
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
    """``{path: sha256}`` of every parameter value naming an existing file, looked for in lists,
    tuples and mappings too (e.g. ``add_observations: [a.csv, b.xlsx]``); these are the inputs a
    notebook reads besides ``data/``."""
    found: dict[str, str] = {}
    if isinstance(value, Mapping):
        items = list(value.values())
    else:
        items = list(value) if isinstance(value, list | tuple) else [value]
    for v in items:
        if isinstance(v, list | tuple | Mapping):
            found.update(_parameter_files(v))
        elif isinstance(v, str) and v and len(v) < 4096 and "\n" not in v:
            try:
                p = paths.resolve(v)
                if p.is_file():
                    found[str(p)] = _file_digest(p)
            except (OSError, ValueError):
                continue
    return found


#: the folder next to a notebook that holds the files it reads besides its parameters: its prose
#: templates ``<notebook stem>.<lang>.md`` and the ones several notebooks share (``_*``)
SIDE_DIR = "text"


def side_files(notebook: Path) -> dict[str, str]:
    """``{path: sha256}`` of the files a notebook reads from ``<its folder>/text/``: those whose
    name starts with the notebook's stem and a dot (``05_plan_scorecard.vi.md``) and the shared
    ones starting with ``_`` (``_shared.en.md``); hidden files are skipped. Empty without such a
    folder."""
    folder = notebook.parent / SIDE_DIR
    if not folder.is_dir():
        return {}
    return {str(p): _file_digest(p) for p in sorted(folder.iterdir())
            if p.is_file() and (p.name.startswith(notebook.stem + ".") or p.name.startswith("_"))}


def cache_key(spec: RunSpec, data_files: Mapping[str, str], code: str | None = None) -> str:
    """Key of a run's inputs for ``--resume``: the notebook's content and that of the files it
    reads next to it (:func:`side_files`: its prose templates), the layered parameters, the
    kernel, the data files' hashes (``data/`` and every file a parameter names), the dxlib
    version and the hash of dxlib's own code. Equal keys mean the same report."""
    files: dict[str, str] = {}
    for v in spec.parameters.values():
        files.update(_parameter_files(v))
    key = {
        "notebook": hashlib.sha256(spec.notebook_text.encode("utf-8")).hexdigest(),
        "parameters": spec.parameters,
        "kernel": spec.kernel,
        "data_files": dict(data_files),
        "parameter_files": files,
        "side_files": side_files(spec.notebook),
        "dxlib_version": __version__,
        "dxlib_code": code if code is not None else code_fingerprint(),
    }
    return hashlib.sha256(dumps_json(key).encode("utf-8")).hexdigest()[:32]

