"""The point forecast on the transformed scale: an equal-weight mean of naive, damped drift and
Theta for 3+ points, a strongly damped drift for 2 points; vectorised over many series.

The constants (damping, member weights) belong to a reference class and are stored with its error
profile (:mod:`dxlib.profiles`); the defaults below are those of the ``level`` class, chosen on
rolling origins inside the M3 training parts only (``benchmarks/README.md``).
"""

from __future__ import annotations

import numpy as np

PHI = 0.8
PHI_TWO = 0.3
WEIGHTS = {"naive": 1.0, "ddrift": 1.0, "theta": 1.0}
_ALPHAS = np.linspace(0.05, 1.0, 20)


def method_name(weights: dict[str, float], phi: float, scale: str) -> str:
    """Words for a method: ``mean(naive, damped drift, theta) on log scale``; a member of weight
    0 is left out, and an undamped drift (phi = 1) is called ``drift``."""
    words = {"naive": "naive", "ddrift": "damped drift" if phi < 1 else "drift", "theta": "theta"}
    members = [words[k] for k in ("naive", "ddrift", "theta") if weights.get(k, 0) > 0]
    return f"mean({', '.join(members)}) on {scale} scale"


def describe(n_obs: int, h: int, last: int, to_year: int | None, meth: dict,
             scale: str) -> tuple[str, str | None]:
    """The method (``"none"`` when there is no forecast) and the note of one series with
    ``n_obs`` observed points, ``h`` years to forecast after its ``last`` year (``to_year`` if
    given), under the class's method constants ``meth``, on the transformed ``scale``."""
    if n_obs == 0:
        return "none", "no observations: no forecast"
    if n_obs == 1:
        return "none", "one observation: no trend, no forecast"
    if h < 1:
        return "none", f"last observation {last} is not before to_year {to_year}"
    if n_obs == 2:
        return (f"damped drift (phi {meth['phi_two']}) on {scale} scale",
                "two observations: drift only, wide pooled intervals")
    return (method_name(meth["weights"], meth["phi"], scale),
            "three observations: wide pooled intervals" if n_obs == 3 else None)


def point_engine(Z: np.ndarray, H: int, phi: float = PHI, phi_two: float = PHI_TWO,
                 weights: dict[str, float] | None = None,
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Point forecasts on the transformed scale for many series at once.

    Z: (S, G) annual grid, right-aligned (column G-1 = each series' last observed year, observed
    for every row), NaN = year not observed; needs >= 2 observations per row.
    ``phi`` damps the drift member (``phi ** i`` in year i), ``phi_two`` the 2-point drift;
    ``weights`` of the members ``naive``, ``ddrift``, ``theta`` (default :data:`WEIGHTS`).
    Returns zhat (S, H) for h = 1..H years ahead, the raw scale s (S,) (mean |dz|/sqrt(dyear),
    not floored), n_obs (S,) and the direction (S,): the sign (-1, 0, +1) of the slope first ->
    last point, which orients the error profile of a direction-aware reference class.
    """
    weights = WEIGHTS if weights is None else weights
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
    ddrift = z_last[:, None] + drift[:, None] * np.cumsum(phi ** h.astype(float), axis=1)
    naive = np.repeat(z_last[:, None], H, 1)
    comps = {"naive": naive, "ddrift": ddrift, "theta": theta}
    zhat = sum(weights[k] * comps[k] for k in weights) / sum(weights.values())
    two = n == 2
    if two.any():
        d2 = z_last[:, None] + drift[:, None] * np.cumsum(phi_two ** h.astype(float), axis=1)
        zhat = np.where(two[:, None], d2, zhat)
    # own scale: mean |dz| / sqrt(gap) over consecutive observed pairs
    idx = np.maximum.accumulate(np.where(M, cols[None, :], -1), axis=1)
    prev = np.concatenate([np.full((S, 1), -1), idx[:, :-1]], 1)
    has_prev = M & (prev >= 0)
    prev_val = np.take_along_axis(Z, np.maximum(prev, 0), 1)
    gap = np.maximum(cols[None, :] - prev, 1)
    d = np.where(has_prev, np.abs(Z - prev_val) / np.sqrt(gap), 0.0)
    scale = d.sum(1) / np.maximum(has_prev.sum(1), 1)
    return zhat, scale, n, np.sign(drift)
