"""Metric computation of eval/ against hand-computed and scikit-learn values."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from adclassify.models import pick_thresholds
from eval import metrics as m
from eval.evaluate import EvalData, evaluate_scores
from eval.report import not_beaten

Y = np.array([False, False, True, True])
S = np.array([0.1, 0.4, 0.35, 0.8])


def test_auc_of_toy_example():
    # positive 0.35 outranks one of two negatives, positive 0.8 both: 3 of 4 pairs
    assert m.roc_auc(Y, S) == 0.75
    # ranked: 0.8 (P=1, R=1/2), 0.4, 0.35 (P=2/3, R=1): AP = 1/2 * 1 + 1/2 * 2/3
    assert m.pr_auc(Y, S) == round(0.5 + 1 / 3, 4)


def test_ties_count_half():
    assert m.roc_auc(np.array([False, True]), np.array([0.5, 0.5])) == 0.5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ranking_metrics_match_sklearn(seed):
    rng = np.random.default_rng(seed)
    y = rng.random(500) < 0.3
    s = np.round(rng.random(500) + 0.4 * y, 2)  # rounded: many ties
    assert m.roc_auc(y, s) == round(roc_auc_score(y, s), 4)
    assert m.pr_auc(y, s) == round(average_precision_score(y, s), 4)


def test_ece_and_brier_of_toy_example():
    risk = np.array([0.05, 0.15, 0.95, 0.85])
    y = np.array([False, False, True, False])
    cal = m.calibration(y, risk)
    # one post per bin; gaps 0.05, 0.15, 0.05, 0.85
    assert cal["ece"] == 0.275
    assert cal["brier"] == round((0.05**2 + 0.15**2 + 0.05**2 + 0.85**2) / 4, 4)
    assert [b["n"] for b in cal["bins"]] == [1, 1, 0, 0, 0, 0, 0, 0, 1, 1]
    assert cal["bins"][8] == {"low": 0.8, "high": 0.9, "n": 1, "mean_risk": 0.85, "frac_violating": 0.0}


def test_perfect_calibration_has_zero_ece():
    assert m.calibration(np.array([False, True]), np.array([0.0, 1.0]))["ece"] == 0.0


def test_bootstrap_ci_contains_point_and_is_reproducible():
    rng = np.random.default_rng(0)
    y = rng.random(300) < 0.4
    s = rng.random(300) + 0.5 * y
    for statistic, point in (("roc_auc", m.roc_auc(y, s)), ("pr_auc", m.pr_auc(y, s))):
        ci = m.bootstrap_ci(y, s, statistic, n_resamples=300, seed=7)
        assert ci[0] <= point <= ci[1]
        assert ci[0] < ci[1]
        assert m.bootstrap_ci(y, s, statistic, n_resamples=300, seed=7) == ci
        assert m.bootstrap_ci(y, s, statistic, n_resamples=300, seed=8) != ci
        assert m.bootstrap_ci(y, s, statistic, n_resamples=0) is None  # --bootstrap 0: no interval


def test_bootstrap_does_not_depend_on_chunking():
    y, s = np.tile(Y, 10), np.tile(S, 10) + np.arange(40) * 1e-3
    assert m.bootstrap_ci(y, s, "roc_auc", n_resamples=50, chunk=7) == m.bootstrap_ci(
        y, s, "roc_auc", n_resamples=50, chunk=50
    )


def test_all_benign_data_gives_null_auc_and_correct_fpr():
    y = np.zeros(4, dtype=bool)
    risk = np.array([0.1, 0.6, 0.7, 0.2])
    assert m.roc_auc(y, risk) is None
    assert m.pr_auc(y, risk) is None
    assert m.bootstrap_ci(y, risk, "roc_auc") is None
    assert m.recall_at_fpr(y, risk, 0.01) is None
    rates = m.rates_at(y, risk, 0.5)
    assert rates["fpr"] == 0.5
    assert rates["recall"] is None
    assert rates["flagged"] == 2


def test_rates_and_recall_at_fixed_fpr():
    y = np.array([True, True, True, False, False, False, False])
    risk = np.array([0.9, 0.6, 0.3, 0.7, 0.2, 0.1, 0.05])
    rates = m.rates_at(y, risk, 0.5)
    assert (rates["recall"], rates["fpr"], rates["precision"]) == (0.6667, 0.25, 0.6667)
    # FPR <= 1 %: no benign post may be flagged, so the cut-off is above 0.7
    assert m.recall_at_fpr(y, risk, 0.01) == 0.3333
    # FPR <= 25 %: one benign post (0.7) may be flagged, the cut-off is just above 0.2
    assert m.recall_at_fpr(y, risk, 0.25) == 1.0
    assert m.recall_at_fpr(y, risk, 0.2) == 0.3333


def test_label_metrics():
    labels = ["benign", "smuggling_offer", "document_fraud"]
    true = ["benign", "benign", "smuggling_offer", "document_fraud"]
    pred = ["benign", "smuggling_offer", "smuggling_offer", "document_fraud"]
    out = m.label_metrics(true, pred, labels)
    assert out["per_label"]["smuggling_offer"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1}
    assert out["macro_f1"] == round((2 / 3 + 2 / 3 + 1) / 3, 4)
    assert out["confusion"] == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    assert m.label_metrics(["benign"] * 2, ["benign", "smuggling_offer"], labels)["macro_f1"] is None


def test_group_breakdown():
    out = m.group_breakdown(["en", "en", "fr", "fr"], Y, S, 0.3)
    assert out["en"] == {"n": 2, "n_violating": 0, "recall_review": None, "fpr_review": 0.5, "roc_auc": None}
    assert out["fr"]["recall_review"] == 1.0


def test_pick_thresholds():
    risk = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1])
    violating = np.array([True, True, True, False, True, False, True, False, False, False])
    # 5 violating: recall >= 0.95 needs all 5, the lowest at 0.4; precision 1.0 holds down to 0.8
    assert pick_thresholds(risk, violating) == {"review": 0.4, "action": 0.8}
    assert pick_thresholds(risk, violating, recall=0.6) == {"review": 0.8, "action": 0.8}


def test_cut_offs_never_rise_above_the_post_that_sets_them():
    # rounding 0.7000006 to the nearest 1e-6 gave 0.700001, above the third violating post
    risk, violating = np.array([0.9, 0.8, 0.7000006, 0.2]), np.array([True, True, True, False])
    cuts = pick_thresholds(risk, violating)
    assert (risk[violating] >= cuts["review"]).all() and risk[2] >= cuts["action"]
    assert pick_thresholds(np.array([]), np.array([], dtype=bool), prevalence=0.01) == {"review": 0.5, "action": 1.0}


class _Fixed:
    labels = ("benign", "smuggling_offer")
    thresholds = {"review": 0.5, "action": 0.9}


def test_evaluate_scores_on_unlabelled_data():
    data = EvalData("x.jsonl", ["a", "b", "c", "d"], ["benign"] * 4, False, lang=["en", "en", "fr", "fr"])
    proba = np.array([[0.9, 0.1], [0.3, 0.7], [0.05, 0.95], [0.8, 0.2]])
    out = evaluate_scores(data, proba, _Fixed(), n_resamples=50)
    assert out["risk"]["roc_auc"] is None and out["risk"]["roc_auc_ci95"] is None
    assert out["risk"]["review"]["fpr"] == 0.5
    assert out["risk"]["action"]["fpr"] == 0.25
    assert out["labels"]["macro_f1"] is None
    assert out["by_lang"]["fr"]["fpr_review"] == 0.5
    assert "by_kind" not in out


def test_not_beaten_lists_metrics_where_a_baseline_is_as_good():
    def scores(auc, fpr):
        return {
            "n": 1,
            "n_violating": 1,
            "risk": {
                "roc_auc": auc,
                "roc_auc_ci95": None,
                "pr_auc": None,
                "review": {"recall": None, "fpr": fpr},
                "action": {"recall": None, "fpr": None},
                "recall_at_fpr": {"0.01": None, "0.05": None},
            },
            "labels": {"macro_f1": None},
            "calibration": {"ece": None, "brier": None},
        }

    result = {"files": {"d.jsonl": {"scorers": {"model": scores(0.9, 0.1), "tfidf": scores(0.95, 0.2)}}}}
    assert not_beaten(result) == ["`d.jsonl`: ROC-AUC of tfidf is 0.9500, model 0.9000"]


def test_overlap_check_finds_shared_passages_and_only_those(tmp_path):
    import json as _json

    from eval.overlap import PHRASES, find_overlaps

    phrase = max(_json.loads((PHRASES / "en.json").read_text("utf-8"))["benign"]["news"], key=len)
    data = tmp_path / "eval.jsonl"
    rows = [{"text": "nothing in common here, just a birthday post 🎂"}, {"text": "As reported: " + phrase.upper()}]
    data.write_text("\n".join(_json.dumps(r) for r in rows) + "\n", "utf-8")
    found = find_overlaps([str(data)], width=40)
    assert [post for _, _, post in found] == ["eval.jsonl:row 2"] * len(found)
    assert phrase in [text for _, text, _ in found]
