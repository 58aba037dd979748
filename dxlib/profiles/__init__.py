"""Error profiles of the reference classes, shipped with dxlib, and the M3 benchmark evidence.

A reference class is the kind of data whose past forecast errors stand in for a series' future
ones. Each class has one JSON file ``<class>.json`` written by ``benchmarks/build_error_profile.py``
with its provenance (which data, which years), its method constants and its scaled-error
quantiles:

``level``
    money, populations, counts, ranks (and series without a kind): the TRAINING parts of the 645
    M3 yearly series.
``share``
    shares and bounded indices on the logit scale: the adoption panel (internet users %, fixed
    broadband and personal computers per 100 people; World Bank WDI / ITU), outcomes up to 2012
    only.

Profile layout: ``levels`` (K,), symmetric around 0.5; ``n_edges`` (B,) lower edges of the
history-length buckets; ``quantiles`` (B, H, K) scaled errors ``(z_actual - zhat) / s`` by bucket
and horizon h = 1..H; ``copula_w``; ``method`` (``phi``, ``phi_two``, ``weights``,
``bias``: ``learned`` (the profile's median error is added as is), ``centred`` (each cell's
median error shrunk to the fraction ``keep_bias`` of itself when the profile was built, the
shape of the errors kept: the profile is then used as stored), ``direction`` (errors
oriented by the sign of the series' trend), ``split`` (``quantiles`` is (3, B, H, K): profiles
learned from falling, from all and from rising series; each series uses the one of its trend's
direction, a flat one the pooled one), ``rising`` (as stored for a rising series, symmetrised
for a falling or flat one) or ``none`` (symmetrised, median 0), see
:mod:`dxlib.engine.forecast`; optionally ``cap: non_rising``: a falling or flat series shifted
down until its calibrated median is at most its damped trend, ``share`` since round 9);
``provenance``; optionally ``recalibration``, a monotone map of
PIT values by history bucket and horizon learned on the class's training data
(:mod:`dxlib.engine.recalibration`; ``share`` only, see ``benchmarks/README.md``); optionally
``era_effect``, the record of an era widening already built into the quantiles or the map
(``method`` keys ``era`` and ``era_map`` name it; ``share``: on the probit scale, composed into
the map; the engine reads nothing from it).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

REFERENCE_CLASSES: tuple[str, ...] = ("level", "share")
#: the reference class of a series that names none, by kind
DEFAULT_CLASS: dict[str, str] = {"level": "level", "count": "level", "rank": "level",
                                 "share": "share", "index": "share"}


@lru_cache(maxsize=8)
def load_profile(name: str = "level") -> dict[str, Any]:
    """The shipped profile of reference class ``name`` with numpy arrays: ``levels`` (K,),
    ``n_edges`` (B,), ``quantiles`` (B, H, K) or, with ``bias: split``, (3, B, H, K); raises
    ValueError for an unknown class."""
    if name not in REFERENCE_CLASSES:
        raise ValueError(f"reference class {name!r} is not one of {REFERENCE_CLASSES}")
    text = resources.files("dxlib.profiles").joinpath(f"{name}.json").read_text("utf-8")
    prof = json.loads(text)
    prof["levels"] = np.asarray(prof["levels"], float)
    prof["quantiles"] = np.asarray(prof["quantiles"], float)
    prof["n_edges"] = np.asarray(prof["n_edges"], int)
    if not np.allclose(prof["levels"], 1 - prof["levels"][::-1]):
        raise ValueError(f"profile {name}: levels must be symmetric around 0.5")
    return prof
