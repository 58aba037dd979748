"""The era effect of the share profile builder (benchmarks/era_effect.py, issue 10 round 3):
the random-effect variance is recovered from grouped errors, and the widening of the profile
cells is a convolution with N(0, tau^2) on the stated scale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm


@pytest.fixture(scope="module")
def era(benchmark_module):
    return benchmark_module("era_effect")


def _grouped_errors(tau: float, n_groups: int = 200, n_series: int = 40, seed: int = 1):
    """Errors v = a_group + eps with a_group ~ N(0, tau^2), eps ~ N(0, 1): one origin per
    series run (first year = the group's year), horizon 1."""
    rng = np.random.default_rng(seed)
    a = rng.normal(0, tau, n_groups)
    sid = np.arange(n_groups * n_series)
    groups = [("file", 1990 + i // n_series) for i in sid]
    err = pd.DataFrame({"sid": sid, "origin": 0, "h": 1})
    v = a[sid // n_series] + rng.normal(0, 1, len(sid))
    return err, v, groups


def test_tau_recovers_the_between_group_spread(era) -> None:
    err, v, groups = _grouped_errors(0.5)
    tau, used = era.era_tau(err, v, groups, 2)
    # 200 groups: the method-of-moments estimate of tau = 0.5 has a standard error of about
    # 0.5 / sqrt(2 * 200) * 2 ~ 0.05 (delta method), so within 0.1 is a 2-sigma band
    assert abs(tau[0] - 0.5) < 0.1
    assert used == [200, 0]
    assert tau[1] == tau[0]  # a horizon without groups takes the previous one


def test_tau_is_zero_without_a_group_effect(era) -> None:
    err, v, groups = _grouped_errors(0.0)
    tau, _ = era.era_tau(err, v, groups, 1)
    # the sampling part (1/40 per group mean) is removed: the estimate is ~0, floored at 0
    assert tau[0] < 0.06


def _normal_cells(levels: np.ndarray) -> np.ndarray:
    inner = levels[(levels > 0) & (levels < 1)]
    return np.stack([np.stack([np.r_[-10.0, norm.ppf(inner), 10.0]] * 2)])  # (1, 2, K)


def test_widening_a_normal_cell_adds_the_variance(era) -> None:
    levels = np.r_[0.0, np.round(np.arange(1, 100) / 100, 2), 1.0]
    Q = _normal_cells(levels)
    tau = np.array([0.0, 0.75])
    for scale in ("scaled", "probit"):
        W = era.widen(Q, levels, tau, scale)
        # h = 1 (tau 0) unchanged; h = 2: N(0, 1) convolved with N(0, 0.75^2) = N(0, 1.25^2),
        # so the 0.9 quantile is 1.25 * 1.2816 = 1.602 (the scaled path is discretised:
        # 1000 levels x 100 nodes, within 0.02)
        assert np.array_equal(W[0, 0], Q[0, 0])
        i90 = int(np.argmin(np.abs(levels - 0.9)))
        assert W[0, 1, i90] == pytest.approx(1.25 * norm.ppf(0.9), abs=0.02)
        assert W[0, 1, 50] == pytest.approx(0.0, abs=0.01)  # the median of a symmetric cell


def test_the_widening_after_a_map_keeps_it_a_map(era) -> None:
    knots = [0.0, 0.1, 0.5, 0.9, 1.0]
    table = {"knots": knots, "n_edges": [2], "horizons": 2,
             "values": [[[0.0, 0.2, 0.6, 0.95, 1.0], [0.0, 0.1, 0.5, 0.9, 1.0]]]}
    out = np.asarray(era.widen_map(table, np.array([0.0, 0.75, 0.9]))["values"])
    assert np.allclose(out[0, 0], table["values"][0][0])  # tau 0: the map itself
    # h = 2: R = identity, widened: Phi(Phi^-1(0.9) / 1.25) = Phi(1.0253) = 0.8474
    assert out[0, 1, 3] == pytest.approx(norm.cdf(norm.ppf(0.9) / 1.25), abs=1e-5)
    assert out[0, 1, 0] == 0.0 and out[0, 1, -1] == 1.0
    assert (np.diff(out, axis=-1) > 0).all()


def test_horizons_past_the_map_get_their_own_widening(era) -> None:
    """Horizons after the last learned map (here 2) take that map, widened by their own tau_h
    (up to len(tau)); the learned horizons are unchanged."""
    knots = [0.0, 0.1, 0.5, 0.9, 1.0]
    table = {"knots": knots, "n_edges": [2], "horizons": 2, "n_cases": [[50, 40]],
             "values": [[[0.0, 0.2, 0.6, 0.95, 1.0], [0.0, 0.1, 0.5, 0.9, 1.0]]]}
    tau = np.array([0.0, 0.5, 0.75, 0.9])
    short = np.asarray(era.widen_map(table, tau)["values"])
    long = era.widen_map(table, tau, horizons=10)  # capped at len(tau) = 4
    out = np.asarray(long["values"])
    assert out.shape == (1, 4, 5) and long["horizons"] == 4 and long["n_cases"] == [[50, 40, 40, 40]]
    np.testing.assert_array_equal(out[:, :2], short)
    # h = 3, 4: the identity map of h = 2 widened by tau 0.75 and 0.9 (wider each horizon)
    assert out[0, 2, 3] == pytest.approx(norm.cdf(norm.ppf(0.9) / 1.25), abs=1e-5)
    assert out[0, 1, 3] > out[0, 2, 3] > out[0, 3, 3] > 0.5
