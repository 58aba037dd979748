"""Era effect of a reference class (issue 10, round 3): the uncertainty of a shock common to all
series of one panel in one period, put into the stored scaled-error quantiles.

The rolling-origin errors of a profile (``build_error_profile.rolling_errors``) are grouped by
(file, calendar year of the origin) and horizon h. Each series (a country's run of one file)
counts once per group: its errors over the windows L are averaged. A one-way random-effect model
``v = mu_h + a_group + eps`` with ``Var(a_group) = tau_h^2`` is fitted by the method of moments
(as in DerSimonian & Laird 1986): ``tau_h^2 = max(0, Var(group means) - mean(within variance /
group size))`` over the groups with at least :data:`ERA_MIN_SERIES` series; ``tau_h`` is then
made non-decreasing in h (a horizon with fewer than :data:`ERA_MIN_GROUPS` groups takes the value
of the previous one). Two scales ``v`` of the error:

* ``"scaled"``: the scaled error itself (the profile's unit); the widened cell is the empirical
  distribution convolved with ``N(0, tau_h^2)`` (the profile's quantile function sampled at
  :data:`N_MID` levels plus ``tau_h`` times :data:`N_NODES` normal quantiles, equal weights);
* ``"probit"``: the normal score ``Phi^{-1}(F_cell(e))`` of each error under the pooled cell
  distribution ``F_cell`` (bounded, free of the heavy tails of the scaled errors); the widened
  cell adds ``N(0, tau_h^2)`` on that scale: level u of the new cell is level
  ``Phi(sqrt(1 + tau_h^2) Phi^{-1}(u))`` of the old one.

Every function is pure (arrays in, arrays out); the engine reads the widened profile unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

ERA_MIN_SERIES = 10
ERA_MIN_GROUPS = 3
N_MID = 1000
N_NODES = 100
PIT_CLIP = 0.005


def tails(q: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """Quantiles at the inner levels (..., K - 2) -> with the extrapolated tails at levels 0 and 1
    (..., K): ``q(0) = q(first) - 2 (q(0.01) - q(first))``, the same at the top with 0.99."""
    i01, i99 = inner.searchsorted(0.01), inner.searchsorted(0.99)
    lo = q[..., :1] - 2 * (q[..., i01:i01 + 1] - q[..., :1])
    hi = q[..., -1:] + 2 * (q[..., -1:] - q[..., i99:i99 + 1])
    return np.concatenate([lo, q, hi], axis=-1)


def probit_scores(err: pd.DataFrame, Q: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Normal scores ``Phi^{-1}(F_cell(e))`` (n,) of the errors (columns b, h, e) under the cell
    quantiles Q (B, H, K) at ``levels`` (K,); PITs clipped to [PIT_CLIP, 1 - PIT_CLIP]."""
    u = np.empty(len(err))
    b, h, e = err["b"].to_numpy(), err["h"].to_numpy(), err["e"].to_numpy()
    for bi, hi in set(zip(b.tolist(), h.tolist(), strict=True)):
        m = (b == bi) & (h == hi)
        u[m] = np.interp(e[m], Q[bi, hi - 1], levels)
    return norm.ppf(np.clip(u, PIT_CLIP, 1 - PIT_CLIP))


def era_tau(err: pd.DataFrame, v: np.ndarray, groups: list[tuple[str, int]], horizons: int,
            ) -> tuple[np.ndarray, list[int]]:
    """``tau_h`` (horizons,) of the random effect of (file, origin year) on the error scale ``v``
    (n,) of the errors ``err`` (columns sid, origin, h); ``groups[sid]`` = (file, first year of
    the series). Also the number of groups used per horizon."""
    f = pd.DataFrame({"file": [groups[s][0] for s in err["sid"]],
                      "year": np.array([groups[s][1] for s in err["sid"]]) + err["origin"],
                      "h": err["h"].to_numpy(), "sid": err["sid"].to_numpy(), "v": v})
    per = f.groupby(["file", "year", "h", "sid"])["v"].mean().reset_index()
    g = per.groupby(["h", "file", "year"])["v"].agg(["mean", "var", "size"]).reset_index()
    g = g[g["size"] >= ERA_MIN_SERIES]
    tau2 = np.full(horizons, np.nan)
    used = [0] * horizons
    for h, gh in g.groupby("h"):
        if h > horizons:
            continue
        used[h - 1] = len(gh)
        if len(gh) >= ERA_MIN_GROUPS:
            tau2[h - 1] = max(0.0, gh["mean"].var() - (gh["var"] / gh["size"]).mean())
    tau2 = pd.Series(tau2).ffill().fillna(0.0).to_numpy()
    return np.maximum.accumulate(np.sqrt(tau2)), used


def widen(Q: np.ndarray, levels: np.ndarray, tau: np.ndarray, scale: str) -> np.ndarray:
    """Cell quantiles Q (..., H, K) at ``levels`` (K,; 0 and 1 = extrapolated tails) widened by
    the era effect ``tau`` (H,) on ``scale`` ("scaled" or "probit"); tails re-extrapolated."""
    inner = levels[(levels > 0) & (levels < 1)]
    out = np.array(Q, float)
    mid = (np.arange(N_MID) + 0.5) / N_MID
    nodes = norm.ppf((np.arange(N_NODES) + 0.5) / N_NODES)
    pos = (np.arange(N_MID * N_NODES) + 0.5) / (N_MID * N_NODES)
    for h in range(Q.shape[-2]):
        if tau[h] <= 0:
            continue
        rows = Q[..., h, :].reshape(-1, Q.shape[-1])
        if scale == "probit":
            u = norm.cdf(np.sqrt(1 + tau[h] ** 2) * norm.ppf(inner))
            new = np.array([np.interp(u, levels, r) for r in rows])
        else:
            new = np.array([np.interp(inner, pos, np.sort(
                (np.interp(mid, levels, r)[:, None] + tau[h] * nodes[None, :]).ravel()))
                for r in rows])
        out[..., h, :] = tails(new, inner).reshape(Q[..., h, :].shape)
    return out


def widen_cdf(p: np.ndarray, tau: np.ndarray | float) -> np.ndarray:
    """The probit widening as a map of CDF values: ``Phi(Phi^{-1}(p) / sqrt(1 + tau^2))``
    (broadcast; 0 and 1 stay exact). ``F`` widened on the probit scale is ``widen_cdf(F)``."""
    with np.errstate(divide="ignore"):
        return norm.cdf(norm.ppf(np.asarray(p, float)) / np.sqrt(1 + np.asarray(tau) ** 2))


def widen_map(table: dict, tau: np.ndarray, horizons: int | None = None) -> dict:
    """A profile ``recalibration`` entry (values (Bm, Hm, J)) composed with the probit widening
    of horizon h (``tau[h - 1]``): ``R_h -> widen_cdf(R_h)``, the era uncertainty added after
    the map. With ``horizons`` H > Hm (at most ``len(tau)``) the table is first extended to H
    horizons with the map of Hm, so that horizons Hm+1..H get their own, wider ``tau_h``; beyond
    the table's last horizon the engine uses that one."""
    v = np.asarray(table["values"], float)  # (Bm, Hm, J) or by direction (2, Bm, Hm, J)
    n = np.asarray(table.get("n_cases", np.zeros(v.shape[:-1])), float)
    hm = v.shape[-2]
    if horizons is not None and min(horizons, len(tau)) > hm:
        extra = min(horizons, len(tau)) - hm
        v = np.concatenate([v, np.repeat(v[..., -1:, :], extra, axis=-2)], axis=-2)
        n = np.concatenate([n, np.repeat(n[..., -1:], extra, axis=-1)], axis=-1)
        hm = v.shape[-2]
    new = widen_cdf(v, np.asarray(tau, float)[:hm][:, None])
    return {**table, "values": np.round(new, 5).tolist(), "horizons": hm,
            "n_cases": n.astype(int).tolist()}
