"""Evaluate a model directory on labelled or unlabelled data files.

    python -m eval.evaluate [--model DIR] --data FILE [FILE ...] --report DIR [--no-text] [--baselines]

For each data file (CSV, TSV, JSONL or Parquet, read with
:func:`adclassify.data.load_posts`) the report holds risk metrics (ROC-AUC and
PR-AUC with seeded bootstrap CIs, recall and FPR at both thresholds, recall at
1 % and 5 % FPR), label metrics (per-label precision/recall/F1, macro-F1,
confusion matrix), breakdowns by ``lang``, ``kind`` and ``obfuscated`` where
those columns exist, calibration of risk (reliability curve, ECE, Brier) and
the top false positives and negatives at the review threshold with their
evidence. A file without a ``label`` column is a platform sample: every post
counts as benign. ``--no-text`` keeps post text out of the report (ids or row
numbers, and evidence summaries with phone numbers, links and handles redacted, instead).

Outputs in ``--report``: ``report.md``, ``metrics.json`` and PNG plots; a
compact summary table goes to standard output. Only the public API of
``adclassify`` is used.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

import adclassify
from adclassify.data import load_posts
from adclassify.models import threshold_rules
from eval import metrics as m
from eval import report
from eval.baselines import Baseline, dump_training_corpus, train_baselines

__all__ = ["EvalData", "Scorer", "error_listing", "evaluate_scores", "load_data", "main"]

TOP_ERRORS = 20
FIXED_FPRS = (0.01, 0.05)
MODEL = "model"


class Scorer(Protocol):
    """What evaluation needs of a classifier: :class:`adclassify.Classifier` and the baselines have it."""

    labels: tuple[str, ...]
    thresholds: dict[str, float]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass
class EvalData:
    """One evaluation file: texts, labels and the optional columns used for breakdowns."""

    name: str
    texts: list[str]
    labels: list[str]
    labelled: bool
    ids: list[str] | None = None
    lang: list[str] | None = None
    kind: list[str] | None = None
    obfuscated: list[bool] | None = None

    @property
    def violating(self) -> np.ndarray:
        """True where the label is not ``benign``."""
        return np.array([lab != "benign" for lab in self.labels], dtype=bool)


def _column(path: Path, name: str) -> list[str] | None:
    """Column ``name`` of a data file as strings, or None when absent.

    ``load_posts`` keeps only text, label, lang, kind and obfuscated, so
    other columns (``id``) are read through it as the text column.
    """
    try:
        return list(load_posts(path, text_column=name, label_column=None, default_label="benign")["text"])
    except ValueError:
        return None


def load_data(path: Path, name: str | None = None) -> EvalData:
    """Load one evaluation file; without a ``label`` column every post is benign."""
    try:
        data, labelled = load_posts(path), True
    except ValueError:
        data, labelled = load_posts(path, label_column=None, default_label="benign"), False
    columns = data.column_names
    return EvalData(
        name=name or path.name,
        texts=list(data["text"]),
        labels=list(data["label"]),
        labelled=labelled,
        ids=_column(path, "id"),
        lang=list(data["lang"]) if "lang" in columns else None,
        kind=list(data["kind"]) if "kind" in columns else None,
        obfuscated=list(data["obfuscated"]) if "obfuscated" in columns else None,
    )


def evaluate_scores(
    data: EvalData, proba: np.ndarray, scorer: Scorer, *, seed: int = 0, n_resamples: int = 1000
) -> dict[str, Any]:
    """Every metric of one scorer's probabilities on one file."""
    violating = data.violating
    risk = 1.0 - proba[:, 0]
    predicted = [scorer.labels[j] for j in proba.argmax(axis=1)]
    review = scorer.thresholds["review"]
    out: dict[str, Any] = {
        "n": len(data.texts),
        "n_violating": int(violating.sum()),
        "thresholds": dict(scorer.thresholds),
        "risk": {
            "roc_auc": m.roc_auc(violating, risk),
            "roc_auc_ci95": m.bootstrap_ci(violating, risk, "roc_auc", n_resamples=n_resamples, seed=seed),
            "pr_auc": m.pr_auc(violating, risk),
            "pr_auc_ci95": m.bootstrap_ci(violating, risk, "pr_auc", n_resamples=n_resamples, seed=seed),
            "review": m.rates_at(violating, risk, review),
            "action": m.rates_at(violating, risk, scorer.thresholds["action"]),
            "recall_at_fpr": {f"{f:g}": m.recall_at_fpr(violating, risk, f) for f in FIXED_FPRS},
        },
        "labels": m.label_metrics(data.labels, predicted, scorer.labels),
        "calibration": m.calibration(violating, risk),
    }
    groups = {"lang": data.lang, "kind": data.kind}
    if data.obfuscated is not None:
        groups["obfuscated"] = ["obfuscated" if o else "plain" for o in data.obfuscated]
    for column, values in groups.items():
        if values is not None:
            out[f"by_{column}"] = m.group_breakdown(values, violating, risk, review)
    return out


def _redact_contacts(summary: str) -> str:
    """Evidence summary with contact values other than channel names (phones, links, handles) redacted."""
    parts = summary.split(" | ") if summary else []
    prefix = "contact: "
    return " | ".join(
        f"{prefix}[redacted]" if p.startswith(prefix) and not p[len(prefix) :].replace(" ", "").isalpha() else p
        for p in parts
    )


def error_listing(
    clf: adclassify.Classifier, data: EvalData, risk: np.ndarray, *, no_text: bool, top: int = TOP_ERRORS
) -> dict[str, list[dict[str, Any]]]:
    """Top false positives and false negatives at the review threshold, with evidence.

    Data without violating posts gets ``top_scoring`` (its highest-risk posts)
    instead of false negatives. With ``no_text`` the entries hold row numbers,
    ids and redacted evidence summaries but no post text.
    """
    violating = data.violating
    flagged = risk >= clf.thresholds["review"]
    by_risk = np.argsort(-risk, kind="stable")
    lists = {"false_positives": [i for i in by_risk if flagged[i] and not violating[i]][:top]}
    if violating.any():
        lists["false_negatives"] = [i for i in by_risk[::-1] if violating[i] and not flagged[i]][:top]
    else:
        lists["top_scoring"] = by_risk[:top].tolist()
    out = {}
    for key, rows in lists.items():
        records = clf.score([data.texts[i] for i in rows])
        entries = []
        for i, rec in zip(rows, records, strict=True):
            entry = {
                "row": int(i),
                "id": data.ids[i] if data.ids else None,
                "label": data.labels[i],
                "predicted": rec["label"],
                "risk": m.rnd(risk[i]),
                "evidence": _redact_contacts(rec["summary"]) if no_text else rec["summary"],
            }
            if not no_text:
                entry["text"] = data.texts[i]
            entries.append(entry)
        out[key] = entries
    return out


def _unique_names(paths: Sequence[Path]) -> list[str]:
    names = [p.name for p in paths]
    return [n if names.count(n) == 1 else f"{k}-{n}" for k, n in enumerate(names)]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Evaluate an adclassify model on data files.")
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--data", type=Path, nargs="+", required=True, help="CSV, TSV, JSONL or Parquet files")
    parser.add_argument("--report", type=Path, required=True, help="output directory")
    parser.add_argument("--no-text", action="store_true", help="keep post text out of the report")
    parser.add_argument("--baselines", action="store_true", help="train and compare the baselines")
    parser.add_argument("--train-data", type=Path, help="training corpus for --baselines (default: dump it)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap and the baselines")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples")
    return parser


def _baselines(args: argparse.Namespace, prevalence: float | None) -> tuple[list[Baseline], list[str]]:
    if args.train_data is not None:
        return train_baselines(args.train_data, seed=args.seed, prevalence=prevalence)
    with tempfile.TemporaryDirectory() as tmp:
        return train_baselines(dump_training_corpus(Path(tmp) / "corpus.jsonl"), seed=args.seed, prevalence=prevalence)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    args.report.mkdir(parents=True, exist_ok=True)
    clf = adclassify.load_model(args.model)
    scorers: dict[str, Scorer] = {MODEL: clf}
    notes: list[str] = []
    if args.baselines:
        # the baselines' action cut-off follows the model's own rule
        prevalence = threshold_rules(clf.metadata).get("action_prevalence")
        baselines, notes = _baselines(args, prevalence)
        scorers.update({b.name: b for b in baselines})
    result: dict[str, Any] = {
        "model": {
            "path": str(args.model) if args.model else "default",
            "name": clf.metadata.get("name"),
            "version": clf.metadata.get("version"),
            "trained_at": clf.metadata.get("trained_at"),
            "thresholds": clf.thresholds,
        },
        "seed": args.seed,
        "bootstrap_resamples": args.bootstrap,
        "no_text": args.no_text,
        "notes": notes,
        "files": {},
    }
    for path, name in zip(args.data, _unique_names(args.data), strict=True):
        data = load_data(path, name)
        print(f"scoring {name}: {len(data.texts)} posts", file=sys.stderr)
        file_result: dict[str, Any] = {"path": str(path), "labelled": data.labelled, "scorers": {}}
        risks = {}
        for scorer_name, scorer in scorers.items():
            proba = scorer.predict_proba(data.texts)
            risks[scorer_name] = 1.0 - proba[:, 0]
            file_result["scorers"][scorer_name] = evaluate_scores(
                data, proba, scorer, seed=args.seed, n_resamples=args.bootstrap
            )
        file_result["errors"] = error_listing(clf, data, risks[MODEL], no_text=args.no_text)
        file_result["plots"] = report.plot_file(args.report, data.name, data.violating, risks, file_result)
        result["files"][name] = file_result
    (args.report / "metrics.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (args.report / "report.md").write_text(report.render(result), "utf-8")
    print(report.text_table(report.summary_rows(result)))
    print(f"wrote {args.report / 'report.md'} and metrics.json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
