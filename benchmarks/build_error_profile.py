"""Rebuild the error profile (``dxlib/profiles/error_profile.json``) from the M3 yearly TRAINING parts.

Usage (from the project root)::

    python benchmarks/build_error_profile.py [--data DIR] [--out PATH]   # -> benchmarks/output/
    python benchmarks/build_error_profile.py --write-profile   # replace the shipped profile
    python benchmarks/build_error_profile.py --validate   # training-only pseudo hold-out

Data: ``benchmarks/data/m3_yearly/m3_yearly_long.csv`` (origin in ``benchmarks/data/README.md``).
By default the profile is written to ``benchmarks/output/error_profile.json`` (git-ignored); the
shipped file is replaced only with ``--write-profile``.

Only observations with ``split == 'train'`` are read: the 6 hold-out values of each series are
never used. For every series, every window length L (2..12, 15, 20 and "all points up to the
origin") and every forecast origin T0 inside the training part, the dxlib point engine forecasts
h = 1..10 years ahead on the log scale, and the error ``z_{T0+h} - zhat_h`` (kept only while
T0 + h is still in the training part) is divided by the window's own scale ``s`` (mean |dz|,
floored at 0.01). The scaled errors are pooled by history-length bucket (window n_obs) and h; each
series gets equal weight within a cell. Stored: weighted quantiles at a fixed grid of levels
(levels 0 and 1 are extrapolated tails: q_0.001 -/+ 2 (q_0.01 - q_0.001)), and the copula weight
``w`` fitted to the Spearman correlations of errors across horizons from the same origin.

``--validate`` runs a leak-free check of the whole pipeline one level down instead (nothing is
written): the profile is rebuilt from each training part WITHOUT its last 6 points, and the
default method is scored on those 6 training points (sMAPE of the median, 80 % / 95 % coverage)
for full / last 4, 6, 8, 10 histories. Together with the rolling-origin errors this is the
criterion for choosing method constants; the M3 hold-out stays untouched.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "benchmarks" / "data" / "m3_yearly"
SHIPPED = ROOT / "dxlib" / "profiles" / "error_profile.json"

from dxlib.engine.forecast import PHI, PHI_TWO, SCALE_FLOOR, WEIGHTS, point_engine  # noqa: E402

HP = 10
N_EDGES = [2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 30]
WINDOWS: list[int | None] = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20, None]
MIN_SERIES = 30


def levels_grid() -> np.ndarray:
    """Profile levels: 0, 0.001, 0.0025, 0.005, 0.01..0.99 (step 0.01) + 0.015/0.025 tails, 1."""
    mid = np.round(np.arange(1, 100) / 100, 4)
    extra = [0.0, 0.001, 0.0025, 0.005, 0.015, 0.025, 0.975, 0.985, 0.995, 0.9975, 0.999, 1.0]
    return np.unique(np.concatenate([mid, extra]))


def training_series(data: Path) -> list[np.ndarray]:
    """log of the training values of each series (sorted by id)."""
    df = pd.read_csv(data / "m3_yearly_long.csv")
    tr = df[df["split"] == "train"].sort_values(["series_id", "t"])
    return [np.log(g["value"].to_numpy(float)) for _, g in tr.groupby("series_id", sort=True)]


def rolling_errors(series: list[np.ndarray]) -> pd.DataFrame:
    """Scaled errors of all rolling origins: columns sid, origin, L, n, h, e."""
    frames = []
    for L in WINDOWS:
        wins, acts, meta = [], [], []
        for sid, z in enumerate(series):
            n = len(z)
            lo_t0 = 1 if L is None else L - 1
            for t0 in range(lo_t0, n - 1):
                w = z[(0 if L is None else t0 - L + 1): t0 + 1]
                a = np.full(HP, np.nan)
                k = min(HP, n - 1 - t0)
                a[:k] = z[t0 + 1: t0 + 1 + k]
                wins.append(w)
                acts.append(a)
                meta.append((sid, t0, len(w)))
        G = max(len(w) for w in wins)
        Z = np.full((len(wins), G), np.nan)
        for i, w in enumerate(wins):
            Z[i, G - len(w):] = w
        zhat, s, nn = point_engine(Z, HP)
        s = np.maximum(s, SCALE_FLOOR["log"])
        E = (np.array(acts) - zhat) / s[:, None]
        m = np.array(meta)
        hh = np.tile(np.arange(1, HP + 1), len(wins))
        f = pd.DataFrame({"sid": np.repeat(m[:, 0], HP), "origin": np.repeat(m[:, 1], HP),
                          "L": -1 if L is None else L, "n": np.repeat(m[:, 2], HP), "h": hh,
                          "e": E.ravel()})
        frames.append(f.dropna())
    return pd.concat(frames, ignore_index=True)


def weighted_quantiles(x: np.ndarray, w: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Quantiles of x with weights w (Hazen-type plotting positions), at levels in (0, 1)."""
    o = np.argsort(x)
    x, w = x[o], w[o]
    cw = np.cumsum(w)
    pos = (cw - 0.5 * w) / cw[-1]
    return np.interp(levels, pos, x)


def build(data: Path) -> tuple[dict, pd.DataFrame]:
    """The profile dict and the raw rolling-origin errors."""
    return build_from(training_series(data))


def build_from(series: list[np.ndarray]) -> tuple[dict, pd.DataFrame]:
    """The profile dict and the raw rolling-origin errors of the given log series."""
    err = rolling_errors(series)
    edges = np.array(N_EDGES)
    err["b"] = np.clip(np.searchsorted(edges, err["n"], side="right") - 1, 0, len(edges) - 1)
    lv = levels_grid()
    inner = lv[(lv > 0) & (lv < 1)]
    B = len(edges)
    Q = np.full((B, HP, len(lv)), np.nan)
    counts = np.zeros((B, HP), int)
    for (b, h), g in err.groupby(["b", "h"]):
        counts[b, h - 1] = g["sid"].nunique()
        if counts[b, h - 1] < MIN_SERIES:
            continue
        w = 1.0 / g.groupby("sid")["e"].transform("size").to_numpy(float)
        q = weighted_quantiles(g["e"].to_numpy(), w, inner)
        lo = q[0] - 2 * (q[inner.searchsorted(0.01)] - q[0])
        hi = q[-1] + 2 * (q[-1] - q[inner.searchsorted(0.99)])
        Q[b, h - 1] = np.concatenate([[lo], q, [hi]])
    # fill thin cells from the nearest filled shorter bucket (same h), else longer
    for b in range(B):
        for h in range(HP):
            if np.isnan(Q[b, h, 0]):
                cand = [bb for bb in range(b - 1, -1, -1) if not np.isnan(Q[bb, h, 0])]
                cand += [bb for bb in range(b + 1, B) if not np.isnan(Q[bb, h, 0])]
                Q[b, h] = Q[cand[0], h]
    # copula weight from Spearman correlations of errors from the same origin (all cells)
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
    w_best = float(ws[int(np.argmin(sse))])
    prof = {
        "version": 1,
        "description": "Scaled rolling-origin errors (z-scale error / own mean |dz|) of the dxlib "
                       "default method, M3 yearly TRAINING parts only (hold-out never used).",
        "method": {"phi": PHI, "phi_two": PHI_TWO, "weights": WEIGHTS, "floor_log": SCALE_FLOOR["log"]},
        "n_edges": N_EDGES,
        "horizons": HP,
        "levels": [round(float(x), 6) for x in lv],
        "quantiles": np.round(Q, 5).tolist(),
        "n_series": counts.tolist(),
        "copula_w": round(w_best, 3),
        "copula_fit": {f"{a}-{b}": round(float(t), 3) for (a, b), t in zip(pairs, target,
                                                                           strict=True)},
    }
    return prof, err


def validate(series: list[np.ndarray], hold: int = 6) -> pd.DataFrame:
    """Pseudo hold-out inside the training parts: profile from ``z[:-hold]``, scores on ``z[-hold:]``."""
    inner = [z[:-hold] for z in series]
    prof, _ = build_from(inner)
    lv = np.asarray(prof["levels"])
    Q = np.asarray(prof["quantiles"])
    k = {u: int(np.argmin(np.abs(lv - u))) for u in (0.025, 0.1, 0.5, 0.9, 0.975)}
    rows = []
    for L in (None, 4, 6, 8, 10):
        wins = [z if L is None else z[-L:] for z in inner]
        G = max(len(w) for w in wins)
        Z = np.full((len(wins), G), np.nan)
        for i, w in enumerate(wins):
            Z[i, G - len(w):] = w
        act = np.stack([z[-hold:] for z in series])
        zhat, s, n = point_engine(Z, hold)
        s = np.maximum(s, SCALE_FLOOR["log"])
        b = np.clip(np.searchsorted(N_EDGES, n, side="right") - 1, 0, len(N_EDGES) - 1)

        def q(u: float, zhat=zhat, s=s, b=b) -> np.ndarray:
            return zhat + s[:, None] * Q[b, :hold, k[u]]

        f, a = np.exp(q(0.5)), np.exp(act)
        for name, m in ((("full" if L is None else f"last {L}"), np.ones(len(n), bool)),
                        ("full, n >= 20", n >= 20)):
            if L is not None and name.startswith("full,"):
                continue
            rows.append({
                "history": name, "series": int(m.sum()), "median_n": float(np.median(n[m])),
                "sMAPE": float(np.mean(200 * np.abs(a - f) / (a + f), axis=1)[m].mean()),
                "cover80": float(((act >= q(0.1)) & (act <= q(0.9)))[m].mean() * 100),
                "cover95": float(((act >= q(0.025)) & (act <= q(0.975)))[m].mean() * 100)})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA, help="folder holding m3_yearly_long.csv")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "output" / SHIPPED.name,
                    help="profile to write (default benchmarks/output/error_profile.json, git-ignored)")
    ap.add_argument("--write-profile", action="store_true",
                    help=f"write the shipped {SHIPPED.relative_to(ROOT)} instead of --out")
    ap.add_argument("--validate", action="store_true",
                    help="pseudo hold-out check on the last 6 TRAINING points; writes nothing")
    a = ap.parse_args(argv)
    if not (a.data / "m3_yearly_long.csv").exists():
        print(f"M3 yearly data not found: {a.data / 'm3_yearly_long.csv'} (use --data DIR)",
              file=sys.stderr)
        return 2
    if a.validate:
        print(validate(training_series(a.data)).round(2).to_string(index=False))
        return 0
    t = time.perf_counter()
    prof, err = build(a.data)
    if a.write_profile:
        a.out = SHIPPED
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(prof, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {a.out} from {len(err):,} scaled errors in {time.perf_counter() - t:.1f} s; "
          f"copula w = {prof['copula_w']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
