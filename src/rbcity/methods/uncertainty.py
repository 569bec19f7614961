"""Uncertainty and sensitivity analysis of a composite index over its spec (batched).

Monte Carlo over the assumptions of an :class:`~rbcity.methods.spec.IndexSpec` — perturbed
weights, and the choice of normalisation, weighting, aggregation and imputation — giving each
unit's median rank and 5–95 % rank interval (uncertainty analysis, UA), and first-order and
total Sobol indices of each varied assumption (sensitivity analysis, SA).  Follows COINr's
``get_sensitivity`` design (anchors.md §1) with the lessons from its issue tracker: every
replication's sampled spec is recorded (``UAResult.samples``, ``UAResult.spec_of``), and an
assumption declared as varied whose alternatives do not change any score is an **error**.

Speed: replications are not looped.  Replications are grouped by their categorical choices
(at most a few dozen groups); within a group the normalised matrix is computed once and all
weight draws are evaluated together as matrix products (arithmetic, geometric and TOPSIS are
linear in ``w`` or ``w²`` after the ideal points, which do not depend on ``w ≥ 0``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import aggregate as agg
from .spec import IndexSpec, _normalised, _weights

__all__ = ["FACTORS", "UAResult", "monte_carlo", "batch_scores", "sobol_indices"]

#: assumptions that can be varied; "weights" takes a noise amplitude, the others a list of levels
FACTORS = ("weights", "normalisation", "weighting", "aggregation", "imputation")


def _wsum(A: np.ndarray, W: np.ndarray) -> np.ndarray:
    """``out[k, t, i] = Σ_j A[t, i, j] W[k, (t,) j]`` for A (T, m, n), W (K, n) or (K, T, n)."""
    T, m, n = A.shape
    if W.ndim == 2:
        return (A.reshape(T * m, n) @ W.T).T.reshape(W.shape[0], T, m)
    # per-year weights: batched matmul over years
    return np.matmul(A, W.transpose(1, 2, 0)).transpose(2, 0, 1)


def batch_scores(R: np.ndarray, W: np.ndarray, aggregation: str, *, ideal_pooled: bool = False,
                 min_availability: float = 0.8, chunk: int = 20_000_000) -> np.ndarray:
    """Scores of many weight vectors at once: ``(K, T, m)`` for ``R`` (T, m, n) and ``W``
    (K, n) or (K, T, n) (rows summing to 1).  Identical, per replication, to
    :func:`rbcity.methods.spec.composite_index`'s aggregation step (tested)."""
    T, m, n = R.shape
    mask = ~np.isnan(R)
    R0 = np.where(mask, R, 0.0)
    ok = agg.availability(R) >= min_availability - 1e-12
    with np.errstate(invalid="ignore", divide="ignore"):
        if aggregation == "arithmetic":
            den = _wsum(mask.astype(float), W)
            s = np.where(den > 0, _wsum(R0, W) / den, np.nan)
        elif aggregation == "geometric":
            if np.any(R < 0):
                raise ValueError("geometric aggregation needs non-negative values")
            logr = np.where(mask & (R0 > 0), np.log(np.where(R0 > 0, R0, 1.0)), 0.0)
            zero = (mask & (R0 == 0)).astype(float)
            den = _wsum(mask.astype(float), W)
            s = np.exp(_wsum(logr, W) / np.where(den > 0, den, 1.0))
            s = np.where(_wsum(zero, W) > 0, 0.0, s)
            s = np.where(den > 0, s, np.nan)
        elif aggregation == "topsis":
            ax = (0, 1) if ideal_pooled else (1,)
            hi = np.nanmax(np.where(mask, R, -np.inf), axis=ax, keepdims=True)
            lo = np.nanmin(np.where(mask, R, np.inf), axis=ax, keepdims=True)
            dp = np.sqrt(_wsum(np.where(mask, (R0 - hi) ** 2, 0.0), W * W))
            dm = np.sqrt(_wsum(np.where(mask, (R0 - lo) ** 2, 0.0), W * W))
            tot = dp + dm
            s = np.where(tot > 0, dm / tot, np.nan)
            s = np.where(mask.any(-1)[None], s, np.nan)
        elif aggregation == "vikor":
            ax = (0, 1) if ideal_pooled else (1,)
            hi = np.nanmax(np.where(mask, R, -np.inf), axis=ax, keepdims=True)
            lo = np.nanmin(np.where(mask, R, np.inf), axis=ax, keepdims=True)
            rng = hi - lo
            g = np.where(mask & (rng != 0), (hi - R0) / np.where(rng != 0, rng, 1.0), 0.0)
            S = _wsum(g, W)
            K = W.shape[0]
            Rr = np.empty_like(S)
            step = max(1, chunk // max(1, T * m * n))
            for a in range(0, K, step):  # chunks of replications, bounded memory
                Wc = W[a:a + step]
                Wb = Wc[:, None, None, :] if Wc.ndim == 2 else Wc[:, :, None, :]
                Rr[a:a + step] = np.max(Wb * g[None], axis=-1)
            sax = (1, 2) if ideal_pooled else (2,)
            valid = mask.any(-1)[None]

            def _sc(a):
                lo_ = np.min(np.where(valid, a, np.inf), axis=sax, keepdims=True)
                hi_ = np.max(np.where(valid, a, -np.inf), axis=sax, keepdims=True)
                return np.where(hi_ > lo_, (a - lo_) / np.where(hi_ > lo_, hi_ - lo_, 1.0), 0.0)

            s = np.where(valid, 1.0 - (0.5 * _sc(S) + 0.5 * _sc(Rr)), np.nan)
        else:
            raise ValueError(f"unknown aggregation {aggregation!r}")
    return np.where(ok[None], s, np.nan)


def _ranks(S: np.ndarray) -> np.ndarray:
    """Rank units within each (replication, year): 1 = best (highest score); ties average;
    NaN stays NaN."""
    from scipy import stats  # lazy: importing scipy.stats costs ~0.6 s at start-up

    return stats.rankdata(-S, axis=-1, method="average", nan_policy="omit")


def sobol_indices(Y: np.ndarray, D: int):
    """First-order (Saltelli 2010) and total (Jansen 1999) Sobol indices of every output column.

    ``Y`` is ``(N·(D+2), ...)`` in SALib's ``sobol.sample(calc_second_order=False)`` row order
    (A, AB_1 … AB_D, B per base sample).  As in ``SALib.analyze.sobol`` each output is first
    standardised; outputs with no variance get NaN.  Returns ``(S1, ST)`` shaped ``(D, ...)``;
    for a single output this equals SALib's ``S1``/``ST`` (tested)."""
    Y = np.asarray(Y, dtype=float)
    step = D + 2
    if Y.shape[0] % step:
        raise ValueError("Y does not have N·(D+2) rows")
    with np.errstate(invalid="ignore", divide="ignore"):
        Ys = (Y - Y.mean(axis=0)) / Y.std(axis=0)
        A = Ys[0::step]
        B = Ys[step - 1::step]
        var = np.var(np.concatenate([A, B]), axis=0)
        S1 = np.stack([np.mean(B * (Ys[1 + j::step] - A), axis=0) / var for j in range(D)])
        ST = np.stack([0.5 * np.mean((A - Ys[1 + j::step]) ** 2, axis=0) / var
                       for j in range(D)])
    bad = ~(var > np.finfo(float).eps)
    return np.where(bad, np.nan, S1), np.where(bad, np.nan, ST)


@dataclass(frozen=True)
class UAResult:
    """Result of :func:`monte_carlo`.  Arrays are (replication K, year T, unit m)."""

    spec: IndexSpec
    factors: list
    samples: pd.DataFrame  #: one row per replication: the sampled level of every factor
    weight_noise: np.ndarray | None  #: (n_draws, n) multiplicative weight noise
    scores: np.ndarray | None  #: (K, T, m)
    ranks: np.ndarray  #: (K, T, m), 1 = best
    nominal_rank: np.ndarray  #: (T, m) rank under the unperturbed spec
    median_rank: np.ndarray  #: (T, m)
    rank_lo: np.ndarray  #: (T, m) lower percentile (default 5 %)
    rank_hi: np.ndarray  #: (T, m) upper percentile (default 95 %)
    sobol: pd.DataFrame | None = None  #: factor × {S1, ST} (mean over unit-years), + MARS
    sobol_units: tuple | None = None  #: (S1, ST) per factor and unit-year, (D, T, m)
    extra: dict = field(default_factory=dict)

    def spec_of(self, k: int) -> tuple[IndexSpec, np.ndarray | None]:
        """The spec of replication ``k`` and its weight multipliers (None: weights not varied):
        ``composite_index(X, spec_k, weight_multipliers=mult)`` reproduces replication k."""
        row = self.samples.iloc[k]
        ch = {f: row[f] for f in self.factors if f != "weights"}
        noise = None
        if "weights" in self.factors:
            noise = self.weight_noise[int(row["weights"])]
        return self.spec.with_(**ch), noise


def _levels(spec: IndexSpec, vary: dict) -> dict:
    out = {}
    for f, v in vary.items():
        if f not in FACTORS:
            raise ValueError(f"cannot vary {f!r}; known assumptions: {FACTORS}")
        if f == "weights":
            a = float(v)
            if not 0.0 <= a < 1.0:
                raise ValueError("weight noise amplitude must be in [0, 1)")
            if a == 0.0:
                raise ValueError(
                    "assumption 'weights' is declared as varied but its noise amplitude is 0: "
                    "it would change nothing")
            out[f] = a
        else:
            lv = list(dict.fromkeys(v))
            if len(lv) < 2:
                raise ValueError(
                    f"assumption {f!r} is declared as varied but has fewer than two "
                    f"distinct levels ({lv}): it would change nothing")
            out[f] = lv
    if not out:
        raise ValueError("nothing to vary")
    return out


class _Evaluator:
    """Caches normalised matrices and base weights per combination of categorical levels."""

    def __init__(self, X, spec: IndexSpec, groups):
        self.X, self.spec, self.groups = X, spec, groups
        self._imp, self._norm, self._w = {}, {}, {}

    def normalised(self, imp, norm):
        if imp not in self._imp:
            self._imp[imp] = agg.impute(self.X, imp, groups=self.groups)
        key = (imp, norm)
        if key not in self._norm:
            self._norm[key] = _normalised(self._imp[imp], self.spec, norm)
        return self._norm[key]

    def base_weights(self, imp, norm, wm):
        key = (imp, norm, wm)
        if key not in self._w:
            self._w[key] = _weights(self.normalised(imp, norm), self.spec, wm)
        return self._w[key]

    def scores(self, imp, norm, wm, aggm, noise):
        R = self.normalised(imp, norm)
        w0 = self.base_weights(imp, norm, wm)
        if noise is None:
            W = w0[None]
        else:
            W = w0[None] * (noise if w0.ndim == 1 else noise[:, None, :])
            W = W / W.sum(axis=-1, keepdims=True)
        return batch_scores(R, W, aggm, ideal_pooled=self.spec.ideal_pooled,
                            min_availability=self.spec.min_availability)


def monte_carlo(
    X,
    spec: IndexSpec,
    vary: dict,
    n: int = 1000,
    *,
    design: str = "random",
    seed: int = 0,
    groups=None,
    percentiles: tuple[float, float] = (5.0, 95.0),
    n_weight_draws: int = 1024,
    keep_scores: bool = False,
) -> UAResult:
    """Monte Carlo uncertainty (and, with ``design="sobol"``, sensitivity) analysis.

    ``X``: panel ``(T, m, n)`` (or ``(m, n)``) in the spec's indicator order.
    ``vary``: which assumptions to vary, e.g. ``{"weights": 0.25, "normalisation": ["minmax",
    "percentile"], "aggregation": ["arithmetic", "topsis"], "imputation": ["none",
    "interpolate"], "weighting": ["entropy", "equal"]}``:

    * ``"weights": a`` multiplies each (nominal, data-driven or user) indicator weight by an
      independent ``U(1 - a, 1 + a)`` factor and renormalises (COINr ``get_noisy_weights``);
      ``n_weight_draws`` noise vectors are drawn once and the factor picks one of them, so that
      the weights are a single assumption for the Sobol analysis;
    * a list of levels: each replication picks one level uniformly.

    ``design="random"``: ``n`` independent replications (UA only).  ``design="sobol"``: SALib's
    Saltelli/Sobol' sequence with ``n`` base samples (a power of two), ``n·(D+2)``
    replications, and Sobol indices of each unit-year's rank (``UAResult.sobol_units``; their
    mean over unit-years and the indices of the mean absolute rank shift against the nominal
    ranking are in ``UAResult.sobol``).

    Errors: an unknown assumption, a list with fewer than two distinct levels, a zero noise
    amplitude, or an assumption whose alternatives (all other assumptions nominal) give exactly
    the nominal scores — e.g. varying the imputation of a panel without missing values — raise
    ``ValueError``.  Combinations that are invalid (geometric mean of z-scores…) raise too.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = X[None]
    levels = _levels(spec, vary)
    factors = [f for f in FACTORS if f in levels]
    D = len(factors)
    ev = _Evaluator(X, spec, groups)
    nominal = {"imputation": spec.imputation, "normalisation": spec.normalisation,
               "weighting": spec.weighting, "aggregation": spec.aggregation}
    rng = np.random.default_rng(seed)
    noise = None
    if "weights" in levels:
        a = levels["weights"]
        noise = rng.uniform(1.0 - a, 1.0 + a, size=(n_weight_draws, X.shape[-1]))

    def run(choice, nz):
        return ev.scores(choice["imputation"], choice["normalisation"], choice["weighting"],
                         choice["aggregation"], nz)

    nom_scores = run(nominal, None)[0]
    # --- every declared assumption must matter -------------------------------------------
    for f in factors:
        if f == "weights":
            alt = run(nominal, noise[: min(16, len(noise))])
            changed = not np.allclose(alt, nom_scores[None], rtol=0, atol=1e-12,
                                      equal_nan=True)
        else:
            changed = False
            for lv in levels[f]:
                if lv == nominal[f]:
                    continue
                alt = run({**nominal, f: lv}, None)[0]
                if not np.allclose(alt, nom_scores, rtol=0, atol=1e-12, equal_nan=True):
                    changed = True
                    break
        if not changed:
            raise ValueError(
                f"assumption {f!r} is declared as varied but none of its alternatives "
                f"({levels[f]}) changes any score; remove it or check the data/spec")
    # --- sample -----------------------------------------------------------------------------
    if design == "random":
        U = rng.random((n, D))
    elif design == "sobol":
        from SALib.sample import sobol as sobol_sample

        problem = {"num_vars": D, "names": factors, "bounds": [[0.0, 1.0]] * D}
        U = sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    else:
        raise ValueError("design must be 'random' or 'sobol'")
    K = U.shape[0]
    idx = {}
    for c, f in enumerate(factors):
        L = len(noise) if f == "weights" else len(levels[f])
        idx[f] = np.minimum((U[:, c] * L).astype(int), L - 1)
    cats = [f for f in factors if f != "weights"]
    S = np.empty((K,) + nom_scores.shape)
    if cats:
        codes = np.stack([idx[f] for f in cats], axis=1)
        combos, inv = np.unique(codes, axis=0, return_inverse=True)
        inv = inv.reshape(-1)
    else:
        combos, inv = np.zeros((1, 0), dtype=int), np.zeros(K, dtype=int)
    for g, combo in enumerate(combos):  # loop over level combinations, not replications
        rows = np.flatnonzero(inv == g)
        choice = dict(nominal)
        for f, c in zip(cats, combo, strict=True):
            choice[f] = levels[f][c]
        nz = noise[idx["weights"][rows]] if "weights" in idx else None
        if nz is None:
            S[rows] = run(choice, None)[0][None]
        else:
            S[rows] = run(choice, nz)
    ranks = _ranks(S)
    nominal_rank = _ranks(nom_scores[None])[0]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, med, hi = np.nanpercentile(ranks, [percentiles[0], 50.0, percentiles[1]], axis=0)
    rec = {}
    for f in factors:
        rec[f] = idx[f] if f == "weights" else np.array(levels[f], dtype=object)[idx[f]]
    samples = pd.DataFrame(rec)
    samples.index.name = "replication"
    sob, sob_units = None, None
    if design == "sobol":
        Yr = np.where(np.isnan(ranks), 0.0, ranks)
        S1, ST = sobol_indices(Yr.reshape(K, -1), D)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            s1m, stm = np.nanmean(S1, axis=1), np.nanmean(ST, axis=1)
            mars = np.nanmean(np.abs(ranks - nominal_rank[None]), axis=(1, 2))
        m1, mt = sobol_indices(mars[:, None], D)
        sob = pd.DataFrame({"S1_rank": s1m, "ST_rank": stm, "S1_mars": m1[:, 0],
                            "ST_mars": mt[:, 0]}, index=pd.Index(factors, name="assumption"))
        sob_units = (S1.reshape((D,) + nom_scores.shape), ST.reshape((D,) + nom_scores.shape))
    return UAResult(spec=spec, factors=factors, samples=samples, weight_noise=noise,
                    scores=S if keep_scores else None, ranks=ranks, nominal_rank=nominal_rank,
                    median_rank=med, rank_lo=lo, rank_hi=hi, sobol=sob, sobol_units=sob_units,
                    extra={"levels": levels, "design": design, "n_replications": K})

