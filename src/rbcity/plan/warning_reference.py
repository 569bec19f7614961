"""预警的固定参照 The warning's fixed reference: every run scores cities against the goalposts of
one reference year (the plan's 2012 baseline, ``reference_year`` in config/warning.yaml) and
draws its level bands from that year's scores — so the levels of a 2010 run and a 2012 run
mean the same thing, and later improvement shows as fewer warnings.  The composite is
dimension-balanced (resource, economy, society, environment weighted by dimension, not by how
many indicators each has).  Also the warning's validity card: indicator coverage per city and
rank stability under perturbed dimension weights, against thresholds in the spec.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rbcity.methods.aggregate import aggregate_hierarchical, arithmetic
from rbcity.methods.spec import IndexSpec
from rbcity.methods.uncertainty import batch_scores
from rbcity.methods.weights import hierarchical
from rbcity.plan.validity import ValidityCard, verdict_by_rules


@dataclass
class ReferenceScores:
    scores: np.ndarray  #: (T, m) 0–1
    normalised: np.ndarray  #: (T, m, n) goalpost-normalised, benefit-oriented, censored
    reference_scores: np.ndarray  #: (m,) scores of the reference year
    weights: np.ndarray  #: (n,) effective indicator weights (dimension-balanced)
    coverage: np.ndarray  #: (T, m) share of indicators with a value


def goalposts_from(Xref: np.ndarray, direction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(best, worst) per indicator: the reference year's max/min (reversed for cost
    indicators); NaN where the reference year has no value or no spread."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanmin(Xref, axis=0), np.nanmax(Xref, axis=0)
    best, worst = np.where(direction > 0, hi, lo), np.where(direction > 0, lo, hi)
    flat = ~(np.abs(best - worst) > 0)
    return np.where(flat, np.nan, best), np.where(flat, np.nan, worst)


def normalise_to(X: np.ndarray, best: np.ndarray, worst: np.ndarray) -> np.ndarray:
    """``(x - worst) / (best - worst)`` censored to [0, 1]; NaN where x or the goalposts are."""
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (np.asarray(X, float) - worst) / (best - worst)
    return np.clip(r, 0.0, 1.0)


def effective_weights(ispec: IndexSpec, spec: dict) -> np.ndarray:
    """Indicator weights: equal within each dimension × the spec's dimension weights
    (``dimension_weights``, default equal); flat equal weights when indicators have no
    dimension."""
    n = len(ispec.names)
    dims = ispec.dimensions
    if dims is None:
        return np.full(n, 1.0 / n)
    dw = spec.get("dimension_weights")
    return np.asarray(hierarchical(np.full(n, 1.0 / n), dims, dw), float)


def _score(R: np.ndarray, ispec: IndexSpec, spec: dict, min_av: float) -> np.ndarray:
    dims = ispec.dimensions
    if dims is None:
        return arithmetic(R, np.full(R.shape[-1], 1.0 / R.shape[-1]), min_availability=min_av)
    dw = spec.get("dimension_weights")
    idx, _, _ = aggregate_hierarchical(R, np.full(R.shape[-1], 1.0 / R.shape[-1]), dims,
                                       dw, min_availability=min_av)
    return idx


def reference_scores(X: np.ndarray, Xref: np.ndarray, ispec: IndexSpec,
                     spec: dict) -> ReferenceScores:
    """Scores of ``X`` (T, m, n) against the goalposts of ``Xref`` (m, n)."""
    best, worst = goalposts_from(Xref, ispec.direction)
    min_av = float(spec["index"].get("min_availability", 0.6))
    R = normalise_to(X, best, worst)
    Rref = normalise_to(Xref, best, worst)
    return ReferenceScores(scores=_score(R, ispec, spec, min_av), normalised=R,
                           reference_scores=_score(Rref, ispec, spec, min_av),
                           weights=effective_weights(ispec, spec),
                           coverage=(~np.isnan(R)).mean(axis=-1))


def reference_bands(ref_scores: np.ndarray, spec: dict) -> list[float]:
    """Band edges ``μ + k·σ`` of the reference year's scores (0–100), one per ``relative_k``."""
    s = ref_scores[~np.isnan(ref_scores)]
    mu, sd = float(s.mean()), float(s.std())
    return [float(np.clip(mu + k * sd, 0, 100))
            for k in spec.get("relative_k", [1.0, 0.25, -0.25, -1.0])]


def rank_stability(R: np.ndarray, w: np.ndarray, *, draws: int, amplitude: float, seed: int,
                   dims=None, min_availability: float = 0.0) -> np.ndarray:
    """Spearman rank correlation between the scores with weights ``w`` and with ``draws``
    perturbed weights (each dimension's — or indicator's — weight × U(1 - a, 1 + a),
    renormalised), over the units scored in both.  ``R`` (m, n)."""
    rng = np.random.default_rng(seed)
    groups = np.arange(len(w)) if dims is None else \
        np.unique(np.asarray(dims), return_inverse=True)[1]
    mult = rng.uniform(1 - amplitude, 1 + amplitude, size=(draws, groups.max() + 1))[:, groups]
    W = np.vstack([w, w * mult])
    W = W / W.sum(axis=1, keepdims=True)
    S = batch_scores(R[None], W, "arithmetic", min_availability=min_availability)[:, 0, :]
    ok = ~np.isnan(S).any(axis=0)
    if ok.sum() < 3:
        return np.array([])
    rk = np.argsort(np.argsort(S[:, ok], axis=1), axis=1).astype(float)
    rk -= rk.mean(axis=1, keepdims=True)
    num = rk[1:] @ rk[0]
    return num / np.sqrt((rk[1:] ** 2).sum(axis=1) * (rk[0] ** 2).sum())


def warning_card(score, R, w, ispec: IndexSpec, spec: dict, coverage, ok, ref_info,
                 bands) -> ValidityCard:
    """The warning's validity card (rules in ``spec['validity']``)."""
    v = spec.get("validity") or {}
    st = v.get("stability") or {}
    n = int(np.sum(ok))
    cov = float(np.nanmean(coverage[ok])) if n else None
    if ref_info is None or not ref_info.get("n") or not n:
        why = ("参照年无得分或无城市得分" , "the reference year (or the assessed year) has no scores")
        return ValidityCard(
            engine="warning", verdict="not_valid",
            checked_against=("固定参照年的得分分布", "the score distribution of a fixed reference year"),
            metric=("秩稳定性", "rank stability"), figure=None,
            baseline=st.get("threshold"), baseline_name=("稳定性阈值", "stability threshold"),
            n=n, text=(f"{why[0]}：警级不可比较，不得使用。", f"{why[1]}: levels are not "
                       f"comparable and must not be used."), details={"reference": ref_info})
    rho = rank_stability(R[ok], w, draws=int(st.get("draws", 200)),
                         amplitude=float(st.get("amplitude", 0.5)), seed=int(st.get("seed", 0)),
                         dims=ispec.dimensions)
    fig = float(np.quantile(rho, 0.05)) if rho.size else None
    thr = float(st.get("threshold", 0.9))
    verdict = verdict_by_rules(fig, thr, {"valid_margin": 0.0})
    min_cov = float(v.get("min_coverage", 0.75))
    if verdict == "valid" and (cov is None or cov < min_cov):
        verdict = "indicative"
    if verdict == "not_valid":  # unstable ranks: still computed, but only indicative
        verdict = "indicative"
    ref = ref_info["year"]
    cov_txt = "n/a" if cov is None else f"{100 * cov:.0f}%"
    zh = (f"警级以{ref}年为固定参照（各年可比），按维度均衡加权；权重扰动±{st.get('amplitude', 0.5):.0%}"
          f"下排名稳定性（第5百分位斯皮尔曼系数）{fig if fig is None else round(fig, 3)}，阈值 {thr}；"
          f"城市平均指标覆盖率 {cov_txt}（下限 {min_cov:.0%}）。"
          "可用于筛选需关注的城市，未以实际危机事件检验，不是对城市的结论。")
    en = (f"Levels use {ref} as a fixed reference (comparable across years), dimension-balanced; "
          f"rank stability under ±{st.get('amplitude', 0.5):.0%} weight perturbation (5th-"
          f"percentile Spearman) {fig if fig is None else round(fig, 3)} vs threshold {thr}; "
          f"mean indicator coverage {cov_txt} (minimum {min_cov:.0%}). Use to screen cities for "
          "attention; not checked against observed crises, not a verdict on a city.")
    return ValidityCard(
        engine="warning", verdict=verdict,
        checked_against=(f"权重扰动下的排名稳定性；{ref}年固定参照；指标覆盖率",
                         f"rank stability under weight perturbation; fixed {ref} reference; "
                         f"indicator coverage"),
        metric=("秩稳定性（P5 斯皮尔曼）", "rank stability (P5 Spearman)"), figure=fig,
        baseline=thr, baseline_name=("稳定性阈值", "stability threshold"), n=n, text=(zh, en),
        details={"mean_coverage": cov, "min_coverage": min_cov, "reference": ref_info,
                 "bands": list(bands), "median_spearman": float(np.median(rho)) if rho.size
                 else None, "source": v.get("source")})
