"""Hardening of the `dx` command line (issue 12): `dx forecast` input checks, data paths that are
not readable files, outputs that would overwrite an input or another output or cannot be written,
all-or-nothing writing, and terminal output without control characters.

The corpus is tests/fixtures/bad_cli_inputs.yaml (see its header for the format).
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from dxlib import paths
from dxlib.cli import main, terminal_text
from dxlib.errors import DataValidationError, ParameterError
from dxlib.fileio import check_outputs, write_atomic_many

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MINI = FIXTURES / "mini"
CASES = yaml.safe_load((FIXTURES / "bad_cli_inputs.yaml").read_text(encoding="utf-8"))["cases"]
DEFAULT_ARGS = ["forecast", "--input", "{tmp}/in.csv", "--horizon", "3", "--output",
                "{tmp}/out.csv"]
SERIES = "series_id,year,value\na,2020,1\na,2021,2\na,2022,3\n"


def run(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result, result.output  # stdout and stderr


def snapshot(folder: Path) -> dict[str, object]:
    """Every entry below ``folder`` (symbolic links not followed): file bytes, link targets,
    'dir' or 'special'."""
    out: dict[str, object] = {}
    for base, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(base) / name
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[str(p)] = ("link", os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                out[str(p)] = p.read_bytes()
            else:
                out[str(p)] = "dir" if stat.S_ISDIR(st.st_mode) else "special"
    return out


def _setup(case: dict, tmp: Path) -> None:
    if "input" in case:
        (tmp / "in.csv").write_bytes(case["input"].encode(case.get("encoding", "utf-8")))
    for name, text in case.get("files", {}).items():
        (tmp / name).write_text(text, encoding="utf-8")
    for line in case.get("setup", []):
        op, *names = line.split()
        if op == "mkdir":
            (tmp / names[0]).mkdir()
        elif op == "symlink":
            os.symlink(names[1], tmp / names[0])
        elif op == "hardlink":
            os.link(tmp / names[1], tmp / names[0])
        elif op == "fifo":
            os.mkfifo(tmp / names[0])
        else:  # pragma: no cover - a typo in the fixture
            raise ValueError(line)


def _fill(text: str, tmp: Path) -> str:
    return text.replace("{tmp}", str(tmp)).replace("{root}", str(paths.ROOT))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_cli_input_gives_its_message_and_changes_nothing(case: dict, tmp_path: Path) -> None:
    _setup(case, tmp_path)
    before = snapshot(tmp_path)
    result, text = run(*[_fill(a, tmp_path) for a in case.get("args", DEFAULT_ARGS)])
    assert result.exit_code == case.get("exit", 2), text
    assert "Traceback" not in text
    assert result.exception is None or isinstance(result.exception, SystemExit), text
    for expected in case["expected"]:
        assert _fill(expected, tmp_path) in text, text
    assert snapshot(tmp_path) == before, "something was written or changed"


def test_corpus_of_bad_input_has_150_cases_with_unique_ids() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    data = yaml.safe_load((FIXTURES / "bad_inputs.yaml").read_text(encoding="utf-8"))["cases"]
    commands = yaml.safe_load((FIXTURES / "bad_commands.yaml").read_text(encoding="utf-8"))["cases"]
    assert len(CASES) >= 60
    assert len(CASES) + len(data) + len(commands) >= 150


# ------------------------------------------------------------------------- no input overwritten


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "dotdot"])
def test_forecast_never_overwrites_its_input(tmp_path: Path, how: str) -> None:
    src = tmp_path / "in.csv"
    src.write_text(SERIES, encoding="utf-8")
    out = {"same": src, "symlink": tmp_path / "l.csv", "hardlink": tmp_path / "h.csv",
           "dotdot": tmp_path / "d" / ".." / "in.csv"}[how]
    if how == "symlink":
        out.symlink_to(src)
    elif how == "hardlink":
        os.link(src, out)
    elif how == "dotdot":
        (tmp_path / "d").mkdir()
    result, text = run("forecast", "--input", src, "--horizon", "2", "--output", out)
    assert result.exit_code == 2 and "the input file of --input" in text
    assert src.read_text(encoding="utf-8") == SERIES


def test_assess_never_overwrites_a_given_observation_file(tmp_path: Path) -> None:
    obs = tmp_path / "obs.csv"
    obs.write_bytes((MINI / "observations.csv").read_bytes())
    result, text = run("assess", "--targets", MINI / "targets.yaml", "--indicators",
                       MINI / "indicators.csv", "--geos", MINI / "geos.csv", "--observations",
                       obs, "--output", tmp_path / "a.csv", "--pillars-output", obs)
    assert result.exit_code == 2 and "the input file of --observations" in text, text
    assert obs.read_bytes() == (MINI / "observations.csv").read_bytes()
    assert not (tmp_path / "a.csv").exists()


# ------------------------------------------------------------------------- all or nothing


def test_a_failing_second_output_leaves_no_first_output(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result, text = run("assess", "--output", tmp_path / "a.csv", "--pillars-output",
                       tmp_path / "file" / "p.csv")
    assert result.exit_code == 2 and "which is a file, not a folder" in text, text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_write_atomic_many_writes_all_or_nothing(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(OSError):
        write_atomic_many([(tmp_path / "a.csv", b"1"), (tmp_path / "x" / "y" / "c.csv", b"3"),
                           (tmp_path / "file" / "b.csv", b"2")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # no a.csv, temporary, x/y/
    written = write_atomic_many([(tmp_path / "a.csv", b"1"), (tmp_path / "new" / "b.csv", b"2")])
    assert [p.read_bytes() for p in written] == [b"1", b"2"]
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.csv", "b.csv", "file", "new"]


def test_assess_writes_both_outputs_after_the_checks(tmp_path: Path) -> None:
    out, pillars = tmp_path / "sub" / "a.csv", tmp_path / "sub" / "deeper" / "p.csv"
    result, text = run("assess", "--targets", MINI / "targets.yaml", "--indicators",
                       MINI / "indicators.csv", "--geos", MINI / "geos.csv", "--observations",
                       MINI / "observations.csv", "--output", out, "--pillars-output", pillars)
    assert result.exit_code == 0, text
    assert len(pd.read_csv(out)) == 8 and pd.read_csv(pillars)["pillar"].iloc[-1] == "all"
    assert {p.name for p in tmp_path.rglob("*")} == {"sub", "deeper", "a.csv", "p.csv"}


def test_read_only_mount_is_refused_before_any_work(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(ro)],
                             capture_output=True).returncode == 0 if os.geteuid() == 0 else False
    if not mounted:
        pytest.skip("cannot mount a read-only file system here")
    try:
        src = tmp_path / "in.csv"
        src.write_text(SERIES, encoding="utf-8")
        result, text = run("forecast", "--input", src, "--horizon", "2", "--output",
                           ro / "out.csv")
        assert result.exit_code == 2, text
        assert (f"error: --output: found {ro}/out.csv, in the folder {ro}, where no file can be "
                "written (Read-only file system)") in text
    finally:
        subprocess.run(["umount", str(ro)], check=True)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_input_is_one_line(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(SERIES, encoding="utf-8")
    src.chmod(0)
    result, text = run("forecast", "--input", src, "--horizon", "2", "--output",
                       tmp_path / "o.csv")
    assert result.exit_code == 2
    assert f"- {src}: found a file that cannot be read (Permission denied); expected a readable "\
           "file (--input)" in text


def test_check_outputs_probe_leaves_nothing(tmp_path: Path) -> None:
    check_outputs({"--output": tmp_path / "a" / "b.csv"}, {"--input": [None]})
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ParameterError):
        check_outputs({"--output": tmp_path}, {})


# ------------------------------------------------------------------------- valid input still works


def test_forecast_accepts_every_kind_at_its_limits(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "series_id,year,value,kind,lower,upper\n"
        "sh,2020,0,share,,\nsh,2021,50,share,,\nsh,2022,100,share,,\n"
        "ix,1900,-1,index,-1,1\nix,1901,1,index,-1,1\n"
        "rk,2020,63,rank,1,63\nrk,2021,1,rank,,63\nrk,2022,2,rank,,63\n"
        "ct,2020,0,count,,\nct,2021,3,count,,\nct,2022,7,,,\n"
        "lv,2020,1e18,level,,\nlv,2021,2e17,level,,\n"
        "raw,2020,-5,,,\nraw,2021,0,,,\nraw,2022,1e18,,,\n"
        "one,2100,5,,,\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result, text = run("forecast", "--input", src, "--horizon", "50", "--output", out)
    assert result.exit_code == 0, text
    table = pd.read_csv(out)
    made = table[table["h"].notna()]
    assert set(made["series_id"]) == {"sh", "ix", "rk", "ct", "lv", "raw"}
    q = made[["point", "q_0.1", "q_0.5", "q_0.9"]]
    assert q.abs().max().max() < float("inf")
    sh = made[made["series_id"] == "sh"]
    assert sh["q_0.9"].max() <= 100 and sh["q_0.1"].min() >= 0
    assert (made.loc[made["series_id"] == "ct", "q_0.1"] >= 0).all()
    assert (made.loc[made["series_id"] == "lv", "q_0.1"] > 0).all()
    rk = made[made["series_id"] == "rk"]
    assert rk["q_0.1"].min() >= 1 and rk["q_0.9"].max() <= 63
    assert table.loc[table["series_id"] == "one", "note"].iloc[0].startswith("one observation")


# ------------------------------------------------------------------------- terminal


def test_terminal_text_shows_control_characters_as_escapes() -> None:
    assert terminal_text("Kế hoạch\tA\nB") == "Kế hoạch\tA\nB"
    assert terminal_text("\x1b[2J\x07x\r\x9b\u202eY\x7f") == "\\x1b[2J\\x07x\\x0d\\x9b\\u202eY\\x7f"


def test_validate_prints_no_escape_sequence_from_a_registry(tmp_path: Path) -> None:
    text = (MINI / "targets.yaml").read_text(encoding="utf-8")
    assert "title_en: Test plan" in text
    targets = tmp_path / "t.yaml"
    targets.write_text(text.replace("title_en: Test plan",
                                    'title_en: "Test \\e]0;pwned\\a\\e[2J plan\\u202e"'),
                       encoding="utf-8")
    result, out = run("validate", "--targets", targets, "--observations", MINI / "observations.csv",
                      "--indicators", MINI / "indicators.csv", "--geos", MINI / "geos.csv")
    assert result.exit_code == 0, out
    assert "Test \\x1b]0;pwned\\x07\\x1b[2J plan\\u202e" in out
    assert not any(ch in out for ch in "\x1b\x07\u202e")


def test_error_messages_carry_no_raw_control_characters(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("series_id,year,value\na,2020,\x1b[31m12\na,2021,5\n", encoding="utf-8")
    result, out = run("forecast", "--input", src, "--horizon", "2", "--output", tmp_path / "o.csv")
    assert result.exit_code == 2
    assert "found '\\x1b[31m12'" in out and "\x1b" not in out


def test_forecast_input_errors_are_data_validation_errors(tmp_path: Path) -> None:
    from dxlib.fileio import read_forecast_input

    src = tmp_path / "in.csv"
    src.write_text("series_id,year,value\na,2020,1\na,2020,2\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        read_forecast_input(src)
    assert len(err.value.problems) == 1
    src.write_text(SERIES, encoding="utf-8")
    frame = read_forecast_input(src)
    assert list(frame.columns) == ["series_id", "year", "value"]
    assert frame["year"].dtype == "int64" and frame["value"].tolist() == [1.0, 2.0, 3.0]


def test_usage_errors_carry_no_raw_control_characters(tmp_path: Path) -> None:
    result, out = run("assess", "--geo", "x\x1b[2Jy", "--output", tmp_path / "o.csv")
    assert result.exit_code == 2 and "found x\\x1b[2Jy;" in out and "\x1b" not in out
