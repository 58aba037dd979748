"""Attainment and roll-up on the synthetic mini plan (tests/fixtures/mini): every kind of target,
strict and non-strict comparators at the bound, growth and ratio targets, thin data, as-of."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dxlib.data import load_dataset
from dxlib.engine.attainment import (
    SHOWN_BOUNDS,
    assess_dataset,
    shown_probability,
    snap_to_bounds,
    status_from_probability,
)
from dxlib.engine.forecast import forecast
from dxlib.engine.rollup import pillar_rollup

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"


def mini(tmp_path: Path | None = None, targets: Path | None = None, extra_rows: str = ""):
    """The mini plan's dataset; ``targets`` an edited registry (fixture ``mini_targets_with``),
    ``extra_rows`` observation rows appended (written under ``tmp_path``)."""
    targets, observations = targets or MINI / "targets.yaml", MINI / "observations.csv"
    if extra_rows and tmp_path:
        observations = tmp_path / "observations.csv"
        observations.write_text((MINI / "observations.csv").read_text(encoding="utf-8") + extra_rows,
                                encoding="utf-8")
    return load_dataset(targets, [observations], MINI / "indicators.csv", MINI / "geos.csv")


def row(table: pd.DataFrame, tid: str, geo: str = "tinh_a") -> pd.Series:
    return table[(table["target_id"] == tid) & (table["geo"] == geo)].iloc[0]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return assess_dataset(mini())


def test_one_row_per_target_with_the_documented_columns(table) -> None:
    assert list(table["target_id"]) == ["G-1", "G-2", "G-3", "G-4", "E-1", "E-2", "E-3", "E-4"]
    for col in ("target_id", "pillar", "indicator", "comparator", "target_value", "deadline",
                "last_year", "last_value", "n_obs", "status", "probability", "projected_median",
                "projected_low", "projected_high", "required_growth", "observed_growth"):
        assert col in table.columns
    p = table["probability"].dropna()
    assert ((p >= 0) & (p <= 1)).all()


def test_share_series_is_forecast_to_its_deadline(table) -> None:
    r = row(table, "G-1")
    assert r["last_year"] == 2024 and r["n_obs"] == 4  # the partial 2025 value is not a year's value
    # the fixture's partial-year row: online_rate 47.5 % as of 2025-08-06 (observations.csv, last row)
    assert r["partial_value"] == 47.5 and r["partial_date"] == "2025-08-06"
    assert 0 < r["probability"] < 1 and r["status"] == status_from_probability(r["probability"])
    assert r["projected_low"] < r["projected_median"] < r["projected_high"] <= 100
    # required vs observed growth: 44 -> 50 in one year; 20 -> 44 over three years
    assert r["required_growth"] == pytest.approx((50 / 44 - 1) * 100)
    assert r["observed_growth"] == pytest.approx(((44 / 20) ** (1 / 3) - 1) * 100)
    assert r["growth_ratio"] == pytest.approx(r["observed_growth"] / r["required_growth"])


def test_share_at_its_bound_met_early_and_holds(table) -> None:
    r = row(table, "G-2")  # 100, 100, 100 against >= 100
    # > 0.9: the forecast keeps most of its mass at the bound after three years at it; 0.9 is a
    # floor set by the author, not a computed value (the implementation at 613ad21 gives more)
    assert r["status"] == "met_early" and r["probability"] > 0.9


def test_strict_comparator_at_the_bound_is_impossible(mini_targets_with) -> None:
    edit = ('comparator: ">="\n    value: 100', 'comparator: ">"\n    value: 100')
    t = assess_dataset(mini(targets=mini_targets_with(edit)))
    r = row(t, "G-2")
    assert r["probability"] == 0.0 and r["status"] == "off_track"


def test_value_within_tolerance_of_the_bound_counts_as_the_bound() -> None:
    # tolerance = BOUND_TOL x range = 0.005 x 100 = 0.5 pp: 99.97 and 0.3 are within it, 99.2 is not
    assert list(snap_to_bounds([99.97, 99.2, 0.3], "share", 0, 100)) == [100, 99.2, 0]
    assert list(snap_to_bounds([99.97], "level", math.nan, math.nan)) == [99.97]


def test_observed_share_is_snapped_only_toward_a_bound_that_is_the_threshold() -> None:
    # threshold 100 = the upper bound: 99.97 counts as 100; threshold 0.3 is inside the range:
    # 0.4 stays 0.4 (snapping it to the lower bound 0 would flip ">= 0.3")
    assert list(snap_to_bounds([99.97, 0.4], "share", 0, 100, threshold=100)) == [100, 0.4]
    assert list(snap_to_bounds([99.97, 0.4], "share", 0, 100, threshold=0.3)) == [99.97, 0.4]
    assert list(snap_to_bounds([0.4], "share", 0, 100, threshold=0)) == [0]


_OBS_ROW = "tinh_a,{ind},2025,{v},%,https://example.org/synthetic,Synthetic test data,2026-01-15,x,high,,\n"


def test_small_observed_share_meets_a_small_threshold(tmp_path, mini_targets_with) -> None:
    # G-1 ">= 0.3 %" with 0.4 % observed in the deadline year: achieved (was not_achieved when
    # 0.4 was snapped to the lower bound 0)
    edit = ('value: 50\n    unit: "%"\n    deadline: 2025\n    indicator: online_rate',
            'value: 0.3\n    unit: "%"\n    deadline: 2025\n    indicator: online_rate')
    ds = mini(tmp_path, mini_targets_with(edit), _OBS_ROW.format(ind="online_rate", v=0.4))
    r = row(assess_dataset(ds), "G-1")
    assert r["last_value"] == 0.4 and r["status"] == "achieved" and r["note"] is None


def test_small_observed_ratio_meets_a_small_threshold(tmp_path, mini_targets_with) -> None:
    # E-2 (e-commerce / retail, in %) ">= 0.3 %" with 2025 values 40 / 10,000 = 0.4 %: achieved
    # (the ratio is snapped only toward a bound that is the threshold, as single series are)
    edit = ('value: 10\n    unit: "%"\n    deadline: 2025\n    numerator: ecom_revenue',
            'value: 0.3\n    unit: "%"\n    deadline: 2025\n    numerator: ecom_revenue')
    rows = "".join(_OBS_ROW.format(ind=ind, v=v).replace(",%,", ",bn VND,")
                   for ind, v in (("ecom_revenue", 40), ("retail_sales", 10000)))
    r = row(assess_dataset(mini(tmp_path, mini_targets_with(edit), rows)), "E-2")
    assert r["last_value"] == 0.4 and r["status"] == "achieved"


def test_observed_share_at_the_bound_still_meets_a_threshold_at_the_bound(tmp_path) -> None:
    # G-2 ">= 100 %" with 99.97 % observed in 2025: the documented rule, achieved with a note
    r = row(assess_dataset(mini(tmp_path, extra_rows=_OBS_ROW.format(ind="agencies_connected",
                                                                       v=99.97))), "G-2")
    assert r["status"] == "achieved" and r["note"][0].code == "at_bound"


def test_a_partial_year_bound_is_not_shown_as_the_figure(tmp_path) -> None:
    # mini's only partial value (online_rate 47.5 as of 2025-08-06) marked as a lower bound
    # ("more than 47.5"): G-1 then shows no partial value rather than 47.5 as if exact
    lines = (MINI / "observations.csv").read_text(encoding="utf-8").splitlines()
    out = [lines[0] + ",bound"] + [ln + (",lower" if ",2025-08-06," in ln else ",") for ln in lines[1:]]
    obs = tmp_path / "observations.csv"
    obs.write_text("\n".join(out) + "\n", encoding="utf-8")
    ds = load_dataset(MINI / "targets.yaml", [obs], MINI / "indicators.csv", MINI / "geos.csv")
    assert pd.isna(row(assess_dataset(ds), "G-1")["partial_value"])
    assert row(assess_dataset(mini()), "G-1")["partial_value"] == 47.5  # exact: shown


def test_a_series_that_ends_before_the_deadline_gets_no_forecast(tmp_path) -> None:
    # G-3 (a rank, 30, 26, 22 against <= 20 by 2025) on a series whose catalogue says it ends in
    # 2024 (e.g. a ranking of 63 provinces that stopped with the 2025 merger): no probability
    lines = (MINI / "indicators.csv").read_text(encoding="utf-8").splitlines()
    rank = next(i for i, ln in enumerate(lines) if ",rank," in ln)
    out = [lines[0] + ",ends"] + [ln + (",2024" if i == rank else ",") for i, ln in enumerate(lines)
                                  if i > 0]
    cat = tmp_path / "indicators.csv"
    cat.write_text("\n".join(out) + "\n", encoding="utf-8")
    ds = load_dataset(MINI / "targets.yaml", [MINI / "observations.csv"], cat, MINI / "geos.csv")
    r = row(assess_dataset(ds), "G-3")
    assert r["status"] == "insufficient_data" and pd.isna(r["probability"])
    assert r["note"][0].code == "series_ends"
    assert 0 < row(assess_dataset(mini()), "G-3")["probability"] < 1  # without `ends`: forecast


def test_rank_lower_is_better(table) -> None:
    r = row(table, "G-3")  # 30, 26, 22 against <= 20
    assert 0 < r["probability"] < 1 and r["required_growth"] < 0 and r["observed_growth"] < 0
    assert 1 <= r["projected_low"] and r["projected_high"] <= 63  # a rank of 63 provinces (indicators.csv)


def test_growth_target_yoy(table) -> None:
    r = row(table, "E-1")  # revenue 1000, 1300, 1700, 2150 against > 25 % in 2025
    assert r["required_growth"] == 25 and 0 < r["probability"] < 1
    assert r["observed_growth"] == pytest.approx((2150 / 1700 - 1) * 100)


def test_growth_target_observed_in_its_deadline_year(tmp_path) -> None:
    extra = "tinh_a,ecom_revenue,2025,2800,bn VND,https://example.org/s,T,2026,q,high,,\n"
    r = row(assess_dataset(mini(tmp_path, extra_rows=extra)), "E-1")
    assert r["status"] == "achieved" and r["probability"] == 1.0  # 2800 / 2150 - 1 = 30 % > 25 %


def test_growth_target_cagr(mini_targets_with) -> None:
    ds = mini(targets=mini_targets_with(("measure: yoy", "measure: cagr\n    base_year: 2021")))
    r = row(assess_dataset(ds), "E-1")
    assert 0 <= r["probability"] <= 1 and r["status"] in ("on_track", "at_risk", "off_track")


def test_ratio_target_combines_two_forecasts(table) -> None:
    r = row(table, "E-2")  # e-commerce / retail x 100 against >= 10 %
    assert r["last_value"] == pytest.approx(2150 / 79000 * 100)
    # 2.7 % in 2024 cannot reach 10 % in one year on this trend; 0.3 = the off-track cut-off
    # (STATUS_CUTOFFS = (0.7, 0.3)), so the two assertions say the same thing twice
    assert r["probability"] < 0.3 and r["status"] == "off_track"


def test_thin_data_rules(table) -> None:
    one = row(table, "E-3")
    assert one["status"] == "insufficient_data" and math.isnan(one["probability"])
    assert [n.code for n in one["note"]] == ["one_observation"]
    assert row(table, "E-4")["status"] == "insufficient_data"  # no series mapped
    assert row(table, "G-4")["status"] == "qualitative"


def test_two_points_give_a_forecast(tmp_path) -> None:
    extra = "tinh_a,trainees,2023,800,count,https://example.org/s,T,2024,q,high,,\n"
    r = row(assess_dataset(mini(tmp_path, extra_rows=extra)), "E-3")
    assert r["n_obs"] == 2 and 0 < r["probability"] < 1


def test_as_of_uses_only_data_up_to_that_year(tmp_path) -> None:
    t = assess_dataset(mini(), as_of=2022)
    r = row(t, "G-1")  # online_rate 2021 and 2022: two values by 2022
    assert r["last_year"] == 2022 and r["n_obs"] == 2 and math.isnan(r["partial_value"])
    assert row(t, "G-3")["status"] == "insufficient_data"  # one rank value by 2022


def test_deadline_year_observed_is_achieved_or_not(tmp_path) -> None:
    extra = ("tinh_a,online_rate,2025,49.9,%,https://example.org/s,T,2026,q,high,,\n"
             "tinh_a,agencies_connected,2025,99.97,%,https://example.org/s,T,2026,q,high,,\n")
    t = assess_dataset(mini(tmp_path, extra_rows=extra))
    assert row(t, "G-1")["status"] == "not_achieved" and row(t, "G-1")["probability"] == 0.0
    assert row(t, "G-2")["status"] == "achieved"  # 99.97 counts as 100


def test_several_geographies_in_one_table() -> None:
    t = assess_dataset(mini(), geos=["tinh_a", "tinh_b"])
    assert len(t) == 16 and set(t["geo"]) == {"tinh_a", "tinh_b"}  # 8 targets x 2 geographies
    assert 0 < row(t, "G-1", "tinh_b")["probability"] < 1
    assert row(t, "G-2", "tinh_b")["status"] == "insufficient_data"


def test_deterministic(table) -> None:
    pd.testing.assert_frame_equal(table, assess_dataset(mini()))


def test_pillar_rollup(table) -> None:
    ds = mini()
    r = pillar_rollup(table, ds.registry).set_index("pillar")
    assert list(r.index) == ["gov", "eco", "all"]
    for pillar, sub in (("gov", table[table["pillar"] == "gov"]), ("all", table)):
        p = sub["probability"].dropna().to_numpy()
        assert r.loc[pillar, "n_scored"] == len(p)
        assert r.loc[pillar, "expected_met"] == pytest.approx(p.sum())
        # independence: the probability that all are met is the product
        assert r.loc[pillar, "p_all_met"] == pytest.approx(np.prod(p))
    # 8 targets; no data: E-3 (one observation) and E-4 (no series); qualitative: G-4 (milestone)
    assert r.loc["all", "n_targets"] == 8 and r.loc["all", "n_no_data"] == 2
    assert r.loc["all", "n_qualitative"] == 1


# ---------------------------------------------------------------- issue 10: semantics
def _history(ds, geo: str, indicator: str) -> pd.DataFrame:
    """The forecast input of one series as assess_dataset builds it (full-year values)."""
    obs = ds.observations
    obs = obs[(obs["geo"] == geo) & (obs["indicator"] == indicator) & obs["as_of"].isna()]
    ind = ds.indicators.loc[indicator]
    return pd.DataFrame({"series_id": f"{geo}|{indicator}", "year": obs["year"],
                         "value": obs["value"], "kind": ind["kind"], "lower": ind["lower"],
                         "upper": ind["upper"]})


def test_nan_probability_never_maps_to_a_status(tmp_path) -> None:
    assert status_from_probability(float("nan")) is None
    assert status_from_probability(0.3) == "at_risk" and status_from_probability(0.7) == "on_track"
    # the deadline-year (2025) value is missing while 2026 is observed: no forecast of 2025
    extra = "tinh_a,online_rate,2026,60.0,%,https://example.org/s,T,2027,q,high,,\n"
    r = row(assess_dataset(mini(tmp_path, extra_rows=extra)), "G-1")
    assert r["status"] == "insufficient_data" and math.isnan(r["probability"])


def test_met_early_probability_is_the_chance_it_holds_at_the_deadline(table) -> None:
    """G-2 (100, 100, 100 against >= 100 in 2025) is met early; its probability is exactly
    P(Y_2025 >= 100) of the series' own forecast (exact from the marginal: seed-free)."""
    r = row(table, "G-2")
    fc = forecast(_history(mini(), "tinh_a", "agencies_connected"), to_year=2025)
    assert r["status"] == "met_early"
    assert r["probability"] == pytest.approx(fc.prob("tinh_a|agencies_connected", 2025, ">=", 100))
    # at the bound three years running the share class gives P = 1.0 numerically; a forecast is
    # never SHOWN as certain (shown_probability clips it to 0.999, "> 99.9 %")
    assert shown_probability(r["probability"], r["status"]) <= SHOWN_BOUNDS[1]


def test_growth_from_an_observed_base_is_exact(mini_targets_with) -> None:
    """CAGR from 2021 (observed, 1000) to 2025 > 25 % a year <=> Y_2025 > 1000 * 1.25**4;
    yoy in 2025 from the observed 2024 value (2150) > 25 % <=> Y_2025 > 2150 * 1.25."""
    ds = mini()
    fc = forecast(_history(ds, "tinh_a", "ecom_revenue"), to_year=2025)
    sid = "tinh_a|ecom_revenue"
    yoy = row(assess_dataset(ds), "E-1")
    assert yoy["probability"] == pytest.approx(fc.prob(sid, 2025, ">", 2150 * 1.25))
    cagr_ds = mini(targets=mini_targets_with(("measure: yoy", "measure: cagr\n    base_year: 2021")))
    r = row(assess_dataset(cagr_ds), "E-1")
    assert r["probability"] == pytest.approx(fc.prob(sid, 2025, ">", 1000 * 1.25 ** 4))
    median = fc.quantiles_many([sid], [2025], [0.5])[0, 0]
    assert r["projected_median"] == pytest.approx(((median / 1000) ** (1 / 4) - 1) * 100)


def test_ratio_is_joint_and_a_share_stays_within_its_bounds(tmp_path) -> None:
    """tinh_b's e-commerce is 90, 95, 97, 98 % of its retail sales: numerator and denominator are
    forecast jointly, with the correlation of their 3 common year-on-year changes (shrunk by
    m / (m + 3) = 1 / 2, Forecast.step_correlation), and the ratio, a share in %, never exceeds
    100 % although the two forecasts alone could cross."""
    rows = "".join(f"tinh_b,{ind},{y},{v},bn VND,https://example.org/s,T,{y + 1},q,high,,\n"
                   for ind, vals in (("ecom_revenue", (900, 950, 980, 1000)),
                                     ("retail_sales", (1000, 1000, 1010, 1020)))
                   for y, v in zip(range(2021, 2025), vals, strict=True))
    ds = mini(tmp_path, extra_rows=rows)
    r = row(assess_dataset(ds, geos=["tinh_b"]), "E-2", "tinh_b")
    assert r["last_value"] == pytest.approx(1000 / 1020 * 100)
    hist = pd.concat([_history(ds, "tinh_b", "ecom_revenue"), _history(ds, "tinh_b", "retail_sales")])
    rho, m = forecast(hist, to_year=2025).step_correlation("tinh_b|ecom_revenue", "tinh_b|retail_sales")
    assert m == 3 and f"joint, correlation {rho:.2f} from 3 years" in r["method"]
    assert r["projected_high"] <= 100.0 and 0 < r["probability"] <= 1


def test_shown_probability_is_never_exactly_0_or_1_unless_observed() -> None:
    assert shown_probability(0.0, "off_track") == SHOWN_BOUNDS[0] == 0.001
    assert shown_probability(1.0, "met_early") == SHOWN_BOUNDS[1] == 0.999
    assert shown_probability(0.42, "at_risk") == 0.42
    assert shown_probability(1.0, "achieved") == 1.0 and shown_probability(0.0, "not_achieved") == 0.0


def test_rollup_frechet_bounds_and_met_early_at_its_probability(table) -> None:
    r = pillar_rollup(table, mini().registry).set_index("pillar")
    p = table.loc[table["pillar"] == "gov", "probability"].dropna().to_numpy()
    g = r.loc["gov"]
    # Fréchet: max(0, sum p - (n - 1)) <= P(all met) <= min p; independence lies between
    assert g["p_all_met_lower"] == pytest.approx(max(0.0, p.sum() - (len(p) - 1)))
    assert g["p_all_met_upper"] == pytest.approx(p.min())
    assert g["p_all_met_lower"] <= g["p_all_met"] <= g["p_all_met_upper"]
    # a met-early target counts at its probability, not as one target met: tinh_b's online
    # rate 40, 45, 52 meets >= 50 in 2024; its chance of holding in 2025 is below 1
    t = assess_dataset(mini(), geos=["tinh_b"])
    early = row(t, "G-1", "tinh_b")
    assert early["status"] == "met_early" and 0 < early["probability"] < 1
    gov = pillar_rollup(t, mini().registry).set_index("pillar").loc["gov"]
    scored = t.loc[t["pillar"] == "gov", "probability"].dropna()
    assert gov["expected_met"] == pytest.approx(scored.sum()) and gov["n_met_early"] == 1


def test_the_catalogue_may_name_a_reference_class(tmp_path) -> None:
    """An optional catalogue column ``reference_class`` overrides the default of the kind: the
    online rate (a share) forecast with the level class gets another probability; an unknown
    class is refused with one line naming the file, row and column."""
    from dxlib.data import load_indicators
    from dxlib.errors import DataValidationError

    text = (MINI / "indicators.csv").read_text(encoding="utf-8").splitlines()
    rows = [text[0] + ",reference_class"] + [
        line + (",level" if line.startswith("online_rate,") else ",") for line in text[1:]]
    cat = tmp_path / "indicators.csv"
    cat.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ds = load_dataset(MINI / "targets.yaml", [MINI / "observations.csv"], cat, MINI / "geos.csv")
    assert ds.indicators.loc["online_rate", "reference_class"] == "level"
    assert pd.isna(ds.indicators.loc["retail_sales", "reference_class"])  # the default of its kind
    default, named = row(assess_dataset(mini()), "G-1"), row(assess_dataset(ds), "G-1")
    assert named["probability"] != pytest.approx(default["probability"])
    cat.write_text("\n".join(rows).replace(",level", ",levels") + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="reference_class"):
        load_indicators(cat)
