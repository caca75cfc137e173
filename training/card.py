"""The model card (README.md of a model directory), rendered from its metadata."""

from __future__ import annotations

from typing import Any

from adclassify.models import threshold_rules


def _table(by_lang: dict[str, dict[str, Any]]) -> str:
    lines = ["| lang | n | ROC-AUC | recall at review | FPR at review |", "| --- | --- | --- | --- | --- |"]
    for lang, fig in sorted(by_lang.items()):
        cells = [str(fig.get(key, "–")) for key in ("n", "roc_auc", "recall_review", "fpr_review")]
        lines.append(f"| {lang} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _members(metadata: dict[str, Any]) -> str:
    members = metadata["training_data"].get("members", [])
    if not members:
        return ""
    seeds = ", ".join(str(m["seed"]) for m in members)
    return f"the average of {len(members)} models, each fitted on its own draw of the corpus (seeds {seeds}); "


def _find(external: dict[str, dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((fig for path, fig in external.items() if name in path), None)


def _quality_bar(external: dict[str, dict[str, Any]]) -> str:
    """The project's quality bar, measured, when the evaluation sets were given to ``--eval``."""
    dev, real = _find(external, "devset"), _find(external, "real_posts")
    hard = [fig for fig in (_find(external, "migration_posts"), _find(external, "news_migration")) if fig]
    if not (dev and real and hard):
        return ""
    big = {lang: fig for lang, fig in dev["by_lang"].items() if fig.get("n_violating", 0) >= 8}
    worst = min(big.items(), key=lambda item: item[1].get("recall_review", 1.0)) if big else ("–", {})
    n_hard = sum(fig["n"] for fig in hard)
    # from the counts where the metadata has them (rounded rates would shift the 4th decimal)
    hard_fpr = sum(fig.get("false_positives_review", fig["n"] * fig.get("fpr_review", 0.0)) for fig in hard) / n_hard

    def row(figure: str, bar: str, value: float | None, ok: bool) -> str:
        return f"| {figure} | {bar} | {value if value is not None else '–'} | {'met' if ok else '**NOT met**'} |"

    rec = {lang: fig.get("recall_review") for lang, fig in sorted(big.items())}
    rows = [
        row("devset risk ROC-AUC", ">= 0.97", dev.get("roc_auc"), (dev.get("roc_auc") or 0) >= 0.97),
        row("devset macro-F1", ">= 0.80", dev.get("macro_f1"), (dev.get("macro_f1") or 0) >= 0.80),
        row(
            f"devset recall at review, worst language with >= 8 violating posts ({worst[0]})",
            ">= 0.90",
            worst[1].get("recall_review"),
            bool(rec) and all((r or 0) >= 0.90 for r in rec.values()),
        ),
        row(
            "devset recall at review, obfuscated violating posts",
            ">= 0.90",
            dev.get("obfuscated_recall_review"),
            (dev.get("obfuscated_recall_review") or 0) >= 0.90,
        ),
        row("real_posts FPR at review", "<= 0.003", real.get("fpr_review"), real.get("fpr_review", 1) <= 0.003),
        row("real_posts FPR at action", "0", real.get("fpr_action"), real.get("fpr_action", 1) == 0),
        row(
            "migration_posts + news_migration FPR at review",
            "<= 0.03",
            round(hard_fpr, 4),
            hard_fpr <= 0.03,
        ),
    ]
    per_lang = ", ".join(f"{lang} {r}" for lang, r in rec.items())
    return (
        "## Quality bar\n\n| figure | bar | measured | status |\n| --- | --- | --- | --- |\n"
        + "\n".join(rows)
        + f"\n\nRecall at review per language with >= 8 violating devset posts: {per_lang}.\n\n"
    )


def _fpr(fig: dict[str, Any] | None, key: str) -> str:
    return f"{100 * fig[key]:.2f}%" if fig and key in fig else "not measured"


def _gate(metadata: dict[str, Any]) -> str:
    """The evidence rule, when the model has it."""
    if not metadata.get("require_evidence"):
        return ""
    return (
        "- evidence required: a post in which the lexicons and detectors find nothing of a violating\n"
        "  kind (contact, price, place, mode, document, job, offer, request...) gets risk 0\n"
    )


def _prevalence(metadata: dict[str, Any]) -> str:
    """How the action precision was weighted, when it was."""
    share = threshold_rules(metadata).get("action_prevalence")
    return "" if share is None else f", reweighted as if {share:.2%} of posts were violating"


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
real posts and no evaluation data were used. Seed {metadata["seed"]}; {_members(metadata)}trained
{metadata["trained_at"]}; reproduced exactly by `python -m training.train`.

## Thresholds
- review: {thresholds["review"]} (highest cut-off keeping recall >= 0.95 on the validation split)
- action: {thresholds["action"]} (lowest cut-off with precision >= 0.98 on the validation split{_prevalence(metadata)})
{_gate(metadata)}
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

{_quality_bar(external)}
## Limitations
- Trained only on composed posts: real adverts use slang, images and
  context it has never seen. Figures on independent data are lower than on
  the held-out split; see `eval/reports/`.
- Languages with few phrases (Pashto, Tigrinya, Amharic) are weaker.
- False-positive rate at the review threshold: {_fpr(_find(external, "real_posts"), "fpr_review")} on
  ordinary real posts, {_fpr(_find(external, "news_migration"), "fpr_review")} on migration news (tables
  above). A platform should check the review threshold on its own sample,
  or use the action threshold, before acting at scale.
- Text only: adverts in images or voice notes are invisible to it.
- Posts longer than 4000 characters are scored by their riskiest window.
"""
