"""The scoring pipeline: normaliser, feature union, calibrated linear model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.pipeline import FeatureUnion, Pipeline

from adclassify.features import HashedNgramVectorizer, IndicatorVectorizer, TextNormalizer
from adclassify.models.linear import CalibratedLinearClassifier, average_classifiers

#: The steps of every model pipeline, by name; loading refuses any other.
STEPS = ("normalize", "features", "classifier")

__all__ = ["average_pipelines", "build_pipeline"]


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
    classifier = CalibratedLinearClassifier(**params.get("classifier", {}))
    return Pipeline(list(zip(STEPS, (TextNormalizer(), features, classifier), strict=True)))


def average_pipelines(pipelines: Sequence[Pipeline]) -> Pipeline:
    """One pipeline that scores with the mean logits of fitted pipelines.

    The pipelines must share their feature steps (the same parameters and
    lexicon, hence the same feature names); their classifiers are averaged
    with :func:`~adclassify.models.linear.average_classifiers`. Training
    uses it to combine models fitted on independent draws of the corpus.

    Examples
    --------
    >>> texts = ["boat to italy, whatsapp", "happy birthday"] * 10
    >>> labels = ["smuggling_offer", "benign"] * 10
    >>> pipes = [build_pipeline({"ngrams": {"n_features": 2**10}, "classifier": {"C": c}}).fit(texts, labels)
    ...          for c in (1.0, 4.0)]
    >>> average_pipelines(pipes).predict(["boat to italy"]).tolist()
    ['smuggling_offer']
    """
    if not pipelines:
        raise ValueError("no pipelines to average")
    first = pipelines[0]
    names = first[:-1].get_feature_names_out()
    for pipe in pipelines[1:]:
        if not np.array_equal(pipe[:-1].get_feature_names_out(), names):
            raise ValueError("the pipelines have different feature steps")
    return Pipeline([*first.steps[:-1], (first.steps[-1][0], average_classifiers([p[-1] for p in pipelines]))])
