"""Censored values and definition breaks: which published values a trend may be drawn from, and
how a target is judged when its latest values are only bounds.

Rules
-----
*Definitions.* Values of one series (geo, indicator) measured under different definitions (the
observation column ``definition``) are never joined into one trend: the trend and the forecast
use only the values under the definition of the latest full-year value; the earlier ones are
named in a note (:func:`trend_parts` returns them as ``breaks``). Thin data are then said thin
(one value: no trend).

*Per target.* A target reads a series only up to its deadline (:func:`series_view`): the
definition, the exact values and the bounds are those of the years up to the deadline, so a
value published for a later year (under a new definition, or an exact value after a bound)
never erases an outcome observed, or decided by a bound, by the deadline. The series' forecast
(made once from its whole history) is used only when the target's definition is the series'.

*Bounds.* A value with ``bound = lower`` ("over 25 bn USD") or ``upper`` ("nearly 176,000") is
never used as if exact: the forecast is made from the exact values only, and the bound is an
interval the true value lies in (lower: [value, the series' upper bound]; upper: [the series'
lower bound, value]).

- A bound that decides the comparator on its own (a lower bound of 87 % for a target ">= 50 %")
  gives the status, and the note says that it rests on a bound.
- Otherwise the probability is that of the forecast from the exact values, *conditioned* on the
  bounds: only the sample paths that pass through every bound interval are kept (the paths are
  joint across years, so this is a proper conditional). With fewer than :data:`MIN_KEPT` paths
  kept the trend and the bounds disagree and no probability is given.
- A growth computed from bounds is an interval (``growth_low``, ``growth_high``; an open side is
  -100 % or +inf) and gives the status only when the whole interval is on one side of the target.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from dxlib.engine.rules import Note, cagr, compare, fill_projection, note, status_from_probability
from dxlib.model import full_year

if TYPE_CHECKING:
    from dxlib.engine.context import AssessmentContext

#: fewest sample paths (of n_samples) that must pass through the bounds for a probability
MIN_KEPT: int = 100


class Bound(NamedTuple):
    """One full-year bound of a series: the reference ``year``, the ``value`` and its ``side``
    ('lower' or 'upper')."""

    year: int
    value: float
    side: str


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].fillna("").astype(str)
    return pd.Series("", index=frame.index, dtype=object)


class SeriesView(NamedTuple):
    """What one target may use of one series, given the values up to its deadline: the exact
    ``history`` (a :class:`~dxlib.engine.context.YearSeries`, None without exact values), the
    ``bounds`` after its last exact value (ascending, the tightest per year), the ``brk`` (the
    :func:`trend_parts` break dict, None without one) and whether its definition is that of the
    whole series (``own``: only then the series' forecast, made from the whole history, applies)."""

    history: Any
    bounds: list[Bound]
    brk: dict[str, Any] | None
    own: bool


class SeriesRows(NamedTuple):
    """The full-year rows of one series, shape (n,) each: ``years`` (int), ``values`` (float),
    ``sides`` ('' exact, 'lower', 'upper') and ``defs`` (definition labels, '' none)."""

    years: np.ndarray
    values: np.ndarray
    sides: np.ndarray
    defs: np.ndarray


def series_rows(observations: pd.DataFrame) -> dict[tuple[str, str], SeriesRows]:
    """The full-year observations split per (geo, indicator), in file order within a series."""
    full = full_year(observations)
    if full.empty:
        return {}
    f = full.sort_values(["geo", "indicator"], kind="stable")
    geo = f["geo"].to_numpy(dtype=object)
    ind = f["indicator"].to_numpy(dtype=object)
    years, values = f["year"].to_numpy(dtype=int), f["value"].to_numpy(dtype=float)
    sides = _col(f, "bound").to_numpy(dtype=object)
    defs = _col(f, "definition").to_numpy(dtype=object)
    change = np.flatnonzero((geo[1:] != geo[:-1]) | (ind[1:] != ind[:-1])) + 1
    starts, ends = np.concatenate([[0], change]), np.concatenate([change, [len(f)]])
    return {(geo[a], ind[a]): SeriesRows(years[a:b], values[a:b], sides[a:b], defs[a:b])
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True)}


def _current(years: np.ndarray, sides: np.ndarray, defs: np.ndarray) -> str:
    """The definition of the latest year's value (an exact one when there is one)."""
    latest = years == years.max()
    pick = np.flatnonzero(latest & (sides == ""))
    return str(defs[pick[-1] if len(pick) else np.flatnonzero(latest)[-1]])


def series_view(r: SeriesRows, deadline: int | None = None) -> SeriesView:
    """What a target with ``deadline`` (None: the whole series) may use of the series ``r``,
    judged on the values up to the deadline only: the current definition is that of the latest
    year's value up to the deadline (an exact one when there is one), so a value under a new
    definition after the deadline never erases an outcome observed by then; a bound is left out
    in years up to the last exact value (the trend starts there)."""
    from dxlib.engine.context import YearSeries

    sel = np.ones(len(r.years), bool) if deadline is None else r.years <= deadline
    if not sel.any():
        return SeriesView(None, [], None, True)
    years, values, sides, defs = (a[sel] for a in r)
    current = _current(years, sides, defs)
    same = defs == current
    brk = None
    if not same.all():
        brk = {"definition": current,
               "earlier": tuple(dict.fromkeys("(none)" if d == "" else d for d in defs[~same])),
               "years": tuple(sorted({int(y) for y in years[~same]}))}
    exact = same & (sides == "")
    history = None
    last_exact = -1
    if exact.any():
        ys, inv = np.unique(years[exact], return_inverse=True)
        vals = np.bincount(inv, weights=values[exact]) / np.bincount(inv)
        history, last_exact = YearSeries(ys.astype(np.int64), vals), int(ys[-1])
    by_year: dict[int, Bound] = {}
    for side in ("lower", "upper"):  # a lower and an upper bound for one year: keep the lower
        m = same & (sides == side) & (years > last_exact)
        for y in sorted({int(y) for y in years[m]}):
            v = values[m & (years == y)]
            by_year.setdefault(y, Bound(y, float(v.max() if side == "lower" else v.min()), side))
    own = deadline is None or current == _current(r.years, r.sides, r.defs)
    return SeriesView(history, [by_year[y] for y in sorted(by_year)], brk, own)


def trend_parts(observations: pd.DataFrame,
                rows: dict[tuple[str, str], SeriesRows] | None = None,
                ) -> tuple[pd.DataFrame, dict[tuple[str, str], list[Bound]],
                           dict[tuple[str, str], dict[str, Any]]]:
    """Split the full-year observations into what a trend may use (:func:`series_view` of each
    whole series; ``rows``: their :func:`series_rows` when already computed).

    Returns ``(history, bounds, breaks)``: ``history`` the exact full-year values under each
    series' current definition, one per (geo, indicator, year) (the mean when several sources
    agree), columns ``geo, indicator, year, value`` sorted by them; ``bounds`` per (geo,
    indicator) the bounds under the current definition in years after the last exact value
    (the tightest one per year), ascending; ``breaks`` per (geo, indicator) whose earlier values
    were left out: ``{"definition": current label, "earlier": labels, "years": their years}``.
    """
    keys, ys, vs = [], [], []
    bounds, breaks = {}, {}
    for key, r in (series_rows(observations) if rows is None else rows).items():
        v = series_view(r)
        if v.history is not None:
            keys.append((key, len(v.history.years)))
            ys.append(v.history.years)
            vs.append(v.history.values)
        if v.bounds:
            bounds[key] = v.bounds
        if v.brk:
            breaks[key] = v.brk
    if not keys:
        return (pd.DataFrame(columns=["geo", "indicator", "year", "value"]), bounds, breaks)
    n = [k[1] for k in keys]
    history = pd.DataFrame({
        "geo": np.repeat(np.array([k[0][0] for k in keys], dtype=object), n),
        "indicator": np.repeat(np.array([k[0][1] for k in keys], dtype=object), n),
        "year": np.concatenate(ys), "value": np.concatenate(vs)})
    return history, bounds, breaks


def interval(b: Bound, lower: float, upper: float) -> tuple[float, float]:
    """The interval a bounded value lies in, given the series' own bounds (NaN = open)."""
    lo = -math.inf if math.isnan(lower) else lower
    hi = math.inf if math.isnan(upper) else upper
    return (b.value, hi) if b.side == "lower" else (lo, b.value)


def verdict(lo: float, hi: float, comparator: str, threshold: float) -> bool | None:
    """Whether every value in [lo, hi] meets ``<comparator> threshold`` (True), none does
    (False), or it depends on where the true value lies (None)."""
    a = bool(compare(lo, comparator, threshold))
    b = bool(compare(hi, comparator, threshold)) if math.isfinite(hi) else comparator in (">", ">=")
    if a and b:
        return True
    if not a and not b:
        return False
    return None


def keep_mask(samples_at: Any, bounds: list[Bound], lower: float, upper: float,
              n: int) -> np.ndarray | None:
    """Which of the ``n`` joint sample paths pass through every bound interval, shape (n,)
    bool; ``samples_at(year)`` gives the samples of one year (None without a forecast, then
    None is returned)."""
    keep = np.ones(n, bool)
    for b in bounds:
        s = samples_at(b.year)
        if s is None:
            return None
        lo, hi = interval(b, lower, upper)
        keep &= (s >= lo) & (s <= hi)
    return keep


def growth_interval(ia: tuple[float, float], ib: tuple[float, float], span: int) -> tuple[float, float]:
    """The interval of the average growth (% a year) from a value in ``ia`` to one in ``ib``
    over ``span`` years (-100 % and +inf for open sides)."""
    lo_a, hi_a = ia
    lo_b, hi_b = ib
    low = -100.0 if not (lo_b > 0 and math.isfinite(hi_a)) else \
        ((lo_b / hi_a) ** (1.0 / span) - 1.0) * 100.0
    high = math.inf if not (lo_a > 0 and math.isfinite(hi_b)) else \
        ((hi_b / lo_a) ** (1.0 / span) - 1.0) * 100.0
    return low, high


def _conditioned(ctx: AssessmentContext, key: tuple[str, str], year: int, bounds: list[Bound],
                 n_exact: int) -> tuple[np.ndarray | None, int]:
    """Samples of the series in ``year`` (n,) conditioned on the bounds, and how many of the
    paths were kept; (None, 0) without a forecast (fewer than two exact values)."""
    if n_exact < 2:
        return None, 0
    col = ctx.forecast_column(key, year)
    if col is None:
        return None, 0
    _, lower, upper = ctx.bounds[key[1]]
    keep = keep_mask(lambda y: ctx.forecast_column(key, y), bounds, lower, upper, len(col))
    if keep is None:
        return None, 0
    return col[keep], int(keep.sum())


def _why_not(forecast: bool, n_exact: int) -> tuple[Note, ...]:
    """Why a bounded target has no probability: the trend and the bounds disagree (there was a
    forecast), too few exact values for a trend, or no forecast of the deadline year (the
    series' data run past it)."""
    if forecast:
        return note("bound_disagree")
    return note("bound_no_trend" if n_exact < 2 else "no_deadline_forecast")


def _said(bounds: list[Bound]) -> tuple[Note, ...]:
    """Notes "the 2025 value is only known to be at least 30" for each bound."""
    out: tuple[Note, ...] = ()
    for b in bounds:
        out += note(f"bound_{b.side}", year=b.year, value=b.value)
    return out


def _growth_said(a: int, b: int, low: float, high: float) -> tuple[Note, ...]:
    """The note of a growth interval from bounds (% a year; open sides -100 and +inf)."""
    if low <= -100.0 and not math.isfinite(high):
        return note("growth_unknown", from_year=a, year=b)
    if low <= -100.0:
        return note("growth_at_most", from_year=a, year=b, high=high)
    if not math.isfinite(high):
        return note("growth_at_least", from_year=a, year=b, low=low)
    return note("growth_range", from_year=a, year=b, low=low, high=high)


def assess_bounded(row: dict, t: dict, key: tuple[str, str], years: np.ndarray,
                   values: np.ndarray, bounds: list[Bound], ctx: AssessmentContext) -> dict:
    """A level/share/count target whose latest values (after the exact ones ``years``,
    ``values``) are only ``bounds`` (up to the deadline). Fills ``row`` (status, probability,
    projection, bound, note) by the rules of this module and returns it."""
    deadline, cmp_, value = row["deadline"], t["comparator"], float(t["value"])
    _, lower, upper = ctx.bounds[key[1]]
    last = bounds[-1]
    row.update(last_year=last.year, last_value=last.value, bound=last.side, n_obs=len(years))
    said = _said([last])
    decided = verdict(*interval(last, lower, upper), cmp_, value)
    if last.year == deadline and decided is not None:
        row.update(status="achieved" if decided else "not_achieved", probability=float(decided),
                   method="observed (bound)", note=note("rests_on_bound") + said)
        return row
    samples, kept = _conditioned(ctx, key, deadline, bounds, len(years))
    ok = samples is not None and kept >= MIN_KEPT
    if ok:
        fill_projection(row, samples)
        row["probability"] = float(np.mean(compare(samples, cmp_, value)))
        row["method"] = f"{ctx.methods.get(f'{key[0]}|{key[1]}')} (conditioned on bounds)"
        how = note("bound_conditioned", n=len(years), kept=kept, total=ctx.n)
    else:
        how = _why_not(samples is not None, len(years))
    if decided:  # a bound before the deadline already meets the target
        row.update(status="met_early", note=note("met_on_bound", met_year=last.year) + said
                   + (how if ok else note("holds_not_estimated")))
        return row
    row.update(status=status_from_probability(row["probability"]) if ok else "insufficient_data",
               note=said + how)
    return row


def assess_growth_bounded(row: dict, t: dict, key: tuple[str, str], years: np.ndarray,
                          values: np.ndarray, bounds: list[Bound], ctx: AssessmentContext) -> dict:
    """A growth target (yoy or cagr) whose two end values include a bound: the growth from the
    observations is an interval (``growth_low``, ``growth_high``), which gives the status only
    when it lies wholly on one side of the target; otherwise the probability is that of the
    forecast conditioned on the bounds."""
    deadline, cmp_, value = row["deadline"], t["comparator"], float(t["value"])
    _, lower, upper = ctx.bounds[key[1]]
    a = deadline - 1 if t["measure"] == "yoy" else int(t["base_year"])
    span = deadline - a
    by_year = {b.year: b for b in bounds}

    def known(y: int) -> tuple[float, float] | None:
        hit = np.flatnonzero(years == y)
        if len(hit):
            return float(values[hit[0]]), float(values[hit[0]])
        return interval(by_year[y], lower, upper) if y in by_year else None

    ia, ib = known(a), known(deadline)
    used = [b for b in bounds if b.year in (a, deadline)]
    row["bound"] = "/".join(sorted({b.side for b in used})) or None
    said = _said(used)
    if ia is not None and ib is not None:
        low, high = growth_interval(ia, ib, span)
        row.update(growth_low=low, growth_high=high)
        said += _growth_said(a, deadline, low, high)
        decided = verdict(low, high, cmp_, value)
        if decided is not None:
            row.update(status="achieved" if decided else "not_achieved",
                       probability=float(decided), method="observed (bound)",
                       note=note("rests_on_bound") + said)
            return row
    samples, kept = None, 0
    col_b = ctx.forecast_column(key, deadline) if len(years) >= 2 else None
    keep = keep_mask(lambda y: ctx.forecast_column(key, y), bounds, lower, upper,
                     len(col_b)) if col_b is not None else None
    if keep is not None and keep.sum() >= MIN_KEPT:
        hit = np.flatnonzero(years == a)
        start = np.full(len(col_b), float(values[hit[0]])) if len(hit) else \
            ctx.forecast_column(key, a)
        if start is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                samples = ((col_b[keep] / start[keep]) ** (1.0 / span) - 1.0) * 100.0
            kept = int(keep.sum())
    if samples is None:
        row.update(status="insufficient_data", note=said + _why_not(col_b is not None, len(years)))
        return row
    fill_projection(row, samples)
    row["probability"] = float(np.mean(compare(samples, cmp_, value)))
    row["method"] = f"{ctx.methods.get(f'{key[0]}|{key[1]}')} (conditioned on bounds)"
    row.update(status=status_from_probability(row["probability"]),
               note=said + note("bound_conditioned", n=len(years), kept=kept, total=ctx.n))
    return row


def assess_with_bounds(row: dict, t: dict, key: tuple[str, str], history: Any,
                       bounds: list[Bound], ctx: AssessmentContext) -> dict:
    """Dispatch a single-series target with bounds after its exact values: the exact history
    up to the deadline (``history`` has ``years``, ``values``; None without exact values) to
    :func:`assess_growth_bounded` or :func:`assess_bounded`."""
    years, values = np.array([], dtype=int), np.array([], dtype=float)
    if history is not None:
        keep = history.years <= row["deadline"]
        years, values = history.years[keep], history.values[keep]
    if t["kind"] != "growth":
        return assess_bounded(row, t, key, years, values, bounds, ctx)
    row["required_growth"] = float(t["value"])
    if len(years) >= 2:
        g = cagr(float(values[-2]), float(values[-1]), int(years[-1] - years[-2]))
        row.update(last_year=int(years[-1]), last_value=g, observed_growth=g)
        if abs(float(t["value"])) > 1e-9 and not math.isnan(g):
            row["growth_ratio"] = g / float(t["value"])
    row["n_obs"] = len(years)
    return assess_growth_bounded(row, t, key, years, values, bounds, ctx)


def note_break(row: dict, brk: dict[str, Any] | None) -> dict:
    """Say in ``row`` (its ``definition`` and ``note``) that values under earlier definitions
    were left out of the trend; ``row`` unchanged without a break."""
    if not brk:
        return row
    row["definition"] = brk["definition"] or None
    years = brk["years"]
    said = (note("definition_break_one", year=years[0]) if len(years) == 1 else
            note("definition_break", n=len(years), first=min(years), last=max(years)))
    row["note"] = said if row["note"] is None else (*row["note"], *said)
    return row
