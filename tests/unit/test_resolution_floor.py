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


def test_the_floor_widens_a_low_flat_share_not_a_mid_one(monkeypatch) -> None:
    hist = _history({"low flat": [0.3, 0.3, 0.3, 0.3], "mid": [40.0, 44.0, 49.0, 55.0]})
    shipped = forecast(hist, 3, n_samples=200, seed=0)
    real = load_profile("share")
    no_floor = {**real, "method": {k: v for k, v in real["method"].items() if k != "resolution"}}
    monkeypatch.setattr(engine_profiles, "load_profile",
                        lambda c: no_floor if c == "share" else load_profile(c))
    without = forecast(hist, 3, n_samples=200, seed=0)

    def q90(fc, sid: str) -> float:
        return float(fc.quantiles_many(np.array([sid]), np.array([2026]), [0.9])[0, 0])

    # 0.3 % is at the bound (<= 0.5 %: logit of 0.25 %): own scale 0, so the logit floor 0.04
    # without the resolution floor, 0.001 / (0.0025 * 0.9975) = 0.40 with it
    assert q90(shipped, "low flat") > q90(without, "low flat") + 0.1
    assert q90(shipped, "mid") == pytest.approx(q90(without, "mid"))  # 0.001/(0.55*0.45) < 0.04


def test_a_steadily_rising_share_keeps_a_finite_upper_tail() -> None:
    # direction_check.py, round 8 (benchmarks/README "Round 7"): q90 at h = 6 is 49.6 with the
    # floor (98.6 without it); the bound here leaves room for small changes of the profile
    fc = forecast(_history({"rising": [10, 12, 14.5, 16, 18]}), 6, n_samples=200, seed=0)
    q = fc.quantiles_many(np.repeat("rising", 6), np.arange(2025, 2031), [0.9])[:, 0]
    assert (np.diff(q) > 0).all() and q[-1] < 60


@pytest.mark.parametrize(("values", "binds"), [([0.8, 0.8, 0.9], True), ([98.5, 98.5, 98.6], True),
                                              ([40.0, 44.0, 49.0], False)])
def test_engine_and_profile_builder_floor_the_same_scale(benchmark_module, values, binds) -> None:
    """The engine's own scale of a share equals the one the profile builder divides its errors
    by (``own_floor`` at the last value): the profile is used on the scale it was learned on.
    Low and near-100 shares where the floor binds (last value, not the first: 0.112 vs 0.126 at
    0.9 / 0.8 %), and one where it does not."""
    bep = benchmark_module("build_error_profile")
    from dxlib.engine.methods import point_engine

    z = bep.share_logit(np.array(values))
    meth = bep.METHODS["share"]
    own = point_engine(z[None, :], 1, meth["phi"], meth["phi_two"], meth["weights"])[1]
    want = np.maximum(own, bep.own_floor(z[-1:], meth, bep.FLOOR["share"]))
    fc = forecast(_history({"s": values}), 1, n_samples=50, seed=0)
    assert fc._scale[fc._fid["s"]] == pytest.approx(want[0])
    assert (want[0] > max(own[0], bep.FLOOR["share"])) == binds
