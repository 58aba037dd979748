"""The rules every attainment row follows: comparators, the statuses and their probability
cut-offs, how a probability is shown, note codes, average growth, the bound tolerance of
observed shares and the reported projection interval.

Shared by :mod:`dxlib.engine.attainment` and the modules that judge one kind of target
(:mod:`dxlib.engine.targets_level`, :mod:`~dxlib.engine.targets_growth`,
:mod:`~dxlib.engine.targets_ratio`, :mod:`~dxlib.engine.censoring`); the statuses are described
in :mod:`dxlib.engine.attainment`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from dxlib.engine.scales import BOUND_TOL

#: probability cut-offs: on_track >= 0.7 > at_risk >= 0.3 > off_track
STATUS_CUTOFFS: tuple[float, float] = (0.7, 0.3)
STATUSES: tuple[str, ...] = (
    "achieved", "met_early", "on_track", "at_risk", "off_track", "not_achieved",
    "insufficient_data", "qualitative",
)
#: bounds within which a forecast (not observed) probability is shown, see shown_probability
SHOWN_BOUNDS: tuple[float, float] = (0.001, 0.999)
#: the 80 % interval reported as projected_low / projected_high
INTERVAL: tuple[float, float] = (0.1, 0.9)


class Note(NamedTuple):
    """Why a row has its status, or how to read it: a ``code`` and its arguments (``args``: name,
    value pairs; years as int, values in the target's unit). A row's ``note`` is a tuple of them
    (or None); :func:`dxlib.report.words.note_text` words it in each language, English for the
    assessment CSV."""

    code: str
    args: tuple[tuple[str, int | float], ...] = ()


def note(code: str, **args: int | float) -> tuple[Note, ...]:
    """One :class:`Note` as a one-element tuple, ready to be joined with ``+`` to a row's notes."""
    return (Note(code, tuple(args.items())),)


_OPS = {
    ">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less,
}


def compare(values: np.ndarray | float, comparator: str, threshold: float) -> np.ndarray:
    """Elementwise ``values <comparator> threshold`` (NaN compares False)."""
    return _OPS[comparator](np.asarray(values, dtype=float), threshold)


def status_from_probability(p: float) -> str | None:
    """on_track / at_risk / off_track by :data:`STATUS_CUTOFFS`; None for a missing (NaN)
    probability, which never maps to a status."""
    if p is None or math.isnan(p):
        return None
    hi, lo = STATUS_CUTOFFS
    return "on_track" if p >= hi else ("off_track" if p < lo else "at_risk")


def shown_probability(p: float, status: str | None) -> float:
    """The probability as it is shown: a forecast probability is never shown as exactly 0 or 1
    (the forecast cannot be that sure), so it is clipped to :data:`SHOWN_BOUNDS` and the report
    prints "< 0.1 %" / "> 99.9 %" at the clip; an observed outcome (``achieved``,
    ``not_achieved``) keeps 0 or 1. The ``probability`` column keeps the unclipped value."""
    if status in ("achieved", "not_achieved") or p is None or math.isnan(p):
        return p
    lo, hi = SHOWN_BOUNDS
    return min(max(p, lo), hi)


def snap_to_bounds(values: np.ndarray | float, kind: str, lower: float, upper: float,
                   threshold: float | None = None) -> np.ndarray:
    """Values of a bounded series (share, index) within the bound tolerance of a bound count as
    at the bound (99.97 % of a 0-100 share is 100 %), as the forecasts do; see
    :data:`dxlib.engine.scales.BOUND_TOL`. Same shape as ``values``.

    With a ``threshold`` (an observed value judged against a target) a value is snapped only
    toward a bound that *is* the threshold (99.97 % counts as 100 % against "≥ 100 %"), never
    toward the other bound: against "≥ 0.3 %" an observed 0.4 % stays 0.4 %, so the rule cannot
    flip a comparison with a threshold inside the range. Without one (forecast samples) values
    are snapped to both bounds."""
    v = np.array(values, dtype=float)
    if kind in ("share", "index") and not (math.isnan(lower) or math.isnan(upper)):
        tol = BOUND_TOL * (upper - lower)
        to_upper = threshold is None or threshold == upper
        to_lower = threshold is None or threshold == lower
        if to_upper:
            v = np.where(v >= upper - tol, upper, v)
        if to_lower:
            v = np.where(v <= lower + tol, lower, v)
    return v


def cagr(first: float, last: float, years: float) -> float:
    """Average annual growth in % a year; NaN when undefined (non-positive values, no span)."""
    if years <= 0 or not (first > 0 and last > 0):
        return math.nan
    return ((last / first) ** (1.0 / years) - 1.0) * 100.0


def fill_projection(row: dict, samples: np.ndarray) -> None:
    """Set ``row``'s ``projected_median``, ``projected_low`` and ``projected_high`` to the
    median and the :data:`INTERVAL` quantiles of ``samples`` (shape (n,), NaN ignored)."""
    lo, hi = INTERVAL
    q = np.nanquantile(samples, [0.5, lo, hi])
    row.update(projected_median=float(q[0]), projected_low=float(q[1]), projected_high=float(q[2]))
