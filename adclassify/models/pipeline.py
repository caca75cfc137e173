"""The scoring pipeline: normaliser, feature union, calibrated linear model."""

from __future__ import annotations

from typing import Any

from sklearn.pipeline import FeatureUnion, Pipeline

from adclassify.features import HashedNgramVectorizer, IndicatorVectorizer, TextNormalizer
from adclassify.models.linear import CalibratedLinearClassifier

__all__ = ["build_pipeline"]


def build_pipeline(params: dict[str, Any] | None = None) -> Pipeline:
    """Build an unfitted pipeline.

    Parameters
    ----------
    params : dict, optional
        Keys ``ngrams``, ``indicators`` and ``classifier`` hold keyword
        arguments of :class:`HashedNgramVectorizer`, :class:`IndicatorVectorizer`
        and :class:`CalibratedLinearClassifier`; ``indicator_weight`` scales
        the indicator block relative to the n-gram block.

    Examples
    --------
    >>> pipe = build_pipeline({"ngrams": {"n_features": 2**12}})
    >>> [name for name, _ in pipe.steps]
    ['normalize', 'features', 'classifier']
    """
    params = dict(params or {})
    ngrams = {k: tuple(v) if isinstance(v, list) else v for k, v in params.get("ngrams", {}).items()}
    features = FeatureUnion(
        [
            ("ngrams", HashedNgramVectorizer(**ngrams)),
            ("indicators", IndicatorVectorizer(**params.get("indicators", {}))),
        ],
        transformer_weights={"ngrams": 1.0, "indicators": float(params.get("indicator_weight", 1.0))},
    )
    return Pipeline(
        [
            ("normalize", TextNormalizer()),
            ("features", features),
            ("classifier", CalibratedLinearClassifier(**params.get("classifier", {}))),
        ]
    )
