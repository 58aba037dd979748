"""The unit of work of a batch: execute one notebook with Papermill, in a temporary folder, and
say where it failed.

:func:`execute_run` is a pure function of the notebook *content* and parameters that returns the
executed notebook as JSON text; it writes only to its own temporary folder, so it can run on a
Dask worker that does not share the project's files. The kernel's working directory is the
notebook's folder when the worker has it (as in JupyterLab), else the run's temporary folder;
notebooks take their paths from :mod:`dxlib.paths`, so either works.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dxlib.batch import kernels
from dxlib.batch.kernels import DEFAULT_KERNELS
from dxlib.batch.nbtools import INJECTED_TAG

#: Kernel used when the manifest names none.
DEFAULT_KERNEL = "dxlib"
#: Tag papermill gives the error banner cells it adds to a failed notebook.
PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"


def _first_line(source: str | list[str]) -> str:
    source = "".join(source) if isinstance(source, list) else source
    for line in source.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= 120 else line[:117] + "..."
    return ""


def find_error(nb: Mapping[str, Any]) -> dict[str, Any] | None:
    """The first failing cell of an executed notebook: ``{cell, execution_count, first_line,
    ename, evalue}`` where ``cell`` counts the cells of the notebook as written (0-based; the
    injected-parameters cell and papermill's error banners are not counted); ``None`` if no
    cell failed."""
    index = -1
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if INJECTED_TAG in tags or PAPERMILL_ERROR_TAG in tags:
            continue
        index += 1
        if cell.get("cell_type") != "code":
            continue
        base = {
            "cell": index,
            "execution_count": cell.get("execution_count"),
            "first_line": _first_line(cell.get("source", "")),
        }
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                if out.get("ename") == "SystemExit" and out.get("evalue") in ("", "0"):
                    continue
                return {**base, "ename": out.get("ename", ""), "evalue": out.get("evalue", "")}
        if cell.get("metadata", {}).get("papermill", {}).get("exception") is True:
            return {**base, "ename": "", "evalue": ""}
    return None


def _kernel_quiet_arguments(kernel: str) -> list[str]:
    """Extra kernel arguments that silence ipykernel's start-up warnings (one per run on the
    console otherwise); none for kernels that are not ipykernel or cannot be found."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        argv = KernelSpecManager().get_kernel_spec(kernel).argv
    except Exception:  # noqa: BLE001 - papermill reports a missing kernel itself
        return []
    if any("ipykernel" in a for a in argv):
        return ["--IPKernelApp.log_level=CRITICAL"]
    return []


def _execution_failure(exc: BaseException, timeout: float | None) -> dict[str, Any]:
    """The error record of an exception papermill raised outside a cell's own error: a cell
    timeout, a dead kernel, a kernel that cannot start ... (``kind`` is dropped later)."""
    name = type(exc).__name__
    text = str(exc).strip()
    kind = ""
    if name == "CellTimeoutError" or "timed out" in text.lower():
        kind = "timeout"
        text = (
            f"the cell ran longer than the per-cell timeout of {timeout:g} s and was stopped "
            "(raise it with defaults.timeout in the manifest or dx reports --timeout)"
            if isinstance(timeout, int | float)
            else text
        )
        name = "CellTimeoutError"
    elif name == "DeadKernelError":
        kind = "dead_kernel"
        text = (
            "the kernel died while running this cell "
            "(the process exited or was killed, e.g. out of memory)"
        )
    return {
        "cell": None,
        "execution_count": None,
        "first_line": "",
        "ename": name,
        "evalue": text if len(text) <= 1000 else text[:997] + "...",
        "kind": kind,
    }


def _running_cell(nb: Mapping[str, Any]) -> dict[str, Any] | None:
    """``{cell, execution_count, first_line}`` of the last code cell papermill started (the one
    running when the kernel died or was stopped), counted like :func:`find_error`."""
    index, found = -1, None
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if INJECTED_TAG in tags or PAPERMILL_ERROR_TAG in tags:
            continue
        index += 1
        started = cell.get("metadata", {}).get("papermill", {}).get("start_time")
        if cell.get("cell_type") == "code" and started:
            found = {
                "cell": index,
                "execution_count": cell.get("execution_count"),
                "first_line": _first_line(cell.get("source", "")),
            }
    return found


#: a kernel that fails to start (a port race between parallel kernels) is started once more
KERNEL_START_ATTEMPTS = 2
#: the papermill engine the runner uses (see :func:`_register_engine`)
ENGINE_NAME = "dxlib"


@functools.lru_cache(maxsize=1)
def _register_engine() -> str:
    """Register papermill's nbclient engine with one change: the executed notebook is written
    once, when execution ends (also after a failure, a dead kernel or a timeout), instead of at
    the start and end of every cell. The output is a temporary file that only the end state
    reaches, and the per-cell writes (with nbformat validation) cost about 0.4 s per report.
    Registered in each process that executes notebooks (local workers and Dask workers)."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    from dxlib.batch.kernels import execute_on_kernel

    class _SaveAtEnd(NotebookExecutionManager):
        _final = False

        def save(self, **kwargs: Any) -> None:
            if self._final:
                super().save(**kwargs)

        def notebook_complete(self, **kwargs: Any) -> None:
            self._final = True
            super().notebook_complete(**kwargs)

    class _Engine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True,
                             log_output=False, autosave_cell_every=30, **kwargs):
            nb_man = _SaveAtEnd(nb, output_path=output_path, progress_bar=progress_bar,
                                log_output=log_output, autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, warm=None, **kwargs):
            if warm is None:  # a new kernel for this notebook, as papermill does
                return super().execute_managed_notebook(
                    nb_man, kernel_name, kernel_manager_class=kernels.quiet_kernel_manager(),
                    **kwargs)
            return execute_on_kernel(warm, nb_man, kernel_name, **kwargs)

    papermill_engines.register(ENGINE_NAME, _Engine)
    return ENGINE_NAME


def _kernel_start_failed(exc: BaseException, out: Path) -> bool:
    """True when ``exc`` happened while the kernel was starting, before any cell ran."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return False
    text = f"{type(exc).__name__}: {exc}"
    starting = any(s in text for s in ("kernel_info", "Address already in use", "ZMQError",
                                       "Kernel didn't respond", "Kernel died before"))
    if not starting:
        return False
    if out.is_file():  # some cell already ran: not a start-up failure
        try:
            nb = json.loads(out.read_text(encoding="utf-8"))
        except ValueError:
            return True
        return not any(c.get("execution_count") for c in nb.get("cells", []))
    return True


def execute_run(spec_payload: dict[str, Any]) -> dict[str, Any]:
    """Execute one notebook; the worker function of both executors.

    ``spec_payload`` is :meth:`RunSpec.payload`: ``slug``, ``notebook_name``, ``notebook_json``
    (the notebook's content), ``parameters``, ``kernel``, ``kernels`` (``"fresh"``: a new kernel
    for this notebook; ``"warm"``: this worker's kept kernel, reset first and shut down after a
    failure, see :mod:`dxlib.batch.kernels`), ``timeout`` and ``cwd`` (used only if that folder
    exists where this runs). Writes only inside its own temporary folder. Never
    raises for a failing notebook; returns ``{slug, status ('ok'|'failed'), executed_notebook
    (JSON text, partial for failures; None if execution never started), error (None or
    {cell, execution_count, first_line, ename, evalue}), seconds}``.
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    error: dict[str, Any] | None = None
    executed: str | None = None
    with tempfile.TemporaryDirectory(prefix="dxrun-") as tmp:
        inp = Path(tmp) / Path(spec_payload.get("notebook_name") or "notebook.ipynb").name
        out = Path(tmp) / "executed.ipynb"
        inp.write_text(spec_payload["notebook_json"], encoding="utf-8")
        kernel = spec_payload.get("kernel") or DEFAULT_KERNEL
        cwd = spec_payload.get("cwd")
        if not cwd or not os.path.isdir(cwd):
            cwd = tmp
        warm_mode = spec_payload.get("kernels", DEFAULT_KERNELS) == "warm"
        engine_kwargs: dict[str, Any] = {}
        try:
            if warm_mode:  # this worker's kept kernel, reset and in cwd
                engine_kwargs["warm"] = kernels.warm_kernel(
                    kernel, _kernel_quiet_arguments(kernel), cwd, KERNEL_START_ATTEMPTS,
                    spec_payload.get("batch_id", ""))
            for attempt in range(KERNEL_START_ATTEMPTS):
                try:
                    papermill.execute_notebook(
                        str(inp),
                        str(out),
                        parameters=spec_payload.get("parameters") or {},
                        kernel_name=kernel,
                        execution_timeout=spec_payload.get("timeout"),
                        cwd=cwd,
                        progress_bar=False,
                        log_output=False,
                        engine_name=_register_engine(),
                        extra_arguments=_kernel_quiet_arguments(kernel),
                        **engine_kwargs,
                    )
                    break
                except Exception as exc:
                    # Parallel kernels can race for a port (papermill #511): start once more.
                    if (not warm_mode and attempt + 1 < KERNEL_START_ATTEMPTS
                            and _kernel_start_failed(exc, out)):
                        out.unlink(missing_ok=True)
                        continue
                    raise
        except PapermillExecutionError as exc:
            error = {
                "cell": None,
                "execution_count": exc.exec_count,
                "first_line": _first_line(exc.source or ""),
                "ename": exc.ename,
                "evalue": exc.evalue,
            }
        except Exception as exc:  # noqa: BLE001 - dead kernel, timeout, missing kernel, ...
            error = _execution_failure(exc, spec_payload.get("timeout"))
        if warm_mode and error is not None:  # failed, timed out or killed: never hand it on
            kernels.discard(kernel)
        if out.is_file():
            executed = out.read_text(encoding="utf-8")
    if executed is not None:
        executed_nb = nbformat.reads(executed, as_version=4)
        if error is not None and error.get("kind") in ("timeout", "dead_kernel"):
            # the kernel was interrupted or is gone: the cell that was running is the failure
            located = _running_cell(executed_nb)
            if located is not None:
                error = {**error, **located}
            error.pop("kind")
            located = None
        else:
            located = find_error(executed_nb)
        if located is not None:
            if error is None:
                error = located
            else:  # keep the exception's name/value when the cell has no error output
                error = {**error, **{k: v for k, v in located.items() if v or k == "cell"}}
    if error is not None:
        error.pop("kind", None)
    return {
        "slug": spec_payload["slug"],
        "status": "failed" if error else "ok",
        "executed_notebook": executed,
        "error": error,
        "seconds": round(time.perf_counter() - start, 3),
    }
