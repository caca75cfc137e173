"""The model card (README.md of a model directory), rendered from its metadata."""

from __future__ import annotations

from typing import Any


def _table(by_lang: dict[str, dict[str, Any]]) -> str:
    lines = ["| lang | n | ROC-AUC | recall at review | FPR at review |", "| --- | --- | --- | --- | --- |"]
    for lang, fig in sorted(by_lang.items()):
        cells = [str(fig.get(key, "–")) for key in ("n", "roc_auc", "recall_review", "fpr_review")]
        lines.append(f"| {lang} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_card(metadata: dict[str, Any]) -> str:
    """Markdown model card: intended use, limitations, data, thresholds, metrics."""
    test = metadata["metrics"]["test"]
    thresholds = metadata["thresholds"]
    external = metadata.get("evaluation", {})
    keys = ("n", "roc_auc", "macro_f1", "recall_review", "fpr_review", "recall_action", "fpr_action")
    ext_lines = (
        "\n".join(
            f"| {name} | " + " | ".join(str(fig.get(k, "–")) for k in keys) + " |" for name, fig in external.items()
        )
        or "| (none recorded) | | | | | | | |"
    )
    langs = "\n\n".join(f"### {name}, by language\n\n{_table(fig['by_lang'])}" for name, fig in external.items())
    return f"""# Model card: {metadata["name"]} {metadata["version"]}

## Intended use
Scores social-media posts for people-smuggling advertising, in about twenty
languages, with the labels `benign`, `smuggling_offer`, `document_fraud`,
`recruitment_lure` and `smuggling_request`. `risk` is the probability of any
violating label. Use it to rank posts for human review (`review` threshold)
and, where a platform accepts it, to act on the clearest cases (`action`).
It is not meant to decide about people, nor to act without human review on
posts below the action threshold.

## Training data
{metadata["training_data"]["rows"]} posts: labelled posts composed by `training/generate.py`
from the hand-written phrase banks in `training/phrases/`, plus benign
"background chatter" sampled by `training/background.py` from word-frequency
lists (sha256 of the data: `{metadata["training_data"]["sha256"][:16]}…`). No
real posts and no evaluation data were used. Seed {metadata["seed"]}; trained
{metadata["trained_at"]}; reproduced exactly by `python -m training.train`.

## Thresholds
- review: {thresholds["review"]} (highest cut-off keeping recall >= 0.95 on the validation split)
- action: {thresholds["action"]} (lowest cut-off with precision >= 0.98 on the validation split)

## Held-out test split (phrases never seen in training)
ROC-AUC {test.get("roc_auc")}, macro-F1 {test.get("macro_f1")}, recall at review
{test.get("recall_review")}, FPR at review {test.get("fpr_review")}.

{_table(test["by_lang"])}

## Evaluation on independent data
Measured by `python -m training.train --eval FILE ...` after training; these
files played no part in training or in choosing the thresholds. The devset
is 320 independently written posts in about 20 languages; real_posts are
11,900 ordinary public posts; migration_posts and news_migration are real
posts and news about migration (hard negatives). See `eval/reports/` for the
full reports.

| data | n | ROC-AUC | macro-F1 | recall at review | FPR at review | recall at action | FPR at action |
| --- | --- | --- | --- | --- | --- | --- | --- |
{ext_lines}

{langs}

## Limitations
- Trained only on composed posts: real adverts use slang, images and
  context it has never seen. Figures on independent data are lower than on
  the held-out split; see `eval/reports/`.
- Languages with few phrases (Pashto, Tigrinya, Amharic) are weaker.
- On ordinary real posts the false-positive rate at the review threshold is
  about 1.4%, and about 9% on migration news (table above): more than a
  platform can review at scale. Use the action threshold, or a threshold
  chosen on the platform's own sample, until the training data improves.
- Text only: adverts in images or voice notes are invisible to it.
- Posts longer than 4000 characters are scored by their riskiest window.
"""
