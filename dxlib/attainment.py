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
    no series mapped, no observation, or a single one (no trend, no probability).
``qualitative``
    milestones: shown with their evidence, never scored as numbers.

Observations are *full-year* values unless they carry an ``as_of`` date: partial-year values are
reported (``partial_value``, ``partial_date``) but never used as a year's value or a trend point.
``as_of=YEAR`` keeps only observations whose reference year is at most YEAR, so the table says
what the trend said with the data of that year.

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

from dxlib.data import Dataset

#: probability cut-offs: on_track >= 0.7 > at_risk >= 0.3 > off_track
STATUS_CUTOFFS: tuple[float, float] = (0.7, 0.3)
STATUSES: tuple[str, ...] = (
    "achieved", "met_early", "on_track", "at_risk", "off_track", "not_achieved",
    "insufficient_data", "qualitative",
)
#: the 80 % interval reported as projected_low / projected_high
INTERVAL: tuple[float, float] = (0.1, 0.9)

ASSESSMENT_COLUMNS: tuple[str, ...] = (
    "geo", "target_id", "pillar", "kind", "indicator", "series_geo", "proxy", "comparator",
    "target_value", "unit", "deadline", "as_of", "last_year", "last_value", "n_obs",
    "partial_value", "partial_date", "status", "probability", "projected_median", "projected_low",
    "projected_high", "required_growth", "observed_growth", "growth_ratio", "method", "note",
)

_OPS = {
    ">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less,
}


def compare(values: np.ndarray | float, comparator: str, threshold: float) -> np.ndarray:
    """Elementwise ``values <comparator> threshold`` (NaN compares False)."""
    return _OPS[comparator](np.asarray(values, dtype=float), threshold)


def status_from_probability(p: float) -> str:
    """on_track / at_risk / off_track by :data:`STATUS_CUTOFFS`."""
    hi, lo = STATUS_CUTOFFS
    return "on_track" if p >= hi else ("off_track" if p < lo else "at_risk")


def full_year_history(observations: pd.DataFrame, as_of: int | None = None) -> pd.DataFrame:
    """Full-year values (no ``as_of`` date), one per (geo, indicator, year): the mean when
    several sources give the same figure. Columns ``geo, indicator, year, value``."""
    obs = observations
    if as_of is not None:
        obs = obs[obs["year"] <= as_of]
    full = obs[obs["as_of"].isna()]
    return full.groupby(["geo", "indicator", "year"], as_index=False)["value"].mean()


def _latest_partial(observations: pd.DataFrame, as_of: int | None) -> pd.DataFrame:
    obs = observations[observations["as_of"].notna()]
    if as_of is not None:
        obs = obs[obs["year"] <= as_of]
    obs = obs.sort_values("as_of").groupby(["geo", "indicator"]).tail(1)
    return obs.set_index(["geo", "indicator"])[["value", "as_of"]]


def snap_to_bounds(values: np.ndarray | float, kind: str, lower: float, upper: float) -> np.ndarray:
    """Observed values of a bounded series (share, index) within the bound tolerance of a bound
    count as at the bound (99.97 % of a 0-100 share is 100 %), as the forecasts do; see
    :data:`dxlib.forecast.BOUND_TOL`."""
    from dxlib.forecast import BOUND_TOL

    v = np.array(values, dtype=float)
    if kind in ("share", "index") and not (math.isnan(lower) or math.isnan(upper)):
        tol = BOUND_TOL * (upper - lower)
        v = np.where(v >= upper - tol, upper, np.where(v <= lower + tol, lower, v))
    return v


def _cagr(first: float, last: float, years: float) -> float:
    """Average annual growth in % a year; NaN when undefined (non-positive values, no span)."""
    if years <= 0 or not (first > 0 and last > 0):
        return math.nan
    return ((last / first) ** (1.0 / years) - 1.0) * 100.0


def assess_dataset(
    ds: Dataset,
    *,
    as_of: int | None = None,
    geos: Sequence[str] | None = None,
    seed: int = 0,
    n_samples: int = 2000,
) -> pd.DataFrame:
    """Assess every target of ``ds.registry`` for each geography in ``geos`` (default: the
    plan's). Returns one row per (geo, target) with :data:`ASSESSMENT_COLUMNS`; probabilities
    in [0, 1], values in the target's unit, growth in % a year. Deterministic for a given seed.
    """
    from dxlib.forecast import forecast

    reg = ds.registry
    geos = list(geos) if geos else [reg.geo]
    hist = full_year_history(ds.observations, as_of)
    partial = _latest_partial(ds.observations, as_of)
    targets = reg.targets

    # Which series each (geo, target) needs.
    jobs = []
    needed: set[tuple[str, str]] = set()
    for geo in geos:
        for tid, t in targets.iterrows():
            sgeo = t["geo"] if t["geo"] != reg.geo else geo
            inds = [i for i in (t["indicator"], t["numerator"], t["denominator"])
                    if isinstance(i, str)]
            jobs.append((geo, tid, t, sgeo, inds))
            if t["kind"] != "milestone":
                needed.update((sgeo, i) for i in inds)

    series = {}
    for (g, i), h in hist.groupby(["geo", "indicator"]):
        if (g, i) in needed:
            series[(g, i)] = h.sort_values("year")
    # Forecast every series that has 2+ points, once, up to the last deadline.
    to_year = int(targets["deadline"].max())
    fc_input = []
    for (g, i), h in series.items():
        if len(h) >= 2 and int(h["year"].max()) < to_year:
            ind = ds.indicators.loc[i]
            fc_input.append(pd.DataFrame({
                "series_id": f"{g}|{i}", "year": h["year"].to_numpy(),
                "value": h["value"].to_numpy(), "kind": ind["kind"], "lower": ind["lower"],
                "upper": ind["upper"]}))
    fc = None
    if fc_input:
        fc = forecast(pd.concat(fc_input, ignore_index=True), to_year=to_year,
                      n_samples=n_samples, seed=seed)

    rows = [_assess_one(geo, tid, t, sgeo, inds, series, partial, fc, ds, as_of)
            for geo, tid, t, sgeo, inds in jobs]
    out = pd.DataFrame(rows, columns=list(ASSESSMENT_COLUMNS))
    return out.astype({"proxy": bool})


def _path_at(fc, key: tuple[str, str], h: pd.DataFrame, year: int, n: int) -> np.ndarray | None:
    """Samples of a series' value in ``year``: the observed value when there is one, else the
    forecast paths; None when neither exists."""
    obs = h.loc[h["year"] == year, "value"]
    if len(obs):
        return np.full(n, float(obs.iloc[0]))
    if fc is None:
        return None
    sid = f"{key[0]}|{key[1]}"
    try:
        p = fc.paths(sid)
    except (KeyError, ValueError):
        return None
    if year not in p.columns:
        return None
    col = p[year].to_numpy(dtype=float)
    return None if np.all(np.isnan(col)) else col


def _assess_one(geo, tid, t, sgeo, inds, series, partial, fc, ds: Dataset, as_of) -> dict:
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
        "growth_ratio": math.nan, "method": None, "note": None,
    }
    if t["kind"] == "milestone":
        ev = [*t["evidence"], *inds]
        obs = ds.observations
        n_ev = int(((obs["geo"] == sgeo) & obs["indicator"].isin(ev)).sum()) if ev else 0
        row.update(status="qualitative",
                   note=f"milestone; {n_ev} evidence values" if n_ev else "milestone; no evidence yet")
        return row
    if not inds:
        row.update(status="insufficient_data", note="no series mapped to this target")
        return row
    if len(inds) == 1:
        return _assess_single(row, t, (sgeo, inds[0]), series, partial, fc, ds)
    return _assess_ratio(row, t, sgeo, inds, series, fc, ds)


def _fill_projection(row: dict, samples: np.ndarray) -> None:
    lo, hi = INTERVAL
    q = np.nanquantile(samples, [0.5, lo, hi])
    row.update(projected_median=float(q[0]), projected_low=float(q[1]), projected_high=float(q[2]))


def _method(fc, key) -> str | None:
    sid = f"{key[0]}|{key[1]}"
    if fc is not None and sid in fc.series.index:
        return fc.series.loc[sid, "method"]
    return None


def _assess_single(row, t, key, series, partial, fc, ds: Dataset) -> dict:
    h = series.get(key)
    deadline = row["deadline"]
    cmp_, value = t["comparator"], float(t["value"])
    if key in partial.index:
        pv = partial.loc[key]
        row.update(partial_value=float(pv["value"]), partial_date=pv["as_of"].date().isoformat())
    if h is None or h.empty:
        row.update(status="insufficient_data", note="no full-year observation"
                   + (" (only a partial-year value)" if key in partial.index else ""))
        return row
    h = h[h["year"] <= max(deadline, int(h["year"].min()))]
    upto = h[h["year"] <= deadline]
    if upto.empty:
        row.update(status="insufficient_data",
                   note=f"no observation up to the deadline {deadline} (first: {h['year'].min()})")
        return row
    years = upto["year"].to_numpy()
    vals = upto["value"].to_numpy()
    last_year, last_value = int(years[-1]), float(vals[-1])
    row.update(last_year=last_year, last_value=last_value, n_obs=len(upto))
    n = fc.n_samples if fc is not None else 1

    if t["kind"] == "growth":
        return _assess_growth(row, t, key, upto, fc, n)

    # deterministic measures
    if len(upto) >= 2:
        row["observed_growth"] = _cagr(float(vals[0]), last_value, last_year - int(years[0]))
    if deadline > last_year:
        row["required_growth"] = _cagr(last_value, value, deadline - last_year)
    if row["required_growth"] and not math.isnan(row["required_growth"]) \
            and abs(row["required_growth"]) > 1e-9 and not math.isnan(row["observed_growth"]):
        row["growth_ratio"] = row["observed_growth"] / row["required_growth"]

    ind = ds.indicators.loc[key[1]]
    judged = snap_to_bounds(vals, ind["kind"], ind["lower"], ind["upper"])
    if judged[-1] != vals[-1]:
        row["note"] = (f"{last_value:g} counts as {judged[-1]:g}: within "
                       "0.5 % of the range of the bound")
    if last_year == deadline:
        met = bool(compare(judged[-1], cmp_, value))
        row.update(status="achieved" if met else "not_achieved", probability=1.0 if met else 0.0,
                   method="observed")
        return row
    samples = _path_at(fc, key, upto, deadline, n) if len(upto) >= 2 else None
    if samples is not None:
        _fill_projection(row, samples)
        # exact from the predictive distribution (the paths only approximate it)
        row["probability"] = float(fc.prob(f"{key[0]}|{key[1]}", deadline, cmp_, value))
        row["method"] = _method(fc, key)
    met_before = compare(judged, cmp_, value)
    if met_before.any():
        first_met = int(years[np.argmax(met_before)])
        row.update(status="met_early",
                   note=f"met in {first_met}; probability = chance it still holds in {deadline}"
                   if samples is not None else
                   f"met in {first_met}; one observation, so the chance it holds is not estimated")
        return row
    if samples is None:
        row.update(status="insufficient_data",
                   note="one observation: no trend, no probability" if len(upto) == 1
                   else "no forecast could be made")
        return row
    row["status"] = status_from_probability(row["probability"])
    return row


def _growth_samples(fc, key, upto, year: int, n: int, measure: str, base_year) -> \
        tuple[np.ndarray | None, float | None]:
    """Samples of the growth (% a year) that a growth target measures, and the observed value
    when it can be computed from observations alone."""
    if measure == "yoy":
        a, b = year - 1, year
        span = 1
    else:
        a, b = int(base_year), year
        span = year - a
    ya = _path_at(fc, key, upto, a, n)
    yb = _path_at(fc, key, upto, b, n)
    observed = None
    obs_years = set(upto["year"].astype(int))
    if a in obs_years and b in obs_years:
        va = float(upto.loc[upto["year"] == a, "value"].iloc[0])
        vb = float(upto.loc[upto["year"] == b, "value"].iloc[0])
        observed = _cagr(va, vb, span)
    if ya is None or yb is None:
        return None, observed
    with np.errstate(divide="ignore", invalid="ignore"):
        g = ((yb / ya) ** (1.0 / span) - 1.0) * 100.0
    return g, observed


def _assess_growth(row, t, key, upto, fc, n) -> dict:
    deadline = row["deadline"]
    cmp_, value = t["comparator"], float(t["value"])
    measure, base_year = t["measure"], t["base_year"]
    years = upto["year"].to_numpy()
    vals = upto["value"].to_numpy()
    row["required_growth"] = value
    if len(upto) >= 2:
        row["observed_growth"] = _cagr(float(vals[-2]), float(vals[-1]), int(years[-1] - years[-2]))
        if abs(value) > 1e-9 and not math.isnan(row["observed_growth"]):
            row["growth_ratio"] = row["observed_growth"] / value
    samples, observed = _growth_samples(fc, key, upto, deadline, n, measure, base_year)
    if observed is not None and not math.isnan(observed):
        met = bool(compare(observed, cmp_, value))
        row.update(status="achieved" if met else "not_achieved", probability=float(met),
                   observed_growth=observed, method="observed")
        return row
    if samples is None or len(upto) < 2:
        row.update(status="insufficient_data",
                   note="growth needs two years of the series and a forecast" if len(upto) < 2
                   else "no forecast of the deadline year")
        return row
    _fill_projection(row, samples)
    row["probability"] = float(np.mean(compare(samples, cmp_, value)))
    row["method"] = _method(fc, key)
    row["status"] = status_from_probability(row["probability"])
    return row


def _assess_ratio(row, t, sgeo, inds, series, fc, ds: Dataset) -> dict:
    """A target on numerator / denominator (x100 when the unit is %)."""
    num, den = (sgeo, inds[0]), (sgeo, inds[1])
    hn, hd = series.get(num), series.get(den)
    deadline = row["deadline"]
    cmp_, value = t["comparator"], float(t["value"])
    scale = 100.0 if t["unit"] == "%" else 1.0
    if hn is None or hd is None:
        row.update(status="insufficient_data", note="numerator or denominator has no data")
        return row
    both = hn.merge(hd, on="year", suffixes=("_n", "_d"))
    both = both[both["year"] <= deadline]
    if both.empty:
        row.update(status="insufficient_data", note="no year with both numerator and denominator")
        return row
    ratio = both["value_n"].to_numpy() / both["value_d"].to_numpy() * scale
    years = both["year"].to_numpy()
    row.update(last_year=int(years[-1]), last_value=float(ratio[-1]), n_obs=len(both))
    if len(both) >= 2:
        row["observed_growth"] = _cagr(float(ratio[0]), float(ratio[-1]), int(years[-1] - years[0]))
    if int(years[-1]) == deadline:
        met = bool(compare(ratio[-1], cmp_, value))
        row.update(status="achieved" if met else "not_achieved", probability=float(met),
                   method="observed")
        return row
    row["required_growth"] = _cagr(float(ratio[-1]), value, deadline - int(years[-1]))
    n = fc.n_samples if fc is not None else 1
    sn = _path_at(fc, num, hn, deadline, n) if len(hn) >= 2 else None
    sd = _path_at(fc, den, hd, deadline, n) if len(hd) >= 2 else None
    samples = sn / sd * scale if sn is not None and sd is not None else None
    if samples is not None:
        _fill_projection(row, samples)
        row["probability"] = float(np.mean(compare(samples, cmp_, value)))
        row["method"] = "ratio of two forecasts (independent)"
    if compare(ratio, cmp_, value).any():
        row["status"] = "met_early"
        return row
    if samples is None:
        row.update(status="insufficient_data", note="numerator and denominator need 2+ years each")
        return row
    row["status"] = status_from_probability(row["probability"])
    return row
