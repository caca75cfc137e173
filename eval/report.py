"""Rendering of evaluation results: Markdown report, PNG plots and the printed summary.

Every figure and table names the data file it came from. Numbers are
formatted from the rounded values in ``metrics.json``, so the report, the
JSON and the printed summary agree digit for digit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import precision_recall_curve, roc_curve  # noqa: E402

__all__ = ["COLUMNS", "fmt", "markdown_cell", "markdown_table", "plot_file", "render", "summary_rows", "text_table"]


def fmt(value: Any) -> str:
    """A metric as printed everywhere: 4 decimals, ``-`` when undefined."""
    if value is None:
        return "-"
    if isinstance(value, list):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _get(*keys: str) -> Callable[[dict[str, Any]], Any]:
    def get(scores: dict[str, Any]) -> Any:
        for key in keys:
            scores = scores[key]
        return scores

    return get


#: Summary columns: header, how to read the value from one scorer's metrics,
#: and whether higher (+1) or lower (-1) is better (0: not compared).
COLUMNS: list[tuple[str, Callable[[dict[str, Any]], Any], int]] = [
    ("n", _get("n"), 0),
    ("violating", _get("n_violating"), 0),
    ("ROC-AUC", _get("risk", "roc_auc"), 1),
    ("ROC-AUC 95% CI", _get("risk", "roc_auc_ci95"), 0),
    ("PR-AUC", _get("risk", "pr_auc"), 1),
    ("macro-F1", _get("labels", "macro_f1"), 1),
    ("recall@review", _get("risk", "review", "recall"), 1),
    ("FPR@review", _get("risk", "review", "fpr"), -1),
    ("recall@action", _get("risk", "action", "recall"), 1),
    ("FPR@action", _get("risk", "action", "fpr"), -1),
    ("recall@FPR1%", _get("risk", "recall_at_fpr", "0.01"), 1),
    ("recall@FPR5%", _get("risk", "recall_at_fpr", "0.05"), 1),
    ("ECE", _get("calibration", "ece"), -1),
    ("Brier", _get("calibration", "brier"), -1),
]


def summary_rows(result: dict[str, Any]) -> list[list[str]]:
    """Header and one row per (data file, scorer) of the headline metrics."""
    rows = [["data", "scorer", *(c[0] for c in COLUMNS)]]
    for name, file_result in result["files"].items():
        for scorer, scores in file_result["scorers"].items():
            rows.append([name, scorer, *(fmt(get(scores)) for _, get, _ in COLUMNS)])
    return rows


def text_table(rows: Sequence[Sequence[str]]) -> str:
    """Rows as an aligned plain-text table."""
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def markdown_cell(value: Any) -> str:
    """A value as one line of Markdown table text (whitespace collapsed, pipes escaped)."""
    return " ".join(fmt(value).split()).replace("|", "\\|")


def markdown_table(rows: Sequence[Sequence[Any]]) -> str:
    """Header row plus body rows as a Markdown table (pipes and newlines escaped)."""

    lines = ["| " + " | ".join(markdown_cell(c) for c in rows[0]) + " |", "|" + " --- |" * len(rows[0])]
    lines += ["| " + " | ".join(markdown_cell(c) for c in r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def not_beaten(result: dict[str, Any]) -> list[str]:
    """Every (file, metric, baseline) where a baseline is at least as good as the model."""
    found = []
    for name, file_result in result["files"].items():
        scorers = file_result["scorers"]
        model = scorers["model"]
        for scorer, scores in scorers.items():
            if scorer == "model":
                continue
            for header, get, better in COLUMNS:
                ours, theirs = get(model), get(scores)
                if better and ours is not None and theirs is not None and better * (theirs - ours) >= 0:
                    found.append(f"`{name}`: {header} of {scorer} is {fmt(theirs)}, model {fmt(ours)}")
    return found


# -- plots ---------------------------------------------------------------------
def _save(fig: plt.Figure, path: Path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name


def _curve_plot(path: Path, title: str, curves: dict[str, tuple[np.ndarray, np.ndarray]], axes: tuple[str, str]) -> str:
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    for scorer, (x, y) in curves.items():
        ax.plot(x, y, label=scorer, drawstyle="steps-post")
    ax.set(xlabel=axes[0], ylabel=axes[1], title=title, xlim=(0, 1), ylim=(0, 1.02))
    ax.legend(loc="lower right" if axes[0] == "false-positive rate" else "lower left")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def _reliability_plot(path: Path, title: str, scorers: dict[str, Any]) -> str:
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect calibration")
    for scorer, scores in scorers.items():
        bins = [b for b in scores["calibration"]["bins"] if b["n"]]
        label = f"{scorer} (ECE {fmt(scores['calibration']['ece'])})"
        ax.plot([b["mean_risk"] for b in bins], [b["frac_violating"] for b in bins], marker="o", label=label)
    ax.set(xlabel="mean risk in bin", ylabel="share of violating posts", title=title, xlim=(0, 1), ylim=(0, 1.02))
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def _lang_plot(path: Path, title: str, by_lang: dict[str, Any]) -> str:
    """Recall and FPR at review per language; a rate undefined for every language is left out."""
    langs = list(by_lang)
    x = np.arange(len(langs))
    series = {
        label: [by_lang[lang][key] for lang in langs]
        for key, label in (("recall_review", "recall at review"), ("fpr_review", "FPR at review"))
        if any(by_lang[lang][key] is not None for lang in langs)
    }
    width = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(langs) + 2), 4.5))
    for k, (label, values) in enumerate(series.items()):
        offset = (k - (len(series) - 1) / 2) * width
        ax.bar(x + offset, [v if v is not None else 0.0 for v in values], width=width, label=label)
    top = max(v for values in series.values() for v in values if v is not None)
    ax.set_xticks(x, langs, rotation=60 if len(langs) > 12 else 0)
    ax.set(ylabel="rate (0 where undefined)", title=title, ylim=(0, 1.2 if top > 0.5 else max(top * 1.3, 0.01)))
    ax.legend(loc="upper center", ncol=2)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def plot_file(
    directory: Path, name: str, violating: np.ndarray, risks: dict[str, np.ndarray], file_result: dict[str, Any]
) -> dict[str, str]:
    """Write the plots of one data file; returns plot kind -> PNG file name.

    ROC and precision-recall curves need both classes; the reliability curve
    and per-language bars are drawn for every file.
    """
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in Path(name).stem)
    scorers = file_result["scorers"]
    plots = {}
    if violating.any() and not violating.all():
        roc = {s: roc_curve(violating, r)[:2] for s, r in risks.items()}
        pr = {s: precision_recall_curve(violating, r)[1::-1] for s, r in risks.items()}
        plots["roc"] = _curve_plot(
            directory / f"{stem}_roc.png", f"ROC - {name}", roc, ("false-positive rate", "recall")
        )
        plots["pr"] = _curve_plot(
            directory / f"{stem}_pr.png", f"Precision-recall - {name}", pr, ("recall", "precision")
        )
    plots["reliability"] = _reliability_plot(directory / f"{stem}_reliability.png", f"Reliability - {name}", scorers)
    if "by_lang" in scorers["model"]:
        plots["lang"] = _lang_plot(
            directory / f"{stem}_lang.png",
            f"Model by language at review threshold - {name}",
            scorers["model"]["by_lang"],
        )
    return plots


# -- Markdown ------------------------------------------------------------------
def _risk_table(scorers: dict[str, Any]) -> str:
    rows: list[list[Any]] = [["metric", *scorers]]
    for header, get, _ in COLUMNS[2:]:
        rows.append([header, *(get(s) for s in scorers.values())])
    rows.append(["review threshold", *(s["thresholds"]["review"] for s in scorers.values())])
    rows.append(["action threshold", *(s["thresholds"]["action"] for s in scorers.values())])
    rows.append(["PR-AUC 95% CI", *(s["risk"]["pr_auc_ci95"] for s in scorers.values())])
    return markdown_table(rows)


def _label_tables(labels: dict[str, Any]) -> str:
    per_label = [["label", "precision", "recall", "F1", "support"]]
    per_label += [[lab, v["precision"], v["recall"], v["f1"], v["support"]] for lab, v in labels["per_label"].items()]
    confusion = [["true \\ predicted", *labels["labels"]]]
    confusion += [[lab, *row] for lab, row in zip(labels["labels"], labels["confusion"], strict=True)]
    return f"{markdown_table(per_label)}\n\nMacro-F1: {fmt(labels['macro_f1'])}\n\n{markdown_table(confusion)}"


def _breakdown_table(breakdown: dict[str, Any], column: str) -> str:
    rows = [[column, "n", "violating", "recall@review", "FPR@review", "ROC-AUC"]]
    rows += [
        [g, v["n"], v["n_violating"], v["recall_review"], v["fpr_review"], v["roc_auc"]] for g, v in breakdown.items()
    ]
    return markdown_table(rows)


def _calibration_table(calibration: dict[str, Any]) -> str:
    rows = [["risk bin", "n", "mean risk", "share violating"]]
    rows += [
        [f"{b['low']:.1f}-{b['high']:.1f}", b["n"], b["mean_risk"], b["frac_violating"]] for b in calibration["bins"]
    ]
    return f"{markdown_table(rows)}\n\nECE: {fmt(calibration['ece'])}; Brier score: {fmt(calibration['brier'])}"


_ERROR_TITLES = {
    "false_positives": "False positives at the review threshold (highest risk first)",
    "false_negatives": "False negatives at the review threshold (lowest risk first)",
    "top_scoring": "Highest-scoring posts (no violating posts in this file)",
}


def _error_table(entries: list[dict[str, Any]]) -> str:
    if not entries:
        return "None."
    keys = ["row", "id", "label", "predicted", "risk", "evidence"] + (["text"] if "text" in entries[0] else [])
    return markdown_table([keys, *[[e[k] for k in keys] for e in entries]])


def _file_section(name: str, file_result: dict[str, Any]) -> str:
    scorers = file_result["scorers"]
    model = scorers["model"]
    source = f"(data file `{name}`)"
    parts = [
        f"## {name}",
        f"Path: `{file_result['path']}`; {model['n']} posts, {model['n_violating']} violating"
        + ("" if file_result["labelled"] else " (no label column: every post counted as benign)")
        + ".",
        f"### Risk metrics {source}",
        _risk_table(scorers),
    ]
    if model["n_violating"] == 0:
        parts.append("No violating posts: ROC-AUC, PR-AUC and recall are undefined (null); FPR is the measure here.")
    parts.append(f"### Plots {source}")
    titles = {"roc": "ROC", "pr": "Precision-recall", "reliability": "Reliability", "lang": "Per-language rates"}
    parts += [f"![{titles[k]} - {name}]({png})" for k, png in file_result["plots"].items()]
    parts += [f"### Labels, model {source}", _label_tables(model["labels"])]
    for column in ("lang", "kind", "obfuscated"):
        if f"by_{column}" in model:
            parts += [f"### By {column}, model {source}", _breakdown_table(model[f"by_{column}"], column)]
    parts += [f"### Calibration of risk, model {source}", _calibration_table(model["calibration"])]
    for key, entries in file_result["errors"].items():
        parts += [f"### {_ERROR_TITLES[key]}, model {source}", _error_table(entries)]
    return "\n\n".join(parts)


def render(result: dict[str, Any]) -> str:
    """The whole Markdown report."""
    info = result["model"]
    parts = [
        "# Evaluation report",
        f"Model `{info['name']}` {info['version']} (`{info['path']}`, trained {info['trained_at']}); "
        f"thresholds review {fmt(info['thresholds']['review'])}, action {fmt(info['thresholds']['action'])}. "
        f"Bootstrap: {result['bootstrap_resamples']} resamples, seed {result['seed']}. "
        "Risk = 1 - P(benign); violating = any label but benign.",
    ]
    if result["no_text"]:
        parts.append(
            "Generated with `--no-text`: no post text; error listings give row numbers (0-based), ids and "
            "evidence summaries with phone numbers, links and handles redacted."
        )
    parts += ["## Summary (all data files)", markdown_table(summary_rows(result))]
    parts += [f"Note: {note}" for note in result["notes"]]
    if any(len(f["scorers"]) > 1 for f in result["files"].values()):
        parts += [
            "## Where the default model does not beat a baseline",
            "Baselines are trained on the model's training corpus; their thresholds come from a 10 % hold-out "
            "of that corpus, whose posts are close to the ones they were fitted on, so their cut-offs sit high and "
            "trade recall for FPR. Threshold-free figures (ROC-AUC, PR-AUC, recall at fixed FPR) compare them most "
            "fairly. Listed: every metric of the summary where a baseline scores at least as well as the model.",
            "\n".join(f"- {line}" for line in not_beaten(result)) or "Nowhere: the model is ahead on every metric.",
        ]
    parts += [_file_section(name, f) for name, f in result["files"].items()]
    return "\n\n".join(parts) + "\n"
