"""Loaders under hostile input (issue 12): YAML and JSON read with limits, ids compared in one
Unicode form, ratio targets over a zero denominator never scored, `dx assess --geo` without
repeats. The exact messages of each bad file are in tests/fixtures/bad_inputs.yaml."""

from __future__ import annotations

import math
import os
import tracemalloc
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from dxlib.cli import main
from dxlib.data import load_dataset, load_observations, read_yaml
from dxlib.data.yamlio import MAX_DEPTH, json_depth, read_json
from dxlib.engine.attainment import assess_dataset
from dxlib.errors import DataValidationError, Problem, display_path
from dxlib.report.words import note_text

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"


def alias_bomb(levels: int = 9) -> str:
    """The "billion laughs" document: ``levels`` lists of 9 aliases of the previous list (9**9
    strings once expanded, about 400 bytes of text)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnop"
    for prev, cur in zip(names[:levels - 1], names[1:levels], strict=True):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "manifest.yaml"
    path.write_text(alias_bomb(), encoding="utf-8")
    problems: list[Problem] = []
    tracemalloc.start()
    try:
        data, lines = read_yaml(path, problems)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert data is None and lines == {}
    assert len(problems) == 1 and "more than 200000 values" in problems[0].found
    # the composed graph of a 400-byte document is a few hundred nodes: far below 20 MB, while
    # expanding 9**9 strings would need gigabytes
    assert peak < 20 * 2**20


def test_aliases_within_the_limit_are_read(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("a: &x [1, 2]\nb: *x\nc: [*x, *x]\n", encoding="utf-8")
    problems: list[Problem] = []
    data, lines = read_yaml(path, problems)
    assert problems == [] and data == {"a": [1, 2], "b": [1, 2], "c": [[1, 2], [1, 2]]}
    assert lines[("b",)] == 2


def test_nesting_at_the_limit_is_read_and_one_deeper_is_not(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("[" * MAX_DEPTH + "]" * MAX_DEPTH, encoding="utf-8")
    problems: list[Problem] = []
    assert read_yaml(path, problems)[0] is not None and problems == []
    path.write_text("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), encoding="utf-8")
    assert read_yaml(path, problems)[0] is None
    assert problems[0].found == f"lists or mappings nested more than {MAX_DEPTH} deep"


def test_json_is_read_with_the_same_limits(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text('{"a": "[[[ not nesting ]]]", "b": [1, {"c": 2.5}]}', encoding="utf-8")
    problems: list[Problem] = []
    assert read_json(path, problems) == {"a": "[[[ not nesting ]]]", "b": [1, {"c": 2.5}]}
    assert json_depth(path.read_text(encoding="utf-8")) == 3  # the string's brackets skipped
    cases = {
        "[" * 20000 + "]" * 20000: f"{path.name}: found lists or objects nested 20000 deep; "
                                   f"expected at most {MAX_DEPTH} levels of nesting",
        '{"a": NaN}': f"{path.name}: found invalid JSON (NaN is not a JSON number); "
                      "expected a well-formed JSON document",
        '{"a": 1,}': f"{path.name}, line 1, column 9: found invalid JSON (Expecting property "
                     "name enclosed in double quotes); expected a well-formed JSON document",
    }
    for text, message in cases.items():
        path.write_text(text, encoding="utf-8")
        problems = []
        assert read_json(path, problems) is None
        assert [str(p).replace(display_path(path), path.name) for p in problems] == [message]


def test_a_pillar_id_typed_in_nfd_is_the_same_pillar(tmp_path: Path) -> None:
    nfc = "kinh_tế"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    text = (MINI / "targets.yaml").read_text(encoding="utf-8")
    text = text.replace("{id: eco,", f"{{id: {nfc},").replace("pillar: eco\n", f"pillar: {nfd}\n")
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    ds = load_dataset(path, [MINI / "observations.csv"], MINI / "indicators.csv", MINI / "geos.csv")
    assert list(ds.registry.pillars.index) == ["gov", nfc]
    assert set(ds.registry.targets["pillar"]) == {"gov", nfc}


def test_display_path_of_a_symlink_loop_does_not_raise(tmp_path: Path) -> None:
    os.symlink("b", tmp_path / "a")
    os.symlink("a", tmp_path / "b")
    assert display_path(tmp_path / "a") == str(tmp_path / "a")
    with pytest.raises(DataValidationError) as err:
        load_observations([tmp_path / "a"])
    assert "symbolic link loop" in str(err.value)


def _zero_denominator(tmp_path: Path) -> Path:
    text = (MINI / "observations.csv").read_text(encoding="utf-8")
    for year, value in (("2021", "60000"), ("2022", "66000"), ("2023", "72000"),
                        ("2024", "79000")):
        text = text.replace(f"tinh_a,retail_sales,{year},{value},", f"tinh_a,retail_sales,{year},0,")
    path = tmp_path / "obs.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _mini_args(obs: Path) -> list[str]:
    return ["--targets", str(MINI / "targets.yaml"), "--observations", str(obs),
            "--indicators", str(MINI / "indicators.csv"), "--geos", str(MINI / "geos.csv")]


def test_assess_refuses_a_ratio_over_a_zero_denominator(tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    r = CliRunner().invoke(main, ["assess", *_mini_args(_zero_denominator(tmp_path)),
                                  "--output", str(out)])
    assert r.exit_code == 2 and not out.exists()
    assert "targets[5] (E-2).denominator: found 'retail_sales', whose value for tinh_a in 2021 " \
           "is 0" in r.output
    assert "Traceback" not in r.output


def test_engine_never_scores_an_infinite_ratio(tmp_path: Path) -> None:
    """Called directly (without dxlib.data.checks), the engine leaves such a target unscored."""
    ds = load_dataset(MINI / "targets.yaml", [_zero_denominator(tmp_path)],
                      MINI / "indicators.csv", MINI / "geos.csv")
    row = assess_dataset(ds).set_index("target_id").loc["E-2"]
    assert row["status"] == "insufficient_data"
    assert note_text(row["note"], "en") == "the denominator is 0 in 2021: the ratio is undefined"
    assert not (isinstance(row["last_value"], float) and math.isinf(row["last_value"]))


@pytest.mark.parametrize("geo, found", [
    ("tinh_a,tinh_a", "found tinh_a more than once; expected each geo once"),
    ("tinh_a, tinh_b ,tinh_a,tinh_b", "found tinh_a, tinh_b more than once; expected each geo once"),
    (",", "found ','; expected 'all' or comma-separated geo ids"),
])
def test_assess_geo_list_without_repeats(tmp_path: Path, geo: str, found: str) -> None:
    out = tmp_path / "a.csv"
    r = CliRunner().invoke(main, ["assess", *_mini_args(MINI / "observations.csv"),
                                  "--geo", geo, "--output", str(out)])
    assert r.exit_code == 2 and not out.exists()
    assert r.output.strip().endswith(f"Invalid value for --geo: {found}")
