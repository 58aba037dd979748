"""Tests of dxlib.engine.evaluation: rolling backtests, hindcasts, target hindcasts, Brier score."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dxlib.data import load_dataset
from dxlib.engine.attainment import assess_dataset
from dxlib.engine.evaluation import (
    BACKTEST_COLUMNS,
    HINDCAST_COLUMNS,
    TARGET_HINDCAST_COLUMNS,
    backtest_summary,
    brier_score,
    hindcast,
    rolling_backtest,
    target_hindcast,
)
from dxlib.engine.forecast import forecast

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
HEADER = "geo,indicator,year,value,unit,source_url,source_title,published,quote,confidence\n"
UNITS = {"online_rate": "%", "agencies_connected": "%", "ecom_revenue": "bn VND",
         "retail_sales": "bn VND", "dti_rank": "rank of 63", "trainees": "count"}


def mini_with(tmp_path: Path, rows: list[tuple[str, str, int, float]] | None = None):
    """The mini fixture plus extra full-year observations (geo, indicator, year, value)."""
    files = [MINI / "observations.csv"]
    if rows:
        f = tmp_path / "outcomes.csv"
        lines = [f"{g},{i},{y},{v},{UNITS[i]},https://example.org/synthetic,Synthetic,{y + 1}-01-15,"
                 f"synthetic {v},high\n" for g, i, y, v in rows]
        f.write_text(HEADER + "".join(lines), encoding="utf-8")
        files.append(f)
    return load_dataset(MINI / "targets.yaml", files, MINI / "indicators.csv", MINI / "geos.csv")


def series(values, start: int = 2015, years=None) -> pd.DataFrame:
    years = list(range(start, start + len(values))) if years is None else years
    return pd.DataFrame({"year": years, "value": np.asarray(values, float)})


GROWING = [100, 112, 118, 135, 150, 158, 181, 199]  # 2015..2022


# --------------------------------------------------------------------------- rolling_backtest
def test_backtest_rows_columns_and_origins() -> None:
    bt = rolling_backtest(series(GROWING), kind="level", min_train=3, max_horizon=3)
    assert list(bt.columns) == list(BACKTEST_COLUMNS)
    # origins 2017..2021 (3+ points, a later year within 3): 3 + 3 + 3 + 2 + 1 forecasts
    assert len(bt) == 12
    assert bt.groupby("origin_year").size().to_dict() == {2017: 3, 2018: 3, 2019: 3, 2020: 2, 2021: 1}
    assert (bt["h"] == bt["year"] - bt["origin_year"]).all() and bt["h"].between(1, 3).all()
    assert (bt["n_train"] == bt["origin_year"] - 2014).all()
    obs = dict(zip(range(2015, 2023), GROWING, strict=True))
    assert (bt["observed"] == bt["year"].map(obs)).all()
    assert bt["inside_80"].dtype == bool and bt["inside_95"].dtype == bool


def test_backtest_with_gaps_uses_actual_years() -> None:
    h = series([10, 12, 15, 19, 30], years=[2015, 2016, 2017, 2019, 2022])
    bt = rolling_backtest(h, kind="level", min_train=3, max_horizon=3)
    assert list(zip(bt["origin_year"], bt["year"], bt["h"], bt["n_train"], strict=True)) == [
        (2017, 2019, 2, 3), (2019, 2022, 3, 4)]


def test_backtest_has_no_look_ahead() -> None:
    base = series(GROWING)
    bt0 = rolling_backtest(base, kind="level")
    changed = base.copy()
    changed.loc[changed["year"] > 2018, "value"] *= 3.0  # perturb everything after 2018
    bt1 = rolling_backtest(changed, kind="level")
    fc_cols = ["median", "q_0.1", "q_0.9", "q_0.025", "q_0.975"]
    early0 = bt0[bt0["origin_year"] <= 2018]
    early1 = bt1[bt1["origin_year"] <= 2018]
    pd.testing.assert_frame_equal(early0[fc_cols], early1[fc_cols])
    late0, late1 = bt0[bt0["origin_year"] > 2018], bt1[bt1["origin_year"] > 2018]
    assert not np.allclose(late0["median"], late1["median"])
    # the origin-2018 forecast is exactly a forecast of the data up to 2018
    direct = forecast(base[base["year"] <= 2018].assign(series_id="x", kind="level"), 3)
    q = direct.quantile_frame([0.1]).set_index("year")
    row = bt0[bt0["origin_year"] == 2018].set_index("year")
    np.testing.assert_allclose(row["median"], q.loc[row.index, "point"])
    np.testing.assert_allclose(row["q_0.1"], q.loc[row.index, "q_0.1"])


def test_backtest_coverage_and_pit_consistent_with_quantiles() -> None:
    rng = np.random.default_rng(3)
    vals = 50 * np.exp(np.cumsum(rng.normal(0.05, 0.15, 14)))
    bt = rolling_backtest(series(vals, start=2008), kind="level", max_horizon=4)
    assert len(bt) > 20
    q = bt[["q_0.025", "q_0.1", "median", "q_0.9", "q_0.975"]].to_numpy()
    assert (np.diff(q, axis=1) >= -1e-9).all()
    obs = bt["observed"]
    assert (bt["inside_80"] == ((bt["q_0.1"] <= obs) & (obs <= bt["q_0.9"]))).all()
    assert (bt["inside_95"] == ((bt["q_0.025"] <= obs) & (obs <= bt["q_0.975"]))).all()
    assert (bt["inside_80"] <= bt["inside_95"]).all()  # inside 80 % implies inside 95 %
    assert bt["pit"].between(0, 1).all()
    eps = 1e-6
    assert (bt.loc[bt["inside_80"], "pit"].between(0.1 - eps, 0.9 + eps)).all()
    assert (bt.loc[obs < bt["q_0.1"], "pit"] < 0.1 + eps).all()
    assert (bt.loc[obs > bt["q_0.9"], "pit"] > 0.9 - eps).all()
    assert ((bt["pit"] >= 0.5 - eps) == (obs >= bt["median"] - 1e-9)).all()
    ape = (obs - bt["median"]).abs() / obs * 100
    np.testing.assert_allclose(bt["abs_pct_error"], ape)


def test_backtest_pit_at_a_bound_is_mid_point() -> None:
    """A share stuck at 100 %: the forecast has a point mass at 100, the observed 100 is inside
    the intervals and its PIT is strictly between 0 and 1 (not the degenerate 1)."""
    bt = rolling_backtest(series([90, 97, 100, 100, 100, 100, 99.8]), kind="share")
    assert len(bt) > 0
    assert bt["inside_80"].all()
    assert (bt["pit"] > 0).all() and (bt["pit"] < 1).all()
    assert (bt["q_0.9"] == 100).all()


def test_backtest_short_series_gives_empty_frame() -> None:
    for h in (series([]), series([5.0]), series([5.0, 6.0]), series([5.0, 6.0, 7.0])):
        bt = rolling_backtest(h, kind="level", min_train=3)
        assert bt.empty and list(bt.columns) == list(BACKTEST_COLUMNS)
    # 3 points but the only later year is beyond max_horizon
    bt = rolling_backtest(series([5, 6, 7, 9], years=[2010, 2011, 2012, 2020]), kind="level")
    assert bt.empty
    s = backtest_summary(bt)
    assert s["n_forecasts"] == 0 and all(math.isnan(s[k]) for k in s if k != "n_forecasts")


def test_backtest_options_and_errors() -> None:
    bt = rolling_backtest(series(GROWING), kind="level", min_train=2, max_horizon=1,
                          levels=(0.5, 0.25, 0.75))
    # min_train 2, h = 1 only: origins 2016..2021 (2 points by 2016, a next year up to 2022) -> 6
    assert len(bt) == 6 and bt["origin_year"].min() == 2016
    assert {"q_0.5", "q_0.25", "q_0.75", "q_0.1", "q_0.975"} <= set(bt.columns)
    np.testing.assert_allclose(bt["q_0.5"], bt["median"])
    nan_gap = series([1, 2, np.nan, 4, 5, 6], start=2015)  # NaN value = missing year
    assert 2017 not in set(rolling_backtest(nan_gap, kind="level", min_train=2)["year"])
    with pytest.raises(ValueError, match="min_train"):
        rolling_backtest(series(GROWING), kind="level", min_train=1)
    with pytest.raises(ValueError, match="more than once"):
        rolling_backtest(series([1, 2, 3], years=[2015, 2015, 2016]), kind="level")
    with pytest.raises(ValueError):
        rolling_backtest(series([5, 4, 3, 2, 1]), kind="rank")  # a rank needs upper


def test_backtest_summary_hand_computed() -> None:
    bt = pd.DataFrame({"inside_80": [True, False, True, True], "inside_95": [True] * 4,
                       "abs_pct_error": [1.0, 2.0, 3.0, 10.0], "pit": [0.2, 0.4, 0.6, 0.8]})
    assert backtest_summary(bt) == {"n_forecasts": 4, "coverage_80": 0.75, "coverage_95": 1.0,
                                    "median_abs_pct_error": 2.5, "mean_pit": pytest.approx(0.5)}


# --------------------------------------------------------------------------- hindcast
OUTCOMES_2025 = [
    ("tinh_a", "ecom_revenue", 2025, 2600), ("tinh_a", "retail_sales", 2025, 86000),
    ("tinh_a", "agencies_connected", 2025, 100), ("tinh_a", "dti_rank", 2025, 18),
    ("tinh_a", "trainees", 2025, 2500),  # only one training value: not judged
    ("tinh_b", "online_rate", 2025, 58),
]


def test_hindcast_picks_series_with_outcome_and_two_training_points(tmp_path: Path) -> None:
    ds = mini_with(tmp_path, OUTCOMES_2025)
    hc = hindcast(ds, as_of=2024, outcome_year=2025)
    assert list(hc.columns) == list(HINDCAST_COLUMNS)
    # tinh_a online_rate has only a PARTIAL 2025 value: no outcome; trainees: one point
    assert list(zip(hc["geo"], hc["indicator"], strict=True)) == [
        ("tinh_a", "agencies_connected"), ("tinh_a", "dti_rank"), ("tinh_a", "ecom_revenue"),
        ("tinh_a", "retail_sales"), ("tinh_b", "online_rate")]
    r = hc.set_index("indicator").loc["ecom_revenue"]
    # ecom_revenue 2021..2024 in the fixture (1000, 1300, 1700, 2150); 2600 from OUTCOMES_2025
    assert r["kind"] == "level" and r["n_train"] == 4 and r["last_year"] == 2024
    assert r["last_value"] == 2150 and r["h"] == 1 and r["observed"] == 2600
    assert r["error"] == pytest.approx(2600 - r["median"])
    assert r["abs_pct_error"] == pytest.approx(abs(2600 - r["median"]) / 2600 * 100)
    assert hc.set_index("indicator").loc["dti_rank", "kind"] == "rank"
    assert (hc["inside_80"] == ((hc["q_0.1"] <= hc["observed"]) & (hc["observed"] <= hc["q_0.9"]))).all()
    assert hc["pit"].between(0, 1).all()
    # only data up to as_of: 2022 leaves tinh_b online_rate and dti_rank with one point each
    hc22 = hindcast(ds, as_of=2022, outcome_year=2025)
    assert set(hc22["indicator"]) == {"ecom_revenue", "retail_sales"}
    assert (hc22["last_year"] == 2022).all() and (hc22["h"] == 3).all()  # h = 2025 - 2022
    assert (hc22["n_train"] == 2).all()  # 2021 and 2022


def test_hindcast_filters_determinism_and_empty(tmp_path: Path) -> None:
    ds = mini_with(tmp_path, OUTCOMES_2025)
    a = hindcast(ds, as_of=2024, outcome_year=2025, geos=["tinh_a"], indicators=["ecom_revenue",
                                                                                  "online_rate"])
    assert list(a["indicator"]) == ["ecom_revenue"]
    pd.testing.assert_frame_equal(hindcast(ds, as_of=2024, outcome_year=2025, seed=7),
                                  hindcast(ds, as_of=2024, outcome_year=2025, seed=7))
    empty = hindcast(mini_with(tmp_path), as_of=2024, outcome_year=2025)  # no 2025 full-year value
    assert empty.empty and list(empty.columns) == list(HINDCAST_COLUMNS)
    with pytest.raises(ValueError, match="after as_of"):
        hindcast(ds, as_of=2024, outcome_year=2024)


def test_hindcast_ignores_values_after_as_of(tmp_path: Path) -> None:
    """Changing the 2024 values (after as_of = 2023) changes nothing but nothing is lost."""
    base = hindcast(mini_with(tmp_path, OUTCOMES_2025), as_of=2023, outcome_year=2025)
    frame = pd.read_csv(MINI / "observations.csv", dtype=str, keep_default_na=False)
    late = (frame["year"] == "2024") & frame["indicator"].isin(["ecom_revenue", "retail_sales"])
    frame.loc[late, "value"] = (frame.loc[late, "value"].astype(float) * 1.5).astype(str)
    changed = tmp_path / "changed"
    changed.mkdir()
    frame.to_csv(changed / "observations.csv", index=False)
    extra = tmp_path / "outcomes.csv"
    ds = load_dataset(MINI / "targets.yaml", [changed / "observations.csv", extra],
                      MINI / "indicators.csv", MINI / "geos.csv")
    # 3225 = 2150 x 1.5
    assert ds.observations.query("indicator == 'ecom_revenue' and year == 2024")["value"].iloc[0] == 3225
    again = hindcast(ds, as_of=2023, outcome_year=2025)
    pd.testing.assert_frame_equal(base, again)
    # the five series of test_hindcast_picks_series_with_outcome_and_two_training_points, each
    # with 2+ points by 2023 (tinh_b online_rate: 2022, 2023; dti_rank: 2022, 2023)
    assert (base["last_year"] == 2023).all() and len(base) == 5


# --------------------------------------------------------------------------- target_hindcast
TARGET_OUTCOMES = [
    ("tinh_a", "online_rate", 2025, 55),        # G-1 achieved
    ("tinh_a", "agencies_connected", 2025, 100),  # G-2 achieved (met early at as_of)
    ("tinh_a", "dti_rank", 2025, 25),           # G-3 (<= 20) not achieved
    ("tinh_a", "ecom_revenue", 2025, 2600),     # E-1 growth 20.9 % (> 25) not achieved
    ("tinh_a", "retail_sales", 2025, 86000),    # E-2 ratio 3 % (>= 10) not achieved
    ("tinh_a", "trainees", 2025, 2500),         # E-3 (> 3000) not achieved; 1 point at as_of
]


def test_target_hindcast_join_and_came_true(tmp_path: Path) -> None:
    ds = mini_with(tmp_path, TARGET_OUTCOMES)
    th = target_hindcast(ds, as_of=2024)
    assert list(th.columns) == list(TARGET_HINDCAST_COLUMNS)
    assert list(th["target_id"]) == list(ds.registry.targets.index)
    assert (th["geo"] == "tinh_a").all()
    t = th.set_index("target_id")
    now = {"G-1": "achieved", "G-2": "achieved", "G-3": "not_achieved", "G-4": "qualitative",
           "E-1": "not_achieved", "E-2": "not_achieved", "E-3": "not_achieved",
           "E-4": "insufficient_data"}
    assert t["status_now"].to_dict() == now
    assert t["outcome"].tolist() == [True, True, False, pd.NA, False, False, False, pd.NA]
    assert t.loc["G-2", "status_then"] == "met_early" and bool(t.loc["G-2", "came_true"])
    assert t.loc["E-3", "status_then"] == "insufficient_data" and pd.isna(t.loc["E-3", "came_true"])
    calls = {"on_track": True, "met_early": True, "off_track": False}
    for _, r in th.iterrows():
        exp = calls.get(r["status_then"])
        assert (pd.isna(r["expected"]) if exp is None else r["expected"] == exp)
        if exp is None or pd.isna(r["outcome"]):
            assert pd.isna(r["came_true"])
        else:
            assert r["came_true"] == (exp == r["outcome"])
    # the 'then' side equals a plain assessment as of 2024
    then = assess_dataset(ds, as_of=2024).set_index("target_id")
    assert t["status_then"].to_dict() == then["status"].to_dict()
    np.testing.assert_allclose(t["probability_then"], then["probability"].astype(float))
    # Brier score over scored rows, by hand
    ok = t["probability_then"].notna() & t["outcome"].notna()
    p, y = t.loc[ok, "probability_then"], t.loc[ok, "outcome"].astype(float)
    assert ok.sum() >= 3
    assert brier_score(th) == pytest.approx(float(((p - y) ** 2).mean()))


def test_target_hindcast_without_outcomes(tmp_path: Path) -> None:
    ds = mini_with(tmp_path, TARGET_OUTCOMES)
    th = target_hindcast(ds, as_of=2023, outcome_year=2024)  # deadline 2025 not yet observed
    assert th["outcome"].isna().all() and th["came_true"].isna().all()
    assert math.isnan(brier_score(th))
    with pytest.raises(ValueError, match="after as_of"):
        target_hindcast(ds, as_of=2024, outcome_year=2023)


def test_brier_score_hand_computed() -> None:
    frame = pd.DataFrame({
        "status_then": ["on_track", "off_track", "at_risk", "insufficient_data", "on_track",
                        "achieved"],
        "probability_then": [0.8, 0.3, 0.6, np.nan, 0.9, 1.0],
        "outcome": pd.array([True, False, False, True, pd.NA, True], dtype="boolean"),
    })
    # rows 0-2 count: (0.2^2 + 0.3^2 + 0.6^2) / 3; row 5 was observed at as_of, not forecast
    assert brier_score(frame) == pytest.approx((0.04 + 0.09 + 0.36) / 3)
    assert math.isnan(brier_score(frame.iloc[3:5]))


def test_target_hindcast_wrong_call(tmp_path: Path) -> None:
    """E-2 (e-commerce >= 10 % of retail) is off track in 2024 but reached in 2025: the call
    did not come true; a met_early call that holds does."""
    ds = mini_with(tmp_path, [("tinh_a", "ecom_revenue", 2025, 9000),
                              ("tinh_a", "retail_sales", 2025, 86000),
                              ("tinh_a", "agencies_connected", 2025, 100)])
    t = target_hindcast(ds, as_of=2024).set_index("target_id")
    assert t.loc["E-2", "status_then"] == "off_track" and t.loc["E-2", "status_now"] == "achieved"
    assert not t.loc["E-2", "expected"] and t.loc["E-2", "outcome"]
    assert pd.notna(t.loc["E-2", "came_true"]) and not bool(t.loc["E-2", "came_true"])
    assert bool(t.loc["G-2", "came_true"])
    # only E-2 and G-2 have both a call then (on/off track, met early) and an outcome in 2025
    assert t["came_true"].notna().sum() == 2
