"""The words the reports share, in Vietnamese (``vi``, the default) and English: statuses and their
colours, table headers and short labels, units, confidence grades, the assessment's notes (worded
from their codes) and the benchmark's method names.

A notebook's own sentences live in its Markdown templates (``notebooks/text/``, filled by
:mod:`dxlib.report.text`); numbers and dates are written by :mod:`dxlib.report.fmt`. Names from the
data (plan, pillars, targets, indicators, geographies) come from the data files' ``*_vi`` /
``*_en`` columns through :func:`name`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from dxlib.report import fmt
from dxlib.report.fmt import LANGS, check_lang  # noqa: F401  (the language rule lives in fmt)

#: status -> (Vietnamese, English)
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "achieved": ("Đã đạt", "Achieved"),
    "met_early": ("Đạt trước hạn", "Met early"),
    "on_track": ("Có khả năng đạt", "On track"),
    "at_risk": ("Có nguy cơ không đạt", "At risk"),
    "off_track": ("Khó đạt", "Off track"),
    "not_achieved": ("Chưa đạt", "Not achieved"),
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
    "series": ("Có số liệu từ 2 năm trở lên", "Series (2+ years)"),
    "one_year": ("Mới có số liệu 1 năm", "One year only"),
    "partial": ("Mới có số liệu chưa trọn năm", "Partial-year value only"),
    "no_data": ("Chưa có số liệu", "No data yet"),
    "unmapped": ("Chưa xác định chỉ số", "No series mapped"),
    "milestone": ("Mốc định tính", "Milestone"),
}

#: table headers and short labels
LABELS: dict[str, tuple[str, str]] = {
    "target": ("Chỉ tiêu", "Target"),
    "target_id": ("Mã", "ID"),
    "pillar": ("Trụ cột", "Pillar"),
    "indicator": ("Chỉ số", "Indicator"),
    "geo": ("Địa bàn", "Geography"),
    "series_geo": ("Phạm vi số liệu", "Data for"),
    "status": ("Đánh giá", "Status"),
    "probability": ("Xác suất đạt", "Probability"),
    "target_value": ("Mức chỉ tiêu", "Target value"),
    "deadline": ("Thời hạn", "Deadline"),
    "last_value": ("Số liệu gần nhất", "Latest value"),
    "last_year": ("Năm", "Year"),
    "n_obs": ("Số năm có số liệu", "Years observed"),
    "projected": ("Dự báo đến thời hạn (khoảng 80%)", "Projected at deadline (80% range)"),
    "projected_median": ("Dự báo (trung vị)", "Projection (median)"),
    "required_growth": ("Tăng trưởng cần có (%/năm)", "Required growth (%/yr)"),
    "observed_growth": ("Tăng trưởng thực tế (%/năm)", "Observed growth (%/yr)"),
    "growth_ratio": ("Tỷ lệ thực tế / cần có", "Observed / required"),
    "note": ("Ghi chú", "Note"),
    "proxy": ("Số liệu thay thế", "Proxy series"),
    "years": ("Các năm có số liệu", "Years observed"),
    "n_sources": ("Số nguồn", "Sources"),
    "coverage": ("Tình hình số liệu", "Data coverage"),
    "owner": ("Cơ quan chủ trì", "Lead department"),
    "needed": ("Số liệu cần bổ sung", "Data needed"),
    "year": ("Năm", "Year"),
    "value": ("Giá trị", "Value"),
    "source": ("Nguồn", "Source"),
    "source_url": ("Địa chỉ", "URL"),
    "published": ("Ngày công bố", "Published"),
    "confidence": ("Độ tin cậy", "Confidence"),
    "quote": ("Trích dẫn nguyên văn", "Quote"),
    "n_values": ("Số giá trị", "Values"),
    "expected_met": ("Số chỉ tiêu dự kiến đạt", "Expected targets met"),
    "p_all_met": ("Xác suất đạt toàn bộ", "Probability all met"),
    "n_targets": ("Số chỉ tiêu", "Targets"),
    "n_scored": ("Số chỉ tiêu có xác suất", "With a probability"),
    "status_then": ("Đánh giá khi đó", "Status then"),
    "probability_then": ("Xác suất đạt khi đó", "Probability then"),
    # now: the outcome once the deadline has passed, else today's forecast (never called "outcome")
    "status_now": ("Đánh giá hiện nay", "Status now"),
    "observed": ("Thực tế", "Observed"),
    "median": ("Dự báo (trung vị)", "Forecast (median)"),
    "interval_80": ("Khoảng 80%", "80% range"),
    "inside_80": ("Nằm trong khoảng 80%?", "Inside the 80% range?"),
    "history": ("Số liệu đã công bố", "Published values"),
    "forecast": ("Dự báo", "Forecast"),
    "band_80": ("Khoảng dự báo 80%", "80% forecast range"),
    "band_95": ("Khoảng dự báo 95%", "95% forecast range"),
    "target_line": ("Mức chỉ tiêu", "Target"),
    "scenario": ("Kịch bản", "Scenario"),
    "growth": ("Tốc độ tăng (%/năm)", "Growth (%/yr)"),
    "nominal": ("Khoảng dự báo", "Forecast range"),
    "empirical": ("Tỷ lệ giá trị thực tế nằm trong khoảng", "Share of outcomes inside"),
    "history_length": ("Độ dài chuỗi (số năm)", "History length (years)"),
    "count": ("Số lượng", "Count"),
    "relative_frequency": ("Tần suất tương đối", "Relative frequency"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "none": ("—", "—"),
    "all_pillars": ("Toàn kế hoạch", "Whole plan"),
    "all_data": ("toàn bộ số liệu", "all data"),
    "year_from": ("Từ năm", "From"),
    "origin_year": ("Năm lập dự báo", "Forecast made in"),
    "q_0.1": ("Cận dưới khoảng 80%", "80% low"),
    "q_0.9": ("Cận trên khoảng 80%", "80% high"),
    "share_from": ("Tỷ trọng năm trước (%)", "Share the year before (%)"),
    "share": ("Tỷ trọng (%)", "Share (%)"),
    "total_growth": ("Tăng trưởng tổng mức bán lẻ (%/năm)", "Retail growth (%/yr)"),
    "numerator_growth": ("Tăng trưởng TMĐT (%/năm)", "E-commerce growth (%/yr)"),
    "share_growth": ("Tăng trưởng tỷ trọng (%/năm)", "Share growth (%/yr)"),
    "outcome": ("Kết quả thực tế", "Outcome"),
    "method": ("Phương pháp", "Method"),
    "smape": ("Sai số bình quân (sMAPE, %)", "sMAPE"),
    "coverage_80": ("Tỷ lệ giá trị thực tế nằm trong khoảng 80%", "Inside the 80% range"),
    "coverage_95": ("Tỷ lệ giá trị thực tế nằm trong khoảng 95%", "Inside the 95% range"),
    "inside_80_share": ("Tỷ lệ giá trị thực tế nằm trong khoảng 80%",
                        "Share of outcomes inside the 80% range"),
    "trend_growth": ("Tăng trưởng theo xu hướng (%/năm)", "Trend growth (%/yr)"),
    "interval_95": ("Khoảng tin cậy 95%", "95% interval"),
    "growth_kind": ("Cách tính", "Measure"),
    "growth_cagr": ("Bình quân thực tế (từ năm đầu đến năm cuối)", "Observed average (first to last year)"),
    "growth_trend": ("Theo đường xu hướng (tất cả các năm)", "Trend line (every year)"),
    "growth_required": ("Cần có để đạt chỉ tiêu", "Required to meet the target"),
    "m3_coverage_80": ("Tỷ lệ nằm trong khoảng 80% tại cuộc thi M3 (chuỗi 6 năm)",
                       "Inside the 80% range in the M3 competition (6-year series)"),
    "m3_source": ("Cuộc thi M3, chuỗi 6 năm", "M3 competition, 6-year series"),
    "shipped_source": ("Số liệu của báo cáo ({n} chuỗi)", "This report's data ({n} series)"),
    # chart titles (a notebook may pass its own)
    "chart_status_by_pillar": ("Kết quả đánh giá chỉ tiêu theo trụ cột", "Targets by status and pillar"),
    "chart_probability": ("Xác suất đạt từng chỉ tiêu", "Probability of meeting each target"),
    "chart_coverage": ("Số giá trị đã công bố theo chỉ số và năm", "Published values by indicator and year"),
    "chart_fan": ("Số liệu đã công bố và dự báo", "Published values and forecast"),
    "chart_coverage_rate": ("Tỷ lệ giá trị thực tế nằm trong khoảng dự báo, theo độ dài chuỗi",
                            "Share of outcomes inside the forecast ranges, by history length"),
    "chart_intervals": ("Dự báo lập khi đó và giá trị thực tế", "Forecasts then and what was observed"),
    "chart_scenarios": ("Các kịch bản tăng trưởng", "Scenarios"),
    "chart_pit": ("Giá trị thực tế rơi vào đâu trong phân phối dự báo",
                  "Where outcomes fell within their forecast distributions"),
    "chart_comparison": ("Tỷ lệ giá trị thực tế nằm trong khoảng 80%, theo phương pháp",
                         "Outcomes inside the 80% ranges, by method"),
    "pit_axis": ("Vị trí của giá trị thực tế trong phân phối dự báo (0% = thấp hơn mọi giá trị dự báo)",
                 "Position of the outcome in its forecast distribution (0% = below all of it)"),
    "pit_ideal": ("Mức đều: xác suất khớp với thực tế", "Even level: well-calibrated forecasts"),
    # the reliability diagram and the status-band table of report 07
    "chart_reliability": ("Xác suất đạt đã tính và tỷ lệ chỉ tiêu thực tế đạt",
                          "Probabilities given and how often the targets were met"),
    "reliability_x": ("Xác suất đạt đã tính", "Probability of meeting the target, as given"),
    "reliability_y": ("Tỷ lệ chỉ tiêu thực tế đạt", "Share of targets actually met"),
    "reliability_ideal": ("Đường chéo: xác suất khớp với thực tế", "Diagonal: probabilities match outcomes"),
    "calibration_group": ("Bộ số liệu kiểm tra", "Test data"),
    "band": ("Nhóm đánh giá", "Status band"),
    "mean_probability": ("Xác suất đạt bình quân", "Mean probability"),
    "observed_frequency": ("Tỷ lệ thực tế đạt", "Share actually met"),
    "n_cases": ("Số trường hợp", "Cases"),
    # legend of the ‡ mark of a probability forecast from two published values (status tables)
    "thin_probability": ("‡ Xác suất chỉ dựa trên hai số liệu đã công bố: kém chắc chắn hơn nhiều "
                         "(xem báo cáo Độ tin cậy của phương pháp dự báo)",
                         "‡ Probability from only two published values: much less certain "
                         "(see the method reliability report)"),
}

#: the test data of the attainment-calibration benchmark (dxlib.report.reliability.CALIBRATION_GROUPS)
CALIBRATION_GROUP_WORDS: dict[str, tuple[str, str]] = {
    "m3_level": ("M3: chỉ tiêu về mức", "M3: level targets"),
    "m3_growth": ("M3: chỉ tiêu tăng trưởng bình quân", "M3: average-growth targets"),
    "m3_yoy": ("M3: chỉ tiêu tăng so với năm trước", "M3: year-on-year targets"),
    "internet_users_pct": ("Tỷ lệ người dùng Internet (%)", "Internet users (%)"),
    "fixed_broadband_subscriptions_per100": ("Thuê bao băng rộng cố định trên 100 dân",
                                             "Fixed broadband per 100 inhabitants"),
    "account_ownership_pct_age15plus": ("Tỷ lệ người có tài khoản (%)", "Account ownership (%)"),
}

#: units of the catalogue and the registry in Vietnamese (English: as written in the data)
UNIT_WORDS_VI: dict[str, str] = {
    "% y/y": "% so với cùng kỳ", "%/year": "%/năm", "bn USD": "tỷ USD", "bn VND": "tỷ đồng",
    "bn VND per year": "tỷ đồng/năm", "count": "", "index 0-1": "(chỉ số 0–1)",
    "per 100 inhabitants": "trên 100 dân", "places": "bậc", "points of 100": "điểm/100",
    "rank of 34": "hạng/34", "rank of 63": "hạng/63", "participations": "lượt",
}

CONFIDENCE_WORDS: dict[str, tuple[str, str]] = {
    "high": ("Cao", "High"), "medium": ("Trung bình", "Medium"), "low": ("Thấp", "Low"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if check_lang(lang) == "vi" else pair[1]


def label(key: str, lang: str) -> str:
    """A table header or short label."""
    return _pick(LABELS[key], lang)


def calibration_group_word(group: str, lang: str) -> str:
    """A test-data group of the calibration benchmark in words; merged groups ("m3_level =
    m3_growth") word by word; unknown names as given."""
    return " = ".join(_pick(CALIBRATION_GROUP_WORDS[g], lang) if g in CALIBRATION_GROUP_WORDS else g
                      for g in group.split(" = "))


def unit_word(unit: str | None, lang: str) -> str:
    """A unit as a reader of ``lang`` writes it ("bn VND" -> "tỷ đồng"); unknown units as given."""
    if not unit:
        return ""
    return UNIT_WORDS_VI.get(unit, unit) if check_lang(lang) == "vi" else unit


def confidence_word(grade: str, lang: str) -> str:
    """high / medium / low in the report's language, capitalised for a table cell."""
    return _pick(CONFIDENCE_WORDS[grade], lang) if grade in CONFIDENCE_WORDS else grade


#: the notes of :func:`dxlib.engine.attainment.assess_dataset`, by code: (Vietnamese, English),
#: ``{fields}`` filled from the note's arguments (years as written, other numbers by fmt.number)
NOTE_WORDS: dict[str, tuple[str, str]] = {
    "milestone_evidence": ("mốc định tính; có {n} số liệu minh chứng", "milestone; evidence values: {n}"),
    "milestone_no_evidence": ("mốc định tính; chưa có minh chứng", "milestone; no evidence yet"),
    "no_series": ("chưa xác định chỉ số để đo chỉ tiêu này", "no series mapped to this target"),
    "no_full_year": ("chưa có số liệu trọn năm", "no full-year observation"),
    "no_full_year_partial": ("chưa có số liệu trọn năm (mới có số liệu chưa trọn năm)",
                             "no full-year observation (only a partial-year value)"),
    "none_by_deadline": (
        "không có số liệu đến thời hạn (năm {deadline}); số liệu sớm nhất là năm {first_year}",
        "no observation up to the deadline {deadline} (first: {first_year})"),
    "series_ends": (
        "chuỗi số liệu chỉ có đến năm {ends}, trước thời hạn {deadline}; không dự báo được",
        "the series ends in {ends}, before the deadline {deadline}: no forecast"),
    "at_bound": ("{value} được tính là đạt mức {bound} vì chênh lệch không quá 0,5% độ rộng thang "
                 "đo (quy tắc làm tròn)",
                 "{value} counts as {bound}: within 0.5% of the range of the bound"),
    "met_holds": ("đã đạt từ năm {met_year}; xác suất là khả năng vẫn giữ được mức này vào năm {deadline}",
                  "met in {met_year}; probability = chance it still holds in {deadline}"),
    "met_one_observation": (
        "đã đạt từ năm {met_year}; mới có số liệu 1 năm nên chưa ước tính được khả năng giữ được mức này",
        "met in {met_year}; one observation, so the chance it holds is not estimated"),
    "one_observation": ("mới có số liệu 1 năm, chưa xác định được xu hướng nên không tính xác suất",
                        "one observation: no trend, no probability"),
    "no_forecast": ("không lập được dự báo", "no forecast could be made"),
    "growth_needs_two_years": ("cần số liệu ít nhất 2 năm và có dự báo mới tính được tốc độ tăng trưởng",
                               "growth needs two years of the series and a forecast"),
    "no_deadline_forecast": ("không có dự báo cho năm đến hạn", "no forecast of the deadline year"),
    "ratio_no_data": ("tử số hoặc mẫu số của tỷ lệ chưa có số liệu", "numerator or denominator has no data"),
    "ratio_no_common_year": ("không có năm nào có số liệu của cả tử số và mẫu số",
                             "no year with both numerator and denominator"),
    "ratio_too_short": ("tử số và mẫu số đều cần số liệu ít nhất 2 năm",
                        "numerator and denominator need 2+ years each"),
    "ratio_zero_denominator": ("mẫu số bằng 0 vào năm {first_year} nên không tính được tỷ lệ",
                               "the denominator is 0 in {first_year}: the ratio is undefined"),
    # bounds and definition breaks (dxlib.engine.censoring)
    "bound_lower": ("số liệu năm {year} chỉ cho biết là từ {value} trở lên",
                    "the {year} value is only known to be at least {value}"),
    "bound_upper": ("số liệu năm {year} chỉ cho biết là không quá {value}",
                    "the {year} value is only known to be at most {value}"),
    "rests_on_bound": ("kết quả đánh giá dựa trên số liệu ghi 'trên'/'dưới' một mức, không phải số chính xác",
                       "the status rests on a bound, not an exact value"),
    "met_on_bound": ("đã đạt từ năm {met_year}, dựa trên số liệu ghi 'trên'/'dưới' một mức",
                     "met in {met_year}, resting on a bound"),
    "growth_range": ("tăng trưởng {from_year}–{year} theo số liệu: từ {low}% đến {high}%/năm",
                     "growth {from_year}–{year} from the observations: {low}% to {high}% a year"),
    "growth_at_least": ("tăng trưởng {from_year}–{year} theo số liệu: tối thiểu {low}%/năm",
                        "growth {from_year}–{year} from the observations: at least {low}% a year"),
    "growth_at_most": ("tăng trưởng {from_year}–{year} theo số liệu: tối đa {high}%/năm",
                       "growth {from_year}–{year} from the observations: at most {high}% a year"),
    "growth_unknown": ("không tính được tăng trưởng {from_year}–{year} vì số liệu chỉ ghi "
                       "'trên'/'dưới' một mức",
                       "growth {from_year}–{year} cannot be told from the bounds"),
    "bound_conditioned": (
        "xác suất tính theo xu hướng của {n} số liệu chính xác, chỉ giữ {kept}/{total} phương án mô "
        "phỏng khớp với các số liệu ghi 'trên'/'dưới' một mức",
        "probability from the trend of the {n} exact values, kept to the {kept} of {total} "
        "sample paths that respect the bounds"),
    "bound_disagree": ("xu hướng của các số liệu chính xác mâu thuẫn với số liệu ghi 'trên'/'dưới' "
                       "một mức nên không tính xác suất",
                       "the trend of the exact values and the bounds disagree: no probability"),
    "bound_no_trend": ("quá ít số liệu chính xác để xác định xu hướng nên không tính xác suất",
                       "too few exact values for a trend: no probability"),
    "holds_not_estimated": ("chưa ước tính được khả năng giữ được mức đã đạt",
                            "chance it holds not estimated"),
    "definition_break_one": (
        "số liệu năm {year} tính theo định nghĩa khác nên không được nối vào chuỗi xu hướng",
        "the {year} value, under another definition, is not joined into the trend"),
    "definition_break": (
        "{n} số liệu các năm {first}–{last} tính theo định nghĩa khác nên không được nối vào chuỗi xu hướng",
        "{n} earlier values ({first}–{last}) under another definition not joined into the trend"),
}

#: note arguments that are years: written as they are ("2024", never "2.024")
_YEAR_ARGS = frozenset({"deadline", "first_year", "met_year", "year", "from_year", "first",
                        "last", "ends"})


def note_text(notes: Iterable[Any] | None, lang: str) -> str:
    """The notes of an assessment row (a tuple of :class:`dxlib.engine.attainment.Note`, or
    None) worded in ``lang`` and joined by "; "; "" when there is none. The English wording is
    the ``note`` column of ``dx assess``'s CSV."""
    check_lang(lang)
    if notes is None or (isinstance(notes, float) and pd.isna(notes)):
        return ""
    parts = []
    for note in notes:
        code, args = note
        if code not in NOTE_WORDS:
            raise KeyError(f"note code: found {code!r}; expected one of {', '.join(NOTE_WORDS)}")
        fields = {k: str(int(v)) if k in _YEAR_ARGS else fmt.number(v, lang) for k, v in args}
        parts.append(_pick(NOTE_WORDS[code], lang).format(**fields))
    return "; ".join(parts)


#: what a department still has to publish for a target, by coverage (Vietnamese, English)
NEEDED_WORDS: dict[str, tuple[str, str]] = {
    "one_year": ("Số liệu các năm còn lại trong giai đoạn {first}–{last} (hiện mới có năm {years})",
                 "More years {first}–{last} (only {years} so far)"),
    "partial": ("Số liệu trọn năm giai đoạn {first}–{last} (hiện mới có số liệu chưa trọn năm)",
                "Full-year values {first}–{last} (only a partial-year value so far)"),
    "no_data": ("Số liệu hằng năm giai đoạn {first}–{last} của chỉ số đã xác định",
                "Yearly values {first}–{last} of the chosen indicator"),
    "unmapped": ("Xác định chỉ số phù hợp và số liệu hằng năm giai đoạn {first}–{last} của chỉ số đó",
                 "A fitting indicator and its yearly values {first}–{last}"),
}


def needed_text(coverage: str, lang: str, **fields: Any) -> str:
    """What is still needed for a target of ``coverage`` (one_year, partial, no_data, unmapped),
    with ``first``, ``last`` (years) and, for one_year, ``years`` filled in."""
    return _pick(NEEDED_WORDS[coverage], lang).format(**fields)


#: the M3 benchmark's history lengths and method names in Vietnamese (English as in the data)
HISTORY_WORDS_VI: dict[str, str] = {"full": "toàn bộ chuỗi"}
#: the benchmark's method names (as in m3_benchmark.json) in words: (Vietnamese, English)
METHOD_WORDS: dict[str, tuple[str, str]] = {
    "dxlib default": ("Phương pháp của báo cáo (dxlib)", "This report's method (dxlib)"),
    "statsmodels ETS A,Ad,N": ("San bằng mũ, xu hướng tắt dần (statsmodels)",
                               "Exponential smoothing with a damped trend (statsmodels)"),
    "statsmodels Theta": ("Phương pháp Theta (statsmodels)", "Theta method (statsmodels)"),
}


def history_word(history: str, lang: str) -> str:
    """"full" / "last 6" in the report's language, capitalised for a table cell or a tick label
    ("Toàn bộ chuỗi" / "6 năm cuối"; "Full" / "Last 6")."""
    if check_lang(lang) != "vi":
        return sentence(history)
    if history.startswith("last "):
        return history.removeprefix("last ") + " năm cuối"
    return sentence(HISTORY_WORDS_VI.get(history, history))


def method_word(method: str, lang: str) -> str:
    """A benchmark method's name in words of the report's language ("ETS A,Ad,N" -> "exponential
    smoothing with a damped trend"); an unknown name as given."""
    return _pick(METHOD_WORDS[method], lang) if method in METHOD_WORDS else method


def status_word(status: str, lang: str) -> str:
    """The status word a planner reads ("Có khả năng đạt" / "On track")."""
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


#: the administrative levels a target may be split by, as the plan's Vietnamese names them
LEVEL_WORDS_VI: dict[str, str] = {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}

_LEVEL_CLAUSE = re.compile(r"tại cấp (?:tỉnh|huyện|xã)")


def level_clause(text: str, level: Any) -> str:
    """For a plan sentence that sets one figure per level ("90% ... tại cấp tỉnh, 80% ... tại cấp
    huyện và 60% ... tại cấp xã được xử lý ...") and a target split by ``level`` ("province",
    "district", "commune"): the plan's own words for that level only ("90% ... tại cấp tỉnh được
    xử lý ..."). Any other text is returned as given."""
    word = LEVEL_WORDS_VI.get(level) if isinstance(level, str) else None
    marks = list(_LEVEL_CLAUSE.finditer(text))
    if word is None or len(marks) < 2:
        return text
    head, rest = text[: marks[-1].end()], text[marks[-1].end():]
    mine = [c for c in re.split(r",\s*|\s+và\s+", head) if c.endswith(word)]
    return mine[0] + rest if len(mine) == 1 else text


def target_text(targets: pd.DataFrame, target_id: str, lang: str) -> str:
    """The target's own words (``text_vi``, verbatim from the plan; for a target split by level,
    only its level's clause, :func:`level_clause`) or its English gloss."""
    row = targets.loc[target_id]
    if check_lang(lang) != "vi":
        return str(row["text_en"])
    return level_clause(str(row["text_vi"]), row.get("level"))


def fragment(text: Any) -> str:
    """A verbatim quote for a table cell, unchanged, but marked "…" when it starts in the middle
    of a sentence (with a lower-case letter), so the cell does not read as a broken sentence;
    "" for a missing value."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    text = str(text)
    return "…" + text if text[:1].islower() else text


def sentence(text: Any) -> str:
    """``text`` with its first letter capitalised, for a table cell or a sentence that starts with
    a fragment (a note, a verbatim quote); "" for a missing value."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    text = str(text)
    return text[:1].upper() + text[1:]


def proxy_text(targets: pd.DataFrame, target_id: str, lang: str) -> str | None:
    """Why a proxy series stands in for the target: ``proxy_vi`` in Vietnamese when the registry
    has it, else ``proxy``; None when the target's series is not a proxy."""
    row = targets.loc[target_id]
    text = row.get("proxy_vi") if check_lang(lang) == "vi" else None
    text = text if isinstance(text, str) else row.get("proxy")
    return text if isinstance(text, str) else None


def plan_title(plan: dict, lang: str) -> str:
    return str(plan["title_vi" if check_lang(lang) == "vi" else "title_en"])



def value_text(x: Any, unit: str | None, lang: str) -> str:
    """A published value with its unit, without inventing precision (:func:`fmt.published`):
    "85,75%", "216.943 tỷ đồng", "0,7955 (chỉ số 0–1)" (vi) / "85.75%", "216,943 bn VND" (en);
    "—" when missing."""
    text = fmt.published(x, lang)
    if text == fmt.MISSING or not unit:
        return text
    word = unit_word(unit, lang)
    if unit.strip().startswith("%"):  # "25%", "25%/năm": no space before the per cent sign
        return f"{text}{word}"
    return f"{text} {word}" if word else text
