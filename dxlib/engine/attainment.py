"""Attainment: for each target, the probability that its comparator holds at its deadline, its
status, and the classic deterministic measures (required versus observed growth).

Pure computation on the frames that :mod:`dxlib.data` loads; no file I/O.

Statuses
--------
``achieved`` / ``not_achieved``
    a full-year value is observed for the deadline year (growth targets: the growth it implies);
    probability 1 or 0.
``met_early``
    an earlier full-year value already meets the target; ``probability`` is then the chance that
    it still holds at the deadline (empty when the series is too short to say).
``on_track`` / ``at_risk`` / ``off_track``
    by the calibrated probability: ``on_track`` when p >= 0.7, ``off_track`` when p < 0.3,
    ``at_risk`` in between (:data:`STATUS_CUTOFFS`).
``insufficient_data``
    no series mapped, no observation, or a single one that does not meet the target (no trend,
    no probability; a single one that meets it is ``met_early`` without a probability).
``qualitative``
    milestones: shown with their evidence, never scored as numbers.

Observations are *full-year* values unless they carry an ``as_of`` date: partial-year values are
reported (``partial_value``, ``partial_date``) but never used as a year's value or a trend point.
``as_of=YEAR`` keeps only observations whose reference year is at most YEAR, so the table says
what the trend said with the data of that year. It filters on the year a value *refers to*,
not on when it was published: the 2024 value published in 2025 counts as 2024 data.

Required versus observed growth (UNSD, Eurostat, Statistics Canada): ``observed_growth`` is the
average annual growth (CAGR, % a year) over the full-year history used; ``required_growth`` the
CAGR needed from the last observation to reach the target value at the deadline; their ratio
``growth_ratio`` (>= 0.95 "on track" in Statistics Canada's scheme; < 0 moving away). For growth
targets the observed growth is that of the last observed year and the required one is the
target itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from dxlib.engine.censoring import note_break, series_rows, trend_parts
from dxlib.engine.context import AssessmentContext, full_year_series, latest_partial
from dxlib.engine.rules import (
    INTERVAL,
    SHOWN_BOUNDS,
    STATUS_CUTOFFS,
    STATUSES,
    Note,
    cagr,
    compare,
    note,
    shown_probability,
    snap_to_bounds,
    status_from_probability,
)
from dxlib.engine.targets_growth import cagr_probability
from dxlib.engine.targets_level import assess_single
from dxlib.engine.targets_ratio import assess_ratio
from dxlib.model import PARTIAL_DATE, Dataset, series_geo, series_indicators

__all__ = [
    "ASSESSMENT_COLUMNS", "INTERVAL", "SHOWN_BOUNDS", "STATUSES", "STATUS_CUTOFFS", "Note",
    "assess_dataset", "cagr", "cagr_probability", "compare", "full_year_history",
    "shown_probability", "snap_to_bounds", "status_from_probability",
]

ASSESSMENT_COLUMNS: tuple[str, ...] = (
    "geo", "target_id", "pillar", "kind", "indicator", "series_geo", "proxy", "evidence", "comparator",
    "target_value", "unit", "deadline", "as_of", "last_year", "last_value", "n_obs",
    "partial_value", "partial_date", "status", "probability", "projected_median", "projected_low",
    "projected_high", "required_growth", "observed_growth", "growth_ratio", "method", "note",
    "bound", "definition", "growth_low", "growth_high", "evidence_note",
)

def full_year_history(observations: pd.DataFrame) -> pd.DataFrame:
    """Full-year values (:func:`dxlib.model.full_year`), one per (geo, indicator, year): the
    mean when several sources give the same figure. Columns ``geo, indicator, year, value``.
    Only exact values under each series' current definition: bounds and values under an
    earlier definition never enter a trend (:func:`dxlib.engine.censoring.trend_parts`)."""
    return trend_parts(observations)[0]


def assess_dataset(
    ds: Dataset,
    *,
    as_of: int | None = None,
    geos: Sequence[str] | None = None,
    seed: int = 0,
    n_samples: int = 2000,
) -> pd.DataFrame:
    """Assess every target of ``ds.registry`` for each geography in ``geos`` (default: the
    plan's). Returns one row per (geo, target), geographies in the given order and targets in
    the registry's, with :data:`ASSESSMENT_COLUMNS`; probabilities in [0, 1], values in the
    target's unit, growth in % a year. Deterministic for a given seed.

    Vectorised over geographies: every needed series is forecast once in one :func:`forecast`
    call, the exact probabilities of single-series targets come from one
    :meth:`~dxlib.engine.forecast.Forecast.prob_many` call, and growth and ratio targets read one
    column of each series' sample paths (cached). 34 geographies x 26 targets take about a
    quarter of a second (``benchmarks/scale.py``).
    """
    from dxlib.engine.forecast import forecast

    cut = ds.as_of(as_of)  # only the data up to as_of, stand-ins switched on them
    reg = cut.registry
    geos = list(geos) if geos else [reg.geo]
    obs = cut.observations
    by_series = series_rows(obs)  # full-year values per series; then exact values, bounds, breaks
    hist, censored, breaks = trend_parts(obs, by_series)
    partial_frame = latest_partial(obs)
    partial = {key: (float(v), a.date().isoformat()) for key, v, a in zip(
        partial_frame.index, partial_frame["value"], partial_frame[PARTIAL_DATE], strict=True)}
    targets = [(tid, t) for tid, t in zip(reg.targets.index, reg.targets.to_dict("records"),
                                          strict=True)]

    # Which series each (geo, target) needs.
    jobs = []
    needed: set[tuple[str, str]] = set()
    for geo in geos:
        for tid, t in targets:
            sgeo = series_geo(t, reg.geo, geo)
            inds = series_indicators(t)
            jobs.append((geo, tid, t, sgeo, inds))
            if t["kind"] != "milestone":
                needed.update((sgeo, i) for i in inds)

    series = full_year_series(hist, needed)
    # Forecast every series that has 2+ points, once, up to the last deadline.
    to_year = int(reg.targets["deadline"].max())
    keys = [k for k in sorted(series) if len(series[k].years) >= 2
            and int(series[k].years.max()) < to_year]
    fc = None
    if keys:
        ind = ds.indicators.loc[[i for _, i in keys]]
        lengths = [len(series[k].years) for k in keys]
        fc_input = pd.DataFrame({
            "series_id": np.repeat([f"{g}|{i}" for g, i in keys], lengths),
            "year": np.concatenate([series[k].years for k in keys]),
            "value": np.concatenate([series[k].values for k in keys]),
            "kind": np.repeat(ind["kind"].to_numpy(dtype=object), lengths),
            "lower": np.repeat(ind["lower"].to_numpy(dtype=float), lengths),
            "upper": np.repeat(ind["upper"].to_numpy(dtype=float), lengths)})
        if "reference_class" in ind.columns:  # the catalogue may name a class per indicator
            fc_input["reference_class"] = np.repeat(ind["reference_class"].to_numpy(dtype=object),
                                                    lengths)
        fc = forecast(fc_input, to_year=to_year, n_samples=n_samples, seed=seed)

    evidence_counts = obs.groupby(["geo", "indicator"]).size().to_dict() if len(obs) else {}
    ctx = AssessmentContext(ds, series, partial, fc, evidence_counts, censored, breaks, by_series)
    rows = [_assess_one(geo, tid, t, sgeo, inds, ctx, as_of) for geo, tid, t, sgeo, inds in jobs]
    if ctx.pending:
        ids, years = [p[1] for p in ctx.pending], [p[2] for p in ctx.pending]
        probs = fc.prob_many(ids, years, [p[3] for p in ctx.pending], [p[4] for p in ctx.pending])
        quantiles = fc.quantiles_many(ids, years, [0.5, *INTERVAL])
        for (row, *_, by_probability), p, q in zip(ctx.pending, probs, quantiles, strict=True):
            row["probability"] = float(p)
            row.update(projected_median=float(q[0]), projected_low=float(q[1]),
                       projected_high=float(q[2]))
            if by_probability:
                row["status"] = status_from_probability(row["probability"])
                if row["status"] is None:  # e.g. deadline-year value missing, later years observed
                    row.update(status="insufficient_data",
                               note=note("no_deadline_forecast"))
    out = pd.DataFrame(rows, columns=list(ASSESSMENT_COLUMNS))
    from dxlib.engine.evidence import grade_assessment

    return grade_assessment(out.astype({"proxy": bool}), reg, ds.indicators, ds.geos)


def _assess_one(geo: str, tid: str, t: dict, sgeo: str, inds: list[str], ctx: AssessmentContext,
                as_of: int | None) -> dict:
    deadline = int(t["deadline"])
    row = {
        "geo": geo, "target_id": tid, "pillar": t["pillar"], "kind": t["kind"],
        "indicator": t["indicator"] if isinstance(t["indicator"], str) else (
            f"{t['numerator']}/{t['denominator']}" if isinstance(t["numerator"], str) else None),
        "series_geo": sgeo if inds else None, "proxy": isinstance(t["proxy"], str),
        "comparator": t["comparator"], "target_value": t["value"], "unit": t["unit"],
        "deadline": deadline, "as_of": as_of, "last_year": None, "last_value": math.nan,
        "n_obs": 0, "partial_value": math.nan, "partial_date": None, "status": None,
        "probability": math.nan, "projected_median": math.nan, "projected_low": math.nan,
        "projected_high": math.nan, "required_growth": math.nan, "observed_growth": math.nan,
        "growth_ratio": math.nan, "method": None, "note": None, "bound": None,
        "definition": None, "growth_low": math.nan, "growth_high": math.nan,
    }
    if t["kind"] == "milestone":
        ev = {*t["evidence"], *inds}
        n_ev = sum(ctx.evidence_counts.get((sgeo, i), 0) for i in ev)
        row.update(status="qualitative", note=note("milestone_evidence", n=int(n_ev)) if n_ev
                   else note("milestone_no_evidence"))
        return row
    if not inds:
        row.update(status="insufficient_data", note=note("no_series"))
        return row
    if len(inds) == 1:
        return note_break(assess_single(row, t, (sgeo, inds[0]), ctx),
                          ctx.view((sgeo, inds[0]), deadline).brk)
    return assess_ratio(row, t, sgeo, inds, ctx)
