"""Growth targets (``measure`` yoy or cagr, % a year): the growth observed at the deadline, else
the probability that the growth from the base year reaches the target, exact from the forecast's
marginal when the base year is observed, from joint sample paths when it is forecast too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from dxlib.engine.context import AssessmentContext, YearSeries
from dxlib.engine.rules import (
    INTERVAL,
    cagr,
    compare,
    fill_projection,
    note,
    status_from_probability,
)

if TYPE_CHECKING:
    from dxlib.engine.forecast import Forecast


def cagr_probability(fc: Forecast, series_ids: Sequence[str], years: Sequence[int] | np.ndarray,
                     base_values: np.ndarray, spans: np.ndarray, comparator: str,
                     growth_pct: np.ndarray | float) -> np.ndarray:
    """P(average annual growth from an OBSERVED base value to ``years`` <comparator>
    ``growth_pct`` % a year), shape (len(series_ids),), exact from the forecast's marginal (no
    Monte Carlo): with base > 0 and span > 0 the growth is increasing in the final value, so the
    event is ``Y_year <comparator> base * (1 + g / 100) ** span``. NaN where the base is not
    positive, the growth is <= -100 % or the year is not a forecast year."""
    base = np.asarray(base_values, float)
    g = np.broadcast_to(np.asarray(growth_pct, float), base.shape)
    span = np.asarray(spans, float)
    ok = (base > 0) & (span > 0) & (g > -100)
    thr = np.where(ok, base * np.maximum(1 + g / 100, 0.0) ** span, np.nan)
    p = fc.prob_many(list(series_ids), years, comparator, thr)
    return np.where(ok, p, np.nan)


def _growth_base(upto: YearSeries, year: int, measure: str, base_year) -> tuple[int, int, float,
                                                                           float | None]:
    """(base year a, span, observed base value or NaN, observed growth or None)."""
    a = year - 1 if measure == "yoy" else int(base_year)
    span = year - a
    ia, ib = np.flatnonzero(upto.years == a), np.flatnonzero(upto.years == year)
    base = float(upto.values[ia[0]]) if len(ia) else math.nan
    observed = cagr(base, float(upto.values[ib[0]]), span) if len(ia) and len(ib) else None
    return a, span, base, observed


def assess_growth(row: dict, t: dict, key: tuple[str, str], upto: YearSeries,
                  ctx: AssessmentContext) -> dict:
    """Fill ``row`` for the growth target ``t`` (% a year) on the series ``key`` = (geo,
    indicator), whose full-year values up to the deadline are ``upto``, and return it;
    ``last_value`` is then the latest observed growth, not the level."""
    deadline = row["deadline"]
    cmp_, value = t["comparator"], float(t["value"])
    years, vals = upto
    row["required_growth"] = value
    if len(years) >= 2:
        row["observed_growth"] = cagr(float(vals[-2]), float(vals[-1]), int(years[-1] - years[-2]))
        if abs(value) > 1e-9 and not math.isnan(row["observed_growth"]):
            row["growth_ratio"] = row["observed_growth"] / value
    # A growth target is judged on growth: last_value is the latest observed growth (% a year,
    # the target's unit), not the level of the series.
    row["last_value"] = row["observed_growth"]
    a, span, base, observed = _growth_base(upto, deadline, t["measure"], t["base_year"])
    if observed is not None and not math.isnan(observed):
        met = bool(compare(observed, cmp_, value))
        row.update(status="achieved" if met else "not_achieved", probability=float(met),
                   observed_growth=observed, method="observed")
        return row
    sid = f"{key[0]}|{key[1]}"
    end = ctx.forecast_column(key, deadline) if len(years) >= 2 else None
    if end is None:
        row.update(status="insufficient_data",
                   note=note("growth_needs_two_years" if len(years) < 2 else "no_deadline_forecast"))
        return row
    if base > 0:  # observed base year: exact from the marginal of the deadline year
        row["probability"] = float(cagr_probability(ctx.fc, [sid], [deadline], np.array([base]),
                                                    np.array([span]), cmp_, value)[0])
        q = ctx.fc.quantiles_many([sid], [deadline], [0.5, *INTERVAL])[0]
        with np.errstate(invalid="ignore"):
            g = ((np.maximum(q, 0.0) / base) ** (1.0 / span) - 1.0) * 100.0
        row.update(projected_median=float(g[0]), projected_low=float(g[1]),
                   projected_high=float(g[2]))
    else:  # base year forecast too: joint sample paths of both years
        start = ctx.path_at(key, upto, a)
        if start is None:
            row.update(status="insufficient_data", note=note("no_forecast"))
            return row
        with np.errstate(divide="ignore", invalid="ignore"):
            samples = ((end / start) ** (1.0 / span) - 1.0) * 100.0
        fill_projection(row, samples)
        row["probability"] = float(np.mean(compare(samples, cmp_, value)))
    row["method"] = ctx.methods.get(sid)
    row["status"] = status_from_probability(row["probability"]) or "insufficient_data"
    return row
