"""Words, number formats and status colours, in Vietnamese (``vi``, the default) and English.

Every title, label, status word, table header and explanatory sentence of the reports comes from
here, so that a notebook switches language with one parameter and a planner never sees a
half-translated page. Names from the data (plan, pillars, targets, indicators, geographies) come
from the data files' ``*_vi`` / ``*_en`` columns through :func:`name`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

LANGS: tuple[str, ...] = ("vi", "en")

#: status -> (Vietnamese, English)
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "achieved": ("Đã đạt", "Achieved"),
    "met_early": ("Đạt trước hạn", "Met early"),
    "on_track": ("Đúng hướng", "On track"),
    "at_risk": ("Có nguy cơ", "At risk"),
    "off_track": ("Chệch hướng", "Off track"),
    "not_achieved": ("Không đạt", "Not achieved"),
    "insufficient_data": ("Chưa đủ số liệu", "Insufficient data"),
    "qualitative": ("Định tính", "Qualitative"),
}

#: traffic-light colours (colour-blind-safe ordering: blue-green for good, orange/red for bad)
STATUS_COLORS: dict[str, str] = {
    "achieved": "#1a7f37",
    "met_early": "#2da44e",
    "on_track": "#8fd19e",
    "at_risk": "#f0b429",
    "off_track": "#e8590c",
    "not_achieved": "#b3261e",
    "insufficient_data": "#bdbdbd",
    "qualitative": "#9db4d6",
}

#: report order of statuses (best first)
STATUS_ORDER: tuple[str, ...] = tuple(STATUS_WORDS)

COVERAGE_WORDS: dict[str, tuple[str, str]] = {
    "series": ("Có chuỗi số liệu", "Series (2+ years)"),
    "one_year": ("Chỉ có một năm", "One year only"),
    "partial": ("Chỉ có số liệu chưa hết năm", "Partial-year value only"),
    "no_data": ("Chưa có số liệu", "No data yet"),
    "unmapped": ("Chưa có chỉ tiêu đo", "No series mapped"),
    "milestone": ("Mốc định tính", "Milestone"),
}

#: table headers and short labels
LABELS: dict[str, tuple[str, str]] = {
    "target": ("Mục tiêu", "Target"),
    "target_id": ("Mã", "ID"),
    "pillar": ("Trụ cột", "Pillar"),
    "indicator": ("Chỉ số đo", "Indicator"),
    "geo": ("Địa bàn", "Geography"),
    "series_geo": ("Số liệu của", "Data for"),
    "status": ("Tình trạng", "Status"),
    "probability": ("Xác suất đạt", "Probability"),
    "target_value": ("Chỉ tiêu", "Target value"),
    "deadline": ("Thời hạn", "Deadline"),
    "last_value": ("Giá trị gần nhất", "Latest value"),
    "last_year": ("Năm", "Year"),
    "n_obs": ("Số năm có số liệu", "Years observed"),
    "projected": ("Dự báo tại thời hạn (khoảng 80%)", "Projected at deadline (80% range)"),
    "projected_median": ("Dự báo (trung vị)", "Projection (median)"),
    "required_growth": ("Tăng trưởng cần thiết (%/năm)", "Required growth (%/yr)"),
    "observed_growth": ("Tăng trưởng đã đạt (%/năm)", "Observed growth (%/yr)"),
    "growth_ratio": ("Tỷ lệ đã đạt / cần thiết", "Observed / required"),
    "note": ("Ghi chú", "Note"),
    "proxy": ("Số liệu thay thế", "Proxy series"),
    "years": ("Các năm có số liệu", "Years observed"),
    "n_sources": ("Số nguồn", "Sources"),
    "coverage": ("Mức độ số liệu", "Data coverage"),
    "owner": ("Đơn vị chủ trì", "Lead department"),
    "needed": ("Số liệu cần bổ sung", "Data needed"),
    "year": ("Năm", "Year"),
    "value": ("Giá trị", "Value"),
    "source": ("Nguồn", "Source"),
    "published": ("Ngày công bố", "Published"),
    "confidence": ("Độ tin cậy", "Confidence"),
    "quote": ("Trích dẫn", "Quote"),
    "n_values": ("Số giá trị", "Values"),
    "expected_met": ("Số mục tiêu dự kiến đạt", "Expected targets met"),
    "p_all_met": ("Xác suất đạt tất cả", "Probability all met"),
    "n_targets": ("Số mục tiêu", "Targets"),
    "n_scored": ("Có xác suất", "Scored"),
    "status_then": ("Tình trạng khi đó", "Status then"),
    "probability_then": ("Xác suất khi đó", "Probability then"),
    "status_now": ("Kết quả", "Outcome"),
    "observed": ("Thực tế", "Observed"),
    "median": ("Dự báo (trung vị)", "Forecast (median)"),
    "interval_80": ("Khoảng 80%", "80% range"),
    "inside_80": ("Trong khoảng 80%?", "Inside the 80% range?"),
    "history": ("Số liệu đã công bố", "Published values"),
    "forecast": ("Dự báo", "Forecast"),
    "band_80": ("Khoảng dự báo 80%", "80% forecast range"),
    "band_95": ("Khoảng dự báo 95%", "95% forecast range"),
    "target_line": ("Chỉ tiêu", "Target"),
    "scenario": ("Kịch bản", "Scenario"),
    "growth": ("Tăng trưởng (%/năm)", "Growth (%/yr)"),
    "nominal": ("Mức danh nghĩa", "Nominal level"),
    "empirical": ("Tỷ lệ bao phủ thực tế", "Empirical coverage"),
    "history_length": ("Độ dài chuỗi (số năm)", "History length (years)"),
    "count": ("Số lượng", "Count"),
    "relative_frequency": ("Tần suất tương đối", "Relative frequency"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "none": ("—", "—"),
    "all_pillars": ("Toàn kế hoạch", "Whole plan"),
    "all_data": ("tất cả số liệu", "all data"),
    "year_from": ("Từ năm", "From"),
    "origin_year": ("Năm lập dự báo", "Forecast made in"),
    "q_0.1": ("Cận dưới 80%", "80% low"),
    "q_0.9": ("Cận trên 80%", "80% high"),
    "share_from": ("Tỷ trọng đầu kỳ (%)", "Share at start (%)"),
    "share": ("Tỷ trọng (%)", "Share (%)"),
    "total_growth": ("Tăng trưởng bán lẻ (%/năm)", "Retail growth (%/yr)"),
    "numerator_growth": ("Tăng trưởng TMĐT (%/năm)", "E-commerce growth (%/yr)"),
    "share_growth": ("Tăng trưởng tỷ trọng (%/năm)", "Share growth (%/yr)"),
    "outcome": ("Kết quả", "Outcome"),
    "method": ("Phương pháp", "Method"),
    "smape": ("sMAPE", "sMAPE"),
    "coverage_80": ("Bao phủ khoảng 80%", "80% range coverage"),
    "coverage_95": ("Bao phủ khoảng 95%", "95% range coverage"),
}

#: explanatory sentences; ``{name}`` fields are filled by :func:`tr`
TEXT: dict[str, tuple[str, str]] = {
    "as_of_all": ("Đánh giá dựa trên tất cả số liệu đã công bố.",
                  "Assessment based on all published data."),
    "as_of_year": ("Đánh giá dựa trên số liệu đến hết năm {year} (như khi đó dự báo).",
                   "Assessment based on data up to {year} (what the trend said then)."),
    "geo_line": ("Địa bàn: {geo}.", "Geography: {geo}."),
    "proxy_note": ("Chỉ tiêu đánh dấu * dùng số liệu thay thế (ví dụ số liệu cả nước thay cho số "
                   "liệu của tỉnh); xem ghi chú.",
                   "Targets marked * use a proxy series (e.g. national data standing in for the "
                   "province's); see the notes."),
    "how_to_read_probability": (
        "Xác suất đạt là khả năng chỉ tiêu được đáp ứng vào năm thời hạn nếu xu hướng hiện tại "
        "tiếp diễn, đã được hiệu chỉnh để khớp tần suất thực tế (xem báo cáo độ tin cậy của phương "
        "pháp). Ngưỡng: từ 70% trở lên là đúng hướng, dưới 30% là chệch hướng, ở giữa là có nguy cơ.",
        "The probability is the chance that the target is met in its deadline year if the "
        "current trend continues, calibrated to match real frequencies (see the method reliability "
        "report). Cut-offs: 70% or more is on track, below 30% off track, in between at risk."),
    "insufficient_rule": (
        "Khi chỉ có một năm số liệu thì chưa có xu hướng: không tính xác suất.",
        "With a single year of data there is no trend: no probability is given."),
}


#: units of the catalogue and the registry in Vietnamese (English: as written in the data)
UNIT_WORDS_VI: dict[str, str] = {
    "% y/y": "% so với cùng kỳ", "%/year": "%/năm", "bn USD": "tỷ USD", "bn VND": "tỷ đồng",
    "bn VND per year": "tỷ đồng/năm", "count": "", "index 0-1": "(chỉ số 0–1)",
    "per 100 inhabitants": "trên 100 dân", "places": "bậc", "points of 100": "điểm/100",
    "rank of 34": "hạng/34", "rank of 63": "hạng/63", "participations": "lượt",
}

CONFIDENCE_WORDS: dict[str, tuple[str, str]] = {
    "high": ("cao", "high"), "medium": ("trung bình", "medium"), "low": ("thấp", "low"),
}


def check_lang(lang: str) -> str:
    """``lang`` itself, or ValueError naming the allowed values."""
    if lang not in LANGS:
        raise ValueError(f"lang: found {lang!r}; expected one of {', '.join(LANGS)}")
    return lang


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if check_lang(lang) == "vi" else pair[1]


def tr(key: str, lang: str, **fields: Any) -> str:
    """The sentence or label ``key`` in ``lang``, with ``{fields}`` filled in."""
    pair = TEXT.get(key) or LABELS.get(key)
    if pair is None:
        raise KeyError(f"no text for {key!r}")
    return _pick(pair, lang).format(**fields)


def label(key: str, lang: str) -> str:
    """A table header or short label."""
    return _pick(LABELS[key], lang)


def unit_word(unit: str | None, lang: str) -> str:
    """A unit as a reader of ``lang`` writes it ("bn VND" -> "tỷ đồng"); unknown units as given."""
    if not unit:
        return ""
    return UNIT_WORDS_VI.get(unit, unit) if check_lang(lang) == "vi" else unit


def confidence_word(grade: str, lang: str) -> str:
    """high / medium / low in the report's language."""
    return _pick(CONFIDENCE_WORDS[grade], lang) if grade in CONFIDENCE_WORDS else grade


#: the notes :mod:`dxlib.engine.attainment` writes (English, as in the assessment CSV) and their
#: Vietnamese wording; applied in order, each to the whole note
_NOTES_VI: tuple[tuple[str, str], ...] = (
    (r"milestone; evidence values: (\d+)", r"mốc định tính; số giá trị minh chứng: \1"),
    (r"milestone; no evidence yet", "mốc định tính; chưa có minh chứng"),
    (r"no series mapped to this target", "chưa có chỉ số đo cho mục tiêu này"),
    (r"no full-year observation \(only a partial-year value\)",
     "chưa có số liệu cả năm (chỉ có số liệu chưa hết năm)"),
    (r"no full-year observation", "chưa có số liệu cả năm"),
    (r"no observation up to the deadline (\d+) \(first: (\d+)\)",
     r"không có số liệu đến năm thời hạn \1 (năm đầu tiên có số liệu: \2)"),
    (r"([\d.]+) counts as ([\d.]+): within 0\.5 % of the range of the bound",
     r"\1 được tính là \2: cách biên không quá 0,5% độ rộng thang đo"),
    (r"met in (\d+); probability = chance it still holds in (\d+)",
     r"đạt từ năm \1; xác suất là khả năng vẫn giữ được vào năm \2"),
    (r"met in (\d+); one observation, so the chance it holds is not estimated",
     r"đạt từ năm \1; chỉ có một năm số liệu nên chưa ước tính khả năng giữ được"),
    (r"one observation: no trend, no probability",
     "chỉ có một năm số liệu: chưa có xu hướng, không tính xác suất"),
    (r"no forecast could be made", "không lập được dự báo"),
    (r"growth needs two years of the series and a forecast",
     "tăng trưởng cần ít nhất hai năm số liệu và một dự báo"),
    (r"no forecast of the deadline year", "không có dự báo cho năm thời hạn"),
    (r"numerator or denominator has no data", "tử số hoặc mẫu số chưa có số liệu"),
    (r"no year with both numerator and denominator", "không có năm nào có cả tử số và mẫu số"),
    (r"numerator and denominator need 2\+ years each", "tử số và mẫu số cần ít nhất hai năm số liệu"),
)


def note_text(note: str | None, lang: str) -> str:
    """An assessment note in the report's language (the CSV keeps the English wording)."""
    if not isinstance(note, str):
        return ""
    if check_lang(lang) == "en":
        return note
    import re

    for pattern, repl in _NOTES_VI:
        note = re.sub(pattern, repl, note)
    return note


def status_word(status: str, lang: str) -> str:
    """The status word a planner reads ("Đúng hướng" / "On track")."""
    return _pick(STATUS_WORDS[status], lang)


def coverage_word(coverage: str, lang: str) -> str:
    return _pick(COVERAGE_WORDS[coverage], lang)


def name(frame: pd.DataFrame | None, key: str, lang: str, default: str | None = None) -> str:
    """``name_vi`` / ``name_en`` of row ``key`` of a catalogue frame (indicators, geos, pillars,
    departments); the key itself when the frame or row is missing."""
    col = "name_vi" if check_lang(lang) == "vi" else "name_en"
    if frame is not None and key in frame.index and col in frame.columns:
        return str(frame.loc[key, col])
    return default if default is not None else str(key)


def target_text(targets: pd.DataFrame, target_id: str, lang: str) -> str:
    """The target's own words (``text_vi``, verbatim from the plan) or its English gloss."""
    return str(targets.loc[target_id, "text_vi" if check_lang(lang) == "vi" else "text_en"])


def proxy_text(targets: pd.DataFrame, target_id: str, lang: str) -> str | None:
    """Why a proxy series stands in for the target: ``proxy_vi`` in Vietnamese when the registry
    has it, else ``proxy``; None when the target's series is not a proxy."""
    row = targets.loc[target_id]
    text = row.get("proxy_vi") if check_lang(lang) == "vi" else None
    text = text if isinstance(text, str) else row.get("proxy")
    return text if isinstance(text, str) else None


def plan_title(plan: dict, lang: str) -> str:
    return str(plan["title_vi" if check_lang(lang) == "vi" else "title_en"])


# -------------------------------------------------------------------------------------------
# Numbers


def fmt_number(x: Any, lang: str, digits: int = 1) -> str:
    """12345.67 -> "12.345,7" (vi) or "12,345.7" (en); "—" for missing values. Whole numbers
    are shown without decimals."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return "—"
    x = float(x)
    d = 0 if float(x).is_integer() and abs(x) >= 1 else digits
    return _localise(f"{x:,.{d}f}", lang)


def fmt_forecast(x: Any, lang: str) -> str:
    """A forecast with three significant digits (no false precision): 7531496.6 -> "7.530.000"
    (vi) / "7,530,000" (en); 9.8213 -> "9,82" / "9.82"."""
    if x is None or pd.isna(x):
        return "—"
    x = float(x)
    if x == 0:
        return "0"
    decimals = 2 - int(math.floor(math.log10(abs(x))))
    return _localise(f"{round(x, decimals):,.{max(decimals, 0)}f}", lang)


def fmt_percent(p: Any, lang: str, digits: int = 0) -> str:
    """A probability in [0, 1] as a percentage: 0.543 -> "54%"; "—" when missing. Values that
    would show as 0 or 100 but are not exactly 0 or 1 show as "<1%" / ">99%"."""
    if p is None or pd.isna(p):
        return "—"
    p = float(p)
    shown = round(100 * p, digits)
    if shown == 0 < p:
        return "<1%"
    if shown == 100 and p < 1:
        return ">99%"
    return fmt_number(100 * p, lang, digits) + "%"


def _localise(text: str, lang: str) -> str:
    if check_lang(lang) == "vi":
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_value(x: Any, unit: str | None, lang: str) -> str:
    """A published value with its unit, without inventing precision: "85,75%", "216.943 tỷ
    đồng", "0,7955 (chỉ số 0–1)" (vi) / "85.75%", "216,943 bn VND" (en); "—" when missing."""
    if x is None or pd.isna(x):
        return "—"
    x = float(x)
    ax = abs(x)
    digits = 2 if ax >= 1 else 4
    text = f"{x:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    text = _localise(text, lang)
    if not unit:
        return text
    if unit.strip() == "%":
        return f"{text}%"
    word = unit_word(unit, lang)
    return f"{text} {word}" if word else text


# -------------------------------------------------------------------------------------------
# Report texts, by notebook. Fields in {braces} are filled by the notebooks through tr().

TEXT.update({
    # 01 data inventory
    "inventory_title": ("Kiểm kê số liệu — {plan}", "Data inventory — {plan}"),
    "inventory_summary": (
        "Kế hoạch có {n_targets} mục tiêu: {n_series} mục tiêu có chuỗi số liệu từ hai năm trở lên, "
        "{n_one} chỉ có một năm (hoặc số liệu chưa hết năm), {n_missing} chưa có số liệu hoặc chưa "
        "có chỉ số đo, và {n_milestones} là mốc định tính. Bộ số liệu gồm {n_obs} giá trị đã công bố "
        "từ {n_sources} nguồn; mỗi giá trị đều kèm địa chỉ nguồn, ngày công bố và trích dẫn nguyên "
        "văn.",
        "The plan has {n_targets} targets: {n_series} have a series of two or more years, {n_one} "
        "only one year (or a partial year), {n_missing} no data or no indicator yet, and "
        "{n_milestones} are qualitative milestones. The data hold {n_obs} published values from "
        "{n_sources} sources; each value carries its source address, publication date and a "
        "verbatim quote."),
    "coverage_heading": ("Mục tiêu nào đã có số liệu", "Which targets have data"),
    "heatmap_heading": ("Số liệu theo chỉ số và năm — {geo}",
                        "Published values by indicator and year — {geo}"),
    "sources_heading": ("Các nguồn số liệu chính", "Main sources"),
    "needed_heading": ("Số liệu cần bổ sung, theo đơn vị chủ trì", "Data still needed, by lead department"),
    "needed_intro": (
        "Để đánh giá được các mục tiêu dưới đây cần số liệu hằng năm có nguồn công bố. Các đơn vị có "
        "thể điền vào mẫu Excel tạo bằng lệnh `dx template`.",
        "To assess the targets below, yearly published figures are needed. Departments can fill in "
        "the Excel template made by `dx template`."),
    # 02 indicator forecast
    "forecast_title": ("Dự báo chỉ tiêu {tid}", "Forecast for target {tid}"),
    "series_line": ("Chuỗi số liệu: {indicator} — {geo}.", "Series: {indicator} — {geo}."),
    "proxy_line": ("Đây là số liệu thay thế: {proxy}", "This is a proxy series: {proxy}"),
    "no_series": ("Chưa có chuỗi số liệu cho mục tiêu này.", "No series is mapped to this target yet."),
    "status_line": ("Tình trạng: **{status}**. Xác suất đạt vào năm {deadline}: **{probability}**.",
                    "Status: **{status}**. Probability of attainment in {deadline}: **{probability}**."),
    "projection_line": ("Dự báo năm {deadline}: {median} (khoảng 80%: {low} – {high}).",
                        "Projection for {deadline}: {median} (80% range: {low} – {high})."),
    "growth_line": (
        "Tăng trưởng bình quân đã đạt: {observed}/năm; tăng trưởng cần thiết từ giá trị gần nhất để "
        "đạt chỉ tiêu: {required}/năm.",
        "Average growth observed: {observed} a year; growth required from the latest value to reach "
        "the target: {required} a year."),
    "evidence_heading": ("Số liệu và nguồn", "Values and sources"),
    "chart_heading": ("Diễn biến và dự báo", "History and forecast"),
    "backtest_heading": ("Kiểm tra lại trên chính chuỗi này", "Checking the method on this series"),
    "backtest_line": (
        "Dự báo lập lại từ các năm trước (chỉ dùng số liệu đến năm đó): {n} dự báo, {inside80} nằm "
        "trong khoảng 80%, sai số tuyệt đối trung vị {mape}.",
        "Forecasts remade from earlier years (using only the data up to each year): {n} forecasts, "
        "{inside80} inside their 80% range, median absolute error {mape}."),
    "backtest_short": ("Chuỗi quá ngắn để kiểm tra lại (cần từ 4 năm số liệu).",
                       "The series is too short for a backtest (4 or more years needed)."),
    # 03 e-commerce
    "ecom_title": ("Thương mại điện tử: tăng trưởng và tỷ trọng trong bán lẻ",
                   "E-commerce: growth and share of retail sales"),
    "ecom_intro": (
        "Hai mục tiêu cốt lõi của kinh tế số: doanh số TMĐT tăng trên 25%/năm và đạt từ 10% trở lên "
        "so với tổng mức bán lẻ hàng hóa và doanh thu dịch vụ. Tỉnh chưa công bố số liệu TMĐT riêng, "
        "nên báo cáo dùng số liệu cả nước làm số liệu thay thế.",
        "The two core digital-economy targets: e-commerce revenue growing above 25% a year and "
        "reaching at least 10% of total retail sales of goods and services. The province has not "
        "published its own e-commerce figures, so the report uses national figures as a proxy."),
    "ecom_growth_heading": ("Doanh số TMĐT và tăng trưởng hằng năm",
                            "E-commerce revenue and its yearly growth"),
    "ecom_share_heading": ("Tỷ trọng TMĐT trong tổng mức bán lẻ", "E-commerce share of retail sales"),
    "decomp_heading": ("Phân tách: tăng trưởng TMĐT so với tăng trưởng bán lẻ",
                       "Decomposition: e-commerce growth against retail growth"),
    "decomp_intro": (
        "Tỷ trọng tăng khi doanh số TMĐT tăng nhanh hơn tổng mức bán lẻ: (1 + tăng trưởng tỷ trọng) "
        "= (1 + tăng trưởng TMĐT) / (1 + tăng trưởng bán lẻ). Doanh số TMĐT ngầm định = tỷ trọng × "
        "tổng mức bán lẻ.",
        "The share rises when e-commerce grows faster than retail: (1 + share growth) = (1 + "
        "e-commerce growth) / (1 + retail growth). Implied e-commerce revenue = share × total retail."),
    "required_heading": ("Cần tăng trưởng bao nhiêu", "What growth the targets require"),
    "required_line": (
        "Từ tỷ trọng {share} năm {year}, để đạt {target} vào năm {deadline} khi bán lẻ tăng "
        "{retail}/năm, doanh số TMĐT cần tăng {required}/năm.",
        "From a share of {share} in {year}, reaching {target} by {deadline} with retail growing "
        "{retail} a year needs e-commerce revenue to grow {required} a year."),
    "scenario_heading": ("Xác suất theo xu hướng và theo kịch bản",
                         "Probability under the trend and under scenarios"),
    "scenario_intro": (
        "Mỗi kịch bản giả định một mức tăng trưởng TMĐT hằng năm (bán lẻ tăng {retail}/năm); xác "
        "suất giữ nguyên độ bất định của dự báo xu hướng nhưng dời tâm về giá trị của kịch bản.",
        "Each scenario assumes a yearly e-commerce growth rate (retail growing {retail} a year); the "
        "probability keeps the uncertainty of the trend forecast and moves its centre to the "
        "scenario's value."),
    "trend_line": ("Theo xu hướng: {tid} {status}, xác suất {probability}.",
                   "Under the trend: {tid} {status}, probability {probability}."),
    "scenario_name": ("TMĐT tăng {g}%/năm", "e-commerce +{g}%/yr"),
    "deadline_observed": (
        "Năm thời hạn {deadline} đã có số liệu thực tế ({value}), nên không còn gì để dự báo cho mục "
        "tiêu này. Đặt tham số as_of về một năm trước đó (ví dụ {before}) để xem khi đó cần tăng "
        "trưởng bao nhiêu và các kịch bản.",
        "The deadline year {deadline} is already observed ({value}), so there is nothing left to "
        "forecast for this target. Set the as_of parameter to an earlier year (e.g. {before}) to see "
        "the growth that was needed then and the scenarios."),
    # 04 pillar
    "pillar_title": ("Trụ cột: {pillar}", "Pillar: {pillar}"),
    "pillar_summary": (
        "{n_targets} mục tiêu; {n_scored} có xác suất. Số mục tiêu dự kiến đạt: {expected} trên "
        "{n_scored}; xác suất đạt tất cả: {p_all} (giả định các mục tiêu độc lập). {n_no_data} mục "
        "tiêu chưa đủ số liệu.",
        "{n_targets} targets; {n_scored} with a probability. Expected number met: {expected} of "
        "{n_scored}; probability that all are met: {p_all} (targets assumed independent). "
        "{n_no_data} targets lack data."),
    "targets_heading": ("Các mục tiêu", "The targets"),
    "probability_heading": ("Xác suất đạt từng mục tiêu", "Probability of each target"),
    "gaps_heading": ("Thiếu số liệu", "Data gaps"),
    # 05 scorecard
    "scorecard_title": ("Thẻ điểm: {plan}", "Scorecard: {plan}"),
    "scorecard_summary": (
        "Trong {n_targets} mục tiêu: {achieved} đã đạt, {met_early} đạt trước hạn, {on_track} đúng "
        "hướng, {at_risk} có nguy cơ, {off_track} chệch hướng, {not_achieved} không đạt; {no_data} "
        "chưa đủ số liệu và {qualitative} là mốc định tính. Số mục tiêu dự kiến đạt trong các mục "
        "tiêu đánh giá được: {expected} trên {n_scored}.",
        "Of {n_targets} targets: {achieved} achieved, {met_early} met early, {on_track} on track, "
        "{at_risk} at risk, {off_track} off track, {not_achieved} not achieved; {no_data} lack data "
        "and {qualitative} are qualitative milestones. Expected number met among the scored "
        "targets: {expected} of {n_scored}."),
    "by_pillar_heading": ("Tình trạng theo trụ cột", "Status by pillar"),
    "then_heading": ("Dự báo khi có số liệu đến năm {year} nói gì",
                     "What the forecast said with data up to {year}"),
    "then_intro": (
        "So sánh đánh giá chỉ dùng số liệu đến năm {year} với đánh giá dùng tất cả số liệu hiện có.",
        "The assessment made with data up to {year}, next to the one made with all data now."),
    "how_to_read": ("Cách đọc", "How to read this page"),
    # 06 hindcast
    "hindcast_title": ("Dự báo hồi cố: số liệu đến {as_of} so với kết quả {outcome}",
                       "Hindcast: data up to {as_of} against the {outcome} results"),
    "hindcast_intro": (
        "Mỗi chuỗi được dự báo lại chỉ với số liệu đến năm {as_of}, rồi so với giá trị thực tế đã "
        "công bố của năm {outcome}.",
        "Each series is forecast again with data up to {as_of} only, then compared with the value "
        "published for {outcome}."),
    "hindcast_series_heading": ("Các chuỗi số liệu", "Series"),
    "hindcast_series_line": (
        "{n} chuỗi có thể kiểm tra; {inside} trong số đó có giá trị thực tế nằm trong khoảng dự báo "
        "80%.",
        "{n} series can be checked; for {inside} of them the observed value fell inside the 80% "
        "forecast range."),
    "hindcast_none": ("Chưa có chuỗi nào đủ số liệu để kiểm tra với các năm đã chọn.",
                      "No series has enough data to be checked for the chosen years."),
    "hindcast_targets_heading": ("Các mục tiêu: dự báo khi đó và kết quả",
                                 "Targets: the call then and the outcome"),
    "hindcast_targets_line": (
        "{n} mục tiêu đã có kết quả năm thời hạn và có xác suất khi đó; điểm Brier {brier} (0 là "
        "hoàn hảo, 0,25 là đoán bừa).",
        "{n} targets have an outcome for their deadline year and had a probability then; Brier "
        "score {brier} (0 is perfect, 0.25 is a coin toss)."),
    # 07 method reliability
    "reliability_title": ("Độ tin cậy của phương pháp", "How reliable the probabilities are"),
    "reliability_intro": (
        "Xác suất trong các báo cáo chỉ có ý nghĩa nếu chúng đúng với tần suất thực tế: trong các "
        "khoảng dự báo 80%, khoảng 80 trên 100 giá trị thực tế phải nằm bên trong. Phương pháp được "
        "kiểm tra trên 645 chuỗi số liệu năm của cuộc thi dự báo M3 — dữ liệu công khai mà nhóm "
        "không tham gia tạo ra — với 6 năm cuối của mỗi chuỗi được giữ lại để chấm điểm và không "
        "bao giờ được dùng để điều chỉnh phương pháp.",
        "Probabilities in these reports mean something only if they match real frequencies: of the "
        "values falling after an 80% forecast range is drawn, about 80 in 100 must land inside it. "
        "The method is tested on the 645 yearly series of the M3 forecasting competition — public "
        "data no one here wrote — with the last 6 years of each series held out for scoring and "
        "never used to tune the method."),
    "calibration_heading": ("Tỷ lệ giá trị thực tế nằm trong khoảng dự báo",
                            "How often the outcome fell inside the forecast range"),
    "coverage_line": (
        "Với chuỗi 6 năm (giống số liệu của tỉnh), khoảng 80% chứa {c80} và khoảng 95% chứa {c95} "
        "giá trị thực tế. Các mô hình statsmodels dùng như thông thường chỉ đạt {sm80} và {sm95}.",
        "With 6-year histories (like the province's data), the 80% ranges held {c80} and the 95% "
        "ranges {c95} of the outcomes. statsmodels models used as usual reached only {sm80} and "
        "{sm95}."),
    "pit_heading": ("Toàn bộ phân phối dự báo", "The whole forecast distribution"),
    "pit_line": (
        "Biểu đồ PIT: nếu xác suất được hiệu chỉnh tốt, các cột cao gần bằng nhau (đường đỏ).",
        "PIT histogram: if the probabilities are calibrated, the bars are about equally high (red line)."),
    "accuracy_heading": ("Độ chính xác so với các phương pháp khác", "Accuracy against other methods"),
    "accuracy_line": (
        "Sai số sMAPE trung bình (càng thấp càng tốt) với chuỗi đầy đủ: {ours}; phương pháp tốt nhất "
        "của cuộc thi M3 (RBF) đạt 16,42 và Theta 16,90.",
        "Average sMAPE (lower is better) with full histories: {ours}; the best M3 entry (RBF) "
        "scored 16.42 and Theta 16.90."),
    "limits_heading": ("Giới hạn", "Limits"),
    "limits_text": (
        "Các chuỗi M3 là số liệu kinh tế, nhân khẩu, không phải chỉ số chuyển đổi số; tỷ lệ phần "
        "trăm được dự báo trên thang logit với cùng hồ sơ sai số. Khi chỉ có một năm số liệu, báo cáo "
        "không đưa ra xác suất.",
        "The M3 series are economic and demographic, not digital-transformation indicators; "
        "percentages are forecast on a logit scale with the same error profile. With a single year "
        "of data the reports give no probability."),
})
