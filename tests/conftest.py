"""Shared test set-up.

Layout (see README, "Tests"):

* ``tests/unit/`` — the code, on synthetic inputs and the mini plan of ``tests/fixtures/mini``;
  no notebook is executed (``make test-fast``).
* ``tests/data/`` — checks of the shipped files (``data/``, the registry against the plan text,
  notebooks committed clean, the dependency files); they change when the data change.
* ``tests/integration/`` — notebooks executed through papermill, Dask, the browser, the command
  line end to end.

Each test gets the marker of its folder (``unit``, ``data``, ``integration``), so
``pytest -m "not integration"`` works from any directory.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from dxlib import paths
from dxlib.data import Dataset, load_dataset

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
MINI = FIXTURES / "mini"  # the synthetic two-pillar, eight-target plan used by the unit tests


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(str(item.fspath)).resolve().parent
        if folder.parent == TESTS and folder.name in ("unit", "data", "integration"):
            item.add_marker(folder.name)


@pytest.fixture(scope="session")
def benchmark_module() -> Callable[[str], ModuleType]:
    """A loader of the benchmark scripts (``benchmarks/<name>.py``, not a package: they import
    their siblings by name, so ``benchmarks/`` goes on ``sys.path``), each loaded once."""
    bench = paths.ROOT / "benchmarks"
    if str(bench) not in sys.path:
        sys.path.insert(0, str(bench))

    def load(name: str) -> ModuleType:
        key = f"dx_bench_{name}"
        if key not in sys.modules:
            spec = importlib.util.spec_from_file_location(key, bench / f"{name}.py")
            mod = importlib.util.module_from_spec(spec)
            sys.modules[key] = mod
            spec.loader.exec_module(mod)
        return sys.modules[key]

    return load


@pytest.fixture(scope="session")
def mini_paths() -> dict[str, Path]:
    """The files of the mini plan, by role (targets, observations, indicators, geos)."""
    return {"targets": MINI / "targets.yaml", "observations": MINI / "observations.csv",
            "indicators": MINI / "indicators.csv", "geos": MINI / "geos.csv"}


@pytest.fixture(scope="session")
def mini_dataset(mini_paths) -> Dataset:
    """The mini plan loaded once per session (tests must not modify it)."""
    return load_dataset(mini_paths["targets"], [mini_paths["observations"]], mini_paths["indicators"],
                        mini_paths["geos"])


@pytest.fixture(scope="session")
def shipped_dataset() -> Dataset:
    """The shipped Plan 833 data set (``data/``) loaded once per session."""
    return load_dataset()


@pytest.fixture
def mini_targets_with(tmp_path: Path):
    """A factory: ``mini_targets_with((old, new), ...)`` writes the mini registry with each text
    replacement applied once (``old`` must occur) to ``tmp_path/targets.yaml`` and returns that
    path."""

    def edit(*edits: tuple[str, str]) -> Path:
        text = (MINI / "targets.yaml").read_text(encoding="utf-8")
        for old, new in edits:
            assert old in text, old
            text = text.replace(old, new, 1)
        path = tmp_path / "targets.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return edit
