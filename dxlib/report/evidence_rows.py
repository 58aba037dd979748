"""The rows of an evidence table: every published value behind a target with where it is from,
so that a planner never mistakes a national figure for the province's, a derived value for a
quoted one, a bound for an exact value or a part-year figure for a year's.

Each row says the geography, the year (with the date of a partial-year value), the value (with
"≥"/"≤" for a bound), how a derived value was obtained (the ``derived…``/``converted…`` part of
the observation's note), the definition it is measured under, the source and the verbatim quote.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from dxlib.model import PARTIAL_DATE
from dxlib.report import fmt
from dxlib.report import words as i18n

#: labels of the columns :mod:`dxlib.report.words` does not have (vi, en)
LABELS: dict[str, tuple[str, str]] = {
    "derivation": ("Cách tính từ nguồn", "Derivation"),
    "definition": ("Định nghĩa", "Definition"),
    "partial_to": ("số liệu đến ngày {date}", "to {date}"),
}

_DERIVED = re.compile(r"((?:derived|converted)\b[^;]*)", re.IGNORECASE)


def _label(key: str, lang: str) -> str:
    return LABELS[key][0 if i18n.check_lang(lang) == "vi" else 1]


def derivation(note: Any) -> str:
    """The part of an observation's note that says how its value was derived from the quote
    ("converted from trillion VND to bn VND (x1000)"); '' when the value is quoted as is."""
    if not isinstance(note, str):
        return ""
    m = _DERIVED.search(note)
    return m.group(1).strip() if m else ""


def value_text(value: float, unit: str | None, bound: Any, lang: str) -> str:
    """A published value with "≥ " for a lower bound and "≤ " for an upper one."""
    sign = {"lower": "≥ ", "upper": "≤ "}.get(bound if isinstance(bound, str) else "", "")
    return sign + i18n.value_text(value, unit, lang)


def definition_text(definitions: pd.DataFrame | None, indicator: str, label: Any,
                    lang: str) -> str:
    """What a definition label of an indicator's values means, in ``lang`` (the catalogue
    ``data/definitions.csv``); the label itself when it is not described there, '—' without one."""
    if not isinstance(label, str) or not label:
        return "—"
    col = "text_vi" if i18n.check_lang(lang) == "vi" else "text_en"
    if definitions is not None and (indicator, label) in definitions.index:
        return str(definitions.loc[(indicator, label), col])
    return label


def evidence_rows(observations: pd.DataFrame, ds: Any, lang: str) -> pd.DataFrame:
    """One row per observation (sorted by indicator, geography, year) with localised column
    names: indicator, geography, year (and the date of a partial-year value), value (bound
    sign), derivation, definition, source, quote, confidence."""
    rows = []
    obs = observations.sort_values(["indicator", "geo", "year"], kind="stable")
    for r in obs.to_dict("records"):
        when = str(r["year"])
        if PARTIAL_DATE in r and not pd.isna(r[PARTIAL_DATE]):
            when += f" ({_label('partial_to', lang).format(date=fmt.date(r[PARTIAL_DATE], lang))})"
        definition = r.get("definition")
        rows.append({
            i18n.label("indicator", lang): i18n.name(ds.indicators, r["indicator"], lang),
            i18n.label("geo", lang): i18n.name(ds.geos, r["geo"], lang),
            i18n.label("year", lang): when,
            i18n.label("value", lang): value_text(r["value"], r["unit"], r.get("bound"), lang),
            _label("derivation", lang): derivation(r.get("note")) or "—",
            _label("definition", lang): definition_text(getattr(ds, "definitions", None),
                                                         r["indicator"], definition, lang),
            i18n.label("source", lang): f"{r['source_title']} — {r['source_url']}",
            i18n.label("quote", lang): i18n.fragment(r["quote"]),
            i18n.label("confidence", lang): i18n.confidence_word(r["confidence"], lang),
        })
    return pd.DataFrame(rows)
