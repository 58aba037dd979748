"""What standard models say: statsmodels' damped-trend exponential smoothing (ETS A,Ad,N) and
Theta forecasts of a yearly series with their own (nominal) 80 % intervals, fitted as the M3
benchmark fits them (``benchmarks/m3_yearly.py``: raw values, default settings), and a
rolling-origin check of how often those intervals, and ours, contained what was then observed.

These are the reference models researchers know; dxlib does not use their intervals because on
short yearly series they are far too narrow (M3, last 6 years: 35 % and 22 % of outcomes inside
the nominal 80 %, :mod:`dxlib.report.reliability`). statsmodels is imported on the first call.
No I/O.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

#: the reference methods, named as in ``dxlib/profiles/m3_benchmark.json``
ETS, THETA = "statsmodels ETS A,Ad,N", "statsmodels Theta"
METHODS: tuple[str, ...] = (ETS, THETA)
#: fewest observed years the reference models are fitted on
MIN_YEARS = 3

FORECAST_COLUMNS = ["method", "year", "mean", "low", "high"]


def _fit_one(method: str, y: np.ndarray, horizon: int, level: float) -> np.ndarray:
    """``horizon`` x 3 array (mean, low, high) of one method on values ``y``."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.forecasting.theta import ThetaModel

    alpha = 1 - level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == THETA:
            r = ThetaModel(y, period=1, deseasonalize=False).fit()
            mean = np.asarray(r.forecast(horizon), dtype=float)
            pi = np.asarray(r.prediction_intervals(horizon, alpha=alpha), dtype=float)
        elif method == ETS:
            r = ETSModel(pd.Series(y), error="add", trend="add", damped_trend=True).fit(disp=False)
            frame = r.get_prediction(start=len(y), end=len(y) + horizon - 1).summary_frame(alpha=alpha)
            mean = frame["mean"].to_numpy(float)
            pi = frame[["pi_lower", "pi_upper"]].to_numpy(float)
        else:
            raise ValueError(f"method: found {method!r}; expected one of {', '.join(METHODS)}")
    return np.column_stack([mean, pi])


def standard_forecasts(history: pd.DataFrame, to_year: int, level: float = 0.8,
                       methods: Iterable[str] = METHODS) -> pd.DataFrame:
    """Forecasts of ``history`` (columns year, value; consecutive years assumed, as the models
    do) for every year after its last one up to ``to_year``: one row per (method, year) with
    :data:`FORECAST_COLUMNS` (``mean`` and the nominal ``level`` interval ``low``–``high``, in the
    series' unit). Empty when the history has fewer than :data:`MIN_YEARS` values or already
    reaches ``to_year``; a method that fails to fit is left out."""
    h = history[["year", "value"]].dropna().sort_values("year")
    if len(h) < MIN_YEARS or int(h["year"].max()) >= to_year:
        return pd.DataFrame(columns=FORECAST_COLUMNS)
    last = int(h["year"].max())
    horizon = int(to_year) - last
    rows = []
    for method in methods:
        try:
            out = _fit_one(method, h["value"].to_numpy(float), horizon, level)
        except (ValueError, np.linalg.LinAlgError):
            continue
        if not np.isfinite(out).all():
            continue
        for k, (mean, low, high) in enumerate(out, start=1):
            rows.append({"method": method, "year": last + k, "mean": mean, "low": low, "high": high})
    return pd.DataFrame(rows, columns=FORECAST_COLUMNS)


def rolling_comparison(series: Iterable[tuple[str, pd.DataFrame, dict]], *, min_train: int = 4,
                       max_horizon: int = 3) -> pd.DataFrame:
    """Rolling-origin check of the 80 % ranges of dxlib and of the reference models on many
    short series: for each series (``(name, history, options)``, history columns year, value;
    options ``kind``, ``lower``, ``upper`` as for :func:`dxlib.engine.forecast.forecast`), every
    year with at least ``min_train`` values up to it is an origin; each later observed year at
    most ``max_horizon`` ahead is forecast from the values up to the origin only.

    Returns one row per (method, series, origin_year, year): ``method`` ("dxlib default" or a
    reference method), ``series``, ``origin_year``, ``year``, ``observed``, ``low``, ``high``
    (the 80 % range) and ``inside`` (bool). A reference model that fails on an origin leaves
    that row out for that method only."""
    from dxlib.engine.evaluation import rolling_backtest

    rows: list[dict] = []
    for name, history, options in series:
        h = history[["year", "value"]].dropna().sort_values("year").reset_index(drop=True)
        bt = rolling_backtest(h, kind=options.get("kind") or "level", lower=options.get("lower", math.nan),
                              upper=options.get("upper", math.nan), min_train=min_train,
                              max_horizon=max_horizon)
        for r in bt.to_dict("records"):
            rows.append({"method": "dxlib default", "series": name, "origin_year": int(r["origin_year"]),
                         "year": int(r["year"]), "observed": r["observed"], "low": r["q_0.1"],
                         "high": r["q_0.9"], "inside": bool(r["inside_80"])})
        if not len(bt):
            continue
        for origin, part in bt.groupby("origin_year"):
            train = h[h["year"] <= origin]
            fc = standard_forecasts(train, int(part["year"].max()))
            for r in part.itertuples(index=False):
                for f in fc[fc["year"] == r.year].itertuples(index=False):
                    rows.append({"method": f.method, "series": name, "origin_year": int(origin),
                                 "year": int(r.year), "observed": r.observed, "low": f.low,
                                 "high": f.high, "inside": bool(f.low <= r.observed <= f.high)})
    return pd.DataFrame(rows, columns=["method", "series", "origin_year", "year", "observed", "low",
                                       "high", "inside"])


def comparison_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per method of a :func:`rolling_comparison` frame: ``n_forecasts``, ``n_series`` and
    ``coverage_80`` (share of outcomes inside the 80 % range; nominal 0.8)."""
    g = frame.groupby("method", sort=False)
    return pd.DataFrame({"n_forecasts": g.size(), "n_series": g["series"].nunique(),
                         "coverage_80": g["inside"].mean()}).reset_index()


def dataset_series(ds, min_years: int = 5) -> list[tuple[str, pd.DataFrame, dict]]:
    """Every (indicator, geography) series of a dataset with at least ``min_years`` full-year
    values, as :func:`rolling_comparison` takes them: ``("indicator@geo", history, options)``
    with history columns year, value and the indicator's kind and bounds as options; sorted by
    indicator and geography."""
    from dxlib.engine.attainment import full_year_history

    history = full_year_history(ds.observations)
    out = []
    for (indicator, geo), part in history.groupby(["indicator", "geo"], sort=True):
        if len(part) >= min_years:
            info = ds.indicators.loc[indicator]
            out.append((f"{indicator}@{geo}", part[["year", "value"]].reset_index(drop=True),
                        {"kind": info["kind"], "lower": info["lower"], "upper": info["upper"]}))
    return out
