"""Cross-validated agreement of a type classifier with reference labels (pure, no I/O).

Used to measure how well a classification reproduces the 2013 official types: stratified
k-fold out-of-fold predictions, accuracy against the majority-class baseline and balanced
accuracy (mean recall over classes) against chance (1 / number of classes).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["stratified_folds", "out_of_fold", "scores"]


def stratified_folds(y, k: int, seed: int = 0) -> np.ndarray:
    """Fold id (0..k-1) per row, each class spread evenly over the folds (shuffled with
    ``seed``).  Raises ``ValueError`` when the smallest class has fewer than ``k`` rows."""
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(y, dtype=object).astype(str)
    _, counts = np.unique(y, return_counts=True)
    if counts.min() < k:
        raise ValueError(f"smallest class has {counts.min()} rows, fewer than {k} folds")
    out = np.empty(len(y), dtype=int)
    skf = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    for f, (_, test) in enumerate(skf.split(np.zeros(len(y)), y)):
        out[test] = f
    return out


def out_of_fold(fit_predict: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
                X: np.ndarray, y, folds: np.ndarray) -> np.ndarray:
    """Out-of-fold predictions: ``fit_predict(X_train, y_train, X_test)`` per fold."""
    y = np.asarray(y, dtype=object)
    pred = np.empty(len(y), dtype=object)
    for f in np.unique(folds):
        te = folds == f
        pred[te] = fit_predict(X[~te], y[~te], X[te])
    return pred


def scores(pred, truth, classes) -> dict:
    """accuracy, majority baseline, balanced accuracy, chance, per-class recall (rows where
    either side is empty are left out)."""
    pred, truth = np.asarray(pred, object), np.asarray(truth, object)
    ok = (pred != "") & (truth != "") & (pred != None) & (truth != None)  # noqa: E711
    p, t = pred[ok], truth[ok]
    present = [c for c in classes if (t == c).any()]
    recall = {c: float((p[t == c] == c).mean()) if (t == c).any() else float("nan")
              for c in classes}
    n = int(ok.sum())
    maj = max(present, key=lambda c: (t == c).sum()) if present else None
    return {
        "majority_class": maj,
        "n": n,
        "accuracy": float((p == t).mean()) if n else float("nan"),
        "majority_baseline": max((t == c).sum() for c in present) / n if n else float("nan"),
        "balanced_accuracy": float(np.mean([recall[c] for c in present])) if present
        else float("nan"),
        "chance": 1.0 / len(present) if present else float("nan"),
        "per_type_recall": recall,
    }
