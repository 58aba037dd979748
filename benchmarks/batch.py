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

Every line is measured in each kernel mode (``--kernels fresh,warm``: a new kernel per notebook,
or one warm kernel per worker, :mod:`dxlib.batch.kernels`), the modes in alternating order from
round to round; printed per mode: the medians, the notebooks' own cell time and what the batch
spends beyond it (per run in its worker, and per notebook of wall time with one-off costs), then
the warm/fresh ratios and how many HTML files are byte-identical between the modes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml

from dxlib import batch as runner
from dxlib import paths
from dxlib.batch.kernels import KERNEL_MODES

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


def timed_batch(manifest: Path, out: Path, jobs: int | None, executor: str,
                kernels: str | None = None) -> tuple[float, bool]:
    """Seconds of wall time of one :func:`run_batch`, and whether every run succeeded."""
    t0 = time.perf_counter()
    result = runner.run_batch(manifest, out, jobs=jobs, executor=executor, progress=False,
                              kernels=kernels)
    return time.perf_counter() - t0, result.ok


def overheads(out: Path, wall: float, jobs: int) -> tuple[float, float, float]:
    """What a batch written to ``out`` spent beyond its notebooks' own cells: ``(cells,
    per_run, per_notebook)``. ``cells``: seconds of all cells (papermill's per-cell durations,
    summed over runs); ``per_run``: median over runs of the worker's seconds for the run
    (``run.json`` timing: kernel start or reset, papermill, parameters) minus its cells;
    ``per_notebook``: wall time beyond the cells per notebook, ``(wall - cells / jobs) / n``,
    one-off costs (pool, kernel start and warm-up, the last HTML) included."""
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    cells, beyond = 0.0, []
    for rec in run["runs"]:
        nb = json.loads((out / rec["outputs"]["notebook"]).read_text(encoding="utf-8"))
        own = sum(c["metadata"].get("papermill", {}).get("duration") or 0.0 for c in nb["cells"])
        cells += own
        beyond.append(run["timing"]["run_seconds"][rec["slug"]] - own)
    n = len(run["runs"])
    return cells, statistics.median(beyond), (wall - cells / jobs) / n


def different_html(a: Path, b: Path) -> tuple[list[str], int]:
    """The names of the HTML files of batch output ``a`` that are not byte-identical in ``b``,
    and how many there are in ``a``. (The reports show the git commit: commit nothing while
    the benchmark runs.)"""
    names = sorted(p.name for p in a.glob("*.html"))
    return [n for n in names
            if not (b / n).is_file() or (a / n).read_bytes() != (b / n).read_bytes()], len(names)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the manifest's time, the floor and the ratio, per kernel mode."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("manifest_arg", nargs="?", help="manifest (same as --manifest)")
    ap.add_argument("--manifest", help="batch manifest (default: params/batch.yaml)")
    ap.add_argument("--jobs", type=int, default=None, help="parallel runs (default: CPUs)")
    ap.add_argument("--executor", choices=["local", "dask"], default="local")
    ap.add_argument("--repeat", type=int, default=3, help="rounds of floor + batch (medians)")
    ap.add_argument("--kernels", default=",".join(KERNEL_MODES),
                    help="kernel modes compared, comma-separated (default: %(default)s)")
    args = ap.parse_args(argv)
    modes = [m.strip() for m in args.kernels.split(",") if m.strip()]
    if not modes or any(m not in KERNEL_MODES for m in modes):
        ap.error(f"--kernels: expected modes among {', '.join(KERNEL_MODES)}")

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
    jobs = max(1, min(args.jobs or os.cpu_count() or 1, n))

    times: dict[tuple[str, str], list[float]] = {}
    costs: dict[str, list[tuple[float, float, float]]] = {m: [] for m in modes}
    html: list[tuple[list[str], int]] = []
    all_ok = True
    with tempfile.TemporaryDirectory(prefix="dx-bench-") as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "nb").mkdir()
        lines = {
            "floor": trivial_manifest(tmp_path / "nb", n, kernel, timeout),
            "bare": trivial_manifest(tmp_path / "nb", n, kernel, timeout, BARE_CELL, "bare"),
            "batch": manifest,
        }
        for k in range(max(args.repeat, 1)):
            # alternate the order of the modes from round to round (drift on a shared machine)
            for mode in modes if k % 2 == 0 else modes[::-1]:
                for line, m in lines.items():
                    out = tmp_path / f"{line}-{mode}-{k}"
                    secs, ok = timed_batch(m, out, jobs, args.executor, mode)
                    times.setdefault((line, mode), []).append(secs)
                    all_ok = all_ok and ok
                    if line == "batch":
                        costs[mode].append(overheads(out, secs, jobs))
            if len(modes) > 1:
                html.append(different_html(tmp_path / f"batch-{modes[0]}-{k}",
                                           tmp_path / f"batch-{modes[1]}-{k}"))

    med = {key: statistics.median(v) for key, v in times.items()}
    print(f"manifest : {manifest} ({n} runs, kernel {kernel}, jobs {jobs}, {args.executor}, "
          f"medians of {max(args.repeat, 1)} alternating rounds){'' if all_ok else '  [failures]'}")
    for mode in modes:
        real, floor, bare = med[("batch", mode)], med[("floor", mode)], med[("bare", mode)]
        cells, per_run, per_nb = (statistics.median(c[i] for c in costs[mode]) for i in range(3))
        print(f"[{mode}]")
        print(f"  batch    : {real:8.1f} s  ({real / n:.2f} s/run; rounds "
              f"{', '.join(f'{x:.1f}' for x in times[('batch', mode)])} s)")
        print(f"  floor    : {floor:8.1f} s  ({floor / n:.2f} s/run, notebooks that only import "
              f"pandas, matplotlib.pyplot and seaborn; ratio {real / floor:.2f}x)")
        print(f"  bare     : {bare:8.1f} s  ({bare / n:.2f} s/run, one-cell notebooks without imports)")
        print(f"  cells    : {cells:8.1f} s  (the notebooks' own cells, summed); beyond them: "
              f"{per_run:.3f} s per run in its worker (median), {per_nb:.3f} s of wall time per "
              f"notebook with one-off costs")
    if "fresh" in modes and len(modes) > 1:
        for mode in modes:
            if mode != "fresh":
                print(f"{mode} / fresh: {med[('batch', mode)] / med[('batch', 'fresh')]:.2f}x the "
                      f"batch, {med[('floor', mode)] / med[('floor', 'fresh')]:.2f}x the floor")
    if html:
        total = sum(t for _, t in html)
        different = [f"round {k}: {name}" for k, (names, _) in enumerate(html) for name in names]
        print(f"HTML identical between {modes[0]} and {modes[1]}: {total - len(different)} of "
              f"{total} files" + (f"; different: {', '.join(different[:6])}" if different else ""))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
