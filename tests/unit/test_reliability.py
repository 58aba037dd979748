"""The calibration evidence of the attainment probabilities, as report 07 reads it from
dxlib/profiles/attainment_calibration.json (benchmarks/attainment_calibration.py --write-profile)."""

from __future__ import annotations

import json
from importlib import resources

import pandas as pd
import pytest

from dxlib.report import words as w
from dxlib.report.reliability import (
    BANDS,
    CALIBRATION_GROUPS,
    attainment_calibration,
    band_gaps,
    band_table,
    merge_identical_groups,
)


def shipped() -> dict:
    profile = resources.files("dxlib.profiles").joinpath("attainment_calibration.json")
    return json.loads(profile.read_text(encoding="utf-8"))


def test_loader_keeps_every_row_of_the_shipped_json_in_the_documented_shape() -> None:
    raw, cal = shipped(), attainment_calibration()
    assert len(cal.reliability) == len(raw["reliability"])
    assert list(cal.reliability.columns) == [
        "group", "protocol", "family", "lo", "hi", "n", "mean_p", "observed"]
    # groups in the report's order; 10 equal-width bins each, ascending
    groups = list(dict.fromkeys(cal.reliability["group"]))
    assert groups == [g for g in CALIBRATION_GROUPS if g in set(groups)]
    for _, rows in cal.reliability.groupby("group"):
        assert list(rows["lo"]) == sorted(rows["lo"]) and (rows["hi"] > rows["lo"]).all()
    for col in ("mean_p", "observed"):
        assert cal.reliability[col].between(0, 1).all() and cal.bands[col].between(0, 1).all()
    # one row per (group, band) of the JSON, bands in the order on / at / off track
    assert len(cal.bands) == sum(len(v) for v in raw["bands"].values())
    for group, rows in cal.bands.groupby("group", sort=False):
        assert list(rows["band"]) == [b for b in BANDS if b in raw["bands"][group]]
        for _, r in rows.iterrows():
            assert r["mean_p"] == raw["bands"][group][r["band"]]["mean_p"]
            assert r["n"] == raw["bands"][group][r["band"]]["n"]
    assert cal.summary.loc["m3_level", "ece"] == raw["summary"]["m3_level"]["ece"]
    assert list(cal.goals["met"]) == [g["met"] for g in raw["goals"]]


def test_loader_names_a_missing_key(tmp_path) -> None:
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"summary": {}, "bands": {}, "reliability": []}), encoding="utf-8")
    with pytest.raises(ValueError, match="'goals' missing"):
        attainment_calibration(path)


def test_identical_groups_are_drawn_once_under_both_names() -> None:
    rel = pd.DataFrame({"group": ["a", "a", "b", "b", "c", "c"], "lo": [0, 0.5] * 3, "n": [3, 4] * 3,
                        "mean_p": [0.2, 0.7, 0.2, 0.7, 0.2, 0.8], "observed": [0.1, 0.9] * 3})
    merged = merge_identical_groups(rel)
    assert list(merged["group"]) == ["a = b", "a = b", "c", "c"]
    assert w.calibration_group_word("m3_level = m3_growth", "en") == (
        "M3: level targets = M3: average-growth targets")


def test_band_table_and_gaps_in_the_reports_language() -> None:
    bands = pd.DataFrame({"group": ["internet_users_pct"] * 2, "band": ["on_track", "at_risk"],
                          "n": [18535, 7792], "mean_p": [0.944, 0.4726], "observed": [0.9694, 0.7616]})
    vi = band_table(bands, "vi")
    assert list(vi.columns) == ["Bộ số liệu kiểm tra", "Nhóm đánh giá", "Xác suất đạt bình quân",
                                "Tỷ lệ thực tế đạt", "Số trường hợp"]
    # Vietnamese numbers: "7.792" cases (thousands point); per cents rounded to whole numbers
    assert vi.iloc[1].tolist() == [
        "Tỷ lệ người dùng Internet (%)", "Có nguy cơ không đạt", "47%", "76%", "7.792"]
    assert band_table(bands, "en").iloc[0].tolist() == [
        "Internet users (%)", "On track", "94%", "97%", "18,535"]
    # gap = mean p - observed: -0.0254 (on track) and -0.289 (at risk, the most understated last)
    assert list(band_gaps(bands)["band"]) == ["on_track", "at_risk"]
    assert band_gaps(bands)["gap"].iloc[-1] == pytest.approx(0.4726 - 0.7616)
