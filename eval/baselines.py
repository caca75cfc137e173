"""Baseline classifiers trained on the model's own training corpus, for comparison.

    python -m eval.baselines --data FILE [FILE ...] --report DIR [--no-text] [--train-data CORPUS.jsonl]

is ``python -m eval.evaluate --baselines`` (the default model unless ``--model`` names another). Two baselines:

- ``tfidf_char_lr``: scikit-learn ``TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))``
  and a multinomial ``LogisticRegression``;
- ``fasttext``: fastText supervised with ``minn=2, maxn=5, wordNgrams=2``, one
  thread and a fixed seed so it is reproducible. It needs the optional
  ``bench`` extra; without it the baseline is skipped with a note.

Both train on the exact training corpus (``python -m training.train
--dump-data``, run as a subprocess: evaluation code never imports the training
package; TF-IDF with its row weights, fastText takes none) minus a stratified,
seeded 10 % hold-out on which their thresholds are picked by the rule used for
the shipped model: ``review`` is the highest cut-off keeping recall >= 0.95,
``action`` the lowest cut-off with precision >= 0.98 before precision first
fails with more than 50 posts flagged, at the shipped model's
``action_prevalence`` when it has one.
Evaluation data is never used to fit or tune them.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline

from adclassify.data import load_posts
from adclassify.models import pick_thresholds

__all__ = [
    "Baseline",
    "FastTextBaseline",
    "TfidfBaseline",
    "dump_training_corpus",
    "main",
    "train_baselines",
]

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT = 0.1


def dump_training_corpus(path: Path) -> Path:
    """Write the training corpus as JSONL by running ``python -m training.train --dump-data``."""
    subprocess.run([sys.executable, "-m", "training.train", "--dump-data", str(path)], cwd=ROOT, check=True)
    return path


class Baseline:
    """Shared interface: ``name``, ``labels`` (benign first), ``thresholds``, ``predict_proba``."""

    name = "baseline"

    def __init__(
        self, texts: Sequence[str], labels: Sequence[str], seed: int, weights: Sequence[float] | None = None
    ) -> None:
        self.labels: tuple[str, ...] = ("benign", *sorted(set(labels) - {"benign"}))
        self.thresholds: dict[str, float] = {}
        self.fit(texts, labels, seed, weights)

    def fit(self, texts: Sequence[str], labels: Sequence[str], seed: int, weights: Sequence[float] | None) -> None:
        raise NotImplementedError

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def risk(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of any violating label."""
        return 1.0 - self.predict_proba(texts)[:, 0]


class TfidfBaseline(Baseline):
    """Character n-gram TF-IDF (``char_wb``, 2-5) and logistic regression."""

    name = "tfidf_char_lr"

    def fit(self, texts: Sequence[str], labels: Sequence[str], seed: int, weights: Sequence[float] | None) -> None:
        self.pipeline: Pipeline = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32),
            LogisticRegression(C=10.0, max_iter=300, random_state=seed),
        )
        weight = {} if weights is None else {"logisticregression__sample_weight": np.asarray(weights)}
        self.pipeline.fit(list(texts), list(labels), **weight)
        self._columns = [list(self.pipeline.classes_).index(lab) for lab in self.labels]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities in ``labels`` order."""
        return self.pipeline.predict_proba(list(texts))[:, self._columns]


def _one_line(text: str) -> str:
    return " ".join(text.split())


class FastTextBaseline(Baseline):
    """fastText supervised classifier with subword (2-5) and word-bigram features (it takes no row weights)."""

    name = "fasttext"

    def fit(self, texts: Sequence[str], labels: Sequence[str], seed: int, weights: Sequence[float] | None) -> None:
        import fasttext

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "train.txt"
            path.write_text(
                "".join(f"__label__{lab} {_one_line(t)}\n" for t, lab in zip(texts, labels, strict=True)), "utf-8"
            )
            self.model = fasttext.train_supervised(
                str(path), minn=2, maxn=5, wordNgrams=2, thread=1, seed=seed, verbose=0
            )

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities in ``labels`` order."""
        if not texts:
            return np.zeros((0, len(self.labels)))
        names, probs = self.model.predict([_one_line(t) for t in texts], k=len(self.labels))
        column = {f"__label__{lab}": j for j, lab in enumerate(self.labels)}
        out = np.zeros((len(texts), len(self.labels)))
        for i, (row_names, row_probs) in enumerate(zip(names, probs, strict=True)):
            out[i, [column[n] for n in row_names]] = row_probs
        return out / out.sum(axis=1, keepdims=True)


def train_baselines(
    corpus: Path, seed: int = 0, prevalence: float | None = None
) -> tuple[list[Baseline], list[str]]:
    """Train every available baseline on ``corpus`` and set its thresholds on the hold-out.

    ``prevalence`` weights the action precision as the shipped model's
    ``action_prevalence`` does (see ``pick_thresholds``).

    Returns the fitted baselines and notes on any that were skipped.
    """
    data = load_posts(corpus)
    # Plain lists: indexing a datasets column one post at a time is slow (about 0.1 ms a post).
    texts, labels = list(data["text"]), list(data["label"])
    fit_idx, val_idx = train_test_split(np.arange(len(texts)), test_size=HOLDOUT, stratify=labels, random_state=seed)
    fit_texts, fit_labels = [texts[i] for i in fit_idx], [labels[i] for i in fit_idx]
    weights = list(data["weight"]) if "weight" in data.column_names else None
    fit_weights = None if weights is None or set(weights) == {1.0} else [weights[i] for i in fit_idx]
    val_texts = [texts[i] for i in val_idx]
    val_violating = np.array([labels[i] != "benign" for i in val_idx])
    kinds: list[type[Baseline]] = [TfidfBaseline]
    notes = []
    if importlib.util.find_spec("fasttext") is None:
        notes.append("fasttext baseline skipped: install the `bench` extra (`pip install -e .[bench]`)")
    else:
        kinds.append(FastTextBaseline)
        if fit_weights is not None:
            notes.append("fasttext baseline trained without the corpus's row weights (fastText takes none)")
    baselines = []
    for kind in kinds:
        print(f"training baseline {kind.name} on {len(fit_texts)} posts", file=sys.stderr)
        baseline = kind(fit_texts, fit_labels, seed, fit_weights)
        baseline.thresholds = pick_thresholds(baseline.risk(val_texts), val_violating, prevalence=prevalence)
        baselines.append(baseline)
    return baselines, notes


def main(argv: list[str] | None = None) -> int:
    """Command line: the evaluation report with the baselines beside the default model."""
    from eval.evaluate import main as evaluate_main

    args = list(sys.argv[1:] if argv is None else argv)
    return evaluate_main([*args, "--baselines"] if "--baselines" not in args else args)


if __name__ == "__main__":
    raise SystemExit(main())
