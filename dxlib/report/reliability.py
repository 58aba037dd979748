"""The calibration evidence that ships with dxlib: the M3 yearly benchmark's figures, read from
``dxlib/profiles/m3_benchmark.json`` (written by ``benchmarks/m3_yearly.py``), and the calibration
of the attainment probabilities, read from ``dxlib/profiles/attainment_calibration.json`` (written
by ``benchmarks/attainment_calibration.py --write-profile``)."""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import NamedTuple

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


#: the groups of the attainment-calibration benchmark, in the order the report shows them: the
#: three M3 target families, then the adoption-panel files (the JSON's ``summary`` keys)
CALIBRATION_GROUPS = ("m3_level", "m3_growth", "m3_yoy", "internet_users_pct",
                      "fixed_broadband_subscriptions_per100", "account_ownership_pct_age15plus")
#: the status bands of :func:`dxlib.engine.rules.status_from_probability`, highest first
BANDS = ("on_track", "at_risk", "off_track")


class AttainmentCalibration(NamedTuple):
    """The attainment-probability calibration evidence (``benchmarks/attainment_calibration.py``).

    Probabilities and frequencies are fractions in [0, 1]; ``n`` counts (target, year) cases.

    * ``reliability``: one row per (group, probability bin), 10 equal-width bins per group:
      ``group`` (one of :data:`CALIBRATION_GROUPS`), ``protocol`` ("m3" / "adoption"),
      ``family`` ("level", "growth", "yoy", "share"), ``lo``, ``hi`` (bin edges), ``n``,
      ``mean_p`` (mean predicted probability in the bin), ``observed`` (share of those targets met).
    * ``bands``: one row per (group, band) where the benchmark reports bands (M3 level and each
      panel file): ``group``, ``band`` (on_track p ≥ 0.7, at_risk, off_track p < 0.3), ``n``,
      ``mean_p``, ``observed``.
    * ``summary``: one row per group (index ``group``): ``n``, ``brier``, ``ece`` (expected
      calibration error: |mean p − observed| over the 10 bins weighted by their size),
      ``mean_p``, ``observed`` and the baselines' scores the JSON carries (NaN where absent).
    * ``goals``: the issue's goals: ``goal`` (text), ``result`` (text), ``met`` (bool).
    """

    reliability: pd.DataFrame
    bands: pd.DataFrame
    summary: pd.DataFrame
    goals: pd.DataFrame


def _group(row: dict) -> str:
    return f"m3_{row['family']}" if row["protocol"] == "m3" else str(row["file"])


def attainment_calibration(path: str | os.PathLike[str] | None = None) -> AttainmentCalibration:
    """The calibration evidence of the attainment probabilities, read from ``path`` (default: the
    shipped ``dxlib/profiles/attainment_calibration.json``, written by
    ``benchmarks/attainment_calibration.py --write-profile``); see :class:`AttainmentCalibration`
    for the frames, their shapes and units. Groups are ordered as :data:`CALIBRATION_GROUPS`
    (unknown ones after them), bands as :data:`BANDS`."""
    if path is None:
        text = resources.files("dxlib.profiles").joinpath(
            "attainment_calibration.json").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    data = json.loads(text)
    missing = [k for k in ("summary", "bands", "reliability", "goals") if k not in data]
    if missing:
        raise ValueError(f"{path or 'attainment_calibration.json'}: key {missing[0]!r} missing; "
                         "expected summary, bands, reliability and goals")
    order = {g: i for i, g in enumerate(CALIBRATION_GROUPS)}

    def ordered(frame: pd.DataFrame, *keys: str) -> pd.DataFrame:
        rank = frame["group"].map(lambda g: order.get(g, len(order)))
        return (frame.assign(_rank=rank).sort_values(["_rank", *keys], kind="stable")
                .drop(columns="_rank").reset_index(drop=True))

    rel = pd.DataFrame(data["reliability"])
    rel.insert(0, "group", [_group(r) for r in data["reliability"]])
    rel = ordered(rel[["group", "protocol", "family", "lo", "hi", "n", "mean_p", "observed"]], "lo")
    bands = pd.DataFrame([{"group": g, "band": b, **v} for g, per in data["bands"].items()
                          for b, v in per.items()])
    bands = ordered(bands.assign(_b=bands["band"].map(BANDS.index)), "_b").drop(columns="_b")
    summary = pd.DataFrame([{"group": g, **{k: v for k, v in s.items() if not isinstance(v, dict)}}
                            for g, s in data["summary"].items()])
    summary = ordered(summary).set_index("group")
    goals = pd.DataFrame(data["goals"], columns=["goal", "result", "met"]).astype({"met": bool})
    return AttainmentCalibration(rel, bands[["group", "band", "n", "mean_p", "observed"]], summary, goals)


def merge_identical_groups(reliability: pd.DataFrame) -> pd.DataFrame:
    """``reliability`` with groups whose bins are identical (same ``lo``, ``n``, ``mean_p``,
    ``observed``: e.g. M3 growth targets, the same events as level targets) kept once, their
    ``group`` names joined by " = ", so that no group of a diagram hides under another."""
    cols = ["lo", "n", "mean_p", "observed"]
    keys: dict[str, list[str]] = {}
    for group, rows in reliability.groupby("group", sort=False):
        keys.setdefault(rows[cols].to_csv(index=False), []).append(str(group))
    names = {gs[0]: " = ".join(gs) for gs in keys.values()}
    kept = reliability[reliability["group"].isin(names)]
    return kept.assign(group=kept["group"].map(names)).reset_index(drop=True)


def band_gaps(bands: pd.DataFrame) -> pd.DataFrame:
    """The bands' rows with ``gap`` = mean_p − observed (positive: probabilities too high), sorted
    from the most overstated to the most understated."""
    return bands.assign(gap=bands["mean_p"] - bands["observed"]).sort_values(
        "gap", ascending=False, kind="stable").reset_index(drop=True)


def band_table(bands: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The status-band table of a report in ``lang``: one row per row of ``bands`` (the frame of
    :func:`attainment_calibration`), columns headed in ``lang``: test data, status band (its
    status word), mean probability and share met (per cent, whole numbers) and cases (count)."""
    from dxlib.report import fmt
    from dxlib.report import words as i18n

    return pd.DataFrame({
        i18n.label("calibration_group", lang): [i18n.calibration_group_word(g, lang) for g in bands["group"]],
        i18n.label("band", lang): [i18n.status_word(b, lang) for b in bands["band"]],
        i18n.label("mean_probability", lang): [fmt.percent(p, lang) for p in bands["mean_p"]],
        i18n.label("observed_frequency", lang): [fmt.percent(p, lang) for p in bands["observed"]],
        i18n.label("n_cases", lang): [fmt.number(int(n), lang) for n in bands["n"]],
    })
