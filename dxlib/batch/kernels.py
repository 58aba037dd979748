"""Kernel modes of the batch: a fresh kernel per notebook, or one warm kernel per worker.

``fresh``: Papermill starts a kernel for every notebook and shuts it down after; every notebook
pays for the kernel's start and for importing pandas, matplotlib and dxlib (about 1.3 s of a
1.9 s run on the 2-core machine). Its process stderr is discarded (:func:`quiet_kernel_manager`),
as a warm kernel's is.

``warm`` (the default, since ``tests/integration/test_warm_kernels.py`` finds the whole default
batch byte-identical to ``fresh``): every worker process (a local pool worker or a Dask worker,
one per thread) keeps one kernel for the batch (:func:`dxlib.batch.run_batch` uses ``fresh``
when no worker gets more than one run: warming up could not pay off). It is started and warmed
once (:func:`dxlib.batch.kernelstate.warm_up`: the imports, one figure, the state to restore);
before each notebook :func:`dxlib.batch.kernelstate.reset` undoes everything the previous
notebook did and changes to the notebook's folder; then Papermill runs the notebook on that
kernel exactly as it would on a new one (the same parameter injection, the same engine, the same
kernel arguments), so the executed notebook is the same. A notebook that fails, times out or
kills its kernel does not hand it on: the kernel is shut down and the next notebook gets a new
one. Kernels are shut down when their worker exits (an orphaned kernel exits by itself within
about a second: ipykernel watches its parent process).

Not offered: ``fork`` (a fresh kernel forked per notebook from a pre-imported parent). The
issue's probe measured it 8 % faster than warm (13.8 s against 15.0 s, ranges overlapping), at
the price of a zmq-free parent, the backend chosen before matplotlib is imported, the debugger
pre-imported and jupyter_client's 0.2 s ready check per notebook; warm meets the goals without it.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import subprocess
import threading
import time
from typing import Any

#: The kernel modes of ``dx reports --kernels`` and ``defaults.kernels``.
KERNEL_MODES = ("fresh", "warm")
#: Kernel mode when neither the manifest nor the caller names one.
DEFAULT_KERNELS = "warm"
#: Kernel arguments nbclient adds to every kernel it starts (history in memory, not on disk).
HISTORY_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]
#: Seconds allowed for a kernel to start and answer, and for its warm-up.
START_TIMEOUT = 60.0
WARM_UP_TIMEOUT = 300.0
#: Seconds allowed for the reset before a notebook.
RESET_TIMEOUT = 60.0

WARM_UP_CODE = "__import__('dxlib.batch.kernelstate', fromlist=['_']).warm_up()"
RESET_CODE = "__import__('dxlib.batch.kernelstate', fromlist=['_']).reset({cwd!r})"


@functools.cache
def quiet_kernel_manager() -> type:
    """The kernel manager class of ``fresh`` kernels: jupyter_client's ``AsyncKernelManager``
    whose kernel process's own stderr is discarded, as for warm kernels (:class:`WarmKernel`):
    cell output travels as kernel messages, and a kernel stopped mid-message (Ctrl-C, SIGTERM)
    cannot print ipykernel's shutdown traceback into ``dx reports``' output."""
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
            kw.setdefault("stderr", subprocess.DEVNULL)
            await super().start_kernel(**kw)

    return QuietKernelManager


class KernelSetupError(RuntimeError):
    """The warm kernel could not be started, warmed up or reset."""


class WarmKernel:
    """One kept kernel: an ``AsyncKernelManager`` with its client, started and warmed up."""

    def __init__(self, kernel_name: str, extra_arguments: list[str]):
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.kernel_name = kernel_name
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        # the kernel process's own stderr is not the notebook's (cell output travels as kernel
        # messages); discarded, so that a kernel stopped mid-message (Ctrl-C, SIGTERM) cannot
        # print ipykernel's shutdown traceback into ``dx reports``' output
        run_sync(self.km.start_kernel)(extra_arguments=[*extra_arguments, *HISTORY_ARGUMENTS],
                                       stderr=subprocess.DEVNULL)
        try:
            self.kc = self.km.client()
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=START_TIMEOUT)
            self.kc.allow_stdin = False
            self.execute(WARM_UP_CODE, WARM_UP_TIMEOUT)
        except BaseException:
            self.shutdown()
            raise
        self.runs = 0
        self.batch_id = ""

    def execute(self, code: str, timeout: float) -> None:
        """Run ``code`` in the kernel without storing it in the history; wait until the kernel
        is idle again. ``KernelSetupError`` with the kernel's error when the code fails."""
        from jupyter_core.utils import run_sync

        run_sync(self._execute)(code, timeout)

    async def _execute(self, code: str, timeout: float) -> None:
        msg_id = self.kc.execute(code, silent=False, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        reply = None
        while reply is None:
            msg = await self.kc.get_shell_msg(timeout=_left(deadline, code))
            if msg["parent_header"].get("msg_id") == msg_id:
                reply = msg["content"]
        idle = False
        while not idle:  # the kernel's output of this request, to its end
            msg = await self.kc.get_iopub_msg(timeout=_left(deadline, code))
            idle = (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle")
        if reply.get("status") != "ok":
            raise KernelSetupError(f"{code}: {reply.get('ename', '')}: {reply.get('evalue', '')}")

    def prepare(self, cwd: str) -> None:
        """Undo the previous notebook and change to ``cwd`` (see
        :func:`dxlib.batch.kernelstate.reset`)."""
        if not self.alive():
            raise KernelSetupError("the kept kernel is not running")
        self.execute(RESET_CODE.format(cwd=cwd), RESET_TIMEOUT)

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:  # noqa: BLE001 - a manager in a broken state is not alive
            return False

    def shutdown(self) -> None:
        """Stop the client's channels and the kernel (at once, no grace period)."""
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):
            if getattr(self, "kc", None) is not None:
                self.kc.stop_channels()
        with contextlib.suppress(Exception):
            run_sync(self.km.shutdown_kernel)(now=True)


def _left(deadline: float, code: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise KernelSetupError(f"{code}: no answer from the kernel in time")
    return left


_LOCAL = threading.local()
_ALL: list[WarmKernel] = []
#: re-entrant: a worker's signal handler calls shutdown_all on the thread it interrupts, which may
#: hold this lock already (a second SIGTERM during the first one's cleanup did deadlock a worker)
_ALL_LOCK = threading.RLock()


def _kept() -> dict[str, WarmKernel]:
    if not hasattr(_LOCAL, "kernels"):
        _LOCAL.kernels = {}
    return _LOCAL.kernels


def warm_kernel(kernel_name: str, extra_arguments: list[str], cwd: str, attempts: int = 2,
                batch_id: str = "") -> WarmKernel:
    """This thread's warm kernel ``kernel_name``, reset and in ``cwd``; started (and warmed up)
    when there is none, the kept one is not usable or was started for another batch than
    ``batch_id`` (a Dask worker outlives batches; a new batch may bring new code). A kernel that
    cannot be started or reset is tried ``attempts`` times in all (parallel kernels can race for
    a port)."""
    kept = _kept()
    if kernel_name in kept and kept[kernel_name].batch_id != batch_id:
        discard(kernel_name)
    for attempt in range(attempts):
        wk = kept.get(kernel_name)
        try:
            if wk is None:
                wk = WarmKernel(kernel_name, extra_arguments)
                wk.batch_id = batch_id
                kept[kernel_name] = wk
                with _ALL_LOCK:
                    _ALL.append(wk)
            wk.prepare(cwd)
            return wk
        except Exception:  # noqa: BLE001 - no answer, a port taken, a failed reset, ...
            discard(kernel_name)
            if attempt + 1 >= attempts:
                raise
    raise AssertionError("unreachable")


def discard(kernel_name: str) -> None:
    """Shut down this thread's kept kernel ``kernel_name`` (after a failed, timed-out or killed
    notebook); the next notebook gets a new one."""
    wk = _kept().pop(kernel_name, None)
    if wk is not None:
        wk.shutdown()
        with _ALL_LOCK:
            if wk in _ALL:
                _ALL.remove(wk)


def shutdown_all() -> None:
    """Shut down every kept kernel of this process (at exit, or when a worker is stopped)."""
    with _ALL_LOCK:
        kernels, _ALL[:] = list(_ALL), []
    for wk in kernels:
        wk.shutdown()
    if hasattr(_LOCAL, "kernels"):
        _LOCAL.kernels.clear()


atexit.register(shutdown_all)


def execute_on_kernel(warm: WarmKernel, nb_man: Any, kernel_name: str, log_output: bool = False,
                      stdout_file: Any = None, stderr_file: Any = None, start_timeout: float = 60,
                      execution_timeout: float | None = None, **kwargs: Any) -> Any:
    """Papermill's ``NBClientEngine.execute_managed_notebook`` on ``warm``'s running kernel and
    client: the same client class and arguments, so the same cells, outputs and metadata; the
    kernel is neither started nor shut down (nbclient leaves a kernel it does not own alone)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import logger
    from papermill.utils import remove_args

    kwargs = remove_args(["input_path", "timeout", "startup_timeout", "extra_arguments"], **kwargs)
    client = PapermillNotebookClient(
        nb_man, km=warm.km, timeout=execution_timeout or None, startup_timeout=start_timeout,
        kernel_name=kernel_name, log=logger, log_output=log_output, stdout_file=stdout_file,
        stderr_file=stderr_file, **kwargs,
    )
    client.kc = warm.kc
    warm.runs += 1
    return client.execute()
