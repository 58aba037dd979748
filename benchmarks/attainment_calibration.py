"""Are the attainment probabilities calibrated? Two protocols on data the method never trained on
(see :mod:`calibration_cases`): synthetic plan targets on the M3 yearly hold-out (level, growth,
yoy) and real adoption shares (World Bank / ITU / Findex panel, origins 2013 and 2017).

Usage (from the project root)::

    python benchmarks/attainment_calibration.py [--m3 DIR] [--panel DIR] [--files A,B]
        [--origins 2013,2017] [--out DIR] [--no-ets] [--write-profile]

``--panel DIR`` scores any folder of panels in the adoption panel's tidy format (country_code,
year, value; bounds from its ``manifest.csv`` when there is one): by default the three panels of
issue 10 when the folder holds them, else every CSV in it (:func:`calibration_cases.panel_specs`).

Scores: Brier score, expected calibration error (ECE: 10 equal-width probability bins, mean
|mean p - observed frequency| weighted by bin size), reliability tables, the status bands of
``dxlib.engine.attainment.STATUS_CUTOFFS`` (mean p against observed frequency), results by g, h
and k, interval coverage; baselines: random walk with drift and statsmodels damped ETS (on a
subsample). Writes ``attainment_calibration.{md,json}`` and ``reliability.csv`` to --out
(default ``benchmarks/output/``, git-ignored) and prints the Markdown; the goal table of issue 10
is at the end. ``--write-profile`` also writes ``dxlib/profiles/attainment_calibration.json`` (reliability
tables, status bands, goals), the evidence the method-reliability report can show.
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

from calibration_cases import (  # noqa: E402
    PANEL_FILES,
    PANEL_K_THIN,
    PANEL_ORIGINS,
    m3_cases,
    panel_cases,
    panel_specs,
    usable,
)
from datadir import ROOT, find_data  # noqa: E402

from dxlib.engine.attainment import STATUS_CUTOFFS  # noqa: E402

SHIPPED = ROOT / "dxlib" / "profiles" / "attainment_calibration.json"
M3_MAIN_K = (3, 4, 5, 6, 8)  # the 116,100 cases; k = 2 is reported on its own
NEAR_BOUND = 90.0  # % of the bound: shares "near 100 %" reported apart (report 07 limits)


# ------------------------------------------------------------------ scores
def brier(p: np.ndarray, o: np.ndarray) -> float:
    return float(np.mean((p - o) ** 2))


def reliability(p: np.ndarray, o: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """One row per non-empty bin of width 1/bins: lo, hi, n, mean_p, observed."""
    b = np.clip((p * bins).astype(int), 0, bins - 1)
    t = pd.DataFrame({"b": b, "p": p, "o": o}).groupby("b").agg(
        n=("p", "size"), mean_p=("p", "mean"), observed=("o", "mean")).reset_index()
    t["lo"], t["hi"] = t["b"] / bins, (t["b"] + 1) / bins
    return t[["lo", "hi", "n", "mean_p", "observed"]]


def ece(p: np.ndarray, o: np.ndarray) -> float:
    t = reliability(p, o)
    return float((t["n"] * (t["mean_p"] - t["observed"]).abs()).sum() / t["n"].sum())


def bands(p: np.ndarray, o: np.ndarray) -> dict[str, dict[str, float]]:
    """Mean p and observed frequency per status band (on_track / at_risk / off_track)."""
    hi, lo = STATUS_CUTOFFS
    out = {}
    for name, m in (("on_track", p >= hi), ("at_risk", (p >= lo) & (p < hi)),
                    ("off_track", p < lo)):
        out[name] = {"n": int(m.sum()), "mean_p": float(p[m].mean()) if m.any() else np.nan,
                     "observed": float(o[m].mean()) if m.any() else np.nan}
    return out


def summary(c: pd.DataFrame) -> dict[str, float]:
    """n, Brier, ECE of dxlib, the baselines and dxlib on the ETS subsample."""
    c = c[c["p"].notna()]
    p, o = c["p"].to_numpy(), c["outcome"].to_numpy()
    out = {"n": len(c), "brier": brier(p, o), "ece": ece(p, o), "mean_p": float(p.mean()),
           "observed": float(o.mean())}
    nv = c["p_naive"].notna().to_numpy()
    if nv.any():
        out["brier_naive"] = brier(c["p_naive"].to_numpy()[nv], o[nv])
        out["brier_dxlib_on_naive_cases"] = brier(p[nv], o[nv])
    ev = c["p_ets"].notna().to_numpy()
    if ev.any():
        pe = c["p_ets"].to_numpy()[ev]
        out.update(n_ets=int(ev.sum()), brier_ets=brier(pe, o[ev]), ece_ets=ece(pe, o[ev]),
                   brier_dxlib_on_ets_cases=brier(p[ev], o[ev]),
                   ets_extreme=float(np.mean((pe < 0.1) | (pe > 0.9))))
    return out


def no_fall(c: pd.DataFrame) -> dict[str, float]:
    """P(no fall): mean p and observed frequency of the d = 0 targets (value >= last)."""
    nf = c[c["x"] == 0]
    return {"p_no_fall": float(nf["p"].mean()), "observed_no_fall": float(nf["outcome"].mean())}


def coverage(iv: pd.DataFrame) -> dict[str, float]:
    a = iv["actual"].to_numpy()
    return {"n": len(iv), "cover80": float(np.mean((a >= iv["q10"]) & (a <= iv["q90"])) * 100),
            "cover95": float(np.mean((a >= iv["q025"]) & (a <= iv["q975"])) * 100)}


# ------------------------------------------------------------------ the report
def figures(cases: pd.DataFrame, iv: pd.DataFrame) -> dict:
    m3 = cases[(cases["protocol"] == "m3")]
    main = m3[m3["k"].isin(M3_MAIN_K)]
    lvl = main[main["family"] == "level"]
    f: dict = {"m3": {fam: summary(main[main["family"] == fam])
                      for fam in ("level", "growth", "yoy")}}
    f["m3"]["bands_level"] = bands(lvl["p"].to_numpy(), lvl["outcome"].to_numpy())
    f["m3"]["by_g"] = {f"{g:g}": summary(s) for g, s in lvl.groupby("x")}
    f["m3"]["by_h"] = {int(h): summary(s) for h, s in lvl.groupby("h")}
    lv_all = m3[m3["family"] == "level"]
    f["m3"]["by_k"] = {int(k): summary(s) for k, s in lv_all.groupby("k")}
    k2 = lv_all[lv_all["k"] == 2]
    f["m3"]["bands_k2"] = bands(k2["p"].to_numpy(), k2["outcome"].to_numpy())
    f["m3"]["p_exactly_0_or_1_yoy_events"] = int(
        ((main["family"] == "yoy") & (main["p"] == 0) & (main["outcome"] == 1)).sum())
    ivm = iv[iv["protocol"] == "m3"]
    f["m3"]["coverage_by_h_k6"] = {int(h): coverage(s) for h, s in
                                   ivm[ivm["k"] == 6].groupby("h")}
    f["m3"]["coverage_by_k"] = {int(k): coverage(s) for k, s in ivm.groupby("k")}
    thin = (cases["protocol"] == "adoption") & cases["k"].isin(PANEL_K_THIN)
    ivthin = (iv["protocol"] == "adoption") & iv["k"].isin(PANEL_K_THIN)
    f["adoption_k2"] = {}
    for name, s in cases[thin].groupby("file"):
        f["adoption_k2"][name] = {
            **summary(s), "bands": bands(s["p"].to_numpy(), s["outcome"].to_numpy()), **no_fall(s),
            **coverage(iv[ivthin & (iv["file"] == name)])}
    ad = cases[(cases["protocol"] == "adoption") & ~thin]
    near, ivnear = ad["last_pct"] >= NEAR_BOUND, iv["last_pct"] >= NEAR_BOUND
    f["adoption_near_bound"] = {
        name: {**summary(s), **no_fall(s), "series": int(s["series"].nunique()),
               **coverage(iv[(iv["protocol"] == "adoption") & ~ivthin & ivnear
                             & (iv["file"] == name)])}
        for name, s in ad[near].groupby("file")}
    iva = iv[(iv["protocol"] == "adoption") & ~ivthin]
    f["adoption"] = {}
    for name, s in ad.groupby("file"):
        v = iva[iva["file"] == name]
        h6 = v[v["h"] == 6]
        f["adoption"][name] = {
            "class": str(s["family"].iloc[0]), **summary(s),
            "bands": bands(s["p"].to_numpy(), s["outcome"].to_numpy()), **no_fall(s),
            **coverage(v), "median_bias_h6": float((h6["q50"] - h6["actual"]).mean())
            if len(h6) else np.nan,
            "by_origin": {int(o): summary(x) for o, x in s.groupby("origin")},
            "by_k": {int(k): summary(x) for k, x in s.groupby("k")},
            "by_h": {int(h): summary(x) for h, x in s.groupby("h")},
            "by_d": {f"{d:g}": summary(x) for d, x in s.groupby("x")}}
    return f


def _pct(x: float) -> str:
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.3f}"


def goals(f: dict) -> list[tuple[str, str, bool]]:
    m = f["m3"]
    gs: list[tuple[str, str, bool]] = [
        ("M3 level ECE ≤ 0.015", _pct(m["level"]["ece"]), m["level"]["ece"] <= 0.015)]
    worst = max(abs(b["mean_p"] - b["observed"]) for b in m["bands_level"].values())
    gs.append(("M3 every status band within ±0.03", f"worst {worst:.3f}", worst <= 0.03))
    dev = max(abs(v["mean_p"] - v["observed"]) for g, v in m["by_g"].items() if float(g) >= 0.1)
    gs.append(("M3 g ≥ 0.1: mean p within ±0.02", f"worst {dev:.3f}", dev <= 0.02))
    gs.append(("M3 growth ECE ≤ 0.02", _pct(m["growth"]["ece"]), m["growth"]["ece"] <= 0.02))
    gs.append(("M3 yoy ECE ≤ 0.025", _pct(m["yoy"]["ece"]), m["yoy"]["ece"] <= 0.025))
    gs.append(("M3 2-point ECE ≤ 0.03", _pct(m["by_k"][2]["ece"]), m["by_k"][2]["ece"] <= 0.03))
    gs.append(("M3 level Brier ≤ 0.0965", f"{m['level']['brier']:.4f}",
               m["level"]["brier"] <= 0.0965))
    for name, a in f["adoption"].items():
        gs.append((f"{name}: ECE ≤ 0.04", _pct(a["ece"]), a["ece"] <= 0.04))
        ar = a["bands"]["at_risk"]
        d = abs(ar["mean_p"] - ar["observed"])
        gs.append((f"{name}: at_risk band ±0.05", f"{ar['mean_p']:.2f} vs {ar['observed']:.2f}",
                   d <= 0.05))
        d = abs(a["p_no_fall"] - a["observed_no_fall"])
        gs.append((f"{name}: P(no fall) ±0.05",
                   f"{a['p_no_fall']:.2f} vs {a['observed_no_fall']:.2f}", d <= 0.05))
        ok = 76 <= a["cover80"] <= 84 and 92 <= a["cover95"] <= 98
        gs.append((f"{name}: coverage 80/95 in 76–84 / 92–98",
                   f"{a['cover80']:.1f} / {a['cover95']:.1f}", ok))
    return gs


def markdown(f: dict, seconds: float) -> str:
    m = f["m3"]
    L = ["## Attainment calibration", "",
         f"Wall time {seconds:.1f} s.", "",
         "| data | family | n | Brier | ECE | mean p | observed | Brier RW drift | Brier ETS "
         "(dxlib same cases) | ETS share p<0.1 or >0.9 |", "|---|---|---|---|---|---|---|---|---|---|"]

    def row(data: str, fam: str, s: dict) -> str:
        ets = (f"{s['brier_ets']:.4f} ({s['brier_dxlib_on_ets_cases']:.4f})"
               if "brier_ets" in s else "–")
        return (f"| {data} | {fam} | {s['n']} | {s['brier']:.4f} | {s['ece']:.3f} | "
                f"{s['mean_p']:.3f} | {s['observed']:.3f} | {s.get('brier_naive', np.nan):.4f} | "
                f"{ets} | {s.get('ets_extreme', np.nan):.2f} |")
    for fam in ("level", "growth", "yoy"):
        L.append(row("M3 k=3..8", fam, m[fam]))
    for name, a in f["adoption"].items():
        L.append(row(name, a["class"], a))
    L += ["", "Status bands (mean p / observed):", "",
          "| data | on_track | at_risk | off_track |", "|---|---|---|---|"]

    def bl(b: dict) -> str:
        return " | ".join(f"{b[s]['mean_p']:.3f} / {b[s]['observed']:.3f} (n {b[s]['n']})"
                          for s in ("on_track", "at_risk", "off_track"))
    L.append(f"| M3 level k=3..8 | {bl(m['bands_level'])} |")
    L.append(f"| M3 level k=2 | {bl(m['bands_k2'])} |")
    for name, a in f["adoption"].items():
        L.append(f"| {name} | {bl(a['bands'])} |")
    L += ["", "M3 level by g: " + ", ".join(
        f"g={g}: {v['mean_p']:.3f} vs {v['observed']:.3f}" for g, v in m["by_g"].items()),
        "", "M3 level ECE by h: " + ", ".join(f"{h}: {v['ece']:.3f}"
                                             for h, v in m["by_h"].items()),
        "", "M3 level ECE by k: " + ", ".join(f"{k}: {v['ece']:.3f}"
                                             for k, v in m["by_k"].items()),
        "", "M3 80 % coverage by h (6-point histories): " + ", ".join(
            f"{v['cover80']:.1f}" for v in m["coverage_by_h_k6"].values()),
        "", f"M3 yoy events that happened with p = 0 exactly: {m['p_exactly_0_or_1_yoy_events']}",
        "", "| panel | P(no fall) p / obs | cover80 | cover95 | median − actual at h=6 (pp) | "
        "ECE by origin | ECE by k |", "|---|---|---|---|---|---|---|"]
    for name, a in f["adoption"].items():
        L.append(f"| {name} | {a['p_no_fall']:.2f} / {a['observed_no_fall']:.2f} | "
                 f"{a['cover80']:.1f} | {a['cover95']:.1f} | {a['median_bias_h6']:+.2f} | "
                 + ", ".join(f"{o}: {v['ece']:.3f}" for o, v in a["by_origin"].items()) + " | "
                 + ", ".join(f"{k}: {v['ece']:.3f}" for k, v in a["by_k"].items()) + " |")
    L += ["", "Two-value histories (k = 2, reported apart, not in the goals):", "",
          "| panel | n | Brier | ECE | at_risk band p / obs | P(no fall) p / obs | cover80 | "
          "cover95 |", "|---|---|---|---|---|---|---|---|"]
    for name, a in f["adoption_k2"].items():
        ar = a["bands"]["at_risk"]
        L.append(f"| {name} | {a['n']} | {a['brier']:.4f} | {a['ece']:.3f} | "
                 f"{ar['mean_p']:.2f} / {ar['observed']:.2f} | {a['p_no_fall']:.2f} / "
                 f"{a['observed_no_fall']:.2f} | {a['cover80']:.1f} | {a['cover95']:.1f} |")
    L += ["", f"Near the bound (last value ≥ {NEAR_BOUND:g} % of it; k = 3, 4, 6; reported apart, "
          "not in the goals; the share class has 27 training values above 90 %):", "",
          "| panel | series | outcome years | Brier | ECE | P(no fall) p / obs | cover80 | cover95 |",
          "|---|---|---|---|---|---|---|---|"]
    for name, a in f.get("adoption_near_bound", {}).items():
        L.append(f"| {name} | {a['series']} | {a['n']} | {a['brier']:.4f} | {a['ece']:.3f} | "
                 f"{a['p_no_fall']:.2f} / {a['observed_no_fall']:.2f} | {a['cover80']:.1f} | "
                 f"{a['cover95']:.1f} |")
    L += ["", "| goal | result | met |", "|---|---|---|"]
    L += [f"| {g} | {r} | {'met' if ok else '**missed**'} |" for g, r, ok in goals(f)]
    return "\n".join(L) + "\n"


def _origins(text: str) -> tuple[int, ...]:
    """``"2013,2017"`` -> (2013, 2017); SystemExit with one line otherwise."""
    try:
        years = tuple(int(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise SystemExit(f"--origins: found {text!r}; expected comma-separated years such as "
                         "2013,2017") from None
    if not years or not all(1800 <= y <= 2100 for y in years) or len(set(years)) < len(years):
        raise SystemExit(f"--origins: found {text!r}; expected distinct years 1800-2100")
    return years


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--m3", help="folder of m3_yearly_long.csv")
    ap.add_argument("--panel", help="folder of the adoption panel CSVs")
    ap.add_argument("--files", help="comma-separated panel files (stems or names) to score; "
                    "default: the issue's three when present, else every CSV of --panel")
    ap.add_argument("--origins", help=f"comma-separated origin years (default "
                    f"{','.join(map(str, PANEL_ORIGINS))}; outcomes in the 6 years after each)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "output"))
    ap.add_argument("--no-ets", action="store_true", help="skip the statsmodels baseline")
    ap.add_argument("--write-profile", action="store_true",
                    help=f"also write the evidence shipped with dxlib ({SHIPPED.name}: "
                         "reliability tables, status bands, goals) for the method report")
    a = ap.parse_args(argv)
    files = [f.strip() for f in a.files.split(",") if f.strip()] if a.files else None
    origins = _origins(a.origins) if a.origins else PANEL_ORIGINS
    if a.write_profile and (files or a.origins):
        raise SystemExit("--write-profile writes the evidence of the issue's protocol: it "
                         "cannot be combined with --files or --origins")
    t0 = time.perf_counter()
    m3_dir = find_data("m3_yearly", a.m3)
    panels = panel_specs(find_data("adoption_panel", a.panel), files)  # checked before any work
    skipped = [p.name for p in panels if not usable(p, origins)]
    panels = [p for p in panels if p.name not in skipped]
    if not panels:
        raise SystemExit(f"{', '.join(skipped)}: no history ending in "
                         f"{', '.join(map(str, origins))} with an outcome after it")
    if a.write_profile and ([p.name for p in panels] != list(PANEL_FILES)
                            or any(p.upper != 100 for p in panels)):
        raise SystemExit(f"--write-profile: scoring {', '.join(p.name for p in panels)}; "
                         f"expected the issue's panels {', '.join(PANEL_FILES)} (shares of 100)")
    for name in skipped:
        print(f"{name}: no history ending in {', '.join(map(str, origins))} with an outcome "
              "after it; not scored", file=sys.stderr)
    c1, i1 = m3_cases(m3_dir, ets=not a.no_ets)
    c2, i2 = panel_cases(panels, ets=not a.no_ets, origins=origins)
    cases, iv = pd.concat([c1, c2], ignore_index=True), pd.concat([i1, i2], ignore_index=True)
    f = figures(cases, iv)
    seconds = time.perf_counter() - t0
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    md = markdown(f, seconds)
    (out / "attainment_calibration.md").write_text(md, encoding="utf-8")
    (out / "attainment_calibration.json").write_text(
        json.dumps({"seconds": seconds, **f}, indent=1, default=float), encoding="utf-8")
    rel = []
    main_cases = cases[~((cases["protocol"] == "adoption") & cases["k"].isin(PANEL_K_THIN))]
    for (proto, fam, file), s in main_cases.groupby(["protocol", "family", "file"]):
        s = s[s["p"].notna()]
        rel.append(reliability(s["p"].to_numpy(), s["outcome"].to_numpy()).assign(
            protocol=proto, family=fam, file=file))
    rel = pd.concat(rel)
    rel.to_csv(out / "reliability.csv", index=False)
    if a.write_profile:
        shipped = {
            "source": "benchmarks/attainment_calibration.py (M3 yearly hold-out, synthetic plan "
                      "targets; adoption panel, origins 2013 and 2017)",
            "summary": {"m3_" + fam: f["m3"][fam] for fam in ("level", "growth", "yoy")}
            | {name: {k: v for k, v in x.items() if not k.startswith("by_") and k != "class"}
               for name, x in f["adoption"].items()},
            "bands": {"m3_level": f["m3"]["bands_level"]}
            | {name: x["bands"] for name, x in f["adoption"].items()},
            "reliability": rel.round(4).to_dict("records"),
            "goals": [{"goal": g, "result": r, "met": bool(ok)} for g, r, ok in goals(f)]}
        SHIPPED.write_text(json.dumps(shipped, indent=1, ensure_ascii=False, default=float)
                           + "\n", encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except SystemExit as stop:  # bad input: one line, exit status 2 (nothing was written)
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
            raise SystemExit(2) from None
        raise
