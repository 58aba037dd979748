"""Analyses the notebooks compose: one target's series and forecast, growth decomposition and
scenarios for the e-commerce targets. Pure computation on loaded frames; no file I/O."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dxlib.engine.attainment import cagr, compare, full_year_history, snap_to_bounds
from dxlib.model import PARTIAL_DATE, Dataset, partial_year, series_geo

FAN_LEVELS: tuple[float, ...] = (0.025, 0.1, 0.5, 0.9, 0.975)


@dataclass
class TargetSeries:
    """The series that stands for one target in one geography.

    ``history``: full-year values (columns year, value) up to ``as_of``; ``partial``: partial-year
    values (year, value, as_of); ``evidence``: every observation row behind them (with sources).
    """

    target_id: str
    indicator: str | None
    geo: str
    kind: str | None
    lower: float
    upper: float
    unit: str | None
    history: pd.DataFrame
    partial: pd.DataFrame
    evidence: pd.DataFrame


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis when it is longer."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def resolve_target(ds: Dataset, target: str) -> str:
    """A target id, or the id of the first target mapped to ``target`` as an indicator id."""
    t = ds.registry.targets
    if target in t.index:
        return target
    hits = t.index[t["indicator"] == target]
    if len(hits):
        return str(hits[0])
    raise KeyError(f"'{target}' is neither a target id nor an indicator mapped to a target; "
                   f"target ids: {', '.join(t.index)}")


def target_series(ds: Dataset, target_id: str, geo: str | None = None,
                  as_of: int | None = None) -> TargetSeries:
    """The observed series of a target (its own ``geo`` when it names a proxy geography)."""
    cut = ds.as_of(as_of)  # the data up to as_of, stand-ins switched on them
    reg = cut.registry
    t = reg.targets.loc[target_id]
    sgeo = series_geo(t, reg.geo, geo)
    ind = t["indicator"] if isinstance(t["indicator"], str) else None
    obs = cut.observations
    if ind is None:
        empty = obs.iloc[0:0]
        return TargetSeries(target_id, None, sgeo, None, math.nan, math.nan, t["unit"],
                            pd.DataFrame(columns=["year", "value"]), empty[["year", "value", PARTIAL_DATE]],
                            empty)
    sel = obs[(obs["geo"] == sgeo) & (obs["indicator"] == ind)]
    hist = full_year_history(sel)[["year", "value"]].sort_values("year").reset_index(drop=True)
    row = ds.indicators.loc[ind]
    return TargetSeries(target_id, ind, sgeo, row["kind"], row["lower"], row["upper"], row["unit"],
                        hist, partial_year(sel)[["year", "value", PARTIAL_DATE]], sel)


def fan_frame(series: TargetSeries, to_year: int, *, seed: int = 0) -> pd.DataFrame | None:
    """Forecast of a target's series up to ``to_year``: columns year, median, q_0.025, q_0.1,
    q_0.9, q_0.975 (series unit). None when there is no forecast (fewer than 2 points, or the
    history already reaches ``to_year``)."""
    from dxlib.engine.forecast import forecast

    h = series.history
    if len(h) < 2 or int(h["year"].max()) >= to_year:
        return None
    hist = pd.DataFrame({"series_id": "s", "year": h["year"], "value": h["value"],
                         "kind": series.kind, "lower": series.lower, "upper": series.upper})
    fc = forecast(hist, to_year=to_year, seed=seed)
    q = fc.quantile_frame(list(FAN_LEVELS))
    if q["point"].isna().all():
        return None
    return q.rename(columns={"q_0.5": "median"})[["year", "median", "q_0.025", "q_0.1", "q_0.9",
                                                   "q_0.975"]]


# ------------------------------------------------------------------------------------------
# Growth


def yearly_growth(history: pd.DataFrame) -> pd.DataFrame:
    """Growth between consecutive observed years, in % a year (averaged over gaps):
    columns year_from, year, growth."""
    h = history.sort_values("year")
    y, v = h["year"].to_numpy(), h["value"].to_numpy(dtype=float)
    rows = []
    for i in range(1, len(h)):
        span = y[i] - y[i - 1]
        g = cagr(v[i - 1], v[i], span)
        rows.append({"year_from": int(y[i - 1]), "year": int(y[i]), "growth": g})
    return pd.DataFrame(rows, columns=["year_from", "year", "growth"])


def share_decomposition(share: pd.DataFrame, total: pd.DataFrame) -> pd.DataFrame:
    """Decompose the change of a share (e-commerce / retail, %) into the growth of its numerator
    and of the total: for consecutive years where both are observed, ``share_growth`` =
    (1 + numerator_growth) / (1 + total_growth) - 1. The implied numerator is share x total / 100.
    Columns year_from, year, share_from, share, total_growth, numerator_growth, share_growth
    (growth in % a year)."""
    both = share.merge(total, on="year", suffixes=("_share", "_total")).sort_values("year")
    rows = []
    rec = both.to_dict("records")
    for a, b in zip(rec, rec[1:], strict=False):
        span = b["year"] - a["year"]
        num_a = a["value_share"] * a["value_total"] / 100
        num_b = b["value_share"] * b["value_total"] / 100


        rows.append({"year_from": int(a["year"]), "year": int(b["year"]),
                     "share_from": a["value_share"], "share": b["value_share"],
                     "total_growth": cagr(a["value_total"], b["value_total"], span),
                     "numerator_growth": cagr(num_a, num_b, span),
                     "share_growth": cagr(a["value_share"], b["value_share"], span)})
    return pd.DataFrame(rows, columns=["year_from", "year", "share_from", "share", "total_growth",
                                       "numerator_growth", "share_growth"])


def required_numerator_growth(share_now: float, year_now: int, share_target: float, deadline: int,
                              total_growth: float) -> float:
    """The yearly growth of the numerator (e.g. e-commerce revenue, %) that lifts a share from
    ``share_now`` to ``share_target`` by ``deadline`` if the total grows ``total_growth`` % a
    year."""
    span = deadline - year_now
    if span <= 0 or share_now <= 0:
        return math.nan
    share_factor = (share_target / share_now) ** (1 / span)
    return (share_factor * (1 + total_growth / 100) - 1) * 100


def scenario_paths(share_now: float, year_now: int, to_year: int,
                   scenarios: Mapping[str, float], total_growth: float) -> pd.DataFrame:
    """Deterministic share paths under user-given yearly growth of the numerator (% a year) with the
    total growing ``total_growth`` % a year: columns scenario, year, value (%)."""
    rows = []
    for name, g in scenarios.items():
        factor = (1 + g / 100) / (1 + total_growth / 100)
        for y in range(year_now, to_year + 1):  # a share cannot pass 100 %
            rows.append({"scenario": name, "year": y,
                         "value": min(share_now * factor ** (y - year_now), 100.0)})
    return pd.DataFrame(rows, columns=["scenario", "year", "value"])


def scenario_probability(series: TargetSeries, scenario_value: float, year: int, comparator: str,
                         threshold: float, *, seed: int = 0) -> float:
    """Probability that the target holds in ``year`` when the scenario sets the central value to
    ``scenario_value``: the trend forecast's uncertainty is kept and its median moved to the
    scenario's value (on the series' transformed scale: a ratio for levels, a logit shift for
    shares). NaN when the series has no forecast."""
    from dxlib.engine.forecast import forecast

    h = series.history
    if len(h) < 2 or int(h["year"].max()) >= year:
        return math.nan
    hist = pd.DataFrame({"series_id": "s", "year": h["year"], "value": h["value"],
                         "kind": series.kind, "lower": series.lower, "upper": series.upper})
    fc = forecast(hist, to_year=year, seed=seed)
    paths = fc.paths("s")
    if paths.empty or year not in paths.columns:
        return math.nan
    x = paths[year].to_numpy(dtype=float)
    med = float(np.median(x))
    if series.kind in ("share", "index"):
        lo, hi = series.lower, series.upper
        eps = 1e-6

        def logit(v):
            p = np.clip((v - lo) / (hi - lo), eps, 1 - eps)
            return np.log(p / (1 - p))

        z = logit(x) - logit(np.array([med]))[0] + logit(np.array([scenario_value]))[0]
        moved = lo + (hi - lo) / (1 + np.exp(-z))
        moved = snap_to_bounds(moved, series.kind, lo, hi)
    else:
        moved = x * (scenario_value / med) if med > 0 else x + (scenario_value - med)
    return float(np.mean(compare(moved, comparator, threshold)))


def scenario_table(series: TargetSeries, scenarios: Mapping[str, float], total_growth: float,
                   deadline: int, comparator: str, threshold: float) -> pd.DataFrame:
    """For each scenario (numerator growth, % a year): the share it implies at the deadline and the
    probability that the target holds. Columns scenario, growth, share_at_deadline, probability."""
    h = series.history
    last = h.iloc[-1]
    rows = []
    paths = scenario_paths(float(last["value"]), int(last["year"]), deadline, scenarios, total_growth)
    for name, g in scenarios.items():
        at = float(paths[(paths["scenario"] == name) & (paths["year"] == deadline)]["value"].iloc[0])
        rows.append({"scenario": name, "growth": g, "share_at_deadline": at,
                     "probability": scenario_probability(series, at, deadline, comparator, threshold)})
    return pd.DataFrame(rows, columns=["scenario", "growth", "share_at_deadline", "probability"])
