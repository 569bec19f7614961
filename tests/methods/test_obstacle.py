"""Obstacle degree: hand-computed, reference implementation example, edges."""

import numpy as np
import pytest

from rbcity.methods.obstacle import obstacle_degree

nan = np.nan


def test_hand():
    """w = (.5, .3, .2), r = (.2, 1, .5): F·I = (.4, 0, .1), Σ = .5 → O = (.8, 0, .2);
    dimensions (E, E, S) → (.8, .2); top-2 = indicators 0 then 2."""
    ob = obstacle_degree(np.array([[0.2, 1.0, 0.5]]), [0.5, 0.3, 0.2], dimension_of=["E", "E", "S"],
                         top_k=2)
    np.testing.assert_allclose(ob.raw, [[0.4, 0, 0.1]])
    np.testing.assert_allclose(ob.share, [[0.8, 0, 0.2]])
    np.testing.assert_allclose(ob.dimension_share, [[0.8, 0.2]])
    assert ob.dimensions == ["E", "S"]
    np.testing.assert_array_equal(ob.top_index, [[0, 2]])
    np.testing.assert_allclose(ob.top_share, [[0.8, 0.2]])


def test_reference_implementation_example():
    """zhjx19/mathmodels ``obstacle_degree(df, c(.4, .3, .3))`` recorded output (unscaled
    F·I): row A (.0162, .2720, .2655) → (.394, .218, .220); row F → (.00500, .133, .0305)."""
    R = np.array([[0.0162, 0.2720, 0.2655], [0.9875, 0.5573, 0.8984]])
    ob = obstacle_degree(R, [0.4, 0.3, 0.3])
    np.testing.assert_allclose(ob.raw, [[0.394, 0.218, 0.220], [0.00500, 0.133, 0.0305]],
                               atol=6e-4)
    np.testing.assert_allclose(ob.share.sum(-1), 1.0)


def test_edges_and_panel():
    R = np.array([[[1.0, 1.0], [nan, 0.5], [nan, nan]], [[0.0, 0.0], [0.5, 0.5], [1, 0]]])
    ob = obstacle_degree(R, [0.5, 0.5], top_k=5)
    np.testing.assert_allclose(ob.share[0, 0], [0, 0])  # perfect unit: no obstacle
    np.testing.assert_allclose(ob.share[0, 1], [nan, 1.0])  # missing excluded
    assert np.isnan(ob.share[0, 2]).all()
    np.testing.assert_allclose(ob.share[1, 2], [0, 1])
    assert ob.top_index.shape == (2, 3, 2)  # top_k capped at n
    np.testing.assert_array_equal(ob.top_index[0, 1], [1, 0])  # NaN sorted last
    # per-year weights (T, n)
    ob2 = obstacle_degree(R, np.array([[1, 0], [0, 1.0]]))
    np.testing.assert_allclose(ob2.share[1, 1], [0, 1])
    with pytest.raises(ValueError):
        obstacle_degree(np.array([[1.5, 0.0]]), [1, 1])


def test_shares_sum_to_one_random():
    rng = np.random.default_rng(5)
    R = rng.uniform(0, 1, (4, 30, 6))
    ob = obstacle_degree(R, rng.dirichlet(np.ones(6)), dimension_of=list("aabbbc"), top_k=3)
    np.testing.assert_allclose(ob.share.sum(-1), 1.0)
    np.testing.assert_allclose(ob.dimension_share.sum(-1), 1.0)
    assert np.all(np.diff(ob.top_share, axis=-1) <= 0)
    np.testing.assert_allclose(ob.top_share[..., 0], ob.share.max(-1))
