"""Where the benchmark data live: ``benchmarks/data/<name>/`` inside the project (a clone has it),
else ``../shared/data/<name>/`` next to the project, else ``/work/shared/data/<name>/``."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def find_data(name: str, override: str | Path | None = None) -> Path:
    """The folder of data set ``name`` (``m3_yearly``, ``adoption_panel``); ``override`` wins.
    Raises SystemExit with one line naming the folders tried when none exists."""
    tried = [Path(override)] if override else [
        ROOT / "benchmarks" / "data" / name, ROOT.parent / "shared" / "data" / name,
        Path("/work/shared/data") / name]
    for d in tried:
        if d.is_dir():
            return d
    raise SystemExit(f"data set {name!r} not found; tried {', '.join(map(str, tried))}")
