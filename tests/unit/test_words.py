"""Words by code, numbers and dates by Babel, prose by template: the report's language layer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dxlib.engine.attainment import Note, assess_dataset
from dxlib.report import fmt
from dxlib.report.text import Safe, Text, read_sections
from dxlib.report.words import NOTE_WORDS, note_text

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"


def note(code: str, **args) -> Note:
    return Note(code, tuple(args.items()))


# ------------------------------------------------------------------ notes by code


def test_notes_are_worded_from_their_codes_in_both_languages() -> None:
    met = (note("met_holds", met_year=2019, deadline=2025),)
    assert note_text(met, "vi") == ("đã đạt từ năm 2019; xác suất là khả năng vẫn giữ được mức này vào "
                                    "năm 2025")
    assert note_text(met, "en") == "met in 2019; probability = chance it still holds in 2025"
    # a value at the bound, then met early: two notes joined by "; ", values by the language's rule
    two = (note("at_bound", value=99.97, bound=100.0), note("met_one_observation", met_year=2024))
    assert note_text(two, "en") == ("99.97 counts as 100: within 0.5% of the range of the bound; "
                                    "met in 2024; one observation, so the chance it holds is not estimated")
    assert note_text(two, "vi").startswith("99,97 được tính là đạt mức 100 vì ")
    assert note_text(None, "vi") == "" and note_text(float("nan"), "en") == ""


def test_every_note_code_has_both_wordings_with_the_same_fields() -> None:
    import string

    for code, (vi, en) in NOTE_WORDS.items():
        fields = [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in (vi, en)]
        assert fields[0] == fields[1], code
        assert vi != en, code


def test_unknown_note_code_is_an_error() -> None:
    with pytest.raises(KeyError, match="no_such_code"):
        note_text((note("no_such_code"),), "en")


def test_every_note_the_assessment_writes_is_worded() -> None:
    from dxlib.data import load_dataset

    ds = load_dataset(MINI / "targets.yaml", [MINI / "observations.csv"], MINI / "indicators.csv",
                      MINI / "geos.csv")
    notes = [n for n in assess_dataset(ds)["note"] if n is not None]
    assert notes  # the mini plan has thin-data and milestone targets
    for n in notes:
        assert all(isinstance(x, Note) for x in n)
        assert note_text(n, "vi") and note_text(n, "en") and note_text(n, "vi") != note_text(n, "en")


# ------------------------------------------------------------------ numbers and dates


def test_vietnamese_groups_with_dots_and_marks_decimals_with_commas() -> None:
    assert fmt.number(12345.678, "vi", 1) == "12.345,7"
    assert fmt.number(12345.678, "en", 1) == "12,345.7"
    assert fmt.number(1, "vi", 1) == "1,0" and fmt.number(1, "en", 1) == "1.0"  # fixed decimals
    assert fmt.number(1234567, "vi", 0) == "1.234.567"


def test_as_many_decimals_as_the_value_has_never_in_exponent_form() -> None:
    assert fmt.number(99.97, "vi") == "99,97" and fmt.number(99.97, "en") == "99.97"
    assert fmt.number(100.0, "en") == "100"
    assert fmt.number(1e6, "vi") == "1.000.000"
    assert fmt.number(0.00001, "en") == "0.00001"
    assert fmt.number(0.1 + 0.2, "en") == "0.3"  # 12 significant digits: no float noise
    assert fmt.number(122152.1, "vi") == "122.152,1"
    assert fmt.number(None, "vi") == fmt.number(float("nan"), "en") == "—"


def test_percentages_are_written_one_way() -> None:
    # the number by the language's rule, then "%" with no space (Babel's percent pattern in vi and en)
    assert fmt.percent(0.543, "vi") == "54%" and fmt.percent(0.12345, "vi", 1) == "12,3%"
    assert fmt.percent(0.12345, "en", 1) == "12.3%" and fmt.percent(1, "en") == "100%"


def test_a_probability_never_reads_as_certain_unless_it_is() -> None:
    # whole per cents; a value that would round to 0 % or 100 % gets one decimal (0.004 -> 0.4 %,
    # 0.996 -> 99.6 %) and, if it still would, a bound: 0.0004 -> "< 0.1%", 0.9996 -> "> 99.9%"
    assert [fmt.probability(p, "en") for p in (0, 0.004, 0.0004, 0.5, 0.996, 0.9996, 1)] == [
        "0%", "0.4%", "< 0.1%", "50%", "99.6%", "> 99.9%", "100%"]
    assert fmt.probability(0.0004, "vi") == "< 0,1%" and fmt.probability(0.9996, "vi") == "> 99,9%"
    assert fmt.probability(float("nan"), "vi") == "—"


def test_expected_counts_and_forecast_columns_share_one_rule() -> None:
    # an expected count of exactly 1 is "1" (next to counts), 2.43 is "2,4"
    assert fmt.expected(1.0, "vi") == "1" and fmt.expected(2.43, "vi") == "2,4"
    # 3 significant digits of a column's largest value: 10.7 -> 1 decimal for the whole column
    d = fmt.significant_decimals(10.7)
    assert d == 1 and [fmt.significant(v, "vi", decimals=d) for v in (9.5, 10.7)] == ["9,5", "10,7"]
    assert fmt.significant_decimals(90.39) == 1 and fmt.significant_decimals(7531496.6) == 0


def test_forecasts_show_three_significant_digits_and_values_as_published() -> None:
    assert fmt.significant(7531496.6, "vi") == "7.530.000"
    assert fmt.significant(9.8213, "vi") == "9,82" and fmt.significant(9.8213, "en") == "9.82"
    assert fmt.published(216943.0, "vi") == "216.943"
    assert fmt.published(0.79551, "en") == "0.7955"  # four decimals below 1
    assert fmt.published(85.756, "en") == "85.76"  # two from 1 up
    assert fmt.published(122152.1, "vi") == "122.152,1" and fmt.published(157356.3, "en") == "157,356.3"


def test_dates_as_official_documents_write_them() -> None:
    # Vietnamese administrative style: day/month/year, no leading zeros; English: Babel's long form
    assert fmt.date(dt.date(2024, 6, 30), "vi") == "30/6/2024"
    assert fmt.date("2025-03", "vi") == "3/2025" and fmt.date("2025-03", "en") == "March 2025"
    assert fmt.date("2024-06-30", "en") == "June 30, 2024"
    assert fmt.date("2024", "en") == "2024"  # not a date: as given


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="expected one of vi, en"):
        fmt.number(1, "fr")


def test_axis_formatter_writes_ticks_like_the_tables() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    assert fmt.axis_formatter("vi")(27.5, 0) == "27,5"
    assert fmt.axis_formatter("en")(27.5, 0) == "27.5"
    assert fmt.axis_formatter("vi", suffix="%")(1500, 0) == "1.500%"
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0.5, 2.5])
    fmt.localise_axes(ax, "vi", x=False)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    plt.close(fig)
    # ticks every 0.25 from 0.25 to 2.5, all with two decimals as matplotlib's "0.50", "1.00"
    assert "0,50" in labels and "1,00" in labels and "2,50" in labels
    assert not any("." in t for t in labels)
    assert fmt.axis_formatter("en").format_ticks([0, 0.25, 0.5]) == ["0.00", "0.25", "0.50"]


# ------------------------------------------------------------------ templates


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "nb.en.md").write_text(
        "<!-- Prose of nb -->\n\n<!-- section: title -->\n# Title of {{ plan }}\n\n"
        "<!-- section: summary -->\n{{ n }} targets in\n{{ place }}; {{ share }} met.\n", encoding="utf-8")
    (tmp_path / "_shared.en.md").write_text("<!-- section: note -->\nShared.\n", encoding="utf-8")
    return tmp_path


def test_template_is_filled_and_paragraphs_unwrapped(folder: Path) -> None:
    t = Text("nb", "en", folder)
    assert t("summary", n=26, place="Nghệ An", share=fmt.percent(0.5, "en")) == (
        "26 targets in Nghệ An; 50% met.")
    assert t("title", plan="Plan 833") == "# Title of Plan 833"
    assert t("note") == "Shared."  # the shared sections come along


def test_template_escapes_data_text_but_not_safe_text(folder: Path) -> None:
    t = Text("nb", "en", folder)
    filled = t("summary", n=1, place="[x](javascript:alert(1)) <b>", share=Safe("**all**"))
    assert "[x](javascript" not in filled and "<b>" not in filled and "**all**" in filled
    assert t.plain("summary", n=1, place="a_b", share="c") == "1 targets in a_b; c met."


def test_template_missing_field_or_section_is_an_error(folder: Path) -> None:
    t = Text("nb", "en", folder)
    with pytest.raises(KeyError, match=r"nb\.en\.md, section summary: 'share' is undefined"):
        t("summary", n=1, place="x")
    with pytest.raises(KeyError, match="no section 'nope'"):
        t("nope")
    with pytest.raises(TypeError, match="expected text"):
        t("summary", n=1, place="x", share=0.5)  # a float must be formatted first


def test_template_file_errors_name_the_file(folder: Path) -> None:
    bad = folder / "dup.en.md"
    bad.write_text("<!-- section: a -->\nx\n<!-- section: a -->\ny\n", encoding="utf-8")
    with pytest.raises(ValueError, match="dup.en.md, section a: found twice"):
        read_sections(bad)
    bad.write_text("stray text\n<!-- section: a -->\nx\n", encoding="utf-8")
    with pytest.raises(ValueError, match="text before the first"):
        read_sections(bad)
