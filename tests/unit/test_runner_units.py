"""Runner units without a batch: kernel start-up retry, index sub-lists."""

from __future__ import annotations

import shutil

import nbformat
import papermill

from dxlib.batch import execute_run


def _payload() -> dict:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    return {"slug": "s", "notebook_name": "n.ipynb", "notebook_json": nbformat.writes(nb),
            "parameters": {}, "kernel": "python3", "timeout": 30, "cwd": None,
            "kernels": "fresh"}  # the retry belongs to fresh kernels (warm ones retry at start-up)


def test_kernel_start_failure_is_retried_once(monkeypatch) -> None:
    calls = []

    def flaky(inp, out, **kw):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        shutil.copy(inp, out)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    result = execute_run(_payload())
    assert len(calls) == 2 and result["status"] == "ok"


def test_other_failures_are_not_retried(monkeypatch) -> None:
    calls = []

    def broken(inp, out, **kw):
        calls.append(1)
        raise RuntimeError("something else")

    monkeypatch.setattr(papermill, "execute_notebook", broken)
    result = execute_run(_payload())
    assert len(calls) == 1 and result["status"] == "failed"


def test_index_splits_a_notebooks_runs_by_geography() -> None:
    from dxlib.batch import subgroups

    runs = [{"parameters": {"geo": g, "lang": lang}} for g in ("a", "b") for lang in ("vi", "en")]
    subs = subgroups(runs, ("geo",))
    assert [s["label"] for s in subs] == ["geo = a", "geo = b"] and [len(s["runs"]) for s in subs] == [2, 2]
    same = [{"parameters": {"lang": lang}} for lang in ("vi", "en")]
    assert [s["label"] for s in subgroups(same, ("geo",))] == [""]
    assert [s["label"] for s in subgroups(runs, ())] == [""]  # no grouping asked for
