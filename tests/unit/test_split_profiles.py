"""The bias rules of a reference class (issue 10, round 4): ``split`` (one error profile learned
from falling series, one from rising ones, one from all; each series forecast with the one of its
trend's direction), ``rising`` (the learned bias for rising series only) and the refusal of an
unknown rule (no profile is silently read as another)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dxlib.engine.profiles as engine_profiles
from dxlib.forecast import forecast
from dxlib.profiles import load_profile

SHIFT = 0.5  # scaled-error units: falling profile moved down, rising profile moved up


def _fake_share_profile(bias: str = "split") -> dict:
    """The shipped share profile with the bias rule ``bias`` and without the median cap of
    round 9 (which would hold the falling and flat medians whatever the rule); ``split``: its
    quantiles moved down by SHIFT for falling series and up for rising ones."""
    real = load_profile("share")
    Q = real["quantiles"]  # (B, H, K)
    method = {k: v for k, v in real["method"].items() if k != "cap"}
    return {**real, "quantiles": np.stack([Q - SHIFT, Q, Q + SHIFT]) if bias == "split" else Q,
            "method": {**method, "bias": bias}}


def _use(monkeypatch, prof: dict) -> None:
    monkeypatch.setattr(engine_profiles, "load_profile",
                        lambda c: prof if c == "share" else load_profile(c))


def _hist() -> pd.DataFrame:
    series = {"falling": [70, 66, 61, 55], "rising": [40, 44, 49, 55], "flat": [55, 55, 55, 55]}
    rows = [(s, 2020 + i, v, "share", 0.0, 100.0) for s, vs in series.items()
            for i, v in enumerate(vs)]
    return pd.DataFrame(rows, columns=["series_id", "year", "value", "kind", "lower", "upper"])


def _medians(fc) -> dict[str, float]:
    return {s: float(fc.quantiles_many(np.array([s]), np.array([2029]), [0.5])[0, 0])
            for s in ("falling", "rising", "flat")}


def test_class_tables_stack_three_rows_for_a_split_class(monkeypatch) -> None:
    _use(monkeypatch, _fake_share_profile())
    tab = engine_profiles.class_tables(("level", "share"))
    assert tab.Q.shape[0] == 4 and tab.qbase.tolist() == [0, 1]
    rows, orient = tab.error_rows(1, np.array([-0.3, 0.0, 2.0]))
    assert rows.tolist() == [1, 2, 3] and orient.tolist() == [1, 1, 1]
    rows, orient = tab.error_rows(0, np.array([-0.3, 0.0, 2.0]))  # level: bias none
    assert rows.tolist() == [0, 0, 0] and orient.tolist() == [0, 0, 0]


def test_each_series_gets_the_profile_of_its_direction(monkeypatch) -> None:
    _use(monkeypatch, _fake_share_profile("learned"))
    pooled = _medians(forecast(_hist(), 6, n_samples=500, seed=0))
    _use(monkeypatch, _fake_share_profile("split"))
    split = _medians(forecast(_hist(), 6, n_samples=500, seed=0))
    assert split["falling"] < pooled["falling"] - 1  # the falling profile sits lower
    assert split["rising"] > pooled["rising"] + 1
    assert split["flat"] == pytest.approx(pooled["flat"])  # no trend: the pooled profile


def test_rising_only_keeps_the_bias_of_rising_series_and_symmetrises_the_rest(monkeypatch):
    _use(monkeypatch, _fake_share_profile("learned"))
    learned = _medians(forecast(_hist(), 6, n_samples=500, seed=0))
    _use(monkeypatch, _fake_share_profile("none"))
    none = _medians(forecast(_hist(), 6, n_samples=500, seed=0))
    _use(monkeypatch, _fake_share_profile("rising"))
    rising = _medians(forecast(_hist(), 6, n_samples=500, seed=0))
    assert rising["rising"] == pytest.approx(learned["rising"])
    assert rising["falling"] == pytest.approx(none["falling"])
    assert rising["flat"] == pytest.approx(none["flat"])


def test_a_split_profile_needs_three_parts(monkeypatch) -> None:
    bad = _fake_share_profile("split")
    _use(monkeypatch, {**bad, "quantiles": bad["quantiles"][:2]})
    with pytest.raises(ValueError, match=r"profile share: quantiles of shape \(2, 12, 10, 111\); "
                       r"expected \(3, B, H, K\) with bias split"):
        engine_profiles.class_tables(("level", "share"))


def test_an_unknown_bias_rule_is_refused(monkeypatch) -> None:
    _use(monkeypatch, _fake_share_profile("upwards"))
    with pytest.raises(ValueError, match="bias 'upwards' is not one of"):
        forecast(_hist(), 6, n_samples=100, seed=0)
