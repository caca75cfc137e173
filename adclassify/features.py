"""scikit-learn transformers that turn posts into features.

* :class:`TextNormalizer` undoes evasion (see :mod:`adclassify.normalize`).
* :class:`HashedNgramVectorizer` hashes character n-grams and word n-grams of
  normalised text into a fixed-width sparse matrix. Hashing runs on whole
  batches as numpy array arithmetic (polynomial rolling hashes modulo 2**64),
  with no per-n-gram Python code, which is what makes scoring fast.
* :class:`IndicatorVectorizer` counts lexicon terms by category and value
  (contact channels, modes, routes, prices, guarantees, ...) and a few
  pattern detectors (phone numbers, prices, links, handles).

All follow the estimator rules: ``__init__`` only stores parameters, ``fit``
validates them and sets the learned attributes (ending in ``_``).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from adclassify.lexicon import (
    CURRENCY,
    Hit,
    Matcher,
    char_class,
    char_classes,
    normalize_keys,
    read_lexicons,
)
from adclassify.normalize import CachedTable, code_points, normalize_batch
from adclassify.patterns import AMOUNT, FLAG, HANDLE, PHONE, URL_MARK

__all__ = ["HashedNgramVectorizer", "IndicatorVectorizer", "TextNormalizer", "check_texts"]


def check_texts(texts: object) -> list[str]:
    """Validate a batch of posts the way scikit-learn's vectorizers do.

    A bare ``str`` is refused (it would be read as a sequence of characters);
    ``None``, NaN (of any float type) and ``pandas.NA`` become empty posts
    (missing values in a data frame); any other non-str item is a
    ``TypeError`` naming its position.
    """
    if isinstance(texts, (str, bytes)):
        raise TypeError("expected a sequence of posts, got a single string; wrap it in a list")
    if not isinstance(texts, Iterable):
        raise TypeError(f"expected a sequence of posts, got {type(texts).__name__}")
    out = []
    for i, text in enumerate(texts):
        if isinstance(text, str):
            out.append(text)
        elif text is None or (isinstance(text, numbers.Real) and math.isnan(text)) or type(text).__name__ == "NAType":
            out.append("")  # None, NaN of any float type, pandas.NA: a missing post
        else:
            raise TypeError(f"post at position {i} is {type(text).__name__}, not str")
    return out


class TextNormalizer(TransformerMixin, BaseEstimator):
    """Undo filter evasion: Unicode folding, homoglyphs, leetspeak, spacing, emojis.

    The transformer has no parameters and learns nothing; ``fit`` only marks
    it fitted so that it behaves like every other step.

    Examples
    --------
    >>> TextNormalizer().fit_transform(["W h 4 t s a p p 🚤"])
    ['whatsapp  e_speedboat ']
    """

    def fit(self, X: Sequence[str], y: object = None) -> TextNormalizer:
        """Validate ``X``; nothing is learned."""
        check_texts(X)
        self.fitted_ = True
        return self

    def transform(self, X: Sequence[str]) -> list[str]:
        """Return the normalised posts."""
        check_is_fitted(self)
        return normalize_batch(check_texts(X))

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The single output column: the normalised text."""
        check_is_fitted(self)
        return np.asarray(["text"], dtype=object)


_MASK = (1 << 64) - 1
_PRIME = 1099511628211  # odd, so invertible modulo 2**64
_PRIME_INV = pow(_PRIME, -1, 1 << 64)
_PAIR = 0x9E3779B97F4A7C15
_MIX = 0xBF58476D1CE4E5B9
_SEP = "\n"


_HASH_TABLE = CachedTable(char_class)


def hash_prepare(text: str) -> str:
    """The text as the hasher sees it: one space between tokens, no edges."""
    return " ".join(text.translate(_HASH_TABLE).split())


_SPACE, _BREAK = 32, ord(_SEP)  # a post boundary in the batch (newlines in posts are spaces)


def hash_layout(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The code points of ``" " + "  ".join(map(hash_prepare, texts)) + " "`` and each post's share.

    The share of a post is ``len(hash_prepare(text)) + 2``: the post and a
    space on each side. Computed with array operations over the whole batch
    instead of one ``translate`` and ``split`` per post.
    """
    codes = code_points(_SEP.join(texts))
    x = np.empty(len(codes) + 2, dtype=np.uint32)
    x[1:-1] = char_classes(codes)
    x[0] = x[-1] = _BREAK
    x[np.cumsum([len(t) + 1 for t in texts[:-1]], dtype=np.int64)] = _BREAK
    # Keep the last space of each run, if a token follows it...
    solid = x != _SPACE
    keep = solid.copy()
    keep[:-1] |= solid[1:] & (x[1:] != _BREAK)
    x = x[keep]
    # ... and the run does not start a post.
    keep = np.ones(len(x), dtype=bool)
    keep[1:] = (x[1:] != _SPACE) | (x[:-1] != _BREAK)
    x = x[keep]
    # A post boundary becomes two spaces; a currency symbol is a token of its
    # own, so a space goes between it and a token next to it.
    token = (x != _SPACE) & (x != _BREAK)
    currency = x >= CURRENCY
    split = np.zeros(len(x), dtype=bool)
    split[:-1] = (currency[:-1] & token[1:]) | (token[:-1] & currency[1:])
    breaks = np.flatnonzero(x == _BREAK)
    counts = 1 + split.view(np.uint8) + (x == _BREAK)
    chars = np.repeat(x & ~CURRENCY, counts)
    chars[(np.cumsum(counts) - counts)[split] + 1] = _SPACE
    chars[chars == _BREAK] = _SPACE
    shares = np.diff(breaks) + 1 + np.add.reduceat(split, breaks[:-1]) if len(texts) else breaks[:0]
    return chars[1:-1], shares


def hash_prepare_map(text: str) -> tuple[str, list[int]]:
    """:func:`hash_prepare` plus, per output character, its index in ``text``."""
    chars: list[str] = []
    index: list[int] = []
    for i, char in enumerate(text):
        for out in _HASH_TABLE[ord(char)]:
            if out.isspace():
                if not chars or chars[-1] == " ":
                    continue
                out = " "
            chars.append(out)
            index.append(i)
    while chars and chars[-1] == " ":
        chars.pop()
        index.pop()
    return "".join(chars), index


class HashedNgramVectorizer(TransformerMixin, BaseEstimator):
    """Hash character and word n-grams of normalised posts into sparse rows.

    Each post is reduced to its tokens (letters and digits; digits become
    ``0``; currency symbols are tokens) joined by single spaces and padded
    with a space at each end. Character n-grams run over that string, so
    they see word edges; word n-grams run over the tokens. Each family is
    scaled by ``1 / sqrt(count)`` within a post.

    Parameters
    ----------
    char_ngram_range : tuple of int, default=(2, 5)
        Smallest and largest character n-gram.
    word_ngram_range : tuple of int, default=(1, 2)
        Smallest and largest word n-gram (at most 2); ``(0, 0)`` disables.
    n_features : int, default=2**18
        Columns of the character family, a power of two; the word family
        adds half as many (``n_features_out_`` is the total width).
    word_weight : float, default=1.0
        Weight of the word family relative to the character family.

    Examples
    --------
    >>> v = HashedNgramVectorizer(n_features=2**10).fit(["a post"])
    >>> X = v.transform(["crossing this week", "hello"])
    >>> X.shape
    (2, 1536)
    """

    def __init__(
        self,
        *,
        char_ngram_range: tuple[int, int] = (2, 5),
        word_ngram_range: tuple[int, int] = (1, 2),
        n_features: int = 2**18,
        word_weight: float = 1.0,
    ) -> None:
        self.char_ngram_range = char_ngram_range
        self.word_ngram_range = word_ngram_range
        self.n_features = n_features
        self.word_weight = word_weight

    def fit(self, X: Sequence[str], y: object = None) -> HashedNgramVectorizer:
        """Validate the parameters; hashing learns nothing from ``X``."""
        check_texts(X)
        lo, hi = self.char_ngram_range
        if not 1 <= lo <= hi:
            raise ValueError(f"char_ngram_range must satisfy 1 <= min <= max, got {self.char_ngram_range}")
        wlo, whi = self.word_ngram_range
        if not (wlo == whi == 0 or 1 <= wlo <= whi <= 2):
            raise ValueError(f"word_ngram_range must be (0, 0) or within (1, 2), got {self.word_ngram_range}")
        n = self.n_features
        if not isinstance(n, (int, np.integer)) or n < 2 or n & (n - 1):
            raise ValueError(f"n_features must be a power of two, got {n!r}")
        self.n_features_out_ = int(n) + (int(n) // 2 if whi else 0)
        return self

    def transform(self, X: Sequence[str]) -> sp.csr_matrix:
        """Hash the n-grams of each (normalised) post."""
        return sp.hstack(self.transform_blocks(X), format="csr", dtype=np.float32)

    def transform_blocks(self, X: Sequence[str]) -> list[sp.csr_matrix]:
        """The columns of :meth:`transform` as blocks, left to right: characters, then words.

        A linear model can score the blocks one by one (see
        ``CalibratedLinearClassifier.decision_function``) without the copy
        that joins them.
        """
        check_is_fitted(self)
        texts = check_texts(X)
        wlo, whi = self.word_ngram_range
        if not texts:
            widths = [self.n_features] + ([self.n_features // 2] if whi else [])
            return [sp.csr_matrix((0, w), dtype=np.float32) for w in widths]
        # Lay out " doc0  doc1  ... ": every post padded with a space each side.
        codes, lengths = hash_layout(texts)
        chars = codes.astype(np.uint64)
        ends = np.cumsum(lengths)
        blocks = [self._char_block(chars, lengths, ends)]
        if whi:
            blocks.append(self._word_block(chars, ends))
        return blocks

    def _char_block(self, chars: np.ndarray, lengths: np.ndarray, ends: np.ndarray) -> sp.csr_matrix:
        """Character n-grams; n-grams that run into the next post go to column 0."""
        size = len(chars)
        lo, hi = self.char_ngram_range
        columns = []
        valid = np.zeros(len(lengths))
        h = chars
        for n in range(1, hi + 1):
            if n > 1:
                h = h[:-1] * np.uint64(_PRIME) + chars[n - 1 :]
            if n < lo:
                continue
            col = np.zeros(size, dtype=np.int32)
            col[: len(h)] = self._bucket(h, n, self.n_features)
            col[(ends[:, None] - np.arange(1, n)).ravel()] = 0
            columns.append(col)
            valid += np.maximum(lengths - n + 1, 0)
        width = len(columns)
        indptr = np.concatenate(([0], np.cumsum(lengths * width)))
        data = np.repeat((1.0 / np.sqrt(np.maximum(valid, 1.0))).astype(np.float32), lengths * width)
        indices = np.stack(columns, axis=1).ravel()
        data[indices == 0] = 0  # the dead slot would otherwise count a post's edges: a length prior
        return sp.csr_matrix((data, indices, indptr), shape=(len(lengths), self.n_features))

    def _word_block(self, chars: np.ndarray, ends: np.ndarray) -> sp.csr_matrix:
        """Word unigrams and bigrams; a bigram across two posts goes to column 0."""
        n_docs = len(ends)
        width = self.n_features // 2
        begin, words = _word_hashes(chars)
        word_doc = np.searchsorted(ends, begin, side="right")
        wlo, whi = self.word_ngram_range
        columns = []
        if wlo <= 1:
            columns.append(self._bucket(words, 101, width))
        if whi >= 2:
            pairs = np.zeros(len(words), dtype=np.int32)
            if len(words) > 1:
                pairs[:-1] = self._bucket(words[:-1] * np.uint64(_PAIR) + words[1:], 102, width)
                pairs[:-1][word_doc[:-1] != word_doc[1:]] = 0
            pairs[-1:] = 0
            columns.append(pairs)
        n_words = np.bincount(word_doc, minlength=n_docs)
        valid = n_words * len(columns) - (whi >= 2) * (n_words > 0)
        counts = n_words * len(columns)
        indptr = np.concatenate(([0], np.cumsum(counts)))
        weight = (self.word_weight / np.sqrt(np.maximum(valid, 1))).astype(np.float32)
        data = np.repeat(weight, counts)
        indices = np.stack(columns, axis=1).ravel()
        data[indices == 0] = 0
        return sp.csr_matrix((data, indices, indptr), shape=(n_docs, width))

    @staticmethod
    def _bucket(hashes: np.ndarray, family: int, width: int) -> np.ndarray:
        mixed = (hashes ^ np.uint64((family * _PAIR) & _MASK)) * np.uint64(_MIX)
        return (mixed >> np.uint64(65 - int(width).bit_length())).astype(np.int32)

    def analyze(self, text: str) -> list[tuple[str, int, int, int]]:
        """List the n-grams of one normalised post with their columns.

        Returns ``(ngram, column, start, end)`` tuples, where ``start:end`` is
        the n-gram's span in :func:`hash_prepare` of the text (padded with a
        leading space, so position 0 is the pad). Used by explanations.
        """
        check_is_fitted(self)
        padded = " " + hash_prepare(text) + " "
        out = []
        lo, hi = self.char_ngram_range
        for n in range(lo, hi + 1):
            for i in range(len(padded) - n + 1):
                gram = padded[i : i + n]
                out.append((gram, self._bucket_one(_poly(gram), n, self.n_features), i, i + n))
        wlo, whi = self.word_ngram_range
        words = self.n_features // 2
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(padded)]
        hashes = [_poly_word(padded[a:b]) for a, b in spans]
        if whi and wlo <= 1:
            for (a, b), h in zip(spans, hashes, strict=True):
                out.append((padded[a:b], self.n_features + self._bucket_one(h, 101, words), a, b))
        if whi >= 2:
            for k in range(len(spans) - 1):
                h = (hashes[k] * _PAIR + hashes[k + 1]) & _MASK
                a, b = spans[k][0], spans[k + 1][1]
                out.append((padded[a:b], self.n_features + self._bucket_one(h, 102, words), a, b))
        return out

    @staticmethod
    def _bucket_one(value: int, family: int, width: int) -> int:
        mixed = ((value ^ ((family * _PAIR) & _MASK)) * _MIX) & _MASK
        return mixed >> (65 - int(width).bit_length())

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Hashed columns have no names: ``char_<i>`` and ``word_<i>``."""
        check_is_fitted(self)
        names = [f"char_{i}" for i in range(self.n_features)]
        names += [f"word_{i}" for i in range(self.n_features_out_ - self.n_features)]
        return np.asarray(names, dtype=object)


_POWERS = np.ones(1, dtype=np.uint64)
_INVERSES = np.ones(1, dtype=np.uint64)


def _powers(size: int) -> tuple[np.ndarray, np.ndarray]:
    """``PRIME**i`` and ``PRIME**-i`` modulo 2**64 for ``i < size``, cached."""
    global _POWERS, _INVERSES
    if len(_POWERS) < size:
        grown = max(size, 2 * len(_POWERS))
        powers = np.cumprod(np.full(grown, _PRIME, dtype=np.uint64), dtype=np.uint64)
        inverses = np.cumprod(np.full(grown, _PRIME_INV, dtype=np.uint64), dtype=np.uint64)
        one = np.ones(1, dtype=np.uint64)
        _INVERSES = np.concatenate((one, inverses[:-1]))
        _POWERS = np.concatenate((one, powers[:-1]))
    return _POWERS[:size], _INVERSES[:size]


def _word_hashes(chars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start positions and polynomial hashes of the space-separated words."""
    blank = chars == 32
    begin = np.flatnonzero(~blank[1:] & blank[:-1]) + 1
    end = np.flatnonzero(~blank[:-1] & blank[1:]) + 1
    powers, inverses = _powers(len(chars))
    prefix = np.zeros(len(chars) + 1, dtype=np.uint64)
    np.cumsum(chars * powers, dtype=np.uint64, out=prefix[1:])
    return begin, (prefix[end] - prefix[begin]) * inverses[begin]


_TOKEN = re.compile(r"[^ ]++")


def _poly(text: str) -> int:
    """The polynomial hash the vectorizer computes with numpy, in plain Python."""
    h = 0
    for char in text:
        h = (h * _PRIME + ord(char)) & _MASK
    return h


def _poly_word(text: str) -> int:
    """The prefix-sum word hash of :func:`_word_hashes`, in plain Python."""
    return sum(ord(c) * pow(_PRIME, k, 1 << 64) for k, c in enumerate(text)) & _MASK


def _lines(stored: np.ndarray) -> list[str]:
    """The lines of a stored string column, in either saved layout.

    Now one string joined by newlines (see ``IndicatorVectorizer.fit``);
    models saved before hold one array item per line.
    """
    stored = np.asarray(stored)
    if stored.ndim:
        return stored.tolist()
    text = str(stored)
    return text.split("\n") if text else []


class IndicatorVectorizer(TransformerMixin, BaseEstimator):
    """Count smuggling indicators in normalised posts.

    Columns are ``<category>`` (any term of a lexicon file), ``<category>=<value>``
    (one value, such as ``mode=boat`` or ``countries=GB``) and the detectors
    ``phone``, ``url``, ``handle``, ``amount`` and ``flag``, plus ``n_kinds``
    (how many of the violating categories, or a phone number, occur together)
    and ``no_evidence`` (no term of a violating category, of ``document`` or
    ``job``, and no detector match: nothing a moderator could be shown, which
    :class:`~adclassify.Classifier` can require before it flags a post).
    Counts are ``log1p``-scaled.

    Parameters
    ----------
    lexicon_dir : str, optional
        Folder of lexicon TSV files; the package's own by default. The terms
        are read at ``fit`` and stored in the fitted object (``terms_``), so
        a saved model keeps scoring the same when lexicon files change.
    exclude : tuple of str, default=("direction", "numbers")
        Lexicon files left out: route markers and number words are very
        common words that the evidence parsers need but that carry no signal
        on their own.

    Examples
    --------
    >>> v = IndicatorVectorizer().fit(["x"])
    >>> X = v.transform(["whatsapp +44 7700 900123, boat to italy"])
    >>> names = v.get_feature_names_out()
    >>> bool(X[0, list(names).index("phone")] > 0)
    True
    """

    _DETECTORS = (("phone", PHONE), ("url", URL_MARK), ("handle", HANDLE), ("amount", AMOUNT), ("flag", FLAG))
    _VIOLATING = (
        "channel",
        "prompt",
        "mode",
        "guarantee",
        "payment",
        "urgency",
        "offer",
        "request",
        "code_word",
        "exploitation",
        "fraud",
        "countries",
        "cities",
    )
    _EVIDENCE = frozenset((*_VIOLATING, "document", "job"))

    def __init__(self, *, lexicon_dir: str | None = None, exclude: tuple[str, ...] = ("direction", "numbers")) -> None:
        self.lexicon_dir = lexicon_dir
        self.exclude = exclude

    def fit(self, X: Sequence[str], y: object = None) -> IndicatorVectorizer:
        """Read the lexicons and fix the column order."""
        check_texts(X)
        rows = [r for r in read_lexicons(self.lexicon_dir) if r[0] not in self.exclude]
        names = sorted({r[0] for r in rows} | {f"{r[0]}={r[3]}" for r in rows})
        names += [name for name, _ in self._DETECTORS] + ["n_kinds", "no_evidence"]
        # One string each (rows by newline, columns by tab), saved as a plain
        # .npy array: no pickle, and no padding of every cell to the longest
        # term, which a fixed-width (n, 4) array needs and which made loading slow.
        self.terms_ = np.array("\n".join("\t".join(row) for row in rows))
        self.keys_ = np.array("\n".join(normalize_keys(rows)))
        self.feature_names_ = np.array(names, dtype=str)
        return self

    def rows(self) -> list[tuple[str, str, str, str]]:
        """The lexicon rows ``(category, term, lang, value)`` the vectorizer was fitted with."""
        check_is_fitted(self)
        terms = np.asarray(self.terms_)
        if terms.ndim == 2:  # the layout of earlier saved models: one row per lexicon row
            return [tuple(row) for row in terms.tolist()]
        return [tuple(line.split("\t")) for line in _lines(terms)]

    @property
    def matcher(self) -> Matcher:
        """The compiled automaton, built once from ``terms_`` and not saved."""
        check_is_fitted(self)
        matcher = self.__dict__.get("_matcher")
        if matcher is None:
            keys = _lines(self.keys_) if hasattr(self, "keys_") else None
            matcher = Matcher(self.rows(), keys)
            self.__dict__["_matcher"] = matcher
        return matcher

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_matcher", None)
        return state

    def transform(self, X: Sequence[str]) -> sp.csr_matrix:
        """Count the indicators of each (normalised) post.

        The whole batch is scanned at once (one automaton pass and one pass
        per detector over the joined posts); matches are counted with
        sparse-matrix arithmetic.
        """
        check_is_fitted(self)
        texts = check_texts(X)
        return self.count(texts, self.matcher.find_many(texts))

    def count(self, texts: Sequence[str], hits: Sequence[Sequence[Hit]]) -> sp.csr_matrix:
        """:meth:`transform` from lexicon hits already found in ``texts``.

        ``hits`` holds one list of :class:`~adclassify.lexicon.Hit` per text,
        as ``Matcher.find_many`` returns them, so that a caller that has
        scanned the posts for evidence with the same lexicon rows does not
        scan them again. Hits of categories or values that the vectorizer was
        not fitted with are ignored.
        """
        check_is_fitted(self)
        n_docs, width = len(texts), len(self.feature_names_)
        if not n_docs:
            return sp.csr_matrix((0, width), dtype=np.float32)
        # Columns are looked up by name, so a model fitted with fewer columns
        # (an older version) gets exactly the columns it was fitted with.
        column = {name: i for i, name in enumerate(np.asarray(self.feature_names_).tolist())}
        kind_of = {name: i for i, name in enumerate((*self._VIOLATING, "phone"))}
        docs: list[int] = []
        cols: list[int] = []
        kind_docs: list[int] = []
        kind_ids: list[int] = []
        shown: list[int] = []  # posts with evidence, once per match
        targets: dict[tuple[str, str], tuple[list[int], int | None]] = {}
        for i, found in enumerate(hits):
            for hit in found:
                target = targets.get((hit.category, hit.value))
                if target is None:
                    keys = (hit.category, f"{hit.category}={hit.value}")
                    target = ([column[k] for k in keys if k in column], kind_of.get(hit.category))
                    targets[hit.category, hit.value] = target
                for j in target[0]:
                    docs.append(i)
                    cols.append(j)
                if target[0] and hit.category in self._EVIDENCE:  # a category it was fitted with
                    shown.append(i)
                if target[1] is not None:
                    kind_docs.append(i)
                    kind_ids.append(target[1])
        joined = _SEP.join(texts)
        starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
        for name, pattern in self._DETECTORS:
            found = (np.searchsorted(starts, [m.start() for m in pattern.finditer(joined)], side="right") - 1).tolist()
            shown += found
            if name in column:
                docs += found
                cols += [column[name]] * len(found)
            if name == "phone":
                kind_docs += found
                kind_ids += [kind_of["phone"]] * len(found)
        counts = sp.coo_matrix((np.ones(len(cols)), (docs, cols)), shape=(n_docs, width)).tocsr()
        kind_doc = np.asarray(kind_docs, dtype=np.int64)
        pairs = np.unique(kind_doc * len(kind_of) + np.asarray(kind_ids, dtype=np.int64))
        n_kinds = np.bincount(pairs // len(kind_of), minlength=n_docs).astype(float)
        extra_rows, extra_cols, extra_vals = [], [], []
        if "n_kinds" in column:
            has = np.flatnonzero(n_kinds)
            extra_rows.append(has)
            extra_cols.append(np.full(len(has), column["n_kinds"]))
            extra_vals.append(n_kinds[has])
        # Models fitted before ``no_evidence`` have ``no_indicator``: no violating kind.
        for name, empty in (("no_indicator", n_kinds == 0), ("no_evidence", np.bincount(shown, minlength=n_docs) == 0)):
            if name in column:
                none = np.flatnonzero(empty)
                extra_rows.append(none)
                extra_cols.append(np.full(len(none), column[name]))
                extra_vals.append(np.ones(len(none)))
        if extra_rows:
            counts = counts + sp.csr_matrix(
                (np.concatenate(extra_vals), (np.concatenate(extra_rows), np.concatenate(extra_cols))),
                shape=(n_docs, width),
            )
        counts.data = np.log1p(counts.data)
        return counts.astype(np.float32)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Names of the indicator columns."""
        check_is_fitted(self)
        return np.asarray(self.feature_names_).astype(object)
