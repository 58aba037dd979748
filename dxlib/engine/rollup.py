"""Pillar roll-up: per pillar, the expected number of targets met, the probability that all
scored targets are met (with its Fréchet bounds), counts by status, and how many targets have no
data.

Scored targets: those with a probability. Observed outcomes count as 0 or 1; a ``met_early``
target counts at its probability (the chance it still holds at the deadline), not as 1; targets
without a probability (no data, one observation, milestones) are left out, so "all met" is over
the ``n_scored`` of ``n_targets`` targets only and must be labelled "N of M scored".

Dependence: the data are too short to estimate how targets co-move, so ``p_all_met`` is the
product of the probabilities (independence), shown beside the Fréchet bounds that hold under ANY
dependence: ``max(0, sum p - (n - 1)) <= P(all met) <= min p``. Most digital-transformation
targets move together (a good year for e-government is often a good year for e-commerce), which
pushes the truth from the product towards the upper bound. The expected number of targets met
does not depend on the assumption.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dxlib.engine.attainment import STATUSES
from dxlib.engine.evidence import is_stand_in
from dxlib.model import TargetRegistry

ROLLUP_COLUMNS: tuple[str, ...] = (
    "geo", "pillar", "n_targets", "n_scored", "expected_met", "expected_share", "p_all_met",
    "p_all_met_lower", "p_all_met_upper",
    *(f"n_{s}" for s in STATUSES), "n_no_data", "n_stand_in",
)


def pillar_rollup(assessment: pd.DataFrame, registry: TargetRegistry) -> pd.DataFrame:
    """One row per geography and pillar (in the registry's order) and one ``pillar='all'`` row
    per geography for the whole plan; geographies in their order of first appearance.

    ``n_scored`` counts targets with a probability (observed outcomes count as 0 or 1);
    ``expected_met`` is the sum of their probabilities; ``expected_share`` = expected_met /
    n_scored; ``p_all_met`` the probability that every scored target is met (NaN when none is
    scored): under the independence assumption it is exactly the product of the probabilities,
    so no simulation (and no sampling noise) is needed; ``p_all_met_lower`` / ``_upper`` its
    Fréchet bounds under any dependence; ``n_<status>`` the counts by status;
    ``n_no_data`` the targets with ``insufficient_data``. Targets scored only on stand-in
    evidence (:func:`dxlib.engine.evidence.is_stand_in`: a national series, a related measure)
    count in none of these: they are counted apart in ``n_stand_in``, so
    ``n_targets`` = the status counts + ``n_stand_in``.

    Vectorised: rows are grouped with numpy (no pandas filtering per group), so 34 geographies x
    6 groups take a few milliseconds.
    """
    geo_codes, geo_ids = pd.factorize(assessment["geo"], sort=False)
    pillars = list(registry.pillars.index)
    pil_codes = pd.Index(pillars).get_indexer(assessment["pillar"])  # -1: not a plan pillar
    status_codes = pd.Index(STATUSES).get_indexer(assessment["status"])  # -1: unknown status
    prob = assessment["probability"].to_numpy(dtype=float)
    stand_in = is_stand_in(assessment).to_numpy()  # not the plan's own figures: counted apart
    status_codes, prob = np.where(stand_in, -1, status_codes), np.where(stand_in, np.nan, prob)
    scored = ~np.isnan(prob)
    n_status = len(STATUSES)
    no_data = STATUSES.index("insufficient_data")
    # rows of each geography in their original order (a stable sort keeps it)
    order = np.argsort(geo_codes, kind="stable")
    bounds = np.searchsorted(geo_codes[order], np.arange(len(geo_ids) + 1))
    rows = []
    for g, geo in enumerate(geo_ids):
        idx = order[bounds[g]:bounds[g + 1]]
        pc, sc, pr, ok, si = (pil_codes[idx], status_codes[idx], prob[idx], scored[idx],
                              stand_in[idx])
        for j, pid in enumerate([*pillars, "all"]):
            sel = np.ones(len(idx), bool) if pid == "all" else pc == j
            p = pr[sel & ok]
            p_all = float(np.prod(p)) if len(p) else np.nan
            counts = np.bincount(sc[sel & (sc >= 0)], minlength=n_status)
            rows.append({
                "geo": geo, "pillar": pid, "n_targets": int(sel.sum()), "n_scored": len(p),
                "expected_met": float(p.sum()) if len(p) else np.nan,
                "expected_share": float(p.mean()) if len(p) else np.nan,
                "p_all_met": p_all,
                "p_all_met_lower": max(0.0, float(p.sum()) - (len(p) - 1)) if len(p) else np.nan,
                "p_all_met_upper": float(p.min()) if len(p) else np.nan,
                **{f"n_{s}": int(counts[k]) for k, s in enumerate(STATUSES)},
                "n_no_data": int(counts[no_data]), "n_stand_in": int((sel & si).sum()),
            })
    return pd.DataFrame(rows, columns=list(ROLLUP_COLUMNS))
