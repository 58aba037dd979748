"""Tests of dxlib.engine.forecast on synthetic data (no files, no wall-clock assertions)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dxlib.engine.forecast import KINDS, forecast, forecast_table


def long(series: dict[str, list[float]], start: int = 2018, years: dict | None = None,
         **attrs: dict) -> pd.DataFrame:
    """Long frame from {id: values}; years[id] overrides consecutive years; attrs = column ->
    {id: value}."""
    rows = []
    for sid, vals in series.items():
        yrs = (years or {}).get(sid, list(range(start, start + len(vals))))
        for y, v in zip(yrs, vals, strict=True):
            row = {"series_id": sid, "year": y, "value": v}
            for col, m in attrs.items():
                if sid in m:
                    row[col] = m[sid]
            rows.append(row)
    return pd.DataFrame(rows)


def test_kinds_constant() -> None:
    assert KINDS == ("share", "level", "count", "rank", "index")


def test_bounds_respected_for_each_kind() -> None:
    h = long(
        {"sh_up": [10, 40, 70, 95], "sh_dn": [60, 30, 10, 2], "cnt": [9, 5, 2, 1],
         "rk": [40, 20, 8, 3], "lvl": [100, 60, 30, 10], "idx": [0.2, 0.5, 0.8, 0.95]},
        kind={"sh_up": "share", "sh_dn": "share", "cnt": "count", "rk": "rank", "lvl": "level",
              "idx": "index"},
        lower={"idx": 0.0}, upper={"rk": 50, "idx": 1.0},
    )
    fc = forecast(h, 8)
    q = fc.quantile_frame([0.0, 0.001, 0.5, 0.999, 1.0])
    for sid, lo, hi in [("sh_up", 0, 100), ("sh_dn", 0, 100), ("cnt", 0, np.inf),
                        ("rk", 1, 50), ("idx", 0, 1)]:
        sub = q[q.series_id == sid]
        assert (sub[["q_0.0", "q_1.0", "point"]] >= lo).all().all(), sid
        assert (sub[["q_0.0", "q_1.0", "point"]] <= hi).all().all(), sid
        p = fc.paths(sid).to_numpy()
        assert p.min() >= lo and p.max() <= hi, sid
    assert (fc.paths("lvl").to_numpy() > 0).all()
    assert (q.loc[q.series_id == "lvl", "q_0.0"] > 0).all()


def test_share_bound_mass_and_strictness() -> None:
    h = long({"full": [100, 100, 100]}, kind={"full": "share"})
    fc = forecast(h, 3)
    # the floors 0.8 / 0.3 below are the author's (loose on purpose: the behaviour is "most mass
    # at the bound"); the implementation at 613ad21 gives 0.998, 0.883 and 0.997 of the paths
    assert fc.prob("full", 2021, ">=", 100) > 0.8
    assert fc.prob("full", 2021, ">", 100) == 0.0
    assert fc.prob("full", 2021, "<=", 100) == 1.0
    assert fc.prob("full", 2021, "<", 100) == pytest.approx(1 - fc.prob("full", 2021, ">=", 100))
    # within the tolerance of 100 (0.5 pp) counts as at the bound, also in the input
    h2 = long({"near": [98.0, 99.6, 99.8]}, kind={"near": "share"})
    assert forecast(h2, 2).prob("near", 2021, ">=", 100) > 0.3
    # paths snap to the bound
    assert (fc.paths("full").to_numpy() == 100).mean() > 0.8


def test_comparator_strictness_continuous() -> None:
    h = long({"a": [10.0, 12.0, 13.0, 15.0, 16.0]})
    fc = forecast(h, 2)
    thr = 17.0
    ge, gt = fc.prob("a", 2024, ">=", thr), fc.prob("a", 2024, ">", thr)
    le, lt = fc.prob("a", 2024, "<=", thr), fc.prob("a", 2024, "<", thr)
    assert ge == pytest.approx(gt) and le == pytest.approx(lt)
    assert ge + lt == pytest.approx(1.0)
    assert 0 < ge < 1
    assert np.isnan(fc.prob("a", 2030, ">=", thr))  # not a forecast year
    with pytest.raises(ValueError):
        fc.prob("a", 2024, "==", thr)
    # count: mass at zero (floor 0.3 set by the author; 0.564 at 613ad21)
    c = forecast(long({"c": [3, 1, 0, 0]}, kind={"c": "count"}), 2)
    assert c.prob("c", 2022, "<=", 0) > 0.3
    assert c.prob("c", 2022, "<", 0) == 0.0


def test_thin_data_rules() -> None:
    h = pd.concat([
        long({"one": [5.0], "two": [5.0, 6.0], "three": [5.0, 6.0, 7.0]}),
        pd.DataFrame({"series_id": ["zero"], "year": [2020], "value": [np.nan]}),
    ])
    fc = forecast(h, 3)
    s = fc.series
    assert s.loc["zero", "n_obs"] == 0 and "no observations" in s.loc["zero", "note"]
    assert "one observation" in s.loc["one", "note"]
    assert "two observations" in s.loc["two", "note"]
    q = fc.quantile_frame([0.1, 0.9])
    assert (q.series_id == "zero").sum() == 1 and (q.series_id == "one").sum() == 1
    assert q.loc[q.series_id == "one", ["point", "q_0.1", "q_0.9"]].isna().all().all()
    assert (q.series_id == "two").sum() == 3 and (q.series_id == "three").sum() == 3
    width = (q["q_0.9"] - q["q_0.1"]).to_numpy()
    w2, w3 = width[q.series_id == "two"], width[q.series_id == "three"]
    assert (w2 > w3).all()  # 2-point intervals are wider
    assert np.isnan(fc.prob("one", 2019, ">=", 5))
    assert fc.paths("one").empty


def test_gaps_in_years_and_to_year() -> None:
    h = long({"g": [40.0, 44.0, 46.0, 50.0]}, years={"g": [2019, 2021, 2022, 2024]},
             kind={"g": "share"})
    fc = forecast(h, to_year=2030)
    q = fc.quantile_frame([0.1, 0.9])
    assert list(q["year"]) == list(range(2025, 2031))
    assert list(q["h"]) == list(range(1, 7))
    assert (q["point"].diff().dropna() > 0).all()  # upward trend continues
    assert fc.series.loc["g", "first_year"] == 2019 and fc.series.loc["g", "last_year"] == 2024
    with pytest.raises(ValueError, match="exactly one"):
        forecast(h, 3, to_year=2030)


def test_duplicate_year_is_error() -> None:
    h = long({"d": [1.0, 2.0, 3.0]}, years={"d": [2020, 2021, 2021]})
    with pytest.raises(ValueError, match=r"'d'.*2021"):
        forecast(h, 2)


def test_zero_variation_series_has_floor() -> None:
    fc = forecast(long({"c": [5.0, 5.0, 5.0], "s": [50.0, 50.0, 50.0]},
                       kind={"s": "share"}), 2)
    q = fc.quantile_frame([0.1, 0.9])
    assert (q["q_0.9"] > q["q_0.1"]).all()
    # a flat series is forecast flat: the points stay at the level (5 and 50, two years each);
    # rtol 2 % set by the author to allow the profile's median correction
    assert np.allclose(q["point"], [5, 5, 50, 50], rtol=0.02)


def test_determinism_with_seed() -> None:
    h = long({"a": [1.0, 2.0, 2.5, 3.5], "b": [30.0, 35.0, 33.0]}, kind={"b": "share"})
    p1 = forecast(h, 4, seed=7).paths("a")
    p2 = forecast(h, 4, seed=7).paths("a")
    p3 = forecast(h, 4, seed=8).paths("a")
    assert p1.to_numpy().tobytes() == p2.to_numpy().tobytes()
    assert not np.array_equal(p1.to_numpy(), p3.to_numpy())
    # a series' paths do not depend on the other series in the batch
    p4 = forecast(h[h.series_id == "a"], 4, seed=7).paths("a")
    assert p1.equals(p4)
    t1 = forecast_table(h, 3, [0.1, 0.9])
    t2 = forecast_table(h, 3, [0.1, 0.9])
    assert t1.to_csv() == t2.to_csv()


def test_paths_joint_structure() -> None:
    rng = np.random.default_rng(1)
    vals = np.exp(np.cumsum(0.05 + 0.03 * rng.standard_normal(8)))
    fc = forecast(long({"a": list(100 * vals)}), 5, n_samples=4000)
    p = np.log(fc.paths("a").to_numpy())
    c = np.corrcoef(p.T)
    # neither independent (0) nor comonotone (1): bounds 0.3 and 0.99 set by the author; at
    # 613ad21 corr(h1, h2) = 0.66, corr(h1, h5) = 0.48 < corr(h4, h5) = 0.88
    assert 0.3 < c[0, 1] < 0.99 and c[0, 4] < c[3, 4]
    growth = np.diff(p, axis=1)
    assert growth.std() < p[:, -1].std()


def test_forecast_table_columns_and_notes() -> None:
    h = long({"a": [1.0, 2.0, 3.0, 3.5], "b": [4.0]})
    h["extra"] = "ignored"
    t = forecast_table(h, 2, [0.1, 0.5, 0.9], ["0.10", "0.5", "0.9"])
    assert list(t.columns) == ["series_id", "year", "h", "point", "q_0.10", "q_0.5", "q_0.9",
                               "note"]
    assert len(t) == 3
    b = t[t.series_id == "b"]
    assert len(b) == 1 and b["point"].isna().all() and "one observation" in b["note"].iloc[0]
    a = t[t.series_id == "a"]
    assert a["note"].isna().all()
    assert np.allclose(a["point"], a["q_0.5"])
    assert (a["q_0.10"] < a["q_0.9"]).all()


def test_summary_frame_and_prob_many() -> None:
    h = long({"a": [10.0, 11.0, 12.5, 13.0], "b": [20.0, 25.0, 30.0]}, kind={"b": "share"})
    fc = forecast(h, 3)
    sf = fc.summary_frame("a", alpha=0.2)
    assert list(sf.columns) == ["year", "h", "median", "mean", "pi_lower", "pi_upper"]
    assert (sf.pi_lower < sf["median"]).all() and (sf["median"] < sf.pi_upper).all()
    p = fc.prob_many(["a", "b", "a"], [2022, 2021, 2024], [">=", "<", ">="], [13.0, 40.0, 1e9])
    assert p.shape == (3,)
    assert p[0] == pytest.approx(fc.prob("a", 2022, ">=", 13.0))
    assert p[2] == pytest.approx(0.0, abs=1e-9) or np.isnan(p[2])


@pytest.mark.parametrize("n_points", [6, 10])
def test_calibration_random_walk_with_drift(n_points: int) -> None:
    rng = np.random.default_rng(n_points)
    S, H = 1500, 5
    drift = rng.normal(0.03, 0.03, S)
    sigma = rng.uniform(0.02, 0.15, S)
    steps = drift[:, None] + sigma[:, None] * rng.standard_normal((S, n_points + H))
    y = 100 * np.exp(np.cumsum(steps, axis=1))
    years = np.arange(2000, 2000 + n_points)
    hist = pd.DataFrame({"series_id": np.repeat([f"s{i:04d}" for i in range(S)], n_points),
                         "year": np.tile(years, S), "value": y[:, :n_points].ravel()})
    t = forecast_table(hist, H, [0.025, 0.1, 0.9, 0.975])
    act = y[:, n_points:].ravel()
    c80 = np.mean((act >= t["q_0.1"]) & (act <= t["q_0.9"]))
    c95 = np.mean((act >= t["q_0.025"]) & (act <= t["q_0.975"]))
    # tolerance 6 pp set by the author: the binomial standard error of a coverage over 7,500
    # forecasts is about 0.5 pp, but the 1,500 series share their horizons (correlated), and the
    # method is calibrated on M3, not on random walks; M3 hold-out coverage is 78.6-82.5 % and
    # 94.7-96.1 % for 4-10 points (benchmarks/README.md)
    assert abs(c80 - 0.80) < 0.06, c80
    assert abs(c95 - 0.95) < 0.06, c95


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="kind"):
        forecast(long({"a": [1.0, 2.0]}, kind={"a": "percent"}), 1)
    with pytest.raises(ValueError, match="bounds"):
        forecast(long({"a": [50.0, 120.0]}, kind={"a": "share"}), 1)
    with pytest.raises(ValueError, match="upper"):
        forecast(long({"a": [3.0, 2.0]}, kind={"a": "rank"}), 1)
    # non-positive series without kind: raw scale
    fc = forecast(long({"a": [-1.0, 0.5, 1.0, 2.0]}), 2)
    assert "raw" in fc.series.loc["a", "method"]
    assert fc.quantile_frame([0.1])["point"].notna().all()


def test_samples_are_the_paths_joint_over_years() -> None:
    """``samples`` is the public joint-sample API: the same seeded draws as ``paths``, for any
    subset of forecast years, and None outside the forecast years."""
    h = long({"a": [10.0, 11.0, 12.5, 13.0], "b": [20.0, 25.0, 30.0]}, kind={"b": "share"})
    fc = forecast(h, 4, n_samples=300, seed=5)
    for sid in ("a", "b"):
        p = fc.paths(sid)
        assert list(fc.forecast_years(sid)) == list(p.columns)
        np.testing.assert_array_equal(fc.samples(sid), p.to_numpy())
        y = [int(p.columns[3]), int(p.columns[1])]
        np.testing.assert_array_equal(fc.samples(sid, y), p[y].to_numpy())
        assert fc.samples(sid, [int(p.columns[0]) - 1]) is None


def test_reference_class_default_by_kind_and_named_per_series() -> None:
    h = long({"s": [20.0, 30.0, 45.0], "l": [20.0, 30.0, 45.0], "x": [20.0, 30.0, 45.0]},
             kind={"s": "share", "l": "level", "x": "share"},
             reference_class={"x": "level"})
    fc = forecast(h, 3)
    assert fc.series["reference_class"].to_dict() == {"l": "level", "s": "share", "x": "level"}
    # same numbers, same scale (logit), other class -> other distribution
    assert fc.prob("s", 2023, ">=", 60) != fc.prob("x", 2023, ">=", 60)
    with pytest.raises(ValueError, match="reference_class"):
        forecast(long({"a": [1.0, 2.0]}, reference_class={"a": "shares"}), 1)


def test_level_median_is_not_pushed_up_whatever_the_direction() -> None:
    """The level class has no bias correction (symmetrised profile, median = point engine):
    rising 90 -> 100 and falling 100 -> 90 (2 points, log scale) have opposite drifts, so
    log(median_fall / 90) = -log(median_rise / 100), i.e. median_fall * median_rise = 90 * 100
    at every horizon, and the falling series' median stays below its last value (before
    issue 10 the profile's positive median error lifted it to 113 at h = 6)."""
    fc = forecast(long({"up": [90.0, 100.0], "down": [100.0, 90.0]}), 6)
    q = fc.quantile_frame([0.5])
    up = q.loc[q.series_id == "up", "point"].to_numpy()
    down = q.loc[q.series_id == "down", "point"].to_numpy()
    np.testing.assert_allclose(up * down, 9000.0, rtol=1e-9)
    assert (down < 90).all() and (up > 100).all()


def test_step_correlation_and_joint_samples() -> None:
    """b = 2 a: identical changes on the log scale, so the raw correlation is 1 over m = 5
    common changes, shrunk by m / (m + 3) = 5 / 8 = 0.625."""
    a = [10.0, 12.0, 13.0, 15.0, 16.0, 19.0]
    h = long({"a": a, "b": [2 * v for v in a], "c": [5.0, 4.0, 6.0, 5.5, 7.0, 6.0]})
    fc = forecast(h, 3, n_samples=4000, seed=2)
    rho, m = fc.step_correlation("a", "b")
    assert m == 5 and rho == pytest.approx(0.625)
    ind = fc.joint_samples(["a", "c"], 2025)
    np.testing.assert_array_equal(ind[:, 0], fc.samples("a", [2025])[:, 0])
    np.testing.assert_array_equal(ind[:, 1], fc.samples("c", [2025])[:, 0])
    joint = fc.joint_samples(["a", "b"], 2025, np.array([[1, rho], [rho, 1]]))
    np.testing.assert_array_equal(joint[:, 0], ind[:, 0])  # the first series keeps its samples
    ranks = pd.DataFrame(joint).rank().corr().iloc[0, 1]
    assert 0.45 < ranks < 0.75  # Spearman of a Gaussian copula with rho 0.625 is about 0.61
    assert fc.joint_samples(["a", "b"], 2030) is None  # not a forecast year
