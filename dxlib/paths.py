"""Paths of the project, anchored at the project root (never at the current directory).

Notebooks and the command line take every path from here, so that a notebook behaves the same
whether JupyterLab runs it from ``notebooks/`` or Papermill runs it from anywhere else.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The project root: the folder that holds ``pyproject.toml`` and ``data/``. ``DX_ROOT`` overrides.
ROOT: Path = Path(os.environ.get("DX_ROOT", Path(__file__).resolve().parent.parent))
DATA: Path = ROOT / "data"
NOTEBOOKS: Path = ROOT / "notebooks"
PARAMS: Path = ROOT / "params"
REPORTS: Path = ROOT / "reports"

DEFAULT_TARGETS: Path = DATA / "targets" / "nghean-833-2025.yaml"
DEFAULT_INDICATORS: Path = DATA / "indicators.csv"
DEFAULT_OBSERVATIONS_DIR: Path = DATA / "observations"
DEFAULT_GEOS: Path = DATA / "geos.csv"
DEFAULT_DEFINITIONS: Path = DATA / "definitions.csv"
DEFAULT_BATCH: Path = PARAMS / "batch.yaml"


def default_observation_files() -> list[Path]:
    """All shipped observation files (``data/observations/*.csv`` and ``*.xlsx``), sorted."""
    d = DEFAULT_OBSERVATIONS_DIR
    return sorted([*d.glob("*.csv"), *d.glob("*.xlsx")])


def resolve(path: str | os.PathLike[str]) -> Path:
    """A user-given path: absolute as given, relative ones against the project root."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else ROOT / p
