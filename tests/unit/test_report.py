"""What reaches a report from data text: escaped for HTML and for Markdown; the shared words."""

from __future__ import annotations

import mistune

from dxlib.report import esc
from dxlib.report.words import history_word, method_word, unit_word, value_text


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
    assert history_word("last 6", "vi") == "6 năm cuối" and history_word("full", "vi") == "đầy đủ"
    assert history_word("last 6", "en") == "last 6"
    assert method_word("dxlib default", "vi") == "dxlib (mặc định)"
