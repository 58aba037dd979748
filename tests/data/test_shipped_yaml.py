"""The shipped YAML files (registries, parameter files, the batch manifest) read within the limits
of dxlib.data.yamlio: the registries use anchors and aliases (``evidence: *id001``), which stay
allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from dxlib.data import read_yaml
from dxlib.errors import Problem

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted([*(ROOT / "data" / "targets").glob("*.yaml"), *(ROOT / "params").rglob("*.yaml")])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_yaml_reads_within_the_limits(path: Path) -> None:
    problems: list[Problem] = []
    data, _ = read_yaml(path, problems)
    assert problems == [] and data
