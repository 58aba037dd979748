"""The share-class candidates of issue 10, rounds 5 and 6 (benchmarks, training only): the map
rules by direction of ``recalibration_maps.recalibration_table`` (``rising``: a map for rising
series only; ``direction``: plus a spread-only map for the others) and the windows a profile
learns from (``min_level``: shares of at least that % of the bound)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dxlib.engine.recalibration import Recalibration


@pytest.fixture(scope="module")
def maps(benchmark_module):
    return benchmark_module("recalibration_maps")


@pytest.fixture(scope="module")
def bep(benchmark_module):
    return benchmark_module("build_error_profile")


def _pits(maps) -> pd.DataFrame:
    """PITs of 80 series per (bucket, horizon) cell, 40 of each direction: rising windows
    uniform, non-rising ones piled up above 0.9 (the rebounds of round 5)."""
    rng = np.random.default_rng(0)
    rows = []
    for n in maps.RECAL_EDGES:
        for h in range(1, maps.RECAL_H + 1):
            for sid in range(80):
                up = sid % 2 == 0
                pit = rng.uniform() if up else 0.9 + 0.1 * rng.uniform()
                rows.append((sid + 1000 * n, n, h, pit, up))
    return pd.DataFrame(rows, columns=["sid", "n", "h", "pit", "up"])


def test_symmetric_map_keeps_the_median_and_rises_strictly(maps) -> None:
    knots = np.array(maps.RECAL_KNOTS)
    skewed = (1 - 0.01) * knots ** 3 + 0.01 * knots  # a map that moves the median down
    sym = maps.symmetric_map(skewed, knots)
    assert sym[knots == 0.5][0] == pytest.approx(0.5)
    assert (np.diff(sym) > 0).all() and sym[0] == 0 and sym[-1] == pytest.approx(1)
    # symmetric about one half: R_s(1 - u) = 1 - R_s(u)
    np.testing.assert_allclose(np.interp(1 - knots, knots, sym), 1 - sym, atol=1e-12)


def test_map_rules_by_direction(maps) -> None:
    pits = _pits(maps)
    knots = np.array(maps.RECAL_KNOTS)
    rising = maps.recalibration_table(pits, "", "rising")
    both = maps.recalibration_table(pits, "", "direction")
    v_rising, v_both = np.array(rising["values"]), np.array(both["values"])
    assert rising["by_direction"] and v_rising.shape == (2, len(maps.RECAL_EDGES),
                                                         maps.RECAL_H, len(knots))
    np.testing.assert_allclose(v_rising[0], np.broadcast_to(knots, v_rising[0].shape))
    np.testing.assert_allclose(v_both[1], v_rising[1])  # the rising maps are the same
    # the others: spread-only (median kept), and wider than the identity in both tails
    mid = knots == 0.5
    np.testing.assert_allclose(v_both[0][..., mid], 0.5, atol=1e-5)
    assert (v_both[0][..., knots == 0.1] > 0.1).all() and (v_both[0][..., knots == 0.9] < 0.9).all()
    Recalibration([both])  # a valid table for the engine


def test_an_unknown_map_rule_is_refused(maps) -> None:
    with pytest.raises(ValueError, match="unknown map rule 'falling'"):
        maps.recalibration_table(_pits(maps), "", "falling")


def test_min_level_leaves_low_windows_out_of_learning(bep) -> None:
    low = bep.share_logit(np.array([0.2, 0.2, 0.3, 0.6, 0.9, 2.5, 4.0, 5.5]))
    high = bep.share_logit(np.array([20.0, 24.0, 29.0, 35.0, 40.0, 46.0, 51.0]))
    assert bep.learnable(low, {}) and not bep.learnable(low, {"min_level": 1.0})
    assert bep.learnable(low[-2:], {"min_level": 1.0})
    method = {**bep.METHODS["share"], "bias": "learned"}
    every = bep.rolling_errors([low, high], method, bep.FLOOR["share"])
    kept = bep.rolling_errors([low, high], {**method, "min_level": 1.0}, bep.FLOOR["share"])
    assert set(every["sid"]) == {0, 1} and len(kept) < len(every)
    # the high series keeps every window; the low one only [2.5, 4.0] (origin index 6)
    assert len(kept[kept["sid"] == 1]) == len(every[every["sid"] == 1])
    assert set(kept.loc[kept["sid"] == 0, "origin"]) == {6}
