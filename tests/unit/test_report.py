"""What reaches a report from data text: escaped for HTML and for Markdown."""

from __future__ import annotations

import mistune

from dxlib.report import esc
from dxlib.report.words import fmt_percent, fmt_value, note_text, unit_word


def test_data_text_cannot_inject_tags_links_or_images() -> None:
    text = "[x](javascript:alert(1)) ![i](http://evil.example/x.png) <script>alert(1)</script> a_b*c*"
    rendered = mistune.html(f"Source: {esc(text)}")
    assert "<a " not in rendered and "<img" not in rendered and "<script" not in rendered
    assert "[x](javascript:alert(1))" in rendered and "a_b*c*" in rendered  # shown as text


def test_vietnamese_report_words() -> None:
    assert unit_word("bn VND", "vi") == "tỷ đồng" and unit_word("bn VND", "en") == "bn VND"
    assert fmt_value(3000, "participations", "vi") == "3.000 lượt"  # Vietnamese groups thousands with "."
    assert note_text("met in 2019; probability = chance it still holds in 2025", "vi") == (
        "đạt từ năm 2019; xác suất là khả năng vẫn giữ được vào năm 2025")
    assert note_text("no series mapped to this target", "en") == "no series mapped to this target"


def test_percentages_never_round_to_certainty() -> None:
    # 0.4 % and 0.5 % round to 0 % (round half to even) but are not 0; 99.5 % rounds to 100 % but is not 1
    assert [fmt_percent(p, "en") for p in (0, 0.004, 0.005, 0.5, 0.995, 1)] == [
        "0%", "<1%", "<1%", "50%", ">99%", "100%"]
