"""The candidate methods that ``build_error_profile.py --validate`` compares on training data
only (issue 10, rounds 1-9; benchmarks/README.md says which was chosen, by which rule, and why):
method constants of the point engine (damping ``phi``, ``phi_two`` for two-point histories,
combination ``weights``), the ``bias`` rule of the error profile and, for shares, the era effect,
the PIT map by direction (``map``), the learning filter ``min_level``, the scale floor
``resolution`` and the centring rule ``cap``. The shipped choice per class is
``build_error_profile.METHODS``."""

from __future__ import annotations

EQUAL = {"naive": 1.0, "ddrift": 1.0, "theta": 1.0}
NO_NAIVE = {"naive": 0.0, "ddrift": 1.0, "theta": 1.0}
#: candidates compared by --validate
CANDIDATES: dict[str, dict] = {
    "M3 constants, bias as learned": {"phi": 0.8, "phi_two": 0.3, "weights": EQUAL,
                                      "bias": "learned"},
    "M3 constants, direction-aware": {"phi": 0.8, "phi_two": 0.3, "weights": EQUAL,
                                      "bias": "direction"},
    "M3 constants, no bias correction": {"phi": 0.8, "phi_two": 0.3, "weights": EQUAL,
                                         "bias": "none"},
    "M3 constants, a quarter of the learned bias (shape kept)": {
        "phi": 0.8, "phi_two": 0.3, "weights": EQUAL, "bias": "centred", "keep_bias": 0.25},
    "M3 constants, half the learned bias (shape kept)": {
        "phi": 0.8, "phi_two": 0.3, "weights": EQUAL, "bias": "centred", "keep_bias": 0.5},
    "M3 constants, profiles of rising and falling series": {
        "phi": 0.8, "phi_two": 0.3, "weights": EQUAL, "bias": "split"},
    "undamped drift + theta, direction-aware": {
        "phi": 1.0, "phi_two": 0.3, "weights": NO_NAIVE, "bias": "direction"},
    "undamped drift + theta (logistic diffusion), bias as learned": {
        "phi": 1.0, "phi_two": 0.3, "weights": NO_NAIVE, "bias": "learned"},
    "undamped drift + theta (logistic diffusion), no bias correction": {
        "phi": 1.0, "phi_two": 0.3, "weights": NO_NAIVE, "bias": "none"},
}
#: the round-2 share method that the era-effect candidates extend
ROUND2_SHARE = CANDIDATES["M3 constants, bias as learned"]
#: era-effect candidates (round 3; share class only: the groups are (file, origin year)): the
#: cells widened by the era effect on the scale named, the PIT map learned on the PITs of the
#: widened profiles ("widened") or of the profiles before widening ("raw": applied to the widened
#: CDF; "after", probit only: the map first, then the widening, shipped as the composed map)
ERA_CANDIDATES: dict[str, dict] = {
    f"M3 constants, bias as learned, era effect ({scale}), map {how}": {
        **ROUND2_SHARE, "era": scale, "era_map": mp}
    for scale, mp, how in (("scaled", "widened", "learned with widening"),
                           ("scaled", "raw", "learned before widening"),
                           ("probit", "widened", "learned with widening"),
                           ("probit", "raw", "learned before widening"),
                           ("probit", "after", "before widening, widening last"))}
#: round 4: direction-aware share profiles: one learned from falling windows and one from rising
#: ones; the learned bias for rising series only (falling and flat ones symmetrised); none
ERA_CANDIDATES.update({
    f"{label}, era effect (probit), map before widening, widening last": {
        **ROUND2_SHARE, "bias": bias, "era": "probit", "era_map": "after"}
    for label, bias in (("profiles of rising and falling series", "split"),
                        ("learned bias for rising series only", "rising"),
                        ("no bias correction", "none"))})
#: round 4b: the rising-only bias with a map learned on, and applied to, rising series only
ERA_CANDIDATES["learned bias and map for rising series only, era effect (probit), widening "
               "last"] = {**ROUND2_SHARE, "bias": "rising", "map": "rising", "era": "probit",
                          "era_map": "after"}
#: round 5: as 4b, and for falling and flat series the non-rising windows' map made symmetric
ERA_CANDIDATES["learned bias and map for rising series, spread-only map for the others, era "
               "effect (probit), widening last"] = {
    **ROUND2_SHARE, "bias": "rising", "map": "direction", "era": "probit", "era_map": "after"}
#: round 6: the same four rules learned only from windows of shares >= 1 % of the bound
ERA_CANDIDATES.update({
    f"shares >= 1 %: {label}, era effect (probit), widening last": {
        **ROUND2_SHARE, "min_level": 1.0, "era": "probit", "era_map": "after", **rule}
    for label, rule in (("bias as learned", {}),
                        ("learned bias and map for rising series only",
                         {"bias": "rising", "map": "rising"}),
                        ("learned bias and map for rising series, spread-only map for the others",
                         {"bias": "rising", "map": "direction"}),
                        ("profiles of rising and falling series", {"bias": "split"}))})
#: round 7: the own scale of a share floored at its publication resolution (0.1 pp of the bound)
ERA_CANDIDATES.update({
    f"resolution floor: {label}, era effect (probit), widening last": {
        **ROUND2_SHARE, "resolution": 0.001, "era": "probit", "era_map": "after", **rule}
    for label, rule in (("bias as learned", {}),
                        ("learned bias and map for rising series only",
                         {"bias": "rising", "map": "rising"}),
                        ("profiles of rising and falling series", {"bias": "split"}))})
#: round 9: the shipped class of round 8 with a falling or flat share's median held at or below
#: its damped trend (shifted down after the map and the widening; rising series untouched)
ERA_CANDIDATES["median held at the damped trend for falling and flat shares: resolution floor, "
               "bias as learned, era effect (probit), widening last"] = {
    **ROUND2_SHARE, "resolution": 0.001, "era": "probit", "era_map": "after", "cap": "non_rising"}
