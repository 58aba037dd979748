"""File input and output for the command line: checks of the paths a user gives (inputs that
can be read, outputs that can be written and overwrite no input), and writing results atomically
(a temporary name in the same folder, then a rename). The ``dx forecast`` table reader is
:func:`dxlib.forecast_input.read_forecast_input` (re-exported here)."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from dxlib.errors import DataValidationError, ParameterError, Problem, display_path
from dxlib.forecast_input import read_forecast_input

__all__ = ["atomic_write_bytes", "check_input_files", "check_outputs", "csv_bytes",
           "read_forecast_input", "write_atomic_many"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file in ``path``'s folder, then ``os.replace`` it into place:
    readers see the old file or the new one, never half of it (also after Ctrl-C). The file gets
    the usual permissions (0666 less the umask), not mkstemp's 0600: outputs are meant to be
    shared."""
    return write_atomic_many([(path, data)])[0]


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as UTF-8 CSV without the index, ``\\n`` line ends."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def atomic_write_text(path: str | Path, text: str) -> Path:
    """:func:`atomic_write_bytes` of ``text`` encoded as UTF-8."""
    return atomic_write_bytes(path, text.encode("utf-8"))

def write_atomic_many(items: Sequence[tuple[str | Path, bytes]]) -> list[Path]:
    """Write several files all or nothing, each as :func:`atomic_write_bytes` does: every
    content goes to a temporary file next to its destination first (missing folders are
    created); only when all are written are they renamed into place. A failure while writing
    (disk full, a folder that cannot be created) leaves no new file, no temporary one and no new
    folder. Check the paths first with :func:`check_outputs` for a clear message."""
    temps: list[tuple[str, Path]] = []
    made: list[Path] = []
    try:
        for path, data in items:
            path = Path(path)
            missing = [d for d in (path.parent, *path.parent.parents) if not d.exists()]
            path.parent.mkdir(parents=True, exist_ok=True)
            made += missing
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            temps.append((tmp, path))
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), 0o666 & ~_umask())
                fh.write(data)
        for tmp, path in temps:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
        for d in sorted(set(made), key=lambda d: len(d.parts), reverse=True):
            try:
                d.rmdir()
            except OSError:
                pass
        raise
    return [path for _, path in temps]


# --------------------------------------------------------------------------------------------
# Checks of user-given paths (before any work)
# --------------------------------------------------------------------------------------------


def _shown(path: Path) -> str:
    """display_path, also for a path that cannot be resolved (a symlink loop)."""
    try:
        return display_path(path)
    except (OSError, RuntimeError):
        return str(path)


def _input_problem(path: Path) -> tuple[str, str] | None:
    """(found, expected) when ``path`` cannot be read as a data file, else None."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link loop", "an existing file"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return "no such file", "an existing file"
        return f"a path that cannot be opened ({exc.strerror})", "a readable file"
    if stat.S_ISDIR(st.st_mode):
        return "a directory", "a data file"
    if not stat.S_ISREG(st.st_mode):
        return "a special file (not a regular file)", "a data file"
    try:
        with open(path, "rb") as fh:
            fh.read(0)
    except OSError as exc:
        return f"a file that cannot be read ({exc.strerror})", "a readable file"
    return None


def check_input_files(named: Mapping[str, Iterable[str | Path | None]]) -> None:
    """Every given data path (by option name, e.g. ``{"--input": [p]}``; None = the default,
    not checked) is a readable regular file. Raises DataValidationError with one line per bad
    path: a missing file, a directory, a symbolic link loop, a special file, an unreadable file.
    """
    problems: list[Problem] = []
    for option, items in named.items():
        for item in items:
            if item is None:
                continue
            p = Path(item)
            bad = _input_problem(p)
            if bad is not None:
                found, expected = bad
                problems.append(Problem(_shown(p), "", "", found, f"{expected} ({option})"))
    if problems:
        raise DataValidationError(problems)


def _real(path: Path) -> Path:
    """The path with symlinks resolved as far as they exist (absolute)."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def _same_file(a: Path, b: Path) -> bool:
    if _real(a) == _real(b):
        return True
    try:
        return os.path.samefile(a, b)  # hard links
    except OSError:
        return False


def _probe_folder(folder: Path) -> str | None:
    """None when a file can be created in ``folder`` (tried for real, then removed), else why."""
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".dx-probe-", suffix=".tmp")
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    os.close(fd)
    try:
        os.unlink(tmp)
    except OSError:
        pass
    return None


_IN_FOLDER = "a file in a folder that can be written"


def _output_problem(path: Path) -> tuple[str, str] | None:
    """What makes ``path`` unusable as an output file: (found, after 'found <path>, '; expected),
    or None. The folder is tried for real (a temporary file created and removed), so a
    read-only mount, /proc or /sys and missing permissions are all caught."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link loop", "a file name that is not a broken link"
        st = None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            return "a directory", "a file name (not a folder)"
        if not stat.S_ISREG(st.st_mode):
            return ("a special file (not a regular file), which would be replaced",
                    "a regular file or a new file name")
    folder = _real(path.parent)
    anc = folder
    while not os.path.lexists(anc) and anc != anc.parent:
        anc = anc.parent
    if not anc.is_dir():
        return f"below {_shown(anc)}, which is a file, not a folder", _IN_FOLDER
    why = _probe_folder(anc)
    if why is not None:
        where = "in" if anc == folder else "below"
        return f"{where} the folder {_shown(anc)}, where no file can be written ({why})", _IN_FOLDER
    return None


def check_outputs(outputs: Mapping[str, str | Path | None],
                  inputs: Mapping[str, Iterable[str | Path | None]]) -> None:
    """Before any work: every output (by option name; None = not asked for) can be written,
    is not one of the inputs (after resolving symbolic links and hard links: it would be
    overwritten) and is not another output. Raises ParameterError, one line per problem:
    ``--output: found <path>, <what>; expected <what>``."""
    lines: list[str] = []
    given = [(opt, Path(p)) for opt, p in outputs.items() if p is not None]
    for i, (opt, out) in enumerate(given):
        shown = _shown(out)
        clash = None
        for in_opt, items in inputs.items():
            for item in items:
                if item is not None and _same_file(out, Path(item)):
                    clash = f"the input file of {in_opt}"
                    break
            if clash:
                break
        if clash is not None:
            lines.append(f"{opt}: found {shown}, {clash}; expected a file that is not an input "
                         "(it would be overwritten)")
            continue
        other = next((o for o, p in given[:i] if _same_file(out, p)), None)
        if other is not None:
            lines.append(f"{opt}: found {shown}, the same file as {other}; expected a different "
                         "file for each output")
            continue
        bad = _output_problem(out)
        if bad is not None:
            lines.append(f"{opt}: found {shown}, {bad[0]}; expected {bad[1]}")
    if lines:
        raise ParameterError("\n".join(lines))
