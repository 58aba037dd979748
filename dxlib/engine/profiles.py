"""The tables of the reference classes that a forecast uses, stacked on one grid: scaled-error
quantiles, copula weights, method constants and recalibration maps (:mod:`dxlib.profiles` loads
the shipped JSON; this module checks that the classes fit together and orients the errors)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dxlib.engine.recalibration import Recalibration
from dxlib.profiles import load_profile

#: the bias rules a profile's ``method`` may name (:meth:`ClassTables.error_rows`)
BIAS_RULES: tuple[str, ...] = ("learned", "centred", "direction", "rising", "split", "none")
#: the centring rules a profile's ``method`` may name as ``cap`` (:func:`median_excess`)
CAP_RULES: tuple[str, ...] = ("non_rising",)


def oriented(q: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Quantile rows q (n, K) at levels symmetric around 0.5, oriented by ``direction`` (n,):
    +1 as stored, -1 mirrored (the error of a falling series is minus that of a rising one:
    level u -> -q(1 - u)), 0 the symmetric mean of both (no trend, no bias)."""
    d = direction[:, None]
    mirror = -q[:, ::-1]
    return np.where(d > 0, q, np.where(d < 0, mirror, (q + mirror) / 2))


@dataclass
class ClassTables:
    """Profiles of the classes ``names`` (sorted): ``levels`` (K,), ``edges`` (B,) lower edges of
    the history buckets, ``Q`` (R, B, Hp, K) scaled-error quantiles, one row per class or, for a
    class with ``bias: split``, three (falling, all, rising series), class c's first row
    ``qbase[c]``; ``w`` (C,) copula weights, ``methods`` (C,) method constants, ``recal`` the
    recalibration maps."""

    names: tuple[str, ...]
    levels: np.ndarray
    edges: np.ndarray
    Q: np.ndarray
    qbase: np.ndarray
    w: np.ndarray
    methods: list[dict[str, Any]]
    recal: Recalibration

    def error_rows(self, c: int, direction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For series of class ``c`` with trend ``direction`` (n,): their row of ``Q`` (n,) and
        the orientation of its errors (n,; :func:`oriented`) under the class's ``bias``:
        ``split``: the profile of falling (direction < 0), rising (> 0) or all series (0), as
        stored; ``learned`` / ``centred``: as stored; ``direction``: by the trend's sign;
        ``rising``: as stored for a rising series, symmetrised for a falling or flat one (the
        learned bias never points against the trend); ``none``: symmetrised."""
        try:
            part, orient = bias_rows(self.methods[c].get("bias", "learned"), direction)
        except ValueError as e:
            raise ValueError(f"reference class {self.names[c]!r}: {e}") from None
        return self.qbase[c] + part, orient


def bias_rows(bias: str, direction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The bias rule ``bias`` for series with trend ``direction`` (n,): the part of a profile
    each series uses (n,; 0, 1, 2 = falling, all, rising for ``split``, else 0) and the
    orientation of its errors (n,; :func:`oriented`); see :meth:`ClassTables.error_rows`.
    ValueError for a rule not in :data:`BIAS_RULES`."""
    if bias not in BIAS_RULES:
        raise ValueError(f"bias {bias!r} is not one of {BIAS_RULES}")
    direction = np.asarray(direction, float)
    n = len(direction)
    if bias == "split":
        return np.sign(direction).astype(int) + 1, np.ones(n)
    orient = np.ones(n) if bias in ("learned", "centred") else (
        np.sign(direction) if bias == "direction" else
        (direction > 0).astype(float) if bias == "rising" else np.zeros(n))
    return np.zeros(n, int), orient


def quantiles_at(zq: np.ndarray, levels: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Row-wise linear interpolation of quantile rows ``zq`` (n, K), given at ``levels`` (K,),
    at the levels ``u`` (n, m) in [0, 1]; returns (n, m)."""
    j = np.clip(np.searchsorted(levels, u, side="right") - 1, 0, len(levels) - 2)
    w = (u - levels[j]) / (levels[j + 1] - levels[j])
    return np.take_along_axis(zq, j, 1) * (1 - w) + np.take_along_axis(zq, j + 1, 1) * w


def median_excess(zq: np.ndarray, levels: np.ndarray, u_half: np.ndarray,
                  zhat: np.ndarray) -> np.ndarray:
    """How far the median of each calibrated distribution lies above its point ``zhat`` (n,),
    floored at 0, on the transformed scale: ``zq`` (n, K) the raw distribution's quantiles at
    ``levels`` (K,), ``u_half`` (n,) the raw level of the calibrated median, ``R^{-1}(1/2)``.
    Subtracting it from the location holds the median of a falling or flat series at or below
    its damped trend (``cap: non_rising``, round 9 of issue 10) and keeps the calibrated shape."""
    z_med = quantiles_at(zq, levels, np.asarray(u_half, float)[:, None])[:, 0]
    return np.maximum(z_med - zhat, 0.0)


def class_tables(names: tuple[str, ...]) -> ClassTables:
    """Load and stack the profiles of ``names``; ValueError if they do not share one grid."""
    profs = [load_profile(c) for c in names]
    if not profs:
        return ClassTables(names, np.array([0.0, 1.0]), np.array([2]), np.zeros((0, 1, 1, 2)),
                           np.zeros(0, int), np.zeros(0), [], Recalibration([]))
    levels, edges = profs[0]["levels"], profs[0]["n_edges"]
    for pr in profs:
        if len(pr["levels"]) != len(levels) or not np.allclose(pr["levels"], levels) or \
                not np.array_equal(pr["n_edges"], edges):
            raise ValueError("the reference-class profiles do not share one grid")
    blocks = [pr["quantiles"] if pr["method"].get("bias") == "split" else pr["quantiles"][None]
              for pr in profs]
    for b, pr, name in zip(blocks, profs, names, strict=True):
        if pr["method"].get("cap") not in (None, *CAP_RULES):
            raise ValueError(f"profile {name}: cap {pr['method']['cap']!r} is not one of "
                             f"{CAP_RULES}")
        split = pr["method"].get("bias") == "split"
        if b.ndim != 4 or len(b) != (3 if split else 1):
            raise ValueError(f"profile {name}: quantiles of shape {b.shape[int(not split):]}; "
                             f"expected {'(3, B, H, K) with bias split' if split else '(B, H, K)'}")
        if b.shape[1:] != blocks[0].shape[1:]:
            raise ValueError("the reference-class profiles do not share one grid")
    qbase = np.cumsum([0] + [len(b) for b in blocks[:-1]])
    return ClassTables(names, levels, edges, np.concatenate(blocks), qbase,
                       np.array([float(pr["copula_w"]) for pr in profs]),
                       [pr["method"] for pr in profs],
                       Recalibration([pr.get("recalibration") for pr in profs]))
