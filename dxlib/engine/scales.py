"""Transformed scales of the forecasts (``z``) by kind: natural value <-> z and threshold cut-offs.

Codes: ``T_LOG`` (level, ``log y``), ``T_LOG1P`` (count), ``T_LOGIT`` (share and index between
``lower`` and ``upper``, with point masses at the bounds, see :data:`BOUND_TOL`), ``T_RANK``
(``logit((r - 0.5) / N)``), ``T_RAW`` (no transform). All functions are element-wise over numpy
arrays of one shape (``from_z`` broadcasts ``code, lo, hi`` against ``z``).
"""

from __future__ import annotations

import numpy as np

#: a value within BOUND_TOL * (upper - lower) of a bound counts as AT the bound
BOUND_TOL = 0.005

T_LOG, T_LOG1P, T_LOGIT, T_RANK, T_RAW = 0, 1, 2, 3, 4
TNAME = {T_LOG: "log", T_LOG1P: "log1p", T_LOGIT: "logit", T_RANK: "logit", T_RAW: "raw"}


def logit(p: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)), element-wise."""
    return np.log(p) - np.log1p(-p)


def expit(z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)), element-wise (tanh form: no overflow)."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def to_z(y: np.ndarray, code: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Natural -> transformed scale, element-wise (all arrays same shape)."""
    z = np.array(y, float)
    m = code == T_LOG
    z[m] = np.log(y[m])
    m = code == T_LOG1P
    z[m] = np.log1p(y[m])
    m = code == T_LOGIT
    p = (y[m] - lo[m]) / (hi[m] - lo[m])
    p = np.where(p <= BOUND_TOL, BOUND_TOL / 2, np.where(p >= 1 - BOUND_TOL, 1 - BOUND_TOL / 2, p))
    z[m] = logit(p)
    m = code == T_RANK
    z[m] = logit((y[m] - 0.5) / hi[m])
    return z


def from_z(z: np.ndarray, code: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Transformed -> natural scale with snapping/clipping; code, lo, hi broadcast against z."""
    code, lo, hi = (np.broadcast_to(a, z.shape) for a in (code, lo, hi))
    y = np.array(z, float)
    m = code == T_LOG
    y[m] = np.exp(z[m])
    m = code == T_LOG1P
    y[m] = np.maximum(np.expm1(z[m]), 0.0)
    m = code == T_LOGIT
    p = expit(z[m])
    p = np.where(p <= BOUND_TOL, 0.0, np.where(p >= 1 - BOUND_TOL, 1.0, p))
    y[m] = lo[m] + p * (hi[m] - lo[m])
    m = code == T_RANK
    y[m] = np.clip(hi[m] * expit(z[m]) + 0.5, 1.0, hi[m])
    return y


def cut_off(thr: np.ndarray, strict: np.ndarray, code: np.ndarray, lo: np.ndarray,
         hi: np.ndarray) -> np.ndarray:
    """z cut-off c with P(Y >= thr) = P(z >= c) (strict=False) or P(Y > thr) = P(z > c)."""
    thr = np.asarray(thr, float)
    c = np.array(thr, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = code == T_LOG
        c[m] = np.where(thr[m] > 0, np.log(np.where(thr[m] > 0, thr[m], 1.0)), -np.inf)
        m = code == T_LOG1P
        t = thr[m]
        neg = np.where(strict[m], t < 0, t <= 0)
        c[m] = np.where(neg, -np.inf, np.log1p(np.maximum(t, 0.0)))
        m = code == T_LOGIT
        p = (thr[m] - lo[m]) / (hi[m] - lo[m])
        s = strict[m]
        below = np.where(s, p < 0, p <= 0)
        above = np.where(s, p >= 1, p > 1)
        pc = np.clip(p, BOUND_TOL, 1 - BOUND_TOL)
        c[m] = np.where(below, -np.inf, np.where(above, np.inf, logit(pc)))
        m = code == T_RANK
        t, n_, s = thr[m], hi[m], strict[m]
        below = np.where(s, t < 1, t <= 1)
        above = np.where(s, t >= n_, t > n_)
        pc = np.clip((t - 0.5) / n_, 0.5 / n_, (n_ - 0.5) / n_)
        c[m] = np.where(below, -np.inf, np.where(above, np.inf, logit(pc)))
    return c


def resolution_floor(z_last: np.ndarray, resolution: float) -> np.ndarray:
    """Floor of a share's own scale on the logit scale from its publication resolution: one
    step ``resolution`` (a fraction of the bound, e.g. 0.001 for 0.1 pp of 100) at the last
    value ``p = expit(z_last)`` is ``resolution / (p (1 - p))`` logit units. Element-wise;
    (n,) -> (n,)."""
    p = expit(np.asarray(z_last, float))
    return resolution / (p * (1.0 - p))
