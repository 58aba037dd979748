"""The calibration evidence that ships with dxlib: the M3 yearly benchmark's figures, read from
``dxlib/profiles/m3_benchmark.json`` (written by ``benchmarks/m3_yearly.py``)."""

from __future__ import annotations

import json
from importlib import resources

import pandas as pd


def benchmark_table() -> pd.DataFrame:
    """One row per (history, method): ``history`` ("full", "last 4" ...), ``method``, ``smape``,
    ``mase``, ``coverage_80`` and ``coverage_95`` (fractions of outcomes inside the central 80 % /
    95 % ranges), ``pit_hist`` (10 bin shares of the PIT, each ideally 0.1; NaN for methods
    without a full distribution)."""
    text = resources.files("dxlib.profiles").joinpath("m3_benchmark.json").read_text(encoding="utf-8")
    rows = json.loads(text)["rows"]
    frame = pd.DataFrame(rows)
    return pd.DataFrame({
        "history": frame["history"], "method": frame["method"], "smape": frame["sMAPE"],
        "mase": frame["MASE"], "coverage_80": frame["cover80"] / 100,
        "coverage_95": frame["cover95"] / 100,
        "pit_hist": frame.get("PIT_hist", pd.Series([None] * len(frame))),
    })
