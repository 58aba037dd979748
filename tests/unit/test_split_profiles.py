"""A reference class with ``bias: split`` (issue 10, round 4): one error profile learned from
falling series, one from rising ones, one from all; each series is forecast with the profile of
its own trend's direction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dxlib.engine.profiles as engine_profiles
from dxlib.forecast import forecast
from dxlib.profiles import load_profile

SHIFT = 0.5  # scaled-error units: falling profile moved down, rising profile moved up


def _fake_share_profile() -> dict:
    real = load_profile("share")
    Q = real["quantiles"]  # (B, H, K)
    return {**real, "quantiles": np.stack([Q - SHIFT, Q, Q + SHIFT]),
            "method": {**real["method"], "bias": "split"}}


def _hist() -> pd.DataFrame:
    series = {"falling": [70, 66, 61, 55], "rising": [40, 44, 49, 55], "flat": [55, 55, 55, 55]}
    rows = [(s, 2020 + i, v, "share", 0.0, 100.0) for s, vs in series.items()
            for i, v in enumerate(vs)]
    return pd.DataFrame(rows, columns=["series_id", "year", "value", "kind", "lower", "upper"])


def _medians(fc) -> dict[str, float]:
    return {s: float(fc.quantiles_many(np.array([s]), np.array([2029]), [0.5])[0, 0])
            for s in ("falling", "rising", "flat")}


def test_class_tables_stack_three_rows_for_a_split_class(monkeypatch) -> None:
    fake = _fake_share_profile()
    monkeypatch.setattr(engine_profiles, "load_profile",
                        lambda c: fake if c == "share" else load_profile(c))
    tab = engine_profiles.class_tables(("level", "share"))
    assert tab.Q.shape[0] == 4 and tab.qbase.tolist() == [0, 1]
    rows, orient = tab.error_rows(1, np.array([-0.3, 0.0, 2.0]))
    assert rows.tolist() == [1, 2, 3] and orient.tolist() == [1, 1, 1]
    rows, orient = tab.error_rows(0, np.array([-0.3, 0.0, 2.0]))  # level: bias none
    assert rows.tolist() == [0, 0, 0] and orient.tolist() == [0, 0, 0]


def test_each_series_gets_the_profile_of_its_direction(monkeypatch) -> None:
    pooled = _medians(forecast(_hist(), 6, n_samples=500, seed=0))
    fake = _fake_share_profile()
    monkeypatch.setattr(engine_profiles, "load_profile",
                        lambda c: fake if c == "share" else load_profile(c))
    split = _medians(forecast(_hist(), 6, n_samples=500, seed=0))
    assert split["falling"] < pooled["falling"] - 1  # the falling profile sits lower
    assert split["rising"] > pooled["rising"] + 1
    assert split["flat"] == pytest.approx(pooled["flat"])  # no trend: the pooled profile
