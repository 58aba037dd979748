"""What the notebooks show: headings and sentences, and tables formatted for planners.

Text that comes from data or parameters (titles, quotes, notes, names) is HTML-escaped before it
reaches a report. Tables are pandas ``Styler`` objects with escaped cells and headers, localised
numbers and status colours; they render the same in JupyterLab and in the HTML reports.
Figures are in :mod:`~dxlib.report.plots` (seaborn), the growth and standard-model tables in
:mod:`~dxlib.report.stats`.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pandas as pd

from dxlib import paths
from dxlib.data import STAND_IN_GRADES, Dataset, load_dataset, target_grade
from dxlib.data.checks import check_as_of, check_dataset, check_geo
from dxlib.engine.evidence import EVIDENCE_LABEL, evidence_words
from dxlib.report import fmt
from dxlib.report import words as i18n
from dxlib.report.notebook import Notebook, setup
from dxlib.report.text import Safe, Text

__all__ = ["Notebook", "Safe", "Text", "setup", "load", "geo_of", "esc", "heading",
           "styled", "status_table", "rollup_table", "coverage_table", "sources_table",
           "evidence_table", "data_needed", "needed_table", "localised", "target_phrase",
           "stand_in_mark"]

# -------------------------------------------------------------------------------------------
# Loading what a notebook's parameters name


def load(params: SimpleNamespace | dict) -> Dataset:
    """The dataset named by a notebook's parameters ``targets``, ``observations`` (a list;
    empty means the shipped files), ``add_observations`` (files read in addition),
    ``indicators`` and ``geos``; paths are relative to the project root."""
    p = params if isinstance(params, dict) else vars(params)
    obs = [paths.resolve(f) for f in (p.get("observations") or [])] or None
    add = [paths.resolve(f) for f in (p.get("add_observations") or [])]
    geos = paths.resolve(p["geos"]) if p.get("geos") else None
    ds = load_dataset(paths.resolve(p["targets"]), obs, paths.resolve(p["indicators"]), geos,
                      add_observations=add)
    check_dataset(ds)  # the same checks the batch runner makes before a batch starts
    for key in ("as_of", "compare_as_of"):
        if p.get(key) is not None:
            check_as_of(ds, p[key], name=key)
    check_geo(ds, p.get("geo"))
    return ds

def geo_of(ds: Dataset, geo: str | None) -> str:
    """The geography a notebook reports on: the parameter, or the plan's when empty."""
    return geo or ds.registry.geo


# -------------------------------------------------------------------------------------------
# Narrative


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")  # < > & are HTML-escaped


def esc(text: Any) -> str:
    """Data text made safe for a report: HTML-escaped, and Markdown's special characters
    backslash-escaped, so that neither a tag nor a link or image (``[x](javascript:...)``,
    ``![x](http://...)``) written in a data file can reach the page. For text that goes into
    Markdown (headings, sentences); tables escape their cells themselves."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return html.escape(_MARKDOWN_SPECIALS.sub(r"\\\1", str(text)))


def heading(text: str, level: int = 1):
    """A heading (Markdown output), escaped."""
    from IPython.display import Markdown

    return Markdown(f"{'#' * level} {esc(text)}")


# -------------------------------------------------------------------------------------------
# Tables


def styled(frame: pd.DataFrame, *, colors: dict[str, str] | None = None, color_column: str | None = None,
           caption: str | None = None):
    """A Styler with escaped cells and headers, no index, optional background colour per row of
    one column (``colors`` maps cell text to a colour)."""
    # A content-derived table id instead of pandas' random one: identical inputs render identical
    # HTML, and different tables on one page keep distinct ids for their cell styles.
    digest = hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest()[:10]
    st = frame.style.set_uuid(f"dx{digest}").hide(axis="index").format(escape="html", na_rep="—")
    st = st.format_index(escape="html", axis=1)
    if colors and color_column in frame.columns:
        def paint(col: pd.Series) -> list[str]:
            return [f"background-color: {colors.get(v, 'transparent')}" for v in col]

        st = st.apply(paint, subset=[color_column])
    st = st.set_table_styles([
        {"selector": "th", "props": "text-align: left; padding: 4px 8px;"},
        {"selector": "td", "props": "text-align: left; padding: 4px 8px; vertical-align: top;"},
    ])
    if caption:
        st = st.set_caption(html.escape(caption))
    return st


def _status_colors(lang: str) -> dict[str, str]:
    return {i18n.status_word(s, lang): c for s, c in i18n.STATUS_COLORS.items()}


def target_phrase(row: pd.Series | dict, lang: str) -> str:
    """"≥ 50%" style text of a target's comparator and value ("—" for milestones)."""
    if not isinstance(row.get("comparator"), str):
        return "—"
    sym = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}[row["comparator"]]
    return f"{sym} {i18n.value_text(row['target_value'], row.get('unit'), lang)}"


def stand_in_mark(row: Any) -> str:
    """The mark after a target's id in the tables: ``*`` when its evidence grade (an assessment
    row's ``evidence``) is a stand-in (:data:`dxlib.model.STAND_IN_GRADES`: another geography's
    series, a related measure), else ``""``."""
    return "*" if row.get("evidence") in STAND_IN_GRADES else ""


#: statuses whose probability is a forecast (not an observed outcome)
FORECAST_STATUSES: tuple[str, ...] = ("met_early", "on_track", "at_risk", "off_track")


def thin_mark(row: Any) -> str:
    """The mark after a probability in the tables: ``‡`` when it is a forecast (a status of
    :data:`FORECAST_STATUSES`; also for a passed deadline without an outcome) from only two
    published values (``n_obs`` 2), else ``""``; the notebooks' "how to read" text explains it."""
    p = row.get("probability")
    forecast = row.get("status") in FORECAST_STATUSES
    return "‡" if forecast and row.get("n_obs") == 2 and p is not None and not pd.isna(p) else ""


def marked_ids(frame: pd.DataFrame, assessment: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (rows with ``target_id``) with each id followed by :func:`stand_in_mark` of the
    target's evidence grade in ``assessment``, so a stand-in is marked in every table."""
    grades = dict(zip(assessment["target_id"], assessment["evidence"], strict=True)) \
        if "evidence" in assessment.columns else {}
    return frame.assign(target_id=[t + stand_in_mark({"evidence": grades.get(t)})
                                   for t in frame["target_id"]])


def status_table(assessment: pd.DataFrame, ds: Dataset, lang: str, *, with_text: bool = True,
                 with_note: bool = True):
    """One row per target: id (``*`` for stand-in evidence, :func:`stand_in_mark`), its words,
    status (coloured), probability, latest value (year), target, projection at the deadline
    (median and 80 % range, three significant digits), and the note. A latest value that
    counts as its bound (99.97 % as 100 %) is marked † and the rule is footnoted under the
    table; a probability forecast from only two published values (``n_obs`` 2) is marked ‡,
    with its legend under the table."""
    t = ds.registry.targets
    rows, footnotes, thin_any = [], [], False
    for _, r in assessment.iterrows():
        unit = r["unit"] if r["kind"] != "growth" else "%"
        latest = "—"
        notes = r["note"] if isinstance(r["note"], tuple) else ()
        at_bound = [n for n in notes if n[0] == "at_bound"]
        if pd.notna(r["last_value"]):
            shown = r["observed_growth"] if r["kind"] == "growth" else r["last_value"]
            mark = "†" if at_bound else ""
            latest = f"{i18n.value_text(shown, unit, lang)}{mark} ({int(r['last_year'])})"
        if at_bound:
            footnotes.append(f"† {r['target_id']}: {i18n.note_text(at_bound, lang)}.")
        proj = "—"
        if pd.notna(r["projected_median"]):
            u = "%" if r["kind"] == "growth" else unit
            d = fmt.significant_decimals(r["projected_median"])  # the range as the median
            proj = (f"{projection_text(r['projected_median'], u, lang, d)} "
                    f"[{projection_text(r['projected_low'], None, lang, d)}–"
                    f"{projection_text(r['projected_high'], None, lang, d)}]")
        thin = thin_mark(r)
        thin_any |= bool(thin)
        row = {i18n.label("target_id", lang): r["target_id"] + stand_in_mark(r)}
        if with_text:
            row[i18n.label("target", lang)] = i18n.sentence(i18n.target_text(t, r["target_id"], lang))
        row.update({
            i18n.label("status", lang): i18n.status_word(r["status"], lang),
            i18n.label("probability", lang): fmt.probability(r["probability"], lang) + thin,
            i18n.label("last_value", lang): latest,
            i18n.label("target_value", lang): target_phrase(r, lang),
            i18n.label("projected", lang): proj,
        })
        if "evidence" in r and r["evidence"] != "direct":  # stand-in evidence said in words
            row[EVIDENCE_LABEL[i18n.check_lang(lang)]] = i18n.sentence(evidence_words(
                r, ds.indicators, ds.geos, ds.registry.geo, lang)) or "—"
        if with_note:
            row[i18n.label("note", lang)] = i18n.sentence(i18n.note_text(r["note"], lang))
        rows.append(row)
    frame = pd.DataFrame(rows)
    if thin_any:
        footnotes.append(i18n.label("thin_probability", lang) + ".")
    st = styled(frame, colors=_status_colors(lang), color_column=i18n.label("status", lang),
                caption=" ".join(footnotes) or None)
    st = st.set_properties(subset=[i18n.label("target_id", lang)], **{"white-space": "nowrap"})
    return st.set_table_styles([{"selector": "caption",
                                 "props": "caption-side: bottom; text-align: left; font-size: 0.9em;"}],
                               overwrite=False)


def projection_text(x: Any, unit: str | None, lang: str, decimals: int | None = None) -> str:
    """A forecast with its unit, three significant digits (:func:`fmt.significant`; or
    ``decimals``): "90,4%"."""
    text = fmt.significant(x, lang, decimals=decimals)
    if text == fmt.MISSING or not unit:
        return text
    word = i18n.unit_word(unit, lang)
    return f"{text}{word}" if unit.strip().startswith("%") else (f"{text} {word}" if word else text)


#: the roll-up table's column of targets judged on stand-in evidence (counted in no status)
STAND_IN_COLUMN = {"vi": "Số liệu thay thế (chưa tính)", "en": "Stand-in evidence (not counted)"}


def rollup_table(rollup: pd.DataFrame, ds: Dataset, lang: str):
    """Per pillar: targets, scored, expected number met, probability all met, counts by status
    and the targets on stand-in evidence (:data:`STAND_IN_COLUMN`), so that the status counts
    and the stand-ins add up to the targets."""
    rows = []
    for _, r in rollup.iterrows():
        name = (i18n.label("all_pillars", lang) if r["pillar"] == "all"
                else i18n.name(ds.registry.pillars, r["pillar"], lang))
        row = {
            i18n.label("pillar", lang): name,
            i18n.label("n_targets", lang): int(r["n_targets"]),
            i18n.label("n_scored", lang): int(r["n_scored"]),
            i18n.label("expected_met", lang): fmt.expected(r["expected_met"], lang),
            i18n.label("p_all_met", lang): fmt.probability(r["p_all_met"], lang),
        }
        for s in i18n.STATUS_ORDER:
            row[i18n.status_word(s, lang)] = int(r[f"n_{s}"])
        row[STAND_IN_COLUMN[i18n.check_lang(lang)]] = int(r.get("n_stand_in", 0))
        rows.append(row)
    return styled(pd.DataFrame(rows))


def coverage_table(coverage: pd.DataFrame, ds: Dataset, lang: str):
    """Which targets have data: id (``*`` for a stand-in series, :func:`stand_in_mark` of the
    target's grade), indicator (name), geography, years, sources, coverage word."""
    rows, reg = [], ds.registry
    for _, r in coverage.iterrows():
        ind = r["indicator"] if isinstance(r["indicator"], str) else None
        grade = target_grade(reg.targets.loc[r["target_id"]], reg.geo)  # as the assessment grades it
        name = "—" if ind is None else (i18n.name(ds.indicators, ind, lang) if ind in ds.indicators.index
                                        else ind)
        rows.append({
            i18n.label("target_id", lang): r["target_id"] + stand_in_mark({"evidence": grade}),
            i18n.label("pillar", lang): i18n.name(ds.registry.pillars, r["pillar"], lang),
            i18n.label("indicator", lang): name,
            i18n.label("series_geo", lang): i18n.name(ds.geos, r["geo"], lang),
            i18n.label("years", lang): r["years"] or "—",
            i18n.label("n_sources", lang): int(r["n_sources"]),
            i18n.label("coverage", lang): i18n.coverage_word(r["coverage"], lang),
        })
    return styled(pd.DataFrame(rows)).set_properties(subset=[i18n.label("target_id", lang)],
                                                     **{"white-space": "nowrap"})


def sources_table(observations: pd.DataFrame, lang: str, limit: int | None = None):
    """One row per source document: title, address, publication date, values taken from it and
    confidence (the most common grade)."""
    g = observations.groupby(["source_url", "source_title"], sort=False)
    frame = g.agg(published=("published", "first"), n=("value", "size"),
                  confidence=("confidence", lambda s: s.mode().iloc[0])).reset_index()
    frame["confidence"] = frame["confidence"].map(lambda g: i18n.confidence_word(g, lang))
    frame = frame.sort_values(["n", "published"], ascending=[False, False], kind="stable")
    if limit:
        frame = frame.head(limit)
    out = pd.DataFrame({
        i18n.label("source", lang): frame["source_title"],
        i18n.label("source_url", lang): frame["source_url"],
        i18n.label("published", lang): [fmt.date(d, lang) for d in frame["published"]],
        i18n.label("n_values", lang): frame["n"],
        i18n.label("confidence", lang): frame["confidence"],
    })
    return styled(out)


def evidence_table(observations: pd.DataFrame, ds: Dataset, lang: str):
    """Published values with their geography, date, derivation, definition, source and verbatim
    quote (the evidence behind a number; :func:`dxlib.report.evidence_rows.evidence_rows`)."""
    from dxlib.report.evidence_rows import evidence_rows

    return styled(evidence_rows(observations, ds, lang))


def data_needed(coverage: pd.DataFrame, ds: Dataset, lang: str) -> pd.DataFrame:
    """Targets that cannot be scored for lack of data, grouped by lead department: a tidy frame
    (owner, target_id, target, what is needed)."""
    t = ds.registry.targets
    gaps = coverage[coverage["coverage"].isin(["unmapped", "no_data", "partial", "one_year"])]
    rows = []
    for _, r in gaps.iterrows():
        tid = r["target_id"]
        owner = t.loc[tid, "owner"]
        owner_name = i18n.name(ds.registry.departments, owner, lang) if isinstance(owner, str) else "—"
        last = int(t.loc[tid, "deadline"])
        need = i18n.needed_text(r["coverage"], lang, first=last - 5, last=last, years=r["years"])
        rows.append({"owner": owner_name, "target_id": tid,
                     "target": i18n.sentence(i18n.target_text(t, tid, lang)), "needed": need})
    return pd.DataFrame(rows, columns=["owner", "target_id", "target", "needed"])


def needed_table(needed: pd.DataFrame, lang: str):
    frame = needed.rename(columns={"owner": i18n.label("owner", lang),
                                   "target_id": i18n.label("target_id", lang),
                                   "target": i18n.label("target", lang),
                                   "needed": i18n.label("needed", lang)})
    return styled(frame.sort_values(list(frame.columns[:2]), kind="stable"))


#: columns holding forecasts: shown with three significant digits of the row's median, so a
#: forecast and its range read alike (observed values are shown as published)
_FORECAST_COLUMNS = {"median", "projected_median", "q_0.025", "q_0.1", "q_0.9", "q_0.975"}
#: columns of computed growth rates (% a year): one decimal
_GROWTH_COLUMNS = {"growth", "total_growth", "numerator_growth", "share_growth", "required_growth",
                   "observed_growth"}


def localised(frame: pd.DataFrame, lang: str, columns: Sequence[str] | None = None):
    """A tidy frame with its columns renamed to the language's labels (where one exists) and its
    numbers localised; returned as an escaped Styler."""
    f = frame if columns is None else frame[list(columns)]
    centre = next((c for c in ("median", "projected_median") if c in f.columns), None)
    row_decimals = (f[centre].map(fmt.significant_decimals) if centre is not None
                    and pd.api.types.is_numeric_dtype(f[centre]) else None)
    out = pd.DataFrame()
    for c in f.columns:
        head = i18n.label(c, lang) if c in i18n.LABELS else c
        col = f[c]
        if c.startswith("probability") and pd.api.types.is_numeric_dtype(col):
            col = col.map(lambda v: fmt.probability(v, lang))
        elif c.startswith("coverage_") and pd.api.types.is_numeric_dtype(col):
            col = col.map(lambda v: fmt.percent(v, lang))
        elif c in _FORECAST_COLUMNS and pd.api.types.is_numeric_dtype(col):
            if row_decimals is None:
                col = col.map(lambda v: fmt.significant(v, lang))
            else:
                col = pd.Series([fmt.significant(v, lang, decimals=d)
                                 for v, d in zip(col, row_decimals, strict=True)], index=col.index)
        elif c in _GROWTH_COLUMNS and pd.api.types.is_numeric_dtype(col):
            col = col.map(lambda v: fmt.number(v, lang, 1))
        elif pd.api.types.is_float_dtype(col):
            col = col.map(lambda v: i18n.value_text(v, None, lang))
        elif pd.api.types.is_bool_dtype(col):
            col = col.map(lambda v: i18n.label("yes" if v else "no", lang))
        out[head] = col
    return styled(out)
