"""Joint Wald test that all pre-period event-study coefficients are zero.

``W = b' V^{-1} b`` over the lead coefficients (``k <= -2``; ``k = -1`` is the reference), with
``V`` the cluster-robust covariance of the fitted model. Reported as ``chi2 = W`` on ``q`` degrees
of freedom and as ``F = W / q`` on ``(q, G - 1)`` degrees of freedom (``G`` clusters), the
cluster-robust convention of fixest/Stata; ``p`` is the F version (the more conservative).
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def wald_pretrend(fit, terms: dict[str, int], n_clusters: int) -> dict:
    """Joint test of the lead coefficients of an event-study fit (pyfixest Feols).

    ``terms`` maps coefficient names to relative time ``k``; those with ``k < -1`` are tested.
    """
    coef = fit.coef()
    names = list(coef.index)
    pre = [t for t, k in terms.items() if k is not None and k < -1 and t in names]
    if not pre:
        return {"q": 0, "chi2": np.nan, "p_chi2": np.nan, "F": np.nan, "df2": np.nan, "p": np.nan,
                "terms": []}
    idx = [names.index(t) for t in pre]
    b = coef.to_numpy()[idx]
    V = np.asarray(fit._vcov)[np.ix_(idx, idx)]  # pyfixest keeps the (clustered) vcov here
    W = float(b @ np.linalg.pinv(V) @ b)
    q = len(pre)
    df2 = max(int(n_clusters) - 1, 1)
    F = W / q
    return {
        "q": q,
        "chi2": W,
        "p_chi2": float(stats.chi2.sf(W, q)),
        "F": F,
        "df2": df2,
        "p": float(stats.f.sf(F, q, df2)),
        "terms": [terms[t] for t in pre],
    }
