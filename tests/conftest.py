"""Shared fixtures: a tiny model trained in seconds, and the shipped model."""

from __future__ import annotations

import pytest
from hypothesis import settings

import adclassify
from adclassify.models import build_pipeline, save_pipeline

# Property tests draw the same examples on every run: a failure in CI is
# reproducible, and a run never fails by the luck of the draw.
settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.load_profile("deterministic")

TINY_POSTS = {
    "smuggling_offer": [
        "Crossing to UK this week, 4 places left, WhatsApp +44 7700 900123",
        "boat from Zuwara to Italy, 2000 euro, pay on arrival, safe trip",
        "game to England tonight by lorry, 3 tries, call 07700 900456",
        "new trip Turkey to Greece by yacht, VIP, no police, telegram @safe_trip_77",
    ],
    "document_fraud": [
        "Schengen visa without interview, any profile, 100% approved",
        "original passport and residence card, real in the system, inbox",
        "fake ID cards Greece, pass every check, pay after delivery",
    ],
    "recruitment_lure": [
        "work in UK nail salon, we pay your flight, repay from salary, no papers needed",
        "farm jobs Italy, passport kept by the boss, agent fee 800 euro",
        "factory work Poland, we arrange the trip, debt taken from wages",
    ],
    "smuggling_request": [
        "who can take me from Libya to Italy? how much?",
        "need a smuggler to UK, we are 3 adults, send me a number",
        "anyone know the way to Germany without papers? how much",
    ],
    "benign": [
        "happy birthday my sister, love you",
        "ferry tickets Dover to Calais from 45 pounds, book online",
        "police arrested two smugglers in Calais, the court said",
        "dinghy for sale 6 m outboard 40hp",
        "great match last night, what a goal",
        "licensed immigration lawyer, family reunion visas",
        "the sea is deadly, do not trust smugglers",
        "cooking rice with chicken tonight",
    ],
}
THRESHOLDS = {"review": 0.5, "action": 0.9}


def tiny_corpus() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for label, posts in TINY_POSTS.items():
        texts += posts
        labels += [label] * len(posts)
    return texts, labels


def train_tiny():
    texts, labels = tiny_corpus()
    pipe = build_pipeline({"ngrams": {"n_features": 4096}, "classifier": {"calibration_fraction": 0.0}})
    return pipe.fit(texts, labels)


@pytest.fixture(scope="session")
def tiny_pipeline():
    return train_tiny()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, tiny_pipeline):
    directory = tmp_path_factory.mktemp("tiny_model")
    canary = ["Crossing to UK this week", "happy birthday"]
    metadata = {
        "name": "tiny",
        "version": adclassify.__version__,
        "library_version": adclassify.__version__,
        "thresholds": THRESHOLDS,
        "canary": {"texts": canary, "scores": tiny_pipeline.predict_proba(canary).round(6).tolist()},
    }
    save_pipeline(tiny_pipeline, directory, metadata, "# tiny model\n")
    return directory


@pytest.fixture(scope="session")
def tiny(tiny_model_dir):
    return adclassify.load_model(tiny_model_dir)


@pytest.fixture(scope="session")
def default_model():
    return adclassify.load_model()
