"""Hardening with notebooks executed: faults during a batch, interruption, reruns and
``--resume``, escaping of data text in every report.

The fault notebooks are tests/fixtures/notebooks/{dies,hangs,slow,kills_worker}.ipynb; they run with the
``python3`` kernel. Bad commands, cache keys, safe YAML and atomic writes without a kernel:
tests/unit/test_bad_commands.py.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from dxlib import batch as runner
from dxlib.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NB = FIXTURES / "notebooks"
MINI = FIXTURES / "mini"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def fill(text: str, subst: dict[str, str]) -> str:
    """``text`` with each ``{name}`` of ``subst`` replaced (other braces, as in YAML, kept)."""
    for name, value in subst.items():
        text = text.replace("{" + name + "}", value)
    return text


# --------------------------------------------------------------------------------------------
# 2. Faults during a batch
# --------------------------------------------------------------------------------------------

FAULTS = f"""\
defaults: {{kernel: python3, timeout: 4}}
reports:
  - notebook: {NB / "report_a.ipynb"}
  - notebook: {NB / "failing.ipynb"}
  - notebook: {NB / "dies.ipynb"}
  - notebook: {NB / "hangs.ipynb"}
"""


@pytest.fixture(scope="module")
def fault_batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    manifest = write(tmp / "batch.yaml", FAULTS)
    t0 = time.perf_counter()
    result = runner.run_batch(manifest, tmp / "out", jobs=4, progress=False)
    return result, tmp / "out", time.perf_counter() - t0


@pytest.mark.notebooks
def test_faults_are_isolated_and_reported(fault_batch) -> None:
    result, out, seconds = fault_batch
    # hangs.ipynb sleeps 60 s; with the per-cell timeout of 4 s the batch ends well before that
    assert result.ok is False and seconds < 60
    runs = {r["slug"]: r for r in result.runs}
    assert {s: r["status"] for s, r in runs.items()} == {
        "report_a": "ok",
        "failing": "failed",
        "dies": "failed",
        "hangs": "failed",
    }
    dies, hangs = runs["dies"]["error"], runs["hangs"]["error"]
    # cell 3 (from 0) of dies.ipynb and of hangs.ipynb is the os._exit / time.sleep cell
    assert dies["ename"] == "DeadKernelError" and dies["cell"] == 3
    assert dies["first_line"] == "import os" and "kernel died while running this cell" in dies["evalue"]
    assert hangs["ename"] == "CellTimeoutError" and hangs["cell"] == 3
    assert "longer than the per-cell timeout of 4 s" in hangs["evalue"]
    text = result.summary_text
    assert "4 runs: 1 ok, 3 failed" in text
    assert "FAILED dies" in text and "at cell 3" in text and "DeadKernelError" in text
    assert "FAILED hangs" in text and "CellTimeoutError" in text
    # run.json says the same, and parses
    data = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert {r["slug"]: r["status"] for r in data["runs"]} == {s: r["status"] for s, r in runs.items()}
    assert {r["slug"]: r["error"] for r in data["runs"]}["hangs"] == hangs


@pytest.mark.notebooks
def test_failed_runs_keep_partial_notebooks_and_render(fault_batch) -> None:
    import nbformat

    _, out, _ = fault_batch
    for slug, printed in [("dies", "before the crash"), ("hangs", "before the hang")]:
        nb = nbformat.read(out / slug / f"{slug}.ipynb", as_version=4)
        texts = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert any(printed in t for t in texts), slug  # the partial results are kept
        page = (out / f"{slug}.html").read_text(encoding="utf-8")
        assert "This run failed." in page  # no lang parameter: English
        assert json.loads((out / slug / "metrics.json").read_text(encoding="utf-8")) == {}
    index = (out / "index.html").read_text(encoding="utf-8")
    rows = dict(re.findall(r'<tr class="run run-(\w+)" id="run-([\w-]+)">', index))
    assert set(rows) == {"ok", "failed"}
    found = {slug: st for st, slug in re.findall(r'<tr class="run run-(\w+)" id="run-([\w-]+)">', index)}
    assert found == {"report_a": "ok", "failing": "failed", "dies": "failed", "hangs": "failed"}
    assert "DeadKernelError" in index and "CellTimeoutError" in index
    assert not list(out.rglob("*.tmp"))


KILLS_WORKER = f"""\
defaults: {{kernel: python3, timeout: 20}}
reports:
  - notebook: {NB / "report_a.ipynb"}
  - notebook: {NB / "kills_worker.ipynb"}
  - notebook: {NB / "report_b.ipynb"}
"""


@pytest.mark.notebooks
def test_a_killed_worker_fails_only_its_own_run(tmp_path) -> None:
    """kills_worker.ipynb kills (SIGKILL) the pool worker that runs it: the pool breaks and
    loses every run not finished yet; those are run again alone, so only it fails."""
    manifest = write(tmp_path / "batch.yaml", KILLS_WORKER)
    result = runner.run_batch(manifest, tmp_path / "out", jobs=2, progress=False)
    runs = {r["slug"]: r for r in result.runs}
    assert {slug: r["status"] for slug, r in runs.items()} == {
        "report_a": "ok", "kills_worker": "failed", "report_b": "ok"}
    assert runs["kills_worker"]["error"]["ename"] == "BrokenProcessPool"
    for slug in ("report_a", "report_b"):
        page = (tmp_path / "out" / f"{slug}.html").read_text(encoding="utf-8")
        assert "This run failed." not in page and "BrokenProcessPool" not in page


@pytest.mark.notebooks
def test_cli_exit_status_is_non_zero_on_failure(tmp_path) -> None:
    text = f"defaults: {{kernel: python3}}\nreports:\n  - notebook: {NB / 'failing.ipynb'}\n"
    manifest = write(tmp_path / "b.yaml", text)
    result = CliRunner().invoke(main, ["reports", "--batch", str(manifest), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output
    assert "1 run: 0 ok, 1 failed" in result.output


SLOW = """\
defaults: {kernel: python3, timeout: 120}
reports:
  - notebook: {nb}
    slug: quick
    params: [{tmp}/quick.yaml]
  - notebook: {nb}
    slug: slow
    params: [{tmp}/slow.yaml]
"""


def _all_json_parses(out: Path) -> None:
    for p in out.rglob("*.json"):
        json.loads(p.read_text(encoding="utf-8"))
    for p in out.rglob("*.ipynb"):
        json.loads(p.read_text(encoding="utf-8"))


@pytest.mark.notebooks
@pytest.mark.parametrize(("kernels", "jobs"), [("fresh", "2"), ("warm", "1")])
def test_sigterm_leaves_consistent_outputs_and_rerun_completes(tmp_path, kernels, jobs) -> None:
    """SIGTERM while the slow notebook runs (on a new kernel with two workers; on the kept kernel
    that ran the quick one with one): no traceback from the kernel, consistent outputs."""
    write(tmp_path / "quick.yaml", "seconds: 0.1\n")
    write(tmp_path / "slow.yaml", "seconds: 60\n")
    text = fill(SLOW, {"nb": str(NB / "slow.ipynb"), "tmp": str(tmp_path)})
    manifest = write(tmp_path / "batch.yaml", text)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "dxlib", "reports", "--batch", str(manifest), "--out", str(out)]
    cmd += ["--jobs", jobs, "--kernels", kernels]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while not (out / "quick.html").is_file():  # the first run finished
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the quick run did not finish"
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    _all_json_parses(out)
    data = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert {r["slug"]: r["status"] for r in data["runs"]} == {"quick": "ok", "slow": "not_run"}
    assert not (out / "slow.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "quick.html" in index and "not_run" in index
    # a rerun after the interruption (the slow run made short) completes and reuses the finished run
    write(tmp_path / "slow.yaml", "seconds: 0.2\n")
    rerun = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert "2 runs: 2 ok, 0 failed; 1 reused (inputs unchanged)" in rerun.stdout
    assert (out / "slow.html").is_file()
    _all_json_parses(out)


# --------------------------------------------------------------------------------------------
# 3. Reruns: identical bytes, --resume, --only keeps earlier reports listed
# --------------------------------------------------------------------------------------------


RERUN = """\
defaults: {kernel: python3, timeout: 120}
reports:
  - notebook: {nb}/report_a.ipynb
    params: [{param_file}]
  - notebook: {nb}/report_b.ipynb
    grid: {pillar: [a, b]}
"""


@pytest.mark.notebooks
def test_rerun_resume_and_only(tmp_path) -> None:
    param_file = write(tmp_path / "a.yaml", "n: 4\n")
    manifest = write(tmp_path / "batch.yaml", fill(RERUN, {"nb": str(NB), "param_file": str(param_file)}))
    out, out2 = tmp_path / "out", tmp_path / "out2"
    first = runner.run_batch(manifest, out, jobs=3, progress=False)
    assert first.ok, first.summary_text
    # the same inputs again, from scratch: byte-identical metrics and reports
    second = runner.run_batch(manifest, out2, jobs=3, progress=False)
    assert second.ok
    for slug in ("report_a", "report_b__pillar-a", "report_b__pillar-b"):
        assert (out / slug / "metrics.json").read_bytes() == (out2 / slug / "metrics.json").read_bytes()

    # --resume: nothing changed, nothing runs, the outputs stay as they were
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.suffix in (".html", ".ipynb")}
    stamps.pop(out / "index.html")
    resumed = runner.run_batch(manifest, out, resume=True, progress=False)
    assert resumed.ok
    assert "3 runs: 3 ok, 0 failed; 3 reused (inputs unchanged)" in resumed.summary_text
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    data = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert [r["origin"] for r in data["runs"]] == ["reused"] * 3
    assert data["summary"]["reused"] == 3
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "dùng lại (đầu vào không đổi)" in index and "reused (inputs unchanged)" in index

    # a changed parameter file re-runs that report only
    write(param_file, "n: 5\n")
    changed = runner.run_batch(manifest, out, resume=True, progress=False)
    origins = {r["slug"]: r["origin"] for r in changed.runs}
    assert origins == {"report_a": "this_run", "report_b__pillar-a": "reused", "report_b__pillar-b": "reused"}
    assert json.loads((out / "report_a" / "metrics.json").read_text())["n"] == 5  # the new value

    # --only: the other reports of the folder stay listed, marked as from an earlier run
    only = runner.run_batch(manifest, out, only="report_b__pillar-b", progress=False)
    assert only.ok and [r["slug"] for r in only.runs] == ["report_b__pillar-b"]
    assert "2 earlier reports still listed" in only.summary_text
    data = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert {r["slug"]: r["origin"] for r in data["runs"]} == {
        "report_a": "earlier_run",
        "report_b__pillar-a": "earlier_run",
        "report_b__pillar-b": "this_run",
    }
    index = (out / "index.html").read_text(encoding="utf-8")
    for slug in ("report_a", "report_b__pillar-a", "report_b__pillar-b"):
        assert f'href="{slug}.html"' in index
    assert index.count('<small class="origin-earlier_run">') == 2  # marked in the details table
    # an earlier report whose HTML was deleted is no longer listed
    (out / "report_a.html").unlink()
    runner.run_batch(manifest, out, only="report_b__pillar-b", resume=True, progress=False)
    data = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert [r["slug"] for r in data["runs"]] == ["report_b__pillar-a", "report_b__pillar-b"]


# --------------------------------------------------------------------------------------------
# 4. Safe output: data text is escaped in every report and in the index; YAML is read safely
# --------------------------------------------------------------------------------------------

PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


OUTDATED = """\
defaults: {kernel: python3, timeout: 120}
reports:
  - notebook: {nb}/report_a.ipynb
  - notebook: {nb}/report_b.ipynb
"""


@pytest.mark.notebooks
def test_earlier_reports_whose_inputs_changed_are_marked_outdated(tmp_path) -> None:
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    for name in ("report_a.ipynb", "report_b.ipynb"):
        shutil.copy(NB / name, nbs / name)
    manifest = write(tmp_path / "batch.yaml", fill(OUTDATED, {"nb": str(nbs)}))
    out = tmp_path / "out"
    assert runner.run_batch(manifest, out, jobs=2, progress=False).ok
    original = (nbs / "report_b.ipynb").read_text(encoding="utf-8")
    nb = json.loads(original)
    nb["cells"].append({"cell_type": "markdown", "id": "added01", "metadata": {}, "source": ["More."]})
    write(nbs / "report_b.ipynb", json.dumps(nb))

    def listed() -> tuple[dict, str]:
        runs = json.loads((out / "run.json").read_text(encoding="utf-8"))["runs"]
        return {r["slug"]: r for r in runs}, (out / "index.html").read_text(encoding="utf-8")

    # report_b changed since its report was made: listed, but marked; report_a was just made
    only = runner.run_batch(manifest, out, only="report_a", progress=False)
    assert "1 earlier report still listed (1 outdated: inputs changed)" in only.summary_text
    runs, index = listed()
    assert runs["report_b"]["origin"] == "earlier_run" and runs["report_b"]["outdated"] is True
    assert "outdated" not in runs["report_a"]
    assert index.count('<strong class="outdated">') == 2  # its line in the vi and the en view
    assert "đã cũ: đầu vào đã thay đổi" in index and "outdated: inputs changed" in index
    assert index.count('<small class="outdated">') == 1  # and in the details table

    # the notebook as it was when the report was made: current again, no marker
    write(nbs / "report_b.ipynb", original)
    runner.run_batch(manifest, out, only="report_a", progress=False)
    runs, index = listed()
    assert runs["report_b"]["origin"] == "earlier_run" and "outdated" not in runs["report_b"]
    assert 'class="outdated"' not in index


@pytest.mark.notebooks
def test_a_second_batch_into_a_deleted_folder_writes_everything_again(tmp_path) -> None:
    """Every output is written each time, also when the same text goes to the same path again."""
    manifest = write(tmp_path / "batch.yaml",
                     f"defaults: {{kernel: python3}}\nreports:\n  - notebook: {NB / 'report_a.ipynb'}\n")
    out = tmp_path / "out"
    first = runner.run_batch(manifest, out, jobs=1, progress=False)
    assert first.ok, first.summary_text
    written = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert {str(p) for p in written} >= {"index.html", "run.json", "report_a.html",
                                         "report_a/report_a.ipynb", "report_a/metrics.json"}
    html_text = (out / "report_a.html").read_text(encoding="utf-8")
    shutil.rmtree(out)
    second = runner.run_batch(manifest, out, jobs=1, progress=False)
    assert second.ok, second.summary_text
    assert sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file()) == written
    assert (out / "report_a.html").read_text(encoding="utf-8") == html_text


@pytest.mark.notebooks
def test_payloads_in_data_are_escaped_end_to_end(tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    obs = data / "observations.csv"
    lines = obs.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    i_title, i_quote, i_note = header.index("source_title"), header.index("quote"), header.index("note")
    for k, line in enumerate(lines[1:], start=1):
        cells = line.split(",")
        if cells[1] == "online_rate":  # G-1's series, shown by 02 (G-1) and 04 (gov)
            cells[i_title] = f"Sở TT&TT {PAYLOADS[0]}"
            cells[i_quote] = f'"quote {PAYLOADS[1]}"'
            cells[i_note] = f"note {PAYLOADS[0]}"
            lines[k] = ",".join(cells)
    obs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    files = {
        "targets": str(data / "targets.yaml"),
        "observations": [str(obs)],
        "indicators": str(data / "indicators.csv"),
        "geos": str(data / "geos.csv"),
    }
    plan = write(tmp_path / "plan.yaml", yaml.safe_dump(files))
    manifest = {
        "defaults": {"kernel": "python3", "timeout": 300, "params": [str(plan)]},
        "reports": [
            {"notebook": "02_indicator_forecast", "set": {"target": "G-1", "lang": "en"}},
            {"notebook": "04_pillar_assessment", "set": {"pillar": "gov", "lang": "vi"},
             "slug": f"pillar {PAYLOADS[1]}"},
        ],
    }
    m = write(tmp_path / "batch.yaml", yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False))
    out = tmp_path / "out"
    result = runner.run_batch(m, out, jobs=2, progress=False)
    assert result.ok, result.summary_text
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 3  # two reports and the index
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for payload in PAYLOADS:
            assert payload not in text, f"unescaped {payload} in {page.name}"
        assert "<script>alert" not in text and "<img src=x" not in text
    escaped = [html.escape(p, quote=False) for p in PAYLOADS]
    for page in (out / f"{r['slug']}.html" for r in result.runs):
        text = page.read_text(encoding="utf-8")
        # the payloads are shown as text (escaped), in the evidence and in the run details
        assert escaped[0] in text or html.escape(PAYLOADS[0]) in text, page.name
    forecast = (out / f"{result.runs[0]['slug']}.html").read_text(encoding="utf-8")
    assert escaped[1] in forecast or html.escape(PAYLOADS[1]) in forecast


