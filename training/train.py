"""Train a model directory from a TOML config.

    python -m training.train [--config training/configs/default.toml] [--out DIR] [--seed N] [--jobs N]
    python -m training.train --eval FILE [FILE ...]        # also report figures on independent data
    python -m training.train --dump-data corpus.jsonl      # write the exact training corpus

Training is deterministic and offline: the same commit, config and seed give
a model with identical scores. The default output is the shipped model,
``adclassify/models/default``.

With ``members = N`` in the config, N models are fitted on independent draws
of the training sources (seeds ``seed``, ``seed + 100``, ...; ``--jobs`` fits
them in parallel) and averaged into one linear model
(:func:`adclassify.models.average_pipelines`): bagging that costs nothing at
scoring time. Validation and test splits are drawn once, with ``seed``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import tomllib
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

import adclassify
from adclassify.data import load_posts
from adclassify.models import average_pipelines, build_pipeline, pick_thresholds, save_pipeline
from training.background import Background
from training.card import render_card
from training.generate import generate, load_banks

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "training" / "configs" / "default.toml"
DEFAULT_OUT = ROOT / "adclassify" / "models" / "default"
MEMBER_STRIDE = 100  # member k draws its training data with seed + k * MEMBER_STRIDE
CANARY = [
    "Crossing to UK this week, 4 places left, WhatsApp +44 7700 900123",
    "Happy birthday to my little sister, love you!",
    "Schengen visa without interview, 100% approved",
    "Who can take me from Libya to Italy? how much",
    "Ferry tickets Dover to Calais from 45 pounds, book online",
]


def load_sources(config: dict[str, Any], split: str, seed: int) -> list[dict]:
    """All rows of one split from the config's sources, each with a ``weight``."""
    rows: list[dict] = []
    for source in config["sources"]:
        weight = float(source.get("weight", 1.0))
        if source["type"] == "generator":
            part = generate(
                split,
                seed=seed + {"train": 0, "val": 1, "test": 2}[split],
                scale=source.get("scale", 1.0),
                per_lang=source.get("per_lang"),
                kind_weights=source.get("kind_weights"),
            )
        elif source["type"] == "background":
            per_lang = int(source.get("per_lang", 1000) * (1.0 if split == "train" else 0.2))
            background = Background(seed + {"train": 10, "val": 11, "test": 12}[split], banks=load_banks())
            part = list(background.posts(per_lang))
        elif source["type"] == "file":
            if split != "train":
                continue
            label_column = source.get("label_column", "label") or None
            data = load_posts(
                source["path"],
                text_column=source.get("text_column", "text"),
                label_column=label_column,
                label_map=source.get("label_map"),
                default_label=source.get("default_label"),
            )
            part = [dict(row, kind=row.get("kind") or "file") for row in data]
        else:
            raise ValueError(f"unknown source type {source['type']!r}")
        # a file's own weight column (a dumped corpus has one) scales the source's weight
        rows.extend(dict(row, weight=weight * row.get("weight", 1.0)) for row in part)
    return rows


def data_hash(rows: list[dict]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps([row["text"], row["label"], row["weight"]], ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def member_seeds(config: dict[str, Any], seed: int) -> list[int]:
    """The training seed of each member of the averaged model."""
    return [seed + MEMBER_STRIDE * k for k in range(int(config.get("members", 1)))]


def fit_member(config: dict[str, Any], seed: int) -> tuple[Pipeline, int, str]:
    """Fit one pipeline on the training draw of ``seed``; also return its row count and data hash."""
    rows = load_sources(config, "train", seed)
    params = json.loads(json.dumps(config["pipeline"]))
    params.setdefault("classifier", {})["random_state"] = seed
    pipeline = build_pipeline(params)
    # One thread: scikit-learn's OpenMP loops sum in an order that depends on
    # the thread count, so the weights would depend on the machine and --jobs.
    with threadpool_limits(limits=1):
        pipeline.fit(
            [r["text"] for r in rows],
            [r["label"] for r in rows],
            classifier__sample_weight=np.array([r["weight"] for r in rows]),
        )
    return pipeline, len(rows), data_hash(rows)


def evaluate(clf: adclassify.Classifier, rows: list[dict]) -> dict[str, Any]:
    """Headline figures of a classifier on labelled rows, overall and per language."""
    texts = [r["text"] for r in rows]
    labels = np.array([r["label"] for r in rows])
    proba = clf.predict_proba(texts)
    risk = 1 - proba[:, 0]
    pred = np.array(clf.labels)[proba.argmax(axis=1)]
    violating = labels != "benign"
    review = risk >= clf.thresholds["review"]

    def figures(mask: np.ndarray) -> dict[str, Any]:
        v = violating[mask]
        out: dict[str, Any] = {"n": int(mask.sum()), "n_violating": int(v.sum())}
        if v.any():
            out["recall_review"] = round(float(review[mask][v].mean()), 4)
        if (~v).any():
            out["fpr_review"] = round(float(review[mask][~v].mean()), 4)
            out["false_positives_review"] = int(review[mask][~v].sum())
        if v.any() and (~v).any():
            out["roc_auc"] = round(float(roc_auc_score(v, risk[mask])), 4)
        return out

    result = figures(np.ones(len(rows), bool))
    flagged_action = risk >= clf.thresholds["action"]
    if violating.any():
        result["recall_action"] = round(float(flagged_action[violating].mean()), 4)
    if (~violating).any():
        result["fpr_action"] = round(float(flagged_action[~violating].mean()), 4)
    if violating.any() and (~violating).any():
        result["macro_f1"] = round(float(f1_score(labels, pred, labels=list(clf.labels), average="macro")), 4)
    obfuscated = violating & np.array([bool(r.get("obfuscated")) for r in rows])
    if obfuscated.any():
        result["obfuscated_recall_review"] = round(float(review[obfuscated].mean()), 4)
    for key in ("lang", "kind"):
        groups = sorted({str(r.get(key, "")).split("+")[0] for r in rows})
        result[f"by_{key}"] = {
            g: figures(np.array([str(r.get(key, "")).split("+")[0] == g for r in rows])) for g in groups
        }
    return result


def _eval_rows(path: str) -> list[dict]:
    """Rows of an evaluation file; a file without labels is an all-benign sample."""
    try:
        data = load_posts(path)
    except ValueError:
        data = load_posts(path, label_column=None, default_label="benign")
    return list(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train an adclassify model directory.")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=None, help="overrides the config's seed")
    parser.add_argument("--dump-data", type=Path, help="write the training corpus as JSONL and stop")
    parser.add_argument("--jobs", type=int, default=1, help="members fitted in parallel (a few GB of memory each)")
    parser.add_argument(
        "--eval",
        nargs="*",
        default=[],
        metavar="FILE",
        help="independent data to report in the metadata and model card (never used for training or thresholds)",
    )
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")

    config = tomllib.loads(args.config.read_text("utf-8"))
    seed = config.get("seed", 0) if args.seed is None else args.seed
    seeds = member_seeds(config, seed)
    if args.dump_data:
        rows = 0
        with args.dump_data.open("w", encoding="utf-8") as fh:
            for member, member_seed in enumerate(seeds):
                for row in load_sources(config, "train", member_seed):
                    record = {k: row.get(k, "") for k in ("text", "label", "lang", "kind")}
                    record["weight"] = row["weight"]
                    if len(seeds) > 1:
                        record["member"] = member
                    fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                    rows += 1
        print(f"wrote {rows} posts to {args.dump_data}", file=sys.stderr)
        return 0
    val, test = load_sources(config, "val", seed), load_sources(config, "test", seed)
    print(f"training {len(seeds)} member(s); {len(val)} validation, {len(test)} test posts", file=sys.stderr)
    fitted = Parallel(n_jobs=min(args.jobs, len(seeds)))(delayed(fit_member)(config, member) for member in seeds)
    pipeline = fitted[0][0] if len(fitted) == 1 else average_pipelines([f[0] for f in fitted])
    training_data: dict[str, Any] = {"rows": sum(f[1] for f in fitted), "sha256": fitted[0][2]}
    if len(fitted) > 1:  # one hash over the members' hashes, and each member's own
        training_data["sha256"] = hashlib.sha256("".join(f[2] for f in fitted).encode()).hexdigest()
        training_data["members"] = [
            {"seed": member, "rows": rows, "sha256": digest}
            for member, (_, rows, digest) in zip(seeds, fitted, strict=True)
        ]
    limits = config.get("thresholds", {})
    gate = {"require_evidence": bool(limits.get("require_evidence", False))}
    clf = adclassify.Classifier(pipeline, gate)
    val_risk = clf.risk([r["text"] for r in val])
    thresholds = pick_thresholds(
        val_risk,
        np.array([r["label"] != "benign" for r in val]),
        limits.get("review_recall", 0.95),
        limits.get("action_precision", 0.98),
        limits.get("action_prevalence"),
    )
    clf = adclassify.Classifier(pipeline, {"thresholds": thresholds} | gate)
    metrics = {"validation": evaluate(clf, val), "test": evaluate(clf, test)}
    metadata = {
        "name": config.get("name", "adclassify-model"),
        "version": adclassify.__version__,
        "library_version": adclassify.__version__,
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seed": seed,
        "config": config,
        "labels": list(clf.labels),
        "thresholds": thresholds,
        **gate,
        "training_data": training_data,
        "libraries": {name: version(name) for name in ("scikit-learn", "numpy", "scipy", "skops")}
        | {"python": platform.python_version()},
        "metrics": metrics,
        "canary": {"texts": CANARY, "scores": np.round(pipeline.predict_proba(CANARY), 6).tolist()},
    }
    if args.eval:
        metadata["evaluation"] = {Path(path).name: evaluate(clf, _eval_rows(path)) for path in args.eval}
    save_pipeline(pipeline, args.out, metadata, render_card(metadata))
    print(
        json.dumps({"thresholds": thresholds, "test": {k: v for k, v in metrics["test"].items() if k != "by_lang"}}),
        file=sys.stderr,
    )
    print(f"saved {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
