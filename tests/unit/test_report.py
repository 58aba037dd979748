"""What reaches a report from data text: escaped for HTML and for Markdown; the shared words."""

from __future__ import annotations

import mistune

from dxlib.report import esc
from dxlib.report.words import (
    fragment,
    history_word,
    level_clause,
    method_word,
    sentence,
    unit_word,
    value_text,
)


def test_data_text_cannot_inject_tags_links_or_images() -> None:
    text = "[x](javascript:alert(1)) ![i](http://evil.example/x.png) <script>alert(1)</script> a_b*c*"
    rendered = mistune.html(f"Source: {esc(text)}")
    assert "<a " not in rendered and "<img" not in rendered and "<script" not in rendered
    assert "[x](javascript:alert(1))" in rendered and "a_b*c*" in rendered  # shown as text


def test_vietnamese_report_words() -> None:
    assert unit_word("bn VND", "vi") == "tỷ đồng" and unit_word("bn VND", "en") == "bn VND"
    assert value_text(3000, "participations", "vi") == "3.000 lượt"  # Vietnamese groups thousands with "."
    assert value_text(85.75, "%", "vi") == "85,75%" and value_text(85.75, "%", "en") == "85.75%"
    assert value_text(None, "%", "vi") == "—"
    assert value_text(25, "%/year", "vi") == "25%/năm"  # no space before % in any unit
    assert history_word("last 6", "vi") == "6 năm cuối" and history_word("full", "vi") == "Toàn bộ chuỗi"
    assert history_word("last 6", "en") == "Last 6"  # capitalised: it starts a table cell
    assert method_word("dxlib default", "vi") == "Phương pháp của báo cáo (dxlib)"
    # the benchmark's short code is explained in words in both languages
    assert method_word("statsmodels ETS A,Ad,N", "en") == (
        "Exponential smoothing with a damped trend (statsmodels)")
    assert "A,Ad,N" not in method_word("statsmodels ETS A,Ad,N", "vi")


def test_a_target_split_by_level_shows_its_own_clause_in_vietnamese() -> None:
    # GOV-4a/4b/4c of Plan 833 share one sentence setting a figure per level
    plan = ("90% hồ sơ công việc tại cấp tỉnh, 80% hồ sơ công việc tại cấp huyện và 60% hồ sơ công "
            "việc tại cấp xã được xử lý trên môi trường mạng (không bao gồm hồ sơ mật)")
    assert level_clause(plan, "district") == ("80% hồ sơ công việc tại cấp huyện được xử lý trên môi "
                                              "trường mạng (không bao gồm hồ sơ mật)")
    assert level_clause(plan, "commune").startswith("60% hồ sơ công việc tại cấp xã được xử lý")
    assert level_clause(plan, None) == plan
    assert level_clause("100% khu dân cư", "province") == "100% khu dân cư"
    assert sentence("tối thiểu 90%") == "Tối thiểu 90%" and sentence(None) == ""
    # a verbatim quote stays verbatim; one that starts mid-sentence is marked with an ellipsis
    assert fragment("tỷ lệ này đã tăng") == "…tỷ lệ này đã tăng" and fragment("Đến nay") == "Đến nay"
