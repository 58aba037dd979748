"""Rebuild the error profile of a reference class, ``dxlib/profiles/<class>.json``, from its
training data only.

Usage (from the project root)::

    python benchmarks/build_error_profile.py --class level [--data DIR] [--out PATH]
    python benchmarks/build_error_profile.py --class share --write-profile   # replace the shipped
    python benchmarks/build_error_profile.py --class level --validate   # training-only check

By default the profile goes to ``benchmarks/output/<class>.json`` (git-ignored); the shipped
``dxlib/profiles/<class>.json`` is replaced only with ``--write-profile``.

Training data (never the data the calibration benchmark scores):

* ``level``: the M3 yearly series, rows with ``split == 'train'`` only (the 6 hold-out values of
  each series are never read), on the log scale.
* ``share``: the adoption panel (internet users %, fixed broadband and personal computers per
  100 people), values of years up to :data:`SHARE_LAST_YEAR` (2012) only, on the logit scale
  of [0, 100]; leading zeros (service not yet started) dropped; runs of consecutive years. The
  benchmark origins 2013 and 2017 and every outcome after 2012 stay unseen.

For every series (run), window length L (2..12, 15, 20 and "all points up to the origin") and
forecast origin T0, the dxlib point engine of the class (:data:`METHODS`) forecasts h = 1..10
years ahead and the error ``z_{T0+h} - zhat_h`` (kept while T0 + h is in the training data) is
divided by the window's own scale ``s`` (mean |dz|, floored; with the method's ``resolution`` at
least one publication step at the window's last value, :func:`own_floor`, as the engine does). With
``bias: direction`` the error
is multiplied by the sign of the window's trend (first -> last point; flat windows left out), so
the profile says how outcomes deviate *in the direction of the trend*; the engine mirrors it for
falling series and symmetrises it for flat ones (``bias: none`` symmetrises every series: no
bias correction). The scaled errors are pooled by history-length
bucket and h, each series with equal weight within a cell; stored as quantiles at a fixed grid
of levels (levels 0 and 1 are extrapolated tails), with the copula weight ``w`` fitted to the
Spearman correlations of errors across horizons from the same origin, the method constants and
the provenance.

``--validate`` scores candidate methods one level down, inside the training data only (nothing
is written): ``level``: profile from each training part without its last 6 points, scored on
those 6 points; ``share``: profiles from outcomes up to 2003 and 2006, scored at origins 2003 and
2006 on outcomes up to 2012 (a mirror of the benchmark protocol). Scores: sMAPE, coverage,
Brier and ECE of plan-like targets (shares also on a wider mirror: the three files at origins
2003, 2006 and 2009). This is how the constants of :data:`METHODS` were chosen among the
candidates of :mod:`candidates`. Shares may add
an era effect (:mod:`era_effect`: the random effect of (file, origin year), estimated from the
same training errors; ``--validate`` estimates it leave-era-out, from values <= each origin).
It also scores each candidate with its PIT recalibration map learned on an earlier calendar
window (:mod:`recalibration_maps`); a class in ``RECALIBRATE`` ships its map in the profile's
``recalibration`` entry (:mod:`dxlib.engine.recalibration`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from candidates import EQUAL  # noqa: E402
from datadir import ROOT, find_data  # noqa: E402
from era_effect import era_tau, probit_scores, tails, widen, widen_map  # noqa: E402

from dxlib.engine.forecast import SCALE_FLOOR  # noqa: E402
from dxlib.engine.methods import point_engine  # noqa: E402
from dxlib.engine.profiles import bias_rows, oriented  # noqa: E402
from dxlib.engine.scales import T_LOGIT, resolution_floor, to_z  # noqa: E402

HP = 10
N_EDGES = [2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 30]
WINDOWS: list[int | None] = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20, None]
MIN_SERIES = 30
SHARE_LAST_YEAR = 2012
SHARE_FILES = ("internet_users_pct", "fixed_broadband_subscriptions_per100",
               "personal_computers_per100")
#: method constants per reference class, chosen with --validate on training data only: the
#: candidate with the best Brier score (a proper score; sMAPE agrees for both classes) among those
#: that issue 10 allows, a direction-aware or no bias correction (the "shape kept" candidates with
#: part of the learned bias score better for ``level`` but push a falling series' median back up)
METHODS: dict[str, dict] = {
    "level": {"phi": 0.8, "phi_two": 0.3, "weights": EQUAL, "bias": "none"},
    # round 3: + the era effect on the probit scale, added after the PIT map (README "Round 3");
    # rounds 4-7: the direction-aware candidates were tried and not shipped (README "Round 4" on);
    # round 8: + the own scale floored at the publication resolution, 0.1 pp (README "Round 8");
    # round 9: + a falling or flat share's median held at its damped trend (README "Round 9")
    "share": {"phi": 0.8, "phi_two": 0.3, "weights": EQUAL, "bias": "learned", "era": "probit",
              "era_map": "after", "resolution": 0.001, "cap": "non_rising"},
}
#: recalibration maps: knots of R, lower edges of the history buckets, horizons learned
G_GRID = np.array([-0.1, 0.0, 0.05, 0.1, 0.2, 0.3])  # level targets last (1 + g)^h
D_GRID = np.array([-5.0, 0.0, 2.0, 5.0, 10.0, 20.0])  # share targets last + d
FLOOR = {"level": SCALE_FLOOR["log"], "share": SCALE_FLOOR["logit"]}


def levels_grid() -> np.ndarray:
    """Profile levels: 0, 0.001, 0.0025, 0.005, 0.01..0.99 (step 0.01) + 0.015/0.025 tails, 1."""
    mid = np.round(np.arange(1, 100) / 100, 4)
    extra = [0.0, 0.001, 0.0025, 0.005, 0.015, 0.025, 0.975, 0.985, 0.995, 0.9975, 0.999, 1.0]
    return np.unique(np.concatenate([mid, extra]))


# ------------------------------------------------------------------ training data
def level_series(data: Path) -> list[np.ndarray]:
    """log of the training values of each M3 series (sorted by id)."""
    df = pd.read_csv(data / "m3_yearly_long.csv")
    tr = df[df["split"] == "train"].sort_values(["series_id", "t"])
    return [np.log(g["value"].to_numpy(float)) for _, g in tr.groupby("series_id", sort=True)]


def share_logit(v: np.ndarray) -> np.ndarray:
    """The engine's logit scale of a 0-100 share (values at the bounds at BOUND_TOL / 2)."""
    n = len(v)
    return to_z(np.asarray(v, float), np.full(n, T_LOGIT), np.zeros(n), np.full(n, 100.0))


def panel(data: Path, files: tuple[str, ...], last_year: int) -> pd.DataFrame:
    """Rows (file, country_code, year, value) with year <= last_year, leading zeros dropped."""
    frames = []
    for name in files:
        df = pd.read_csv(data / f"{name}.csv").sort_values(["country_code", "year"])
        df = df[df["year"] <= last_year]
        started = df.groupby("country_code")["value"].transform(lambda v: (v > 0).cummax())
        frames.append(df[started.astype(bool)].assign(file=name))
    return pd.concat(frames, ignore_index=True)


def share_runs(data: Path, last_year: int = SHARE_LAST_YEAR,
               ) -> tuple[list[np.ndarray], list[tuple[str, int]]]:
    """logit values of every run of consecutive years (3+ values) of the training files, and
    each run's (file, first year): the calendar of its origins (era effect)."""
    df = panel(data, SHARE_FILES, last_year)
    run = (df["year"].diff() != 1) | (df["country_code"] != df["country_code"].shift()) | (
        df["file"] != df["file"].shift())
    df["run"] = run.cumsum()
    runs = [g for _, g in df.groupby("run") if len(g) >= 3]
    return ([share_logit(g["value"].to_numpy(float)) for g in runs],
            [(str(g["file"].iloc[0]), int(g["year"].iloc[0])) for g in runs])


# ------------------------------------------------------------------ profile
def grid(wins: list[np.ndarray]) -> np.ndarray:
    """Right-aligned (S, G) grid of windows of different lengths."""
    G = max(len(w) for w in wins)
    Z = np.full((len(wins), G), np.nan)
    for i, w in enumerate(wins):
        Z[i, G - len(w):] = w
    return Z


def learnable(win: np.ndarray, method: dict) -> bool:
    """Whether a share window (logit values) is learned from: every value at or above the
    method's ``min_level`` (% of the bound; round 6 of issue 10), or any window without one."""
    lo = method.get("min_level")
    return lo is None or bool(np.min(win) >= share_logit(np.array([float(lo)]))[0])


def own_floor(z_last: np.ndarray, method: dict, floor: float) -> np.ndarray | float:
    """The floor of each window's own scale: ``floor``, and with the method's ``resolution``
    (round 7 of issue 10; shares only) at least :func:`dxlib.engine.scales.resolution_floor`
    of the window's last logit value ``z_last`` (n,), as the engine does."""
    res = method.get("resolution")
    return floor if not res else np.maximum(floor, resolution_floor(z_last, res))


def rolling_errors(series: list[np.ndarray], method: dict, floor: float) -> pd.DataFrame:
    """Scaled (and, if direction-aware, oriented) errors of all rolling origins: columns sid,
    origin, L, n, h, e. Windows that are not :func:`learnable` are left out."""
    frames = []
    for L in WINDOWS:
        wins, acts, meta = [], [], []
        for sid, z in enumerate(series):
            n = len(z)
            lo_t0 = 1 if L is None else L - 1
            for t0 in range(lo_t0, n - 1):
                win = z[(0 if L is None else t0 - L + 1): t0 + 1]
                if not learnable(win, method):
                    continue
                a = np.full(HP, np.nan)
                k = min(HP, n - 1 - t0)
                a[:k] = z[t0 + 1: t0 + 1 + k]
                wins.append(win)
                acts.append(a)
                meta.append((sid, t0, len(wins[-1])))
        if not wins:
            continue
        Zw = grid(wins)
        zhat, s, nn, d = point_engine(Zw, HP, method["phi"], method["phi_two"], method["weights"])
        E = (np.array(acts) - zhat) / np.maximum(s, own_floor(Zw[:, -1], method, floor))[:, None]
        if method["bias"] == "direction":
            E = np.where((d != 0)[:, None], E * d[:, None], np.nan)
        m = np.array(meta)
        f = pd.DataFrame({"sid": np.repeat(m[:, 0], HP), "origin": np.repeat(m[:, 1], HP),
                          "L": -1 if L is None else L, "n": np.repeat(m[:, 2], HP),
                          "h": np.tile(np.arange(1, HP + 1), len(wins)), "e": E.ravel(),
                          "d": np.repeat(d, HP)})
        frames.append(f.dropna())
    return pd.concat(frames, ignore_index=True)


def weighted_quantiles(x: np.ndarray, w: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Quantiles of x with weights w (Hazen-type plotting positions), at levels in (0, 1)."""
    o = np.argsort(x)
    x, w = x[o], w[o]
    cw = np.cumsum(w)
    pos = (cw - 0.5 * w) / cw[-1]
    return np.interp(levels, pos, x)


def copula_weight(err: pd.DataFrame) -> tuple[float, dict[str, float]]:
    """w of the latent ``w Z0 + sqrt(1 - w^2) B_h / sqrt(h)`` fitted to the Spearman
    correlations of errors at h1 < h2 <= 6 from the same origin."""
    piv = err[err["L"].isin([4, 6, 8, 10, -1])].pivot_table(
        index=["sid", "origin", "L"], columns="h", values="e")
    rk = piv.rank(pct=True)
    pairs, target = [], []
    for h1 in range(1, 7):
        for h2 in range(h1 + 1, 7):
            sub = rk[[h1, h2]].dropna()
            pairs.append((h1, h2))
            target.append(np.corrcoef(sub[h1], sub[h2])[0, 1])
    ws = np.linspace(0, 0.99, 100)
    sse = [sum((6 / np.pi * np.arcsin((w * w + (1 - w * w) * np.sqrt(a / b)) / 2) - t) ** 2
               for (a, b), t in zip(pairs, target, strict=True)) for w in ws]
    fit = {f"{a}-{b}": round(float(t), 3) for (a, b), t in zip(pairs, target, strict=True)}
    return float(ws[int(np.argmin(sse))]), fit


def cell_quantiles(err: pd.DataFrame, lv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles (B, H, K) of the scaled errors by history bucket and horizon, each series with
    equal weight in a cell, thin cells (< MIN_SERIES series) filled from the nearest filled
    shorter bucket (same h), else longer, else the same bucket at the previous horizon; and the
    number of series per cell (B, H)."""
    inner = lv[(lv > 0) & (lv < 1)]
    B = len(N_EDGES)
    Q = np.full((B, HP, len(lv)), np.nan)
    counts = np.zeros((B, HP), int)
    for (b, h), g in err.groupby(["b", "h"]):
        counts[b, h - 1] = g["sid"].nunique()
        if counts[b, h - 1] < MIN_SERIES:
            continue
        w = 1.0 / g.groupby("sid")["e"].transform("size").to_numpy(float)
        Q[b, h - 1] = tails(weighted_quantiles(g["e"].to_numpy(), w, inner), inner)
    for h in range(HP):
        for b in range(B):
            if np.isnan(Q[b, h, 0]):
                cand = [bb for bb in range(b - 1, -1, -1) if not np.isnan(Q[bb, h, 0])]
                cand += [bb for bb in range(b + 1, B) if not np.isnan(Q[bb, h, 0])]
                Q[b, h] = Q[cand[0], h] if cand else Q[b, h - 1]
    return Q, counts


def centred(err: pd.DataFrame, keep: float = 0.0) -> pd.DataFrame:
    """The errors with the fraction ``1 - keep`` of each (bucket, horizon) cell's median (series
    weighted equally) subtracted: the point forecast's bias correction shrunk to ``keep`` of the
    learned one (0: none), the asymmetry of the errors kept."""
    lv = np.array([0.5])
    out = err.copy()
    for (_b, _h), g in err.groupby(["b", "h"]):
        w = 1.0 / g.groupby("sid")["e"].transform("size").to_numpy(float)
        out.loc[g.index, "e"] = g["e"] - (1 - keep) * weighted_quantiles(g["e"].to_numpy(), w, lv)[0]
    return out


def build_from(series: list[np.ndarray], method: dict, floor: float,
               provenance: dict | None = None, groups: list[tuple[str, int]] | None = None,
               ) -> tuple[dict, pd.DataFrame]:
    """The profile dict and the raw rolling-origin errors of the given z-scale series.

    With ``method["era"]`` ("scaled" or "probit", :mod:`era_effect`) the cells are widened by
    the era effect ``tau_h``, estimated from these errors grouped by ``groups[sid]`` = (file,
    first year) (leave-era-out: only the data handed in), or taken from ``method["era_tau"]``
    if given (a fixed tau, e.g. from all training years); stored in ``era_effect``."""
    err = rolling_errors(series, method, floor)
    edges = np.array(N_EDGES)
    err["b"] = np.clip(np.searchsorted(edges, err["n"], side="right") - 1, 0, len(edges) - 1)
    lv = levels_grid()
    if method["bias"] == "split":  # falling, all, rising windows: (3, B, H, K)
        parts = [cell_quantiles(err[sel], lv) for sel in (err["d"] < 0, err["d"].notna(),
                                                          err["d"] > 0)]
        Q, counts = np.stack([q for q, _ in parts]), np.stack([c for _, c in parts])
    else:
        if method["bias"] == "centred":  # each cell's weighted median error moved to 0
            err = centred(err, method.get("keep_bias", 0.0))
        Q, counts = cell_quantiles(err, lv)
    era = None
    if method.get("era"):
        if groups is None:
            raise ValueError("the era effect needs the (file, first year) of each series")
        if method["era"] == "scaled":
            v = err["e"].to_numpy()
        else:  # each error under the cells the engine uses for its series (ClassTables.error_rows)
            part, orient = bias_rows(method["bias"], err["d"].fillna(0).to_numpy())
            v = np.empty(len(err))
            for pt, o in set(zip(part.tolist(), orient.tolist(), strict=True)):
                cells = Q[pt] if method["bias"] == "split" else Q
                rows = cells.reshape(-1, cells.shape[-1])
                q = oriented(rows, np.full(len(rows), o)).reshape(cells.shape)
                m = (part == pt) & (orient == o)
                v[m] = probit_scores(err[m], q, lv)
        tau, used = era_tau(err, v, groups, HP)
        if method.get("era_tau") is not None:
            tau = np.asarray(method["era_tau"], float)
        Q = widen(Q, lv, tau, method["era"])
        era = {"scale": method["era"], "tau": np.round(tau, 4).tolist(), "groups": used,
               "fixed_tau": method.get("era_tau") is not None,
               "note": "scaled-error quantiles of every (bucket, h) cell convolved with "
                       f"N(0, tau_h^2) on the {method['era']} scale; tau_h^2 = between-group "
                       "variance (method of moments) of the mean error of (file, origin year) "
                       "groups of >= 10 series, non-decreasing in h"}
    w_best, fit = copula_weight(err)
    prof = {
        "version": 2,
        "description": "Scaled rolling-origin errors (z-scale error / own mean |dz|"
                       + (", oriented by the sign of the trend" if method["bias"] == "direction"
                          else "") + ") of the dxlib point method of this reference class"
                       + ("; three profiles, of falling, all and rising windows (the sign of the "
                          "point method's trend)" if method["bias"] == "split" else "")
                       + ("; used as stored for a rising series, symmetrised for a falling or flat "
                          "one" if method["bias"] == "rising" else "") + ".",
        "provenance": provenance or {},
        "method": {**{k: x for k, x in method.items() if k != "era_tau"}, "scale_floor": floor},
        "n_edges": N_EDGES,
        "horizons": HP,
        "levels": [round(float(x), 6) for x in lv],
        "quantiles": np.round(Q, 5).tolist(),
        "n_series": np.asarray(counts).tolist(),
        "copula_w": round(w_best, 3),
        "copula_fit": fit,
    }
    if era:
        prof["era_effect"] = era
    return prof, err


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--class", dest="cls", choices=sorted(METHODS), default="level")
    ap.add_argument("--data", help="data folder (default: benchmarks/data/<name>, then shared)")
    ap.add_argument("--out", type=Path, help="default benchmarks/output/<class>.json")
    ap.add_argument("--write-profile", action="store_true",
                    help="write the shipped dxlib/profiles/<class>.json instead of --out")
    ap.add_argument("--validate", action="store_true",
                    help="compare the candidate methods on training data only; writes nothing")
    ap.add_argument("--only", action="append", default=[],
                    help="with --validate: only the candidates whose name contains this text")
    a = ap.parse_args(argv)
    from profile_validation import (
        validate_level,
        validate_share,
        validation_candidates,
    )
    from recalibration_maps import (
        RECALIBRATE,
        SHARE_RECAL_ORIGINS,
        pit_level,
        recalibration_table,
        share_map_pits,
        validate_pipeline,
        without_era,
    )
    data = find_data("m3_yearly" if a.cls == "level" else "adoption_panel", a.data)
    if a.validate:
        rows = []
        for name, method in validation_candidates(a.cls, data, a.only).items():
            if a.cls == "level":  # the last 6 training points, and the 6 before them
                f = validate_level(level_series(data), method)
                early = validate_level([z[:-6] for z in level_series(data) if len(z) >= 16],
                                       method)
                f |= {"brier_early": early["brier"], "ece_early": early["ece"],
                      "brier_mean": (f["brier"] + early["brier"]) / 2}
            else:  # round-1 mirror, then the wider one (3 files, + origin 2009)
                f = validate_share(data, method)
                wide = validate_share(data, method, (2003, 2006, 2009), SHARE_FILES)
                f.update({f"{k}_wide": x for k, x in wide.items() if k != "at_risk_p"
                          and k != "at_risk_obs"})
            rows.append({"candidate": name, **f, **validate_pipeline(a.cls, data, method)})
            print(f"  {name}: done", file=sys.stderr, flush=True)
        with pd.option_context("display.width", 250, "display.max_columns", 30):
            print(pd.DataFrame(rows).round(5).to_string(index=False))
        return 0
    t = time.perf_counter()
    if a.cls == "level":
        series = level_series(data)
        prov = {"data": "M3 yearly competition series (645), benchmarks/data/m3_yearly",
                "rows": "split == 'train' only (the 6 hold-out values never read)",
                "scale": "log", "series": len(series)}
    groups = None
    if a.cls == "share":
        series, groups = share_runs(data)
        prov = {"data": "adoption panel (World Bank WDI / ITU via Gapminder), "
                        "benchmarks/data/adoption_panel",
                "files": list(SHARE_FILES), "years": f"values up to {SHARE_LAST_YEAR} only",
                "scale": "logit of [0, 100]", "series": len(series),
                "note": "leading zeros dropped; runs of consecutive years with 3+ values"
                        + ("; each window's own scale floored at its publication resolution "
                           f"({METHODS['share']['resolution']} of the bound at its last value)"
                           if METHODS["share"].get("resolution") else "")
                        + ("; cap non_rising: the engine shifts a falling or flat series down "
                           "until its calibrated median is at most its damped trend (after the "
                           "map and the era widening)" if METHODS["share"].get("cap") else "")}
    prov["built_by"] = f"benchmarks/build_error_profile.py --class {a.cls}"
    if METHODS[a.cls].get("era"):
        prov["era_effect"] = (
            ("recalibration map composed with the era widening" if METHODS[a.cls].get(
                "era_map") == "after" else "cells widened by the era effect")
            + " (benchmarks/era_effect.py): random effect of (file, origin year) on the "
            f"{METHODS[a.cls]['era']} scale, estimated from the training rolling-origin errors "
            "(values <= 2012); tau_h in 'era_effect'")
    prof, err = build_from(series, METHODS[a.cls], FLOOR[a.cls], prov, groups)
    after = METHODS[a.cls].get("era_map") == "after"
    if after:  # the cells before widening; the widening goes into the map (below)
        era = prof["era_effect"]
        prof = build_from(series, without_era(METHODS[a.cls]), FLOOR[a.cls], prov)[0]
        prof["method"] = {**METHODS[a.cls], "scale_floor": FLOOR[a.cls]}
        prof["era_effect"] = {**era, "note": era["note"].replace(
            "scaled-error quantiles of every (bucket, h) cell convolved",
            "applied after the recalibration map (composed into it; horizons 7-10: the map of "
            "6 with their own tau_h, beyond 10: tau_10): "
            "the recalibrated CDF convolved")}
    prof["reference_class"] = a.cls
    if RECALIBRATE[a.cls] and a.cls == "level":
        pits, _ = pit_level(series, METHODS["level"])
        prof["recalibration"] = recalibration_table(pits, (
            "PIT of the last 6 training points of each M3 series under the profile built from "
            "the training parts without them; last k = 2, 3, 4, 5, 6, 8 points and the whole "
            "history before them"))
    elif RECALIBRATE[a.cls]:
        pits = share_map_pits(data, METHODS["share"])
        era = METHODS["share"].get("era")
        by_direction = METHODS["share"].get("map", "")
        prof["recalibration"] = recalibration_table(pits, ({
            "rising": "map of rising windows, for rising series only (others: identity); ",
            "direction": "map of rising windows for rising series; for the others the map of "
                         "non-rising windows made symmetric about 1/2 (spread only); ",
            }.get(by_direction, "") + (
            ("" if not era else "profiles widened by the era effect; " if METHODS["share"].get(
                "era_map") == "widened" else "profiles before the era widening; ")
            + f"PIT of adoption-panel outcomes <= {SHARE_LAST_YEAR} under profiles built from "
            f"values <= origin, origins {SHARE_RECAL_ORIGINS[0]}-{SHARE_RECAL_ORIGINS[-1]}, "
            "last k = 2, 3, 4, 5, 6, 8 values and the whole run, files "
            + ", ".join(SHARE_FILES))), by_direction)
        if after:
            tau = prof["era_effect"]["tau"]
            prof["recalibration"] = widen_map(prof["recalibration"], tau, len(tau))
            prof["recalibration"]["provenance"] += (
                "; composed with the probit widening of the era effect (tau_h; horizons 7-10: "
                "the map of 6 widened by their own tau_h)")
    out = ROOT / "dxlib" / "profiles" / f"{a.cls}.json" if a.write_profile else (
        a.out or ROOT / "benchmarks" / "output" / f"{a.cls}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(prof, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out} from {len(err):,} scaled errors of {len(series)} series in "
          f"{time.perf_counter() - t:.1f} s; copula w = {prof['copula_w']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
