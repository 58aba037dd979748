"""Stand-in series and the plan's own measure: a target scored on a stand-in (a national series,
a related measure) names its own measure in ``own_indicator``; as soon as that measure has a
full-year exact value for the plan's geography, the target is scored on it instead, without
editing the registry. The switch is decided on the data as of the assessment's vintage year
(:meth:`dxlib.model.Dataset.as_of`), so later data never change an earlier assessment. See
:func:`dxlib.model.target_grade` for the evidence grades."""

from __future__ import annotations

import dataclasses

import pandas as pd

from dxlib.model import TargetRegistry, full_year


def use_own_measures(registry: TargetRegistry, observations: pd.DataFrame) -> TargetRegistry:
    """The registry with every target whose ``own_indicator`` has at least one full-year exact
    value (no partial-year date, no "over"/"under" bound, not missing) for the plan's geography
    in ``observations`` switched to it (a lone partial-year value or bound does not replace the
    stand-in's evidence); pass the observations as of the assessment's year. ``indicator``
    becomes the own measure, ``geo`` the plan's, ``proxy``/``proxy_vi``/``grade`` are cleared
    (the evidence is then direct) and the stand-in is kept in the column ``stand_in``.
    The registry itself when nothing changes."""
    t = registry.targets
    if "own_indicator" not in t.columns or not t["own_indicator"].notna().any():
        return registry
    exact = full_year(observations)
    if "bound" in exact.columns:
        exact = exact[exact["bound"].fillna("") == ""]
    exact = exact[exact["value"].notna()]
    have = set(zip(exact["geo"], exact["indicator"], strict=True))
    switch = [tid for tid, own in t["own_indicator"].items()
              if isinstance(own, str) and (registry.geo, own) in have]
    if not switch:
        return registry
    t = t.copy()
    t["stand_in"] = t.get("stand_in", pd.Series(None, index=t.index, dtype=object))
    for tid in switch:
        t.loc[tid, "stand_in"] = t.loc[tid, "indicator"]
        t.loc[tid, "indicator"] = t.loc[tid, "own_indicator"]
        t.loc[tid, ["geo"]] = registry.geo
        t.loc[tid, ["proxy", "proxy_vi", "grade"]] = None
    return dataclasses.replace(registry, targets=t)
