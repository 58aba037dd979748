"""The corpus of malformed inputs (tests/fixtures/bad_inputs.yaml): each gives its exact message."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from dxlib.data import load_dataset
from dxlib.data.checks import check_dataset
from dxlib.errors import DataValidationError, display_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MINI = FIXTURES / "mini"
CASES = yaml.safe_load((FIXTURES / "bad_inputs.yaml").read_text(encoding="utf-8"))["cases"]


def materialise(case: dict, tmp_path: Path) -> dict[str, Path]:
    """The valid mini set with one file replaced as the case says."""
    files = {
        "targets": MINI / "targets.yaml",
        "observations": MINI / "observations.csv",
        "indicators": MINI / "indicators.csv",
        "geos": MINI / "geos.csv",
    }
    which = case["replaces"]
    if "substitute" in case:
        text = files[which].read_text(encoding="utf-8")
        for old, new in case["substitute"]:
            old, new = old.replace("\\n", "\n"), new.replace("\\n", "\n")
            assert old in text, f"{case['id']}: {old!r} not in {files[which].name}"
            text = text.replace(old, new, 1)
        target = tmp_path / files[which].name
        target.write_text(text, encoding="utf-8")
    else:
        target = tmp_path / case["filename"]
        make = case.get("make")
        if make == "directory":
            target.mkdir()
        elif make == "symlink_loop":
            os.symlink(target.name + ".other", target)
            os.symlink(target.name, tmp_path / (target.name + ".other"))
        elif make == "dangling_symlink":
            os.symlink("nothing-here" + target.suffix, target)
        elif make == "device":
            os.symlink("/dev/zero", target)
        elif make == "below_file":
            (tmp_path / "plain").write_text("a file, not a folder", encoding="utf-8")
            target = tmp_path / "plain" / case["filename"]
        elif "workbook" in case:
            write_workbook(case["workbook"], target)
        elif "content_parts" in case:  # [text, times] pairs: large or deeply nested documents
            target.write_text("".join(t * n for t, n in case["content_parts"]), encoding="utf-8")
        elif not case.get("missing"):
            target.write_bytes(case["content"].encode(case.get("encoding", "utf-8")))
    files[which] = target
    return files


def write_workbook(sheets: list[dict[str, Any]], target: Path) -> None:
    """An .xlsx file of ``sheets`` (title, rows); a cell given as a mapping has a ``value`` and a
    number ``format``; text starting with '=' is written as a formula (no stored result)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet["title"])
        for r, row in enumerate(sheet["rows"], start=1):
            for c, cell in enumerate(row, start=1):
                if isinstance(cell, dict):
                    ws.cell(r, c, cell["value"]).number_format = cell["format"]
                else:
                    ws.cell(r, c, cell)
    wb.save(target)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_gives_its_message(case: dict, tmp_path: Path) -> None:
    files = materialise(case, tmp_path)
    with pytest.raises(DataValidationError) as err:
        ds = load_dataset(files["targets"], [files["observations"]], files["indicators"],
                          files["geos"])
        if case.get("check") == "dataset":  # the checks dx assess and the notebooks make next
            check_dataset(ds)
    lines = [f"- {p}" for p in err.value.problems]
    shown = {k: display_path(v) for k, v in files.items()}
    for expected in case["expected"]:
        line = "- " + expected.format(file=shown[case["replaces"]], **shown)
        assert line in lines, "\n".join(lines)


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 100  # floor: issue 12 asks for 150 with the CLI corpus (bad_cli_inputs.yaml)
    assert len({c["id"] for c in CASES}) == len(CASES)
