"""The project's promises about its own files."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        declared |= {_name(r) for r in extra}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == declared, (
        f"only in environment.yml: {sorted(conda - declared)}; "
        f"only in pyproject.toml: {sorted(declared - conda)}")
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip_section == ["-e ."]
    assert "conda-forge" in env["channels"]


def test_lock_file_pins_every_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = {_name(line.split("==")[0]): line.split("==")[1].strip()
              for line in (ROOT / "requirements.lock").read_text().splitlines()
              if "==" in line}
    declared = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        declared |= {_name(r) for r in extra}
    assert declared <= set(locked), sorted(declared - set(locked))


def test_notebooks_are_committed_clean() -> None:
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'"
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs") and cell.get("execution_count") is None, path.name
                assert "sys.path" not in "".join(cell["source"]), path.name


def test_every_shipped_observation_has_its_source() -> None:
    import csv

    files = sorted((ROOT / "data" / "observations").glob("*.csv"))
    for f in files:
        for i, row in enumerate(csv.DictReader(f.open(encoding="utf-8")), start=2):
            for col in ("source_url", "source_title", "quote"):
                assert (row.get(col) or "").strip(), f"{f.name} row {i}: empty {col}"
            assert row["source_url"].startswith(("http://", "https://")), f"{f.name} row {i}"
