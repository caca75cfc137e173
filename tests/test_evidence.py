"""Evidence extraction: spans into the original text and normalised values."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from adclassify import extract
from adclassify.evidence import summarize


def kinds(text):
    return {(e.kind, e.value) for e in extract(text)}


def test_contacts_prices_routes():
    found = kinds("Boat from Calais to UK 🇬🇧, 1500€, WhatsApp +44 7700 900123, telegram @safe_trip_77")
    assert ("contact", "+447700900123 GB") in found
    assert ("contact", "@safe_trip_77") in found
    assert ("price", "1500 EUR") in found
    assert ("route", "GB") in found and ("route", "FR") in found
    assert ("mode", "boat") in found


def test_price_formats():
    assert ("price", "2000 GBP") in kinds("only £2k cash")
    assert ("price", "9500 USD") in kinds("9,500 USD per person")
    assert ("price", "1500 EUR") in kinds("1.500 euro")
    # hundreds of digits overflow a float: no price, and no error for the batch
    assert not any(kind == "price" for kind, _ in kinds("9" * 400 + " €"))


def test_national_phone_numbers_and_evasion():
    assert ("contact", "+447700900123 GB") in kinds("call 07700 900123")
    assert ("contact", "+33639981234 FR") in kinds("appelle 06 39 98 12 34")
    assert ("contact", "whatsapp") in kinds("w h a t s a p p me")


def test_no_phone_false_positives_on_numbers():
    for text in ["paid 1500 in 2024", "on 12/06/2024 at 14:30", "+5 degrees today", "1.500.000 dinar", "12 06 2024"]:
        assert not [e for e in extract(text) if e.kind == "contact" and e.value[:1] == "+"], text


def test_summary_is_short_and_readable():
    line = summarize(extract("Boat to UK, 1500€, WhatsApp +44 7700 900123"))
    assert "price: 1500 EUR" in line and " | " in line


def test_links_are_reported_as_written():
    # the normaliser reads leetspeak digits at word edges as letters; a link's value keeps them
    found = extract("Info: HTTPS://Site.example/Boat99 or www.b0at4u.example")
    links = [(e.text, e.value) for e in found if e.kind == "contact"]
    assert links == [
        ("HTTPS://Site.example/Boat99", "https://site.example/boat99"),
        ("www.b0at4u.example", "www.b0at4u.example"),
    ]
    # short links hold the handle or the number in their path
    found = extract("join t.me/uk_road_99 or wa.me/447700900321")
    assert [e.text for e in found if e.kind == "contact"] == ["t.me/uk_road_99", "wa.me/447700900321"]


LINK_PIECES = [*"htps:/w.comeuk a1-", "www.", "https://", ".com", ".uk", "http://x"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LINK_PIECES), max_size=15).map("".join))
@example("www.:")
def test_the_link_hint_holds_in_every_link(text):
    """The URL scan runs only where _LINK_HINT occurs; every link must contain it."""
    from adclassify.evidence import _LINK_HINT
    from adclassify.patterns import URL

    if URL.search(text):
        assert _LINK_HINT.search(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80) | st.text(alphabet="+0123456789 .-€$£abcUKboatwhatsapp🚤🇬🇧\u200b", max_size=60))
def test_every_span_slices_the_original(text):
    for ev in extract(text):
        assert text[ev.start : ev.end] == ev.text
        assert 0 <= ev.start < ev.end <= len(text)
    assert extract(text) == extract(text)
