"""Multilingual term lists: loading the TSV files and matching them in one pass.

All terms of all lexicon files go into one Aho-Corasick automaton, so a post
is scanned once whatever the number of terms or languages. Terms are
normalised with the same normaliser as the posts; matching happens on
normalised text. The file format is documented in ``lexicons/README.md``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from importlib import resources
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

import ahocorasick

from adclassify.normalize import normalize_batch

__all__ = ["Hit", "Matcher", "is_word_char", "normalize_keys", "read_lexicons"]

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
    """Find lexicon terms in normalised text with one automaton pass per batch.

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
            left = term.startswith("*") or not is_word_char(key[0].replace(_NUMBER, "0"))
            right = term.endswith("*") or not is_word_char(key[-1].replace(_NUMBER, "0"))
            entry = (category, value, left, right, category in _UNITS)
            for variant in _numbers(key):
                if entry not in entries.setdefault(variant, []):
                    entries[variant].append(entry)
        self._automaton = ahocorasick.Automaton()
        for key, items in entries.items():
            self._automaton.add_word(key, (len(key), tuple(items)))
        if entries:
            self._automaton.make_automaton()
        self.size = len(entries)

    def find(self, text: str) -> list[Hit]:
        """Return every term occurrence whose boundaries hold, in text order."""
        return self.find_many([text])[0]

    def find_many(self, texts: Sequence[str]) -> list[list[Hit]]:
        """:meth:`find` for each text, with one automaton pass over the whole batch."""
        found: list[list[Hit]] = [[] for _ in texts]
        if not self.size or not texts:
            return found
        joined = "\n".join(texts)  # no term contains a newline, so none spans two texts
        firsts = list(accumulate((len(t) + 1 for t in texts), initial=0))
        doc, nxt, last = 0, firsts[1], len(joined) - 1
        for end, (length, items) in self._automaton.iter(joined):
            while end >= nxt:
                doc += 1
                nxt = firsts[doc + 1]
            start = end - length + 1
            before = start > 0 and _WORD[joined[start - 1]]
            after = end < last and _WORD[joined[end + 1]]
            for category, value, free_left, free_right, unit in items:
                if (free_left or not before or (unit and joined[start - 1].isdigit())) and (free_right or not after):
                    base = firsts[doc]
                    found[doc].append(Hit(start - base, end + 1 - base, category, value))
        for hits in found:
            if len(hits) > 1:
                hits.sort(key=lambda h: (h.start, -h.end))
        return found
