"""Training data: the generator, its splits, and loading files through datasets."""

import json
import re

import pytest

from adclassify.data import load_posts
from adclassify.models import pick_thresholds
from training.generate import SPLITS, Generator, load_banks, split_of


def test_generator_is_deterministic_and_covers_labels():
    a = list(Generator("train", seed=3).posts({"smuggling_offer": 3, "benign": 3}))
    b = list(Generator("train", seed=3).posts({"smuggling_offer": 3, "benign": 3}))
    assert a == b
    assert {r["label"] for r in a} == {"smuggling_offer", "benign"}
    assert len({r["lang"] for r in a}) >= 20
    for row in a:
        assert "{phone}" not in row["text"] and "{price}" not in row["text"]


def test_splits_share_no_phrase():
    banks = load_banks()
    for bank in banks.values():
        for group in ("slots", "posts", "benign"):
            for items in bank.get(group, {}).values():
                for item in items:
                    assert split_of(item) in SPLITS
    train = Generator("train", 0, banks)
    test = Generator("test", 0, banks)
    for lang, bank in banks.items():
        for part in ("slots", "posts", "benign"):
            for key, items in test.banks[lang][part].items():
                assert {split_of(item) for item in items} == {"test"}, (lang, part, key)
                # Train falls back to the whole list only when no phrase of it hashes to train.
                if any(split_of(item) == "train" for item in bank[part][key]):
                    assert not set(items) & set(train.banks[lang][part][key]), (lang, part, key)


def test_unknown_split_is_refused():
    """A misspelt split name would otherwise draw from no phrase at all and give an empty corpus."""
    with pytest.raises(ValueError, match="validation"):
        Generator("validation", 0, banks={})


def test_everyday_emojis_do_not_depend_on_the_label():
    """Violating and benign posts get everyday emojis equally often; only topical ones differ."""
    from training.generate import DECORATION, TOPICAL

    def shares(topical: float) -> tuple[float, float]:
        gen = Generator("train", seed=5, banks={})
        posts = [gen.decorate("plain words", topical) for _ in range(4000)]
        return tuple(sum(any(e in p for e in pool) for p in posts) / len(posts) for pool in (DECORATION, TOPICAL))

    violating, benign = shares(0.25), shares(0.05)
    assert abs(violating[0] - benign[0]) < 0.03
    assert violating[1] > benign[1] + 0.1


def test_banks_hold_only_placeholders_and_no_phone_numbers():
    """Contacts in the banks are placeholders the generator fills with fictional ones."""
    allowed = {"{phone}", "{handle}", "{n}", "{num}", "{price}"}
    for lang, bank in load_banks().items():
        for group in ("slots", "posts", "benign"):
            for key, items in bank.get(group, {}).items():
                for item in items:
                    assert set(re.findall(r"\{[^{}]*\}", item)) <= allowed, (lang, key)
                    assert not re.search(r"\d(?:[ .-]?\d){7}", item), (lang, key)


def test_action_precision_at_a_lower_prevalence_needs_a_higher_cut():
    import numpy as np

    rng = np.random.default_rng(0)
    violating = rng.random(4000) < 0.2
    risk = np.clip(rng.normal(np.where(violating, 0.75, 0.3), 0.15), 0, 1)
    own = pick_thresholds(risk, violating)
    assert pick_thresholds(risk, violating, prevalence=violating.mean()) == own
    rare = pick_thresholds(risk, violating, prevalence=0.01)
    assert rare["review"] == own["review"] and rare["action"] > own["action"]
    flagged = risk >= rare["action"]
    tpr, fpr = flagged[violating].mean(), flagged[~violating].mean()
    assert 0.01 * tpr / (0.01 * tpr + 0.99 * fpr) >= 0.98 if fpr else tpr > 0


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "parquet"])
def test_load_posts_maps_columns_and_labels(tmp_path, suffix):
    rows = [{"body": "hi", "y": 0}, {"body": "boat to uk", "y": 1}]
    path = tmp_path / f"d.{suffix}"
    if suffix == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    elif suffix == "csv":
        path.write_text("body,y\nhi,0\nboat to uk,1\n")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
    data = load_posts(path, text_column="body", label_column="y", label_map={0: "benign", 1: "smuggling_offer"})
    assert data["text"] == ["hi", "boat to uk"]
    assert data["label"] == ["benign", "smuggling_offer"]
    background = load_posts(path, text_column="body", label_column=None, default_label="benign")
    assert background["label"] == ["benign", "benign"]
    with pytest.raises(ValueError, match="body"):
        load_posts(path, text_column="message")


def test_config_sets_posts_per_label():
    from training.generate import generate

    rows = generate("train", seed=1, scale=0.01, per_lang={"benign": 300, "document_fraud": 100})
    for lang in {r["lang"] for r in rows if r["label"] == "document_fraud"}:
        labels = [r["label"] for r in rows if r["lang"] == lang]
        assert labels.count("benign") == 3 and labels.count("document_fraud") == 1
        assert labels.count("smuggling_offer") == 7  # the default 700 at this scale


def test_kind_weights_leave_out_or_favour_benign_kinds():
    from training.generate import generate

    kinds = lambda rows: [r["kind"] for r in rows if r["label"] == "benign"]  # noqa: E731
    base = kinds(generate("train", seed=2, scale=0.05))
    without = kinds(generate("train", seed=2, scale=0.05, kind_weights={"reply": 0.0}))
    favoured = kinds(generate("train", seed=2, scale=0.05, kind_weights={"reply": 5.0}))
    assert "reply" in base and "reply" not in without
    assert favoured.count("reply") > 2 * base.count("reply")


def test_load_posts_keeps_the_obfuscated_flag(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text("text,label,obfuscated\nw h a t s a p p,smuggling_offer,true\nhello,benign,false\n", "utf-8")
    assert load_posts(path)["obfuscated"] == [True, False]


def test_average_classifiers_is_the_mean_of_calibrated_logits():
    import numpy as np
    import scipy.sparse as sp

    from adclassify.models.linear import CalibratedLinearClassifier, average_classifiers

    rng = np.random.default_rng(0)
    X = sp.random(200, 30, density=0.2, format="csr", random_state=1)
    y = rng.choice(["benign", "document_fraud", "smuggling_offer"], size=200)
    a = CalibratedLinearClassifier(C=0.5, calibration_fraction=0.2, random_state=0).fit(X, y)
    b = CalibratedLinearClassifier(C=5.0, calibration_fraction=0.2, random_state=1).fit(X, y)
    assert a.temperature_ != b.temperature_  # the mean must use each member's own temperature
    avg = average_classifiers([a, b])
    expected = (a.decision_function(X) + b.decision_function(X)) / 2
    assert np.allclose(avg.decision_function(X), expected, atol=1e-5)
    assert avg.get_params() == a.get_params() and avg is not a
    with pytest.raises(ValueError, match="classes"):
        average_classifiers([a, CalibratedLinearClassifier().fit(X, np.where(y == "benign", "benign", "x"))])


def test_average_pipelines_needs_the_same_features():
    from adclassify.models import average_pipelines, build_pipeline

    texts, labels = ["boat to italy", "happy birthday", "visa no interview", "nice goal"] * 5, ["a", "b", "c", "b"] * 5
    no_calibration = {"calibration_fraction": 0.0}
    small = build_pipeline({"ngrams": {"n_features": 2**10}, "classifier": no_calibration}).fit(texts, labels)
    large = build_pipeline({"ngrams": {"n_features": 2**11}, "classifier": no_calibration}).fit(texts, labels)
    with pytest.raises(ValueError, match="feature steps"):
        average_pipelines([small, large])


TINY_CONFIG = """
name = "tiny"
seed = 3
members = {members}
[[sources]]
type = "generator"
scale = 0.004
[pipeline.ngrams]
n_features = 1024
[pipeline.classifier]
C = 1.0
max_iter = 50
"""


def test_members_are_independent_draws_averaged(tmp_path):
    """members = 2 equals the average of the two single models it is made of, seed by seed."""
    import numpy as np

    import adclassify
    from adclassify.models import average_pipelines
    from training.train import main

    def train(members: int, *args: str) -> adclassify.Classifier:
        config = tmp_path / f"tiny{members}.toml"
        config.write_text(TINY_CONFIG.format(members=members), "utf-8")
        out = tmp_path / f"model{members}{''.join(args)}"
        assert main(["--config", str(config), "--out", str(out), *args]) == 0
        return adclassify.load_model(out)

    both = train(2, "--jobs", "2")
    first, second = train(1), train(1, "--seed", "103")
    data = both.metadata["training_data"]
    assert [m["seed"] for m in data["members"]] == [3, 103]
    assert [m["sha256"] for m in data["members"]] == [
        first.metadata["training_data"]["sha256"],
        second.metadata["training_data"]["sha256"],
    ]
    assert data["rows"] == first.metadata["training_data"]["rows"] + second.metadata["training_data"]["rows"]
    texts = ["boat to Italy this week, 3 places, whatsapp", "happy birthday", "who can take me to UK, how much?"]
    averaged = average_pipelines([first.pipeline, second.pipeline])
    # Bit for bit: members fitted in worker processes equal those fitted in this one.
    assert np.array_equal(both.pipeline[-1].coef_, averaged[-1].coef_)
    assert np.array_equal(both.pipeline.predict_proba(texts), averaged.predict_proba(texts))
    assert not np.allclose(first.predict_proba(texts), second.predict_proba(texts), atol=1e-3)

    dump = tmp_path / "corpus.jsonl"
    config = tmp_path / "tiny2.toml"
    assert main(["--config", str(config), "--dump-data", str(dump)]) == 0
    rows = [json.loads(line) for line in dump.read_text("utf-8").splitlines()]
    assert len(rows) == data["rows"]
    assert {r["member"] for r in rows} == {0, 1}


def test_card_combines_hard_negative_sets_from_counts():
    from training.card import _quality_bar

    dev = {"n": 10, "roc_auc": 0.98, "macro_f1": 0.9, "obfuscated_recall_review": 1.0, "by_lang": {}}
    real = {"n": 100, "fpr_review": 0.0, "fpr_action": 0.0}
    # 42 of 3,539 and 188 of 6,447: 0.0230 from the counts, 0.0231 from the rounded rates
    hard = [
        {"n": 3539, "fpr_review": 0.0119, "false_positives_review": 42},
        {"n": 6447, "fpr_review": 0.0292, "false_positives_review": 188},
    ]
    paths = ["devset.jsonl", "real_posts.jsonl", "migration_posts.jsonl", "news_migration.jsonl"]
    card = _quality_bar(dict(zip(paths, [dev, real, *hard], strict=True)))
    assert "| migration_posts + news_migration FPR at review | <= 0.03 | 0.023 | met |" in card


def test_dump_data_writes_each_row_with_its_weight(tmp_path):
    from training.train import main

    posts = tmp_path / "mine.jsonl"
    rows = [{"text": "boat to uk, call +44 7700 900123", "label": "smuggling_offer", "weight": 2.0}, {"text": "hi"}]
    posts.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\ntype = "file"\npath = "{posts}"\ndefault_label = "benign"\nweight = 0.5\n')
    out = tmp_path / "dump.jsonl"
    assert main(["--config", str(config), "--dump-data", str(out)]) == 0
    dumped = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [(r["text"], r["label"], r["weight"]) for r in dumped] == [
        (rows[0]["text"], "smuggling_offer", 1.0),
        ("hi", "benign", 0.5),
    ]
    # an empty label cell without a default is an error, not a label "None"
    with pytest.raises(ValueError, match="no label"):
        load_posts(posts)
