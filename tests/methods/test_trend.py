"""Growth, CAGR, SDG trend arrows and linear projection."""

import numpy as np
import pytest
from scipy import stats

from rbcity.methods import trend as tr

nan = np.nan


def test_growth_and_cagr_hand():
    """(100, 110, 121): growth (nan, .1, .1); CAGR over 2 years = 1.21^(1/2) - 1 = .1.
    With a gap and years (2015, 2016, 2020): x = (100, nan, 200) → 2^(1/5) - 1."""
    x = np.array([100.0, 110.0, 121.0])
    np.testing.assert_allclose(tr.growth_rate(x), [nan, 0.1, 0.1])
    np.testing.assert_allclose(tr.cagr(x), 0.1)
    X = np.array([[100.0, 5.0, nan], [nan, 6.0, nan], [200.0, -1.0, 3.0]])
    np.testing.assert_allclose(tr.cagr(X, [2015, 2016, 2020]), [2 ** 0.2 - 1, nan, nan])
    np.testing.assert_allclose(tr.growth_rate(np.array([0.0, 1.0, 2.0])), [nan, nan, 1.0])


def test_sdg_trend_rules_hand():
    """Target 100 in 10 years from x_end = 50: required = 5/yr.  Growth over 5 years:
    50→ from 25 = 5/yr ≥ 5 → ↑; from 35 = 3/yr > 2.5 → ➚; from 40 = 2/yr → →;
    from 55 = -1/yr → ↓; achieved (x_end 120, growth 0) → ↑; achieved and falling → ↓;
    cost indicator (direction -1): target 10, 20 → 15 over 5 years: growth 1, required .5 → ↑."""
    xs = np.array([25.0, 35, 40, 55, 120, 130, nan])
    xe = np.array([50.0, 50, 50, 50, 120, 125, 50])
    codes = tr.sdg_trend(xs, xe, 5, target=100, years_left=10)
    np.testing.assert_array_equal(codes, [0, 1, 2, 3, 0, 3, -1])
    assert tr.sdg_trend(20.0, 15.0, 5, target=10, years_left=10, direction=-1) == 0
    # exactly 50 % of the required rate is "stagnating" (0–50 %), just above is ➚
    assert tr.sdg_trend(37.5, 50.0, 5, target=100, years_left=10) == 2
    assert tr.sdg_trend(37.4, 50.0, 5, target=100, years_left=10) == 1
    with pytest.raises(ValueError):
        tr.sdg_trend(1.0, 2.0, 5, target=3, years_left=0)


def test_trend_arrows_panel():
    years = np.arange(2010, 2021)
    X = np.stack([np.linspace(0, 50, 11), np.full(11, 40.0), np.linspace(60, 40, 11)], axis=1)
    X[:, 1][-1] = nan  # last value missing: uses 2019 as last observation
    codes, arrows = tr.trend_arrows(X, years, target=100, target_year=2030, window=5)
    # series 0: +5/yr, needs 50/10 = 5 → ↑ ; series 1 flat → → ; series 2 falling → ↓
    np.testing.assert_array_equal(codes, [0, 2, 3])
    assert list(arrows) == ["↑", "→", "↓"]
    single = np.full((11, 1), nan)
    single[-1] = 1.0
    assert tr.trend_arrows(single, years, target=5, target_year=2030)[0][0] == -1


def test_linear_projection_matches_scipy():
    """Points (0, 1), (1, 3), (2, 2), (3, 5): OLS b = 1.1, a = 1.1; at x0 = 5: 6.6; 90 %
    prediction interval from the textbook formula (checked against scipy.stats.linregress)."""
    y = np.array([1.0, 3.0, 2.0, 5.0])
    p = tr.linear_projection(y[:, None], [0, 1, 2, 3], to_year=5)
    lr = stats.linregress([0, 1, 2, 3], y)
    np.testing.assert_allclose([p.slope[0], p.intercept[0], p.point[0]],
                               [lr.slope, lr.intercept, lr.intercept + 5 * lr.slope])
    np.testing.assert_allclose([p.slope[0], p.point[0]], [1.1, 6.6])
    s = np.sqrt(np.sum((y - (lr.intercept + lr.slope * np.arange(4))) ** 2) / 2)
    half = stats.t.ppf(0.95, 2) * s * np.sqrt(1 + 1 / 4 + (5 - 1.5) ** 2 / 5)
    np.testing.assert_allclose([p.lower[0], p.upper[0]], [6.6 - half, 6.6 + half])
    c = tr.linear_projection(y[:, None], [0, 1, 2, 3], to_year=5, interval="confidence")
    assert c.upper[0] - c.lower[0] < p.upper[0] - p.lower[0]


def test_linear_projection_missing_and_short():
    """Series (columns) over 2000..2003: (1, 2, 3, 4) perfect line → 6 at 2005, zero-width
    interval; (1, nan, 2, nan) n = 2 → point 1 + .5·5 = 3.5, no interval; (nan, nan, nan, 5)
    n = 1 → NaN."""
    Y = np.array([[1.0, 1.0, nan], [2.0, nan, nan], [3.0, 2.0, nan], [4.0, nan, 5.0]])
    p = tr.linear_projection(Y, [2000, 2001, 2002, 2003], to_year=2005)
    np.testing.assert_allclose(p.point, [6.0, 3.5, nan])
    np.testing.assert_array_equal(p.n, [4, 2, 1])
    np.testing.assert_allclose([p.lower[0], p.upper[0]], [6.0, 6.0])
    assert np.isnan(p.lower[1]) and np.isnan(p.upper[2])
