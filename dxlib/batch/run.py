"""A batch: validate the manifest, run what is needed (or reuse it with ``--resume``), write
every run's outputs, ``index.html`` and ``run.json``.

Outputs in ``out_dir``: ``<slug>.html``, ``<slug>/<slug>.ipynb`` (also for failed runs),
``<slug>/metrics.json``, ``index.html`` and ``run.json``. ``run.json`` holds, per run, slug,
notebook, parameters, param_files, status, error, outputs (relative paths) and metrics; plus
versions, git commit and the manifest path; all that varies between two executions of the same
batch (times, executor, jobs) is under its top-level ``timing`` key. Everything in the output
folder is written by the main process, each file through a temporary name and ``os.replace``.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dxlib import __version__, paths
from dxlib.batch.executors import check_kernel, run_dask, run_local
from dxlib.batch.kernels import KERNEL_MODES
from dxlib.batch.lock import FolderLock
from dxlib.batch.manifest import SLUG_OK, RunSpec, load_manifest
from dxlib.batch.nbtools import read_metrics
from dxlib.batch.provenance import cache_key, code_fingerprint, data_fingerprint, git_commit, package_versions
from dxlib.batch.render import Renderer, first_heading, index_info
from dxlib.batch.util import write_json
from dxlib.errors import ParameterError, display_path
from dxlib.fileio import atomic_write_text

#: A check of the runs before any starts (e.g. against their data): raises a DxError to refuse.
Preflight = Callable[[Sequence[RunSpec], Path], None]


@dataclass
class BatchResult:
    """What :func:`run_batch` did. ``runs`` are the per-run records of ``run.json``."""

    runs: list[dict[str, Any]]
    ok: bool
    summary_text: str
    index_path: Path
    run_json_path: Path | None = None
    out_dir: Path | None = None


def _summary(records: list[dict], out_dir: Path, n_earlier: int = 0, n_outdated: int = 0) -> str:
    n = len(records)
    ok = sum(r["status"] == "ok" for r in records)
    failed = [r for r in records if r["status"] == "failed"]
    not_run = n - ok - len(failed)
    reused = sum(r.get("origin") == "reused" for r in records)
    head = f"{n} run{'s' if n != 1 else ''}: {ok} ok, {len(failed)} failed"
    if not_run:
        head += f", {not_run} not run"
    if reused:
        head += f"; {reused} reused (inputs unchanged)"
    if n_earlier:
        head += f"; {n_earlier} earlier report{'s' if n_earlier != 1 else ''} still listed"
        if n_outdated:
            head += f" ({n_outdated} outdated: inputs changed)"
    lines = [f"{head} -> {display_path(out_dir)}"]
    for r in failed:
        e = r["error"] or {}
        lines.append(f"FAILED {r['slug']} ({r['notebook']})")
        where = []
        if e.get("cell") is not None:
            where.append(f"cell {e['cell']}")
        if e.get("execution_count") is not None:
            where.append(f"In [{e['execution_count']}]")
        loc = " ".join(where)
        if e.get("first_line"):
            loc += f": {e['first_line']}" if loc else e["first_line"]
        if loc:
            lines.append(f"  at {loc}")
        lines.append(f"  {e.get('ename', '')}: {e.get('evalue', '')}")
    return "\n".join(lines)



def _previous_records(out: Path) -> dict[str, dict]:
    """The run records of ``out/run.json`` from an earlier batch whose HTML is still there
    (``{}`` when there is none or it cannot be read)."""
    path = out / "run.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        runs = data["runs"]
    except (OSError, ValueError, KeyError, TypeError):
        print(f"warning: {display_path(path)} cannot be read; earlier runs are not listed", file=sys.stderr)
        return {}
    kept = {}
    for rec in runs:
        if not isinstance(rec, dict) or not isinstance(rec.get("slug"), str):
            continue
        html_rel = (rec.get("outputs") or {}).get("html")
        if html_rel and SLUG_OK.match(rec["slug"]) and (out / html_rel).is_file():
            kept[rec["slug"]] = rec
    return kept


def _earlier(rec: dict, key: str) -> dict:
    """An earlier run's record as listed again: ``origin: earlier_run``, and ``outdated: true``
    when its recorded cache key is not the run's key now (its notebook, parameters, data or
    dxlib changed since: the report no longer shows what the inputs give)."""
    rec = {k: v for k, v in rec.items() if k != "outdated"}
    if rec.get("cache_key") != key:
        rec["outdated"] = True
    return {**rec, "origin": "earlier_run"}


def _reusable(rec: dict | None, key: str, out: Path) -> bool:
    if not rec or rec.get("status") != "ok" or rec.get("cache_key") != key:
        return False
    outputs = rec.get("outputs") or {}
    return all(outputs.get(k) and (out / outputs[k]).is_file() for k in ("html", "notebook", "metrics"))


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Remove temporary files (``.<name>.<random>.tmp``) that a killed earlier batch left in
    ``out``; the finished files are never touched. Returns what was removed."""
    removed = []
    for p in list(out.glob(".*.tmp")) + list(out.glob("*/.*.tmp")):
        if p.is_file():
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def run_batch(
    manifest: str | os.PathLike[str],
    out_dir: str | os.PathLike[str] = paths.REPORTS,
    *,
    jobs: int | None = None,
    only: str | None = None,
    executor: str = "local",
    scheduler: Any = None,
    timeout: float | None = None,
    resume: bool = False,
    progress: bool = True,
    preflight: Preflight | None = None,
    group_by: Sequence[str] = (),
    kernels: str | None = None,
) -> BatchResult:
    """Run every report of ``manifest`` and write the outputs to ``out_dir``.

    ``jobs``: parallel runs (default ``os.cpu_count()``; for Dask without ``scheduler``, the
    number of ``LocalCluster`` workers). ``executor``: ``"local"`` (process pool) or ``"dask"``
    (``scheduler``: address or ``distributed.Client``; a ``LocalCluster`` when ``None``).
    ``timeout`` overrides the manifest's per-cell timeout (seconds). ``resume``: reuse the
    outputs of runs whose :func:`cache_key` equals the one recorded in ``out_dir/run.json``
    (status ok, files present) instead of executing them again. ``preflight(runs, manifest)``
    checks the selected runs before anything runs or is written (``dx reports`` hands in the
    plan's checks, :func:`dxlib.data.preflight.plan_preflight`). ``group_by``: parameters that
    split a notebook's runs into sub-lists of the index when their values differ. ``kernels``
    overrides the manifest's kernel mode (``defaults.kernels``): ``"fresh"``, a new kernel per
    notebook, or ``"warm"``, one kept kernel per worker, reset between notebooks
    (:mod:`dxlib.batch.kernels`; used only when there are more runs than workers, and kept
    for one batch); the outputs are the same either way.

    Failing runs do not stop the others; ``result.ok`` is False when any failed. Manifest and
    data problems raise :class:`~dxlib.errors.DxError` before anything runs or is written.
    ``index.html`` and ``run.json`` list this batch's runs in manifest order, then runs of an
    earlier batch whose HTML is still in ``out_dir`` (not selected by ``only``, or not reached
    because the batch was interrupted), marked ``origin: earlier_run``. On Ctrl-C (or SIGTERM
    in ``dx reports``) the workers are stopped, ``run.json`` and ``index.html`` are written for
    what finished, and ``KeyboardInterrupt`` propagates; every file is replaced atomically.
    """
    from tqdm.auto import tqdm

    manifest_path = paths.resolve(manifest)
    all_specs = load_manifest(manifest_path)
    specs = load_manifest(manifest_path, only=only) if only else all_specs
    if executor not in ("local", "dask"):
        raise ParameterError(f"executor: found {executor!r}; expected 'local' or 'dask'")
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ParameterError(f"timeout: found {timeout!r}; expected a positive number of seconds")
        for s in specs:
            s.timeout = timeout
    if kernels is not None:
        if kernels not in KERNEL_MODES:
            raise ParameterError(f"kernels: found {kernels!r}; expected one of: {', '.join(KERNEL_MODES)}")
        for s in specs:
            s.kernels = kernels
    if executor == "local":
        check_kernel({s.kernel for s in specs}, manifest_path)
    out = Path(out_dir).resolve()
    for s in specs:  # slugs are [a-z0-9_-]; this guards against future changes
        if (out / s.slug).resolve().parent != out:
            raise ParameterError(f"slug {s.slug!r} would leave the output folder {out}")
    if preflight is not None:
        preflight(specs, manifest_path)
    out.mkdir(parents=True, exist_ok=True)
    lock = FolderLock(out)  # held until this call returns; a second batch into `out` stops here
    try:
        remove_stale_temporaries(out)
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(specs)))

        by_slug = {s.slug: s for s in specs}
        renderer = Renderer(group_by)
        context = {
            "dxlib_version": __version__,
            "git_commit": git_commit(),
            "data_files": data_fingerprint(),
        }
        code = code_fingerprint()
        # every run's key, selected or not: an earlier report whose inputs changed is marked outdated
        keys = {s.slug: cache_key(s, context["data_files"], code) for s in all_specs}
        previous = _previous_records(out)
        info = {s.slug: index_info(s) for s in all_specs}
        records: dict[str, dict] = {}
        seconds: dict[str, float] = {}
        if resume:
            for s in specs:
                if _reusable(previous.get(s.slug), keys[s.slug], out):
                    records[s.slug] = {**_earlier(previous[s.slug], keys[s.slug]), "origin": "reused"}
        to_run = [s for s in specs if s.slug not in records]
        started = datetime.now(UTC)
        t0 = time.perf_counter()
        payloads = [s.payload() for s in to_run]
        results: Any = iter(())
        if payloads:
            jobs = max(1, min(jobs, len(payloads)))
            batch_id = uuid.uuid4().hex  # kept kernels serve one batch (new code, new kernels)
            for p in payloads:
                p["batch_id"] = batch_id
                if len(payloads) <= jobs:  # one run per worker: warming a kernel cannot pay off
                    p["kernels"] = "fresh"
            results = (run_local(payloads, jobs) if executor == "local"
                       else run_dask(payloads, jobs, scheduler))
        bar = tqdm(total=len(to_run), disable=not progress, unit="run", desc="dx reports", file=sys.stderr)
        try:
            for result in results:
                spec = by_slug[result["slug"]]
                try:
                    records[spec.slug] = _write_run(out, spec, result, renderer, context)
                except Exception as exc:  # noqa: BLE001 - one unrenderable run must not stop the batch
                    result = {
                        **result,
                        "status": "failed",
                        "error": {
                            "cell": None,
                            "execution_count": None,
                            "first_line": "",
                            "ename": type(exc).__name__,
                            "evalue": f"writing the outputs failed: {exc}",
                        },
                    }
                    records[spec.slug] = {**_not_run_record(spec), "status": "failed",
                                          "error": result["error"]}
                records[spec.slug]["cache_key"] = keys[spec.slug]
                records[spec.slug]["origin"] = "this_run"
                seconds[spec.slug] = result.get("seconds", 0.0)
                bar.update(1)
                if result["status"] != "ok":
                    e = result.get("error") or {}
                    bar.write(
                        f"FAILED {spec.slug}: {e.get('ename', '')}: {e.get('evalue', '')}",
                        file=sys.stderr,
                    )
        finally:
            bar.close()
            if hasattr(results, "close"):
                results.close()
            selected = {s.slug for s in specs}
            ordered: list[dict] = []
            for s in all_specs:
                if s.slug in records:
                    ordered.append(records[s.slug])
                elif s.slug in previous:  # not selected, or not reached: the earlier report stays
                    ordered.append(_earlier(previous[s.slug], keys[s.slug]))
                elif s.slug in selected:
                    ordered.append({**_not_run_record(s), "cache_key": keys[s.slug], "origin": "this_run"})
            if only:  # reports of other manifests in this folder stay listed too
                listed = {r["slug"] for r in ordered}
                ordered += [
                    {**rec, "origin": "earlier_run"} for slug, rec in previous.items() if slug not in listed
                ]
            timing = {
                "started": started.isoformat(timespec="seconds"),
                "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                "seconds": round(time.perf_counter() - t0, 3),
                "run_seconds": seconds,
                "executor": executor,
                "jobs": jobs,
                "kernels": sorted({p["kernels"] for p in payloads}),
            }
            run_json = {
                "manifest": display_path(manifest_path),
                "dxlib_version": __version__,
                "git_commit": context["git_commit"],
                "python": platform.python_version(),
                "packages": package_versions(),
                "data_files": context["data_files"],
                "summary": {
                    "total": len(ordered),
                    "ok": sum(r["status"] == "ok" for r in ordered),
                    "failed": sum(r["status"] == "failed" for r in ordered),
                    "reused": sum(r.get("origin") == "reused" for r in ordered),
                    "earlier_run": sum(r.get("origin") == "earlier_run" for r in ordered),
                },
                "runs": ordered,
                "timing": timing,
            }
            run_json_path = write_json(out / "run.json", run_json)
            index_path = atomic_write_text(out / "index.html", renderer.index(ordered, info, context))
        this_batch = [r for r in ordered if r.get("origin") != "earlier_run"]
        return BatchResult(
            runs=this_batch,
            ok=all(r["status"] == "ok" for r in this_batch),
            summary_text=_summary(this_batch, out, n_earlier=len(ordered) - len(this_batch),
                                  n_outdated=sum(bool(r.get("outdated")) for r in ordered)),
            index_path=index_path,
            run_json_path=run_json_path,
            out_dir=out,
        )
    finally:
        lock.release()  # also when interrupted: a kept traceback must not keep the folder busy


def _outputs(slug: str) -> dict[str, str | None]:
    return {
        "html": f"{slug}.html",
        "notebook": f"{slug}/{slug}.ipynb",
        "metrics": f"{slug}/metrics.json",
    }


def _base_record(spec: RunSpec) -> dict[str, Any]:
    return {
        "slug": spec.slug,
        "notebook": display_path(spec.notebook),
        "parameters": spec.parameters,
        "param_files": [display_path(p) for p in spec.param_files],
    }


def _not_run_record(spec: RunSpec) -> dict[str, Any]:
    return {
        **_base_record(spec),
        "status": "not_run",
        "error": None,
        "metrics": {},
        "outputs": {"html": None, "notebook": None, "metrics": None},
    }


def _write_run(out: Path, spec: RunSpec, result: dict, renderer: Renderer, context: dict) -> dict[str, Any]:
    """Write one run's notebook, metrics and HTML (main process); its ``run.json`` record."""
    import nbformat

    outputs = _outputs(spec.slug)
    text = result.get("executed_notebook")
    if text:
        nb = nbformat.reads(text, as_version=4)
        pm = nb.metadata.setdefault("papermill", {})
        pm["input_path"] = display_path(spec.notebook)
        pm["output_path"] = outputs["notebook"]
        atomic_write_text(out / outputs["notebook"], nbformat.writes(nb) + "\n")
    else:  # execution never started: render the notebook as written, keep no .ipynb
        nb = nbformat.reads(spec.notebook_text, as_version=4)
        outputs["notebook"] = None
    metrics = read_metrics(nb) if text else {}
    write_json(out / spec.slug / "metrics.json", metrics)
    record = {
        **_base_record(spec),
        "status": result["status"],
        "error": result.get("error"),
        "metrics": metrics,
        "outputs": outputs,
        "title": first_heading(nb),  # in the report's language, for index.html
    }
    atomic_write_text(out / outputs["html"], renderer.report(nb, spec, record, context))
    return record

