"""Indicator extraction: the facts in a post, with spans into the original text.

:func:`extract` finds contacts (phone numbers parsed with ``phonenumbers``,
messaging apps, handles, links), prices (amount and ISO 4217 currency),
places on a route (ISO 3166 codes), and lexicon terms for modes, guarantees,
payments, documents, urgency, code words, offers, requests, jobs and
exploitation. It searches the normalised text, so evasion does not hide a
term, and maps every match back to the original post: for each piece of
evidence ``text[start:end] == evidence.text``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from adclassify.lexicon import Hit, Matcher, read_lexicons
from adclassify.normalize import Normalized, normalize_many
from adclassify.patterns import AMOUNT, DATE, FLAG, HANDLE, PHONE, URL
from adclassify.tables import read_table

__all__ = ["Evidence", "extract", "extract_many", "lexicon_hits", "lexicon_rows", "summarize"]

# Lexicon file -> evidence kind. Files not listed are helpers (numbers,
# multipliers, currencies, directions) used by the parsers below.
_KIND = {
    "channel": "contact",
    "prompt": "prompt",
    "countries": "route",
    "cities": "route",
    "mode": "mode",
    "guarantee": "guarantee",
    "payment": "payment",
    "urgency": "urgency",
    "document": "document",
    "fraud": "document",
    "code_word": "code_word",
    "offer": "offer",
    "request": "request",
    "job": "job",
    "exploitation": "exploitation",
    "benign": "context",
}

_SEPARATORS = re.compile(r"[.,' ]")
#: Every link has "://", "www." or a dot before a letter; other posts skip the costly URL scan.
_LINK_HINT = re.compile(r"\.[a-z]|://|www\.")
_GAP = re.compile(r"[ ]{0,2}+")


@dataclass(frozen=True)
class Evidence:
    """One indicator found in a post.

    Attributes
    ----------
    kind : str
        ``contact``, ``price``, ``route``, ``mode``, ``guarantee``,
        ``payment``, ``document``, ``urgency``, ``code_word``, ``offer``,
        ``request``, ``job``, ``exploitation``, ``prompt`` (a call to action
        naming no channel: "contact", "write me") or ``context``.
    text : str
        The matched text, exactly ``post[start:end]``.
    start, end : int
        Character span in the original post.
    value : str
        Normalised value: E.164 number, ``1500 EUR``, ``GB``, ``boat``, ...
    """

    kind: str
    text: str
    start: int
    end: int
    value: str

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return {"kind": self.kind, "text": self.text, "start": self.start, "end": self.end, "value": self.value}


# Code words that are also everyday words count only next to a route and one of these.
_CONTEXT_KINDS = frozenset({"contact", "price", "mode", "guarantee", "payment"})

# Route markers are common words that no parser here needs.
_UNUSED = ("direction",)


@lru_cache(maxsize=1)
def lexicon_rows() -> frozenset[tuple[str, str, str, str]]:
    """The lexicon rows the extractor matches (all files but ``direction``)."""
    return frozenset(r for r in read_lexicons() if r[0] not in _UNUSED)


@lru_cache(maxsize=1)
def _matcher() -> Matcher:
    return Matcher(sorted(lexicon_rows()))


def lexicon_hits(normalized: Sequence[str]) -> list[list[Hit]]:
    """The extractor's lexicon hits in each normalised post, for :func:`extract_many`."""
    return _matcher().find_many(normalized)


def _region_of(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.region_code_for_number(number) or phonenumbers.region_code_for_country_code(number.country_code)


def _fit(number: phonenumbers.PhoneNumber, region: str | None, n_digits: int) -> tuple[bool, bool]:
    """Rank a parse: valid numbers first, then national lengths typical of the region's mobiles."""
    if phonenumbers.is_valid_number(number) or region is None:
        return (False, False)
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = len(phonenumbers.national_significant_number(example)) + 1 if example else n_digits
    return (True, national != n_digits)


_REGION_HINTS = [(set(chars), region) for chars, region in read_table("region_hints.tsv")]
_MULTIPLIER_CURRENCY = dict(read_table("multiplier_currency.tsv"))


def _regions(text: str, places: list[str], defaults: tuple[str, ...]) -> tuple[str, ...]:
    """Regions to try for national numbers: script hints, then places named, then defaults."""
    letters = set(text.lower())
    hinted = [region for chars, region in _REGION_HINTS if chars & letters]
    known = [p for p in places if len(p) == 2 and phonenumbers.country_code_for_region(p)]
    return tuple(dict.fromkeys(hinted + known + list(defaults)))


def _parse_phone(raw: str, digits: str, regions: Callable[[], tuple[str, ...]]) -> str | None:
    """``"<E.164> <region>"`` for a phone-like string, or None.

    International numbers (``+`` or ``00``) parse on their own. National
    numbers with a trunk 0 are tried in ``regions()`` and may be merely
    possible (fictional ranges are not "valid"); other national numbers of
    10 or more digits (Russian 8..., Italian mobiles) must be valid in a
    region the post itself hints at.
    """
    strict = False
    if raw.startswith("+"):
        candidates: list[str | None] = [None]
    elif raw.startswith("00"):
        raw, candidates = "+" + raw[2:], [None]
    elif raw.startswith("0") and len(digits) >= 9:
        candidates = list(regions())
    elif len(digits) >= 10:
        candidates, strict = list(regions()), True
    else:
        return None
    parsed = []
    for region in candidates:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        ok = phonenumbers.is_valid_number(number) if strict else phonenumbers.is_possible_number(number)
        if ok:
            parsed.append((region, number))
    if not parsed:
        return None
    # Rank only when there is a choice: the ranking asks phonenumbers for
    # validity and example numbers, the costliest part of the parse.
    number = parsed[0][1]
    if len(parsed) > 1:
        ranks = [(_fit(n, region, len(digits)), i) for i, (region, n) in enumerate(parsed)]
        number = parsed[min(ranks)[1]][1]
    return f"{phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)} {_region_of(number)}"


def _phones(norm: str, regions: Callable[[], tuple[str, ...]]) -> list[tuple[int, int, str]]:
    """Phone numbers written with digits."""
    found = []
    for match in PHONE.finditer(norm):
        raw = match.group()
        digits = "".join(c for c in raw if c.isdigit())
        if DATE.fullmatch(raw) or len(digits) < 8:
            continue
        value = _parse_phone(raw, digits, regions)
        if value:
            found.append((match.start(), match.end(), value))
    return found


def _spoken_digits(norm: str, hits: list[Hit], regions: Callable[[], tuple[str, ...]]) -> list[tuple[int, int, str]]:
    """Runs of number words ("zero seven seven ...") that spell a phone number."""
    words = [h for h in hits if h.category == "numbers"]
    if len(words) < 3:
        return []  # a word gives at most 3 digits ("triple five"), a phone number has 8 or more
    runs, current = [], []
    for hit in words:
        if current and (hit.start - current[-1].end > 2 or norm[current[-1].end : hit.start].strip(" ,.-")):
            runs.append(current)
            current = []
        if not current or hit.start >= current[-1].end:
            current.append(hit)
    runs.append(current)
    found = []
    for run in runs:
        digits = ""
        for hit in run:
            if hit.value == "dd" and digits:
                digits += digits[-1]
            elif hit.value == "tt" and digits:
                digits += digits[-1] * 2
            elif hit.value.isdigit():
                digits += hit.value
        if len(digits) >= 8:
            value = _parse_phone(digits, digits, regions) or digits
            found.append((run[0].start, run[-1].end, value))
    return found


def _parse_amount(whole: str, cents: str | None, suffix: str | None) -> float:
    number = float(_SEPARATORS.sub("", whole) + ("." + cents if cents else ""))
    return number * {"k": 1e3, "m": 1e6}.get(suffix or "", 1)


_UNIT_KINDS = frozenset({"currency", "multiplier"})


def _prices(norm: str, hits: list[Hit]) -> list[tuple[int, int, str]]:
    """Amounts next to a currency, optionally with a multiplier word between."""
    # The longest term wins where several start (or end) at one place:
    # "dinar algérien" over "dinar".
    units = [h for h in hits if h.category in _UNIT_KINDS]
    if not units:
        return []  # an amount is a price only next to a currency or a multiplier
    currency: dict[int, Hit] = {}
    currency_end: dict[int, Hit] = {}
    multiplier: dict[int, Hit] = {}
    for h in sorted(units, key=lambda h: h.start - h.end):
        if h.category == "currency":
            currency.setdefault(h.start, h)
            currency_end.setdefault(h.end, h)
        else:
            multiplier.setdefault(h.start, h)
    found: list[tuple[int, int, str]] = []
    for match in AMOUNT.finditer(norm):
        amount = _parse_amount(*match.groups())
        start, end = match.span()
        pos = _GAP.match(norm, end).end()
        unit = None
        if pos in multiplier:
            amount *= float(multiplier[pos].value)
            end = multiplier[pos].end
            inner = currency_end.get(end)  # "bin euro": the currency inside the multiplier phrase
            unit = inner.value if inner else _MULTIPLIER_CURRENCY.get(norm[pos:end])
            pos = _GAP.match(norm, end).end()
        code = None
        if pos in currency:
            code, end = currency[pos].value, currency[pos].end
        else:
            back = start
            while back > 0 and norm[back - 1] == " " and start - back < 2:
                back -= 1
            if back in currency_end:
                code, start = currency_end[back].value, currency_end[back].start
        if code is None and end != match.end():
            code = unit or ""  # "50 triệu": a multiplier alone still marks a price
        if code is None or not math.isfinite(amount):  # hundreds of digits overflow to inf
            continue
        value = f"{amount:.0f}" if amount == int(amount) else f"{amount:g}"
        found.append((start, end, f"{value} {code}".strip()))
    return found


def _dedupe(items: list[Evidence]) -> list[Evidence]:
    """Keep the longest of overlapping evidence of one kind, in text order."""
    items.sort(key=lambda e: (e.start, -(e.end - e.start)))
    kept: list[Evidence] = []
    last_end: dict[str, int] = {}
    for ev in items:
        if ev.start >= last_end.get(ev.kind, -1):
            kept.append(ev)
            last_end[ev.kind] = ev.end
    return kept


def extract(text: str, *, regions: tuple[str, ...] = ("GB", "FR")) -> list[Evidence]:
    """Find the indicators in one post.

    Parameters
    ----------
    text : str
        The original post.
    regions : tuple of str, default=("GB", "FR")
        Regions tried, in order, for national phone numbers with a leading 0.

    Returns
    -------
    list of Evidence
        In text order; spans index the original ``text``.

    Examples
    --------
    >>> [(e.kind, e.value) for e in extract("Boat to UK, 1500€, WhatsApp +44 7700 900123")][:3]
    [('mode', 'boat'), ('route', 'GB'), ('price', '1500 EUR')]
    """
    return extract_many([text], regions=regions)[0]


def extract_many(
    texts: Sequence[str],
    *,
    regions: tuple[str, ...] = ("GB", "FR"),
    normalized: Sequence[Normalized] | None = None,
    hits: Sequence[list[Hit]] | None = None,
) -> list[list[Evidence]]:
    """:func:`extract` for a batch of posts, with one lexicon pass over the batch.

    Parameters
    ----------
    texts : sequence of str
        The original posts; items that are not ``str`` or are blank get no evidence.
    regions : tuple of str, default=("GB", "FR")
        As in :func:`extract`.
    normalized : sequence of Normalized, optional
        ``normalize(text)`` of each post (one item per post), when the caller
        has computed it already.
    hits : sequence of list of Hit, optional
        ``lexicon_hits`` of the normalised posts, when already computed (one
        item per post, with ``normalized``).

    Returns
    -------
    list of list of Evidence
        One list per post.
    """
    live = [i for i, t in enumerate(texts) if isinstance(t, str) and t.strip()]
    out: list[list[Evidence]] = [[] for _ in texts]
    norms = [normalized[i] for i in live] if normalized is not None else normalize_many([texts[i] for i in live])
    found = [hits[i] for i in live] if hits is not None else lexicon_hits([n.text for n in norms])
    for i, norm, post_hits in zip(live, norms, found, strict=True):
        out[i] = _evidence(texts[i], norm, post_hits, regions)
    return out


def _evidence(text: str, norm: Normalized, hits: list[Hit], regions: tuple[str, ...]) -> list[Evidence]:
    """The evidence of one post from its normalised text and lexicon hits."""
    body = norm.text
    spans: list[tuple[str, int, int, str]] = []
    ambiguous = []
    for hit in hits:
        kind = _KIND.get(hit.category)
        if kind:
            spans.append((kind, hit.start, hit.end, hit.value))
        elif hit.category == "code_word_context":
            ambiguous.append(("code_word", hit.start, hit.end, hit.value))
    if "flag_" in body:
        for match in FLAG.finditer(body):
            spans.append(("route", match.start(), match.end(), match.group(1).upper()))
    places = [value for kind, _, _, value in spans if kind == "route"]
    tried = lambda: _regions(text, places, regions)  # noqa: E731 - computed only when needed
    for start, end, value in _phones(body, tried) + _spoken_digits(body, hits, tried):
        spans.append(("contact", start, end, value))
    for present, pattern in ((_LINK_HINT.search(body), URL), ("@" in body, HANDLE)):
        if present:
            for match in pattern.finditer(body):
                value = match.group()
                if pattern is URL:  # as written: the normalised text reads leetspeak digits as letters
                    a, b = norm.span(match.start(), match.end())
                    value = text[a:b].lower()
                spans.append(("contact", match.start(), match.end(), value))
    for start, end, value in _prices(body, hits):
        spans.append(("price", start, end, value))
    if ambiguous and places and any(kind in _CONTEXT_KINDS for kind, *_ in spans):
        spans.extend(ambiguous)
    items = []
    for kind, start, end, value in spans:
        a, b = norm.span(start, end)
        if b > a:
            items.append(Evidence(kind, text[a:b], a, b, value))
    return _dedupe(items)


_PRIORITY = ("contact", "price", "route", "payment", "guarantee", "mode", "document", "code_word", "urgency",
             "exploitation", "job", "offer", "request")


def summarize(evidence: list[Evidence], limit: int = 8) -> str:
    """A short readable line, most telling kinds first.

    Example: ``contact: whatsapp +447700900123 GB | price: 1500 EUR | route: FR→GB``.
    Places are joined into one route in the order the post names them
    ("from Calais to the UK" gives ``FR→GB``), which is how adverts in the
    supported languages write origin and destination.
    """
    if not evidence:
        return ""
    values: dict[str, list[str]] = {}
    for ev in evidence:
        if ev.kind in _PRIORITY and ev.value not in values.setdefault(ev.kind, []):
            values[ev.kind].append(ev.value)
    parts = []
    for kind in _PRIORITY:
        if values.get(kind):
            sep = "→" if kind == "route" else ", "
            parts.append(f"{kind}: {sep.join(values[kind])}")
    return " | ".join(parts[:limit])
