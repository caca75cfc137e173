"""The evidence gold set is well formed, and the evidence scoring function behaves as documented.

Whether the extractor meets the quality bar is reported by ``python -m eval.evidence_quality``, not tested here.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "evidence_gold.jsonl"


@pytest.fixture(scope="module")
def eq() -> ModuleType:
    """The scoring module (the repository root is not always on sys.path under plain ``pytest``)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("eval.evidence_quality")


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    """The raw gold rows."""
    with open(GOLD, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# --- the gold file -------------------------------------------------------------------------------------------


def test_gold_rows_have_the_schema(rows: list[dict]) -> None:
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for r in rows:
        assert set(r) == {"id", "lang", "text", "spans"}, r["id"]
        assert re.fullmatch(r"EG-\d{3}", r["id"])
        assert isinstance(r["text"], str) and r["text"].strip()
        assert r["spans"], f"{r['id']} has no span"
        for s in r["spans"]:
            assert set(s) <= {"kind", "text", "value", "occurrence"}, r["id"]
            assert {"kind", "text", "value"} <= set(s), r["id"]


def test_every_span_text_occurs_in_its_post(rows: list[dict], eq: ModuleType) -> None:
    problems = [p for r in rows for p in eq.gold_problems(r)]
    assert not problems, "\n".join(problems[:20])
    for r in rows:
        for s in r["spans"]:
            start, end = eq.locate(r["text"], s["text"], s.get("occurrence", 0))
            assert r["text"][start:end] == s["text"]


def test_kinds_are_known(rows: list[dict], eq: ModuleType) -> None:
    kinds = {s["kind"] for r in rows for s in r["spans"]}
    assert kinds <= set(eq.KINDS)


def test_size_and_language_coverage(rows: list[dict]) -> None:
    assert len(rows) >= 120
    assert sum(len(r["spans"]) for r in rows) >= 300
    assert len({r["lang"] for r in rows}) >= 10


def test_value_formats(rows: list[dict]) -> None:
    for r in rows:
        for s in r["spans"]:
            kind, value = s["kind"], s["value"]
            if kind == "route":
                assert re.fullmatch(r"[A-Z]{2}", value), (r["id"], value)
            elif kind == "price":
                assert re.fullmatch(r"\d+(\.\d{1,2})? [A-Z]{3}", value), (r["id"], value)
            elif kind == "contact" and value.startswith("+"):
                assert re.fullmatch(r"\+\d{8,15} [A-Z]{2}", value), (r["id"], value)
            else:
                assert value == value.strip() and value, (r["id"], value)


def test_phone_numbers_are_fictional(rows: list[dict]) -> None:
    for r in rows:
        for s in r["spans"]:
            if s["kind"] == "contact" and s["value"].startswith("+"):
                number = s["value"].split()[0]
                ok = number.startswith(("+447700900", "+33639")) or "000" in number[4:]
                assert ok, (r["id"], number)


def test_number_like_non_phone_posts_are_covered(rows: list[dict], eq: ModuleType) -> None:
    posts = eq.parse_gold(rows)
    with_decoys = 0
    for post in posts:
        phones = [s for s in post.spans if s.kind == "contact" and eq.is_phone_value(s.value)]
        decoys = [
            m
            for m in re.finditer(r"\d+(?:[.,:/ ]\d+)*", post.text)
            if not any(p.start < m.end() and m.start() < p.end for p in phones)
        ]
        with_decoys += bool(decoys)
    assert with_decoys >= 25


def test_kinds_are_all_represented(rows: list[dict], eq: ModuleType) -> None:
    counts = Counter(s["kind"] for r in rows for s in r["spans"])
    assert set(counts) == set(eq.KINDS)


# --- the scoring function --------------------------------------------------------------------------------------


def _example(eq: ModuleType) -> list:
    text = "Boat to UK, 1500€, WhatsApp +44 7700 900123"
    return [
        eq.Span("mode", 0, 4, "boat", "Boat"),
        eq.Span("route", 8, 10, "GB", "UK"),
        eq.Span("price", 12, 17, "1500 EUR", text[12:17]),
        eq.Span("contact", 19, 27, "whatsapp", "WhatsApp"),
        eq.Span("contact", 28, 43, "+447700900123 GB", text[28:43]),
    ]


def test_perfect_prediction_scores_one(eq: ModuleType) -> None:
    gold = _example(eq)
    scores = eq.score([gold], [list(gold)])
    for kind in eq.KINDS:
        c = scores.counts[kind]
        assert c.precision == 1.0 and c.recall == 1.0
    overall = scores.overall()
    assert (overall.precision, overall.recall, overall.f1) == (1.0, 1.0, 1.0)
    assert not scores.missed and not scores.spurious


def test_missing_span_lowers_recall_only(eq: ModuleType) -> None:
    gold = _example(eq)
    pred = [s for s in gold if s.value != "whatsapp"]
    contact = eq.score([gold], [pred]).counts["contact"]
    assert contact.recall == 0.5
    assert contact.precision == 1.0
    scores = eq.score([gold], [pred])
    assert [e.span.value for e in scores.missed] == ["whatsapp"]


def test_wrong_value_is_not_a_match(eq: ModuleType) -> None:
    gold = _example(eq)
    pred = [eq.Span(s.kind, s.start, s.end, "FR", s.text) if s.kind == "route" else s for s in gold]
    route = eq.score([gold], [pred]).counts["route"]
    assert (route.precision, route.recall) == (0.0, 0.0)
    span_only = eq.score([gold], [pred], use_value=False).counts["route"]
    assert (span_only.precision, span_only.recall) == (1.0, 1.0)


def test_overlap_is_required_and_partial_overlap_is_enough(eq: ModuleType) -> None:
    gold = [eq.Span("price", 12, 17, "1500 EUR")]
    elsewhere = eq.score([gold], [[eq.Span("price", 30, 35, "1500 EUR")]]).counts["price"]
    assert (elsewhere.precision, elsewhere.recall) == (0.0, 0.0)
    partial = eq.score([gold], [[eq.Span("price", 12, 16, "1500 eur")]]).counts["price"]
    assert (partial.precision, partial.recall) == (1.0, 1.0)


def test_spurious_prediction_lowers_precision(eq: ModuleType) -> None:
    gold = _example(eq)
    pred = [*gold, eq.Span("contact", 12, 16, "+441500 GB", "1500")]
    contact = eq.score([gold], [pred]).counts["contact"]
    assert contact.recall == 1.0
    assert contact.precision == pytest.approx(2 / 3)


def test_unscored_kinds_are_ignored(eq: ModuleType) -> None:
    gold = _example(eq)
    pred = [*gold, eq.Span("offer", 0, 4, "crossing")]
    assert eq.score([gold], [pred]).overall().precision == 1.0


def test_price_values_are_normalised(eq: ModuleType) -> None:
    assert eq.normalise_value("price", "1500.0 eur") == eq.normalise_value("price", "1500 EUR")
    assert eq.normalise_value("price", "89.90 EUR") == eq.normalise_value("price", "89.9 EUR")
    assert eq.normalise_value("price", "50000000") != eq.normalise_value("price", "50000000 VND")


def test_locate_uses_the_occurrence(eq: ModuleType) -> None:
    assert eq.locate("boza boza!!", "boza", 1) == (5, 9)
    with pytest.raises(ValueError):
        eq.locate("boza", "boza", 1)


def test_report_runs_on_the_gold_set(eq: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "evidence.md"
    assert eq.main(["--gold", str(GOLD), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "| contact |" in text and "Phone false positives" in text
