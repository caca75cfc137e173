"""The public API that the project's contract (CONTRACT.md, kept beside the repository) states."""

import math
import threading

import numpy as np
import pytest

import adclassify
from adclassify import extract, extract_many
from adclassify.evidence import summarize
from adclassify.lexicon import normalize_keys


def test_public_surface():
    assert set(adclassify.__all__) >= {"load_model", "Classifier", "extract", "__version__"}
    assert all(getattr(adclassify, name) is not None for name in adclassify.__all__)
    assert adclassify.LABELS[0] == "benign"


def test_default_model_contract(default_model):
    clf = default_model
    assert clf.labels == ("benign", "document_fraud", "recruitment_lure", "smuggling_offer", "smuggling_request")
    assert 0 < clf.thresholds["review"] <= clf.thresholds["action"] <= 1
    for key in ("name", "version", "trained_at", "training_data", "metrics", "libraries"):
        assert key in clf.metadata
    texts = ["Crossing to UK this week, 4 places, WhatsApp +44 7700 900123", "Happy birthday grandma!"]
    proba = clf.predict_proba(texts)
    assert proba.shape == (2, 5)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    risk = clf.risk(texts)
    assert risk[0] > clf.thresholds["review"] > risk[1]
    assert clf.predict(texts) == ["smuggling_offer", "benign"]


def test_bad_inputs(tiny):
    pd = pytest.importorskip("pandas")
    posts = [None, float("nan"), np.float32("nan"), pd.NA, "", "   \n\t", "boat to Italy 2000 euro"]
    proba = tiny.predict_proba(posts)
    for row in proba[:6]:
        assert row[0] == 1.0 and row[1:].sum() == 0.0
    assert list(tiny.risk(posts)[:6]) == [0.0] * 6
    records = tiny.score(posts)
    assert [r["label"] for r in records[:6]] == ["benign"] * 6
    assert all(r["evidence"] == [] for r in records[:6])
    with pytest.raises(TypeError, match="position 1"):
        tiny.risk(["ok", 42])
    with pytest.raises(TypeError, match="single string"):
        tiny.risk("a bare string")
    assert tiny.predict_proba([]).shape == (0, 5)


def test_huge_post_is_scored_by_its_riskiest_window(tiny):
    advert = "crossing to UK this week, 4 places left, WhatsApp +44 7700 900123. "
    filler = "cooking rice with chicken tonight. " * 3000
    long_post = filler + advert + filler
    assert len(long_post) > 3 * adclassify.MAX_CHARS
    r_long = tiny.risk([long_post])[0]
    assert r_long > tiny.risk([filler])[0]
    # the window holding the advert decides, not the whole post where it is diluted
    assert r_long > 1 - tiny.pipeline.predict_proba([long_post])[0, 0]
    record = tiny.score([long_post])[0]
    assert any(e["kind"] == "contact" and e["start"] > len(filler) for e in record["evidence"])
    assert 0.0 <= r_long <= 1.0 and not math.isnan(r_long)


def test_score_records(tiny):
    text = "boat from Zuwara to Italy, 2000 euro, WhatsApp +44 7700 900123"
    record = tiny.score([text])[0]
    assert set(record) >= {"risk", "label", "flagged", "probabilities", "evidence", "summary"}
    assert record["flagged"] in (None, "review", "action")
    posts = [text, "hello there", "visa no interview 🇬🇧", "boat to Italy"]
    assert [r["flagged"] for r in tiny.score(posts)] == [tiny.flag(r) for r in tiny.risk(posts)]
    assert tiny.score(["hello there"])[0]["summary"] == summarize(extract("hello there"))
    assert abs(sum(record["probabilities"].values()) - 1) < 1e-9
    assert record["risk"] == pytest.approx(1 - record["probabilities"]["benign"])
    for ev in record["evidence"]:
        assert text[ev["start"] : ev["end"]] == ev["text"]
    kinds = {e["kind"] for e in record["evidence"]}
    assert {"contact", "price", "mode"} <= kinds


def test_explanation_adds_up_to_the_logit(tiny):
    text = "game to England tonight by lorry, call 07700 900456"
    exp = tiny.explain(text, top=1000)
    model = tiny.pipeline.named_steps["classifier"]
    X = tiny.pipeline[:-1].transform([text])
    k = tiny.labels.index(exp["explained_label"])
    logit = model.decision_function(X)[0, k]
    total = exp["intercept"] + sum(c["contribution"] for c in exp["contributions"])
    assert total == pytest.approx(logit, abs=1e-4)
    assert exp["logit"] == pytest.approx(logit, abs=1e-4)
    for c in exp["contributions"]:
        if "span" in c:
            a, b = c["span"]
            assert text[a:b] == c["text"]
    with pytest.raises(TypeError):
        tiny.explain(["not", "a", "str"])


def test_long_post_is_explained_by_the_window_it_was_scored_by(default_model):
    # The ask alone has no evidence; "visa" at the end, in the second window,
    # gives the post evidence. The score comes from the first window.
    ask = "need someone to take me across, please help"
    post = ask.ljust(adclassify.MAX_CHARS) + "visa"
    windows = [post[: adclassify.MAX_CHARS], post[adclassify.MAX_CHARS :]]
    pipeline = default_model.pipeline
    proba = pipeline.predict_proba(windows)
    assert proba[0, 0] < proba[1, 0]
    record = default_model.score([post])[0]
    assert record["risk"] == pytest.approx(1 - proba[0, 0])
    exp = default_model.explain(post)
    k = default_model.labels.index(exp["explained_label"])
    logit = pipeline.named_steps["classifier"].decision_function(pipeline[:-1].transform(windows[:1]))[0, k]
    assert exp["logit"] == pytest.approx(logit, abs=1e-4)


def test_score_batches_streams_in_order(tiny_model_dir):
    clf = adclassify.load_model(tiny_model_dir)
    texts = [f"crossing {i} to UK, boat, call +44 7700 900{i:03d}" for i in range(60)] + ["hi", "", "visa 🇬🇧"] * 10
    batches = [texts[i : i + 7] for i in range(0, len(texts), 7)]
    expected = [clf.score(b) for b in batches]
    assert list(clf.score_batches(iter(batches))) == expected
    assert list(clf.score_batches((b for b in batches), n_jobs=2)) == expected
    assert list(clf.score_batches([])) == []
    assert clf.score([], n_jobs=2) == [] and list(clf.score_batches([[]], n_jobs=2)) == [[]]


def test_batch_size_must_be_positive(tiny):
    for size in (0, -1):
        with pytest.raises(ValueError, match="batch_size"):
            tiny.score(["boat to UK"], batch_size=size)


def test_determinism_across_batches_jobs_and_threads(tiny):
    texts = [f"crossing {i} to UK, boat, call +44 7700 900{i:03d}" for i in range(300)] + ["hi"] * 50
    base = tiny.predict_proba(texts)
    np.testing.assert_array_equal(base, tiny.predict_proba(texts, batch_size=7))
    np.testing.assert_array_equal(base, tiny.predict_proba(texts, n_jobs=2, batch_size=100))
    np.testing.assert_array_equal(1 - base[:, 0], tiny.risk(texts))
    np.testing.assert_array_equal(1 - base[:, 0], [r["risk"] for r in tiny.score(texts)])
    results = [None] * 8

    def work(i):
        results[i] = tiny.predict_proba(texts)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for out in results:
        np.testing.assert_array_equal(out, base)


def test_fast_path_equals_the_pipeline(tiny):
    """The fast path sums the logits block by block: equal to the pipeline's up to float32 rounding."""
    texts = ["boat to Italy 2000 euro, whatsapp +44 7700 900123", "hello there", "visa no interview 🇬🇧", ""]
    fast, plain = tiny.predict_proba(texts), tiny.pipeline.predict_proba(texts)
    np.testing.assert_allclose(fast[:3], plain[:3], rtol=0, atol=1e-6)
    assert not np.array_equal(fast[:3], np.full_like(fast[:3], 0.2))


def test_blockwise_logits_equal_the_joined_matrix(tiny):
    import scipy.sparse as sp

    model = tiny.pipeline.named_steps["classifier"]
    norm = tiny.pipeline.named_steps["normalize"].transform(["boat to Italy, 4 places", "hi", "visa 🇬🇧"])
    ngrams, indicators = (t for _, t in tiny.pipeline.named_steps["features"].transformer_list)
    blocks = [*ngrams.transform_blocks(norm), indicators.transform(norm)]
    np.testing.assert_allclose(
        model.decision_function(blocks), model.decision_function(sp.hstack(blocks).tocsr()), rtol=1e-6, atol=1e-5
    )
    with pytest.raises(ValueError):
        model.decision_function(blocks[:-1])


def test_score_scans_once_and_agrees_with_predict_proba(tiny):
    """score() reuses its evidence scan for the indicator features; the scores must not change."""
    texts = ["boat to Italy 2000 euro, whatsapp +44 7700 900123", "", "hello there", "visa no interview 🇬🇧"]
    assert tiny._shared_indicators is not None  # trained on the package's lexicons
    records = tiny.score(texts)
    np.testing.assert_array_equal([r["risk"] for r in records], tiny.risk(texts))
    assert [r["evidence"] for r in records] == [[e.to_dict() for e in found] for found in extract_many(texts)]
    assert extract_many(texts) == [extract(t) for t in texts]


def test_score_leaves_the_garbage_collector_as_it_found_it(tiny):
    import gc

    assert gc.isenabled()
    tiny.score(["boat to Italy, whatsapp +44 7700 900123"])
    assert gc.isenabled()
    gc.disable()
    try:
        tiny.score(["boat to Italy"])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_model_that_requires_evidence_gives_posts_without_any_risk_zero(tiny_pipeline):
    import copy

    posts = ["what a goal, see you at the beach", "boat to Italy 2000 euro, whatsapp +44 7700 900123"]
    plain = adclassify.Classifier(tiny_pipeline, {})
    gated = adclassify.Classifier(tiny_pipeline, {"require_evidence": True})
    before, after = plain.predict_proba(posts), gated.predict_proba(posts)
    assert {e.kind for e in extract(posts[0])} == {"context"} and extract(posts[1]) != []
    assert before[0, 0] < 1.0
    np.testing.assert_array_equal(after[0], [1.0, 0.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(after[1], before[1])
    records = gated.score(posts)  # the path that counts the indicators from the evidence scan
    assert [r["risk"] for r in records] == [0.0, gated.risk(posts)[1]] and records[0]["label"] == "benign"
    assert [gated.explain(p)["no_evidence"] for p in posts] == [True, False]
    assert not plain.explain(posts[0])["no_evidence"]
    parallel = copy.deepcopy(tiny_pipeline).set_params(features__n_jobs=2)  # the plain scikit-learn path
    np.testing.assert_allclose(
        adclassify.Classifier(parallel, {"require_evidence": True}).predict_proba(posts), after, atol=1e-6
    )
    # A post longer than a window: evidence is looked for in the whole post, so a term
    # cut by a window boundary still counts ("bo" ends the first window, "at" starts the second).
    filler = ("see you at the beach " * 200)[: adclassify.MAX_CHARS - 2]
    cut, none = filler + "boat", filler + "see you"
    assert len(cut) > adclassify.MAX_CHARS and {e.kind for e in extract(cut)} == {"mode"}
    assert gated.risk([cut])[0] == plain.risk([cut])[0] > 0
    assert [r["risk"] for r in gated.score([cut, none])] == gated.risk([cut, none]).tolist()
    assert gated.risk([none])[0] == 0 < plain.risk([none])[0]
    assert gated.explain(cut)["no_evidence"] is False
    legacy = copy.deepcopy(tiny_pipeline)
    indicators = legacy.named_steps["features"].transformer_list[1][1]
    indicators.feature_names_ = indicators.feature_names_[indicators.feature_names_ != "no_evidence"]
    with pytest.raises(adclassify.ModelError, match="no_evidence"):
        adclassify.Classifier(legacy, {"require_evidence": True})


def test_shipped_model_was_fitted_with_this_normaliser(default_model):
    """Lexicon terms are stored normalised when a model is fitted: a change of
    the normaliser needs the default model retrained, or its terms stop matching."""
    indicators = dict(default_model.pipeline["features"].transformer_list)["indicators"]
    stored = np.asarray(indicators.keys_).item().split("\n")
    assert stored == normalize_keys(indicators.rows())
