"""Recalibration of predictive CDFs (Kuleshov, Fenner & Ermon 2018, "Accurate uncertainties for
deep learning using calibrated regression"): a monotone map ``R`` of probability integral
transform (PIT) values, learned per reference class, horizon and history-length bucket from
pseudo-out-of-sample forecasts inside the class's TRAINING data only
(``benchmarks/build_error_profile.py``), and stored as a knot table in the class's profile.

With the raw predictive CDF ``F`` of a series, the calibrated one is ``G(y) = R(F(y))``:

* probabilities ``P(Y <= t) = R(F(t))``, ``P(Y >= t) = 1 - R(F(t))``;
* quantiles ``G^{-1}(q) = F^{-1}(R^{-1}(q))``;
* sample paths: a latent uniform ``U`` (the copula draw) becomes ``F^{-1}(R^{-1}(U))``, so every
  sample's marginal is the calibrated one and growth, year-on-year and ratio events computed from
  the samples use the same map (the dependence across years is the copula's, unchanged).

``R`` is piecewise linear between its knots ``(u_j, R_j)`` with ``u_0 = R_0 = 0``,
``u_J = R_J = 1`` and strictly increasing ``R_j`` (so ``R^{-1}`` exists and point masses at the
bounds of a share stay where they are). A class without a table uses the identity.

Table layout (the profile's ``recalibration`` entry): ``knots`` (J,), ``n_edges`` (Bm,) lower
edges of the history-length buckets (number of observed points), ``horizons`` Hm (horizons beyond
Hm use the map of Hm), ``values`` (Bm, Hm, J), plus ``n_cases`` and ``provenance``. With
``by_direction: true``, ``values`` is (2, Bm, Hm, J): the maps of series that are not rising
(falling or flat trend) and of rising ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: weight of the identity mixed into every learned map, so that R is strictly increasing
IDENTITY_MIX = 0.01


def pit_map(pit: np.ndarray, knots: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """The knot values ``R_j`` of a recalibration map from PIT values ``pit`` (n,) in [0, 1]:
    the (weighted) empirical CDF of the PITs at the knots, mixed with the identity by
    :data:`IDENTITY_MIX`; ``R_0 = 0`` and ``R_J = 1`` exactly. Returns (J,)."""
    pit = np.asarray(pit, float)
    w = np.ones_like(pit) if weights is None else np.asarray(weights, float)
    o = np.argsort(pit)
    cw = np.concatenate([[0.0], np.cumsum(w[o])]) / w.sum()
    ecdf = cw[np.searchsorted(pit[o], knots, side="right")]
    r = (1 - IDENTITY_MIX) * ecdf + IDENTITY_MIX * knots
    r[0], r[-1] = 0.0, 1.0
    return r


class Recalibration:
    """The recalibration maps of several reference classes, indexed by a map id per case.

    ``tables``: one profile ``recalibration`` dict (see the module docstring) or None (identity)
    per class, in class order. Map id 0 is the identity."""

    def __init__(self, tables: list[dict[str, Any] | None]) -> None:
        self.knots = np.linspace(0.0, 1.0, 2)
        knots = [np.asarray(t["knots"], float) for t in tables if t]
        if knots:
            self.knots = knots[0]
            if any(len(k) != len(self.knots) or not np.allclose(k, self.knots) for k in knots):
                raise ValueError("the recalibration tables do not share one knot grid")
        rows = [self.knots]  # id 0: identity
        self._first: list[int] = []
        self._shape: list[tuple[np.ndarray, int, int]] = []
        for t in tables:
            self._first.append(len(rows))
            if not t:
                self._shape.append((np.array([0]), 1, 0))
                continue
            v = np.asarray(t["values"], float)  # (Bm, Hm, J) or by direction (2, Bm, Hm, J)
            bm = len(t["n_edges"])
            want = ((2, bm) if t.get("by_direction") else (bm,)) + (len(self.knots),)
            if v.ndim != len(want) + 1 or v.shape[:-2] + v.shape[-1:] != want:
                raise ValueError(f"recalibration values of shape {v.shape}; expected (Bm, Hm, J)"
                                 ", or (2, Bm, Hm, J) with by_direction (Bm: n_edges, J: knots)")
            if (np.diff(v, axis=-1) <= 0).any() or not np.allclose(v[..., [0, -1]], [0, 1]):
                raise ValueError("a recalibration map must rise strictly from 0 to 1")
            self._shape.append((np.asarray(t["n_edges"], int), v.shape[-2],
                                2 if t.get("by_direction") else 1))
            rows.extend(v.reshape(-1, v.shape[-1]))
        self.values = np.array(rows)  # (M, J)

    def map_ids(self, cls: np.ndarray, n_obs: np.ndarray, h: np.ndarray,
                rising: np.ndarray | bool = False) -> np.ndarray:
        """The map id of each case: class index ``cls``, number of observed points ``n_obs``,
        horizon ``h``, whether the series' trend is rising (read by tables ``by_direction``
        only); arrays of one shape (broadcast)."""
        cls, n_obs, h, up = np.broadcast_arrays(np.asarray(cls, int), np.asarray(n_obs, int),
                                                np.asarray(h, int), np.asarray(rising, bool))
        out = np.zeros(cls.shape, int)
        for c, (edges, hm, groups) in enumerate(self._shape):
            m = cls == c
            if not groups or not m.any():
                continue
            b = np.clip(np.searchsorted(edges, n_obs[m], side="right") - 1, 0, len(edges) - 1)
            group = up[m].astype(int) if groups == 2 else 0
            out[m] = self._first[c] + (group * len(edges) + b) * hm + np.clip(h[m], 1, hm) - 1
        return out

    def _each(self, x: np.ndarray, ids: np.ndarray, forward: bool) -> np.ndarray:
        x, ids = np.broadcast_arrays(np.asarray(x, float), np.asarray(ids, int))
        out = np.array(x, float)
        for i in np.unique(ids):
            if i == 0:
                continue
            m = ids == i
            xp, fp = (self.knots, self.values[i]) if forward else (self.values[i], self.knots)
            out[m] = np.interp(x[m], xp, fp)
        return out

    def apply(self, p: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """``R(p)``: raw CDF values -> calibrated, element-wise with map ids (broadcast)."""
        return self._each(p, ids, True)

    def invert(self, q: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """``R^{-1}(q)``: calibrated levels -> raw levels, element-wise (broadcast)."""
        return self._each(q, ids, False)
