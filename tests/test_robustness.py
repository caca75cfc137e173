"""Evasion and benign perturbations of eval/robustness.py."""

from __future__ import annotations

import json

import pytest

from eval.robustness import BENIGN, EVASION, EXAMPLE, PERTURBATIONS, ZERO_WIDTH, main, perturb

POST = "Boat and lorry to Italy this week, 2000 euro guaranteed, WhatsApp +44 7700 900123, départ très bientôt"


@pytest.mark.parametrize("name", sorted(PERTURBATIONS))
def test_perturbations_are_deterministic_and_change_the_text(name):
    texts = [POST, EXAMPLE]
    first = perturb(name, texts, seed=3)
    assert first == perturb(name, texts, seed=3)
    assert all(p != t for p, t in zip(first, texts, strict=True))


def test_seed_and_row_choose_the_randomness():
    assert perturb("typos", [POST], seed=0) != perturb("typos", [POST], seed=1)
    assert perturb("typos", [POST, POST]) != [perturb("typos", [POST])[0]] * 2


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("spaced_letters", lambda t: sum(len(w) == 1 for w in t.split()) >= 3),
        ("leetspeak", lambda t: any(c in t for c in "4310579")),
        ("homoglyphs", lambda t: any("\u0370" <= c <= "\u04ff" for c in t)),
        ("zero_width", lambda t: any(c in ZERO_WIDTH for c in t)),
        ("emoji_substitution", lambda t: "🚤" in t and "🚛" in t and "🇮🇹" in t and "💶" in t),
        ("diacritics_removed", lambda t: "depart tres bientot" in t),
        ("upper", str.isupper),
        ("hashtags", lambda t: t.startswith(POST) and t.count("#") >= 2),
    ],
)
def test_perturbations_do_what_they_say(name, check):
    assert check(perturb(name, [POST])[0])


def test_evasion_and_benign_sets():
    assert {"spaced_letters", "dotted_letters", "leetspeak", "homoglyphs", "zero_width", "emoji_substitution"} <= set(
        EVASION
    )
    assert {"diacritics_removed", "typos", "upper", "lower", "hashtags", "combined"} <= set(EVASION)
    assert set(BENIGN) == {"zero_width", "typos", "upper", "lower", "hashtags", "emojis"}


def test_combined_applies_three_single_perturbations(monkeypatch):
    for name in [n for n in EVASION if n != "combined"]:
        monkeypatch.setitem(EVASION, name, lambda text, rng, name=name: f"{text}|{name}")
    for seed in range(40):
        steps = perturb("combined", ["x"], seed=seed)[0].split("|")[1:]
        assert len(steps) == len(set(steps)) == 3 and "combined" not in steps


def test_robustness_report(tmp_path, tiny_model_dir):
    rows = [
        {"id": "R-1", "text": "boat to Italy next week, 1800 euro, call +44 7700 900777", "label": "smuggling_offer"},
        {"id": "R-2", "text": "fake passports, pass every control, inbox", "label": "document_fraud"},
        {"id": "R-3", "text": "lovely dinner with my family tonight", "label": "benign"},
        {"id": "R-4", "text": "train tickets to Paris are cheaper on weekdays", "label": "benign"},
    ]
    data = tmp_path / "r.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    out = tmp_path / "rob"
    argv = ["--model", str(tiny_model_dir), "--data", str(data), "--report", str(out), "--no-text"]
    assert main(argv) == 0
    result = json.loads((out / "robustness.json").read_text("utf-8"))
    assert set(result["evasion"]) == set(EVASION) and set(result["benign"]) == set(BENIGN)
    assert result["clean_evasion"]["n"] == 2 and result["clean_benign"]["n"] == 2
    report = (out / "robustness.md").read_text("utf-8")
    assert all(r["text"] not in report for r in rows)
    assert main(argv) == 0 and json.loads((out / "robustness.json").read_text("utf-8")) == result
