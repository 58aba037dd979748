"""Tests of the PIT recalibration maps (dxlib.engine.recalibration) and of their use by the
forecast engine: one calibrated distribution behind quantiles, probabilities and samples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dxlib.engine.forecast import forecast
from dxlib.engine.recalibration import IDENTITY_MIX, Recalibration, pit_map
from dxlib.profiles import load_profile

KNOTS = np.linspace(0.0, 1.0, 11)


def table(values: np.ndarray) -> dict:
    """A one-bucket, one-horizon table with the map ``values`` at KNOTS."""
    return {"knots": KNOTS.tolist(), "n_edges": [2], "horizons": 1, "values": [[values.tolist()]]}


def test_pit_map_of_uniform_pits_is_the_identity() -> None:
    # PITs at the centres of 1000 equal cells: their empirical CDF at knot u is u exactly
    pit = (np.arange(1000) + 0.5) / 1000
    np.testing.assert_allclose(pit_map(pit, KNOTS), KNOTS, atol=1e-12)


def test_pit_map_rises_strictly_and_mixes_in_the_identity() -> None:
    # every PIT is 0.3: the empirical CDF is 0 below 0.3 and 1 from 0.3, so at knot 0.2 the
    # map is IDENTITY_MIX * 0.2 and at knot 0.4 it is (1 - IDENTITY_MIX) + IDENTITY_MIX * 0.4
    r = pit_map(np.full(50, 0.3), KNOTS)
    assert r[0] == 0.0 and r[-1] == 1.0 and (np.diff(r) > 0).all()
    assert np.isclose(r[2], IDENTITY_MIX * 0.2)
    assert np.isclose(r[4], 1 - IDENTITY_MIX + IDENTITY_MIX * 0.4)


def test_apply_and_invert_are_inverse_and_map_ids_pick_the_class() -> None:
    rc = Recalibration([None, table(pit_map(np.random.default_rng(1).beta(2, 3, 500), KNOTS))])
    ids = rc.map_ids(np.array([0, 1, 1]), np.array([4, 2, 9]), np.array([1, 1, 7]))
    assert ids.tolist() == [0, 1, 1]  # class 0 has no table: identity (id 0)
    p = np.linspace(0, 1, 37)
    np.testing.assert_allclose(rc.invert(rc.apply(p, 1), 1), p, atol=1e-12)
    np.testing.assert_array_equal(rc.apply(p, 0), p)


def test_maps_by_direction_pick_the_rising_or_the_other_map() -> None:
    # a by_direction table: (2, Bm = 2 buckets, Hm = 1, J); ids = 1 + (group * Bm + bucket)
    up = pit_map(np.random.default_rng(2).beta(3, 2, 400), KNOTS)
    t = {"knots": KNOTS.tolist(), "n_edges": [2, 5], "horizons": 1, "by_direction": True,
         "values": [[[KNOTS.tolist()], [KNOTS.tolist()]], [[up.tolist()], [up.tolist()]]]}
    rc = Recalibration([t])
    ids = rc.map_ids(np.zeros(4, int), np.array([2, 6, 2, 6]), np.ones(4, int),
                     np.array([False, False, True, True]))
    assert ids.tolist() == [1, 2, 3, 4]
    p = np.array([0.25])
    assert rc.apply(p, 1)[0] == 0.25 and rc.apply(p, 3)[0] == np.interp(0.25, KNOTS, up)
    with pytest.raises(ValueError, match="expected \\(Bm, Hm, J\\)"):
        Recalibration([{**t, "by_direction": False}])
    with pytest.raises(ValueError, match="expected \\(Bm, Hm, J\\)"):  # one group only
        Recalibration([{**t, "values": t["values"][1:]}])
    with pytest.raises(ValueError, match="expected \\(Bm, Hm, J\\)"):  # Bm != len(n_edges)
        Recalibration([{**t, "n_edges": [2]}])


def test_shipped_share_map_is_monotone_and_level_has_none() -> None:
    share = load_profile("share")["recalibration"]
    v = np.asarray(share["values"])
    assert (np.diff(v, axis=-1) > 0).all()
    assert "recalibration" not in load_profile("level")


def test_quantiles_probabilities_and_samples_agree_under_the_map() -> None:
    h = pd.DataFrame({"series_id": "s", "year": [2017, 2018, 2019, 2020, 2021],
                      "value": [10.0, 12.0, 14.5, 16.0, 18.0], "kind": "share"})
    fc = forecast(h, 6, n_samples=20000, seed=3)
    levels = [0.1, 0.25, 0.5, 0.75, 0.9]
    q = fc.quantile_frame(levels)
    years = q["year"].to_numpy()
    assert (q["q_0.9"] < 99.5).all()  # away from the point mass at the bound 100
    for lv in levels:  # P(Y <= q_lv) == lv: the fan chart and the probabilities are one CDF
        p = fc.prob_many(["s"] * len(q), years, "<=", q[f"q_{lv}"].to_numpy())
        np.testing.assert_allclose(p, lv, atol=1e-6)
    y = fc.samples("s")  # each column's empirical CDF at q_0.5 within 4 binomial sd of 0.5
    below = (y <= q["q_0.5"].to_numpy()[None, :]).mean(0)
    assert np.all(np.abs(below - 0.5) < 4 * np.sqrt(0.25 / 20000))
