"""End to end: ``eval.evaluate.main`` on a tiny model and tiny fictional data files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import f1_score, roc_auc_score

import adclassify
from eval.evaluate import main

# Fictional posts, contacts from the reserved drama ranges.
POSTS = [
    (
        "smuggling_offer",
        "en",
        "boat_offer",
        False,
        "boat to Italy next week, 1800 euro, safe trip, call +44 7700 900777",
    ),
    ("smuggling_offer", "fr", "boat_offer", True, "p a s s a g e UK en camion, 3 essais, whatsapp +44 7700 900888"),
    ("smuggling_offer", "en", "lorry_offer", False, "lorry to England tonight, 2 places left, telegram @uk_road_99"),
    ("document_fraud", "en", "documents", False, "real passports and visas, pass every control, inbox for price"),
    ("document_fraud", "en", "documents", True, "sch3ng3n v1sa no interview 100% approved"),
    ("recruitment_lure", "en", "job_lure", False, "farm work in Spain, flight paid, salary keeps the debt, no papers"),
    ("smuggling_request", "en", "request", False, "how much to get from Libya to Italy? need a smuggler"),
    ("smuggling_request", "en", "request", True, "anyone take me to UK? how much bro"),
    ("benign", "en", "news", False, "court jails three smugglers after the boat tragedy"),
    ("benign", "en", "chatter", False, "lovely dinner with my family tonight"),
    ("benign", "fr", "chatter", False, "bon anniversaire mon frere"),
    ("benign", "en", "boat_sale", False, "fishing boat for sale, 5 m, good engine"),
    ("benign", "en", "travel", False, "train tickets to Paris are cheaper on weekdays"),
    ("benign", "en", "news", False, "charity warns migrants that the channel crossing is deadly"),
]


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture
def data_files(tmp_path):
    labelled = _write_jsonl(
        tmp_path / "tiny_eval.jsonl",
        [
            {"id": f"T-{i}", "text": t, "label": lab, "lang": lang, "kind": kind, "obfuscated": obf}
            for i, (lab, lang, kind, obf, t) in enumerate(POSTS)
        ],
    )
    unlabelled = _write_jsonl(
        tmp_path / "platform.jsonl",
        [{"id": f"P-{i}", "text": t, "lang": "en"} for i, (lab, _, _, _, t) in enumerate(POSTS) if lab == "benign"],
    )
    return labelled, unlabelled


def test_evaluate_writes_report_and_metrics_match(tmp_path, tiny_model_dir, data_files, capsys):
    labelled, unlabelled = data_files
    out = tmp_path / "report"
    args = ["--model", str(tiny_model_dir), "--data", str(labelled), str(unlabelled), "--report", str(out)]
    assert main([*args, "--no-text", "--bootstrap", "200"]) == 0

    metrics = json.loads((out / "metrics.json").read_text("utf-8"))
    report = (out / "report.md").read_text("utf-8")
    for name in ("tiny_eval_roc.png", "tiny_eval_pr.png", "tiny_eval_reliability.png", "tiny_eval_lang.png"):
        assert (out / name).stat().st_size > 1000
        assert f"]({name})" in report
    assert not (out / "platform_roc.png").exists()
    assert all(text not in report and text not in json.dumps(metrics) for *_, text in POSTS)
    assert "900777" not in report and "uk_road_99" not in report

    clf = adclassify.load_model(tiny_model_dir)
    texts = [p[-1] for p in POSTS]
    violating = np.array([p[0] != "benign" for p in POSTS])
    risk = clf.risk(texts)
    model = metrics["files"]["tiny_eval.jsonl"]["scorers"]["model"]
    assert model["risk"]["roc_auc"] == round(roc_auc_score(violating, risk), 4)
    assert model["risk"]["review"]["recall"] == round(float((risk[violating] >= 0.5).mean()), 4)
    assert model["risk"]["review"]["fpr"] == round(float((risk[~violating] >= 0.5).mean()), 4)
    labels = [p[0] for p in POSTS]
    assert model["labels"]["macro_f1"] == round(f1_score(labels, clf.predict(texts), average="macro"), 4)
    assert model["by_obfuscated"]["obfuscated"]["n_violating"] == 3
    assert set(model["by_kind"]) == {p[2] for p in POSTS}

    platform = metrics["files"]["platform.jsonl"]
    assert platform["labelled"] is False
    assert platform["scorers"]["model"]["risk"]["roc_auc"] is None
    benign_risk = risk[~violating]
    assert platform["scorers"]["model"]["risk"]["review"]["fpr"] == round(float((benign_risk >= 0.5).mean()), 4)
    top = platform["errors"]["top_scoring"]
    assert [e["id"] for e in top] == [
        f"P-{i}" for i in np.flatnonzero(~violating)[np.argsort(-benign_risk, kind="stable")]
    ]
    assert all("text" not in e for e in top)

    printed = capsys.readouterr().out
    assert f"{model['risk']['roc_auc']:.4f}" in printed and "platform.jsonl" in printed


def test_evaluate_with_text_lists_errors_with_text(tmp_path, tiny_model_dir):
    # Two labels swapped on purpose, so that the model surely gets both wrong:
    # an advert with a phone number marked benign, a dinner marked as an offer.
    swapped = {0: "benign", 9: "smuggling_offer"}
    labelled = _write_jsonl(
        tmp_path / "tiny_eval.jsonl",
        [{"id": f"T-{i}", "text": t, "label": swapped.get(i, lab)} for i, (lab, *_, t) in enumerate(POSTS)],
    )
    out = tmp_path / "report"
    assert (
        main(["--model", str(tiny_model_dir), "--data", str(labelled), "--report", str(out), "--bootstrap", "50"]) == 0
    )
    errors = json.loads((out / "metrics.json").read_text("utf-8"))["files"]["tiny_eval.jsonl"]["errors"]
    assert 0 in {e["row"] for e in errors["false_positives"]}
    assert 9 in {e["row"] for e in errors["false_negatives"]}
    assert all(e["text"] == POSTS[e["row"]][-1] for e in errors["false_positives"] + errors["false_negatives"])


def test_baselines_are_tabled_beside_the_model(tmp_path, tiny_model_dir, data_files):
    labelled, _ = data_files
    corpus = _write_jsonl(
        tmp_path / "corpus.jsonl",
        [{"text": f"{t} {suffix}", "label": lab} for lab, *_, t in POSTS for suffix in ("", "!", "ok", "pls", "now")],
    )
    out = tmp_path / "report"
    argv = ["--model", str(tiny_model_dir), "--data", str(labelled), "--report", str(out), "--no-text"]
    assert main([*argv, "--baselines", "--train-data", str(corpus), "--bootstrap", "50"]) == 0
    metrics = json.loads((out / "metrics.json").read_text("utf-8"))
    scorers = metrics["files"]["tiny_eval.jsonl"]["scorers"]
    assert "tfidf_char_lr" in scorers
    assert ("fasttext" in scorers) != bool(metrics["notes"])
    assert set(scorers["tfidf_char_lr"]["thresholds"]) == {"review", "action"}
    assert "## Where the default model does not beat a baseline" in (out / "report.md").read_text("utf-8")
