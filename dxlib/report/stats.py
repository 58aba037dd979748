"""Tables of the statistics researchers expect, worded for planners: observed, trend and required
growth side by side (:func:`dxlib.engine.trend.growth_frame`), and what standard models
(statsmodels damped ETS and Theta) forecast next to ours, with the share of outcomes their 80 %
ranges held in the M3 benchmark (:mod:`dxlib.engine.reference`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dxlib.report import fmt, styled
from dxlib.report import words as i18n

#: why a trend is not estimated, by :class:`dxlib.engine.trend.TrendGrowth` reason
REASON_WORDS: dict[str, tuple[str, str]] = {
    "thin": ("Chưa đủ 3 năm số liệu để ước lượng xu hướng", "Fewer than 3 years: no trend estimated"),
    "non_positive": ("Có giá trị bằng 0 hoặc âm nên không tính tốc độ tăng trưởng",
                     "A value at or below 0: no growth rate"),
    "rank": ("Chỉ số thứ hạng: không tính tốc độ tăng trưởng", "A rank: no growth rate"),
}


def growth_pct(x: Any, lang: str) -> str:
    """A growth rate in % a year: "14,2%/năm" / "14.2%/yr" (one decimal)."""
    if fmt.missing(x):
        return fmt.MISSING
    return fmt.number(x, lang, 1) + ("%/năm" if lang == "vi" else "%/yr")


def trend_text(row: pd.Series | dict, lang: str) -> str:
    """"14,2%/năm (95%: 11,3–17,1)" or the reason no trend is estimated."""
    if row["reason"]:
        return i18n._pick(REASON_WORDS[row["reason"]], lang)
    interval = f"{fmt.number(row['trend_low'], lang, 1)}–{fmt.number(row['trend_high'], lang, 1)}"
    return f"{growth_pct(row['trend_growth'], lang)} (95%: {interval})"


def growth_table(frame: pd.DataFrame, ds, lang: str):
    """One row per target of a :func:`~dxlib.engine.trend.growth_frame`: id, series, years,
    observed average growth, trend growth with its 95 % interval, growth required."""
    rows = []
    for _, r in frame.iterrows():
        rows.append({
            i18n.label("target_id", lang): r["target_id"],
            i18n.label("indicator", lang): i18n.name(ds.indicators, r["indicator"], lang),
            i18n.label("n_obs", lang): int(r["n_years"]),
            i18n.label("growth_cagr", lang): growth_pct(r["observed_growth"], lang),
            i18n.label("growth_trend", lang): trend_text(r, lang),
            i18n.label("growth_required", lang): growth_pct(r["required_growth"], lang),
        })
    st = styled(pd.DataFrame(rows, columns=list(rows[0]) if rows else None))
    if not rows:
        return st
    return st.set_properties(subset=[i18n.label("target_id", lang)], **{"white-space": "nowrap"})


def standard_table(ours: dict | None, standard: pd.DataFrame, m3: pd.DataFrame, year: int,
                   unit: str | None, lang: str, history: str = "last 6"):
    """Forecasts of ``year`` by our method (``ours``: median, q_0.1, q_0.9) and by the reference
    models (rows of :func:`dxlib.engine.reference.standard_forecasts` for that year), each with
    its 80 % range and the share of outcomes such ranges held in the M3 benchmark (``m3`` =
    :func:`dxlib.report.reliability.benchmark_table`, rows of ``history``)."""
    from dxlib.report import projection_text

    def m3_cover(method: str) -> str:
        hit = m3[(m3["method"] == method) & (m3["history"] == history)]
        return fmt.percent(hit["coverage_80"].iloc[0], lang) if len(hit) else fmt.MISSING

    entries = []
    if ours is not None:
        entries.append(("dxlib default", ours["median"], ours["q_0.1"], ours["q_0.9"]))
    for r in standard[standard["year"] == year].itertuples(index=False):
        entries.append((r.method, r.mean, r.low, r.high))
    rows = []
    for method, mid, lo, hi in entries:
        d = fmt.significant_decimals(mid)  # the range written like its centre
        rows.append({
            i18n.label("method", lang): i18n.method_word(method, lang),
            f"{i18n.label('forecast', lang)} {year}": projection_text(mid, unit, lang, d),
            i18n.label("interval_80", lang): (f"{projection_text(lo, None, lang, d)}–"
                                              f"{projection_text(hi, None, lang, d)}"),
            i18n.label("m3_coverage_80", lang): m3_cover(method),
        })
    return styled(pd.DataFrame(rows))


def comparison_frame(summary: pd.DataFrame, m3: pd.DataFrame, lang: str, n_series: int,
                     history: str = "last 6") -> pd.DataFrame:
    """Tidy frame for :func:`dxlib.report.plots.comparison_chart` and its table: per method (in
    words) and source (M3 ``history`` / the shipped series), ``coverage_80`` and ``n_forecasts``."""
    rows = []
    for method in summary["method"]:
        hit = m3[(m3["method"] == method) & (m3["history"] == history)]
        if len(hit):
            rows.append({"method": i18n.method_word(method, lang), "source": i18n.label("m3_source", lang),
                         "coverage_80": float(hit["coverage_80"].iloc[0]), "n_forecasts": None})
    for r in summary.itertuples(index=False):
        rows.append({"method": i18n.method_word(r.method, lang),
                     "source": i18n.label("shipped_source", lang).format(n=n_series),
                     "coverage_80": r.coverage_80, "n_forecasts": int(r.n_forecasts)})
    return pd.DataFrame(rows)
