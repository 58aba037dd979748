"""A falling or flat share's median held at its damped trend (issue 10, round 9: ``cap:
non_rising`` in the share class's method). The learned bias and the PIT map lift every share's
median above its damped trend (adoption shares mostly outgrew it up to 2012); with the cap a
series whose trend is not rising is shifted down on the logit scale, after the map and the era
widening, until its calibrated median is at most the damped trend point. Rising series and the
shape of every distribution are untouched."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dxlib.engine.profiles as engine_profiles
from dxlib.engine.methods import point_engine
from dxlib.engine.profiles import median_excess
from dxlib.engine.recalibration import Recalibration
from dxlib.engine.scales import T_LOGIT, cut_off, expit, logit
from dxlib.forecast import forecast
from dxlib.profiles import load_profile

SERIES = {"falling": [60.0, 55.0], "falling near the bound": [95.0, 90.0],
          "falling, 4 values": [70.0, 66.0, 61.0, 55.0], "flat": [40.0, 40.0, 40.0],
          "rising": [10.0, 12.0, 14.5, 16.0, 18.0]}
H = 6


def _history(series: dict[str, list[float]]) -> pd.DataFrame:
    rows = [(s, 2020 + i, v, "share", 0.0, 100.0) for s, vs in series.items()
            for i, v in enumerate(vs)]
    return pd.DataFrame(rows, columns=["series_id", "year", "value", "kind", "lower", "upper"])


def _quantiles(fc, sid: str, levels: list[float]) -> np.ndarray:
    """(H, len(levels)) quantiles of one series at h = 1..H."""
    last = int(fc.series.loc[sid, "last_year"])
    return fc.quantiles_many(np.repeat(sid, H), last + np.arange(1, H + 1), levels)


@pytest.fixture
def uncapped(monkeypatch):
    """A forecast function whose share class is the shipped one without ``cap``."""
    real = load_profile("share")
    no_cap = {**real, "method": {k: v for k, v in real["method"].items() if k != "cap"}}

    def run(hist: pd.DataFrame):
        with monkeypatch.context() as m:
            m.setattr(engine_profiles, "load_profile",
                      lambda c: no_cap if c == "share" else load_profile(c))
            return forecast(hist, H, n_samples=400, seed=0)
    return run


def test_the_shipped_share_class_caps_non_rising_series_and_level_does_not() -> None:
    assert load_profile("share")["method"]["cap"] == "non_rising"
    assert "cap" not in load_profile("level")["method"]


def test_a_falling_or_flat_share_has_its_median_at_its_damped_trend() -> None:
    fc = forecast(_history(SERIES), H, n_samples=400, seed=0)
    meth = load_profile("share")["method"]
    for sid in ("falling", "falling near the bound", "falling, 4 values", "flat"):
        values = np.array(SERIES[sid])
        z = logit(values / 100)[None, :]
        zhat = point_engine(z, H, meth["phi"], meth["phi_two"], meth["weights"])[0][0]
        median = _quantiles(fc, sid, [0.5])[:, 0]
        # the learned bias and the map put it above the trend, so the cap binds: at the trend
        np.testing.assert_allclose(median, 100 * expit(zhat), atol=1e-6)
        assert (median <= values[-1] + 1e-9).all(), sid


def test_rising_series_are_untouched_and_capped_ones_keep_their_shape(uncapped) -> None:
    hist = _history(SERIES)
    capped, free = forecast(hist, H, n_samples=400, seed=0), uncapped(hist)
    levels = [0.1, 0.5, 0.9]
    np.testing.assert_allclose(_quantiles(capped, "rising", levels),
                               _quantiles(free, "rising", levels))
    a = logit(_quantiles(capped, "falling, 4 values", levels) / 100)
    b = logit(_quantiles(free, "falling, 4 values", levels) / 100)
    assert (a[:, 1] < b[:, 1]).all()  # moved down at every horizon ...
    np.testing.assert_allclose(np.diff(a, axis=1), np.diff(b, axis=1), atol=1e-9)  # ... as a whole


def test_probabilities_and_samples_follow_the_shifted_distribution() -> None:
    fc = forecast(_history(SERIES), H, n_samples=4000, seed=1)
    median = _quantiles(fc, "falling", [0.5])[:, 0]
    years = 2021 + np.arange(1, H + 1)
    p = fc.prob_many(np.repeat("falling", H), years, ">=", median)
    np.testing.assert_allclose(p, 0.5, atol=1e-6)
    s = fc.samples("falling")  # (n_samples, H): the sample median is near the exact one
    np.testing.assert_allclose(np.median(s, axis=0), median, atol=1.5)


def test_an_unknown_cap_rule_is_refused(monkeypatch) -> None:
    real = load_profile("share")
    odd = {**real, "method": {**real["method"], "cap": "always"}}
    monkeypatch.setattr(engine_profiles, "load_profile",
                        lambda c: odd if c == "share" else load_profile(c))
    with pytest.raises(ValueError, match="cap 'always' is not one of"):
        forecast(_history({"s": [60.0, 55.0]}), 2)


def test_median_excess_is_zero_below_the_point_and_the_gap_above_it() -> None:
    levels = np.array([0.0, 0.5, 1.0])
    zq = np.array([[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]])
    got = median_excess(zq, levels, np.array([0.5, 0.75]), np.array([0.2, -0.3]))
    np.testing.assert_allclose(got, [0.0, 0.8])  # medians 0.0 and 0.5 (R^-1(1/2) = 0.75)


@pytest.mark.parametrize(("sid", "h", "threshold"), [("falling", 1, 55.0), ("falling", 4, 50.0),
                                                     ("falling, 4 values", 6, 45.0),
                                                     ("flat", 3, 41.0)])
def test_engine_and_validation_cap_agree(benchmark_module, sid, h, threshold) -> None:
    """``--validate`` scores the cap as the engine applies it: the profile's raw quantiles,
    shifted by :func:`median_excess` at the map's ``R^{-1}(1/2)``, then the map."""
    pv = benchmark_module("profile_validation")
    prof = load_profile("share")
    meth = prof["method"]
    values = np.array(SERIES[sid])
    z = logit(values / 100)[None, :]
    zhat, s, n, d = point_engine(z, H, meth["phi"], meth["phi_two"], meth["weights"])
    s = np.maximum(s, meth["scale_floor"])  # the resolution floor does not bind at 40-70 %
    one = np.ones(1, int)
    zq = zhat[:, h - 1][:, None] + s[:, None] * pv.profile_rows(prof, n, h * one, d)
    c = cut_off(np.array([threshold]), np.zeros(1, bool), np.full(1, T_LOGIT), np.zeros(1),
                np.full(1, 100.0))
    rc = Recalibration([prof["recalibration"]])
    ids = rc.map_ids(np.zeros(1, int), n, h * one, d > 0)
    F = pv.capped_cdf(zq, np.asarray(prof["levels"]), rc.invert(0.5, ids), zhat[:, h - 1], c)
    want = 1 - rc.apply(F, ids)[0]
    fc = forecast(_history({sid: list(values)}), H, n_samples=50, seed=0)
    year = int(fc.series.loc[sid, "last_year"]) + h
    assert fc.prob(sid, year, ">=", threshold) == pytest.approx(want, abs=1e-9)
