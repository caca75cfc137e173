"""Multilingual term lists: loading the TSV files and matching them in one pass.

All terms of all lexicon files go into one Aho-Corasick automaton (plus a
small one for terms made only of symbols), so a batch of posts is scanned
once whatever the number of terms or languages. Terms are normalised with
the same normaliser as the posts; matching happens on normalised text.
The file format is documented in ``lexicons/README.md``.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from importlib import resources
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any, NamedTuple

import ahocorasick
import numpy as np

from adclassify.normalize import CodeTable, code_points, normalize_batch

__all__ = [
    "CURRENCY",
    "Hit",
    "Matcher",
    "char_class",
    "char_classes",
    "is_word_char",
    "normalize_keys",
    "read_lexicons",
]

Row = tuple[str, str, str, str]  # (category, term, lang, value)


def read_lexicons(directory: str | Path | None = None) -> list[Row]:
    """Read every ``*.tsv`` lexicon file of a folder.

    Parameters
    ----------
    directory : str or Path, optional
        Folder of TSV files; the package's own ``lexicons/`` by default.

    Returns
    -------
    list of (category, term, lang, value)
        The category is the file name without ``.tsv``. Rows are sorted, so the
        result does not depend on the file system's order.
    """
    root = Path(directory) if directory else Path(str(resources.files("adclassify") / "lexicons"))
    rows: set[Row] = set()
    for path in sorted(root.glob("*.tsv")):
        lines = path.read_text("utf-8").splitlines()
        # A comment starts with "#" and has no tab; "# days<TAB>..." is a row.
        body = [ln for ln in lines if ln.strip() and not (ln.startswith("#") and "\t" not in ln)]
        for number, line in enumerate(body[1:], start=2):
            cols = line.split("\t")
            if len(cols) != 3 or not cols[0].strip():
                raise ValueError(f"{path.name}: malformed row {number} (expected term, lang, value)")
            rows.add((path.stem, cols[0].strip(), cols[1].strip(), cols[2].strip()))
    return sorted(rows)


def normalize_keys(rows: Sequence[Row]) -> list[str]:
    """The normalised form of each row's term, as the automaton matches it."""
    return [" ".join(key.split()) for key in normalize_batch([r[1].strip("*") for r in rows])]


class Hit(NamedTuple):
    """A lexicon match in normalised text: ``text[start:end]`` is the term."""

    start: int
    end: int
    category: str
    value: str


# Units may follow a number directly: "1500eur", "200.000đ", "5bin".
_UNITS = ("currency", "multiplier")
_NUMBER = "#"  # in a term: a number from 0 to 20 ("last # places")
_NUMBERS = [str(n) for n in range(21)]
_MARKS = ("Mn", "Mc")


def is_word_char(char: str) -> bool:
    """Whether a character belongs to a word: letters, digits, ``_`` and combining marks."""
    return char.isalnum() or char == "_" or (char > "\u02ff" and unicodedata.category(char) in _MARKS)


def char_class(char: str) -> str:
    """What a character is to the matcher and the hasher.

    Itself in a word, ``0`` for any digit, `` X `` for a currency symbol
    (a token of its own) and a space for everything else.
    """
    if char.isdigit():
        return "0"
    if is_word_char(char):
        return char
    if unicodedata.category(char) == "Sc":
        return f" {char} "
    return " "


#: The high bit that :func:`char_classes` sets on currency symbols.
CURRENCY = np.uint32(0x80000000)
_SPACE = 32


def _class_code(char: str) -> int:
    mapped = char_class(char)
    return ord(char) | int(CURRENCY) if len(mapped) == 3 else ord(mapped) if mapped.strip() else _SPACE


#: :func:`char_class` of each code point of an array (``uint32``), for a whole
#: batch at once; a currency symbol keeps its own code with :data:`CURRENCY`
#: set, so that every class is one code point.
char_classes = CodeTable(_class_code)


class _WordChars(dict):
    """``is_word_char`` as a cached lookup: ``_WORD[char]``."""

    def __missing__(self, char: str) -> bool:
        self[char] = value = is_word_char(char)
        return value


_WORD = _WordChars()


def _numbers(key: str) -> list[str]:
    """The key with each ``#`` replaced by each number from 0 to 20."""
    if _NUMBER not in key:
        return [key]
    out = [""]
    for i, part in enumerate(key.split(_NUMBER)):
        out = [o + part for o in out] if i == 0 else [o + n + part for o in out for n in _NUMBERS]
    return out


class Matcher:
    """Find lexicon terms in normalised text with one pass per batch.

    Matches must start and end at word boundaries, unless the term has a
    ``*`` on that side or its edge is a symbol. A ``#`` in a term stands for
    a number from 0 to 20 (the automaton holds each of them): the counts of
    places, days or tries that adverts give.

    Parameters
    ----------
    rows : iterable of (category, term, lang, value)
        Lexicon rows as returned by :func:`read_lexicons`.
    keys : sequence of str, optional
        The normalised terms (:func:`normalize_keys`), when already computed.

    Examples
    --------
    >>> m = Matcher([("mode", "boat", "en", "boat"), ("channel", "whats*", "en", "whatsapp")])
    >>> [(h.category, h.value) for h in m.find("a boat, whatsapp me")]
    [('mode', 'boat'), ('channel', 'whatsapp')]
    >>> m = Matcher([("urgency", "last # places", "en", "scarcity")])
    >>> [(h.start, h.end) for h in m.find("only last 12 places!")]
    [(5, 19)]
    """

    def __init__(self, rows: Iterable[Row], keys: Sequence[str] | None = None) -> None:
        rows = list(rows)
        if keys is None:
            keys = normalize_keys(rows)
        entries: dict[str, list[tuple[str, str, bool, bool, bool]]] = {}
        for (category, term, _lang, value), key in zip(rows, keys, strict=True):
            if not key or (len(key) == 1 and is_word_char(key)):
                continue  # a lone letter or digit is no term (and would match everywhere)
            # Word boundaries apply only at edges that are word characters.
            left = term.startswith("*") or not _WORD["0" if key[0] == _NUMBER else key[0]]
            right = term.endswith("*") or not _WORD["0" if key[-1] == _NUMBER else key[-1]]
            entry = (category, value, left, right, category in _UNITS)
            for variant in _numbers(key):
                if entry not in entries.setdefault(variant, []):
                    entries[variant].append(entry)
        # Each term is looked up in a masked copy of the batch (:func:`_mask`:
        # digits become "0", other non-word characters a space), padded with
        # a space on each side that needs a word boundary: the automaton then
        # reports only matches whose boundaries hold. Where the mask changed
        # the term (digits, spaces, symbols), the original text is compared
        # too. A term whose rows disagree on its boundaries ("*x" and "x") is
        # stored once without padding and its boundaries are checked per
        # match, so that all hits of one term come out in the order of its
        # rows. Terms without any word character are found in the text itself.
        words: dict[str, dict[tuple[int, int, str | None, bool], list[tuple]]] = {}
        symbols: dict[str, list[tuple]] = {}
        for (key, items), masked in zip(entries.items(), _mask_each(list(entries)), strict=True):
            # The mask keeps letters as they are; any space or digit in it may stand for another character.
            original = None if masked == key and " " not in key and "0" not in key else key
            if not masked.strip():
                symbols[key] = [(category, value) for category, value, *_ in items]
                continue
            if len({(left, right) for _, _, left, right, _ in items}) > 1:
                # (how far the term starts before the match's end, its length, what to compare, checked)
                words.setdefault(masked, {})[len(masked), len(key), original, False] = list(items)
                continue
            for category, value, left, right, unit in items:
                edges = [("" if left else " ", 0 if left else 1)] + ([("0", 1)] if unit and not left else [])
                for pad, skip in edges:
                    stored = pad + masked + ("" if right else " ")
                    group = words.setdefault(stored, {}).setdefault((len(stored) - skip, len(key), original, True), [])
                    if (category, value) not in group:
                        group.append((category, value))
        self._words = _automaton(
            {stored: tuple((*w, tuple(g)) for w, g in groups.items()) for stored, groups in words.items()}
        )
        self._symbols = _automaton({k: ((len(k) - 1, len(k), None, True, tuple(g)),) for k, g in symbols.items()})
        self.size = len(entries)

    def find(self, text: str) -> list[Hit]:
        """Return every term occurrence whose boundaries hold, in text order."""
        return self.find_many([text])[0]

    def find_many(self, texts: Sequence[str]) -> list[list[Hit]]:
        """:meth:`find` for each text, with one pass of each automaton over the whole batch."""
        found: list[list[Hit]] = [[] for _ in texts]
        if not self.size or not texts:
            return found
        joined = "\n".join(texts)  # no term contains a newline, so none spans two texts
        firsts = list(accumulate((len(t) + 1 for t in texts), initial=0))
        last = len(joined) - 1
        # The mask is padded with a space at each end: its position p is p - 1 of ``joined``.
        for automaton, text in ((self._words, " " + _mask(joined) + " "), (self._symbols, joined)):
            if not len(automaton):
                continue
            doc, nxt = 0, firsts[1]
            for end, groups in automaton.iter(text):
                for back, size, original, checked, items in groups:
                    start = end - back
                    if original is not None and joined[start : start + size] != original:
                        continue
                    while start >= nxt:
                        doc += 1
                        nxt = firsts[doc + 1]
                    a, b = start - firsts[doc], start + size - firsts[doc]
                    if checked:
                        for category, value in items:
                            found[doc].append(Hit(a, b, category, value))
                        continue
                    before = start > 0 and _WORD[joined[start - 1]]
                    after = start + size <= last and _WORD[joined[start + size]]
                    for category, value, free_left, free_right, unit in items:
                        if (free_left or not before or (unit and joined[start - 1].isdigit())) and (
                            free_right or not after
                        ):
                            found[doc].append(Hit(a, b, category, value))
        for hits in found:
            if len(hits) > 1:
                hits.sort(key=_order)
        return found


def _order(hit: Hit) -> tuple[int, int]:
    """Text order, the longest first where two start together; a stable sort keeps each term's rows in order."""
    return hit.start, -hit.end


def _mask(text: str) -> str:
    """``text`` with digits as ``0`` and every non-word character as a space, same length."""
    classes = char_classes(code_points(text))
    masked = np.where((classes == _SPACE) | (classes >= CURRENCY), _SPACE, classes)
    return masked.tobytes().decode("utf-32-le")


def _mask_each(texts: list[str]) -> list[str]:
    """:func:`_mask` of each text, computed in one call."""
    joined = _mask("".join(texts))
    bounds = list(accumulate((len(t) for t in texts), initial=0))
    return [joined[a:b] for a, b in pairwise(bounds)]


def _automaton(words: dict[str, Any]) -> ahocorasick.Automaton:
    """An automaton of ``words``, added so that every node lists its frequent characters first.

    pyahocorasick looks a character up among a node's children one by one,
    so the order of insertion (ranked by how often each character occurs in
    the words) decides how fast a pass is.
    """
    # Each character as the character of its rank, so that plain string order is rank order.
    rank = {ord(char): i for i, (char, _) in enumerate(Counter("".join(words)).most_common())}
    automaton = ahocorasick.Automaton()
    for word in sorted(words, key=lambda w: w.translate(rank)):
        automaton.add_word(word, words[word])
    if words:
        automaton.make_automaton()
    return automaton
