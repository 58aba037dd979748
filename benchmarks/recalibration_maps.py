"""PIT recalibration maps of the reference classes, learned and validated on training data only
(used by ``build_error_profile.py``; see :mod:`dxlib.engine.recalibration` and
``benchmarks/README.md``, "Round 2").

* :func:`pit_level` / :func:`pit_share`: PIT values of pseudo-out-of-sample forecasts inside the
  training data (M3: the last 6 training points under the profile built without them; adoption
  panel: outcomes <= 2012 at origins 2003-2009 under profiles built from values <= origin), and
  the plan-like targets of the same cases.
* :func:`recalibration_table`: the profile's ``recalibration`` entry.
* :func:`validate_pipeline`: method + map scored on a later calendar window than the map was
  learned on (the evidence for :data:`RECALIBRATE`).
"""

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
    MIN_SERIES,
    SHARE_FILES,
    SHARE_LAST_YEAR,
    build_from,
    grid,
    learnable,
    level_series,
    levels_grid,
    own_floor,
    panel,
    share_logit,
    share_runs,
)
from era_effect import widen_cdf, widen_map  # noqa: E402
from profile_validation import capped_cdf, probs_ge, profile_rows, scores  # noqa: E402

from dxlib.engine.methods import point_engine  # noqa: E402
from dxlib.engine.recalibration import Recalibration, pit_map  # noqa: E402
from dxlib.engine.scales import T_LOGIT, cut_off, expit  # noqa: E402

#: whether a class ships a PIT recalibration map: only where a map learned on an earlier calendar
#: window improved the training-only scores of a later one (validate_pipeline, README)
RECALIBRATE = {"level": False, "share": True}
RECAL_KNOTS = [0.0, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55,
               0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99, 1.0]
RECAL_EDGES = [2, 3, 5, 8]
RECAL_H = 6
RECAL_WINDOWS: list[int | None] = [2, 3, 4, 5, 6, 8, None]
SHARE_RECAL_ORIGINS = tuple(range(2003, 2010))

# ------------------------------------------------------------------ recalibration (training only)
def pit_level(series: list[np.ndarray], method: dict, hold: int = 6, offset: int = 0,
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PIT values ``F(z_actual)`` of the last ``hold`` training points of each M3 series under
    the profile built from ``z[:-hold]``, for the last k in RECAL_WINDOWS points and the whole
    history before them: columns sid, n, h, pit; and the plan-like targets ``last (1 + g)^h``
    of the same cases: columns sid, n, h, F (raw CDF at the threshold), o (outcome).
    ``offset`` > 0 first drops that many last training points (an earlier calendar window)."""
    series = [z[:len(z) - offset] for z in series]
    inner = [z[:-hold] for z in series]
    prof, _ = build_from(inner, method, FLOOR["level"])
    act = np.stack([z[-hold:] for z in series])
    frames, targets = [], []
    for k in RECAL_WINDOWS:
        Z = grid([z if k is None else z[-k:] for z in inner])
        zhat, s, n, d = point_engine(Z, hold, method["phi"], method["phi_two"], method["weights"])
        s = np.maximum(s, FLOOR["level"])
        S = len(Z)
        r2, h2 = np.repeat(np.arange(S), hold), np.tile(np.arange(1, hold + 1), S)
        p = probs_ge(prof, zhat[r2, h2 - 1], s[r2], n[r2], d[r2], h2, act[r2, h2 - 1])
        frames.append(pd.DataFrame({"sid": r2, "n": n[r2], "h": h2, "pit": 1 - p}))
        rows = np.repeat(r2, len(G_GRID))
        hh = np.repeat(h2, len(G_GRID))
        cut = Z[rows, -1] + hh * np.log1p(np.tile(G_GRID, len(r2)))
        pt = probs_ge(prof, zhat[rows, hh - 1], s[rows], n[rows], d[rows], hh, cut)
        targets.append(pd.DataFrame({"sid": rows, "n": n[rows], "h": hh, "F": 1 - pt,
                                     "o": (act[rows, hh - 1] >= cut).astype(float)}))
    return pd.concat(frames, ignore_index=True), pd.concat(targets, ignore_index=True)


def pit_share(data: Path, method: dict, zq_out: list[np.ndarray] | None = None,
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PIT values of adoption-panel outcomes under profiles built from values <= origin, for
    origins SHARE_RECAL_ORIGINS, the last k in RECAL_WINDOWS consecutive values (whole run for
    None) and every outcome year origin+1 .. min(origin+6, 2012): columns sid, n, h, pit,
    origin, up (the window's trend is rising); and the targets ``last + d`` (thresholds in
    (0, 100]) of the same cases: columns sid, n, h, origin, F (raw CDF at the threshold), o
    (outcome; within 0.5 pp of 100 = 100), up. With ``zq_out`` and a method with ``cap``, the
    targets also carry c (the cut), zh (the point) and qi, the row of the falling or flat
    series' raw quantiles (logit scale, at the profile levels) appended to ``zq_out``
    (-1: rising), for :func:`validate_recalibrated` to hold their median at the point."""
    rows, targets = [], []
    df = panel(data, SHARE_FILES, SHARE_LAST_YEAR)
    for origin in SHARE_RECAL_ORIGINS:
        series, groups = share_runs(data, origin)
        prof, _ = build_from(series, method, FLOOR["share"], groups=groups)
        wins, futs, sids = [], [], []
        for sid, (_, g) in enumerate(df.groupby(["file", "country_code"])):
            yv = dict(zip(g["year"], g["value"], strict=True))
            run = 0
            while origin - run in yv:
                run += 1
            fut = [(y - origin, yv[y]) for y in range(origin + 1, min(origin + 6, 2012) + 1)
                   if y in yv]
            if run < 2 or not fut:
                continue
            hist = np.array([yv[origin - run + 1 + j] for j in range(run)])
            for k in RECAL_WINDOWS:
                if k is None or k <= run:
                    wins.append(share_logit(hist if k is None else hist[-k:]))
                    futs.append(fut)
                    sids.append(sid)
        Zw = grid(wins)
        zhat, s, n, d = point_engine(Zw, 6, method["phi"], method["phi_two"], method["weights"])
        s = np.maximum(s, own_floor(Zw[:, -1], method, FLOOR["share"]))
        for i, fut in enumerate(futs):
            h = np.array([f[0] for f in fut])
            v = np.array([f[1] for f in fut])
            one = np.ones(len(h), int)
            if learnable(wins[i], method):  # the PITs a map learns from
                p = probs_ge(prof, zhat[i, h - 1], s[i] * one, n[i] * one, d[i] * one, h,
                             share_logit(v))
                rows.append(pd.DataFrame({"sid": sids[i], "n": n[i], "h": h, "pit": 1 - p,
                                          "origin": origin, "up": d[i] > 0}))
            last = 100 * expit(wins[i][-1])
            thr = np.add.outer(np.zeros(len(h)), last + D_GRID)
            hh, vv = np.repeat(h, len(D_GRID)), np.repeat(v, len(D_GRID))
            thr = thr.ravel()
            ok = (thr > 0) & (thr <= 100)
            hh, vv, thr = hh[ok], vv[ok], thr[ok]
            c = cut_off(thr, np.zeros(len(thr), bool), np.full(len(thr), T_LOGIT),
                        np.zeros(len(thr)), np.full(len(thr), 100.0))
            one = np.ones(len(thr), int)
            pt = probs_ge(prof, zhat[i, hh - 1], s[i] * one, n[i] * one, d[i] * one, hh, c)
            extra = {}
            if zq_out is not None and method.get("cap") and d[i] <= 0:
                extra = {"c": c, "zh": zhat[i, hh - 1], "qi": len(zq_out) + np.arange(len(c))}
                zq_out.extend(zhat[i, hh - 1][:, None] + s[i] * profile_rows(
                    prof, n[i] * one, hh, d[i] * one))
            targets.append(pd.DataFrame({"sid": sids[i], "n": n[i], "h": hh, "origin": origin,
                                         "F": 1 - pt, "o": ((vv >= 99.5) | (vv >= thr))
                                         .astype(float), "up": d[i] > 0, **extra}))
    return pd.concat(rows, ignore_index=True), pd.concat(targets, ignore_index=True)


def symmetric_map(values: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """A map made symmetric about one half, ``R_s(u) = (R(u) + 1 - R(1 - u)) / 2``, at the
    knots (values (..., J) on ``knots`` (J,)): it keeps the spread correction of ``R`` and
    drops its shift, so ``R_s(1/2) = 1/2`` and the median of ``F`` stays the median. Strictly
    increasing when ``R`` is."""
    v = np.asarray(values, float)
    mirror = np.apply_along_axis(lambda r: np.interp(1 - knots, knots, r), -1, v)
    return (v + 1 - mirror) / 2


def recalibration_table(pits: pd.DataFrame, note: str, by_direction: str = "") -> dict:
    """The profile's ``recalibration`` entry: per history bucket (RECAL_EDGES) and horizon
    1..RECAL_H the map of :func:`dxlib.engine.recalibration.pit_map`, every series with equal
    weight in a cell; a cell with fewer than MIN_SERIES series takes the map of the shorter
    horizon. ``by_direction`` (the method's ``map``; values (2, Bm, Hm, J): non-rising, rising):
    ``"rising"``: the map learned on the PITs of rising windows (column ``up``) for rising
    series, the identity for the others; ``"direction"``: the same for rising series, and for
    the others the map learned on the non-rising windows' PITs made symmetric
    (:func:`symmetric_map`: their spread is calibrated, their median not moved)."""
    if by_direction in ("rising", "direction"):
        rising = pits["up"].to_numpy(bool)
        up = recalibration_table(pits[rising], note)
        if by_direction == "rising":
            other = np.broadcast_to(np.array(RECAL_KNOTS), np.shape(up["values"]))
            n_other = np.zeros_like(up["n_cases"])
        else:
            down = recalibration_table(pits[~rising], note)
            other = np.round(symmetric_map(np.array(down["values"]), np.array(RECAL_KNOTS)), 5)
            n_other = down["n_cases"]
        return {**up, "by_direction": True,
                "values": [np.asarray(other).tolist(), up["values"]],
                "n_cases": [np.asarray(n_other).tolist(), up["n_cases"]]}
    if by_direction:
        raise ValueError(f"unknown map rule {by_direction!r}; expected rising or direction")
    knots = np.array(RECAL_KNOTS)
    b = np.clip(np.searchsorted(RECAL_EDGES, pits["n"], side="right") - 1, 0,
                len(RECAL_EDGES) - 1)
    pits = pits.assign(b=b, h=np.minimum(pits["h"], RECAL_H))
    vals = np.zeros((len(RECAL_EDGES), RECAL_H, len(knots)))
    counts = np.zeros((len(RECAL_EDGES), RECAL_H), int)
    for bi in range(len(RECAL_EDGES)):
        for h in range(1, RECAL_H + 1):
            g = pits[(pits["b"] == bi) & (pits["h"] == h)]
            counts[bi, h - 1] = len(g)
            if g["sid"].nunique() < MIN_SERIES:
                vals[bi, h - 1] = vals[bi, h - 2] if h > 1 else knots
                continue
            w = 1.0 / g.groupby("sid")["pit"].transform("size").to_numpy(float)
            vals[bi, h - 1] = pit_map(g["pit"].to_numpy(), knots, w)
    return {"knots": RECAL_KNOTS, "n_edges": RECAL_EDGES, "horizons": RECAL_H,
            "values": np.round(vals, 5).tolist(), "n_cases": counts.tolist(),
            "provenance": note}


def validate_recalibrated(pits: pd.DataFrame, targets: pd.DataFrame,
                          folds: list[tuple[np.ndarray, np.ndarray]],
                          taus: dict[int, np.ndarray] | None = None,
                          by_direction: str = "", zq: np.ndarray | None = None,
                          levels: np.ndarray | None = None) -> dict[str, float]:
    """Scores of the plan-like targets with the raw CDF and with the recalibrated one, the map
    learned on another part of the training PITs (cross-fitting): ``folds`` = (mask of the PIT
    rows that learn a map, mask of the target rows it is applied to). With ``taus`` (tau_h per
    target origin) the probit era widening comes last: raw = ``widen_cdf(F)``, recalibrated =
    the map composed with the widening at its knots (:func:`era_effect.widen_map`, as shipped).
    With ``zq`` (rows of raw quantiles at ``levels``, indexed by the targets' qi; round 9), the
    falling and flat cases are shifted down until their median is at most their point, after
    the map and the widening as the engine does (raw: median level 1/2; recalibrated:
    ``R^{-1}(1/2)`` of their map)."""
    p_raw, p_cal, obs = [], [], []
    for learn, apply in folds:
        table = recalibration_table(pits[learn], "", by_direction)
        t = targets[apply]
        parts = [(np.ones(len(t), bool), table, None)] if taus is None else [
            ((t["origin"] == o).to_numpy(), widen_map(table, tau), tau) for o, tau in taus.items()]
        pr, pc = np.full(len(t), np.nan), np.full(len(t), np.nan)
        for m, tab, tau in parts:
            pr[m], pc[m] = target_probabilities(t[m], tab, tau, zq, levels)
        p_raw.append(pr)
        p_cal.append(pc)
        obs.append(t["o"].to_numpy())
    o = np.concatenate(obs)
    raw, cal = scores(np.concatenate(p_raw), o), scores(np.concatenate(p_cal), o)
    return {"brier_raw": raw["brier"], "ece_raw": raw["ece"], "brier_recal": cal["brier"],
            "ece_recal": cal["ece"], "at_risk_recal": cal["at_risk_p"],
            "at_risk_obs_recal": cal["at_risk_obs"]}


def target_probabilities(t: pd.DataFrame, table: dict, tau: np.ndarray | None = None,
                         zq: np.ndarray | None = None, levels: np.ndarray | None = None,
                         ) -> tuple[np.ndarray, np.ndarray]:
    """P(target met) of the target rows ``t`` (columns F, n, h, up; with ``zq`` also qi, c, zh):
    raw (the era widening by ``tau`` if given) and through the map ``table`` (already composed
    with the widening when ``tau`` is given); with ``zq`` the rows of qi >= 0 held at their point
    (:func:`profile_validation.capped_cdf`) as the engine does. Returns (raw, recalibrated)."""
    F, h = t["F"].to_numpy(), t["h"].to_numpy()
    rc = Recalibration([table])
    ids = rc.map_ids(np.zeros(len(t), int), t["n"].to_numpy(), h,
                     t["up"].to_numpy(bool) if "up" in t else False)
    Fr, Fc = F.copy(), F.copy()
    if zq is not None:
        qi = t["qi"].fillna(-1).to_numpy(int)
        k = qi >= 0
        c, zh = t["c"].to_numpy()[k], t["zh"].to_numpy()[k]
        Fr[k] = capped_cdf(zq[qi[k]], levels, np.full(k.sum(), 0.5), zh, c)
        Fc[k] = capped_cdf(zq[qi[k]], levels, rc.invert(0.5, ids[k]), zh, c)
    raw = 1 - (Fr if tau is None else widen_cdf(Fr, tau[np.minimum(h, len(tau)) - 1]))
    return raw, 1 - rc.apply(Fc, ids)


def without_era(method: dict) -> dict:
    """The method constants without the era effect (the profile it widens)."""
    return {k: x for k, x in method.items() if not k.startswith("era")}


def share_map_pits(data: Path, method: dict) -> pd.DataFrame:
    """The PITs a share map is learned from: under the widened profiles if the method has an era
    effect with ``era_map == "widened"`` (or none), else under the profiles before widening
    (``"raw"``: the map applied to the widened CDF; ``"after"``: the probit widening applied
    after the map, :func:`era_effect.widen_map`)."""
    learn_on = method if method.get("era_map", "widened") == "widened" else without_era(method)
    return pit_share(data, learn_on)[0]


def validate_pipeline(cls: str, data: Path, method: dict) -> dict[str, float]:
    """Training-only score of method + recalibration, the map learned on an earlier calendar
    window than the one it is scored on: level: map from the PITs of training points -12..-7
    (profile from the points before them), scored on the last 6 training points; share: maps
    learned at origins 2003-2005, scored at origins 2006-2009 (outcomes <= 2012); with an era
    effect, the map is learned on the PITs of :func:`share_map_pits` and applied to the widened
    profiles' targets."""
    if cls == "level":
        series = level_series(data)
        early, _ = pit_level(series, method, offset=6)
        pits, targets = pit_level(series, method)
        pits = pd.concat([early, pits], ignore_index=True)
        folds = [(np.arange(len(pits)) < len(early), np.ones(len(targets), bool))]
        return validate_recalibrated(pits, targets, folds)
    taus, zq = None, [] if method.get("cap") else None
    if method.get("era_map") == "after":  # map and targets before widening; widening last
        pits, targets = pit_share(data, without_era(method), zq)
        taus = {o: np.asarray(share_tau(data, o, method)) for o in range(2006, 2010)}
    else:
        pits, targets = pit_share(data, method)
        if method.get("era") and method.get("era_map") == "raw":
            pits = share_map_pits(data, method)
    folds = [((pits["origin"] <= 2005).to_numpy(), (targets["origin"] >= 2006).to_numpy())]
    if zq is not None and (not zq or method.get("era_map") != "after"):
        raise ValueError("cap is validated with era_map: after only, on falling or flat cases")
    return validate_recalibrated(pits, targets, folds, taus, method.get("map", ""),
                                 np.vstack(zq) if zq else None, np.array(levels_grid()))


def share_tau(data: Path, origin: int, method: dict) -> list[float]:
    """``tau_h`` of the era effect of ``method`` estimated from values <= ``origin``."""
    series, groups = share_runs(data, origin)
    return build_from(series, method, FLOOR["share"], groups=groups)[0]["era_effect"]["tau"]
