"""Short annual series -> calibrated predictive distributions (pure computation, no file I/O).

Overview
--------
``forecast(history, horizon)`` models every series of a long frame (``series_id, year, value``
and optionally ``kind, lower, upper``) at once, with vectorised numpy, and returns a
:class:`Forecast` with predictive quantiles, sample paths and threshold probabilities.

Kinds and transformed scales (``z``)
------------------------------------
* ``level``  (positive money, population ...): ``z = log(y)``; results > 0.
* ``count``  (non-negative counts): ``z = log1p(y)``; results >= 0 (mass at 0 is possible).
* ``share``  and ``index`` (bounded, default bounds [0, 100]; other bounds via ``lower``/``upper``):
  ``p = (y - lower) / (upper - lower)``, ``z = logit(p)``. Results stay within the bounds.
* ``rank``   (1 = best .. ``upper`` = N units; ``upper`` is required): ``z = logit((r - 0.5) / N)``;
  samples are clipped to [1, N] (continuous ranks; round them yourself if needed).
* No ``kind`` column (or an empty cell): a series whose values are all > 0 is a ``level``; any
  other series (zero or negative values) is modelled on the raw scale, ``z = y`` (reported as kind
  ``level`` with method ``... raw scale``). A ``level`` given explicitly with non-positive values is
  treated the same way.

Bounds (share, index): a value within ``BOUND_TOL * (upper - lower)`` (0.5 % of the range, e.g.
0.5 pp of a 0-100 share) of a bound counts as AT the bound, as reported figures round that way
(UNSD/Eustat count a value within 1 pp of a 100 % target as achieved). Observations at the bound
enter the logit as ``p = BOUND_TOL / 2`` or ``1 - BOUND_TOL / 2``; predictive values with
``p <= BOUND_TOL`` or ``p >= 1 - BOUND_TOL`` are snapped to the bound. The predictive distribution
therefore has point masses at the bounds, used consistently by quantiles, paths and ``prob``:
a series at 100, 100, 100 gets a high ``P(Y >= 100)`` while ``P(Y > 100) == 0`` exactly.

Thin-data rules (per series, counting observed years with a non-missing value)
------------------------------------------------------------------------------
* 0 points: no forecast (``note``: "no observations: no forecast").
* 1 point:  no forecast (``note``: "one observation: no trend, no forecast").
* 2 points: damped drift (``z_T + d * sum_{i<=h} 0.3**i``, ``d`` = slope between the two points)
  with the pooled error profile of 2-point histories (very wide; ``note`` warns).
* 3+ points: equal-weight mean of three methods on the ``z`` scale: naive (last value), damped
  drift (slope first->last point, damping 0.8 per year) and Theta (SES with alpha chosen on a grid
  by in-sample one-step error, plus half the least-squares slope, Hyndman-Billah form).
Gaps in the years are allowed: slopes use the actual years, SES skips missing years.

Reference classes
-----------------
Each series belongs to a reference class, whose past forecast errors stand in for its future
ones (:mod:`dxlib.profiles`): ``level`` (levels, counts, ranks, series without a kind; the
TRAINING parts of the 645 M3 yearly series) and ``share`` (shares and bounded indices; the
World Bank / ITU adoption panel, outcomes up to 2012 only). The default follows ``kind``; an
optional ``reference_class`` column names one per series. A class carries the method constants
and the error profile, built by ``benchmarks/build_error_profile.py``, with their provenance.

Predictive distribution
-----------------------
``z_{T+h} = zhat_h + s * e_h`` where ``s`` is the series' own scale on the ``z`` scale (mean of
``|dz| / sqrt(dyear)`` over consecutive observations, floored: 0.01 on log scales, 0.04 on logit
scales, 1 % of mean |y| on the raw scale; a class with a publication ``resolution`` r (``share``:
0.1 pp of the bound) also floors a logit-scale series at ``r / (p (1 - p))``, p its last value as
a fraction of the bound) and ``e_h`` follows the class's empirical profile of scaled errors by
horizon h (1..10; further horizons scale the h = 10 quantiles by h / 10) and history-length
bucket. The point forecast is the predictive median. The class's ``bias`` rule (chosen on
training data only, ``benchmarks/README.md``) says what the profile's median error does:
``learned`` adds it (adoption shares mostly outgrew damped trends: ``share``'s median sits
above a rising trend); ``none`` symmetrises the profile (u -> mean
of ``q(u)`` and ``-q(1 - u)``: ``level``, so 100 -> 90 is not pushed up); ``direction``,
``rising``, ``split`` and ``centred`` are ``--validate`` candidates (:mod:`profiles`).
Recalibration: a class may ship a monotone map ``R`` of PIT values learned on its training data
(:mod:`dxlib.engine.recalibration`; one per direction if ``by_direction``); then ``P(Y <= t) =
R(F(t))``, quantiles ``F^-1(R^-1(q))``, samples ``F^-1(R^-1(U))``, so fan chart, probabilities
and paths agree. A class with ``cap: non_rising`` then shifts a falling or flat series (last point
not above the first) down by the amount its calibrated median lies above ``zhat_h``, shape kept.
Quantiles and probabilities are exact from the profile (no Monte Carlo). Paths
(``paths``, ``samples``) join the marginals with a Gaussian copula whose latent is
``w * Z0 + sqrt(1 - w^2) * B_h / sqrt(h)`` (``Z0`` a common shock = trend uncertainty, ``B`` a
Brownian motion = random-walk accumulation), ``w`` fitted to the rank correlations of rolling-
origin errors across horizons; so year-on-year growth and multi-year averages from a path have
realistic spread. Paths are seeded per series from ``(seed, crc32(series_id))``: identical inputs
and seed give identical output, and a series' paths do not depend on the other series.
``joint_samples`` joins several series in one year with a latent correlation (e.g. the
``step_correlation`` of their past changes), keeping each series' marginal.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from dxlib.engine.methods import describe, point_engine
from dxlib.engine.profiles import class_tables, median_excess, oriented, quantiles_at
from dxlib.engine.scales import BOUND_TOL, T_LOGIT, T_RAW, TNAME, cut_off, from_z, resolution_floor, to_z
from dxlib.engine.series_input import prepare
from dxlib.model import KINDS  # one definition, shared with the data loaders
from dxlib.profiles import load_profile

__all__ = ["BOUND_TOL", "COMPARATORS", "KINDS", "SCALE_FLOOR", "Forecast", "forecast",
           "forecast_table", "load_profile"]

COMPARATORS = (">=", ">", "<=", "<")
#: floors of the own scale s on each transformed scale (judgement, see benchmarks/README.md)
SCALE_FLOOR = {"log": 0.01, "log1p": 0.01, "logit": 0.04}


# --------------------------------------------------------------------------- Forecast
class Forecast:
    """Predictive distributions of many annual series (build with :func:`forecast`).

    Attributes: ``series`` (DataFrame indexed by series_id: kind, lower, upper, n_obs,
    first_year, last_year, last_value, method, note, reference_class), ``n_samples``, ``seed``,
    ``horizon``, ``to_year``. Public API: quantile_frame, summary_frame, quantiles_many, prob,
    prob_many, samples, paths, joint_samples, step_correlation, forecast_years."""

    def __init__(self, info: dict[str, Any], horizon: int | None, to_year: int | None,
                 n_samples: int, seed: int) -> None:
        self.n_samples = int(n_samples)
        self.seed = int(seed)
        self.horizon = horizon
        self.to_year = to_year
        ids, n_obs = info["ids"], info["n_obs"]
        S = len(ids)
        # reference classes: one profile (method constants + scaled-error quantiles) each
        tab = class_tables(tuple(sorted(set(info["reference_class"]))))
        self._names, self._levels, self._edges = tab.names, tab.levels, tab.edges
        self._Q, self._w, self._recal = tab.Q, tab.w, tab.recal  # Q: (R, B, Hp, K)
        cls_all = np.array([self._names.index(c) for c in info["reference_class"]], int)
        last_value = np.full(S, np.nan)
        ok = info["years"] == info["last"][info["codes"]]
        last_value[info["codes"][ok]] = info["values"][ok]
        if horizon is not None:
            hs = np.full(S, int(horizon))
        else:
            hs = np.where(n_obs > 0, int(to_year) - info["last"], 0)  # type: ignore[arg-type]
        described = [describe(int(n_obs[i]), int(hs[i]), int(info["last"][i]), to_year,
                              tab.methods[cls_all[i]], TNAME[int(info["code"][i])])
                     for i in range(S)]
        methods, notes = [m for m, _ in described], [nt for _, nt in described]
        can = np.array([m != "none" for m in methods], bool)
        first = np.where(n_obs > 0, info["first"], -1)
        last = np.where(n_obs > 0, info["last"], -1)
        self.series = pd.DataFrame(
            {"kind": info["kind"], "lower": info["lo"], "upper": info["hi"], "n_obs": n_obs,
             "first_year": pd.array(np.where(n_obs > 0, first, 0), dtype="Int64"),
             "last_year": pd.array(np.where(n_obs > 0, last, 0), dtype="Int64"),
             "last_value": last_value, "method": methods, "note": notes,
             "reference_class": info["reference_class"]},
            index=pd.Index(ids, name="series_id"))
        self.series.loc[n_obs == 0, ["first_year", "last_year"]] = pd.NA
        # engine on forecastable series
        fidx = np.flatnonzero(can)
        self._fidx = fidx
        self._fid = {ids[i]: r for r, i in enumerate(fidx)}
        self._hs = hs[fidx].astype(int)
        self._last = last[fidx].astype(int)
        self._code = info["code"][fidx]
        self._lo = info["lo"][fidx]
        self._hi = info["hi"][fidx]
        self._cls = cls_all[fidx]
        H = int(self._hs.max()) if len(fidx) else 0
        self._H = H
        F = len(fidx)
        self._zhat, self._shift = np.zeros((F, H)), np.zeros((F, H))  # shift: cap, below
        self._scale = np.zeros(F)
        self._bucket = np.zeros(F, int)
        self._n = n_obs[fidx].astype(int)
        self._dir, self._qrow, self._up = np.ones(F), tab.qbase[self._cls], np.zeros(F, bool)
        self._Z = np.zeros((F, 0))
        if F:
            sel = can[info["codes"]]
            c = info["codes"][sel]
            row = np.searchsorted(fidx, c)
            span = int((info["last"][fidx] - info["first"][fidx]).max()) + 1
            col = span - 1 - (info["last"][c] - info["years"][sel])
            z = to_z(info["values"][sel], info["code"][c], info["lo"][c], info["hi"][c])
            Z = np.full((F, span), np.nan)
            Z[row, col] = z
            floor = np.array([SCALE_FLOOR.get(TNAME[int(k)], 0.0) for k in self._code])
            raw = self._code == T_RAW  # the raw scale: 1 % of the mean |y|
            floor[raw] = np.maximum(0.01 * np.nanmean(np.abs(Z[raw]), axis=1), 1e-9)
            self._Z = Z  # (F, span), right-aligned: column span-1 = each row's last year
            for ci, meth in enumerate(tab.methods):
                m = self._cls == ci
                if not m.any():
                    continue
                Zc = Z[m]
                Zc = Zc[:, int(np.argmax((~np.isnan(Zc)).any(0))):]  # drop all-empty columns
                zhat, scale, nn, direction = point_engine(
                    Zc, H, meth["phi"], meth["phi_two"], meth["weights"])
                self._zhat[m] = zhat
                if meth.get("resolution"):  # a share's own scale: at least its resolution
                    lg = m & (self._code == T_LOGIT)
                    floor[lg] = np.maximum(floor[lg], resolution_floor(Z[lg, -1], meth["resolution"]))
                self._scale[m] = np.maximum(scale, floor[m])
                # history-length bucket (edges = lower edges, ascending)
                self._bucket[m] = np.clip(np.searchsorted(self._edges, nn, side="right") - 1, 0,
                                          len(self._edges) - 1)
                self._qrow[m], self._dir[m] = tab.error_rows(ci, direction)  # by its bias
                self._up[m] = direction > 0  # a rising trend (maps by direction)
            cap = np.array([tab.methods[c].get("cap") == "non_rising" for c in self._cls])
            r = np.repeat(np.flatnonzero(cap & ~self._up), H)  # falling or flat, cap: non_rising
            h = np.tile(np.arange(1, H + 1), len(r) // max(H, 1))
            u_half = self._raw_levels(r, h, np.array([[0.5]]))[:, 0]
            self._shift[r, h - 1] = median_excess(self._zq(r, h), self._levels, u_half,
                                                  self._zhat[r, h - 1])

    # ---------------------------------------------------------------- internals
    def _qgrid(self, rows: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Scaled-error quantiles at the profile levels for (row, h) pairs -> (len(rows), K)."""
        Hp = self._Q.shape[2]
        hh = np.minimum(h, Hp)
        q = oriented(self._Q[self._qrow[rows], self._bucket[rows], hh - 1, :], self._dir[rows])
        return q * np.maximum(h / Hp, 1.0)[:, None]

    def _zq(self, rows: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Transformed-scale quantiles at the profile levels, (len(rows), K)."""
        loc = self._zhat[rows, h - 1] - self._shift[rows, h - 1]
        return loc[:, None] + self._scale[rows][:, None] * self._qgrid(rows, h)

    def _mid(self, rows: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Recalibration map id of each (row, h) pair (:mod:`dxlib.engine.recalibration`)."""
        return self._recal.map_ids(self._cls[rows], self._n[rows], h, self._up[rows])

    def _raw_levels(self, rows: np.ndarray, h: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Calibrated levels u (broadcast against (len(rows), 1)) -> raw levels R^-1(u)."""
        return self._recal.invert(u, self._mid(rows, h)[:, None])

    def _quantiles(self, rows: np.ndarray, h: np.ndarray, levels: np.ndarray) -> np.ndarray:
        """Natural-scale quantiles (len(rows), len(levels)) of the recalibrated distribution:
        ``F^{-1}(R^{-1}(level))``; levels clipped to [0, 1]."""
        L = self._levels
        u = np.clip(np.asarray(levels, float), 0.0, 1.0)[None, :]
        u = self._raw_levels(rows, h, u) if len(rows) else np.zeros((0, u.shape[1]))
        z = quantiles_at(self._zq(rows, h), L, u)
        return from_z(z, self._code[rows][:, None], self._lo[rows][:, None],
                       self._hi[rows][:, None])

    def _rows_for(self, series_id: Any) -> int | None:
        if series_id not in self.series.index:
            raise KeyError(f"unknown series_id {series_id!r}")
        return self._fid.get(series_id)

    # ---------------------------------------------------------------- public
    def quantile_frame(self, levels: Sequence[float],
                       names: Sequence[str] | None = None) -> pd.DataFrame:
        """One row per forecastable series and future year: series_id, year, h, point (median),
        one column per level (``names[i]`` or ``f"q_{level}"``), note. A series that cannot be
        forecast gets one row with NaN values and the reason in ``note``. Rows: series in sorted
        id order, years ascending. Values on the natural scale of each series."""
        levels = [float(x) for x in levels]
        if any(not 0.0 <= x <= 1.0 for x in levels):
            raise ValueError(f"quantile levels must lie in [0, 1], got {levels}")
        names = [f"q_{x}" for x in levels] if names is None else list(names)
        if len(names) != len(levels):
            raise ValueError("names and levels differ in length")
        nf = len(self._fidx)
        rows = np.repeat(np.arange(nf), self._hs)
        h = np.concatenate([np.arange(1, k + 1) for k in self._hs]) if nf else np.zeros(0, int)
        vals = self._quantiles(rows, h, np.array([0.5, *levels]))
        ids = self.series.index.to_numpy()
        columns = {"series_id": ids[self._fidx][rows], "year": self._last[rows] + h, "h": h,
                   "point": vals[:, 0]}
        columns.update({nm: vals[:, k + 1] for k, nm in enumerate(names)})
        columns["note"] = self.series["note"].to_numpy()[self._fidx][rows]
        out = pd.DataFrame(columns)
        bad = np.setdiff1d(np.arange(len(ids)), self._fidx)
        if len(bad):
            nan_rows = pd.DataFrame({"series_id": ids[bad], "note": self.series["note"].iloc[bad]
                                     .to_numpy()})
            out = pd.concat([out, nan_rows], ignore_index=True)
            order = pd.Index(ids).get_indexer(out["series_id"])
            out = out.iloc[np.lexsort((out["h"].fillna(0).to_numpy(), order))]
        out["year"] = out["year"].astype("Int64")
        out["h"] = out["h"].astype("Int64")
        out["note"] = out["note"].astype(object).where(out["note"].notna(), None)
        return out.reset_index(drop=True)

    def summary_frame(self, series_id: Any, alpha: float = 0.2) -> pd.DataFrame:
        """statsmodels-like table for one series: year, h, median, mean, pi_lower, pi_upper
        (central 1 - alpha interval). Empty frame if the series has no forecast."""
        r = self._rows_for(series_id)
        cols = ["year", "h", "median", "mean", "pi_lower", "pi_upper"]
        if r is None:
            return pd.DataFrame(columns=cols)
        h = np.arange(1, self._hs[r] + 1)
        rows = np.full(len(h), r)
        q = self._quantiles(rows, h, np.array([0.5, alpha / 2, 1 - alpha / 2]))
        grid = (np.arange(1000) + 0.5) / 1000
        mean = self._quantiles(rows, h, grid).mean(1)
        return pd.DataFrame({"year": self._last[r] + h, "h": h, "median": q[:, 0], "mean": mean,
                             "pi_lower": q[:, 1], "pi_upper": q[:, 2]})

    def _latent(self, series_id: Any, H: int) -> np.ndarray:
        """Seeded uniform (n_samples, H) draws with the profile's Gaussian copula."""
        from scipy.special import ndtr

        key = zlib.crc32(str(series_id).encode("utf-8"))
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, key]))
        w = float(self._w[self._cls[self._fid[series_id]]])
        z0 = rng.standard_normal((self.n_samples, 1))
        b = np.cumsum(rng.standard_normal((self.n_samples, H)), axis=1)
        x = w * z0 + np.sqrt(1 - w * w) * b / np.sqrt(np.arange(1, H + 1))
        return ndtr(x)

    def forecast_years(self, series_id: Any) -> np.ndarray:
        """The forecast years of a series, ascending int array (empty when it has no forecast)."""
        r = self._rows_for(series_id)
        if r is None:
            return np.zeros(0, dtype=int)
        return self._last[r] + np.arange(1, int(self._hs[r]) + 1)

    def samples(self, series_id: Any, years: Sequence[int] | None = None) -> np.ndarray | None:
        """Joint predictive samples of one series, shape (n_samples, len(years)), natural scale:
        row i is one sample path, so the columns keep their dependence across years (growth
        between two years of a row has realistic spread). ``years`` defaults to every forecast
        year. Seeded by ``(seed, series_id)``: the values are exactly those of :meth:`paths`,
        without building a DataFrame. None when the series has no forecast or a requested year
        is not one of its forecast years."""
        r = self._rows_for(series_id)
        if r is None:
            return None
        H = int(self._hs[r])
        h = np.arange(1, H + 1) if years is None else (
            np.asarray(years, dtype=int).reshape(-1) - int(self._last[r]))
        if len(h) and (h.min() < 1 or h.max() > H):
            return None
        U = self._latent(series_id, H)
        L = self._levels
        rows = np.full(len(h), r)
        zq = self._zq(rows, h)  # (len(h), K)
        U = self._raw_levels(rows, h, U[:, h - 1].T).T  # (n_samples, len(h)), R^{-1}(U)
        z = np.empty((self.n_samples, len(h)))
        for j in range(len(h)):
            z[:, j] = np.interp(U[:, j], L, zq[j])
        return from_z(z, self._code[r], self._lo[r], self._hi[r])

    def joint_samples(self, series_ids: Sequence[Any], year: int,
                      corr: np.ndarray | None = None) -> np.ndarray | None:
        """Joint samples of several series in one ``year``, shape (n_samples, len(series_ids)),
        natural scale. The series are joined by a Gaussian copula with latent correlation
        matrix ``corr`` (default: identity, i.e. independent); each column keeps exactly the
        series' own marginal, and with the identity it equals ``samples(id, [year])[:, 0]``.
        None when a series has no forecast for ``year``."""
        from scipy.special import ndtr, ndtri

        cols = []
        for sid in series_ids:
            r = self._rows_for(sid)
            if r is None:
                return None
            h = int(year) - int(self._last[r])
            if not 1 <= h <= int(self._hs[r]):
                return None
            cols.append((sid, r, h))
        U = np.column_stack([self._latent(sid, int(self._hs[r]))[:, h - 1] for sid, r, h in cols])
        if corr is not None:  # columns whose Cholesky row is not the identity's get mixed
            chol = np.linalg.cholesky(np.asarray(corr, float))
            mixed = ~np.isclose(chol, np.eye(len(chol))).all(axis=1)
            U = np.where(mixed, ndtr(ndtri(U) @ chol.T), U)
        out = np.empty_like(U)
        for j, (_, r, h) in enumerate(cols):
            rr, hh = np.array([r]), np.array([h])
            u = self._raw_levels(rr, hh, U[None, :, j])[0]
            out[:, j] = from_z(np.interp(u, self._levels, self._zq(rr, hh)[0]), self._code[r],
                               self._lo[r], self._hi[r])
        return out

    def step_correlation(self, id_a: Any, id_b: Any) -> tuple[float, int]:
        """Estimated dependence of two series' forecast errors: the Pearson correlation of their
        year-on-year changes on the transformed scale over the m years where both change, shrunk
        towards 0 by m / (m + 3) (a prior worth three independent years); 0 when m < 3 or a
        series has no forecast. Returns (correlation, m)."""
        ra, rb = self._fid.get(id_a), self._fid.get(id_b)
        if ra is None or rb is None:
            return 0.0, 0
        span = self._Z.shape[1]

        def changes(r: int) -> pd.Series:
            years = self._last[r] - (span - 1) + np.arange(span)
            z = pd.Series(self._Z[r], index=years)
            return z.diff()[z.notna() & z.shift().notna()]
        a, b = changes(ra), changes(rb)
        common = a.index.intersection(b.index)
        m = len(common)
        if m < 3 or a[common].std() == 0 or b[common].std() == 0:
            return 0.0, m
        r = float(np.corrcoef(a[common], b[common])[0, 1])
        return float(np.clip(r * m / (m + 3), -0.95, 0.95)), m

    def paths(self, series_id: Any, include_last: bool = False) -> pd.DataFrame:
        """Sample paths, (n_samples, years) on the natural scale; columns = forecast years
        (plus the last observed year, constant, first when include_last). Empty frame if the
        series has no forecast. Same values as :meth:`samples`."""
        y = self.samples(series_id)
        if y is None:
            return pd.DataFrame()
        out = pd.DataFrame(y, columns=pd.Index(self.forecast_years(series_id), name="year"))
        if include_last:
            r = self._fid[series_id]
            out.insert(0, int(self._last[r]), float(self.series["last_value"].loc[series_id]))
        return out

    def prob_many(self, series_ids: Sequence[Any], years: Sequence[int] | np.ndarray,
                  comparators: Sequence[str] | str, thresholds: Sequence[float] | np.ndarray,
                  ) -> np.ndarray:
        """Vectorised P(Y_year <comparator> threshold), shape (len(series_ids),). NaN where the
        series has no forecast or the year is not a forecast year."""
        m = len(series_ids)
        years = np.broadcast_to(np.asarray(years, float), (m,))
        thr = np.broadcast_to(np.asarray(thresholds, float), (m,))
        comp = np.broadcast_to(np.asarray(comparators, dtype=object), (m,))
        bad = [c for c in set(comp.tolist()) if c not in COMPARATORS]
        if bad:
            raise ValueError(f"comparator(s) {bad} not in {COMPARATORS}")
        unknown = [s for s in series_ids if s not in self.series.index]
        if unknown:
            raise KeyError(f"unknown series_id(s) {unknown[:5]}")
        rows = np.array([self._fid.get(s, -1) for s in series_ids], int)
        out = np.full(m, np.nan)
        ok = rows >= 0
        rr = np.where(ok, rows, 0)
        h = np.where(ok, years - np.where(ok, self._last[rr], 0), 0)
        ok &= (h >= 1) & (h <= np.where(ok, self._hs[rr], 0)) & ~np.isnan(thr)
        if not ok.any():
            return out
        r, hh = rr[ok], h[ok].astype(int)
        cc = comp[ok]
        strict = (cc == ">") | (cc == "<=")  # '<=' is the complement of '>'
        c = cut_off(thr[ok], strict, self._code[r], self._lo[r], self._hi[r])
        zq = self._zq(r, hh)
        L = self._levels
        F = np.array([np.interp(c[i], zq[i], L, left=0.0, right=1.0) for i in range(len(r))])
        F = self._recal.apply(F, self._mid(r, hh))  # the calibrated CDF R(F)
        upper = 1.0 - F  # P(z >= c) for >=, >
        out[ok] = np.where((cc == ">=") | (cc == ">"), upper, F)
        return out

    def quantiles_many(self, series_ids: Sequence[Any], years: Sequence[int] | np.ndarray,
                       levels: Sequence[float]) -> np.ndarray:
        """Exact predictive quantiles, shape (len(series_ids), len(levels)), natural scale; a
        row of NaN where the series has no forecast or the year is not a forecast year."""
        m = len(series_ids)
        years = np.asarray(years, float).reshape(m)
        rows = np.array([self._fid.get(s, -1) for s in series_ids], int)
        out = np.full((m, len(levels)), np.nan)
        ok = rows >= 0
        rr = np.where(ok, rows, 0)
        h = np.where(ok, years - np.where(ok, self._last[rr], 0), 0)
        ok &= (h >= 1) & (h <= np.where(ok, self._hs[rr], 0))
        if ok.any():
            out[ok] = self._quantiles(rr[ok], h[ok].astype(int), np.asarray(levels, float))
        return out

    def prob(self, series_id: Any, year: int, comparator: str, threshold: float) -> float:
        """P(Y_year <comparator> threshold), comparator in {'>=', '>', '<=', '<'}; NaN if the
        series has no forecast for that year."""
        return float(self.prob_many([series_id], [year], [comparator], [threshold])[0])


def forecast(history: pd.DataFrame, horizon: int | None = None, *, to_year: int | None = None,
             n_samples: int = 2000, seed: int = 0) -> Forecast:
    """Forecast every series of a long frame.

    history: columns series_id, year (int), value (float; NaN = missing year), optional kind,
    lower, upper (constant within a series). Exactly one of ``horizon`` (years ahead of each
    series' own last observed year, >= 1) or ``to_year`` (forecast every series up to that
    calendar year). Duplicate (series_id, year) rows raise ValueError naming both. See the module
    docstring for kinds, bounds, thin-data rules and the method.
    """
    if (horizon is None) == (to_year is None):
        raise ValueError("give exactly one of horizon or to_year")
    if horizon is not None and (int(horizon) != horizon or horizon < 1):
        raise ValueError(f"horizon must be a positive integer, got {horizon!r}")
    if n_samples < 1:
        raise ValueError("n_samples must be >= 1")
    info = prepare(history)
    return Forecast(info, None if horizon is None else int(horizon),
                    None if to_year is None else int(to_year), n_samples, seed)


def forecast_table(history: pd.DataFrame, horizon: int, levels: Sequence[float],
                   level_names: Sequence[str] | None = None) -> pd.DataFrame:
    """What ``dx forecast --input LONG.csv --horizon H --quantiles 0.1,0.5,0.9`` writes: columns
    series_id, year, h, point, q_<level as written>..., note (one NaN row with a note for series
    that cannot be forecast). Extra input columns other than kind/lower/upper are ignored."""
    levels = [float(x) for x in levels]
    written = [str(x) for x in levels] if level_names is None else [str(x) for x in level_names]
    keep = [c for c in ("series_id", "year", "value", "kind", "lower", "upper")
            if c in history.columns]
    fc = forecast(history[keep], horizon)
    return fc.quantile_frame(levels, [f"q_{w}" for w in written])
