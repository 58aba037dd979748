"""Wall time of a batch of reports against a floor measured in the same session.

The floor is the same number of trivial notebooks that only import the stack every report
needs (one cell: ``import pandas``, ``import matplotlib.pyplot``, ``import seaborn``) run
through the same runner (:func:`dxlib.batch.run_batch`) with the same kernel, jobs and
executor: kernel start-up, those imports, papermill, HTML rendering and writing. The ratio says
how much the notebooks' own work (data, statistics, figures, tables) adds to that; goal: at most
1.3x. A second reference, notebooks of one cell ``x = 1`` (no imports), shows what the imports
themselves cost.

    python benchmarks/batch.py                       # params/batch.yaml, 3 rounds
    python benchmarks/batch.py --manifest m.yaml --jobs 4 --repeat 5

Timings on a small shared machine vary by +-30 % from one batch to the next, so the floor and the
batch are measured alternately ``--repeat`` times and the medians are compared.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml

from dxlib import batch as runner
from dxlib import paths

#: the floor: the imports every report needs (tables, figures the seaborn way)
FLOOR_CELL = "import pandas\nimport matplotlib.pyplot\nimport seaborn"
#: a second reference line: a kernel that imports nothing
BARE_CELL = "x = 1"


def trivial_manifest(folder: Path, n: int, kernel: str, timeout: float | None,
                     source: str = FLOOR_CELL, stem: str = "trivial") -> Path:
    """Write ``n`` one-cell notebooks and a manifest running each once; the manifest path."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata.kernelspec = {"name": kernel, "display_name": kernel, "language": "python"}
    reports = []
    for i in range(n):
        path = folder / f"{stem}_{i:04d}.ipynb"
        nbformat.write(nb, path)
        reports.append({"notebook": str(path)})
    manifest = folder / f"{stem}.yaml"
    manifest.write_text(
        yaml.safe_dump({"defaults": {"kernel": kernel, "timeout": timeout}, "reports": reports}),
        encoding="utf-8",
    )
    return manifest


def timed_batch(manifest: Path, out: Path, jobs: int | None, executor: str) -> tuple[float, bool]:
    """Seconds of wall time of one :func:`run_batch`, and whether every run succeeded."""
    t0 = time.perf_counter()
    result = runner.run_batch(manifest, out, jobs=jobs, executor=executor, progress=False)
    return time.perf_counter() - t0, result.ok


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the manifest's time, the floor and the ratio."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("manifest_arg", nargs="?", help="manifest (same as --manifest)")
    ap.add_argument("--manifest", help="batch manifest (default: params/batch.yaml)")
    ap.add_argument("--jobs", type=int, default=None, help="parallel runs (default: CPUs)")
    ap.add_argument("--executor", choices=["local", "dask"], default="local")
    ap.add_argument("--repeat", type=int, default=3, help="rounds of floor + batch (medians)")
    args = ap.parse_args(argv)

    manifest = args.manifest or args.manifest_arg
    if manifest is None:
        if not paths.DEFAULT_BATCH.is_file():
            ap.error(f"no manifest given and {paths.DEFAULT_BATCH} does not exist")
        manifest = paths.DEFAULT_BATCH
    manifest = paths.resolve(manifest)
    specs = runner.load_manifest(manifest)
    n = len(specs)
    kernel = specs[0].kernel
    timeout = specs[0].timeout

    with tempfile.TemporaryDirectory(prefix="dx-bench-") as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "nb").mkdir()
        floor_manifest = trivial_manifest(tmp_path / "nb", n, kernel, timeout)
        bare_manifest = trivial_manifest(tmp_path / "nb", n, kernel, timeout, BARE_CELL, "bare")
        floors, bares, reals, floor_ok, real_ok = [], [], [], True, True
        for k in range(max(args.repeat, 1)):
            f, ok_f = timed_batch(floor_manifest, tmp_path / f"floor{k}", args.jobs, args.executor)
            i, _ = timed_batch(bare_manifest, tmp_path / f"bare{k}", args.jobs, args.executor)
            r, ok_r = timed_batch(manifest, tmp_path / f"real{k}", args.jobs, args.executor)
            floors.append(f)
            bares.append(i)
            reals.append(r)
            floor_ok, real_ok = floor_ok and ok_f, real_ok and ok_r
        floor, bare, real = (statistics.median(x) for x in (floors, bares, reals))

    jobs = args.jobs or "cpu_count"
    print(f"manifest : {manifest} ({n} runs, kernel {kernel}, jobs {jobs}, {args.executor})")
    print(f"batch    : {real:8.1f} s  ({real / n:.2f} s/run){'' if real_ok else '  [failures]'}")
    print(
        f"floor    : {floor:8.1f} s  ({floor / n:.2f} s/run, notebooks that only import pandas, "
        f"matplotlib.pyplot and seaborn)" + ("" if floor_ok else "  [failures]")
    )
    print(f"bare     : {bare:8.1f} s  ({bare / n:.2f} s/run, one-cell notebooks without imports: "
          f"{bare / floor:.2f}x the floor)")
    print(f"ratio    : {real / floor:8.2f}x  (medians of {len(reals)} rounds; batch "
          f"{', '.join(f'{x:.1f}' for x in reals)} s; floor {', '.join(f'{x:.1f}' for x in floors)} s)")
    return 0 if real_ok and floor_ok else 1


if __name__ == "__main__":
    sys.exit(main())
