"""Average yearly growth of a series as researchers estimate it: OLS of log(value) on year with
HAC (Newey–West) standard errors, by statsmodels.

The slope ``b`` of ``log(value) = a + b * year + e`` is the average continuous growth rate; the
yearly growth is ``exp(b) - 1``, and its 95 % interval is ``exp(b ± t * se(b)) - 1`` with ``se``
robust to autocorrelated and heteroscedastic errors (Newey–West, Bartlett kernel) and ``t`` from
Student's t with n - 2 degrees of freedom (short series). Unlike the CAGR, which uses only the
first and last values, the trend uses every year, and its interval says how well the years agree.

statsmodels is imported on the first call only. No I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: fewest observed years for a trend with an interval (2 points fit any line exactly)
MIN_YEARS = 3


@dataclass(frozen=True)
class TrendGrowth:
    """Average yearly growth (fractions: 0.10 = 10 % a year) with its 95 % interval; ``n`` years
    used, ``maxlags`` of the Newey–West estimator; ``reason`` says why growth is NaN ("" when
    estimated): "thin" (fewer than :data:`MIN_YEARS` years) or "non_positive" (a value <= 0 has
    no logarithm)."""

    growth: float
    low: float
    high: float
    n: int
    maxlags: int
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason


def newey_west_lags(n: int) -> int:
    """Newey and West's (1994) rule of thumb ``floor(4 (n / 100) ** (2 / 9))``, at least 1 and at
    most ``n - 3`` (so the long-run variance keeps a residual degree of freedom): 0 for 3 years
    (plain heteroscedasticity-robust errors), 1 for 4, 2 for 5 to 27 (n = 5: 4 * 0.05 ** 0.222 =
    2.05 -> 2; n = 27: 2.98 -> 2), 3 from 28."""
    rule = int(math.floor(4 * (n / 100) ** (2 / 9)))
    return max(0, min(max(rule, 1), n - 3))


def trend_growth(history: pd.DataFrame, level: float = 0.95) -> TrendGrowth:
    """Average yearly growth of ``history`` (columns year, value; positive values in any unit;
    NaN values ignored) by OLS of log(value) on year with HAC (Newey–West) standard errors and
    a ``level`` interval (t distribution, n - 2 degrees of freedom).

    A series with exactly 10 % growth a year gives growth 0.10 with a zero-width interval;
    fewer than :data:`MIN_YEARS` years, or a value <= 0, give NaN with ``reason`` set."""
    h = history[["year", "value"]].dropna().sort_values("year")
    n = len(h)
    if n < MIN_YEARS:
        return TrendGrowth(math.nan, math.nan, math.nan, n, 0, "thin")
    y = h["value"].to_numpy(float)
    if (y <= 0).any():
        return TrendGrowth(math.nan, math.nan, math.nan, n, 0, "non_positive")
    import statsmodels.api as sm

    years = h["year"].to_numpy(float)
    X = sm.add_constant(years - years.mean())  # centred: the slope is unchanged, the fit stable
    lags = newey_west_lags(n)
    fit = sm.OLS(np.log(y), X).fit(cov_type="HAC", cov_kwds={"maxlags": lags}, use_t=True)
    b = float(fit.params[1])
    lo, hi = (float(v) for v in np.asarray(fit.conf_int(alpha=1 - level))[1])
    return TrendGrowth(math.expm1(b), math.expm1(lo), math.expm1(hi), n, lags)


#: series kinds whose logarithm has no growth meaning (a rank falls as it improves)
NO_TREND_KINDS = frozenset({"rank", "milestone"})

GROWTH_COLUMNS = ["target_id", "indicator", "series_geo", "n_years", "observed_growth", "trend_growth",
                  "trend_low", "trend_high", "required_growth", "reason"]


def growth_frame(ds, assessment: pd.DataFrame, as_of: int | None = None) -> pd.DataFrame:
    """Observed, trend and required growth side by side for every assessed target whose series
    has at least two full-year values up to ``as_of``: one row per target with
    :data:`GROWTH_COLUMNS`, growth in % a year (``observed_growth``: the CAGR from the first to
    the last value of the series; ``required_growth`` from the assessment, the growth the target
    needs from the latest value; ``trend_*`` from
    :func:`trend_growth`, NaN with ``reason`` "thin", "non_positive" or "rank" when not
    estimated)."""
    from dxlib.engine.analysis import target_series
    from dxlib.engine.attainment import cagr

    rows = []
    for _, r in assessment.iterrows():
        if not isinstance(r["indicator"], str):
            continue
        s = target_series(ds, r["target_id"], r["geo"], as_of)
        if len(s.history) < 2:
            continue
        h0, h1 = float(s.history["value"].iloc[0]), float(s.history["value"].iloc[-1])
        span = int(s.history["year"].iloc[-1]) - int(s.history["year"].iloc[0])
        if s.kind in NO_TREND_KINDS:
            tg = TrendGrowth(math.nan, math.nan, math.nan, len(s.history), 0, "rank")
        else:
            tg = trend_growth(s.history)
        rows.append({"target_id": r["target_id"], "indicator": s.indicator, "series_geo": s.geo,
                     "n_years": len(s.history), "observed_growth": cagr(h0, h1, span),
                     "trend_growth": 100 * tg.growth, "trend_low": 100 * tg.low,
                     "trend_high": 100 * tg.high, "required_growth": r["required_growth"],
                     "reason": tg.reason})
    return pd.DataFrame(rows, columns=GROWTH_COLUMNS)
