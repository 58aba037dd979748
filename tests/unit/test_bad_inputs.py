"""The corpus of malformed inputs (tests/fixtures/bad_inputs.yaml): each gives its exact message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dxlib.data import load_dataset
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
        if not case.get("missing"):
            target.write_bytes(case["content"].encode(case.get("encoding", "utf-8")))
    files[which] = target
    return files


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_gives_its_message(case: dict, tmp_path: Path) -> None:
    files = materialise(case, tmp_path)
    with pytest.raises(DataValidationError) as err:
        load_dataset(files["targets"], [files["observations"]], files["indicators"], files["geos"])
    lines = [f"- {p}" for p in err.value.problems]
    shown = display_path(files[case["replaces"]])
    for expected in case["expected"]:
        assert "- " + expected.format(file=shown) in lines, "\n".join(lines)


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40  # floor set when the corpus was asked for; 61 cases at 613ad21
    assert len({c["id"] for c in CASES}) == len(CASES)
