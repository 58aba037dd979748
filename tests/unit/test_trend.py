"""Trend growth by OLS of log(value) on year with Newey–West errors, and the standard models'
forecasts (statsmodels damped ETS and Theta) the reports show beside ours."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dxlib.engine.reference import (
    FORECAST_COLUMNS,
    comparison_summary,
    rolling_comparison,
    standard_forecasts,
)
from dxlib.engine.trend import newey_west_lags, trend_growth


def test_exact_ten_percent_a_year_gives_point_one_with_a_tight_interval() -> None:
    # value = 100 * 1.1 ** k, so log(value) = log(100) + k * log(1.1) exactly: the OLS slope is
    # log(1.1), exp(slope) - 1 = 0.10, and the residuals are 0 (up to rounding), so the HAC
    # standard error is ~0 and the 95 % interval collapses onto 0.10
    history = pd.DataFrame({"year": range(2016, 2024), "value": 100 * 1.1 ** np.arange(8)})
    tg = trend_growth(history)
    assert tg.ok and tg.n == 8
    assert tg.growth == pytest.approx(0.10, abs=1e-12)
    assert tg.low == pytest.approx(0.10, abs=1e-9) and tg.high == pytest.approx(0.10, abs=1e-9)


def test_noisy_growth_has_an_interval_around_the_estimate() -> None:
    history = pd.DataFrame({"year": range(2018, 2024), "value": [10, 12, 11, 15, 16, 20]})
    tg = trend_growth(history)
    assert tg.low < tg.growth < tg.high
    # the slope of log([10, 12, 11, 15, 16, 20]) on 0..5 is 0.1327 (least squares by hand:
    # sum((x - 2.5)(log y - mean)) / 17.5), exp(0.1327) - 1 = 0.142
    assert tg.growth == pytest.approx(0.1417, abs=1e-3)


def test_thin_or_non_positive_series_are_not_fitted() -> None:
    two = trend_growth(pd.DataFrame({"year": [2023, 2024], "value": [1.0, 2.0]}))
    assert not two.ok and two.reason == "thin" and math.isnan(two.growth)
    zero = trend_growth(pd.DataFrame({"year": [2022, 2023, 2024], "value": [0.0, 1.0, 2.0]}))
    assert zero.reason == "non_positive" and math.isnan(zero.low)


def test_newey_west_lags_follow_the_rule_of_thumb_within_the_sample() -> None:
    # floor(4 (n / 100) ** (2 / 9)): n = 4 -> 1.96 -> 1; n = 5 -> 2.05 -> 2; n = 28 -> 3.01 -> 3;
    # never more than n - 3 (n = 3 -> 0)
    assert [newey_west_lags(n) for n in (3, 4, 5, 27, 28)] == [0, 1, 2, 2, 3]


def test_standard_models_forecast_each_year_to_the_deadline() -> None:
    history = pd.DataFrame({"year": range(2015, 2023), "value": [2.8, 3.0, 3.6, 4.2, 4.9, 5.5, 7.0, 7.5]})
    fc = standard_forecasts(history, 2025)
    assert list(fc.columns) == FORECAST_COLUMNS
    assert set(fc["method"]) == {"statsmodels ETS A,Ad,N", "statsmodels Theta"}
    assert sorted(set(fc["year"])) == [2023, 2024, 2025]
    assert (fc["low"] <= fc["mean"]).all() and (fc["mean"] <= fc["high"]).all()
    # fewer than 3 years, or nothing left to forecast: no rows
    assert standard_forecasts(history.head(2), 2025).empty and standard_forecasts(history, 2022).empty


def test_rolling_comparison_scores_every_method_on_the_same_outcomes() -> None:
    history = pd.DataFrame({"year": range(2015, 2021), "value": [2.8, 3.0, 3.6, 4.2, 4.9, 5.5]})
    frame = rolling_comparison([("s", history, {"kind": "level"})], min_train=4, max_horizon=2)
    # origins 2018 (-> 2019, 2020) and 2019 (-> 2020): 3 outcomes per method
    summary = comparison_summary(frame).set_index("method")
    assert summary["n_forecasts"].to_dict() == {"dxlib default": 3, "statsmodels ETS A,Ad,N": 3,
                                                "statsmodels Theta": 3}
    assert summary["coverage_80"].between(0, 1).all()
