"""The batch runner: run parameterized notebooks with Papermill, render self-contained HTML
without code, and write an index and a machine-readable record of the batch.

It knows notebooks, parameters, kernels and files, not plans: checks that need to know what a
parameter means are handed in (``run_batch(..., preflight=...)``, as ``dx reports`` does).

Modules, in the order a batch uses them:

- :mod:`~dxlib.batch.manifest`    loading a manifest: parameter layering, grids, slugs (:class:`RunSpec`)
- :mod:`~dxlib.batch.manifest_schema` the manifest's pydantic schema and its errors with YAML lines
- :mod:`~dxlib.batch.execute`     the unit of work: one notebook through Papermill (:func:`execute_run`)
- :mod:`~dxlib.batch.executors`   local process pool or Dask
- :mod:`~dxlib.batch.render`      nbconvert HTML of a run, ``index.html`` (templates in ``templates/``)
- :mod:`~dxlib.batch.provenance`  git commit, package versions, data, code and template hashes, cache keys
- :mod:`~dxlib.batch.run`         the batch: :func:`run_batch`, ``run.json``, ``--resume``
- :mod:`~dxlib.batch.lock`        one ``dx reports`` at a time per output folder
- :mod:`~dxlib.batch.util`        slugs and JSON as the runner writes them
- :mod:`~dxlib.batch.nbtools`     helpers used inside the notebooks (parameters, metrics)
"""

from __future__ import annotations

from dxlib.batch.execute import DEFAULT_KERNEL, execute_run, find_error
from dxlib.batch.manifest import DEFAULT_TIMEOUT, RunSpec, load_manifest
from dxlib.batch.provenance import cache_key, data_fingerprint
from dxlib.batch.render import subgroups
from dxlib.batch.run import BatchResult, Preflight, remove_stale_temporaries, run_batch
from dxlib.batch.util import dumps_json, slugify, write_json

__all__ = [
    "DEFAULT_KERNEL",
    "DEFAULT_TIMEOUT",
    "BatchResult",
    "Preflight",
    "RunSpec",
    "cache_key",
    "data_fingerprint",
    "dumps_json",
    "execute_run",
    "find_error",
    "load_manifest",
    "remove_stale_temporaries",
    "run_batch",
    "slugify",
    "subgroups",
    "write_json",
]
