"""Multilingual term lists: loading the TSV files and matching them in one pass.

All terms of all lexicon files go into one Aho-Corasick automaton, so a post
is scanned once whatever the number of terms or languages. Terms are
normalised with the same normaliser as the posts; matching happens on
normalised text. The file format is documented in ``lexicons/README.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import ahocorasick

from adclassify.normalize import normalize_batch

__all__ = ["Hit", "Matcher", "normalize_keys", "read_lexicons"]

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
        body = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
        for number, line in enumerate(body[1:], start=2):
            cols = line.split("\t")
            if len(cols) != 3 or not cols[0].strip():
                raise ValueError(f"{path.name}: malformed row {number} (expected term, lang, value)")
            rows.add((path.stem, cols[0].strip(), cols[1].strip(), cols[2].strip()))
    return sorted(rows)


def normalize_keys(rows: Sequence[Row]) -> list[str]:
    """The normalised form of each row's term, as the automaton matches it."""
    return [" ".join(key.split()) for key in normalize_batch([r[1].strip("*") for r in rows])]


@dataclass(frozen=True)
class Hit:
    """A lexicon match in normalised text: ``text[start:end]`` is the term."""

    start: int
    end: int
    category: str
    value: str


# Units may follow a number directly: "1500eur", "200.000đ", "5bin".
_UNITS = ("currency", "multiplier")


class Matcher:
    """Find lexicon terms in normalised text with one automaton.

    Parameters
    ----------
    rows : iterable of (category, term, lang, value)
        Lexicon rows as returned by :func:`read_lexicons`.

    Examples
    --------
    >>> m = Matcher([("mode", "boat", "en", "boat"), ("channel", "whats*", "en", "whatsapp")])
    >>> [(h.category, h.value) for h in m.find("a boat, whatsapp me")]
    [('mode', 'boat'), ('channel', 'whatsapp')]
    """

    def __init__(self, rows: Iterable[Row], keys: Sequence[str] | None = None) -> None:
        rows = list(rows)
        if keys is None:
            keys = normalize_keys(rows)
        entries: dict[str, list[tuple[str, str, bool, bool, bool]]] = {}
        for (category, term, _lang, value), key in zip(rows, keys, strict=True):
            first, last = key[:1], key[-1:]
            if not key or (len(key) == 1 and (first.isalnum() or first == "_")):
                continue  # a lone letter or digit is no term (and would match everywhere)
            # Word boundaries apply only at edges that are letters or digits.
            left = term.startswith("*") or not (first.isalnum() or first == "_")
            right = term.endswith("*") or not (last.isalnum() or last == "_")
            entry = (category, value, left, right, category in _UNITS)
            if entry not in entries.setdefault(key, []):
                entries[key].append(entry)
        self._automaton = ahocorasick.Automaton()
        for key, items in entries.items():
            self._automaton.add_word(key, (len(key), tuple(items)))
        if entries:
            self._automaton.make_automaton()
        self.size = len(entries)

    def find(self, text: str) -> list[Hit]:
        """Return every term occurrence whose boundaries hold, in text order."""
        if not self.size or not text:
            return []
        hits = []
        last = len(text) - 1
        for end, (length, items) in self._automaton.iter(text):
            start = end - length + 1
            before = start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")
            after = end < last and (text[end + 1].isalnum() or text[end + 1] == "_")
            digit = before and text[start - 1].isdigit()
            for category, value, free_left, free_right, unit in items:
                if (free_left or not before or (unit and digit)) and (free_right or not after):
                    hits.append(Hit(start, end + 1, category, value))
        hits.sort(key=lambda h: (h.start, -h.end))
        return hits

    def find_many(self, texts: Sequence[str]) -> list[list[Hit]]:
        """:meth:`find` for each text."""
        return [self.find(t) for t in texts]
