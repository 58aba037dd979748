"""Warm kernels (``dx reports --kernels warm``, :mod:`dxlib.batch.kernels`): one kept kernel per
worker runs notebook after notebook; nothing of one notebook may reach the next, a notebook that
fails or kills its kernel hands on a new one, and the whole default batch gives the same bytes
as with a fresh kernel per notebook.

The small notebooks run with ``jobs=1``: one worker, so one kernel, in manifest order.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest
import yaml

from dxlib import paths
from dxlib.batch import run_batch
from dxlib.batch.nbtools import INJECTED_TAG

pytestmark = pytest.mark.notebooks

#: Changes every kind of state a warm kernel must not hand on.
SPOIL = """\
import os, warnings, logging
import matplotlib, numpy, pandas
import dxlib.paths
from dxlib.engine.forecast import load_profile
from dxlib.report import plots
leaked_global = 1
warnings.simplefilter("error")
matplotlib.rcParams["lines.linewidth"] = 7.0
os.environ["DX_LEAKED"] = "1"
pandas.set_option("display.max_rows", 3)
numpy.set_printoptions(precision=2)
logging.getLogger().setLevel(logging.DEBUG)
dxlib.paths.LEAKED = 1
load_profile()
for name, value in list(vars(plots).items()):  # module-level flags, e.g. "theme applied once"
    if isinstance(value, bool):
        setattr(plots, name, not value)
import matplotlib.pyplot as plt
plt.figure()
os.chdir("/")
import builtins, decimal, random, sys
import dxlib.report.words
numpy.random.seed(7)
random.seed(7)
builtins.LEAKED = 1
builtins.ascii = lambda obj: "leaked"
sys.setrecursionlimit(123456)
os.umask(0o077)
decimal.getcontext().prec = 3
logging.disable(logging.CRITICAL)
dxlib.report.words.STATUS_WORDS["off_track"] = ("Đã đạt", "Achieved")
dxlib.report.words.LABELS.clear()
ip = get_ipython()
ip.run_line_magic("config", "InlineBackend.figure_formats = ['svg']")
ip.run_line_magic("config", "InteractiveShell.ast_node_interactivity = 'all'")
ip.display_formatter.formatters["text/plain"].for_type(float, lambda o, p, cycle: p.text("LEAKED"))
ip.events.register("post_run_cell", lambda result: print("LEAKED"))
"""

#: Records what a notebook sees of that state (the same in a fresh kernel and after a reset).
OBSERVE = """\
import os, warnings, logging
import matplotlib, numpy, pandas
import matplotlib.pyplot as plt
import dxlib.paths
from dxlib.engine.forecast import load_profile
from dxlib.report import plots
import dxlib.batch.nbtools as nbt
shown, show = [], warnings.showwarning
warnings.showwarning = lambda message, *args, **kwargs: shown.append(str(message))
numpy.mean([])  # shown unless this process showed it before from the same place
warnings.showwarning = show
import builtins, decimal, random, sys
import dxlib.report.words
ip = get_ipython()
mask = os.umask(0o022)
os.umask(mask)
fig = plt.figure()
figure_types = sorted(ip.display_formatter.format(fig)[0])
plt.close(fig)
draw = float(numpy.random.random_sample())
nbt.record({"draw": draw, "draw_py": random.random()})
nbt.record({
    "np_seeded_7": draw == numpy.random.RandomState(7).random_sample(),
    "builtins": [hasattr(builtins, "LEAKED"), ascii(1)],
    "recursion_limit": sys.getrecursionlimit(),
    "umask": mask,
    "decimal_prec": decimal.getcontext().prec,
    "log_disabled": logging.root.manager.disable,
    "status_words": dxlib.report.words.STATUS_WORDS["off_track"],
    "labels": len(dxlib.report.words.LABELS),
    "figure_types": figure_types,
    "float_text": ip.display_formatter.format(1.5)[0]["text/plain"],
    "interactivity": ip.ast_node_interactivity,
    "post_run_cell": len(ip.events.callbacks["post_run_cell"]),
})
nbt.record({
    "warnings_shown": shown,
    "globals": seen,
    "history": history,
    "error_filters": sum(f[0] == "error" for f in warnings.filters),
    "linewidth": matplotlib.rcParams["lines.linewidth"],
    "backend": matplotlib.get_backend(),
    "environ": os.environ.get("DX_LEAKED"),
    "max_rows": pandas.get_option("display.max_rows"),
    "precision": numpy.get_printoptions()["precision"],
    "log_level": logging.getLogger().level,
    "module_global": getattr(dxlib.paths, "LEAKED", None),
    "cache": load_profile.cache_info().currsize,
    "flags": {k: v for k, v in vars(plots).items() if isinstance(v, bool)},
    "figures": plt.get_fignums(),
    "cwd": os.getcwd(),
})
nbt.record({"pid": os.getpid()})
"""


def _notebook(folder: Path, stem: str, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "python3", "language": "python"}
    path = folder / f"{stem}.ipynb"
    nbformat.write(nb, path)
    return path


def _batch(tmp: Path, stems: list[str], kernels: str, timeout: float = 120) -> dict[str, dict]:
    folder = tmp / "nb"
    folder.mkdir(exist_ok=True)
    sources = {
        "observe": ["seen = sorted(k for k in globals() if not k.startswith('_'))\nhistory = list(In)",
                    OBSERVE],
        "spoil": [SPOIL],
        # RuntimeWarnings, shown once per place per process (unless the filters change)
        "warns": ["import numpy\nnumpy.mean([])"],
        "raises": ["raise ValueError('boom')"],
        "dies": ["import os\nos._exit(1)"],
        "hangs": ["import time\ntime.sleep(120)"],
        "stderr": ["import os\nimport dxlib.batch.nbtools as nbt\n"
                   "nbt.record({'stderr': os.readlink('/proc/self/fd/2')})"],
    }
    reports = []
    for i, stem in enumerate(stems):
        path = _notebook(folder, stem, *sources[stem])
        reports.append({"notebook": str(path), "slug": f"{i:02d}_{stem}"})
    manifest = tmp / f"{kernels}.yaml"
    manifest.write_text(yaml.safe_dump({"defaults": {"kernel": "python3", "timeout": timeout,
                                                     "kernels": kernels},
                                        "reports": reports}), encoding="utf-8")
    result = run_batch(manifest, tmp / f"out_{kernels}", jobs=1, progress=False)
    return {r["slug"]: r for r in result.runs}


def test_next_notebook_sees_nothing_of_the_previous(tmp_path) -> None:
    runs = _batch(tmp_path, ["observe", "spoil", "warns", "observe"], "warm")
    assert [r["status"] for r in runs.values()] == ["ok", "ok", "ok", "ok"], runs
    before, after = runs["00_observe"]["metrics"], runs["03_observe"]["metrics"]
    assert before.pop("pid") == after.pop("pid")  # the same kernel ran both
    # unseeded random numbers: new ones, as in a new process (not a replay of the warm-up's)
    assert before.pop("draw") != after.pop("draw")
    assert before.pop("draw_py") != after.pop("draw_py")
    assert after == before
    assert after["globals"] == ["In", "Out", "exit", "get_ipython", "open", "quit"]  # ipykernel's
    assert len(after["history"]) == 2  # IPython's '' and the first cell itself
    assert after["cwd"] == str(tmp_path / "nb")
    assert after["linewidth"] != 7.0 and after["environ"] is None and after["module_global"] is None
    assert "Mean of empty slice" in after["warnings_shown"]  # shown again, as in a new process
    assert after["cache"] == 0 and after["flags"]  # plots has its "theme applied" flag
    assert after["figures"] == []
    assert not after["np_seeded_7"] and after["builtins"] == [False, "1"]
    assert after["recursion_limit"] != 123456 and after["umask"] != 0o077
    assert after["status_words"] != ["Đã đạt", "Achieved"] and after["labels"] > 0
    assert after["float_text"] == "1.5" and after["interactivity"] == "last_expr"
    assert "image/svg+xml" not in after["figure_types"]


def test_same_observations_as_a_fresh_kernel(tmp_path) -> None:
    warm = _batch(tmp_path, ["spoil", "observe"], "warm")["01_observe"]["metrics"]
    fresh = _batch(tmp_path, ["spoil", "observe"], "fresh")["01_observe"]["metrics"]
    for key in ("pid", "draw", "draw_py"):
        warm.pop(key), fresh.pop(key)
    assert warm == fresh


@pytest.mark.skipif(not Path("/proc/self/fd/2").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("kernels", ["fresh", "warm"])
def test_the_kernel_process_stderr_is_discarded(tmp_path, kernels) -> None:
    """A kernel's own process stderr goes to /dev/null, new or kept (cell output travels as
    messages): a kernel stopped mid-message cannot print ipykernel's shutdown traceback into
    ``dx reports``' output (a CI flake of the SIGTERM test)."""
    runs = _batch(tmp_path, ["stderr", "stderr"], kernels)
    assert [r["metrics"]["stderr"] for r in runs.values()] == ["/dev/null", "/dev/null"], runs


@pytest.mark.parametrize("crash", ["raises", "dies", "hangs"])
def test_failed_notebook_hands_on_a_new_kernel(tmp_path, crash) -> None:
    """A notebook that raises, kills its kernel or runs past the per-cell timeout (10 s here,
    far above the other cells' fraction of a second) hands on a new kernel."""
    runs = _batch(tmp_path, ["observe", crash, "observe"], "warm", timeout=10)
    assert [r["status"] for r in runs.values()] == ["ok", "failed", "ok"]
    first, after = runs["00_observe"]["metrics"], runs["02_observe"]["metrics"]
    assert first.pop("pid") != after.pop("pid")  # a new kernel
    for key in ("draw", "draw_py"):
        first.pop(key), after.pop(key)
    assert after == first


def test_a_helper_module_next_to_a_notebook_is_that_notebooks_own(tmp_path) -> None:
    """Two notebooks in two folders, each importing its own ``nbhelper.py``: the second one in
    the same warm kernel gets its own, not the first one's (local modules are dropped)."""
    reports = []
    for value in (1, 2):
        folder = tmp_path / f"folder{value}"
        folder.mkdir()
        (folder / "nbhelper.py").write_text(f"VALUE = {value}\n", encoding="utf-8")
        path = _notebook(folder, "uses_helper", "import nbhelper\nimport dxlib.batch.nbtools as nbt\n"
                         "nbt.record({'value': nbhelper.VALUE, 'pid': __import__('os').getpid()})")
        reports.append({"notebook": str(path), "slug": f"helper{value}"})
    manifest = tmp_path / "batch.yaml"
    manifest.write_text(yaml.safe_dump({"defaults": {"kernel": "python3", "kernels": "warm"},
                                        "reports": reports}), encoding="utf-8")
    runs = run_batch(manifest, tmp_path / "out", jobs=1, progress=False).runs
    assert [r["metrics"]["value"] for r in runs] == [1, 2]
    assert runs[0]["metrics"]["pid"] == runs[1]["metrics"]["pid"]  # one kernel


def _comparable(path: Path) -> bytes:
    """A file of a batch's output without what differs between any two executions of the same
    batch, fresh or warm: papermill's and nbclient's times and the injected parameters cell's id
    (a new random id per run) in notebooks, the memory addresses in plain-text reprs (``<Styler
    at 0x7f...>``; the HTML shows the rich output), ``timing`` in run.json."""
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if INJECTED_TAG in cell["metadata"].get("tags", []):
                cell.pop("id", None)
        for holder in [nb["metadata"], *(c["metadata"] for c in nb["cells"])]:
            holder.pop("execution", None)
            for key in ("start_time", "end_time", "duration"):
                holder.get("papermill", {}).pop(key, None)
        return re.sub(r" at 0x[0-9a-f]+", " at 0x", json.dumps(nb, sort_keys=True)).encode("utf-8")
    if path.name == "run.json":
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("timing")
        return json.dumps(data, sort_keys=True).encode("utf-8")
    return path.read_bytes()


def test_default_batch_is_byte_identical_warm_and_fresh(tmp_path) -> None:
    """The whole default batch (params/batch.yaml, on the test interpreter's kernel) with warm
    kernels gives the same HTML, metrics, executed notebooks (but for their times) and run.json
    (but for ``timing``) as with fresh ones: the condition for ``warm`` being the default."""
    manifest = yaml.safe_load(paths.DEFAULT_BATCH.read_text(encoding="utf-8"))
    manifest["defaults"]["kernel"] = "python3"
    copy = tmp_path / "batch.yaml"
    copy.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    outs = {}
    for kernels in ("fresh", "warm"):
        result = run_batch(copy, tmp_path / kernels, jobs=2, progress=False, kernels=kernels)
        assert result.ok, result.summary_text
        outs[kernels] = tmp_path / kernels
    files = {k: sorted(p.relative_to(o) for p in o.rglob("*") if p.is_file()) for k, o in outs.items()}
    assert files["warm"] == files["fresh"]
    assert len([f for f in files["warm"] if f.suffix == ".html"]) == len(result.runs) + 1
    different = [str(f) for f in files["warm"]
                 if _comparable(outs["warm"] / f) != _comparable(outs["fresh"] / f)]
    assert different == []


def _processes_with(marker: str) -> list[int]:
    """Processes whose environment holds ``marker`` (kernels inherit their worker's)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and marker.encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_sigterm_stops_the_warm_kernels(tmp_path) -> None:
    """``dx reports --kernels warm`` stopped by SIGTERM while a notebook runs: exit status 130,
    and no kernel (nor worker) of that batch outlives it."""
    folder = tmp_path / "nb"
    folder.mkdir()
    quick = _notebook(folder, "quick", "x = 1")
    slow = _notebook(folder, "slow", "import time\ntime.sleep(120)")
    manifest = tmp_path / "batch.yaml"
    manifest.write_text(yaml.safe_dump({"defaults": {"kernel": "python3", "timeout": 300},
                                        "reports": [{"notebook": str(quick)},
                                                    {"notebook": str(slow)}]}), encoding="utf-8")
    marker = f"DX_WARM_TEST={uuid.uuid4().hex}"
    env = {**os.environ, marker.split("=")[0]: marker.split("=")[1]}
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "dxlib", "reports", "--batch", str(manifest), "--out", str(out),
           "--jobs", "1", "--kernels", "warm"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 120
        while not (out / "quick.html").is_file():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the quick run did not finish"
            time.sleep(0.2)
        time.sleep(1)  # the slow notebook is running in the kept kernel
        assert len(_processes_with(marker)) >= 3  # dx reports, its worker, the kernel
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    deadline = time.monotonic() + 15  # an orphaned kernel notices its parent is gone within ~1 s
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _processes_with(marker) == []
