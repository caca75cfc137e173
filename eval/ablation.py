"""How much each data source and feature family adds: train variants, evaluate each.

    python -m eval.ablation --data FILE [FILE ...] [--config training/configs/default.toml]
        [--scale 0.5] [--members 2] [--out eval/reports/ablation.md] [--jobs 2]

Each variant is the training config with one part removed, trained with the
documented command ``python -m training.train --config ... --out ...`` into a
temporary folder (at ``--scale`` of the corpus size and with ``--members``
averaged members, to keep the run short), then scored on every data file: ROC-AUC of risk, macro-F1 where labels
exist, and recall and false-positive rate at the variant's own review
threshold. Only the public API of the library is used.
"""

from __future__ import annotations

import argparse
import copy
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score, roc_auc_score

import adclassify
from eval.evaluate import load_data

VARIANTS: dict[str, str] = {
    "full": "the whole config",
    "no background": "without the word-frequency background chatter source",
    "no evidence rule": "posts without evidence scored by the model like any other (`require_evidence = false`)",
    "no indicators": "without the lexicon: no indicator features and no evidence rule",
    "no word n-grams": "character n-grams and indicators only",
    "no char n-grams": "word n-grams and indicators only (character n-grams of length 1)",
    "a third of the benign posts": "1,800 instead of 5,400 generated benign posts per language",
    "weaker regularisation": "C = 20 instead of 5 (the previous default)",
    "one member": "a single model instead of the average of several (config `members`)",
}


def variant_config(config: dict[str, Any], name: str, scale: float, members: int = 1) -> dict[str, Any]:
    """The config of one variant, its sources scaled by ``scale``, averaging ``members`` models."""
    out = copy.deepcopy(config)
    out["members"] = 1 if name == "one member" else members
    for source in out["sources"]:
        if source["type"] == "generator":
            source["scale"] = source.get("scale", 1.0) * scale
        elif source["type"] == "background":
            source["per_lang"] = int(source.get("per_lang", 1000) * scale)
    pipe = out.setdefault("pipeline", {})
    if name == "no background":
        out["sources"] = [s for s in out["sources"] if s["type"] != "background"]
    elif name == "no evidence rule":
        out.setdefault("thresholds", {})["require_evidence"] = False
    elif name == "no indicators":
        pipe["indicator_weight"] = 0.0
        out.setdefault("thresholds", {})["require_evidence"] = False
    elif name == "no word n-grams":
        pipe.setdefault("ngrams", {})["word_ngram_range"] = [0, 0]
    elif name == "no char n-grams":
        pipe.setdefault("ngrams", {})["char_ngram_range"] = [1, 1]
    elif name == "a third of the benign posts":
        for source in out["sources"]:
            if source["type"] == "generator":
                source["per_lang"] = {**source.get("per_lang", {}), "benign": 1800}
    elif name == "weaker regularisation":
        pipe.setdefault("classifier", {})["C"] = 20.0
    return out


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):  # an inline table
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return repr(value)


def dump_toml(config: dict[str, Any]) -> str:
    """Write the subset of TOML the training configs use (tables, arrays of tables, scalars)."""
    lines: list[str] = []

    def table(prefix: str, data: dict[str, Any]) -> None:
        scalars = {
            k: v
            for k, v in data.items()
            if not isinstance(v, dict) and not (isinstance(v, list) and v and isinstance(v[0], dict))
        }
        if prefix:
            lines.append(f"[{prefix}]")
        lines.extend(f"{k} = {_toml(v)}" for k, v in scalars.items())
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                table(name, value)
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for item in value:
                    lines.append(f"[[{name}]]")
                    lines.extend(f"{k} = {_toml(v)}" for k, v in item.items())

    table("", config)
    return "\n".join(lines) + "\n"


def figures(clf: adclassify.Classifier, path: str) -> dict[str, float | None]:
    """ROC-AUC, macro-F1, recall and FPR at review of one model on one file."""
    data = load_data(Path(path))
    texts, labels = data.texts, np.array(data.labels)
    proba = clf.predict_proba(texts)
    risk = 1 - proba[:, 0]
    violating = labels != "benign"
    flagged = risk >= clf.thresholds["review"]
    out: dict[str, float | None] = {
        "roc_auc": float(roc_auc_score(violating, risk)) if violating.any() and (~violating).any() else None,
        "macro_f1": None,
        "recall_review": float(flagged[violating].mean()) if violating.any() else None,
        "fpr_review": float(flagged[~violating].mean()) if (~violating).any() else None,
    }
    if violating.any():
        pred = np.array(clf.labels)[proba.argmax(axis=1)]
        out["macro_f1"] = float(f1_score(labels, pred, labels=list(clf.labels), average="macro"))
    return out


def _run_variants(config: dict, args: argparse.Namespace, work: Path) -> list[tuple[str, str, dict]]:
    """Train every variant in ``work`` (``args.jobs`` at a time) and measure each on ``args.data``."""
    running: list[tuple[str, subprocess.Popen]] = []
    names = list(VARIANTS)
    for start in range(0, len(names), args.jobs):
        for name in names[start : start + args.jobs]:
            conf = work / f"{name.replace(' ', '_')}.toml"
            conf.write_text(dump_toml(variant_config(config, name, args.scale, args.members)), "utf-8")
            cmd = [sys.executable, "-m", "training.train", "--config", str(conf), "--out", str(work / conf.stem)]
            running.append((name, subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
        for name, proc in running[-args.jobs :]:
            if proc.wait():
                raise SystemExit(f"training the variant {name!r} failed")
    rows = []
    for name in names:
        clf = adclassify.load_model(work / name.replace(" ", "_"))
        for path in args.data:
            fig = figures(clf, path)
            rows.append((name, Path(path).name, fig))
            cells = " ".join(f"{k}={'-' if v is None else f'{v:.4f}'}" for k, v in fig.items())
            print(f"{name:16s} {Path(path).name:24s} {cells}")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", required=True)
    parser.add_argument("--config", default="training/configs/default.toml")
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("--members", type=int, default=2, help="members averaged in each variant")
    parser.add_argument("--out", default="eval/reports/ablation.md")
    parser.add_argument("--jobs", type=int, default=2, help="variants trained at once")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    config = tomllib.loads(Path(args.config).read_text("utf-8"))
    with tempfile.TemporaryDirectory(prefix="ablation-") as tmp:
        rows = _run_variants(config, args, Path(tmp))
    lines = [
        "# Ablation: what each data source and feature family adds",
        "",
        "Regenerate with `python -m eval.ablation --data "
        + " ".join(Path(p).name for p in args.data)
        + f" --scale {args.scale} --members {args.members}`",
        f"(data files given by path). Variants trained at {args.scale} of the default corpus size, each the average",
        f"of {args.members} members unless the row says otherwise; each row uses the variant's own review threshold.",
        "",
        "| variant | what | data | ROC-AUC | macro-F1 | recall at review | FPR at review |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, data, fig in rows:
        cells = " | ".join(
            "–" if fig[k] is None else f"{fig[k]:.4f}" for k in ("roc_auc", "macro_f1", "recall_review", "fpr_review")
        )
        lines.append(f"| {name} | {VARIANTS[name]} | {data} | {cells} |")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n", "utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
