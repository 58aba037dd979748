"""Evaluation of the forecasts: rolling-origin backtests, hindcasts and target hindcasts.

Pure computation on frames (no file I/O, no plotting). Uses only the public API of
:mod:`dxlib.engine.forecast` and :mod:`dxlib.engine.attainment`.

What each function answers
--------------------------
:func:`rolling_backtest`
    For ONE series: at every past origin with enough data, what did the forecast say about the
    later observed years, and were they inside its intervals? (one row per origin and year)
:func:`backtest_summary`
    Coverage of the 80 % and 95 % intervals, median absolute percentage error, mean PIT.
:func:`hindcast`
    For every series of a :class:`~dxlib.data.Dataset`: what did the trend say with the data up to
    ``as_of``, and what was observed in ``outcome_year``?
:func:`target_hindcast` and :func:`brier_score`
    For the plan's targets: the status and probability with the data up to ``as_of`` against
    what was observed at the deadline.

Conventions
-----------
* Values (``median``, quantiles, ``observed``, ``error``) are in the unit of the series.
* ``abs_pct_error`` is ``|observed - median| / |observed| * 100`` in percent (NaN when the
  observed value is 0).
* ``inside_80`` / ``inside_95``: ``q_0.1 <= observed <= q_0.9`` / ``q_0.025 <= observed <= q_0.975``
  (closed intervals, so a value at a bound inside a point mass counts as inside).
* ``pit`` (probability integral transform) is ``P(Y <= observed)`` under the predictive
  distribution. Where the distribution has a point mass at the observed value (bounded series
  at a bound, see :data:`dxlib.engine.forecast.BOUND_TOL`) it is the mid-point
  ``(P(Y < observed) + P(Y <= observed)) / 2``, so that a calibrated forecast still has PIT values
  centred on 0.5; elsewhere both are equal. A calibrated forecast has PIT ~ uniform on [0, 1]
  (mean 0.5); a mean above 0.5 means outcomes were higher than forecast.
* Observed values of bounded series (share, index) within the bound tolerance of a bound are
  judged as AT the bound (as the forecasts and :func:`dxlib.engine.attainment.snap_to_bounds` do) for
  ``inside_*`` and ``pit``; the ``observed`` column keeps the reported value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from dxlib.engine.attainment import assess_dataset, full_year_history, snap_to_bounds
from dxlib.engine.forecast import forecast
from dxlib.model import Dataset

#: quantile levels that the interval checks need (80 % and 95 % central intervals)
INTERVAL_LEVELS: tuple[float, ...] = (0.1, 0.9, 0.025, 0.975)

BACKTEST_COLUMNS: tuple[str, ...] = (
    "origin_year", "year", "h", "n_train", "median", "q_0.1", "q_0.9", "q_0.025", "q_0.975",
    "observed", "inside_80", "inside_95", "pit", "abs_pct_error",
)
HINDCAST_COLUMNS: tuple[str, ...] = (
    "geo", "indicator", "kind", "n_train", "last_year", "last_value", "h", "median", "q_0.1",
    "q_0.9", "q_0.025", "q_0.975", "observed", "inside_80", "inside_95", "pit", "error",
    "abs_pct_error",
)
TARGET_HINDCAST_COLUMNS: tuple[str, ...] = (
    "geo", "target_id", "pillar", "kind", "deadline", "status_then", "probability_then",
    "status_now", "outcome", "expected", "came_true",
)
#: status with data up to ``as_of`` -> the call it makes about the outcome (True = will be met)
STATUS_CALL: dict[str, bool] = {"on_track": True, "met_early": True, "off_track": False}


# --------------------------------------------------------------------------- helpers
def _qname(level: float) -> str:
    return f"q_{float(level)}"


def _levels(levels: Sequence[float]) -> list[float]:
    """The requested levels plus the interval levels (order kept, no duplicates)."""
    out: list[float] = []
    for x in [*levels, *INTERVAL_LEVELS]:
        x = float(x)
        if not 0.0 < x < 1.0:
            raise ValueError(f"quantile levels must lie strictly between 0 and 1, got {x}")
        if x not in out:
            out.append(x)
    return out


def _pit(fc, ids: Sequence, years: np.ndarray, judged: np.ndarray) -> np.ndarray:
    """Mid-point PIT for many (series, year, observed) triples (see the module docstring)."""
    le = fc.prob_many(ids, years, "<=", judged)
    lt = fc.prob_many(ids, years, "<", judged)
    return (le + lt) / 2.0


def _judged(observed: np.ndarray, kinds: Sequence, lowers: np.ndarray,
            uppers: np.ndarray) -> np.ndarray:
    """Observed values snapped to the bounds of bounded series (share/index), element-wise."""
    out = np.asarray(observed, float).copy()
    for i, (k, lo, hi) in enumerate(zip(kinds, lowers, uppers, strict=True)):
        if k in ("share", "index"):
            lo = 0.0 if lo is None or pd.isna(lo) else float(lo)
            hi = 100.0 if hi is None or pd.isna(hi) else float(hi)
            out[i] = float(snap_to_bounds(out[i], k, lo, hi))
    return out


def _score(frame: pd.DataFrame, judged: np.ndarray) -> None:
    """Add inside_80, inside_95 and abs_pct_error to a frame with quantile and observed columns."""
    frame["inside_80"] = (frame["q_0.1"].to_numpy() <= judged) & (judged <= frame["q_0.9"].to_numpy())
    frame["inside_95"] = (frame["q_0.025"].to_numpy() <= judged) & (judged <= frame["q_0.975"].to_numpy())
    obs = frame["observed"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ape = np.abs(obs - frame["median"].to_numpy(float)) / np.abs(obs) * 100.0
    frame["abs_pct_error"] = np.where(obs != 0, ape, np.nan)


def _empty(columns: Sequence[str], extra_q: Sequence[str] = ()) -> pd.DataFrame:
    cols = list(columns) + [c for c in extra_q if c not in columns]
    out = pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
    for c in ("inside_80", "inside_95"):
        if c in out:
            out[c] = out[c].astype(bool)
    for c in ("origin_year", "year", "h", "n_train", "last_year"):
        if c in out:
            out[c] = out[c].astype("int64")
    for c in ("geo", "indicator", "kind"):
        if c in out:
            out[c] = out[c].astype(object)
    return out


# --------------------------------------------------------------------------- backtest
def rolling_backtest(
    history: pd.DataFrame,
    *,
    kind: str,
    lower: float = math.nan,
    upper: float = math.nan,
    min_train: int = 3,
    max_horizon: int = 3,
    levels: Sequence[float] = INTERVAL_LEVELS,
) -> pd.DataFrame:
    """Rolling-origin evaluation of ONE annual series.

    history: columns ``year`` (int) and ``value`` (float, the series' unit); full-year values,
    gaps allowed, NaN values ignored; a year may appear once only (ValueError otherwise).
    ``kind``, ``lower``, ``upper`` as in :func:`dxlib.engine.forecast.forecast` (NaN = default bounds).

    Every observed year ``origin_year`` with at least ``min_train`` (>= 2) observed values up to
    and including it is a forecast origin; its forecast uses ONLY the values with
    ``year <= origin_year`` and is compared with every later observed year at most
    ``max_horizon`` years ahead (``h = year - origin_year``). All origins go through one
    vectorised :func:`~dxlib.engine.forecast.forecast` call (one series id per origin).

    Returns one row per (origin_year, year), sorted by both, with :data:`BACKTEST_COLUMNS`
    (``median`` and ``q_<level>`` in the series' unit, one ``q_`` column per level of ``levels``
    plus the four interval levels, ``pit`` in [0, 1], ``abs_pct_error`` in %). An empty frame
    with the same columns when no origin has a later observation within ``max_horizon``.
    """
    if int(min_train) != min_train or min_train < 2:
        raise ValueError(f"min_train must be an integer >= 2 (a trend needs 2 points), got {min_train}")
    if int(max_horizon) != max_horizon or max_horizon < 1:
        raise ValueError(f"max_horizon must be a positive integer, got {max_horizon}")
    missing = [c for c in ("year", "value") if c not in history.columns]
    if missing:
        raise ValueError(f"history lacks column(s) {missing}; needs year, value")
    lv = _levels(levels)
    qcols = [_qname(x) for x in lv]
    h = pd.DataFrame({"year": pd.to_numeric(history["year"], errors="raise"),
                      "value": pd.to_numeric(history["value"], errors="coerce")}).dropna()
    if (h["year"] != np.round(h["year"])).any():
        raise ValueError("history: years must be integers")
    h["year"] = h["year"].astype("int64")
    if h["year"].duplicated().any():
        dup = int(h.loc[h["year"].duplicated(), "year"].iloc[0])
        raise ValueError(f"history: year {dup} appears more than once")
    h = h.sort_values("year").reset_index(drop=True)
    years = h["year"].to_numpy()
    values = h["value"].to_numpy(float)

    # origins and the (origin, year) pairs to evaluate
    pairs: list[tuple[int, int, int]] = []  # (origin index, target index, n_train)
    for i in range(int(min_train) - 1, len(years)):
        for j in range(i + 1, len(years)):
            if years[j] - years[i] > max_horizon:
                break
            pairs.append((i, j, i + 1))
    if not pairs:
        return _empty(BACKTEST_COLUMNS, qcols)

    origins = sorted({i for i, _, _ in pairs})
    frames = [pd.DataFrame({"series_id": int(years[i]), "year": years[: i + 1],
                            "value": values[: i + 1]}) for i in origins]
    fc_in = pd.concat(frames, ignore_index=True)
    fc_in["kind"] = kind
    fc_in["lower"] = float(lower)
    fc_in["upper"] = float(upper)
    fc = forecast(fc_in, int(max_horizon), n_samples=1)
    qf = fc.quantile_frame(lv, qcols).rename(columns={"series_id": "origin_year", "point": "median"})
    qf["origin_year"] = qf["origin_year"].astype("int64")
    qf["year"] = qf["year"].astype("int64")

    ev = pd.DataFrame({"origin_year": [int(years[i]) for i, _, _ in pairs],
                       "year": [int(years[j]) for _, j, _ in pairs],
                       "n_train": [n for _, _, n in pairs],
                       "observed": [values[j] for _, j, _ in pairs]})
    out = ev.merge(qf.drop(columns=["note", "h"]), on=["origin_year", "year"], how="left")
    out["h"] = out["year"] - out["origin_year"]
    judged = _judged(out["observed"].to_numpy(), [kind] * len(out),
                     np.full(len(out), float(lower)), np.full(len(out), float(upper)))
    _score(out, judged)
    out["pit"] = _pit(fc, out["origin_year"].tolist(), out["year"].to_numpy(), judged)
    cols = list(BACKTEST_COLUMNS) + [c for c in qcols if c not in BACKTEST_COLUMNS]
    return out[cols].sort_values(["origin_year", "year"]).reset_index(drop=True)


def backtest_summary(bt: pd.DataFrame) -> dict[str, float]:
    """Summary of a :func:`rolling_backtest` (or :func:`hindcast`) frame.

    Returns ``n_forecasts`` (rows), ``coverage_80`` / ``coverage_95`` (share of rows inside the
    80 % / 95 % interval, in [0, 1]; nominal 0.8 / 0.95), ``median_abs_pct_error`` (%) and
    ``mean_pit`` (nominal 0.5). Missing columns or an empty frame give NaN.
    """
    def mean_of(col: str) -> float:
        if col not in bt.columns or not len(bt):
            return math.nan
        v = pd.to_numeric(bt[col], errors="coerce").astype(float)
        return float(v.mean()) if v.notna().any() else math.nan

    ape = (pd.to_numeric(bt["abs_pct_error"], errors="coerce").astype(float)
           if "abs_pct_error" in bt.columns else pd.Series(dtype=float))
    return {
        "n_forecasts": int(len(bt)),
        "coverage_80": mean_of("inside_80"),
        "coverage_95": mean_of("inside_95"),
        "median_abs_pct_error": float(ape.median()) if ape.notna().any() else math.nan,
        "mean_pit": mean_of("pit"),
    }


# --------------------------------------------------------------------------- hindcast
def hindcast(
    ds: Dataset,
    *,
    as_of: int,
    outcome_year: int,
    geos: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """What the trend said with the data up to ``as_of`` against what ``outcome_year`` showed.

    Uses the full-year observations of ``ds`` (partial-year values never count; several sources
    for one year are averaged, as in :func:`dxlib.engine.attainment.full_year_history`). A
    (geo, indicator) series is judged when it has a full-year value in ``outcome_year`` and at
    least 2 full-year values with ``year <= as_of``; it is forecast from those values only (one
    vectorised call; kind, lower, upper from ``ds.indicators``) to ``outcome_year``
    (``h = outcome_year - last_year`` years ahead).

    Returns one row per judged series, sorted by geo and indicator, with
    :data:`HINDCAST_COLUMNS`: ``n_train`` (values used), ``last_year``/``last_value`` (last one
    used), ``median`` and quantiles of the forecast for ``outcome_year`` and ``observed``, all in
    the series' unit, ``inside_80``/``inside_95``, ``pit`` in [0, 1], ``error = observed - median``
    (series' unit) and ``abs_pct_error`` (%). Empty frame (same columns) when nothing can be
    judged. Deterministic for a given ``seed``.
    """
    as_of, outcome_year = int(as_of), int(outcome_year)
    if outcome_year <= as_of:
        raise ValueError(f"outcome_year ({outcome_year}) must be after as_of ({as_of})")

    def history(d: Dataset) -> pd.DataFrame:
        """The full-year history of the series asked for, without missing values."""
        hist = full_year_history(d.observations)
        if geos is not None:
            hist = hist[hist["geo"].isin(list(geos))]
        if indicators is not None:
            hist = hist[hist["indicator"].isin(list(indicators))]
        return hist.dropna(subset=["value"])

    hist = history(ds)
    train = history(ds.as_of(as_of))  # only the data up to as_of
    outcome = hist[hist["year"] == outcome_year].set_index(["geo", "indicator"])["value"]
    n_train = train.groupby(["geo", "indicator"]).size()
    keys = n_train.index[(n_train >= 2) & n_train.index.isin(outcome.index)]
    if not len(keys):
        return _empty(HINDCAST_COLUMNS)

    train = train.set_index(["geo", "indicator"]).loc[keys].reset_index()
    ind = ds.indicators.reindex(train["indicator"].unique())
    sid = train["geo"] + "|" + train["indicator"]
    fc_in = pd.DataFrame({"series_id": sid, "year": train["year"].to_numpy(),
                          "value": train["value"].to_numpy(),
                          "kind": ind["kind"].reindex(train["indicator"]).to_numpy(),
                          "lower": ind["lower"].reindex(train["indicator"]).to_numpy(float),
                          "upper": ind["upper"].reindex(train["indicator"]).to_numpy(float)})
    fc = forecast(fc_in, to_year=outcome_year, n_samples=1, seed=seed)
    qcols = [_qname(x) for x in INTERVAL_LEVELS]
    qf = fc.quantile_frame(INTERVAL_LEVELS, qcols)
    qf = qf[qf["year"] == outcome_year].set_index("series_id")

    ids = [f"{g}|{i}" for g, i in keys]
    info = fc.series.loc[ids]
    out = pd.DataFrame({
        "geo": [g for g, _ in keys], "indicator": [i for _, i in keys],
        "kind": info["kind"].to_numpy(), "n_train": n_train.loc[keys].to_numpy().astype("int64"),
        "last_year": info["last_year"].to_numpy().astype("int64"),
        "last_value": info["last_value"].to_numpy(float),
    })
    out["h"] = outcome_year - out["last_year"]
    out["median"] = qf["point"].reindex(ids).to_numpy(float)
    for c in qcols:
        out[c] = qf[c].reindex(ids).to_numpy(float)
    out["observed"] = outcome.loc[keys].to_numpy(float)
    judged = _judged(out["observed"].to_numpy(), list(out["kind"]), info["lower"].to_numpy(float),
                     info["upper"].to_numpy(float))
    _score(out, judged)
    out["pit"] = _pit(fc, ids, np.full(len(ids), outcome_year), judged)
    out["error"] = out["observed"] - out["median"]
    return out[list(HINDCAST_COLUMNS)].sort_values(["geo", "indicator"]).reset_index(drop=True)


# --------------------------------------------------------------------------- targets
def target_hindcast(
    ds: Dataset,
    *,
    as_of: int,
    outcome_year: int | None = None,
    geos: Sequence[str] | None = None,
    seed: int = 0,
    now: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Target statuses with the data up to ``as_of`` against what was observed.

    Runs :func:`dxlib.engine.attainment.assess_dataset` twice: with ``as_of`` ("then": what the trend
    said) and with ``as_of=outcome_year`` ("now"; default: all data), and joins them on
    (geo, target_id). Columns :data:`TARGET_HINDCAST_COLUMNS`:

    * ``status_then``, ``probability_then`` (P(target met at its deadline) in [0, 1]),
      ``status_now``;
    * ``outcome``: True / False when ``status_now`` is ``achieved`` / ``not_achieved`` (an
      observed deadline value exists), else NA (nullable boolean);
    * ``expected``: the call ``status_then`` makes (:data:`STATUS_CALL`: on_track and met_early
      -> True, off_track -> False; at_risk and the other statuses -> NA);
    * ``came_true``: ``expected == outcome`` where both exist, else NA.

    One row per (geo, target) of the plan, in the registry's order. ``now`` may pass the "now"
    assessment when the caller already has it (same ``geos``, ``seed`` and ``outcome_year``).
    """
    as_of = int(as_of)
    if outcome_year is not None and int(outcome_year) <= as_of:
        raise ValueError(f"outcome_year ({outcome_year}) must be after as_of ({as_of})")
    then = assess_dataset(ds, as_of=as_of, geos=geos, seed=seed)
    if now is None:
        now = assess_dataset(ds, as_of=None if outcome_year is None else int(outcome_year),
                             geos=geos, seed=seed)
    out = then[["geo", "target_id", "pillar", "kind", "deadline", "status", "probability"]].rename(
        columns={"status": "status_then", "probability": "probability_then"})
    out = out.merge(now[["geo", "target_id", "status"]].rename(columns={"status": "status_now"}),
                    on=["geo", "target_id"], how="left", validate="one_to_one")
    out["probability_then"] = out["probability_then"].astype(float)
    out["outcome"] = pd.array(out["status_now"].map({"achieved": True, "not_achieved": False}),
                              dtype="boolean")
    out["expected"] = pd.array(out["status_then"].map(STATUS_CALL), dtype="boolean")
    out["came_true"] = out["expected"] == out["outcome"]  # NA where either is NA
    return out[list(TARGET_HINDCAST_COLUMNS)].reset_index(drop=True)


def brier_score(frame: pd.DataFrame) -> float:
    """Mean squared difference between ``probability_then`` and the 0/1 ``outcome`` over the
    rows that have both (0 = perfect, 0.25 = always saying 0.5). Rows whose ``status_then`` was
    already ``achieved`` / ``not_achieved`` (the deadline value was known at ``as_of``: an
    observation, not a forecast) are left out. NaN when no row qualifies."""
    p = pd.to_numeric(frame["probability_then"], errors="coerce").astype(float)
    y = frame["outcome"].astype("boolean")
    ok = p.notna() & y.notna()
    if "status_then" in frame.columns:
        ok &= ~frame["status_then"].isin(["achieved", "not_achieved"])
    if not ok.any():
        return math.nan
    return float(((p[ok] - y[ok].astype(float)) ** 2).mean())
