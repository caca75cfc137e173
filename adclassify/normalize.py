"""Text normalisation that undoes filter evasion, with a map back to the original.

Two paths produce the same normalised text:

* :func:`normalize_batch` works on whole batches: the per-character table is
  read for all posts at once from code-point lookup tables (:class:`CodeTable`),
  and each regular-expression step runs only on the posts where a cheap trigger,
  scanned once over the joined batch, occurs; it is the fast path used for
  scoring.
* :func:`normalize` and :func:`normalize_many` also give, for every normalised
  character, the span of the original text it came from (computed on first
  use), so that evidence found in the normalised text points into the
  original post.

The steps, in order:

1. per character (one cached translation table): NFKD, removal of Latin,
   Greek, Cyrillic and Arabic diacritics, case folding, Arabic-script letter
   unification, digits of every script to ASCII, zero-width and bidi controls
   deleted, whitespace and control characters to a space, emojis to stable
   ``e_<name>`` tokens, letters hidden in symbols (``🅦``) to Latin letters;
2. regional-indicator pairs to ``flag_<cc>`` tokens;
3. letters split by spaces, dots or dashes re-joined (``t e l e g r a m``);
4. Cyrillic and Greek look-alikes folded inside Latin words;
5. leetspeak folded in Latin words (``wh4tsapp``, ``3urope``), except where
   one or two digits start a number with its unit (``10k``, ``5pm``,
   ``15eur``) and in words whose digits belong to them (Arabizi ``7arga``,
   ``mp3``); three or more digits are always a number. Arabizi digits inside
   Latin words (``ta3mal``) are folded the same way, in posts and in lexicon
   terms alike; a word with ``2`` or ``6`` is left as it is.

Every pattern is linear-time: possessive quantifiers and look-arounds on
single characters leave nothing to backtrack; the one longer look-ahead (step
5) starts only at the beginning of a word and never leaves it.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate, pairwise

import numpy as np

from adclassify.tables import read_table

__all__ = ["CodeTable", "Normalized", "code_points", "normalize", "normalize_batch", "normalize_many"]

_SEP = "\n"  # joins a batch; the table maps every original newline to a space


def _read_table(name: str) -> dict[str, str]:
    """A two-column table as a mapping; an empty second column maps to ``""``."""
    return {row[0]: (row[1] if len(row) > 1 else "") for row in read_table(name)}


_LETTERS = _read_table("letters.tsv")
_CONFUSABLES = _read_table("confusables.tsv")
_LEET = _read_table("leet.tsv")
_NUMBER_SUFFIXES = frozenset(_read_table("number_suffixes.tsv"))  # "10k", "5pm": a number, not leetspeak
_DIGIT_WORDS = frozenset(_read_table("digit_words.tsv"))  # "7arga", "mp3": the digits belong to the word

# Combining marks removed after NFKD: Latin/Greek/Cyrillic diacritics and
# Arabic harakat. Marks that carry meaning elsewhere (Devanagari vowel signs)
# are kept.
_DIACRITIC_RANGES = (
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06ED),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)
_REGIONAL_A = 0x1F1E6


def _is_diacritic(char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in _DIACRITIC_RANGES)


_LETTER_NAME = re.compile(r"LATIN (?:CAPITAL|SMALL) LETTER ([A-Z])$")
_NAME_SEP = re.compile(r"[^a-z0-9]++")


def _emoji_token(char: str) -> str:
    name = unicodedata.name(char, "")
    letter = _LETTER_NAME.search(name)
    if letter:  # 🅦, Ⓦ and other letters drawn as symbols
        return letter.group(1).lower()
    if not name:
        return " "
    return " e_" + _NAME_SEP.sub("_", name.lower()).strip("_") + " "


def _fold_char(char: str) -> str:
    """Normalise one character; the result may be empty or several chars."""
    code = ord(char)
    if _REGIONAL_A <= code < _REGIONAL_A + 26:
        # Uppercase never survives case folding, so it marks flag letters
        # until step 2 pairs them.
        return chr(ord("A") + code - _REGIONAL_A)
    category = unicodedata.category(char)
    if category == "Cf" or 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF:
        return ""  # zero-width, bidi controls, variation selectors, skin tones
    if category in ("Cc", "Zs", "Zl", "Zp", "Cs", "Co", "Cn"):
        return " "
    if category == "So" or (category == "Sk" and code > 0x2000):
        return _emoji_token(char)
    if category == "Nd":
        return str(unicodedata.decimal(char))
    out = []
    for part in unicodedata.normalize("NFKD", char):
        if _is_diacritic(part):
            continue
        for folded in part.casefold():
            out.append(_LETTERS.get(folded, folded))
    return "".join(out)


class CachedTable(dict):
    """A ``str.translate`` table that maps each character with ``func`` once, then caches it."""

    def __init__(self, func: Callable[[str], str]) -> None:
        super().__init__()
        self.func = func

    def __missing__(self, code: int) -> str:
        value = self.func(chr(code))
        self[code] = value
        return value


def code_points(text: str) -> np.ndarray:
    """The code points of a string as ``uint32`` (lone surrogates included)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


class CodeTable:
    """A lookup table over all code points for whole arrays at once, filled with ``func`` as they are seen.

    ``table(codes)`` is ``[func(chr(c)) for c in codes]`` as a ``uint32``
    array, at the cost of one array lookup once every code point is known.
    """

    _UNSEEN = np.uint32(0xFFFFFFFF)

    def __init__(self, func: Callable[[str], int]) -> None:
        self.func = func
        self.values = np.full(0x110000, self._UNSEEN, dtype=np.uint32)

    def __call__(self, codes: np.ndarray) -> np.ndarray:
        out = self.values[codes]
        unseen = out == self._UNSEEN
        if unseen.any():
            for code in np.unique(codes[unseen]).tolist():
                self.values[code] = self.func(chr(code))
            out = self.values[codes]
        return out


_TABLE = CachedTable(_fold_char)
# The length of each character's output, and the output itself where it is one character (else 0).
_LENGTH = CodeTable(lambda char: len(_TABLE[ord(char)]))
_SINGLE = CodeTable(lambda char: ord(out) if len(out := _TABLE[ord(char)]) == 1 else 0)


def _flag(match: re.Match[str]) -> str:
    letters = match.group().lower()
    return f" flag_{letters} " if len(letters) == 2 else letters


def _join_spaced(match: re.Match[str]) -> str:
    return _SPACED_SEP.sub("", match.group())


def _fold_confusables(match: re.Match[str]) -> str:
    return "".join(_CONFUSABLES.get(c, c) for c in match.group())


def _fold_leet(match: re.Match[str]) -> str:
    token = match.group()
    if token in _DIGIT_WORDS:
        return token
    lead = len(token) - len(token.lstrip(_LEET_DIGITS))
    if lead and token[lead:].rstrip(_LEET_DIGITS) in _NUMBER_SUFFIXES:
        return token  # a number and its unit: "5k", "10am", "4x4"
    return "".join(_LEET.get(c, c) for c in token)


_LEET_CHARS = re.escape("".join(_LEET))
_LEET_CLASS = "[" + _LEET_CHARS + "]"
_LEET_DIGITS = "".join(c for c in _LEET if c.isdigit())
_CONF_CLASS = "[" + "".join(_CONFUSABLES) + "]"
_SPACED_SEP = re.compile(r"[ .\-*·•/|]++")

_SEPARATORS = "[ .\\-*·•/|]"

# (trigger, pattern, replacement), applied in order after the character table.
# A trigger is a cheap pattern that every match of the step's pattern
# contains, written to start with a character class so that the regex engine
# can skip ahead to candidate characters; the batch path applies a step only to the posts where its trigger
# occurs, so the costly look-behinds run on few posts.
_STEPS: tuple[tuple[re.Pattern[str], re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"[A-Z]"), re.compile(r"[A-Z][A-Z]?+"), _flag),
    (
        # every match has a lone letter between separators, then a letter that ends its word;
        # "_" counts as a word character, so tokens such as e_speedboat stay whole
        re.compile(_SEPARATORS + r"[^\W_]" + _SEPARATORS + r"++[^\W_](?!\w)"),
        re.compile(r"(?<!\w)[^\W_](?:" + _SEPARATORS + r"++[^\W_](?!\w)){2,}+(?!\w)"),
        _join_spaced,
    ),
    (
        re.compile(_CONF_CLASS + "(?:(?<=[a-z].)|(?=[a-z]))"),
        re.compile(r"(?<![^\W\d_])[^\W\d_]*?(?:[a-z]" + _CONF_CLASS + "|" + _CONF_CLASS + r"[a-z])[^\W\d_]*+"),
        _fold_confusables,
    ),
    (
        # a Latin word with leetspeak inside it or at its edges, up to two
        # digits at either end ("wh4tsapp", "3urope", "pl4c35"); the look-ahead
        # only admits words with a leet character, and it never leaves the word
        re.compile(_LEET_CLASS + "(?:(?<=[a-z].)|(?=[a-z]))"),
        re.compile(
            r"(?<![\w@$])(?=[a-z" + _LEET_CHARS + "]*?" + _LEET_CLASS + ")"
            "[" + _LEET_DIGITS + "]{0,2}+[a-z]++(?:" + _LEET_CLASS + "++[a-z]++)*+"
            "[" + _LEET_DIGITS + r"]{0,2}+(?![\w@$])"
        ),
        _fold_leet,
    ),
)


class Normalized:
    """A normalised post with the original span of each normalised character.

    ``starts[i]`` and ``ends[i]`` delimit, in the original text, the characters
    that produced normalised character ``i``. The map is computed on first
    use (most posts of a batch never need it) by replaying the steps that
    changed this post.
    """

    __slots__ = ("text", "_original", "_steps", "_resized", "_map")

    def __init__(self, text: str, original: str, steps: Sequence[int] = (), resized: bool = True) -> None:
        self.text = text
        self._original = original
        self._steps = tuple(steps)  # indices into _STEPS, in order
        self._resized = resized  # whether some character became zero or several characters
        self._map: tuple[Sequence[int], Sequence[int]] | None = None

    def __repr__(self) -> str:
        return f"Normalized(text={self.text!r})"

    def _offsets(self) -> tuple[Sequence[int], Sequence[int]]:
        if self._map is None:
            starts, ends = _char_map(self._original, self._resized)
            if self._steps:
                doc = self._original.translate(_TABLE)
                for k in self._steps:
                    _, pattern, repl = _STEPS[k]
                    doc, starts, ends = _substitute(pattern, repl, doc, starts, ends)
            self._map = (starts, ends)
        return self._map

    @property
    def starts(self) -> Sequence[int]:
        return self._offsets()[0]

    @property
    def ends(self) -> Sequence[int]:
        return self._offsets()[1]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text back to the original text."""
        starts, ends = self._offsets()
        if end <= start:
            pos = starts[start] if start < len(starts) else (ends[-1] if ends else 0)
            return pos, pos
        return starts[start], ends[end - 1]


def _triggered(docs: list[str], trigger: re.Pattern[str]) -> list[int]:
    """Indices of the docs where ``trigger`` occurs, from one scan of the joined batch."""
    found = [m.start() for m in trigger.finditer(_SEP.join(docs))]
    if not found:
        return []
    bounds = list(accumulate(len(d) + 1 for d in docs))
    return sorted({bisect_right(bounds, pos) for pos in found})


def normalize_batch(texts: Sequence[str]) -> list[str]:
    """Normalise many posts at once (the fast path).

    Parameters
    ----------
    texts : sequence of str
        Posts to normalise.

    Returns
    -------
    list of str
        One normalised string per post.

    Examples
    --------
    >>> normalize_batch(["W h a t s A p p", "t3l3gr4m 🚤"])
    ['whatsapp', 'telegram  e_speedboat ']
    """
    return _normalize(texts)[0]


def normalize(text: str) -> Normalized:
    """Normalise one post and keep the map back to the original text.

    Parameters
    ----------
    text : str
        The original post.

    Returns
    -------
    Normalized
        ``text`` equals ``normalize_batch([text])[0]``; ``span`` maps
        normalised positions back.

    Examples
    --------
    >>> n = normalize("Call W.h.a.t.s.a.p.p")
    >>> n.text
    'call whatsapp'
    >>> start, end = n.span(5, 13)
    >>> "Call W.h.a.t.s.a.p.p"[start:end]
    'W.h.a.t.s.a.p.p'
    """
    return normalize_many([text])[0]


def normalize_many(texts: Sequence[str]) -> list[Normalized]:
    """:func:`normalize` for a batch, finding where each step applies with one scan per step."""
    docs, resized, steps = _normalize(texts)
    return [Normalized(*args) for args in zip(docs, texts, steps, resized, strict=True)]


def _normalize(texts: Sequence[str]) -> tuple[list[str], list[bool], list[list[int]]]:
    """The normalised posts, whether each has characters that changed length, and the steps that changed each."""
    docs, resized = _translate(texts)
    steps: list[list[int]] = [[] for _ in docs]
    for k, (trigger, pattern, repl) in enumerate(_STEPS):
        for i in _triggered(docs, trigger):
            docs[i] = pattern.sub(repl, docs[i])
            steps[i].append(k)
    return docs, resized, steps


def _translate(texts: Sequence[str]) -> tuple[list[str], list[bool]]:
    """``[t.translate(_TABLE) for t in texts]`` with array lookups, and which posts changed length.

    Characters that become exactly one character (nearly all) are read from
    one lookup over the whole batch; the few others (emojis, zero-width
    characters, ligatures) are spliced in.
    """
    codes = code_points("".join(texts))
    lengths = _LENGTH(codes)
    out = _SINGLE(codes).tobytes().decode("utf-32-le")
    odd = np.flatnonzero(lengths != 1)
    if len(odd):
        pieces, prev = [], 0
        for pos, code in zip(odd.tolist(), codes[odd].tolist(), strict=True):
            pieces += (out[prev:pos], _TABLE[code])
            prev = pos + 1
        pieces.append(out[prev:])
        out = "".join(pieces)
    offsets = np.fromiter(accumulate((len(t) for t in texts), initial=0), dtype=np.int64, count=len(texts) + 1)
    ends = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ends[1:])
    bounds = ends[offsets].tolist()  # where each post starts and ends in ``out``
    resized = [False] * len(texts)
    for i in np.unique(np.searchsorted(offsets[1:], odd, side="right")).tolist():
        resized[i] = True
    return [out[a:b] for a, b in pairwise(bounds)], resized


def _char_map(text: str, resized: bool = True) -> tuple[Sequence[int], Sequence[int]]:
    """Start and end in ``text`` of each character of ``text.translate(_TABLE)``."""
    if not resized:  # every character became exactly one character
        return range(len(text)), range(1, len(text) + 1)
    starts = np.repeat(np.arange(len(text)), _LENGTH(code_points(text)))
    return starts.tolist(), (starts + 1).tolist()


def _substitute(
    pattern: re.Pattern[str],
    repl: Callable[[re.Match[str]], str],
    text: str,
    starts: Sequence[int],
    ends: Sequence[int],
) -> tuple[str, list[int], list[int]]:
    """``pattern.sub(repl, text)`` that also carries the map to the original along."""
    new: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for match in pattern.finditer(text):
        a, b = match.span()
        new.append(text[pos:a])
        new_starts.extend(starts[pos:a])
        new_ends.extend(ends[pos:a])
        rep = repl(match)
        new.append(rep)
        if len(rep) == b - a:  # letter for letter (leetspeak, look-alikes): each keeps its own span
            new_starts.extend(starts[a:b])
            new_ends.extend(ends[a:b])
        else:
            new_starts.extend([starts[a]] * len(rep))
            new_ends.extend([ends[b - 1]] * len(rep))
        pos = b
    new.append(text[pos:])
    new_starts.extend(starts[pos:])
    new_ends.extend(ends[pos:])
    return "".join(new), new_starts, new_ends
