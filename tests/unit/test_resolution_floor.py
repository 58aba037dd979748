"""The share class's scale floor at the publication resolution (issue 10, round 8): a share's own
scale is at least ``r / (p (1 - p))`` on the logit scale (r = 0.001, 0.1 pp of the bound; p its
last value as a fraction of the bound), so a low or flat share published to 0.1 pp is not read as
a series that never moves, and the class's error profile is not dominated by such windows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dxlib.engine.profiles as engine_profiles
from dxlib.engine.scales import logit, resolution_floor
from dxlib.forecast import forecast
from dxlib.profiles import load_profile


def _history(series: dict[str, list[float]]) -> pd.DataFrame:
    rows = [(s, 2020 + i, v, "share", 0.0, 100.0) for s, vs in series.items()
            for i, v in enumerate(vs)]
    return pd.DataFrame(rows, columns=["series_id", "year", "value", "kind", "lower", "upper"])


def test_resolution_floor_is_one_step_on_the_logit_scale() -> None:
    p = np.array([0.003, 0.5, 0.9])
    fl = resolution_floor(logit(p), 0.001)
    np.testing.assert_allclose(fl, 0.001 / (p * (1 - p)))
    # one 0.1 pp step at 0.3 % moves the logit by about the floor
    assert logit(np.array([0.004]))[0] - logit(np.array([0.003]))[0] == pytest.approx(fl[0], rel=0.2)


def test_shipped_share_class_has_the_resolution_and_level_has_none() -> None:
    assert load_profile("share")["method"]["resolution"] == 0.001
    assert "resolution" not in load_profile("level")["method"]


def test_the_floor_widens_a_low_flat_share_only(monkeypatch) -> None:
    hist = _history({"low flat": [0.3, 0.3, 0.3, 0.3], "mid": [40.0, 44.0, 49.0, 55.0]})
    shipped = forecast(hist, 3, n_samples=200, seed=0)
    real = load_profile("share")
    no_floor = {**real, "method": {k: v for k, v in real["method"].items() if k != "resolution"}}
    monkeypatch.setattr(engine_profiles, "load_profile",
                        lambda c: no_floor if c == "share" else load_profile(c))
    without = forecast(hist, 3, n_samples=200, seed=0)

    def q90(fc, sid: str) -> float:
        return float(fc.quantiles_many(np.array([sid]), np.array([2026]), [0.9])[0, 0])

    # 0.3 %: own scale 0.04 (the logit floor) vs 0.001 / (0.003 * 0.997) = 0.33 with the floor
    assert q90(shipped, "low flat") > q90(without, "low flat") + 0.1
    assert q90(shipped, "mid") == pytest.approx(q90(without, "mid"))  # 0.001/(0.55*0.45) < 0.04


def test_a_steadily_rising_share_keeps_a_finite_upper_tail() -> None:
    # direction_check.py, round 8 (benchmarks/README "Round 7"): q90 at h = 6 is 49.6 with the
    # floor (98.6 without it); the bound here leaves room for small changes of the profile
    fc = forecast(_history({"rising": [10, 12, 14.5, 16, 18]}), 6, n_samples=200, seed=0)
    q = fc.quantiles_many(np.repeat("rising", 6), np.arange(2025, 2031), [0.9])[:, 0]
    assert (np.diff(q) > 0).all() and q[-1] < 60
