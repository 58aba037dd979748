"""Every figure function draws on a matplotlib Figure and gives its axes a title (the default in
the report's language, or the one passed), without showing anything."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dxlib.report import plots  # noqa: E402
from dxlib.report import words as w  # noqa: E402

PILLARS = pd.DataFrame({"name_vi": ["Hạ tầng số", "Kinh tế số"], "name_en": ["Infrastructure", "Economy"]},
                       index=["infra", "eco"])
ASSESSMENT = pd.DataFrame({
    "target_id": ["A-1", "A-2", "E-1", "E-2"], "pillar": ["infra", "infra", "eco", "eco"],
    "status": ["achieved", "insufficient_data", "not_achieved", "at_risk"],
    "probability": [1.0, np.nan, 0.0, 0.45]})
HISTORY = pd.DataFrame({"year": [2020, 2021, 2022, 2023], "value": [2.0, 2.5, 3.1, 3.6]})
FAN = pd.DataFrame({"year": [2024, 2025], "median": [4.0, 4.5], "q_0.025": [3.0, 3.2], "q_0.1": [3.4, 3.7],
                    "q_0.9": [4.6, 5.3], "q_0.975": [5.0, 5.9]})


def figures(lang: str):
    obs = pd.DataFrame({"indicator": ["x", "x", "y"], "year": [2020, 2021, 2021]})
    indicators = pd.DataFrame({"name_vi": ["Một tên chỉ số rất dài cần được xuống dòng đúng chỗ", "Ngắn"],
                               "name_en": ["An indicator name long enough to be wrapped at a space",
                                           "Short"]},
                              index=["x", "y"])
    coverage = pd.DataFrame({"history": ["full", "last 6"], "coverage_80": [0.86, 0.79],
                             "coverage_95": [0.97, 0.95]})
    intervals = FAN.assign(observed=[4.2, 6.0])
    scenarios = pd.DataFrame({"scenario": ["a", "a", "b", "b"], "year": [2023, 2024, 2023, 2024],
                              "value": [3.6, 4.0, 3.6, 4.4]})
    compared = pd.DataFrame({"method": ["ours", "ours", "ETS", "ETS"], "source": ["M3", "here"] * 2,
                             "coverage_80": [0.79, 0.9, 0.35, 0.19]})
    return {
        "status_by_pillar": plots.status_by_pillar(ASSESSMENT, PILLARS, lang),
        "probability_chart": plots.probability_chart(ASSESSMENT, lang),
        "coverage_heatmap": plots.coverage_heatmap(obs, indicators, lang),
        "fan_chart": plots.fan_chart(HISTORY, FAN, lang, target_value=4.0, deadline=2025, unit="%"),
        "coverage_chart": plots.coverage_chart(coverage, lang),
        "interval_chart": plots.interval_chart(intervals, ["one", "two"], lang),
        "scenario_chart": plots.scenario_chart(HISTORY, scenarios, lang, target_value=4.2, deadline=2024),
        "pit_histogram_bins": plots.pit_histogram_bins(np.full(10, 0.1), lang),
        "comparison_chart": plots.comparison_chart(compared, lang),
        "reliability_diagram": plots.reliability_diagram(pd.DataFrame({
            "group": ["a", "a", "b"], "mean_p": [0.1, 0.6, 0.3], "observed": [0.2, 0.5, 0.3],
            "n": [5, 50, 500]}), lang),
    }


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_figure_is_a_titled_figure(lang: str) -> None:
    for name, ax in figures(lang).items():
        assert isinstance(ax.figure, Figure), name
        assert ax.get_title(loc="left"), f"{name} has no title"  # titles sit on the left
    plt.close("all")


def test_a_given_title_is_used_and_long_names_are_wrapped_not_cut() -> None:
    ax = plots.fan_chart(HISTORY, None, "vi", title="Tỷ trọng")
    assert ax.get_title(loc="left") == "Tỷ trọng"
    assert plots.wrap("Tỷ lệ hồ sơ giải quyết thủ tục hành chính trực tuyến", 20).split("\n") == [
        "Tỷ lệ hồ sơ giải", "quyết thủ tục hành", "chính trực tuyến"]
    plt.close("all")


def test_probability_dots_sit_on_their_own_targets_inside_the_axes() -> None:
    ax = plots.probability_chart(ASSESSMENT, "en")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # a target without a probability carries its status in its label, not a dot
    assert labels == ["A-1", "A-2 · " + w.status_word("insufficient_data", "en"), "E-1", "E-2"]
    dots = ax.collections[-1].get_offsets()
    assert sorted(map(tuple, np.asarray(dots))) == [(0.0, 2.0), (45.0, 3.0), (100.0, 0.0)]
    lo, hi = ax.get_xlim()
    assert lo < 0 and hi > 100  # the dots at 0 % and 100 % are drawn whole
    plt.close("all")


def test_target_and_deadline_lines_are_labelled() -> None:
    ax = plots.scenario_chart(HISTORY, pd.DataFrame({"scenario": ["a"], "year": [2024], "value": [4.0]}),
                              "en", target_value=4.2, deadline=2025, unit="%")
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith(w.label("target_line", "en")) and "4.2%" in t for t in texts)
    assert any("2025" in t and t.startswith(w.label("deadline", "en")) for t in texts)
    plt.close("all")


def test_reliability_diagram_is_titled_with_its_diagonal_and_percent_axes() -> None:
    from dxlib.report.reliability import attainment_calibration, merge_identical_groups

    table = merge_identical_groups(attainment_calibration().reliability)
    ax = plots.reliability_diagram(table, "vi")
    assert ax.get_title(loc="left") == w.label("chart_reliability", "vi")
    assert ax.get_xlabel() == w.label("reliability_x", "vi")
    assert ax.get_ylabel() == w.label("reliability_y", "vi")
    diagonal = [line for line in ax.get_lines() if line.get_label() == w.label("reliability_ideal", "vi")]
    assert len(diagonal) == 1
    assert list(diagonal[0].get_xdata()) == [0, 100] == list(diagonal[0].get_ydata())
    # every bin is one dot (its per-cent coordinates), in one legend entry per group + the diagonal
    dots = np.vstack([c.get_offsets() for c in ax.collections])
    assert len(dots) == len(table)
    assert sorted(map(tuple, np.round(dots, 6))) == sorted(
        zip(np.round(100 * table["mean_p"], 6), np.round(100 * table["observed"], 6), strict=True))
    assert len(ax.get_legend().get_texts()) == table["group"].nunique() + 1
    # ticks written as the report writes per cents
    ax.figure.canvas.draw()
    assert "100%" in [t.get_text() for t in ax.get_xticklabels()]
    plt.close("all")
