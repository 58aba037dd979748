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

Predictive distribution
-----------------------
``z_{T+h} = zhat_h + s * e_h`` where ``s`` is the series' own scale on the ``z`` scale (mean of
``|dz| / sqrt(dyear)`` over consecutive observations, floored: 0.01 on log scales, 0.04 on logit
scales, 1 % of mean |y| on the raw scale) and ``e_h`` follows an empirical profile of scaled
errors by horizon h (1..10; further horizons scale the h = 10 quantiles by h / 10) and
history-length bucket. The profile (``dxlib/profiles/error_profile.json``, built by
``benchmarks/build_error_profile.py``) was learned from rolling forecast origins inside the
TRAINING parts of the 645 M3 yearly series only. The point forecast is the predictive median
(which includes the profile's median error, a learned bias correction).
Quantiles and probabilities are computed exactly from the profile (no Monte Carlo). Sample paths
(``paths``) join the marginals with a Gaussian copula whose latent is
``w * Z0 + sqrt(1 - w^2) * B_h / sqrt(h)`` (``Z0`` a common shock = trend uncertainty, ``B`` a
Brownian motion = random-walk accumulation), ``w`` fitted to the rank correlations of rolling-
origin errors across horizons; so year-on-year growth and multi-year averages from a path have
realistic spread. Paths are seeded per series from ``(seed, crc32(series_id))``: identical inputs
and seed give identical output, and a series' paths do not depend on the other series.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from dxlib.model import KINDS  # one definition, shared with the data loaders

BOUND_TOL = 0.005
COMPARATORS = (">=", ">", "<=", "<")

#: Method constants, tuned on rolling origins inside the M3 training parts only.
PHI = 0.8
PHI_TWO = 0.3
WEIGHTS = {"naive": 1.0, "ddrift": 1.0, "theta": 1.0}
_ALPHAS = np.linspace(0.05, 1.0, 20)
#: floors of the own scale s on each transformed scale (judgement, see benchmarks/README.md)
SCALE_FLOOR = {"log": 0.01, "log1p": 0.01, "logit": 0.04}

# internal transform codes
_T_LOG, _T_LOG1P, _T_LOGIT, _T_RANK, _T_RAW = 0, 1, 2, 3, 4
_TNAME = {_T_LOG: "log", _T_LOG1P: "log1p", _T_LOGIT: "logit", _T_RANK: "logit", _T_RAW: "raw"}


# --------------------------------------------------------------------------- profile
@lru_cache(maxsize=1)
def load_profile() -> dict[str, Any]:
    """The shipped error profile: levels (K,), n_edges (B,), quantiles (B, H, K), copula_w."""
    text = resources.files("dxlib.profiles").joinpath("error_profile.json").read_text("utf-8")
    prof = json.loads(text)
    prof["levels"] = np.asarray(prof["levels"], float)
    prof["quantiles"] = np.asarray(prof["quantiles"], float)
    prof["n_edges"] = np.asarray(prof["n_edges"], int)
    return prof


def _bucket(n: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """History-length bucket index for n observations (edges = lower edges, ascending)."""
    return np.clip(np.searchsorted(edges, n, side="right") - 1, 0, len(edges) - 1)


# --------------------------------------------------------------------------- engine
def point_engine(Z: np.ndarray, H: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point forecasts on the transformed scale for many series at once.

    Z: (S, G) annual grid, right-aligned (column G-1 = each series' last observed year, observed
    for every row), NaN = year not observed; needs >= 2 observations per row.
    Returns zhat (S, H) for h = 1..H years ahead, the raw scale s (S,) (mean |dz|/sqrt(dyear),
    not floored) and n_obs (S,).
    """
    S, G = Z.shape
    M = ~np.isnan(Z)
    n = M.sum(1)
    cols = np.arange(G)
    rows = np.arange(S)
    f = M.argmax(1)
    z_last = Z[:, -1]
    z_first = Z[rows, f]
    span = np.maximum(G - 1 - f, 1).astype(float)
    drift = (z_last - z_first) / span
    Zf = np.where(M, Z, 0.0)
    tbar = np.where(M, cols, 0).sum(1) / n
    zbar = Zf.sum(1) / n
    dt = np.where(M, cols - tbar[:, None], 0.0)
    sxx = (dt**2).sum(1)
    slope = (dt * (Zf - zbar[:, None])).sum(1) / np.where(sxx > 0, sxx, 1.0)
    # SES on observed points with an alpha grid (missing years: no update)
    A = _ALPHAS[None, :]
    lev = np.repeat(z_first[:, None], len(_ALPHAS), 1)
    sse = np.zeros_like(lev)
    for j in range(1, G):
        obs = M[:, j] & (j > f)
        if not obs.any():
            continue
        e = np.where(obs[:, None], Z[:, j, None] - lev, 0.0)
        sse += e**2
        lev += A * e
    best = sse.argmin(1)
    alpha = _ALPHAS[best][:, None]
    ses = lev[rows, best]
    h = np.arange(1, H + 1)[None, :]
    corr = h - 1 + 1 / alpha - (1 - alpha) ** n[:, None] / alpha
    theta = ses[:, None] + slope[:, None] / 2 * corr
    ddrift = z_last[:, None] + drift[:, None] * np.cumsum(PHI ** h.astype(float), axis=1)
    naive = np.repeat(z_last[:, None], H, 1)
    comps = {"naive": naive, "ddrift": ddrift, "theta": theta}
    zhat = sum(WEIGHTS[k] * comps[k] for k in WEIGHTS) / sum(WEIGHTS.values())
    two = n == 2
    if two.any():
        d2 = z_last[:, None] + drift[:, None] * np.cumsum(PHI_TWO ** h.astype(float), axis=1)
        zhat = np.where(two[:, None], d2, zhat)
    # own scale: mean |dz| / sqrt(gap) over consecutive observed pairs
    idx = np.maximum.accumulate(np.where(M, cols[None, :], -1), axis=1)
    prev = np.concatenate([np.full((S, 1), -1), idx[:, :-1]], 1)
    has_prev = M & (prev >= 0)
    prev_val = np.take_along_axis(Z, np.maximum(prev, 0), 1)
    gap = np.maximum(cols[None, :] - prev, 1)
    d = np.where(has_prev, np.abs(Z - prev_val) / np.sqrt(gap), 0.0)
    scale = d.sum(1) / np.maximum(has_prev.sum(1), 1)
    return zhat, scale, n


# --------------------------------------------------------------------------- transforms
def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)


def _expit(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _to_z(y: np.ndarray, code: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Natural -> transformed scale, element-wise (all arrays same shape)."""
    z = np.array(y, float)
    m = code == _T_LOG
    z[m] = np.log(y[m])
    m = code == _T_LOG1P
    z[m] = np.log1p(y[m])
    m = code == _T_LOGIT
    p = (y[m] - lo[m]) / (hi[m] - lo[m])
    p = np.where(p <= BOUND_TOL, BOUND_TOL / 2, np.where(p >= 1 - BOUND_TOL, 1 - BOUND_TOL / 2, p))
    z[m] = _logit(p)
    m = code == _T_RANK
    z[m] = _logit((y[m] - 0.5) / hi[m])
    return z


def _from_z(z: np.ndarray, code: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Transformed -> natural scale with snapping/clipping; code, lo, hi broadcast against z."""
    code, lo, hi = (np.broadcast_to(a, z.shape) for a in (code, lo, hi))
    y = np.array(z, float)
    m = code == _T_LOG
    y[m] = np.exp(z[m])
    m = code == _T_LOG1P
    y[m] = np.maximum(np.expm1(z[m]), 0.0)
    m = code == _T_LOGIT
    p = _expit(z[m])
    p = np.where(p <= BOUND_TOL, 0.0, np.where(p >= 1 - BOUND_TOL, 1.0, p))
    y[m] = lo[m] + p * (hi[m] - lo[m])
    m = code == _T_RANK
    y[m] = np.clip(hi[m] * _expit(z[m]) + 0.5, 1.0, hi[m])
    return y


def _cut(thr: np.ndarray, strict: np.ndarray, code: np.ndarray, lo: np.ndarray,
         hi: np.ndarray) -> np.ndarray:
    """z cut-off c with P(Y >= thr) = P(z >= c) (strict=False) or P(Y > thr) = P(z > c)."""
    thr = np.asarray(thr, float)
    c = np.array(thr, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = code == _T_LOG
        c[m] = np.where(thr[m] > 0, np.log(np.where(thr[m] > 0, thr[m], 1.0)), -np.inf)
        m = code == _T_LOG1P
        t = thr[m]
        neg = np.where(strict[m], t < 0, t <= 0)
        c[m] = np.where(neg, -np.inf, np.log1p(np.maximum(t, 0.0)))
        m = code == _T_LOGIT
        p = (thr[m] - lo[m]) / (hi[m] - lo[m])
        s = strict[m]
        below = np.where(s, p < 0, p <= 0)
        above = np.where(s, p >= 1, p > 1)
        pc = np.clip(p, BOUND_TOL, 1 - BOUND_TOL)
        c[m] = np.where(below, -np.inf, np.where(above, np.inf, _logit(pc)))
        m = code == _T_RANK
        t, n_, s = thr[m], hi[m], strict[m]
        below = np.where(s, t < 1, t <= 1)
        above = np.where(s, t >= n_, t > n_)
        pc = np.clip((t - 0.5) / n_, 0.5 / n_, (n_ - 0.5) / n_)
        c[m] = np.where(below, -np.inf, np.where(above, np.inf, _logit(pc)))
    return c


# --------------------------------------------------------------------------- input
def _series_attr(df: pd.DataFrame, col: str, codes: np.ndarray, ids: np.ndarray) -> list[Any]:
    """Per-series constant value of an optional column (None when absent/empty)."""
    out: list[Any] = [None] * len(ids)
    if col not in df.columns:
        return out
    sub = pd.DataFrame({"c": codes, "v": df[col].to_numpy()}).dropna()
    for c, vals in sub.groupby("c")["v"]:
        u = pd.unique(vals)
        if len(u) > 1:
            raise ValueError(f"series {ids[c]!r}: column '{col}' is not constant ({list(u)})")
        out[c] = u[0]
    return out


def _prepare(history: pd.DataFrame) -> dict[str, Any]:
    """Validate the long frame and return per-series arrays and the observations."""
    missing = [c for c in ("series_id", "year", "value") if c not in history.columns]
    if missing:
        raise ValueError(f"history lacks column(s) {missing}; needs series_id, year, value")
    df = history.reset_index(drop=True)
    years = pd.to_numeric(df["year"], errors="coerce").to_numpy(float)
    if np.isnan(years).any() or (years != np.round(years)).any():
        bad = df.loc[np.isnan(years) | (years != np.round(years)), ["series_id", "year"]].iloc[0]
        raise ValueError(f"series {bad['series_id']!r}: year {bad['year']!r} is not an integer")
    codes, ids = pd.factorize(df["series_id"], sort=True)
    ids = np.asarray(ids, dtype=object)
    dup = pd.DataFrame({"c": codes, "y": years}).duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise ValueError(f"series {ids[codes[i]]!r}: year {int(years[i])} appears more than once")
    values = pd.to_numeric(df["value"], errors="coerce").to_numpy(float)
    kinds = _series_attr(df, "kind", codes, ids)
    lowers = _series_attr(df, "lower", codes, ids)
    uppers = _series_attr(df, "upper", codes, ids)
    ok = ~np.isnan(values)
    S = len(ids)
    n_obs = np.bincount(codes[ok], minlength=S)
    yr = years.astype(np.int64)
    first = np.full(S, np.iinfo(np.int64).max)
    last = np.full(S, np.iinfo(np.int64).min)
    np.minimum.at(first, codes[ok], yr[ok])
    np.maximum.at(last, codes[ok], yr[ok])
    vmin = np.full(S, np.inf)
    vmax = np.full(S, -np.inf)
    np.minimum.at(vmin, codes[ok], values[ok])
    np.maximum.at(vmax, codes[ok], values[ok])
    code = np.full(S, _T_RAW)
    lo = np.full(S, np.nan)
    hi = np.full(S, np.nan)
    kind_out: list[str] = []
    for i in range(S):
        k = kinds[i]
        k = None if k is None or (isinstance(k, str) and not k.strip()) else str(k).strip()
        if k is not None and k not in KINDS:
            raise ValueError(f"series {ids[i]!r}: kind {k!r} is not one of {KINDS}")
        lw = None if lowers[i] is None else float(lowers[i])
        up = None if uppers[i] is None else float(uppers[i])
        if k in ("share", "index"):
            lw = 0.0 if lw is None else lw
            up = 100.0 if up is None else up
            if not up > lw:
                raise ValueError(f"series {ids[i]!r}: upper {up} must exceed lower {lw}")
            if n_obs[i] and (vmin[i] < lw or vmax[i] > up):
                raise ValueError(
                    f"series {ids[i]!r}: values outside the bounds [{lw:g}, {up:g}] of a {k}")
            code[i] = _T_LOGIT
        elif k == "rank":
            if up is None:
                raise ValueError(f"series {ids[i]!r}: a rank needs 'upper' = number of units N")
            lw = 1.0
            if n_obs[i] and (vmin[i] < 1 or vmax[i] > up):
                raise ValueError(f"series {ids[i]!r}: ranks outside [1, {up:g}]")
            code[i] = _T_RANK
        elif k == "count":
            if n_obs[i] and vmin[i] < 0:
                raise ValueError(f"series {ids[i]!r}: negative value in a count")
            code[i] = _T_LOG1P
        else:  # level or inferred
            k = "level"
            code[i] = _T_LOG if (n_obs[i] == 0 or vmin[i] > 0) else _T_RAW
        lo[i] = np.nan if lw is None else lw
        hi[i] = np.nan if up is None else up
        kind_out.append(k)
    return {"ids": ids, "codes": codes[ok], "years": yr[ok], "values": values[ok],
            "n_obs": n_obs, "first": first, "last": last, "code": code, "lo": lo, "hi": hi,
            "kind": kind_out}


# --------------------------------------------------------------------------- Forecast
class Forecast:
    """Predictive distributions of many annual series (build with :func:`forecast`).

    Attributes: ``series`` (DataFrame indexed by series_id: kind, lower, upper, n_obs,
    first_year, last_year, last_value, method, note), ``n_samples``, ``seed``, ``horizon``,
    ``to_year``. Internal arrays cover the forecastable series only (``_fid`` -> row).
    """

    def __init__(self, info: dict[str, Any], horizon: int | None, to_year: int | None,
                 n_samples: int, seed: int) -> None:
        self.n_samples = int(n_samples)
        self.seed = int(seed)
        self.horizon = horizon
        self.to_year = to_year
        self._prof = load_profile()
        ids, n_obs = info["ids"], info["n_obs"]
        S = len(ids)
        last_value = np.full(S, np.nan)
        ok = info["years"] == info["last"][info["codes"]]
        last_value[info["codes"][ok]] = info["values"][ok]
        if horizon is not None:
            hs = np.full(S, int(horizon))
        else:
            hs = np.where(n_obs > 0, int(to_year) - info["last"], 0)  # type: ignore[arg-type]
        notes: list[str | None] = [None] * S
        methods: list[str] = [""] * S
        can = np.zeros(S, bool)
        for i in range(S):
            scale = _TNAME[int(info["code"][i])]
            if n_obs[i] == 0:
                notes[i], methods[i] = "no observations: no forecast", "none"
            elif n_obs[i] == 1:
                notes[i], methods[i] = "one observation: no trend, no forecast", "none"
            elif hs[i] < 1:
                notes[i] = f"last observation {info['last'][i]} is not before to_year {to_year}"
                methods[i] = "none"
            else:
                can[i] = True
                if n_obs[i] == 2:
                    methods[i] = f"damped drift (phi {PHI_TWO}) on {scale} scale"
                    notes[i] = "two observations: drift only, wide pooled intervals"
                else:
                    methods[i] = f"mean(naive, damped drift, theta) on {scale} scale"
                    if n_obs[i] == 3:
                        notes[i] = "three observations: wide pooled intervals"
        first = np.where(n_obs > 0, info["first"], -1)
        last = np.where(n_obs > 0, info["last"], -1)
        self.series = pd.DataFrame(
            {"kind": info["kind"], "lower": info["lo"], "upper": info["hi"], "n_obs": n_obs,
             "first_year": pd.array(np.where(n_obs > 0, first, 0), dtype="Int64"),
             "last_year": pd.array(np.where(n_obs > 0, last, 0), dtype="Int64"),
             "last_value": last_value, "method": methods, "note": notes},
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
        H = int(self._hs.max()) if len(fidx) else 0
        self._H = H
        if len(fidx):
            sel = can[info["codes"]]
            c = info["codes"][sel]
            row = np.searchsorted(fidx, c)
            span = int((info["last"][fidx] - info["first"][fidx]).max()) + 1
            col = span - 1 - (info["last"][c] - info["years"][sel])
            z = _to_z(info["values"][sel], info["code"][c], info["lo"][c], info["hi"][c])
            Z = np.full((len(fidx), span), np.nan)
            Z[row, col] = z
            zhat, scale, nn = point_engine(Z, H)
            floor = np.array([SCALE_FLOOR.get(_TNAME[int(k)], 0.0) for k in self._code])
            raw = self._code == _T_RAW
            if raw.any():
                mabs = np.nanmean(np.abs(np.where(np.isnan(Z), np.nan, Z)), axis=1)
                floor[raw] = np.maximum(0.01 * mabs[raw], 1e-9)
            self._zhat = zhat
            self._scale = np.maximum(scale, floor)
            self._bucket = _bucket(nn, self._prof["n_edges"])
        else:
            self._zhat = np.zeros((0, 0))
            self._scale = np.zeros(0)
            self._bucket = np.zeros(0, int)

    # ---------------------------------------------------------------- internals
    def _qgrid(self, rows: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Scaled-error quantiles at the profile levels for (row, h) pairs -> (len(rows), K)."""
        Q = self._prof["quantiles"]
        Hp = Q.shape[1]
        hh = np.minimum(h, Hp)
        q = Q[self._bucket[rows], hh - 1, :]
        return q * np.maximum(h / Hp, 1.0)[:, None]

    def _zq(self, rows: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Transformed-scale quantiles at the profile levels, (len(rows), K)."""
        return self._zhat[rows, h - 1][:, None] + self._scale[rows][:, None] * self._qgrid(rows, h)

    def _quantiles(self, rows: np.ndarray, h: np.ndarray, levels: np.ndarray) -> np.ndarray:
        """Natural-scale quantiles (len(rows), len(levels)); levels clipped to [0, 1]."""
        L = self._prof["levels"]
        u = np.clip(np.asarray(levels, float), 0.0, 1.0)
        j = np.clip(np.searchsorted(L, u, side="right") - 1, 0, len(L) - 2)
        w = (u - L[j]) / (L[j + 1] - L[j])
        zq = self._zq(rows, h)
        z = zq[:, j] * (1 - w) + zq[:, j + 1] * w
        return _from_z(z, self._code[rows][:, None], self._lo[rows][:, None],
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
        w = float(self._prof["copula_w"])
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
        L = self._prof["levels"]
        zq = self._zq(np.full(len(h), r), h)  # (len(h), K)
        z = np.empty((self.n_samples, len(h)))
        for j, hj in enumerate(h):
            z[:, j] = np.interp(U[:, hj - 1], L, zq[j])
        return _from_z(z, self._code[r], self._lo[r], self._hi[r])

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
        c = _cut(thr[ok], strict, self._code[r], self._lo[r], self._hi[r])
        zq = self._zq(r, hh)
        L = self._prof["levels"]
        F = np.array([np.interp(c[i], zq[i], L, left=0.0, right=1.0) for i in range(len(r))])
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
    info = _prepare(history)
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
