"""Pillar roll-up: per pillar, the expected number of targets met, the probability that all
scored targets are met, counts by status, and how many targets have no data.

Dependence assumption: targets are treated as independent events. Forecasts of different series
are made independently, and the data are too short to estimate how the targets co-move. Most
digital-transformation targets move together (a good year for e-government is often a good year
for e-commerce), so positive dependence would make "all met" *more* likely than the independent
figure reported here, and the expected number of targets met does not depend on the assumption.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dxlib.attainment import STATUSES
from dxlib.data import TargetRegistry

ROLLUP_COLUMNS: tuple[str, ...] = (
    "geo", "pillar", "n_targets", "n_scored", "expected_met", "expected_share", "p_all_met",
    *(f"n_{s}" for s in STATUSES), "n_no_data",
)


def pillar_rollup(assessment: pd.DataFrame, registry: TargetRegistry, *, seed: int = 0,
                  n_sims: int = 20000) -> pd.DataFrame:
    """One row per geography and pillar (in the registry's order) and one ``pillar='all'`` row
    per geography for the whole plan.

    ``n_scored`` counts targets with a probability (observed outcomes count as 0 or 1);
    ``expected_met`` is the sum of their probabilities; ``expected_share`` = expected_met /
    n_scored; ``p_all_met`` the simulated probability that every scored target is met (NaN when
    none is scored); ``n_<status>`` the counts by status; ``n_no_data`` the targets with
    ``insufficient_data``.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for geo, g in assessment.groupby("geo", sort=False):
        groups = [(pid, g[g["pillar"] == pid]) for pid in registry.pillars.index]
        groups.append(("all", g))
        for pid, sub in groups:
            p = sub["probability"].dropna().to_numpy(dtype=float)
            if len(p):
                met = rng.random((n_sims, len(p))) < p
                p_all = float(met.all(axis=1).mean())
            else:
                p_all = np.nan
            counts = sub["status"].value_counts()
            rows.append({
                "geo": geo, "pillar": pid, "n_targets": len(sub), "n_scored": len(p),
                "expected_met": float(p.sum()) if len(p) else np.nan,
                "expected_share": float(p.mean()) if len(p) else np.nan,
                "p_all_met": p_all,
                **{f"n_{s}": int(counts.get(s, 0)) for s in STATUSES},
                "n_no_data": int(counts.get("insufficient_data", 0)),
            })
    return pd.DataFrame(rows, columns=list(ROLLUP_COLUMNS))
