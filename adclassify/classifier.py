"""The public classifier: one object that scores posts and explains scores."""

from __future__ import annotations

import gc
import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.pipeline import Pipeline

from adclassify.evidence import Evidence, extract_many, lexicon_hits, lexicon_rows, summarize
from adclassify.features import HashedNgramVectorizer, IndicatorVectorizer, check_texts, hash_prepare_map
from adclassify.lexicon import Hit
from adclassify.models.linear import CalibratedLinearClassifier
from adclassify.models.persist import ModelError, canary_scores, load_pipeline
from adclassify.normalize import normalize, normalize_many

__all__ = ["Classifier", "load_model", "MAX_CHARS"]

#: Posts longer than this are scored in windows of this many characters and
#: get the probabilities of their riskiest window; evidence always covers the
#: whole post.
MAX_CHARS = 4000


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch builds its many small objects.

    A batch allocates tens of thousands of short-lived containers (hits,
    evidence, records); each burst of allocations would otherwise trigger
    collections that walk every object of the process, a fifth of the cost of
    :meth:`Classifier.score`. No cycles are created, so nothing is left behind
    for the collector, and a caller's own ``gc.disable()`` is respected.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _windows(text: str) -> list[str]:
    return [text[i : i + MAX_CHARS] for i in range(0, len(text), MAX_CHARS)]


class Classifier:
    """A fitted adclassify model.

    Get one with :func:`load_model`; wrap a freshly trained pipeline with
    ``Classifier(pipeline, metadata)``.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        Fitted pipeline whose last step has ``classes_`` with ``benign`` first.
    metadata : dict
        Model metadata; ``thresholds`` holds the ``review`` and ``action``
        risk cut-offs. With ``require_evidence`` true, a post whose indicator
        column ``no_evidence`` is set scores ``benign`` with probability 1.

    Examples
    --------
    >>> import adclassify
    >>> clf = adclassify.load_model()
    >>> clf.labels[0]
    'benign'
    >>> float(clf.risk(["Happy birthday grandma!"])[0]) < clf.thresholds["review"]
    True
    """

    def __init__(self, pipeline: Pipeline, metadata: dict[str, Any], source: Path | None = None) -> None:
        self.pipeline = pipeline
        self.metadata = metadata
        self.source = source  # the model directory, when loaded from one
        self.labels: tuple[str, ...] = tuple(str(c) for c in pipeline.classes_)
        if self.labels[0] != "benign":
            raise ValueError(f"the first class must be 'benign', got {self.labels[0]!r}")
        thresholds = metadata.get("thresholds", {"review": 0.5, "action": 0.9})
        self.thresholds: dict[str, float] = {k: float(thresholds[k]) for k in ("review", "action")}
        self._gate = self._evidence_column() if metadata.get("require_evidence") else None

    def _evidence_column(self) -> tuple[str, int]:
        """The indicator step's name and its ``no_evidence`` column, for models that require evidence."""
        for name, transformer in self.pipeline.named_steps["features"].transformer_list:
            if isinstance(transformer, IndicatorVectorizer):
                names = np.asarray(transformer.feature_names_).tolist()
                if "no_evidence" in names:
                    return name, names.index("no_evidence")
        raise ModelError("the metadata requires evidence, but the model has no 'no_evidence' indicator column")

    def __repr__(self) -> str:
        return f"Classifier(name={self.metadata.get('name')!r}, version={self.metadata.get('version')!r})"

    # -- scoring -------------------------------------------------------------
    def _proba(
        self, texts: list[str], normalized: list[str] | None = None, hits: list[list[Hit]] | None = None
    ) -> np.ndarray:
        """Probabilities of a batch.

        ``normalized`` is the normalised text of each post and ``hits`` its
        lexicon hits (:func:`~adclassify.evidence.lexicon_hits`), when known.
        """
        out = np.zeros((len(texts), len(self.labels)))
        out[:, 0] = 1.0
        live = [i for i, t in enumerate(texts) if t.strip()]
        short = [i for i in live if len(texts[i]) <= MAX_CHARS]
        if short:
            if normalized is None:
                out[short] = self._pipeline_proba([texts[i] for i in short])
            else:
                found = [hits[i] for i in short] if hits is not None else None
                out[short] = self._pipeline_proba([normalized[i] for i in short], normalized=True, hits=found)
        for i in live:
            if len(texts[i]) > MAX_CHARS:
                out[i] = self._scored_window(texts[i])[1]
                if self._gate:  # evidence is looked for in the whole post: a window boundary can cut a term
                    prepare = self.pipeline.named_steps["normalize"].transform
                    whole = normalized[i : i + 1] if normalized is not None else prepare(texts[i : i + 1])
                    if self._without_evidence(whole)[0]:
                        out[i] = self._benign
        return out

    def _scored_window(self, text: str) -> tuple[str, np.ndarray]:
        """The window of a long post that its score comes from (the least benign), with its probabilities."""
        windows = _windows(text)
        probs = self._pipeline_proba(windows, gate=False)
        best = int(np.argmin(probs[:, 0]))
        return windows[best], probs[best]

    def _pipeline_proba(
        self, texts: list[str], *, normalized: bool = False, hits: list[list[Hit]] | None = None, gate: bool = True
    ) -> np.ndarray:
        """``pipeline.predict_proba`` without the orchestration overhead of a call.

        The same operations as scikit-learn's Pipeline and FeatureUnion
        (transform, weight), at a fraction of the per-call cost that
        dominates single-post latency. A :class:`CalibratedLinearClassifier`
        sums the logits of the feature blocks instead of joining them (equal
        up to float32 rounding); another classifier gets the joined matrix.
        With ``normalized``, ``texts`` are already the normaliser's output
        (:func:`~adclassify.normalize.normalize` gives the same text as the
        pipeline's step), and that step is skipped. ``hits`` are the lexicon
        hits of ``texts``; the indicator step counts them instead of scanning
        again when it was fitted with the same lexicon rows. With ``gate``, the
        evidence rule applies to each text (when the model has it).
        """
        steps = self.pipeline.named_steps
        union = steps["features"]
        norm = texts if normalized else steps["normalize"].transform(texts)
        gate = gate and self._gate is not None
        if union.n_jobs not in (None, 1):
            proba = self.pipeline[1:].predict_proba(norm)
            if gate:
                proba[self._without_evidence(norm)] = self._benign
            return proba
        weights = union.transformer_weights or {}
        blocks = []
        unseen = None
        for name, transformer in union.transformer_list:
            if hits is not None and transformer is self._shared_indicators:
                parts = [transformer.count(norm, hits)]
            elif isinstance(transformer, HashedNgramVectorizer):
                parts = transformer.transform_blocks(norm)
            else:
                parts = [transformer.transform(norm)]
            if gate and name == self._gate[0]:
                unseen = self._unseen(parts[0])
            weight = weights.get(name)
            blocks += parts if weight in (None, 1) else [part * weight for part in parts]
        model = steps["classifier"]
        if isinstance(model, CalibratedLinearClassifier):  # joining the blocks would copy every feature
            proba = model.predict_proba(blocks)
        else:
            proba = model.predict_proba(sp.hstack(blocks).tocsr())
        if unseen is not None:
            proba[unseen] = self._benign
        return proba

    def _unseen(self, indicators: sp.spmatrix) -> np.ndarray:
        """Rows of an (unweighted) indicator block without evidence: its ``no_evidence`` column is set."""
        return indicators[:, self._gate[1]].toarray().ravel() > 0

    def _without_evidence(self, normalized: list[str]) -> np.ndarray:
        """Which normalised posts have no evidence, by the model's own indicator step."""
        indicators = self.pipeline.named_steps["features"].named_transformers[self._gate[0]]
        return self._unseen(indicators.transform(normalized))

    @cached_property
    def _benign(self) -> np.ndarray:
        """The probabilities of a post without evidence, when the model requires evidence: benign, surely."""
        return np.eye(len(self.labels))[0]

    def predict_proba(self, texts: Sequence[str], *, n_jobs: int = 1, batch_size: int = 2048) -> np.ndarray:
        """Probabilities of each label, shape ``(n, len(labels))``; rows sum to 1.

        ``None``, NaN, empty and blank posts get ``benign`` with probability 1.
        A bare ``str`` or a non-str item raises ``TypeError``.
        Scores do not depend on ``n_jobs`` or ``batch_size``.
        """
        posts = check_texts(texts)
        if not posts:
            return np.zeros((0, len(self.labels)))
        parts = self._map("_proba", posts, n_jobs, batch_size)
        return np.vstack(parts)

    def _map(self, method: str, posts: list[str], n_jobs: int, batch_size: int) -> list[Any]:
        """Run ``method`` over batches of posts, in worker processes when ``n_jobs != 1``.

        Workers load the model once from its directory (when it has one)
        instead of receiving a pickled copy with every batch.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if not posts:
            return []
        workers = n_jobs if n_jobs > 0 else max(os.cpu_count() or 1, 1)
        if workers > 1:
            batch_size = min(batch_size, -(-len(posts) // workers))
        batches = [posts[i : i + batch_size] for i in range(0, len(posts), batch_size)]
        if workers == 1 or len(batches) == 1:
            return [getattr(self, method)(b) for b in batches]
        source = str(self.source) if self.source is not None else self
        return Parallel(n_jobs=workers)(delayed(_run)(source, method, b) for b in batches)

    def risk(self, texts: Sequence[str], **kwargs: Any) -> np.ndarray:
        """Probability that each post is any violating label."""
        return 1.0 - self.predict_proba(texts, **kwargs)[:, 0]

    def predict(self, texts: Sequence[str], **kwargs: Any) -> list[str]:
        """The most likely label of each post."""
        proba = self.predict_proba(texts, **kwargs)
        return [self.labels[j] for j in np.argmax(proba, axis=1)]

    def flag(self, risk: float) -> str | None:
        """``"action"``, ``"review"`` or ``None`` for a risk value."""
        if risk >= self.thresholds["action"]:
            return "action"
        if risk >= self.thresholds["review"]:
            return "review"
        return None

    def score(self, texts: Sequence[str], *, n_jobs: int = 1, batch_size: int = 2048) -> list[dict[str, Any]]:
        """One result record per post.

        Each record has ``risk``, ``label``, ``flagged`` (``"action"``,
        ``"review"`` or ``None``), ``probabilities`` (label -> probability),
        ``evidence`` (a list of dicts with ``kind``, ``text``, ``start``,
        ``end``, ``value``) and ``summary`` (the evidence as one short line).
        """
        posts = check_texts(texts)
        return [record for part in self._map("_records", posts, n_jobs, batch_size) for record in part]

    def score_batches(self, batches: Iterable[Sequence[str]], *, n_jobs: int = 1) -> Iterator[list[dict[str, Any]]]:
        """:meth:`score` each batch of a stream, yielding the records of each batch in order.

        With ``n_jobs != 1``, worker processes score the next batches while
        the caller handles the current one, so reading and writing overlap
        scoring (the CLI's ``--jobs``). At most ``2 * n_jobs`` batches are in
        flight, so memory stays bounded whatever the stream's length.
        """
        return self._stream("_records", batches, n_jobs)

    def _stream(self, method: str, batches: Iterable[Sequence[str]], n_jobs: int) -> Iterator[Any]:
        """``method`` on each batch of a stream, in order, in workers when ``n_jobs != 1``."""
        workers = n_jobs if n_jobs > 0 else max(os.cpu_count() or 1, 1)
        if workers == 1:
            for batch in batches:
                yield getattr(self, method)(check_texts(batch))
            return
        source = str(self.source) if self.source is not None else self
        tasks = (delayed(_run)(source, method, check_texts(batch)) for batch in batches)
        yield from Parallel(n_jobs=workers, return_as="generator", pre_dispatch="2 * n_jobs")(tasks)

    @cached_property
    def _shared_indicators(self) -> IndicatorVectorizer | None:
        """The model's indicator step, if it matches exactly the evidence's lexicon rows.

        Then :meth:`score` scans each post once for both (see ``count``).
        """
        for _, transformer in self.pipeline.named_steps["features"].transformer_list:
            if isinstance(transformer, IndicatorVectorizer):
                rows = set(transformer.rows())
                wanted = {r for r in lexicon_rows() if r[0] not in transformer.exclude}
                return transformer if rows == wanted else None
        return None

    def _records(self, posts: list[str]) -> list[dict[str, Any]]:
        with _paused_gc():
            return [
                {
                    "risk": risk,
                    "label": label,
                    "flagged": flagged,
                    "probabilities": dict(zip(self.labels, row, strict=True)),
                    "evidence": [e.to_dict() for e in found],
                    "summary": summarize(found),
                }
                for risk, label, flagged, row, found in self._scored(posts)
            ]

    def _summaries(self, posts: list[str]) -> list[tuple[float, str, str | None, tuple[float, ...], str]]:
        """Per post: risk, label, flagged, probabilities in label order and the evidence summary.

        What the CLI writes: a fifth of a record's pickled size and a
        twentieth of its unpickling time, which matters when workers send
        results back.
        """
        with _paused_gc():
            return [
                (risk, label, flagged, tuple(row), summarize(found))
                for risk, label, flagged, row, found in self._scored(posts)
            ]

    def _scored(self, posts: list[str]) -> list[tuple[float, str, str | None, list[float], list[Evidence]]]:
        """Per post: risk, label, flag, probabilities and evidence, from one normalisation and one lexicon scan."""
        norms = normalize_many(posts)
        texts = [n.text for n in norms]
        hits = lexicon_hits(texts)
        proba = self._proba(posts, texts, hits if self._shared_indicators is not None else None)
        evidence = extract_many(posts, normalized=norms, hits=hits)
        risks = (1.0 - proba[:, 0]).tolist()
        best = np.argmax(proba, axis=1).tolist()
        return [
            (risk, self.labels[k], self.flag(risk), row, found)
            for risk, k, row, found in zip(risks, best, proba.tolist(), evidence, strict=True)
        ]

    # -- explanations --------------------------------------------------------
    def explain(self, text: str, *, top: int = 10) -> dict[str, Any]:
        """Explain the score of one post.

        Returns the :meth:`score` record plus ``contributions``: for the
        predicted label, the features that moved its logit most, each with
        ``feature``, ``contribution`` and, where the feature is an n-gram of
        the post, the ``text`` and ``span`` in the original post. ``intercept``
        plus the sum of all contributions (``logit``) equals the model's logit
        of that label. ``no_evidence`` is true when the model requires
        evidence and the post has none: its risk is then 0 whatever the logits.
        """
        if not isinstance(text, str):
            raise TypeError(f"explain takes one post as str, got {type(text).__name__}")
        record = self.score([text])[0]
        steps = self.pipeline.named_steps
        model = steps["classifier"]
        k = self.labels.index(record["label"])
        record.update(contributions=[], intercept=0.0, logit=0.0, explained_label=record["label"], no_evidence=False)
        if not text.strip():
            return record
        window = text if len(text) <= MAX_CHARS else self._scored_window(text)[0]
        norm = steps["normalize"].transform([window])[0]
        X = steps["features"].transform([norm]).tocsr()
        names = steps["features"].get_feature_names_out()
        if self._gate:
            whole = [norm] if window is text else steps["normalize"].transform([text])
            record["no_evidence"] = bool(self._without_evidence(whole)[0])
        weights = X.data * model.coef_[k, X.indices] / model.temperature_
        totals: dict[int, float] = {}
        for col, w in zip(X.indices.tolist(), weights.tolist(), strict=True):
            totals[col] = totals.get(col, 0.0) + w
        record["intercept"] = float(model.intercept_[k] / model.temperature_)
        record["logit"] = record["intercept"] + float(sum(totals.values()))
        spans = self._ngram_spans(window, norm)
        ranked = sorted(totals.items(), key=lambda kv: -abs(kv[1]))[:top]
        for col, contribution in ranked:
            item: dict[str, Any] = {"feature": str(names[col]), "contribution": contribution}
            if col in spans:
                gram, (a, b) = spans[col]
                item.update(feature=f"ngram:{gram.strip()}", text=window[a:b], span=[a, b])
            record["contributions"].append(item)
        return record

    def _ngram_spans(self, original: str, norm: str) -> dict[int, tuple[str, tuple[int, int]]]:
        """Map hashed columns of a post to their first n-gram and original span."""
        ngrams = self.pipeline.named_steps["features"].transformer_list[0][1]
        _, index = hash_prepare_map(norm)
        mapping = normalize(original)
        out: dict[int, tuple[str, tuple[int, int]]] = {}
        for gram, col, a, b in ngrams.analyze(norm):
            # analyze() spans are in the padded string: position i is index[i - 1].
            inner = [index[i - 1] for i in range(max(a, 1), min(b, len(index) + 1)) if gram[i - a] != " "]
            if col not in out and inner:
                out[col] = (gram, mapping.span(min(inner), max(inner) + 1))
        return out


def _default_dir() -> Path:
    return Path(str(resources.files("adclassify.models") / "default"))


def load_model(path: str | Path | None = None) -> Classifier:
    """Load a model directory; the shipped default model when ``path`` is None.

    Loading never runs pickle: see :mod:`adclassify.models.persist` for the
    checks. A model whose canary posts score differently under this library
    version is refused with :class:`ModelError`; one saved by another library
    version that still scores identically loads with a warning.
    """
    from adclassify import __version__

    directory = Path(path) if path is not None else _default_dir()
    with _paused_gc():  # loading and the first scan build many objects at once
        pipeline, metadata = load_pipeline(directory)
        canary = metadata.get("canary", {})
        try:
            now = canary_scores(pipeline, canary["texts"]) if canary.get("texts") else None
        except Exception as exc:  # a model this version cannot run at all
            raise ModelError(f"model cannot be scored by adclassify {__version__}: {type(exc).__name__}") from exc
    if now is not None:
        if not np.allclose(now, canary["scores"], atol=1e-5):
            raise ModelError(
                f"model saved by adclassify {metadata.get('library_version')} scores differently under "
                f"{__version__}; retrain it with this version"
            )
    if metadata.get("library_version") != __version__:
        warnings.warn(
            f"model saved by adclassify {metadata.get('library_version')}, loaded by {__version__}; "
            "its canary posts still score identically",
            UserWarning,
            stacklevel=2,
        )
    return Classifier(pipeline, metadata, source=directory)


_WORKER_MODELS: dict[str, Classifier] = {}


def _run(source: str | Classifier, method: str, posts: list[str]) -> Any:
    """Worker-side call: the model is loaded once per worker process and reused."""
    if isinstance(source, Classifier):
        return getattr(source, method)(posts)
    if source not in _WORKER_MODELS:
        _WORKER_MODELS[source] = load_model(source)
    return getattr(_WORKER_MODELS[source], method)(posts)
