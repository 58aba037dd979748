"""The tables of the reference classes that a forecast uses, stacked on one grid: scaled-error
quantiles, copula weights, method constants and recalibration maps (:mod:`dxlib.profiles` loads
the shipped JSON; this module checks that the classes fit together and orients the errors)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dxlib.engine.recalibration import Recalibration
from dxlib.profiles import load_profile


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
    the history buckets, ``Q`` (C, B, Hp, K) scaled-error quantiles, ``w`` (C,) copula weights,
    ``methods`` (C,) method constants, ``recal`` the recalibration maps."""

    names: tuple[str, ...]
    levels: np.ndarray
    edges: np.ndarray
    Q: np.ndarray
    w: np.ndarray
    methods: list[dict[str, Any]]
    recal: Recalibration


def class_tables(names: tuple[str, ...]) -> ClassTables:
    """Load and stack the profiles of ``names``; ValueError if they do not share one grid."""
    profs = [load_profile(c) for c in names]
    if not profs:
        return ClassTables(names, np.array([0.0, 1.0]), np.array([2]), np.zeros((0, 1, 1, 2)),
                           np.zeros(0), [], Recalibration([]))
    levels, edges = profs[0]["levels"], profs[0]["n_edges"]
    for pr in profs:
        if len(pr["levels"]) != len(levels) or not np.allclose(pr["levels"], levels) or \
                not np.array_equal(pr["n_edges"], edges):
            raise ValueError("the reference-class profiles do not share one grid")
    return ClassTables(names, levels, edges, np.stack([pr["quantiles"] for pr in profs]),
                       np.array([float(pr["copula_w"]) for pr in profs]),
                       [pr["method"] for pr in profs],
                       Recalibration([pr.get("recalibration") for pr in profs]))
