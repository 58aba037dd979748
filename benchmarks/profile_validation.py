"""Training-only validation of the reference-class profiles (``build_error_profile.py
--validate``): probabilities of plan-like targets from a profile dict, their scores, the
level and share mirrors of the calibration benchmark and the candidate list (round 3 adds the
era-effect candidates, leave-era-out and with tau from all training years)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from build_error_profile import (  # noqa: E402
    D_GRID,
    FLOOR,
    G_GRID,
    N_EDGES,
    SHARE_FILES,
    SHARE_LAST_YEAR,
    build_from,
    grid,
    own_floor,
    panel,
    share_logit,
    share_runs,
)
from candidates import CANDIDATES, ERA_CANDIDATES  # noqa: E402

from dxlib.engine.methods import point_engine  # noqa: E402
from dxlib.engine.profiles import bias_rows, median_excess, oriented  # noqa: E402
from dxlib.engine.scales import T_LOGIT, cut_off  # noqa: E402


# ------------------------------------------------------------------ validation (training only)
def profile_rows(prof: dict, n: np.ndarray, h: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The scaled-error quantiles (cases, K) that the engine uses for each case."""
    Q = np.asarray(prof["quantiles"])
    bias = prof["method"]["bias"]
    b = np.clip(np.searchsorted(N_EDGES, n, side="right") - 1, 0, len(N_EDGES) - 1)
    part, orient = bias_rows(bias, d)
    return oriented(Q[part, b, h - 1] if bias == "split" else Q[b, h - 1], orient)


def zq_at(prof: dict, zhat: np.ndarray, s: np.ndarray, n: np.ndarray, d: np.ndarray,
          h: np.ndarray, u: float) -> np.ndarray:
    """The z-scale predictive quantile at level u per case."""
    k = int(np.argmin(np.abs(np.asarray(prof["levels"]) - u)))
    return zhat + s * profile_rows(prof, n, h, d)[:, k]


def probs_ge(prof: dict, zhat: np.ndarray, s: np.ndarray, n: np.ndarray, d: np.ndarray,
             h: np.ndarray, cut: np.ndarray) -> np.ndarray:
    """P(z >= cut) per case from a profile dict (cases: rows of zhat/s/n/d, horizon h)."""
    L = np.asarray(prof["levels"])
    zq = zhat[:, None] + s[:, None] * profile_rows(prof, n, h, d)
    return np.array([1 - np.interp(c, q, L, left=0.0, right=1.0) for c, q in zip(cut, zq,
                                                                                  strict=True)])


def capped_cdf(zq: np.ndarray, levels: np.ndarray, u_half: np.ndarray, zhat: np.ndarray,
               cut: np.ndarray) -> np.ndarray:
    """The raw CDF at ``cut`` (n,) of distributions with quantiles ``zq`` (n, K) at ``levels``,
    shifted down by :func:`dxlib.engine.profiles.median_excess` (``cap: non_rising``, round 9):
    the engine's location rule for a falling or flat series, ``u_half`` its ``R^{-1}(1/2)``."""
    shift = median_excess(zq, levels, np.asarray(u_half, float), zhat)
    return np.array([np.interp(c, q, levels, left=0.0, right=1.0)
                     for c, q in zip(cut + shift, zq, strict=True)])


def scores(p: np.ndarray, o: np.ndarray) -> dict[str, float]:
    """Brier, ECE (10 bins), at_risk band (0.3 <= p < 0.7) mean p and observed frequency;
    cases without a probability (NaN) left out."""
    ok = ~np.isnan(p)
    p, o = p[ok], o[ok]
    b = np.clip((p * 10).astype(int), 0, 9)
    t = pd.DataFrame({"b": b, "p": p, "o": o}).groupby("b").agg(n=("p", "size"), p=("p", "mean"),
                                                                 o=("o", "mean"))
    band = (p >= 0.3) & (p < 0.7)
    return {"brier": float(np.mean((p - o) ** 2)),
            "ece": float((t["n"] * (t["p"] - t["o"]).abs()).sum() / t["n"].sum()),
            "at_risk_p": float(p[band].mean()), "at_risk_obs": float(o[band].mean())}


def validate_level(series: list[np.ndarray], method: dict, hold: int = 6) -> dict[str, float]:
    """Profile from ``z[:-hold]``; level targets ``last (1 + g)^h`` on ``z[-hold:]``."""
    inner = [z[:-hold] for z in series]
    prof, _ = build_from(inner, method, FLOOR["level"])
    g = G_GRID
    ps, os_, cov, smape = [], [], [], []
    act = np.stack([z[-hold:] for z in series])
    for k in (2, 3, 4, 5, 6, 8):
        Z = grid([z[-k:] for z in inner])
        zhat, s, n, d = point_engine(Z, hold, method["phi"], method["phi_two"], method["weights"])
        s = np.maximum(s, FLOOR["level"])
        S = len(Z)
        hh = np.tile(np.repeat(np.arange(1, hold + 1), len(g)), S)
        rows = np.repeat(np.arange(S), hold * len(g))
        cut = Z[rows, -1] + hh * np.log1p(np.tile(g, S * hold))
        ps.append(probs_ge(prof, zhat[rows, hh - 1], s[rows], n[rows], d[rows], hh, cut))
        os_.append(act[rows, hh - 1] >= cut)
        r2 = np.repeat(np.arange(S), hold)
        h2 = np.tile(np.arange(1, hold + 1), S)
        p_act = probs_ge(prof, zhat[r2, h2 - 1], s[r2], n[r2], d[r2], h2, act[r2, h2 - 1])
        cov.append(np.abs(p_act - 0.5) <= 0.4)
        med = zq_at(prof, zhat[r2, h2 - 1], s[r2], n[r2], d[r2], h2, 0.5)
        f, a = np.exp(med), np.exp(act[r2, h2 - 1])
        smape.append(200 * np.abs(a - f) / (a + f))
    return {**scores(np.concatenate(ps), np.concatenate(os_).astype(float)),
            "cover80": float(np.concatenate(cov).mean() * 100),
            "sMAPE": float(np.concatenate(smape).mean())}


def validate_share(data: Path, method: dict, origins: tuple[int, ...] = (2003, 2006),
                   files: tuple[str, ...] = SHARE_FILES[:2]) -> dict[str, float]:
    """Profiles from outcomes <= origin, scored at ``origins`` (k = 3, 4, 6 consecutive values)
    on targets ``last + d`` in the outcome years origin+1 .. min(+6, 2012), series of ``files``
    (round 1: internet and broadband at 2003 and 2006; wider: + personal computers, + 2009)."""
    d_grid = D_GRID
    ps, os_, cov = [], [], []
    for origin in origins:
        series, groups = share_runs(data, origin)
        prof, _ = build_from(series, method, FLOOR["share"], groups=groups)
        df = panel(data, files, SHARE_LAST_YEAR)
        for k in (3, 4, 6):
            for _, g in df.groupby(["file", "country_code"]):
                yv = dict(zip(g["year"], g["value"], strict=True))
                if not all(origin - j in yv for j in range(k)):
                    continue
                hist = np.array([yv[origin - k + 1 + j] for j in range(k)])
                fut = [(y - origin, yv[y]) for y in range(origin + 1, origin + 7) if y in yv]
                if not fut:
                    continue
                z = share_logit(hist)[None, :]
                zhat, s, n, dd = point_engine(z, 6, method["phi"], method["phi_two"],
                                              method["weights"])
                s = np.maximum(s, own_floor(z[:, -1], method, FLOOR["share"]))
                if method.get("cap") and dd[0] <= 0:  # round 9: median at most the point
                    hs = np.arange(1, 7)
                    zq = zhat[0][:, None] + s[0] * profile_rows(prof, np.repeat(n, 6), hs,
                                                                np.repeat(dd, 6))
                    zhat = zhat - median_excess(zq, np.asarray(prof["levels"]),
                                                np.full(6, 0.5), zhat[0])[None, :]
                for h, v in fut:
                    thr = hist[-1] + d_grid
                    thr = thr[(thr > 0) & (thr <= 100)]
                    c = cut_off(thr, np.zeros(len(thr), bool), np.full(len(thr), T_LOGIT),
                                np.zeros(len(thr)), np.full(len(thr), 100.0))
                    one = np.ones(len(thr), int)
                    ps.append(probs_ge(prof, zhat[0, h - 1] * one, s[0] * one, n[0] * one,
                                       dd[0] * one, h * one, c))
                    os_.append((v >= 99.5) | (v >= thr))
                    pa = probs_ge(prof, zhat[0, h - 1:h], s, n, dd, np.array([h]),
                                  share_logit(np.array([v])))
                    cov.append(abs(pa[0] - 0.5) <= 0.4)
    return {**scores(np.concatenate(ps), np.concatenate(os_).astype(float)),
            "cover80": float(np.mean(cov) * 100)}


def validation_candidates(cls: str, data: Path, only: list[str]) -> dict[str, dict]:
    """The candidates of ``--validate``: CANDIDATES, and for shares ERA_CANDIDATES plus the
    same with ``tau_h`` fixed from all training years (<= 2012; not leave-era-out, for
    comparison); only names containing one of ``only`` (all if empty)."""
    cands = dict(CANDIDATES)
    if cls == "share":
        cands.update(ERA_CANDIDATES)
        series, groups = share_runs(data)
        for name, method in ERA_CANDIDATES.items():
            if only and not any(o in name + ", tau from all years" for o in only):
                continue
            tau = build_from(series, method, FLOOR["share"], groups=groups)[0]["era_effect"]["tau"]
            print(f"  tau_h ({method['era']}, all training years): {tau}", file=sys.stderr)
            cands[name + ", tau from all years <= 2012 (not leave-era-out)"] = {
                **method, "era_tau": tau}
    return {k: m for k, m in cands.items() if not only or any(o in k for o in only)}
