"""Round 4 of issue 10: what a share-class candidate does to falling and rising series (training
data only; no outcome after 2012 is read). Builds the share profile with the bias rule named (as
``build_error_profile.py --class share`` would, era effect and map included) into
``benchmarks/output/share_<bias>.json`` and prints the forecast medians at h = 1..6 of a few
plan-like series, the 90 % quantile of a steadily rising one, and every series' 80 % interval
(10 % and 90 % quantiles) at h = 1 and h = 6 (the fan check of round 5).

Usage (from the project root)::

    python benchmarks/direction_check.py learned|rising|split|none [--rising-map|--direction-map]
                                         [--min-level 1] [--resolution 0.001]
                                         [--cap non_rising]

``--rising-map``: the PIT map learned on rising windows and applied to rising series only
(round 4b, ``map: rising``); ``--direction-map``: the same for rising series, and the
non-rising windows' map made symmetric for the others (round 5, ``map: direction``);
``--min-level X``: learn only from windows whose values are all >= X % of the bound (round 6);
``--resolution R``: the own scale floored at the publication resolution R (round 7; the shipped
class has 0.001 since round 8); ``--cap non_rising``: a falling or flat series' median held at
or below its damped trend (round 9).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import build_error_profile as bep  # noqa: E402

import dxlib.engine.profiles as engine_profiles  # noqa: E402
from dxlib.forecast import forecast  # noqa: E402
from dxlib.profiles import load_profile  # noqa: E402

SERIES = {"falling, 2 values": [60, 55], "falling, 2 values, near the bound": [95, 90],
          "falling, 4 values": [70, 66, 61, 55], "flat, 3 values": [40, 40, 40],
          "rising, 2 values": [50, 55],
          "rising, 5 values": [10, 12, 14.5, 16, 18]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bias", nargs="?", default="learned", choices=["learned", "rising", "split",
                                                                   "none", "direction"])
    maps = ap.add_mutually_exclusive_group()
    maps.add_argument("--rising-map", dest="map", action="store_const", const="rising")
    maps.add_argument("--direction-map", dest="map", action="store_const", const="direction")
    ap.add_argument("--min-level", type=float, help="% of the bound (round 6)")
    ap.add_argument("--resolution", type=float, help="fraction of the bound (round 7)")
    ap.add_argument("--cap", choices=["non_rising"],
                    help="hold a falling or flat series' median at its damped trend (round 9)")
    a = ap.parse_args(argv)
    opts = {o: x for o, x in (("min_level", a.min_level), ("resolution", a.resolution),
                              ("cap", a.cap)) if x is not None}
    bias, by_direction = a.bias, a.map or ""
    name = bias + (f"_{by_direction}_map" if by_direction else "") + "".join(
        f"_{o}{x:g}" if isinstance(x, float) else f"_{o}_{x}" for o, x in opts.items())
    out = bep.ROOT / "benchmarks" / "output" / f"share_{name}.json"
    bep.METHODS["share"] = {**bep.METHODS["share"], "bias": bias} | (
        {"map": by_direction} if by_direction else {}) | opts
    bep.main(["--class", "share", "--out", str(out)])
    prof = load_profile.__wrapped__("share")  # the shipped grid, then the candidate's tables
    cand = json.loads(out.read_text(encoding="utf-8"))
    prof.update({k: np.asarray(cand[k], float) if k == "quantiles" else cand[k]
                 for k in ("quantiles", "method", "recalibration")})
    engine_profiles.load_profile = lambda c: prof if c == "share" else load_profile(c)
    rows = [(s, 2020 + i, v, "share", 0.0, 100.0) for s, vs in SERIES.items()
            for i, v in enumerate(vs)]
    fc = forecast(pd.DataFrame(rows, columns=["series_id", "year", "value", "kind", "lower",
                                              "upper"]), 6, n_samples=2000, seed=0)
    for s, vs in SERIES.items():
        years = fc.series.loc[s, "last_year"] + np.arange(1, 7)
        q = fc.quantiles_many(np.repeat(s, 6), years, [0.1, 0.5, 0.9])
        print(f"{name:18s} {s:36s} last {vs[-1]:5g}  median h1..6 {np.round(q[:, 1], 1)}"
              + (f"  q90 {np.round(q[:, 2], 1)}" if s == "rising, 5 values" else "")
              + f"  80 % h1 {q[0, 0]:.1f}-{q[0, 2]:.1f}, h6 {q[5, 0]:.1f}-{q[5, 2]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
