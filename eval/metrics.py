"""Metric computation for evaluation reports: plain NumPy, no model code.

Every function takes ``violating`` (bool array: the post's true label is not
``benign``) and ``risk`` (the score, higher is more likely violating). Ranking
metrics are computed from per-score-group weight sums so that one code path
serves the point estimate (all weights 1) and a vectorised bootstrap (weights
are multinomial resample counts, many resamples at once). Undefined values
(e.g. AUC of data without violating posts) are ``None``, never an exception,
and every float is rounded to 4 decimals so the report, the JSON and the
printed summary quote identical numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

__all__ = [
    "bootstrap_ci",
    "calibration",
    "group_breakdown",
    "label_metrics",
    "pr_auc",
    "rates_at",
    "recall_at_fpr",
    "rnd",
    "roc_auc",
]

DIGITS = 4


def rnd(value: float | None) -> float | None:
    """Round a metric for reporting; ``None`` and NaN become ``None``."""
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), DIGITS)


def _groups(violating: np.ndarray, risk: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights of violating and benign posts per distinct risk value, highest risk first.

    ``weights`` has shape ``(b, n)``; the results have shape ``(b, g)`` for ``g``
    distinct risk values, so ties are handled once for all resamples.
    """
    order = np.argsort(-risk, kind="stable")
    ranked = risk[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    w = weights[:, order]
    pos = np.add.reduceat(w * violating[order], starts, axis=1)
    neg = np.add.reduceat(w * ~violating[order], starts, axis=1)
    return pos, neg


def _auc(pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    """ROC-AUC: chance a violating post outranks a benign one, ties count one half."""
    n_pos, n_neg = pos.sum(axis=1), neg.sum(axis=1)
    below = n_neg[:, None] - np.cumsum(neg, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (pos * (below + 0.5 * neg)).sum(axis=1) / (n_pos * n_neg)


def _ap(pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    """PR-AUC as average precision (the step-wise sum scikit-learn uses)."""
    tp, fp = np.cumsum(pos, axis=1), np.cumsum(neg, axis=1)
    precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=(tp + fp) > 0)
    n_pos, n_neg = pos.sum(axis=1), neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ap = (pos * precision).sum(axis=1) / n_pos
    return np.where(n_neg > 0, ap, np.nan)


_STATISTICS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {"roc_auc": _auc, "pr_auc": _ap}


def _point(statistic: str, violating: np.ndarray, risk: np.ndarray) -> float | None:
    violating, risk = np.asarray(violating, bool), np.asarray(risk, float)
    if len(risk) == 0:
        return None
    pos, neg = _groups(violating, risk, np.ones((1, len(risk))))
    return rnd(_STATISTICS[statistic](pos, neg)[0])


def roc_auc(violating: np.ndarray, risk: np.ndarray) -> float | None:
    """ROC-AUC of ``risk``; ``None`` unless both classes are present."""
    return _point("roc_auc", violating, risk)


def pr_auc(violating: np.ndarray, risk: np.ndarray) -> float | None:
    """PR-AUC (average precision) of ``risk``; ``None`` unless both classes are present."""
    return _point("pr_auc", violating, risk)


def bootstrap_ci(
    violating: np.ndarray,
    risk: np.ndarray,
    statistic: str,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    chunk: int = 100,
) -> list[float | None] | None:
    """Percentile bootstrap confidence interval ``[low, high]`` of ``"roc_auc"`` or ``"pr_auc"``.

    Resamples posts with replacement (multinomial counts from a seeded
    generator, ``chunk`` resamples per vectorised step); resamples lacking
    one class are dropped. ``None`` where the statistic itself is undefined,
    and with no resamples (``n_resamples < 1``) or no finite one.
    """
    violating, risk = np.asarray(violating, bool), np.asarray(risk, float)
    if n_resamples < 1 or _point(statistic, violating, risk) is None:
        return None
    rng = np.random.default_rng(seed)
    n = len(risk)
    values = []
    for start in range(0, n_resamples, chunk):
        weights = rng.multinomial(n, np.full(n, 1.0 / n), size=min(chunk, n_resamples - start)).astype(float)
        values.append(_STATISTICS[statistic](*_groups(violating, risk, weights)))
    draws = np.concatenate(values)
    draws = draws[np.isfinite(draws)]
    if not len(draws):
        return None
    tail = 100 * (1 - level) / 2
    return [rnd(np.percentile(draws, tail)), rnd(np.percentile(draws, 100 - tail))]


def rates_at(violating: np.ndarray, risk: np.ndarray, threshold: float) -> dict[str, Any]:
    """Recall, false-positive rate and precision when posts with ``risk >= threshold`` are flagged."""
    violating, flagged = np.asarray(violating, bool), np.asarray(risk) >= threshold
    return {
        "threshold": rnd(threshold),
        "flagged": int(flagged.sum()),
        "recall": rnd(flagged[violating].mean()) if violating.any() else None,
        "fpr": rnd(flagged[~violating].mean()) if (~violating).any() else None,
        "precision": rnd(violating[flagged].mean()) if flagged.any() else None,
    }


def recall_at_fpr(violating: np.ndarray, risk: np.ndarray, max_fpr: float) -> float | None:
    """Highest recall of any cut-off whose false-positive rate is at most ``max_fpr``.

    The cut-off sits just above the ``k+1``-th highest benign score, with
    ``k = floor(max_fpr * n_benign)``, so at most ``k`` benign posts are flagged.
    """
    violating, risk = np.asarray(violating, bool), np.asarray(risk, float)
    if not violating.any() or violating.all():
        return None
    negatives = np.sort(risk[~violating])[::-1]
    k = int(np.floor(max_fpr * len(negatives) + 1e-9))
    if k >= len(negatives):
        return 1.0
    return rnd((risk[violating] > negatives[k]).mean())


def calibration(violating: np.ndarray, risk: np.ndarray, n_bins: int = 10) -> dict[str, Any]:
    """Reliability curve over equal-width risk bins, expected calibration error and Brier score.

    ECE is the post-weighted mean gap between the mean risk and the share
    of violating posts in each non-empty bin.
    """
    violating, risk = np.asarray(violating, float), np.asarray(risk, float)
    if len(risk) == 0:
        return {"bins": [], "ece": None, "brier": None}
    index = np.minimum((risk * n_bins).astype(int), n_bins - 1)
    bins, ece = [], 0.0
    for b in range(n_bins):
        members = index == b
        count = int(members.sum())
        mean_risk = float(risk[members].mean()) if count else None
        observed = float(violating[members].mean()) if count else None
        if count:
            ece += count / len(risk) * abs(mean_risk - observed)
        bins.append(
            {
                "low": b / n_bins,
                "high": (b + 1) / n_bins,
                "n": count,
                "mean_risk": rnd(mean_risk),
                "frac_violating": rnd(observed),
            }
        )
    return {"bins": bins, "ece": rnd(ece), "brier": rnd(np.mean((risk - violating) ** 2))}


def label_metrics(true: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Per-label precision, recall and F1, macro-F1 over ``labels`` and the confusion matrix.

    Macro-F1 is ``None`` when the data holds a single label: the F1 of every
    absent label would count as 0 and say nothing about the model.
    """
    labels = list(labels)
    precision, recall, f1, support = precision_recall_fscore_support(true, predicted, labels=labels, zero_division=0)
    per_label = {
        lab: {"precision": rnd(p), "recall": rnd(r), "f1": rnd(f), "support": int(s)}
        for lab, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    single = len(set(true)) < 2
    return {
        "labels": labels,
        "per_label": per_label,
        "macro_f1": None if single else rnd(np.mean(f1)),
        "confusion": confusion_matrix(true, predicted, labels=labels).tolist(),
    }


def group_breakdown(
    groups: Sequence[str], violating: np.ndarray, risk: np.ndarray, threshold: float
) -> dict[str, dict[str, Any]]:
    """Per group (language, kind, ...): size, recall and FPR at ``threshold``, ROC-AUC where defined."""
    groups, violating, risk = np.asarray(groups), np.asarray(violating, bool), np.asarray(risk, float)
    out = {}
    for group in sorted(set(groups.tolist())):
        mask = groups == group
        rates = rates_at(violating[mask], risk[mask], threshold)
        out[group] = {
            "n": int(mask.sum()),
            "n_violating": int(violating[mask].sum()),
            "recall_review": rates["recall"],
            "fpr_review": rates["fpr"],
            "roc_auc": roc_auc(violating[mask], risk[mask]),
        }
    return out
