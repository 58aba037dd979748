"""What every attainment row reads, prepared once per :func:`dxlib.engine.attainment.assess_dataset`
call: the full-year series and the latest partial-year values keyed by (geo, indicator), the
forecast of every series and cached columns of its sample paths. Plain dicts and numpy arrays: no
pandas lookups per row.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from dxlib.model import PARTIAL_DATE, Dataset, partial_year

if TYPE_CHECKING:
    from dxlib.engine.censoring import Bound, SeriesRows, SeriesView
    from dxlib.engine.forecast import Forecast


class YearSeries(NamedTuple):
    """One full-year series: ``years`` (int64, ascending, unique) and ``values`` (float64),
    both shape (n,)."""

    years: np.ndarray
    values: np.ndarray


class AssessmentContext:
    """What every (geo, target) row reads: ``series`` (full-year :class:`YearSeries`) and
    ``partial`` (latest partial value, ISO date) keyed by (geo, indicator), the forecast ``fc``
    (None when no series can be forecast) and its number of sample paths ``n``, the
    ``evidence_counts`` of observations per (geo, indicator), each forecast series' ``methods``,
    each indicator's ``bounds`` (kind, lower, upper), and from
    :func:`dxlib.engine.censoring.trend_parts` the ``censored`` values (bounds) and definition
    ``breaks`` per (geo, indicator); ``rows`` (:func:`dxlib.engine.censoring.series_rows`) give
    each target its own :meth:`view` of a series, up to its deadline."""

    def __init__(self, ds: Dataset, series: dict[tuple[str, str], YearSeries],
                 partial: dict[tuple[str, str], tuple[float, str]], fc: Forecast | None,
                 evidence_counts: dict[tuple[str, str], int],
                 censored: dict[tuple[str, str], list[Bound]] | None = None,
                 breaks: dict[tuple[str, str], dict[str, Any]] | None = None,
                 rows: dict[tuple[str, str], SeriesRows] | None = None) -> None:
        self.ds = ds
        self.series = series
        self.partial = partial
        self.fc = fc
        self.n = fc.n_samples if fc is not None else 1
        self.evidence_counts = evidence_counts
        self.censored = censored or {}
        self.breaks = breaks or {}
        self.rows = rows or {}
        self._views: dict[tuple[tuple[str, str], int], SeriesView] = {}
        self.methods: dict[str, str] = {} if fc is None else dict(
            zip(fc.series.index, fc.series["method"], strict=True))
        ind = ds.indicators
        self.bounds: dict[str, tuple[str, float, float]] = {
            i: (k, float(lo), float(hi))
            for i, k, lo, hi in zip(ind.index, ind["kind"], ind["lower"], ind["upper"], strict=True)}
        #: the last year a series is published under its definition (catalogue ``ends``)
        self.ends: dict[str, int] = {i: int(e) for i, e in ind.get("ends", pd.Series(dtype=float)).items()
                                     if not pd.isna(e)}
        self._paths: dict[tuple[str, int], np.ndarray | None] = {}
        #: single-series rows whose probability comes from Forecast.prob_many, filled at the end:
        #: (row, series_id, year, comparator, threshold, status decided by the probability)
        self.pending: list[tuple[dict, str, int, str, float, bool]] = []

    def view(self, key: tuple[str, str], deadline: int) -> SeriesView:
        """What a target with ``deadline`` may use of the series ``key``
        (:func:`dxlib.engine.censoring.series_view`), cached per (series, deadline)."""
        from dxlib.engine.censoring import SeriesView, series_view

        ck = (key, deadline)
        if ck not in self._views:
            r = self.rows.get(key)
            self._views[ck] = SeriesView(None, [], None, True) if r is None else \
                series_view(r, deadline)
        return self._views[ck]

    def blind(self) -> AssessmentContext:
        """This context without any forecast (for a target read under another definition than
        its series' forecast); rows are still queued in the same ``pending`` list."""
        c = copy.copy(self)
        c.fc, c.methods, c._paths = None, {}, {}
        return c

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

    def path_at(self, key: tuple[str, str], h: YearSeries, year: int) -> np.ndarray | None:
        """Samples of a series' value in ``year``, shape (n_samples,): the observed value of
        ``h`` when there is one, else the forecast; None when neither exists."""
        hit = np.flatnonzero(h.years == year)
        if len(hit):
            return np.full(self.n, float(h.values[hit[0]]))
        return self.forecast_column(key, year)


def latest_partial(observations: pd.DataFrame) -> pd.DataFrame:
    """The latest exact partial-year value of each (geo, indicator): columns value, PARTIAL_DATE.
    A partial-year value that is only a bound ("more than 86 %", column ``bound``) is never shown
    as if it were the figure itself, so it is left out here."""
    obs = partial_year(observations)
    if "bound" in obs.columns:
        obs = obs[obs["bound"].isna() | (obs["bound"].astype(str).str.strip() == "")]
    obs = obs.sort_values(PARTIAL_DATE).groupby(["geo", "indicator"]).tail(1)
    return obs.set_index(["geo", "indicator"])[["value", PARTIAL_DATE]]


def full_year_series(hist: pd.DataFrame, needed: set[tuple[str, str]]) -> dict[tuple[str, str],
                                                                                YearSeries]:
    """Split the (geo, indicator, year)-sorted history into one :class:`YearSeries` per needed
    key, with numpy only (``hist`` as returned by
    :func:`dxlib.engine.attainment.full_year_history`)."""
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
            out[key] = YearSeries(years[a:b], values[a:b])
    return out
