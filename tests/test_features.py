"""Estimator contract for every transformer, and the fast paths against plain references."""

import re
import unicodedata
from collections import Counter

import numpy as np
import pytest
import skops.io as sio
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from adclassify.evidence import lexicon_hits
from adclassify.features import (
    HashedNgramVectorizer,
    IndicatorVectorizer,
    TextNormalizer,
    hash_layout,
    hash_prepare,
    hash_prepare_map,
)
from adclassify.lexicon import Matcher, read_lexicons
from adclassify.models import TRUSTED_TYPES, CalibratedLinearClassifier
from adclassify.normalize import normalize_batch, normalize_many
from adclassify.patterns import AMOUNT, PHONE

DOCS = ["Crossing to UK this week, WhatsApp +44 7700 900123", "happy birthday", "", "boat 🚤 1500€"]
TRANSFORMERS = [
    TextNormalizer(),
    HashedNgramVectorizer(n_features=2**10),
    HashedNgramVectorizer(n_features=2**8, char_ngram_range=(1, 3), word_ngram_range=(1, 1)),
    IndicatorVectorizer(),
]


def _dense(out):
    return out.toarray() if hasattr(out, "toarray") else np.asarray(out, dtype=object)


@pytest.mark.parametrize("est", TRANSFORMERS, ids=lambda e: type(e).__name__)
def test_estimator_contract(est, tmp_path):
    fresh = clone(est)
    assert fresh.get_params() == est.get_params()
    fresh.set_params(**est.get_params())
    with pytest.raises(NotFittedError):
        fresh.transform(DOCS)
    with pytest.raises(TypeError):
        clone(est).fit("a bare string")
    fitted = clone(est).fit(DOCS)
    assert fitted is not None and fitted.fit(DOCS) is fitted  # fit returns self, twice
    first = _dense(fitted.transform(DOCS))
    with pytest.raises(TypeError):
        fitted.transform("a bare string")
    names = fitted.get_feature_names_out()
    if not isinstance(est, TextNormalizer):
        assert len(names) == first.shape[1]
    path = tmp_path / "est.skops"
    sio.dump(fitted, path)
    loaded = sio.load(path, trusted=[t for t in sio.get_untrusted_types(file=path) if t in TRUSTED_TYPES])
    np.testing.assert_array_equal(_dense(loaded.transform(DOCS)), first)


def test_numpy_integer_width_is_a_valid_width():
    np.testing.assert_array_equal(
        _dense(HashedNgramVectorizer(n_features=np.int64(2**10)).fit(DOCS).transform(DOCS)),
        _dense(HashedNgramVectorizer(n_features=2**10).fit(DOCS).transform(DOCS)),
    )


def test_invalid_parameters_fail_in_fit():
    with pytest.raises(ValueError):
        HashedNgramVectorizer(n_features=1000).fit(DOCS)
    with pytest.raises(ValueError):
        HashedNgramVectorizer(char_ngram_range=(3, 2)).fit(DOCS)
    with pytest.raises(ValueError):
        CalibratedLinearClassifier(calibration_fraction=1.5).fit(np.eye(4), ["a", "b", "a", "b"])


# -- reference implementation: plain Python loops, no numpy tricks -------------
MASK = (1 << 64) - 1
PRIME, PAIR, MIX = 1099511628211, 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9


def ref_bucket(value, family, width):
    return (((value ^ ((family * PAIR) & MASK)) * MIX) & MASK) >> (64 - (width.bit_length() - 1))


def ref_features(text, n_features, lo=2, hi=5):
    """The vectorizer's definition, written the slow obvious way."""
    tokens = []
    for char in text:
        if char.isdigit():
            tokens.append("0")
        elif char.isalnum() or char == "_" or unicodedata.category(char) in ("Mn", "Mc"):
            tokens.append(char)
        elif unicodedata.category(char) == "Sc":
            tokens.append(f" {char} ")
        else:
            tokens.append(" ")
    padded = " " + " ".join("".join(tokens).split()) + " "
    chars = Counter()
    for n in range(lo, hi + 1):
        for i in range(len(padded) - n + 1):
            h = 0
            for c in padded[i : i + n]:
                h = (h * PRIME + ord(c)) & MASK
            chars[ref_bucket(h, n, n_features)] += 1
    words = padded.split()
    hashes = [sum(ord(c) * pow(PRIME, k, 1 << 64) for k, c in enumerate(w)) & MASK for w in words]
    wcounts = Counter(ref_bucket(h, 101, n_features // 2) for h in hashes)
    wcounts.update(
        ref_bucket((a * PAIR + b) & MASK, 102, n_features // 2) for a, b in zip(hashes, hashes[1:], strict=False)
    )
    vec = np.zeros(n_features + n_features // 2)
    for col, c in chars.items():
        vec[col] += c / np.sqrt(sum(chars.values()))
    for col, c in wcounts.items():
        vec[n_features + col] += c / np.sqrt(max(sum(wcounts.values()), 1))
    return vec


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab c1é€.-xyz 🚤ع"), max_size=30), min_size=1, max_size=5))
def test_fast_hashing_matches_reference(texts):
    texts = normalize_batch(texts)
    v = HashedNgramVectorizer(n_features=2**12).fit(texts)
    fast = v.transform(texts).toarray()
    for row, text in zip(fast, texts, strict=True):
        ref = ref_features(text, 2**12)
        # column 0 of each block collects n-grams that would run into the next post
        row, ref = row.copy(), ref.copy()
        row[[0, 2**12]] = ref[[0, 2**12]] = 0
        np.testing.assert_allclose(row, ref, rtol=1e-5, atol=1e-6)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40) | st.text(alphabet="a1 €$\n.-é٣\u0301", max_size=20), max_size=6))
def test_batch_layout_equals_per_post_preparation(texts):
    """The hasher lays a batch out with array operations; it must equal hash_prepare post by post."""
    chars, shares = hash_layout(texts)
    assert "".join(map(chr, chars.tolist())) == " " + "  ".join(map(hash_prepare, texts)) + " "
    assert shares.tolist() == [len(hash_prepare(t)) + 2 for t in texts]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_mapped_preparation_equals_the_fast_one(text):
    """Explanations map n-grams back through hash_prepare_map; it must build the hasher's string."""
    norm = normalize_batch([text])[0]
    prepared, index = hash_prepare_map(norm)
    assert prepared == hash_prepare(norm)
    assert len(index) == len(prepared) and all(0 <= i < len(norm) for i in index)


def test_scores_do_not_depend_on_batch_neighbours(tiny):
    texts = ["crossing to UK 4 places", "hi", "", "boat to Italy 1500€ whatsapp"] * 5
    together = tiny.predict_proba(texts)
    alone = np.vstack([tiny.predict_proba([t]) for t in texts])
    np.testing.assert_array_equal(together, alone)


def test_indicators_find_lexicon_terms_and_detectors():
    v = IndicatorVectorizer().fit(DOCS)
    names = list(v.get_feature_names_out())
    X = v.transform(normalize_batch(["WhatsApp +44 7700 900123 boat to Italy", "hello"])).toarray()
    for name in ("phone", "channel", "channel=whatsapp"):
        assert X[0, names.index(name)] > 0
    assert np.flatnonzero(X[1]).tolist() == [names.index("no_evidence")]


def test_no_evidence_is_set_only_when_nothing_of_a_violating_kind_is_found():
    v = IndicatorVectorizer().fit(DOCS)
    column = list(v.get_feature_names_out()).index("no_evidence")
    posts = ["call me +44 7700 900123", "passport", "farm work", "see you at the beach", "what a goal", "tonight"]
    X = v.transform(normalize_batch(posts)).toarray()
    assert (X[:, column] > 0).tolist() == [False, False, False, True, True, False]


def test_models_fitted_with_no_indicator_keep_computing_it():
    v = IndicatorVectorizer().fit(DOCS)
    v.feature_names_ = np.where(v.feature_names_ == "no_evidence", "no_indicator", v.feature_names_)
    names = list(v.get_feature_names_out())
    X = v.transform(normalize_batch(["passport", "boat to Italy"])).toarray()
    # the old column: no term of a violating kind such as a mode (documents were not one)
    assert X[:, names.index("no_indicator")].tolist() == [pytest.approx(np.log1p(1)), 0.0]


def test_counting_shared_hits_equals_transform_when_a_category_is_excluded():
    v = IndicatorVectorizer(exclude=("direction", "numbers", "document")).fit(DOCS)
    texts = normalize_batch(["passport", "boat to Italy, WhatsApp +44 7700 900123", "hello"])
    np.testing.assert_array_equal(v.count(texts, lexicon_hits(texts)).toarray(), v.transform(texts).toarray())


REFERENCE_ROWS = [
    ("countries", "uk", "en", "GB"),
    ("countries", "royaume-uni", "fr", "GB"),
    ("countries", "royaume uni", "fr", "GB"),
    ("mode", "boat to", "en", "boat"),
    ("mode", "boat", "en", "boat"),
    ("mode", "*boat", "en", "boat"),
    ("direction", "to", "en", "to"),
    ("direction", "'to", "tr", "to"),
    ("urgency", "last # places", "en", "scarcity"),
    ("urgency", "in 0 days", "en", "soon"),
    ("guarantee", "100%", "*", "guaranteed"),
    ("currency", "€", "*", "EUR"),
    ("currency", "eur", "*", "EUR"),
    ("multiplier", "k", "*", "1000"),
    ("multiplier", "tr", "vi", "1000000"),
    ("channel", "whats*", "en", "whatsapp"),
    ("direction", "->", "*", "to"),
    ("benign", "लाल", "hi", "sale"),
]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("uk boat 12 to€.\n#ला-ंé"), max_size=25), min_size=1, max_size=6))
def test_batch_matching_equals_one_post_at_a_time(texts):
    """find_many joins the batch: no term may span two posts, and positions stay per post."""
    matcher = Matcher(REFERENCE_ROWS)
    assert matcher.find_many(texts) == [matcher.find(t) for t in texts]


def reference_find(rows, text):
    """Every term occurrence whose boundaries hold, found with str.find: the matcher's definition."""
    from adclassify.lexicon import _UNITS, _numbers, is_word_char, normalize_keys

    hits = []
    for (category, term, _lang, value), key in zip(rows, normalize_keys(rows), strict=True):
        if len(key) == 1 and is_word_char(key):
            continue  # a lone letter is no term
        free_left = term.startswith("*") or not is_word_char(key[0].replace("#", "0"))
        free_right = term.endswith("*") or not is_word_char(key[-1].replace("#", "0"))
        for variant in set(_numbers(key)):
            start = text.find(variant)
            while start >= 0:
                end = start + len(variant)
                before = text[start - 1] if start else " "
                left = free_left or not is_word_char(before) or (category in _UNITS and before.isdigit())
                right = free_right or end == len(text) or not is_word_char(text[end])
                if left and right:
                    hits.append((start, end, category, value))
                start = text.find(variant, start + 1)
    return sorted(set(hits))


# Pieces of the terms above and the characters around them, glued into texts.
PIECES = "uk boat to last 3 12 places royaume uni in 0 5 days 100 % € eur k tr whatsapp".split()
PIECES += ["->", "'", "-", ".", "\n", "लाल", "ा", "é", "x"]


PHRASES = st.lists(st.sampled_from([*PIECES, " ", " ", " "]), max_size=14).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(PHRASES, min_size=1, max_size=4))
@example(["royaume-uni, in 5 days", "12eur last 25 places", "boat\nto uk", "x100% ->uk", "'to", "लाला"])
def test_matcher_equals_a_plain_reference(texts):
    """The masked whole-word automaton finds exactly what a plain search with boundary checks finds."""
    matcher = Matcher(REFERENCE_ROWS)
    for text, found in zip(texts, matcher.find_many(texts), strict=True):
        assert sorted(set(found)) == reference_find(REFERENCE_ROWS, text)
        assert found == sorted(found, key=lambda h: (h.start, -h.end))


def test_hits_at_one_span_keep_the_order_of_the_rows():
    """The evidence keeps the first hit of a kind at a span, so ties follow the (sorted) lexicon rows."""
    rows = [("channel", "inbox", "*", "inbox"), ("channel", "inbox", "sq", "dm"), ("mode", "*inbox", "en", "boat")]
    assert [h.value for h in Matcher(rows).find("write inbox now")] == ["inbox", "dm", "boat"]
    assert [h.value for h in Matcher(rows[::-1]).find("write inbox now")] == ["boat", "dm", "inbox"]


def test_number_placeholder_and_combining_marks():
    matcher = Matcher([("urgency", "last # places", "en", "scarcity"), ("benign", "गोल", "hi", "sport")])
    assert [(h.start, h.end) for h in matcher.find("last 3 places, last 12 places")] == [(0, 13), (15, 29)]
    assert matcher.find("last 123 places") == [] and matcher.find("last places") == []
    # A Devanagari vowel sign is part of the word: "गोली" (bullet) does not contain "गोल" (goal).
    assert matcher.find("गोली") == [] and len(matcher.find("एक गोल!")) == 1


def test_indicator_counts_from_shared_hits_equal_transform():
    v = IndicatorVectorizer().fit(DOCS)
    texts = normalize_batch(["WhatsApp +44 7700 900123 boat to Italy, last 3 places", "hello", ""])
    hits = Matcher(read_lexicons()).find_many(texts)  # more categories than v knows: ignored
    np.testing.assert_array_equal(v.count(texts, hits).toarray(), v.transform(texts).toarray())


# The plain forms of the detector patterns; the shipped ones are rewritten to
# start with a character class (faster scans) and must match exactly the same.
REFERENCE_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?+\d(?:[ .\-()]{0,2}+\d){6,15}+(?!\w)")
REFERENCE_AMOUNT = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,' ]\d{3})++|\d++)(?:[.,](\d{1,2}))?+(?:[ ]?+(k|m)\b)?+(?!\d)")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("0000123456789٣+ .-(),'kma_\né"), max_size=40))
def test_fast_detector_patterns_equal_their_plain_forms(text):
    for fast, plain in ((PHONE, REFERENCE_PHONE), (AMOUNT, REFERENCE_AMOUNT)):
        assert [(m.span(), m.groups()) for m in fast.finditer(text)] == [
            (m.span(), m.groups()) for m in plain.finditer(text)
        ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab0@$ .-аоеαο WHATSAPP4"), max_size=20), min_size=1, max_size=5))
def test_batch_normalisation_equals_one_post_at_a_time(texts):
    """The batch path applies each step only where a cheap trigger occurs; that must change nothing."""
    from adclassify.normalize import _STEPS, _TABLE

    reference = []
    for text in texts:
        doc = text.translate(_TABLE)
        for _, pattern, repl in _STEPS:
            doc = pattern.sub(repl, doc)
        reference.append(doc)
    assert normalize_batch(texts) == reference
    assert [n.text for n in normalize_many(texts)] == reference


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40) | st.text(alphabet="ab😂\u200c\ufe0fæ🇬🇧 é", max_size=20), max_size=5))
def test_offset_map_equals_a_per_character_loop(texts):
    """The batch translation equals str.translate post by post; the maps equal a per-character loop."""
    from adclassify.normalize import _TABLE, _char_map, _translate

    docs, resized = _translate(texts)
    assert docs == [t.translate(_TABLE) for t in texts]
    for text, changed in zip(texts, resized, strict=True):
        expected = [i for i, char in enumerate(text) for _ in _TABLE[ord(char)]]
        assert changed == (len(expected) != len(text) or any(len(_TABLE[ord(c)]) != 1 for c in text))
        for starts, ends in (_char_map(text, changed), _char_map(text)):
            assert list(starts) == expected and list(ends) == [i + 1 for i in expected]


def test_indicator_rows_are_stored_compactly_and_old_layouts_still_load():
    from adclassify.lexicon import normalize_keys, read_lexicons

    v = IndicatorVectorizer().fit(["x"])
    expected = [r for r in read_lexicons() if r[0] not in v.exclude]
    assert v.rows() == expected
    assert np.asarray(v.terms_).ndim == 0  # one string, not a padded (n, 4) array
    post = ["boat to italy, whatsapp +44 7700 900123, last 3 places"]
    old = IndicatorVectorizer().fit(["x"])
    old.terms_ = np.array(expected, dtype=str).reshape(len(expected), 4)
    old.keys_ = np.array(normalize_keys(expected), dtype=str)
    assert old.rows() == expected
    assert (old.transform(post) != v.transform(post)).nnz == 0 and v.transform(post).nnz > 3
