"""One ``dx reports`` at a time per output folder.

Two batches writing into one folder would leave ``run.json`` and ``index.html`` describing one
run while the HTML shows the other. :class:`FolderLock` takes an exclusive ``flock`` on
``<out>/.dx-reports.lock`` (the kernel releases it when the process ends, even on ``kill -9``);
a second batch stops at once with a clear message instead of waiting.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from dxlib.errors import DxError, display_path

LOCK_NAME = ".dx-reports.lock"


class FolderBusy(DxError):
    """Another batch holds the output folder."""


class FolderLock:
    """An exclusive lock on an output folder, held until :meth:`release` or until the object
    is garbage-collected (so a local variable holds it for the rest of a function call)."""

    def __init__(self, out: Path):
        self.path = out / LOCK_NAME
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(self._fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(self._fd)
            self._fd = None
            raise FolderBusy(f"{display_path(out)}: found another 'dx reports' writing into this "
                             f"folder (pid {holder}); expected one at a time: wait for it to "
                             "finish or choose another --out") from None
        os.ftruncate(self._fd, 0)
        os.write(self._fd, str(os.getpid()).encode())

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None

    def __del__(self) -> None:
        self.release()
