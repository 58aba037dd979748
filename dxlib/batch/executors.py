"""Where the runs execute: a local pool of processes, or a Dask cluster. Both yield the
results of :func:`~dxlib.batch.execute.execute_run` as runs finish; a worker that dies gives a
failed result, not an exception."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dxlib.batch import kernels
from dxlib.batch.execute import DEFAULT_KERNEL, execute_run
from dxlib.errors import DxError, ParameterError, display_path


def _crash(slug: str, exc: BaseException) -> dict[str, Any]:
    return {
        "slug": slug,
        "status": "failed",
        "executed_notebook": None,
        "seconds": 0.0,
        "error": {
            "cell": None,
            "execution_count": None,
            "first_line": "",
            "ename": type(exc).__name__,
            "evalue": str(exc),
        },
    }


_WORKER_BUSY = False
_WORKER_STOPPING = False


def _worker_signal(signum: int, frame: Any) -> None:
    """SIGTERM / SIGINT in a pool worker: a busy worker raises KeyboardInterrupt (its run cleans
    up, then the worker exits); an idle one stops its kept kernel and exits. A repeated signal
    while that cleanup runs (the parent-death signal can come more than once) returns at once,
    so the first one finishes instead of waiting on itself."""
    global _WORKER_STOPPING
    if _WORKER_BUSY:
        raise KeyboardInterrupt(f"signal {signum}")
    if _WORKER_STOPPING:
        return
    _WORKER_STOPPING = True
    kernels.shutdown_all()  # idle: only a kept (warm) kernel to stop
    os._exit(128 + signum)


def worker_init(parent_pid: int | None = None) -> None:
    """Worker processes treat SIGTERM like Ctrl-C while they run a notebook, so that papermill
    shuts their kernel down and their temporary folder is removed when the batch is stopped;
    idle workers just exit. On Linux a worker also gets SIGTERM when the ``dx reports`` process
    that started it dies (even by ``kill -9``), so no worker outlives its batch."""
    import signal

    signal.signal(signal.SIGTERM, _worker_signal)
    signal.signal(signal.SIGINT, _worker_signal)
    _exit_with_parent(parent_pid)


def _exit_with_parent(parent_pid: int | None) -> None:
    """Ask the kernel (Linux ``prctl(PR_SET_PDEATHSIG)``) to send SIGTERM when the parent dies;
    exit at once if it is already gone. Elsewhere: nothing (the pool's own checks remain)."""
    import ctypes
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(130)  # the parent died before the request took effect


def _execute_in_worker(payload: dict[str, Any]) -> dict[str, Any]:
    """:func:`execute_run` in a pool worker; an interrupted worker exits once the kernel and
    the temporary folder are cleaned up (the batch is being stopped)."""
    global _WORKER_BUSY
    _WORKER_BUSY = True
    try:
        return execute_run(payload)
    except KeyboardInterrupt:
        kernels.shutdown_all()
        os._exit(130)
    finally:
        _WORKER_BUSY = False


def _stop_pool(pool: Any) -> None:
    """Cancel what has not started and stop the workers (SIGTERM, then SIGKILL after 10 s)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    deadline = time.monotonic() + 10
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()


def _new_pool(jobs: int) -> Any:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=worker_init, initargs=(os.getpid(),))


def _results(pool: Any, payloads: list[dict], broken: list[dict]) -> Iterator[dict]:
    """Results of ``payloads`` in ``pool`` as they finish; the payloads lost because a worker
    of the pool died are appended to ``broken`` (the culprit cannot be told from the others);
    on an exception in the consumer the workers are stopped."""
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    try:
        futures = {pool.submit(_execute_in_worker, p): p for p in payloads}
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except BrokenProcessPool:
                broken.append(futures[fut])
            except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be unpickled
                yield _crash(futures[fut]["slug"], exc)
    except BaseException:
        _stop_pool(pool)
        raise
    else:
        pool.shutdown(wait=True)


def run_local(payloads: list[dict], jobs: int) -> Iterator[dict]:
    """Results of ``payloads`` run in ``jobs`` spawned worker processes, as they finish; on an
    exception in the consumer (Ctrl-C) the workers are stopped. When a worker dies (``kill -9``,
    out of memory) the pool breaks and every run it had not finished is lost: each of those is
    run again alone, one after the other, in a pool of one fresh worker, so that only the run
    that really kills its worker is reported as failed (``BrokenProcessPool``)."""
    from concurrent.futures.process import BrokenProcessPool

    broken: list[dict] = []
    yield from _results(_new_pool(jobs), payloads, broken)
    for payload in sorted(broken, key=payloads.index):
        again: list[dict] = []
        yield from _results(_new_pool(1), [{**payload, "kernels": "fresh"}], again)
        if again:
            yield _crash(payload["slug"], BrokenProcessPool(
                "the worker process running this notebook died (killed, or out of memory); "
                "it died again when the notebook was run alone"))


def run_dask(payloads: list[dict], jobs: int, scheduler: Any) -> Iterator[dict]:
    """Results of ``payloads`` run on Dask (``scheduler``: address or ``distributed.Client``; a
    ``LocalCluster`` of ``jobs`` workers when ``None``), as they finish."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise DxError("the Dask executor needs dask and distributed: pip install '.[dask]'") from None

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True)
        client, own_client = Client(cluster), True
    elif isinstance(scheduler, Client):
        client, own_client = scheduler, False
    else:
        client, own_client = Client(scheduler), True
    try:
        futures = {client.submit(execute_run, p, pure=False): p["slug"] for p in payloads}
        try:
            for fut in as_completed(list(futures)):
                try:
                    yield fut.result()
                except Exception as exc:  # noqa: BLE001 - worker lost, unpicklable, ...
                    yield _crash(futures[fut], exc)
        except BaseException:
            client.cancel(list(futures))
            raise
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()


def check_kernel(kernels: set[str], manifest: Path) -> None:
    """``ParameterError`` naming the manifest when a kernel is not installed here."""
    from jupyter_client.kernelspec import KernelSpecManager

    available = set(KernelSpecManager().find_kernel_specs())
    missing = sorted(kernels - available)
    if missing:
        raise ParameterError(
            f"{display_path(manifest)}, defaults.kernel: found kernel '{missing[0]}', which is "
            f"not installed; expected one of: {', '.join(sorted(available)) or '(none)'}"
            + (
                " (register it with: python -m ipykernel install --user --name dxlib)"
                if missing[0] == DEFAULT_KERNEL
                else ""
            )
        )

