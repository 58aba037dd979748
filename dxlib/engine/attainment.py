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
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from dxlib.model import PARTIAL_DATE, Dataset, partial_year, series_geo, series_indicators

if TYPE_CHECKING:
    from dxlib.engine.forecast import Forecast

#: probability cut-offs: on_track >= 0.7 > at_risk >= 0.3 > off_track
STATUS_CUTOFFS: tuple[float, float] = (0.7, 0.3)
STATUSES: tuple[str, ...] = (
    "achieved", "met_early", "on_track", "at_risk", "off_track", "not_achieved",
    "insufficient_data", "qualitative",
)
class Note(NamedTuple):
    """Why a row has its status, or how to read it: a ``code`` and its arguments (``args``: name,
    value pairs; years as int, values in the target's unit). A row's ``note`` is a tuple of them
    (or None); :func:`dxlib.report.words.note_text` words it in each language, English for the
    assessment CSV."""

    code: str
    args: tuple[tuple[str, int | float], ...] = ()


def _note(code: str, **args: int | float) -> tuple[Note, ...]:
    return (Note(code, tuple(args.items())),)


#: bounds within which a forecast (not observed) probability is shown, see shown_probability
SHOWN_BOUNDS: tuple[float, float] = (0.001, 0.999)
#: the 80 % interval reported as projected_low / projected_high
INTERVAL: tuple[float, float] = (0.1, 0.9)

ASSESSMENT_COLUMNS: tuple[str, ...] = (
    "geo", "target_id", "pillar", "kind", "indicator", "series_geo", "proxy", "evidence", "comparator",
    "target_value", "unit", "deadline", "as_of", "last_year", "last_value", "n_obs",
    "partial_value", "partial_date", "status", "probability", "projected_median", "projected_low",
    "projected_high", "required_growth", "observed_growth", "growth_ratio", "method", "note",
    "bound", "definition", "growth_low", "growth_high", "evidence_note",
)

_OPS = {
    ">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less,
}


def compare(values: np.ndarray | float, comparator: str, threshold: float) -> np.ndarray:
    """Elementwise ``values <comparator> threshold`` (NaN compares False)."""
    return _OPS[comparator](np.asarray(values, dtype=float), threshold)


def status_from_probability(p: float) -> str | None:
    """on_track / at_risk / off_track by :data:`STATUS_CUTOFFS`; None for a missing (NaN)
    probability, which never maps to a status."""
    if p is None or math.isnan(p):
        return None
    hi, lo = STATUS_CUTOFFS
    return "on_track" if p >= hi else ("off_track" if p < lo else "at_risk")


def shown_probability(p: float, status: str | None) -> float:
    """The probability as it is shown: a forecast probability is never shown as exactly 0 or 1
    (the forecast cannot be that sure), so it is clipped to :data:`SHOWN_BOUNDS` and the report
    prints "< 0.1 %" / "> 99.9 %" at the clip; an observed outcome (``achieved``,
    ``not_achieved``) keeps 0 or 1. The ``probability`` column keeps the unclipped value."""
    if status in ("achieved", "not_achieved") or p is None or math.isnan(p):
        return p
    lo, hi = SHOWN_BOUNDS
    return min(max(p, lo), hi)


def full_year_history(observations: pd.DataFrame) -> pd.DataFrame:
    """Full-year values (:func:`dxlib.model.full_year`), one per (geo, indicator, year): the
    mean when several sources give the same figure. Columns ``geo, indicator, year, value``.
    Only exact values under each series' current definition: bounds and values under an
    earlier definition never enter a trend (:func:`dxlib.engine.censoring.trend_parts`)."""
    from dxlib.engine.censoring import trend_parts

    return trend_parts(observations)[0]


def _latest_partial(observations: pd.DataFrame) -> pd.DataFrame:
    """The latest partial-year value of each (geo, indicator): columns value, PARTIAL_DATE."""
    obs = partial_year(observations).sort_values(PARTIAL_DATE).groupby(["geo", "indicator"]).tail(1)
    return obs.set_index(["geo", "indicator"])[["value", PARTIAL_DATE]]


def snap_to_bounds(values: np.ndarray | float, kind: str, lower: float, upper: float) -> np.ndarray:
    """Observed values of a bounded series (share, index) within the bound tolerance of a bound
    count as at the bound (99.97 % of a 0-100 share is 100 %), as the forecasts do; see
    :data:`dxlib.engine.forecast.BOUND_TOL`."""
    from dxlib.engine.forecast import BOUND_TOL

    v = np.array(values, dtype=float)
    if kind in ("share", "index") and not (math.isnan(lower) or math.isnan(upper)):
        tol = BOUND_TOL * (upper - lower)
        v = np.where(v >= upper - tol, upper, np.where(v <= lower + tol, lower, v))
    return v


def cagr(first: float, last: float, years: float) -> float:
    """Average annual growth in % a year; NaN when undefined (non-positive values, no span)."""
    if years <= 0 or not (first > 0 and last > 0):
        return math.nan
    return ((last / first) ** (1.0 / years) - 1.0) * 100.0


class _Series(NamedTuple):
    """One full-year series: ``years`` (int64, ascending, unique) and ``values`` (float64),
    both shape (n,)."""

    years: np.ndarray
    values: np.ndarray


class _Context:
    """What every (geo, target) row reads, prepared once per :func:`assess_dataset` call: the
    full-year series and latest partial values keyed by (geo, indicator), the forecast, and
    caches of forecast samples. Plain dicts and numpy arrays: no pandas lookups per row."""

    def __init__(self, ds: Dataset, series: dict[tuple[str, str], _Series],
                 partial: dict[tuple[str, str], tuple[float, str]], fc: Forecast | None,
                 evidence_counts: dict[tuple[str, str], int]) -> None:
        self.ds = ds
        self.series = series
        self.partial = partial
        self.fc = fc
        self.n = fc.n_samples if fc is not None else 1
        self.evidence_counts = evidence_counts
        self.methods: dict[str, str] = {} if fc is None else dict(
            zip(fc.series.index, fc.series["method"], strict=True))
        ind = ds.indicators
        self.bounds: dict[str, tuple[str, float, float]] = {
            i: (k, float(lo), float(hi))
            for i, k, lo, hi in zip(ind.index, ind["kind"], ind["lower"], ind["upper"], strict=True)}
        self._paths: dict[tuple[str, int], np.ndarray | None] = {}
        #: single-series rows whose probability comes from Forecast.prob_many, filled at the end:
        #: (row, series_id, year, comparator, threshold, status decided by the probability)
        self.pending: list[tuple[dict, str, int, str, float, bool]] = []

    def forecast_column(self, key: tuple[str, str], year: int) -> np.ndarray | None:
        """Forecast samples of a series in ``year``, shape (n_samples,); None when the series
        has no forecast for that year or every sample is NaN. Cached per (series, year)."""
        sid = f"{key[0]}|{key[1]}"
        ck = (sid, year)
        if ck not in self._paths:
            col = None
            if self.fc is not None and sid in self.fc.series.index:
                s = self.fc.samples(sid, [year])  # one column of the seeded sample paths
                col = None if s is None else s[:, 0]
            self._paths[ck] = None if col is None or np.all(np.isnan(col)) else col
        return self._paths[ck]

    def path_at(self, key: tuple[str, str], h: _Series, year: int) -> np.ndarray | None:
        """Samples of a series' value in ``year``, shape (n_samples,): the observed value of
        ``h`` when there is one, else the forecast; None when neither exists."""
        hit = np.flatnonzero(h.years == year)
        if len(hit):
            return np.full(self.n, float(h.values[hit[0]]))
        return self.forecast_column(key, year)


def _full_year_series(hist: pd.DataFrame, needed: set[tuple[str, str]]) -> dict[tuple[str, str],
                                                                                 _Series]:
    """Split the (geo, indicator, year)-sorted history into one :class:`_Series` per needed
    key, with numpy only (``hist`` as returned by :func:`full_year_history`)."""
    if hist.empty or not needed:
        return {}
    geo = hist["geo"].to_numpy(dtype=object)
    ind = hist["indicator"].to_numpy(dtype=object)
    years = hist["year"].to_numpy()
    values = hist["value"].to_numpy(dtype=float)
    # groupby(..., as_index=False) sorts by geo, indicator, year: groups are consecutive
    change = np.flatnonzero((geo[1:] != geo[:-1]) | (ind[1:] != ind[:-1])) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(hist)]])
    out = {}
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        key = (geo[a], ind[a])
        if key in needed:
            out[key] = _Series(years[a:b], values[a:b])
    return out


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

    reg = ds.registry
    geos = list(geos) if geos else [reg.geo]
    obs = ds.as_of(as_of).observations  # only the data up to as_of
    from dxlib.engine.censoring import trend_parts

    hist, censored, breaks = trend_parts(obs)  # exact values, bounds, definition breaks
    partial_frame = _latest_partial(obs)
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

    series = _full_year_series(hist, needed)
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
    ctx = _Context(ds, series, partial, fc, evidence_counts)
    ctx.censored, ctx.breaks = censored, breaks
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
                               note=_note("no_deadline_forecast"))
    out = pd.DataFrame(rows, columns=list(ASSESSMENT_COLUMNS))
    from dxlib.engine.evidence import grade_assessment

    return grade_assessment(out.astype({"proxy": bool}), reg, ds.indicators, ds.geos)


def _assess_one(geo: str, tid: str, t: dict, sgeo: str, inds: list[str], ctx: _Context,
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
        row.update(status="qualitative", note=_note("milestone_evidence", n=int(n_ev)) if n_ev
                   else _note("milestone_no_evidence"))
        return row
    if not inds:
        row.update(status="insufficient_data", note=_note("no_series"))
        return row
    if len(inds) == 1:
        from dxlib.engine.censoring import note_break

        return note_break(_assess_single(row, t, (sgeo, inds[0]), ctx), ctx.breaks.get((sgeo, inds[0])))
    return _assess_ratio(row, t, sgeo, inds, ctx)


def _fill_projection(row: dict, samples: np.ndarray) -> None:
    lo, hi = INTERVAL
    q = np.nanquantile(samples, [0.5, lo, hi])
    row.update(projected_median=float(q[0]), projected_low=float(q[1]), projected_high=float(q[2]))


def _assess_single(row: dict, t: dict, key: tuple[str, str], ctx: _Context) -> dict:
    h = ctx.series.get(key)
    deadline = row["deadline"]
    cmp_, value = t["comparator"], float(t["value"])
    pv = ctx.partial.get(key)
    if pv is not None:
        row.update(partial_value=pv[0], partial_date=pv[1])
    bounds = [b for b in ctx.censored.get(key, []) if b.year <= deadline]
    if bounds:  # the latest values are only bounds: dxlib.engine.censoring's rules
        from dxlib.engine.censoring import assess_with_bounds

        return assess_with_bounds(row, t, key, h, bounds, ctx)
    if h is None or not len(h.years):
        row.update(status="insufficient_data",
                   note=_note("no_full_year_partial" if pv is not None else "no_full_year"))
        return row
    first_year = h.years.min()
    keep = h.years <= deadline
    if not keep.any():
        row.update(status="insufficient_data",
                   note=_note("none_by_deadline", deadline=deadline, first_year=int(first_year)))
        return row
    upto = _Series(h.years[keep], h.values[keep])
    years, vals = upto
    last_year, last_value = int(years[-1]), float(vals[-1])
    row.update(last_year=last_year, last_value=last_value, n_obs=len(years))

    if t["kind"] == "growth":
        return _assess_growth(row, t, key, upto, ctx)

    # deterministic measures
    if len(years) >= 2:
        row["observed_growth"] = cagr(float(vals[0]), last_value, last_year - int(years[0]))
    if deadline > last_year:
        row["required_growth"] = cagr(last_value, value, deadline - last_year)
    if row["required_growth"] and not math.isnan(row["required_growth"]) \
            and abs(row["required_growth"]) > 1e-9 and not math.isnan(row["observed_growth"]):
        row["growth_ratio"] = row["observed_growth"] / row["required_growth"]

    kind, lower, upper = ctx.bounds[key[1]]
    judged = snap_to_bounds(vals, kind, lower, upper)
    if judged[-1] != vals[-1]:
        row["note"] = _note("at_bound", value=last_value, bound=float(judged[-1]))
    if last_year == deadline:
        met = bool(compare(judged[-1], cmp_, value))
        row.update(status="achieved" if met else "not_achieved", probability=1.0 if met else 0.0,
                   method="observed")
        return row
    sid = f"{key[0]}|{key[1]}"
    forecastable = len(years) >= 2 and sid in ctx.methods
    met_now = bool(compare(judged[-1], cmp_, value))  # the latest value meets the target
    if forecastable:
        # probability and projection exact from the predictive distribution, computed for all
        # such rows at once at the end of assess_dataset
        row["method"] = ctx.methods.get(sid)
        ctx.pending.append((row, sid, deadline, cmp_, value, not met_now))
    if met_now:
        meeting = compare(judged, cmp_, value)
        first_met = int(years[len(meeting) - np.argmin(meeting[::-1])]) if not meeting.all() \
            else int(years[0])
        note = (_note("met_holds", met_year=first_met, deadline=deadline) if forecastable
                else _note("met_one_observation", met_year=first_met))
        row.update(status="met_early", note=(*(row["note"] or ()), *note))
        return row
    if not forecastable:
        row.update(status="insufficient_data",
                   note=_note("one_observation" if len(years) == 1 else "no_forecast"))
        return row
    return row  # status set from the probability at the end of assess_dataset


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


def _growth_base(upto: _Series, year: int, measure: str, base_year) -> tuple[int, int, float,
                                                                           float | None]:
    """(base year a, span, observed base value or NaN, observed growth or None)."""
    a = year - 1 if measure == "yoy" else int(base_year)
    span = year - a
    ia, ib = np.flatnonzero(upto.years == a), np.flatnonzero(upto.years == year)
    base = float(upto.values[ia[0]]) if len(ia) else math.nan
    observed = cagr(base, float(upto.values[ib[0]]), span) if len(ia) and len(ib) else None
    return a, span, base, observed


def _assess_growth(row: dict, t: dict, key: tuple[str, str], upto: _Series, ctx: _Context) -> dict:
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
                   note=_note("growth_needs_two_years" if len(years) < 2 else "no_deadline_forecast"))
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
            row.update(status="insufficient_data", note=_note("no_forecast"))
            return row
        with np.errstate(divide="ignore", invalid="ignore"):
            samples = ((end / start) ** (1.0 / span) - 1.0) * 100.0
        _fill_projection(row, samples)
        row["probability"] = float(np.mean(compare(samples, cmp_, value)))
    row["method"] = ctx.methods.get(sid)
    row["status"] = status_from_probability(row["probability"]) or "insufficient_data"
    return row


def _ratio_parts(num: tuple[str, str], hn: _Series, den: tuple[str, str], hd: _Series,
                 deadline: int, ctx: _Context) -> tuple[np.ndarray | None, np.ndarray | None, str]:
    """Samples (n_samples,) of numerator and denominator at the deadline and the method words.
    Both forecast: jointly, with the latent correlation estimated from their past year-on-year
    changes (:meth:`~dxlib.engine.forecast.Forecast.step_correlation`); one observed: that
    value with the other's forecast."""
    sid_n, sid_d = f"{num[0]}|{num[1]}", f"{den[0]}|{den[1]}"
    obs_n, obs_d = (deadline in h.years for h in (hn, hd))
    if ctx.fc is not None and not obs_n and not obs_d and len(hn.years) >= 2 \
            and len(hd.years) >= 2 and sid_n in ctx.methods and sid_d in ctx.methods:
        rho, m = ctx.fc.step_correlation(sid_n, sid_d)
        joint = ctx.fc.joint_samples([sid_n, sid_d], deadline, np.array([[1, rho], [rho, 1]]))
        if joint is not None:
            return joint[:, 0], joint[:, 1], (f"ratio of two forecasts (joint, correlation "
                                              f"{rho:.2f} from {m} years)")
    sn = ctx.path_at(num, hn, deadline) if len(hn.years) >= 2 or obs_n else None
    sd = ctx.path_at(den, hd, deadline) if len(hd.years) >= 2 or obs_d else None
    return sn, sd, "ratio of a forecast and an observed value"


def _assess_ratio(row: dict, t: dict, sgeo: str, inds: list[str], ctx: _Context) -> dict:
    """A target on numerator / denominator (x100 when the unit is %)."""
    num, den = (sgeo, inds[0]), (sgeo, inds[1])
    hn, hd = ctx.series.get(num), ctx.series.get(den)
    deadline = row["deadline"]
    cmp_, value = t["comparator"], float(t["value"])
    scale = 100.0 if t["unit"] == "%" else 1.0
    if hn is None or hd is None:
        row.update(status="insufficient_data", note=_note("ratio_no_data"))
        return row
    years, i_n, i_d = np.intersect1d(hn.years, hd.years, assume_unique=True, return_indices=True)
    keep = years <= deadline
    if not keep.any():
        row.update(status="insufficient_data", note=_note("ratio_no_common_year"))
        return row
    years = years[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = hn.values[i_n[keep]] / hd.values[i_d[keep]] * scale
    if not np.isfinite(ratio).all():  # a denominator of 0 (dxlib.data.checks refuses it too)
        zero = int(years[~np.isfinite(ratio)][0])
        row.update(status="insufficient_data", note=_note("ratio_zero_denominator", first_year=zero))
        return row
    row.update(last_year=int(years[-1]), last_value=float(ratio[-1]), n_obs=len(years))
    if scale == 100.0:  # a share: the bound tolerance applies as for observed shares
        ratio = snap_to_bounds(ratio, "share", 0.0, 100.0)
    if len(years) >= 2:
        row["observed_growth"] = cagr(float(ratio[0]), float(ratio[-1]), int(years[-1] - years[0]))
    if int(years[-1]) == deadline:
        met = bool(compare(ratio[-1], cmp_, value))
        row.update(status="achieved" if met else "not_achieved", probability=float(met),
                   method="observed")
        return row
    row["required_growth"] = cagr(float(ratio[-1]), value, deadline - int(years[-1]))
    sn, sd, how = _ratio_parts(num, hn, den, hd, deadline, ctx)
    samples = sn / sd * scale if sn is not None and sd is not None else None
    if samples is not None:
        if scale == 100.0 and ratio.max() <= 100.0:  # a share in % stays within its bounds
            samples = snap_to_bounds(np.clip(samples, 0.0, 100.0), "share", 0.0, 100.0)
        _fill_projection(row, samples)
        row["probability"] = float(np.mean(compare(samples, cmp_, value)))
        row["method"] = how
    if compare(ratio[-1], cmp_, value):
        row["status"] = "met_early"
        return row
    if samples is None:
        row.update(status="insufficient_data", note=_note("ratio_too_short"))
        return row
    row["status"] = status_from_probability(row["probability"]) or "insufficient_data"
    return row
