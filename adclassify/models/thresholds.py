"""The rule that turns validation scores into the review and action cut-offs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["pick_thresholds", "threshold_rules"]


def pick_thresholds(
    risk: np.ndarray,
    violating: np.ndarray,
    recall: float = 0.95,
    precision: float = 0.98,
    prevalence: float | None = None,
) -> dict[str, float]:
    """Review and action cut-offs from validation risks.

    ``review`` is the highest cut-off whose recall is at least ``recall``;
    ``action`` is the lowest cut-off whose precision is at least ``precision``,
    scanning down from the top and stopping at the first cut-off that misses
    it with more than 50 posts flagged (so a lucky dip deep in the ranking
    does not count). ``action`` is never below ``review``.

    Precision depends on how common violating posts are. With ``prevalence``
    (the share of violating posts where the model runs), precision is
    computed as if the validation split had that share: benign posts are
    reweighted, ``p * TPR / (p * TPR + (1 - p) * FPR)``. A generated
    validation split is far richer in violations than a real feed, so its
    own precision overstates the precision of automated action there.
    ``None`` uses the split as it is.

    Cut-offs are rounded down to six decimals: the post that sets one stays
    at or above it (rounding to nearest could lift a cut-off over that post
    and miss the recall it was picked for).

    Examples
    --------
    >>> pick_thresholds(np.array([0.9, 0.8, 0.7, 0.2]), np.array([True, True, True, False]))
    {'review': 0.7, 'action': 0.7}
    >>> risk = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.1])
    >>> pick_thresholds(risk, np.array([True, True, False, True, True, False]), precision=0.7)
    {'review': 0.5, 'action': 0.5}
    >>> pick_thresholds(risk, np.array([True, True, False, True, True, False]), precision=0.7, prevalence=0.1)
    {'review': 0.5, 'action': 0.8}
    """
    risk, violating = np.asarray(risk, dtype=float), np.asarray(violating, dtype=bool)
    if not len(risk):
        return {"review": 0.5, "action": 1.0}
    positives = np.sort(risk[violating])[::-1]
    review = float(positives[max(int(np.ceil(recall * len(positives))) - 1, 0)]) if len(positives) else 0.5
    cuts = np.unique(risk)[::-1]
    flagged = np.searchsorted(np.sort(-risk), -cuts, side="right")
    hits = np.searchsorted(np.sort(-risk[violating]), -cuts, side="right")
    false = flagged - hits
    if prevalence is not None and hits[-1] and false[-1]:
        hits, false = prevalence * hits / hits[-1], (1 - prevalence) * false / false[-1]
    ok = hits / (hits + false) >= precision
    failed = np.flatnonzero(~ok & (flagged > 50))
    ok[failed[0] if len(failed) else len(ok) :] = False
    action = float(cuts[np.flatnonzero(ok)[-1]]) if ok.any() else 1.0
    return {"review": _floor6(review), "action": _floor6(max(action, review))}


def _floor6(value: float) -> float:
    return math.floor(value * 1e6) / 1e6


def threshold_rules(metadata: dict[str, Any]) -> dict[str, Any]:
    """The rules a model's cut-offs were picked with, from its metadata.

    The training config's ``[thresholds]`` table (``review_recall``,
    ``action_precision``, ``action_prevalence``...), as saved with the model;
    empty for a model whose metadata does not record it.

    Examples
    --------
    >>> threshold_rules({"config": {"thresholds": {"review_recall": 0.95, "action_prevalence": 0.01}}})
    {'review_recall': 0.95, 'action_prevalence': 0.01}
    >>> threshold_rules({"thresholds": {"review": 0.2, "action": 0.9}})
    {}
    """
    return dict(metadata.get("config", {}).get("thresholds") or {})
