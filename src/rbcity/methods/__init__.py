"""Pure numeric functions (no I/O, no plan knowledge): normalisation, weights, aggregation,
TOPSIS/VIKOR, coupling coordination, obstacle degree, trends, uncertainty and sensitivity.

Arrays are ``(T, m, n)`` = years × units × indicators (or ``(m, n)``), NaN = missing, direction
+1 benefit / -1 cost.  Engines normally call :func:`composite_index` with an :class:`IndexSpec`.
"""

from . import aggregate, coupling, mcda, normalise, obstacle, trend, uncertainty, weights
from .coupling import c_stage, coupling_coordination, d_grade, lagging
from .mcda import topsis, vikor
from .obstacle import obstacle_degree
from .panel import array_to_panel, panel_to_array
from .spec import IndexResult, IndexSpec, Indicator, composite_index
from .uncertainty import monte_carlo

__all__ = [
    "aggregate",
    "array_to_panel",
    "c_stage",
    "composite_index",
    "coupling",
    "coupling_coordination",
    "d_grade",
    "Indicator",
    "IndexResult",
    "IndexSpec",
    "lagging",
    "mcda",
    "monte_carlo",
    "normalise",
    "obstacle",
    "obstacle_degree",
    "panel_to_array",
    "topsis",
    "trend",
    "uncertainty",
    "vikor",
    "weights",
]
