"""One batch per output folder, and no worker outliving its batch (issue 12)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from dxlib.batch.lock import LOCK_NAME, FolderBusy, FolderLock


def test_a_second_lock_on_the_same_folder_stops_with_one_line(tmp_path) -> None:
    first = FolderLock(tmp_path)
    with pytest.raises(FolderBusy) as err:
        FolderLock(tmp_path)
    message = str(err.value)
    assert "\n" not in message
    assert f"found another 'dx reports' writing into this folder (pid {os.getpid()})" in message
    first.release()
    FolderLock(tmp_path).release()  # free again once released
    assert (tmp_path / LOCK_NAME).is_file()


def test_run_batch_into_a_busy_folder_writes_nothing(tmp_path) -> None:
    from dxlib.batch import run_batch

    manifest = tmp_path / "batch.yaml"
    manifest.write_text("reports:\n  - notebook: 01_data_inventory\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    held = FolderLock(out)
    with pytest.raises(FolderBusy):
        run_batch(manifest, out, jobs=1, progress=False)
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]
    held.release()


PARENT = textwrap.dedent("""
    import os, sys, time
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing
    from dxlib.batch.executors import worker_init
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=worker_init, initargs=(os.getpid(),))
    print(pool.submit(os.getpid).result(), flush=True)
    time.sleep(120)
""")


def _running(pid: int) -> bool:
    """Whether process ``pid`` still runs: it exists and is not a zombie (a zombie has exited;
    only its new parent, here the machine's init, has not collected it yet, which some
    container inits do late)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_exit_when_the_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    worker = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 30  # generous on a loaded machine; typically well under 1 s
    while time.monotonic() < deadline:
        if not _running(worker):
            return
        time.sleep(0.1)
    os.kill(worker, signal.SIGKILL)
    pytest.fail(f"worker {worker} still alive 30 s after its parent was killed")


class _Reached(Exception):
    """Raised by the stand-in below once run_batch holds the folder lock."""


def test_an_interrupted_batch_whose_traceback_is_kept_frees_the_folder(tmp_path, monkeypatch) -> None:
    # IPython keeps the last exception (sys.last_value) and with it run_batch's frame: the lock
    # must be released by run_batch itself, not by garbage collection of that frame.
    from dxlib.batch import run as run_module
    from dxlib.batch import run_batch

    manifest = tmp_path / "batch.yaml"
    manifest.write_text("reports:\n  - notebook: 01_data_inventory\n", encoding="utf-8")
    out = tmp_path / "out"

    def interrupted(folder):  # the first step after the lock is taken
        raise KeyboardInterrupt

    monkeypatch.setattr(run_module, "remove_stale_temporaries", interrupted)
    with pytest.raises(KeyboardInterrupt) as first:
        run_batch(manifest, out, jobs=1, progress=False)
    kept = first.value  # noqa: F841 - the traceback (and run_batch's frame) stays alive

    def reached(folder):
        raise _Reached

    monkeypatch.setattr(run_module, "remove_stale_temporaries", reached)
    with pytest.raises(_Reached):  # not FolderBusy: the lock was free again
        run_batch(manifest, out, jobs=1, progress=False)


def test_a_repeated_signal_during_an_idle_workers_cleanup_returns_at_once(monkeypatch) -> None:
    """The parent-death SIGTERM can come more than once; the second one, arriving while the first
    one's cleanup runs on the same thread, must not wait on it (a worker once hung that way)."""
    from dxlib.batch import executors

    class Exited(Exception):
        pass

    def exit_(code: int) -> None:
        raise Exited(code)

    calls: list[str] = []

    def cleanup() -> None:
        calls.append("cleanup")
        executors._worker_signal(signal.SIGTERM, None)  # the repeated signal arrives here

    monkeypatch.setattr(executors.kernels, "shutdown_all", cleanup)
    monkeypatch.setattr(executors.os, "_exit", exit_)
    monkeypatch.setattr(executors, "_WORKER_STOPPING", False)
    with pytest.raises(Exited) as stopped:
        executors._worker_signal(signal.SIGTERM, None)
    assert stopped.value.args == (128 + signal.SIGTERM,) and calls == ["cleanup"]


def test_stopping_the_kept_kernels_works_while_their_lock_is_held_on_the_same_thread() -> None:
    import threading

    from dxlib.batch import kernels

    def nested() -> None:
        with kernels._ALL_LOCK:  # what a signal handler interrupting shutdown_all meets
            kernels.shutdown_all()

    t = threading.Thread(target=nested, daemon=True)
    t.start()
    t.join(10)
    assert not t.is_alive()
