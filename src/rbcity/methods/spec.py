"""A small serialisable index specification and the one function engines call.

``composite_index(panel, spec)`` runs: imputation → availability → normalisation → weights
(→ hierarchical) → aggregation, and returns a score per unit-year (higher = better).  Every
convention lives in :class:`IndexSpec` so a run can be stored (``to_dict``/``to_json``) and
re-run, and so :mod:`rbcity.methods.uncertainty` can vary it (the COINr "coin" idea, anchors.md §1).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from . import aggregate as agg
from . import mcda, normalise, weights
from .panel import array_to_panel, panel_to_array

__all__ = [
    "Indicator",
    "IndexSpec",
    "IndexResult",
    "composite_index",
    "AGGREGATIONS",
]

AGGREGATIONS = ("arithmetic", "geometric", "topsis", "vikor")


@dataclass(frozen=True)
class Indicator:
    """One indicator: ``direction`` +1 benefit / -1 cost; ``weight`` used when
    ``IndexSpec.weighting == "user"``; ``dimension`` for the hierarchy; ``target`` = goalpost
    optimum (score 100/1) for ``normalisation="goalposts"`` (None → mean of the top 5)."""

    name: str
    direction: int = 1
    weight: float | None = None
    dimension: str | None = None
    target: float | None = None

    def __post_init__(self):
        if self.direction not in (1, -1):
            raise ValueError(f"indicator {self.name!r}: direction must be +1 or -1")


@dataclass(frozen=True)
class IndexSpec:
    """Declarative spec of a composite index (all fields JSON-serialisable).

    * ``normalisation``: one of :data:`rbcity.methods.normalise.METHODS`; ``pooled`` = column
      statistics over all unit-years (True, default) or per year; ``normalisation_options`` are
      passed on when the method is the spec's own (e.g. ``{"scale": [0.002, 0.996]}``).
    * ``weighting``: ``equal`` | ``entropy`` | ``critic`` | ``std`` | ``user`` (indicator
      weights); ``weighting_pooled``: one vector for the panel (True) or one per year;
      ``entropy_shift``: see :func:`rbcity.methods.weights.entropy`.
    * ``dimension_weights``: None = flat; ``"equal"`` or a mapping dimension → weight = the
      hierarchical weights of :func:`rbcity.methods.weights.hierarchical` (indicator weights
      rescaled within each dimension × dimension weight).  The index then aggregates all
      indicators with these effective weights — identical to aggregating indicator → dimension
      → index arithmetically when no value is missing; dimension scores are reported in
      ``IndexResult.dimension_scores`` (e.g. the subsystem scores U for coupling).
    * ``aggregation``: ``arithmetic`` | ``geometric`` | ``topsis`` | ``vikor`` (VIKOR's Q is
      reported as ``1 - Q`` so that higher = better); ``ideal_pooled``: fixed TOPSIS/VIKOR
      ideal over all years (comparable across years) vs per-year ideal (pymcdm).
    * ``imputation``: ``none`` | ``interpolate`` | ``group_median``;
      ``min_availability``: minimum share of non-missing indicators (after imputation) for a
      unit-year to get a score (0.8 = "no score with more than 20 % missing").
    """

    indicators: tuple[Indicator, ...]
    normalisation: str = "minmax"
    pooled: bool = True
    normalisation_options: dict = field(default_factory=dict)
    weighting: str = "entropy"
    weighting_pooled: bool = True
    entropy_shift: float = 0.0
    dimension_weights: str | dict | None = None
    aggregation: str = "arithmetic"
    ideal_pooled: bool = False
    imputation: str = "none"
    min_availability: float = 0.8

    def __post_init__(self):
        object.__setattr__(self, "indicators", tuple(
            i if isinstance(i, Indicator) else Indicator(**i) for i in self.indicators))
        if not self.indicators:
            raise ValueError("an index needs at least one indicator")
        names = self.names
        if len(set(names)) != len(names):
            raise ValueError("indicator names must be unique")
        if self.normalisation not in normalise.METHODS:
            raise ValueError(f"unknown normalisation {self.normalisation!r}")
        if self.weighting not in weights.METHODS:
            raise ValueError(f"unknown weighting {self.weighting!r}")
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(f"unknown aggregation {self.aggregation!r}")
        if self.imputation not in agg.IMPUTATIONS:
            raise ValueError(f"unknown imputation {self.imputation!r}")
        if not 0.0 <= self.min_availability <= 1.0:
            raise ValueError("min_availability must be in [0, 1]")
        if self.weighting == "user" and any(i.weight is None for i in self.indicators):
            raise ValueError("weighting='user' needs a weight on every indicator")
        if self.dimension_weights is not None and any(
            i.dimension is None for i in self.indicators
        ):
            raise ValueError("hierarchical weights need a dimension on every indicator")

    @property
    def names(self) -> list[str]:
        return [i.name for i in self.indicators]

    @property
    def direction(self) -> np.ndarray:
        return np.array([i.direction for i in self.indicators], dtype=float)

    @property
    def dimensions(self) -> list | None:
        dims = [i.dimension for i in self.indicators]
        return None if any(d is None for d in dims) else dims

    def with_(self, **changes) -> IndexSpec:
        """A copy with some fields changed (used by the uncertainty analysis)."""
        return replace(self, **changes)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["indicators"] = [asdict(i) for i in self.indicators]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> IndexSpec:
        d = dict(d)
        d["indicators"] = tuple(Indicator(**i) for i in d["indicators"])
        return cls(**d)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, s: str) -> IndexSpec:
        return cls.from_dict(json.loads(s))


@dataclass(frozen=True)
class IndexResult:
    scores: np.ndarray  #: (T, m), NaN where the unit-year has too little data
    weights: np.ndarray  #: effective indicator weights, (n,) or (T, n)
    normalised: np.ndarray  #: (T, m, n) normalised, benefit-oriented values
    availability: np.ndarray  #: (T, m) share of non-missing indicators after imputation
    dimension_scores: np.ndarray | None  #: (T, m, K) arithmetic dimension scores, if dimensions
    dimensions: list | None


def _normalised(X, spec: IndexSpec, method: str | None = None) -> np.ndarray:
    method = method or spec.normalisation
    opts = dict(spec.normalisation_options) if method == spec.normalisation else {}
    if "scale" in opts:
        opts["scale"] = tuple(opts["scale"])
    if method == "goalposts":
        opts.setdefault("target", np.array(
            [np.nan if i.target is None else i.target for i in spec.indicators]))
    if method not in ("none",):
        opts.setdefault("pooled", spec.pooled)
    return normalise.normalise(X, method, spec.direction, **opts)


def _weights(R, spec: IndexSpec, method: str | None = None) -> np.ndarray:
    method = method or spec.weighting
    n = R.shape[-1]
    if method == "equal":
        w = weights.equal(n)
    elif method == "user":
        w = weights.user([i.weight for i in spec.indicators])
    elif method == "entropy":
        w = weights.entropy(R, pooled=spec.weighting_pooled, shift=spec.entropy_shift)
    elif method == "critic":
        w = weights.critic(R, pooled=spec.weighting_pooled)
    elif method == "std":
        w = weights.std(R, pooled=spec.weighting_pooled)
    else:  # pragma: no cover - validated in IndexSpec
        raise ValueError(method)
    if spec.dimension_weights is not None:
        dw = None if spec.dimension_weights == "equal" else spec.dimension_weights
        w = weights.hierarchical(w, spec.dimensions, dw)
    return w


def _aggregate(R, w, spec: IndexSpec, method: str | None = None) -> np.ndarray:
    method = method or spec.aggregation
    if method in ("arithmetic", "geometric"):
        return agg.aggregate(R, w, method, min_availability=spec.min_availability)
    if method == "topsis":
        s = mcda.topsis(R, w, pooled=spec.ideal_pooled)
    elif method == "vikor":
        s = 1.0 - mcda.vikor(R, w, pooled=spec.ideal_pooled)
    else:
        raise ValueError(f"unknown aggregation {method!r}")
    ok = agg.availability(R) >= spec.min_availability - 1e-12
    return np.where(ok, s, np.nan)


def composite_index(panel, spec: IndexSpec, *, groups=None, details: bool = False,
                    weight_multipliers=None):
    """Run the whole chain of ``spec`` on ``panel`` and return one score per unit-year.

    ``panel``: a wide DataFrame indexed by (unit, year) with the spec's indicator columns
    (→ returns a Series indexed like the panel's (unit, year) product), or an array
    ``(T, m, n)`` / ``(m, n)`` in the spec's indicator order (→ array ``(T, m)`` / ``(m,)``).
    ``groups``: unit labels for ``imputation="group_median"`` (DataFrame input: a mapping or
    Series unit → group).  ``details=True`` returns an :class:`IndexResult` instead (arrays).
    ``weight_multipliers`` (n,): multiply the effective weights and renormalise (this is how a
    Monte Carlo replication perturbs them, see :meth:`~rbcity.methods.uncertainty.UAResult.spec_of`).

    Order (JRC/OECD handbook steps 3, 5, 6): impute → normalise → weight → aggregate; weights are
    learnt from the normalised panel; the availability rule (``min_availability``) counts the
    non-missing *normalised* values of the imputed data (a column that a normalisation cannot
    score, e.g. goalposts with best = worst, counts as missing).
    """
    frame = isinstance(panel, pd.DataFrame)
    if frame:
        X, years, units, _ = panel_to_array(panel, spec.names)
        if groups is not None and not isinstance(groups, np.ndarray | list):
            groups = np.array([pd.Series(groups).get(u) for u in units], dtype=object)
    else:
        X = np.asarray(panel, dtype=float)
        if X.shape[-1] != len(spec.indicators):
            raise ValueError(f"panel has {X.shape[-1]} indicators, spec has {len(spec.indicators)}")
    squeeze = X.ndim == 2
    if squeeze:
        X = X[None]
    Xi = agg.impute(X, spec.imputation, groups=groups)
    R = _normalised(Xi, spec)
    w = _weights(R, spec)
    if weight_multipliers is not None:
        w = w * np.asarray(weight_multipliers, dtype=float)
        w = w / w.sum(axis=-1, keepdims=True)
    s = _aggregate(R, w, spec)
    if details:
        dims = spec.dimensions
        dscores = None
        if dims is not None:
            _, dscores, dims = agg.aggregate_hierarchical(
                R, w, dims, min_availability=spec.min_availability)
        res = IndexResult(scores=s[0] if squeeze else s, weights=w, normalised=R,
                          availability=agg.availability(R), dimension_scores=dscores,
                          dimensions=dims)
        return res
    if frame:
        out = array_to_panel(s, years, units, name="score")
        return out
    return s[0] if squeeze else s
