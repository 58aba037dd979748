"""A target with two deadlines on one indicator (judged at the passed one, forecast at the later
one), the scorecard's comparison year, and the outlook's words (dxlib.report.outlook), on the
synthetic mini plan (tests/fixtures/mini) with a 2030 level added to G-1."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dxlib.data import load_dataset
from dxlib.engine.attainment import assess_dataset
from dxlib.report import outlook

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
G1_2030 = """  - id: G-1-2030
    pillar: gov
    text_vi: "Tỷ lệ hồ sơ trực tuyến năm 2030 đạt từ 80% trở lên"
    text_en: "Online dossiers at least 80 % in 2030"
    kind: share
    comparator: ">="
    value: 80
    unit: "%"
    deadline: 2030
    indicator: online_rate
  - id: G-2
"""


def two_deadlines(tmp_path: Path, value_2025: float):
    """The mini plan with G-1-2030 (>= 80 % in 2030, on G-1's series) and a full-year 2025
    value of G-1's series."""
    text = (MINI / "targets.yaml").read_text(encoding="utf-8").replace("  - id: G-2\n", G1_2030, 1)
    (tmp_path / "targets.yaml").write_text(text, encoding="utf-8")
    row = f"tinh_a,online_rate,2025,{value_2025},%,https://example.org/s,T,2026-01-15,q,high,,\n"
    obs = tmp_path / "observations.csv"
    obs.write_text((MINI / "observations.csv").read_text(encoding="utf-8") + row, encoding="utf-8")
    return load_dataset(tmp_path / "targets.yaml", [obs], MINI / "indicators.csv", MINI / "geos.csv")


@pytest.mark.parametrize(("value_2025", "status_2025", "p_2025"), [(55.0, "achieved", 1.0),
                                                                     (49.9, "not_achieved", 0.0)])
def test_two_deadline_target_judged_for_2025_and_forecast_for_2030(tmp_path, value_2025, status_2025,
                                                                     p_2025) -> None:
    ds = two_deadlines(tmp_path, value_2025)
    t = assess_dataset(ds).set_index("target_id")
    # 2025: the observed deadline-year value decides (G-1 is ">= 50")
    assert t.loc["G-1", "status"] == status_2025 and t.loc["G-1", "probability"] == p_2025
    assert t.loc["G-1", "last_year"] == 2025 and t.loc["G-1", "last_value"] == value_2025
    # 2030: the same series, forecast five years ahead from the same 2025 value
    later = t.loc["G-1-2030"]
    assert later["last_year"] == 2025 and later["last_value"] == value_2025
    assert later["status"] in {"on_track", "at_risk", "off_track"}
    assert 0.0 < later["probability"] < 1.0 and pd.notna(later["projected_median"])
    assert later["required_growth"] > 0  # 80 % is above the 2025 value

    side = outlook.deadlines_frame(assess_dataset(ds), ds, "en", now=outlook.data_year(ds))
    assert list(side.columns) == ["Series", "2025: outcome", "2030: forecast"] and len(side) == 1
    word = {"achieved": "Achieved", "not_achieved": "Not achieved"}[status_2025]
    assert side.iloc[0]["2025: outcome"] == f"G-1 ≥ 50%: {word}"
    assert side.iloc[0]["2030: forecast"].startswith("G-1-2030 ≥ 80%: ")
    assert side.iloc[0]["2030: forecast"].endswith("%)")  # with its probability


def test_passed_deadline_without_its_value_is_no_data(tmp_path) -> None:
    ds = two_deadlines(tmp_path, 55.0)
    a = assess_dataset(ds, as_of=2024)  # the 2025 value not yet known
    side = outlook.deadlines_frame(a, ds, "vi", now=2025)  # ... but 2025 has passed
    assert side.iloc[0]["Năm 2025: kết quả"].startswith("G-1 ≥ 50%: chưa có số liệu năm 2025")


def test_compare_year() -> None:
    # the year before the latest passed deadline; none when all are ahead; before as_of
    assert outlook.compare_year([2025, 2030], now=2026) == 2024
    assert outlook.compare_year([2030], now=2026) is None
    assert outlook.compare_year([2025], now=2025) == 2024
    assert outlook.compare_year([2025], now=2024, as_of=2024) == 2023
    assert outlook.compare_year([2025, 2030], now=2026, as_of=2025) == 2024


@pytest.mark.parametrize(("row", "start"), [
    ({"n_obs": 0}, "Data first"),
    ({"n_obs": 1, "last_year": 2024, "probability": float("nan")}, "More data first: one year only (2024)"),
    ({"status": "met_early"}, "Already at this level; it has to hold until 2030"),
    ({"required_growth": 5.0, "observed_growth": 6.0, "status": "on_track"},
     "Keeping the present pace (rising 6.0%/yr) is enough; rising 5.0%/yr is needed"),
    # fast enough so far, but the forecast (probability 0.3) expects it to slow
    ({"required_growth": 5.0, "observed_growth": 6.0},
     "The pace so far (rising 6.0%/yr) would be enough if it lasted"),
    # 12.0 / 3.0 = 4-fold
    ({"required_growth": 12.0, "observed_growth": 3.0},
     "The pace must rise 4.0-fold: from 3.0%/yr to 12.0%/yr"),
    # a target that needs a fall ("<="), going up
    ({"required_growth": -5.0, "observed_growth": 2.0}, "The trend must turn: rising 2.0%/yr now"),
    # falling fast enough
    ({"required_growth": -5.0, "observed_growth": -6.0, "status": "on_track"}, "Keeping the present pace"),
])
def test_change_needed(row, start) -> None:
    base = {"n_obs": 4, "last_year": 2025, "probability": 0.3, "status": "at_risk", "deadline": 2030,
            "required_growth": float("nan"), "observed_growth": float("nan")}
    assert outlook.change_needed({**base, **row}, "en").startswith(start)
    assert outlook.change_needed({**base, **row}, "vi")  # a Vietnamese sentence too


def test_outlook_frame_with_and_without_trend_growth(tmp_path) -> None:
    ds = two_deadlines(tmp_path, 55.0)
    a = assess_dataset(ds)
    later = outlook.open_targets(a, outlook.data_year(ds))
    assert list(later["target_id"]) == ["G-1-2030"]  # the mini plan's other targets are due in 2025
    plain = outlook.outlook_frame(later, ds, "en")
    assert "Trend growth (%/yr, 95% interval)" not in plain.columns
    assert plain.set_index("ID").loc["G-1-2030", "Deadline"] == "2030"
    growth = pd.DataFrame({"target_id": ["G-1-2030"], "trend_growth": [12.34], "trend_low": [5.0],
                           "trend_high": [20.06]})
    with_trend = outlook.outlook_frame(later, ds, "vi", growth).set_index("Mã")
    # one decimal, Vietnamese decimal comma
    assert with_trend.loc["G-1-2030", "Tăng trưởng theo xu hướng (%/năm, khoảng 95%)"] == "12,3 [5,0–20,1]"


def test_outlook_frame_takes_the_trend_table_of_growth_frame(tmp_path) -> None:
    """The notebook's wiring: growth_frame's log-linear trend (with its 95 % interval) fills the
    outlook's trend column, next to the required growth."""
    from dxlib.engine.analysis import target_series
    from dxlib.engine.trend import growth_frame, trend_growth
    from dxlib.report import fmt

    ds = two_deadlines(tmp_path, 55.0)
    later = outlook.open_targets(assess_dataset(ds), outlook.data_year(ds))
    trends = growth_frame(ds, later)
    frame = outlook.outlook_frame(later, ds, "en", trends).set_index("ID")
    # the same trend computed directly on G-1-2030's series (tinh_a 2021-2025, five full years)
    history = target_series(ds, "G-1-2030").history
    assert len(history) == 5
    tg = trend_growth(history)
    assert tg.low < tg.growth < tg.high
    expected = "{} [{}–{}]".format(*(fmt.number(100 * v, "en", 1) for v in (tg.growth, tg.low, tg.high)))
    assert frame.loc["G-1-2030", "Trend growth (%/yr, 95% interval)"] == expected
    assert frame.loc["G-1-2030", "Required growth (%/yr)"] != "—"


def _open_row(**fields) -> dict:
    """An open target's assessment row (the fields change_needed reads)."""
    row = {"n_obs": 3, "probability": 0.4, "status": "at_risk", "deadline": 2030, "kind": "level",
           "comparator": "<=", "target_value": 20.0, "last_value": 30.0, "last_year": 2024,
           "required_growth": -8.7, "observed_growth": -5.0}
    return {**row, **fields}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_change_needed_has_no_growth_sentence_for_a_rank(lang: str) -> None:
    # ranks 30 -> 22 against "<= 20": was "The pace must rise 1.7-fold: from -5.0%/yr to -8.7%/yr"
    text = outlook.change_needed(_open_row(kind="rank", last_value=22.0), lang)
    assert "%/" not in text and "22" in text and "≤ 20" in text and "2030" in text


def test_change_needed_words_a_falling_target_by_its_direction() -> None:
    # required -8.7 %/yr, observed -5.0 %/yr: the fall must be 8.7 / 5.0 = 1.74 -> "1.7" times faster
    en = outlook.change_needed(_open_row(), "en")
    assert en == ("It must fall faster, 1.7 times the present pace: from falling 5.0%/yr to "
                  "falling 8.7%/yr.")
    assert outlook.change_needed(_open_row(), "vi").startswith("Phải giảm nhanh hơn, gấp 1,7 lần")
    turn = outlook.change_needed(_open_row(observed_growth=3.0), "en")
    assert turn == "The trend must turn: rising 3.0%/yr now, falling 8.7%/yr needed."
    rise = outlook.change_needed(_open_row(comparator=">=", required_growth=6.0, observed_growth=3.0),
                                 "en")
    assert rise == "The pace must rise 2.0-fold: from 3.0%/yr to 6.0%/yr."


def test_outlook_frame_shows_no_growth_for_a_rank() -> None:
    ds = load_dataset(MINI / "targets.yaml", [MINI / "observations.csv"], MINI / "indicators.csv",
                      MINI / "geos.csv")
    a = assess_dataset(ds, n_samples=1000)
    g3 = outlook.outlook_frame(a[a["target_id"] == "G-3"], ds, "en").iloc[0]  # ranks 30, 26, 22
    assert g3["Required growth (%/yr)"] == g3["Observed growth (%/yr)"] == "—"
    assert "%/" not in g3["What would have to change"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_change_needed_for_a_series_that_ends_asks_for_a_new_measure(lang: str) -> None:
    # the 63-province DTI rank ends in 2023 (catalogue `ends`): no rank or pace sentence on it
    from dxlib.engine.rules import note

    row = _open_row(kind="rank", last_value=52.0, last_year=2022, probability=float("nan"),
                    status="insufficient_data", note=note("series_ends", ends=2023, deadline=2030))
    text = outlook.change_needed(row, lang)
    assert "2023" in text and "52" not in text and "%/" not in text


def test_marked_ids_follow_the_evidence_grade() -> None:
    from dxlib.report import marked_ids

    assessment = pd.DataFrame({"target_id": ["A", "B", "C"],
                               "evidence": ["direct", "proxy_geography", "proxy_measure"]})
    frame = pd.DataFrame({"target_id": ["C", "A", "B", "D"]})
    assert list(marked_ids(frame, assessment)["target_id"]) == ["C*", "A", "B*", "D"]
