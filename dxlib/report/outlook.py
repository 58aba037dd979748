"""A plan's later deadlines, for the scorecard: which deadlines have passed, the targets still
open ("2030 outlook": probability, required against observed growth, what would have to
change), one indicator's targets at several deadlines side by side (2025 judged, 2030
forecast), and the same indicator's targets in other plans.

All functions take the frame of :func:`dxlib.engine.attainment.assess_dataset` (one row per
target; growth in % a year, probabilities in [0, 1]) and return plain frames or styled tables
whose text is in the report's language; they do no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from dxlib.model import Dataset
from dxlib.report import fmt
from dxlib.report import words as i18n

#: the outlook lists targets due at least this many years after the last data: a target due
#: next year is the status table's business, a plan's later deadlines are the outlook's
OUTLOOK_YEARS = 2
#: statuses that are an outcome observed at the deadline, not a forecast
OUTCOMES = frozenset({"achieved", "not_achieved"})

_WORDS: dict[str, tuple[str, str]] = {
    "indicator": ("Chỉ số", "Series"),
    "plan": ("Kế hoạch", "Plan"),
    "change": ("Điều cần thay đổi", "What would have to change"),
    "trend": ("Tăng trưởng theo xu hướng (%/năm, khoảng 95%)", "Trend growth (%/yr, 95% interval)"),
    "outcome_column": ("Năm {year}: kết quả", "{year}: outcome"),
    "forecast_column": ("Năm {year}: dự báo", "{year}: forecast"),
    "no_data": ("chưa có số liệu", "no data"),
    "no_outcome": ("chưa có số liệu năm {year}", "no data for {year}"),
    "no_series": ("Cần có số liệu: chưa có chuỗi số liệu nào cho chỉ tiêu này.",
                  "Data first: no series measures this target yet."),
    "one_year": ("Cần thêm số liệu: mới có số liệu 1 năm ({year}), chưa đủ để xác định xu hướng.",
                 "More data first: one year only ({year}), not enough for a trend."),
    "met": ("Đã đạt mức này; cần giữ được đến năm {deadline}.",
            "Already at this level; it has to hold until {deadline}."),
    "keep": ("Giữ được tốc độ hiện nay ({observed}) là đủ; cần {required}.",
             "Keeping the present pace ({observed}) is enough; {required} is needed."),
    "keep_slowing": ("Tốc độ thực tế ({observed}) sẽ đủ nếu giữ được (cần {required}), nhưng "
                     "dự báo cho thấy tốc độ sẽ chậm lại: xác suất đạt {p}.",
                     "The pace so far ({observed}) would be enough if it lasted ({required} needed), "
                     "but the forecast expects it to slow: probability {p}."),
    "faster": ("Tốc độ tăng phải cao gấp {factor} lần: từ {observed}%/năm lên {required}%/năm.",
               "The pace must rise {factor}-fold: from {observed}%/yr to {required}%/yr."),
    "faster_fall": ("Phải giảm nhanh hơn, gấp {factor} lần tốc độ hiện nay: từ giảm {observed}%/năm "
                    "lên giảm {required}%/năm.",
                    "It must fall faster, {factor} times the present pace: from falling {observed}%/yr "
                    "to falling {required}%/yr."),
    "reverse": ("Xu hướng phải đảo chiều: đang {observed}, cần {required}.",
                "The trend must turn: {observed} now, {required} needed."),
    "rising": ("tăng {x}%/năm", "rising {x}%/yr"),
    "falling": ("giảm {x}%/năm", "falling {x}%/yr"),
    "flat": ("không đổi", "flat"),
    "rank": ("Thứ hạng không tính theo tốc độ tăng: cần đưa thứ hạng từ {last} (năm {year}) đến "
             "{target} vào năm {deadline}.",
             "A rank has no growth rate: it must go from {last} ({year}) to {target} by {deadline}."),
    "series_ends": ("Chuỗi số liệu dùng để đo chỉ tiêu này chỉ có đến năm {ends} (cách tính đã thay "
                    "đổi): cần xác định lại chỉ số theo cách tính mới và thu thập số liệu của chỉ số "
                    "đó trước khi đánh giá.",
                    "The series that measures this target ends in {ends} (its basis changed): the "
                    "target needs a measure on the new basis, and its data, before it can be judged."),
    "no_growth": ("Không tính được tốc độ tăng cần có (xem báo cáo của từng chỉ tiêu).",
                  "No required pace can be computed (see the target's own report)."),
}


def _w(key: str, lang: str, **fields: Any) -> str:
    vi, en = _WORDS[key]
    return (vi if fmt.check_lang(lang) == "vi" else en).format(**fields)


def data_year(ds: Dataset, as_of: int | None = None) -> int | None:
    """The latest year of any observation of ``ds`` up to ``as_of`` (``None`` without data)."""
    years = ds.observations["year"]
    if as_of is not None:
        years = years[years <= as_of]
    return int(years.max()) if len(years) else None


def compare_year(deadlines: Sequence[int], now: int | None, as_of: int | None = None) -> int | None:
    """The year whose data the scorecard's "what the forecast said then" compares with:
    the year before the latest deadline that has passed by ``now`` (the last year with data),
    and before ``as_of`` when one is given; ``None`` when no deadline has passed and there is
    no ``as_of`` (a plan whose every target is still open has no outcome to compare).

    >>> compare_year([2025, 2030], now=2025), compare_year([2030], now=2025)
    (2024, None)
    >>> compare_year([2025], now=2024, as_of=2024)
    2023
    """
    passed = [int(d) for d in deadlines if now is not None and int(d) <= now]
    if passed:
        return min(max(passed), as_of if as_of is not None else 9999) - 1
    return as_of - 1 if as_of is not None else None


def open_targets(assessment: pd.DataFrame, now: int | None) -> pd.DataFrame:
    """The rows whose deadline is after ``now`` (all rows when ``now`` is ``None``)."""
    if now is None:
        return assessment
    return assessment[assessment["deadline"].astype(int) > now]


def _pace(x: float, lang: str) -> str:
    """A growth in % a year worded by its direction: "rising 5.0%/yr", "falling 2.0%/yr"."""
    if x == 0:
        return _w("flat", lang)
    return _w("rising" if x > 0 else "falling", lang, x=fmt.number(abs(x), lang, 1))


def change_needed(row: pd.Series | dict, lang: str) -> str:
    """One sentence on what would have to change for a target to be met: collect data first
    (no series, or one year), hold an already reached level, keep the observed pace (or: it
    would do, but the forecast expects it to slow, when the status is not on track), raise it
    ``required / observed``-fold (for a target that needs a fall, e.g. "≤": fall that much
    faster), or turn the trend. Growth in % a year, worded by its direction. A rank has no
    growth sentence (the growth of a rank means nothing, as in :mod:`dxlib.engine.trend`): the
    rank it must reach instead. A series that ends before the deadline (note ``series_ends``):
    a measure on the new basis is needed first."""
    n_obs = int(row["n_obs"]) if pd.notna(row["n_obs"]) else 0
    if n_obs == 0:
        return _w("no_series", lang)
    if n_obs == 1 and pd.isna(row["probability"]):
        return _w("one_year", lang, year=int(row["last_year"]))
    if row["status"] == "met_early":
        return _w("met", lang, deadline=int(row["deadline"]))
    notes = row.get("note")
    ends = [n for n in (notes if isinstance(notes, tuple) else ()) if n.code == "series_ends"]
    if ends:  # the series stops before the deadline: no pace on it means anything
        return _w("series_ends", lang, ends=int(dict(ends[0].args)["ends"]))
    if row.get("kind") == "rank":
        sym = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}.get(row["comparator"], row["comparator"])
        return _w("rank", lang, last=fmt.number(row["last_value"], lang, 0), year=int(row["last_year"]),
                  target=f"{sym} {fmt.number(row['target_value'], lang, 0)}",
                  deadline=int(row["deadline"]))
    req, obs = row["required_growth"], row["observed_growth"]
    if pd.isna(req) or pd.isna(obs) or req == 0:
        return _w("no_growth", lang)
    paces = {"required": _pace(req, lang), "observed": _pace(obs, lang)}
    ratio = obs / req
    if ratio >= 1 and row["status"] in ("on_track", "met_early"):
        return _w("keep", lang, **paces)
    if ratio >= 1:  # enough if it lasted, but the forecast (damped, bounded) expects it to slow
        return _w("keep_slowing", lang, p=fmt.percent(row["probability"], lang), **paces)
    if ratio > 0:  # the right direction, too slow
        return _w("faster" if req > 0 else "faster_fall", lang, factor=fmt.number(1 / ratio, lang, 1),
                  required=fmt.number(abs(req), lang, 1), observed=fmt.number(abs(obs), lang, 1))
    return _w("reverse", lang, **paces)


def _growth(x: Any, lang: str) -> str:
    return fmt.number(x, lang, 1) if pd.notna(x) and math.isfinite(float(x)) else fmt.MISSING


def _trend(row: Any, lang: str) -> str:
    if row is None or pd.isna(row["trend_growth"]):
        return fmt.MISSING
    return (f"{_growth(row['trend_growth'], lang)} [{_growth(row['trend_low'], lang)}–"
            f"{_growth(row['trend_high'], lang)}]")


def outlook_frame(assessment: pd.DataFrame, ds: Dataset, lang: str,
                  growth: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per target of ``assessment`` (the open ones, :func:`open_targets`): id (``*``
    for stand-in evidence, :func:`dxlib.report.stand_in_mark`), the plan's words, the target,
    the deadline, the status, the probability, the required and the observed growth (% a
    year; observed: the CAGR of the assessment; none for a rank) and :func:`change_needed`;
    column names in ``lang``. ``growth`` (optional; one row per target_id with
    ``trend_growth``, ``trend_low``, ``trend_high`` in % a year, e.g. a log-linear trend with
    its 95 % interval) adds the trend growth next to the observed one."""
    from dxlib.report import stand_in_mark, target_phrase, thin_mark

    trends = growth.set_index("target_id") if growth is not None else None
    rows = []
    for _, r in assessment.iterrows():
        rank = r.get("kind") == "rank"
        trend = {}
        if trends is not None:
            t = trends.loc[r["target_id"]] if r["target_id"] in trends.index else None
            trend = {_w("trend", lang): _trend(t, lang)}
        rows.append({
            i18n.label("target_id", lang): r["target_id"] + stand_in_mark(r),
            i18n.label("target", lang): i18n.target_text(ds.registry.targets, r["target_id"], lang),
            i18n.label("target_value", lang): target_phrase(r, lang),
            i18n.label("deadline", lang): str(int(r["deadline"])),
            i18n.label("status", lang): i18n.status_word(r["status"], lang),
            i18n.label("probability", lang): fmt.percent(r["probability"], lang) + thin_mark(r),
            # a rank's growth in % a year means nothing (dxlib.engine.trend): not shown
            i18n.label("required_growth", lang): _growth(math.nan if rank else r["required_growth"], lang),
            i18n.label("observed_growth", lang): _growth(math.nan if rank else r["observed_growth"], lang),
            **trend,
            _w("change", lang): change_needed(r, lang),
        })
    return pd.DataFrame(rows)


def _cell(r: pd.Series, lang: str, now: int | None) -> str:
    from dxlib.report import target_phrase, thin_mark

    head = f"{r['target_id']} {target_phrase(r, lang)}: "
    passed = now is not None and int(r["deadline"]) <= now
    if r["status"] in OUTCOMES:
        return head + i18n.status_word(r["status"], lang)
    if passed:  # no value observed for the deadline year: no outcome to judge
        text = head + _w("no_outcome", lang, year=int(r["deadline"]))
    elif r["status"] == "insufficient_data" and (pd.isna(r["n_obs"]) or int(r["n_obs"]) == 0):
        return head + _w("no_data", lang)
    else:
        text = head + i18n.status_word(r["status"], lang)
    if pd.notna(r["probability"]):
        text += f" ({fmt.percent(r['probability'], lang)}{thin_mark(r)})"
    return text


def deadlines_frame(assessment: pd.DataFrame, ds: Dataset, lang: str, now: int | None) -> pd.DataFrame:
    """The indicators that carry targets at two or more deadlines, one row each: the series'
    name and, per deadline year, its targets (id, target, then the status: the outcome for a
    deadline passed by ``now``, the status and probability for a later one; "no data" for a
    target without any). Empty when no indicator has two deadlines."""
    a = assessment[assessment["indicator"].notna()]
    keys = ["indicator", "series_geo"]
    multi = a.groupby(keys)["deadline"].transform("nunique") > 1
    a = a[multi]
    if a.empty:
        return pd.DataFrame()
    years = sorted(int(d) for d in a["deadline"].unique())
    columns = {y: _w("outcome_column" if now is not None and y <= now else "forecast_column", lang, year=y)
               for y in years}
    rows = []
    for (indicator, _geo), g in a.groupby(keys, sort=False):
        row = {_w("indicator", lang): i18n.name(ds.indicators, indicator, lang)}
        for y in years:
            cells = [_cell(r, lang, now) for _, r in g[g["deadline"].astype(int) == y].iterrows()]
            row[columns[y]] = "; ".join(cells) or fmt.MISSING
        rows.append(row)
    return pd.DataFrame(rows)


def other_plans_frame(assessment: pd.DataFrame, ds: Dataset,
                      others: Sequence[tuple[Dataset, pd.DataFrame]], lang: str) -> pd.DataFrame:
    """This plan's targets and those of ``others`` (each a dataset and its assessment) on the
    same series (indicator and series geography), side by side: one row per target, grouped
    by series (its name on the group's first row), with the plan, the target's id, the
    target, deadline, status and probability. Only series that at least one other plan
    targets, and only the deadlines of ``assessment`` (pass the open targets to compare the
    later deadlines); empty otherwise. Plans with this plan's id are skipped. A target on
    stand-in evidence is marked ``*`` (:func:`dxlib.report.stand_in_mark`), a probability from
    two values ``‡`` (:func:`dxlib.report.thin_mark`)."""
    from dxlib.report import stand_in_mark, target_phrase, thin_mark

    own_id = ds.registry.plan.get("id")
    frames = [(ds, assessment)] + [(o, a) for o, a in others if o.registry.plan.get("id") != own_id]
    keys = ["indicator", "series_geo"]
    ours = set(map(tuple, assessment.loc[assessment["indicator"].notna(), keys].to_numpy()))
    shared: set[tuple] = set()
    for _o, a in frames[1:]:
        shared |= ours & set(map(tuple, a.loc[a["indicator"].notna(), keys].to_numpy()))
    deadlines = set(assessment["deadline"].astype(int))
    rows = []
    for key in [k for k in dict.fromkeys(map(tuple, assessment[keys].to_numpy())) if k in shared]:
        first = True
        for o, a in frames:
            same = (a["indicator"] == key[0]) & (a["series_geo"] == key[1]) & a["deadline"].isin(deadlines)
            for _, r in a[same].iterrows():
                rows.append({
                    _w("indicator", lang): i18n.name(ds.indicators, key[0], lang) if first else "",
                    _w("plan", lang): i18n.plan_title(o.registry.plan, lang),
                    i18n.label("target_id", lang): r["target_id"] + stand_in_mark(r),
                    i18n.label("target_value", lang): target_phrase(r, lang),
                    i18n.label("deadline", lang): str(int(r["deadline"])),
                    i18n.label("status", lang): i18n.status_word(r["status"], lang),
                    i18n.label("probability", lang): fmt.percent(r["probability"], lang)
                    + thin_mark(r),
                })
                first = False
    return pd.DataFrame(rows)
