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

    def run(hist: pd.DataFrame, to_year: int | None = None):
        with monkeypatch.context() as m:
            m.setattr(engine_profiles, "load_profile",
                      lambda c: no_cap if c == "share" else load_profile(c))
            return forecast(hist, None if to_year else H, to_year=to_year, n_samples=400,
                            seed=0)
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
                                                     ("flat", 3, 41.0), ("rising", 2, 20.0)])
def test_engine_and_validation_cap_agree(benchmark_module, monkeypatch, sid, h, threshold) -> None:
    """``--validate`` scores the cap as the engine applies it: a target row as ``pit_share``
    writes it (raw CDF at the cut; for a falling or flat series its raw quantile row, cut and
    point) through :func:`recalibration_maps.target_probabilities`, recalibrated column with the
    shipped map = the engine; raw column = the engine with the map removed."""
    pv = benchmark_module("profile_validation")
    maps = benchmark_module("recalibration_maps")
    prof = load_profile("share")
    meth = prof["method"]
    values = np.array(SERIES[sid])
    z = logit(values / 100)[None, :]
    zhat, s, n, d = point_engine(z, H, meth["phi"], meth["phi_two"], meth["weights"])
    s = np.maximum(s, meth["scale_floor"])  # the resolution floor does not bind at 10-70 %
    one = np.ones(1, int)
    c = cut_off(np.array([threshold]), np.zeros(1, bool), np.full(1, T_LOGIT), np.zeros(1),
                np.full(1, 100.0))
    F = 1 - pv.probs_ge(prof, zhat[:, h - 1], s, n, d, h * one, c)
    row = {"F": F, "n": n, "h": h, "up": d > 0, "qi": -1 if d[0] > 0 else 0}
    zq = zhat[:, h - 1][:, None] + s[:, None] * pv.profile_rows(prof, n, h * one, d)
    row |= {"c": c, "zh": zhat[:, h - 1]}
    raw, cal = maps.target_probabilities(pd.DataFrame(row), prof["recalibration"], None, zq,
                                         np.asarray(prof["levels"]))
    fc = forecast(_history({sid: list(values)}), H, n_samples=50, seed=0)
    year = int(fc.series.loc[sid, "last_year"]) + h
    assert fc.prob(sid, year, ">=", threshold) == pytest.approx(cal[0], abs=1e-9)
    monkeypatch.setattr(engine_profiles, "load_profile", lambda cl: {
        **prof, "recalibration": None} if cl == "share" else load_profile(cl))
    fc = forecast(_history({sid: list(values)}), H, n_samples=50, seed=0)
    assert fc.prob(sid, year, ">=", threshold) == pytest.approx(raw[0], abs=1e-9)


def test_to_year_mode_and_mixed_classes(uncapped) -> None:
    """Series with different last years forecast to one year are each held at their own trend
    at every horizon; a falling level series (no cap, no bias) and a rising share are as
    without the cap; summary_frame agrees with the quantiles."""
    rows = [("early fall", 2019 + i, v, "share") for i, v in enumerate([62.0, 58.0, 55.0])]
    rows += [("late fall", 2021 + i, v, "share") for i, v in enumerate([60.0, 55.0])]
    rows += [("level fall", 2020 + i, v, "level") for i, v in enumerate([100.0, 95.0, 90.0])]
    rows += [("share rise", 2020 + i, v, "share") for i, v in enumerate([30.0, 33.0, 36.0])]
    hist = pd.DataFrame(rows, columns=["series_id", "year", "value", "kind"])
    capped, free = forecast(hist, to_year=2030, n_samples=400, seed=0), uncapped(hist, 2030)
    meth = load_profile("share")["method"]
    for sid, vals in (("early fall", [62.0, 58.0, 55.0]), ("late fall", [60.0, 55.0])):
        frame = capped.summary_frame(sid)
        zhat = point_engine(logit(np.array(vals) / 100)[None, :], len(frame), meth["phi"],
                            meth["phi_two"], meth["weights"])[0][0]
        np.testing.assert_allclose(frame["median"], 100 * expit(zhat), atol=1e-6)
    a, b = capped.quantile_frame([0.5]), free.quantile_frame([0.5])
    for sid in ("level fall", "share rise"):
        np.testing.assert_allclose(a[a["series_id"] == sid]["point"],
                                   b[b["series_id"] == sid]["point"])
    early_a, early_b = (f[f["series_id"] == "early fall"]["point"].to_numpy() for f in (a, b))
    assert (early_a < early_b).all()  # held down at every horizon to 2030
