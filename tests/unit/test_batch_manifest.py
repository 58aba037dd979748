"""The batch runner's units, no kernel started: parameter checking inside a notebook
(dxlib.batch.nbtools), metrics, slugs, manifest layering and validation, atomic writes.
(Batches that execute notebooks: tests/integration/test_runner.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from dxlib import batch as runner
from dxlib.batch import nbtools
from dxlib.batch.kernels import DEFAULT_KERNELS
from dxlib.errors import ParameterError
from dxlib.fileio import atomic_write_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
REPORT_A = FIXTURES / "report_a.ipynb"
REPORT_B = FIXTURES / "report_b.ipynb"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _globals_after_injection(injected: str, **values) -> dict:
    params_cell = nbformat.read(REPORT_A, as_version=4).cells[1].source
    glb = {"lang": "vi", "n": 2, "label": "mặc định", "ratio": 0.5, **values}
    glb["In"] = ["", params_cell, injected, "params = ..."]
    return glb


def test_check_parameters_in_process():
    glb = _globals_after_injection("# Parameters\nn = 5\nratio = 1\n", n=5, ratio=1)
    ns = nbtools.check_parameters(glb, str(REPORT_A))
    assert (ns.n, ns.ratio, ns.lang) == (5, 1, "vi")  # int accepted for float
    glb = _globals_after_injection('# Parameters\nn = "5"\n', n="5")
    with pytest.raises(ParameterError, match=r"parameter 'n': found str '5'; expected int"):
        nbtools.check_parameters(glb, str(REPORT_A))
    glb = _globals_after_injection("# Parameters\nlabl = 'x'\n", labl="x")
    with pytest.raises(ParameterError, match=r"did you mean 'label'\?"):
        nbtools.check_parameters(glb, str(REPORT_A))
    # the notebook file is not there (remote worker): the executed parameters cell is used
    glb = _globals_after_injection("# Parameters\nlabl = 'x'\n", labl="x")
    with pytest.raises(ParameterError, match=r"did you mean 'label'\?"):
        nbtools.check_parameters(glb, "no_such_notebook_here")
    # interactive session, nothing injected: defaults validated
    ns = nbtools.check_parameters({"lang": "vi", "n": 2, "label": "x", "ratio": 0.5, "In": []}, str(REPORT_A))
    assert ns.n == 2


def test_type_rules():
    spec = nbtools.parameters_from_source(
        'a = 1\nb = 1.5\nc = "x"\nd = True\ne = None\nf: list[str] = []\n'
        "g: float | None = None\nh = [1, 2]\ni = {'k': 1}\nj = ROOT / 'x'\n"
    )
    ok = {
        "a": 2,
        "b": 2,
        "c": "y",
        "d": False,
        "e": object(),
        "f": ["x"],
        "g": None,
        "h": [],
        "i": {},
        "j": 3,
    }
    for name, value in ok.items():
        assert nbtools.check_value(spec[name], value) is None, name
    bad = {"a": True, "b": "1.5", "c": 1, "d": 1, "f": [1], "g": "x", "h": "ab", "i": []}
    for name, value in bad.items():
        assert nbtools.check_value(spec[name], value) is not None, name
    assert nbtools.check_value(spec["g"], 3) is None  # int accepted for float


def test_record_and_read_metrics():
    np = pytest.importorskip("numpy")
    data = nbtools.to_jsonable(
        {"a": np.float64(1.5), "b": np.int64(2), "c": float("nan"), "d": np.array([1, 2]), "e": (1, 2)}
    )
    assert data == {"a": 1.5, "b": 2, "c": None, "d": [1, 2], "e": [1, 2]}
    assert type(data["b"]) is int
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    out = lambda d: nbformat.v4.new_output(  # noqa: E731
        "display_data", data={nbtools.METRICS_MIME: d, "text/plain": ""}
    )
    nb.cells[0].outputs = [out({"a": 1, "b": 1}), out({"b": 2})]
    assert nbtools.read_metrics(nb) == {"a": 1, "b": 2}
    with pytest.raises(TypeError):
        nbtools.to_jsonable({"x": object()})


# --------------------------------------------------------------------------------------------
# Slugs, manifest validation, atomic writes
# --------------------------------------------------------------------------------------------


def test_slugify_vietnamese():
    assert runner.slugify("Kinh tế số") == "kinh_te_so"
    assert runner.slugify("Đắk Lắk – Hạ tầng số") == "dak_lak_ha_tang_so"
    assert runner.slugify("Nghệ An 2025!") == "nghe_an_2025"
    assert runner.slugify(["vi", "en"]) == "vi-en"
    assert runner.slugify("../../etc/passwd") == "etc_passwd"


def test_a_slug_is_kept_as_written(tmp_path):
    # "report_b__fast" is already a slug: kept (it used to become "report_b_fast", so --only
    # with the written slug found nothing); "Trụ cột" is not, so it is slugified
    m = write(tmp_path / "m.yaml", f"""\
reports:
  - notebook: {REPORT_B}
    slug: report_b__fast
    grid: {{lang: [vi, en]}}
  - notebook: {REPORT_B}
    slug: Trụ cột
    set: {{lang: vi}}
""")
    assert [r.slug for r in runner.load_manifest(m)] == [
        "report_b__fast__lang-vi", "report_b__fast__lang-en", "tru_cot__lang-vi"]
    assert [r.slug for r in runner.load_manifest(m, only="report_b__fast")] == [
        "report_b__fast__lang-vi", "report_b__fast__lang-en"]


def test_slugs_and_layering(tmp_path):
    common = write(tmp_path / "common.yaml", "lang: en\nratio: 0.25\npillar: digital_economy\n")
    a_file = write(tmp_path / "a.yaml", "n: 7\nlabel: từ tệp\n")
    m = write(
        tmp_path / "m.yaml",
        f"""\
defaults: {{params: [{common}]}}
reports:
  - notebook: {REPORT_A}
    params: [{a_file}]
    grid: {{n: [1, 2]}}
    set: {{label: Hà Nội}}
  - notebook: {REPORT_B}
    slug: Trụ cột
    grid: {{pillar: [a, b], lang: [vi, en]}}
""",
    )
    runs = runner.load_manifest(m)
    slugs = [r.slug for r in runs]
    assert slugs == [
        "report_a__n-1__label-ha_noi",
        "report_a__n-2__label-ha_noi",
        "tru_cot__pillar-a__lang-vi",
        "tru_cot__pillar-a__lang-en",
        "tru_cot__pillar-b__lang-vi",
        "tru_cot__pillar-b__lang-en",
    ]
    assert runs[0].parameters == {"lang": "en", "ratio": 0.25, "n": 1, "label": "Hà Nội"}
    assert runs[0].param_files == [common, a_file]
    assert runs[2].parameters == {"lang": "vi", "pillar": "a"}  # ratio: not declared by B
    assert runs[0].kernel == runner.DEFAULT_KERNEL and runs[0].timeout == runner.DEFAULT_TIMEOUT
    assert [r.slug for r in runner.load_manifest(m, only="tru_cot__*__lang-en")] == [
        "tru_cot__pillar-a__lang-en",
        "tru_cot__pillar-b__lang-en",
    ]
    assert len(runner.load_manifest(m, only="label-ha_noi")) == 2
    with pytest.raises(ParameterError, match="no run matches"):
        runner.load_manifest(m, only="nothing_like_this")


def _problems(tmp_path: Path, text: str) -> str:
    m = write(tmp_path / "bad.yaml", text)
    with pytest.raises(ParameterError) as info:
        runner.load_manifest(m)
    return str(info.value)


def test_validation_errors_are_collected(tmp_path):
    msg = _problems(
        tmp_path,
        f"""\
defaults: {{kernel: python3, timout: 5}}
reports:
  - notebook: {REPORT_A}
    set: {{nn: 3}}
    colour: red
  - notebook: no_such_notebook
  - notebook: {REPORT_A}
    set: {{n: "three"}}
  - notebook: {REPORT_A}
    params: [{tmp_path}/missing.yaml]
  - notebook: {REPORT_B}
    grid: {{pillar: [a, a]}}
""",
    )
    # 7 = the problems planted above: timout, colour, nn, no_such_notebook, "three", missing.yaml,
    # the duplicate slug
    assert msg.startswith("7 problems in the manifest ")
    assert "bad.yaml" in msg.splitlines()[0]
    assert "defaults.timout: found unknown key 'timout'" in msg and "did you mean 'timeout'?" in msg
    assert "reports[0].colour: found unknown key 'colour'" in msg
    assert "reports[0].set.nn: found parameter 'nn', which report_a does not declare" in msg
    assert "did you mean 'n'?" in msg
    assert "reports[1].notebook: found 'no_such_notebook', which does not exist" in msg
    assert "reports[2].set.n: found str 'three'; expected int" in msg
    assert "reports[3].params[0]: found" in msg and "missing.yaml', which does not exist" in msg
    assert "reports[4]: found duplicate slug 'report_b__pillar-a'" in msg


def test_validation_of_parameter_files_and_yaml(tmp_path):
    not_mapping = write(tmp_path / "list.yaml", "- a\n- b\n")
    typo = write(tmp_path / "typo.yaml", "piller: x\n")
    msg = _problems(
        tmp_path,
        f"""\
defaults: {{params: [{typo}]}}
reports:
  - notebook: {REPORT_B}
    params: [{not_mapping}]
    grid: {{pillar: x}}
""",
    )
    assert "holding a list; expected a mapping of parameter names to values" in msg
    assert "reports[0].grid.pillar: found 'x'; expected a non-empty list of values" in msg
    assert "which no notebook of the manifest declares" in msg and "did you mean 'pillar'?" in msg
    dup = write(tmp_path / "dup.yaml", "reports:\n  - notebook: a\n    notebook: b\n")
    with pytest.raises(ParameterError, match="the key 'notebook' appears twice"):
        runner.load_manifest(dup)
    unsafe = write(tmp_path / "unsafe.yaml", "reports: !!python/object/apply:os.system [ls]\n")
    with pytest.raises(ParameterError, match="found invalid YAML"):
        runner.load_manifest(unsafe)
    reserved = write(tmp_path / "reserved.yaml", f"reports:\n  - notebook: {REPORT_B}\n    slug: index\n")
    with pytest.raises(ParameterError, match="slug 'index'"):
        runner.load_manifest(reserved)


def test_atomic_write(tmp_path, monkeypatch):
    target = tmp_path / "sub" / "f.json"
    runner.write_json(target, {"b": 1, "a": "đ"})
    assert target.read_text(encoding="utf-8") == '{\n  "a": "đ",\n  "b": 1\n}\n'
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # readable like a normal file

    def boom(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "half")
    assert target.read_text(encoding="utf-8") == '{\n  "a": "đ",\n  "b": 1\n}\n'
    assert [p.name for p in target.parent.iterdir()] == ["f.json"]  # temp file removed


def test_atomic_write_writes_every_time(tmp_path):
    """The same text written to the same path again (after the file was deleted) is written."""
    target = tmp_path / "page.html"
    atomic_write_text(target, "<p>đ</p>")
    target.unlink()
    atomic_write_text(target, "<p>đ</p>")
    assert target.read_text(encoding="utf-8") == "<p>đ</p>"
    runner.write_json(target, {"a": 1})
    target.unlink()
    runner.write_json(target, {"a": 1})
    assert target.read_text(encoding="utf-8") == '{\n  "a": 1\n}\n'


def test_kernel_mode_in_the_manifest(tmp_path):
    default = write(tmp_path / "default.yaml", f"reports:\n  - notebook: {REPORT_A}\n")
    assert [r.kernels for r in runner.load_manifest(default)] == [DEFAULT_KERNELS]
    assert runner.load_manifest(default)[0].payload()["kernels"] == DEFAULT_KERNELS
    warm = write(tmp_path / "warm.yaml", f"defaults: {{kernels: warm}}\nreports:\n  - notebook: {REPORT_A}\n")
    assert runner.load_manifest(warm)[0].payload()["kernels"] == "warm"
    msg = _problems(tmp_path, f"defaults: {{kernels: lukewarm}}\nreports:\n  - notebook: {REPORT_A}\n")
    assert "line 1, defaults.kernels: found 'lukewarm'; expected 'fresh' or 'warm'" in msg
