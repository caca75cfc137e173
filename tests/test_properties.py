"""Property-based tests: hostile Unicode, huge posts and non-str values never break the invariants."""

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adclassify import extract
from adclassify.io import read_rows
from adclassify.normalize import normalize, normalize_batch

HOSTILE = st.text(
    alphabet=st.one_of(
        st.characters(),  # any code point, astral planes and lone surrogates included
        st.sampled_from(list("\u200b\u200c\u200d\u2060\ufeff\u202e\u202d\u2066\u2069\x00\r\n\t\u0301\u0654🇬🇧🚤")),
    ),
    max_size=200,
)
POSTS = st.lists(st.one_of(HOSTILE, st.none(), st.just(float("nan")), st.just("")), min_size=1, max_size=6)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(POSTS)
def test_scoring_invariants(tiny, posts):
    proba = tiny.predict_proba(posts)
    assert proba.shape == (len(posts), len(tiny.labels))
    assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1.0)
    risk = tiny.risk(posts)
    assert np.all((risk >= 0) & (risk <= 1))
    np.testing.assert_array_equal(risk, tiny.risk(posts))
    for post, record in zip(posts, tiny.score(posts), strict=True):
        text = post if isinstance(post, str) else ""
        for ev in record["evidence"]:
            assert text[ev["start"] : ev["end"]] == ev["text"]
        if not text.strip():
            assert record["risk"] == 0.0 and record["label"] == "benign"


@SETTINGS
@given(HOSTILE)
def test_normaliser_and_extractor_invariants(text):
    norm = normalize(text)
    assert norm.text == normalize_batch([text])[0]
    assert "\n" not in norm.text
    for ev in extract(text):
        assert text[ev.start : ev.end] == ev.text


@SETTINGS
@given(HOSTILE.filter(lambda t: t.strip()))
def test_explain_invariants(tiny, text):
    exp = tiny.explain(text, top=10_000)
    total = exp["intercept"] + sum(c["contribution"] for c in exp["contributions"])
    assert math.isclose(total, exp["logit"], rel_tol=1e-6, abs_tol=1e-6)
    for c in exp["contributions"]:
        if "span" in c:
            assert text[c["span"][0] : c["span"][1]] == c["text"]


def test_one_megabyte_posts(tiny):
    big = ("crossing to UK 🚤 call +44 7700 900123 " + "\u200bx" * 50) * 8000
    assert len(big) > 1_000_000
    risk = tiny.risk([big, "hi"])
    assert 0.0 <= risk[0] <= 1.0
    assert tiny.score([big])[0]["evidence"]


@SETTINGS
@given(st.lists(st.one_of(HOSTILE, st.integers(), st.none(), st.floats(allow_nan=True)), min_size=1, max_size=8))
def test_jsonl_reader_never_loses_rows(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("r") / "in.jsonl"
    lines = [json.dumps({"id": i, "text": v}) for i, v in enumerate(values)]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))
    rows = list(read_rows(str(path), "jsonl"))
    assert [row.line for row in rows] == list(range(1, len(values) + 1))


@pytest.mark.parametrize("bad", [1, 2.5, b"bytes", ["list"], {"a": 1}])
def test_non_str_items_raise_type_error_naming_the_position(tiny, bad):
    with pytest.raises(TypeError, match="position 1"):
        tiny.predict_proba(["fine", bad])
