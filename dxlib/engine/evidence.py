"""Evidence grades of an assessment: which targets are scored on the plan's own figures and which
only on a stand-in, and the words that say so.

A target's grade (:data:`dxlib.model.GRADES`) comes from the registry
(:func:`dxlib.model.target_grade`: its ``grade``, or ``proxy_geography`` when its series is for
another geography) and from the data: ``none`` when no value of its series is observed. Only
``direct`` evidence gives a target a status in the headline counts, the pillar bars and the
roll-up (:func:`headline`); stand-in evidence keeps its own status and probability in the
assessment, is shown beside the target with the words of :func:`evidence_words` ("national
trend, not Nghệ An's figure: …") and is counted on a separate line.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from dxlib.model import STAND_IN_GRADES, TargetRegistry, target_grade

_WORDS = {
    "proxy_geography": {
        "en": "{where} trend, not {plan_geo}'s figure: {name}",
        "vi": "số liệu {where}, không phải số liệu của {plan_geo}: {name}",
    },
    "proxy_measure": {
        "en": "a related measure, not the plan's own: {name}",
        "vi": "chỉ số liên quan, không phải chỉ số kế hoạch đặt ra: {name}",
    },
    "none": {"en": "no observation of the target's measure yet",
             "vi": "chưa có số liệu của chỉ số này"},
}
_NATIONAL = {"en": "national", "vi": "cả nước"}


def _name(frame: pd.DataFrame | None, key: Any, lang: str) -> str:
    col = "name_vi" if lang == "vi" else "name_en"
    if frame is not None and isinstance(key, str) and key in frame.index and col in frame.columns:
        return str(frame.loc[key, col])
    return str(key)


def evidence_words(row: pd.Series | dict, indicators: pd.DataFrame, geos: pd.DataFrame | None,
                   plan_geo: str, lang: str = "en") -> str:
    """The words shown beside a target whose evidence is not direct ('' for direct evidence):
    "national trend, not Nghệ An's figure: B2C e-commerce revenue (USD)". ``lang`` 'en' or 'vi'."""
    grade = row.get("evidence")
    if grade not in _WORDS:
        return ""
    ind = row.get("indicator")
    name = _name(indicators, ind, lang) if isinstance(ind, str) else ""
    sgeo = row.get("series_geo")
    where = _NATIONAL[lang] if sgeo == "vn" else _name(geos, sgeo, lang)
    return _WORDS[grade][lang].format(where=where, plan_geo=_name(geos, plan_geo, lang), name=name)


def grade_assessment(assessment: pd.DataFrame, registry: TargetRegistry,
                     indicators: pd.DataFrame, geos: pd.DataFrame | None = None) -> pd.DataFrame:
    """The assessment with its ``evidence`` column (the grade of each row) and
    ``evidence_note`` (English words for stand-in and missing evidence) filled in. A row is
    ``none`` when no value of its series was observed (no full-year value, bound or
    partial-year value); milestones are ``direct`` when evidence values exist, else ``none``."""
    out = assessment.copy()
    targets = registry.targets
    grades = []
    for tid, status, n_obs, last, partial, note in zip(
            out["target_id"], out["status"], out["n_obs"], out["last_value"],
            out["partial_value"], out["note"], strict=True):
        t = targets.loc[tid]
        if status == "qualitative":
            codes = [n[0] for n in note] if isinstance(note, tuple) else []
            grades.append("direct" if "milestone_evidence" in codes else "none")
            continue
        seen = int(n_obs) > 0 or not _isnan(last) or not _isnan(partial)
        grades.append(target_grade(t, registry.geo) if seen else "none")
    out["evidence"] = grades
    # text columns that may hold only None: one dtype whatever the data (object)
    out[["bound", "definition"]] = out[["bound", "definition"]].astype(object)
    out["evidence_note"] = [
        evidence_words(r, indicators, geos, registry.geo, "en") or None
        for r in out[["evidence", "indicator", "series_geo"]].to_dict("records")]
    return out


def _isnan(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def is_stand_in(assessment: pd.DataFrame) -> pd.Series:
    """Boolean mask of the rows whose evidence is a stand-in (:data:`STAND_IN_GRADES`); all
    False for an assessment without an ``evidence`` column."""
    if "evidence" not in assessment.columns:
        return pd.Series(False, index=assessment.index)
    return assessment["evidence"].isin(STAND_IN_GRADES)


def headline(assessment: pd.DataFrame) -> pd.DataFrame:
    """The rows that count in the headline: every row except stand-in evidence."""
    return assessment.loc[~is_stand_in(assessment)]


def stand_ins(assessment: pd.DataFrame) -> pd.DataFrame:
    """The rows scored only on stand-in evidence (shown beside the targets, counted apart)."""
    return assessment.loc[is_stand_in(assessment)]


def headline_counts(assessment: pd.DataFrame) -> str:
    """One line of status counts over the targets that count ("achieved 1, …"), then the
    stand-in targets apart: "; stand-in evidence, not counted: ECO-2 (other geography), …".

    With several geographies (a ``geo`` column with more than one value) each stand-in target
    is named once, with the number of geographies where it is one: "ECO-2 (other geography,
    64 geographies)"; the order is the assessment's (first appearance)."""
    counts = headline(assessment)["status"].value_counts().to_dict()
    line = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    apart = stand_ins(assessment)
    if len(apart):
        kinds = {"proxy_geography": "other geography", "proxy_measure": "related measure"}
        several = "geo" in assessment.columns and assessment["geo"].nunique() > 1
        per = apart.groupby(["target_id", "evidence"], sort=False).size()
        line += "; stand-in evidence, not counted: " + ", ".join(
            f"{tid} ({kinds[g]}" + (f", {n} {'geography' if n == 1 else 'geographies'})"
                                    if several else ")")
            for (tid, g), n in per.items())
    return line


#: the column heading of the evidence words in report tables (vi, en)
EVIDENCE_LABEL: dict[str, str] = {"vi": "Cơ sở đánh giá", "en": "Evidence"}


def stand_in_sentence(assessment: pd.DataFrame, indicators: pd.DataFrame,
                      geos: pd.DataFrame | None, plan_geo: str, lang: str = "en") -> str:
    """One paragraph for the headline: which targets are not counted because their only
    evidence is a stand-in, each with the words of :func:`evidence_words` and its own status
    word left to the tables; '' when there are none."""
    apart = stand_ins(assessment)
    if apart.empty:
        return ""
    parts = [f"{r['target_id']} ({evidence_words(r, indicators, geos, plan_geo, lang)})"
             for r in apart.to_dict("records")]
    head = {"vi": f"{len(apart)} chỉ tiêu mới có số liệu thay thế nên không được tính vào các số "
                  "trên: ",
            "en": f"{len(apart)} targets have only stand-in evidence and are not counted in the "
                  "figures above: "}[lang]
    return head + "; ".join(parts) + "."
