"""Everyday background posts for every language, built from word frequencies.

Ordinary traffic is mostly chatter that looks nothing like the phrase banks.
To teach the model what ordinary posts look like in many languages, this
module samples "word salad" posts from the frequency lists of the
``wordfreq`` package (no text is copied: each post is a random draw of
common words), dressed with the furniture of real posts: mentions, hashtags,
links, emojis, numbers, times, dates and prices. All are labelled benign.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator

import wordfreq

TOP_WORDS = 20000
PLACEHOLDER = re.compile(r"\{[a-z]++\}")
MENTIONS = ["@user", "@USER", "@{w}", "@{w}{n}", "@{w}_{w}"]
FURNITURE = [
    "@user",
    "#{w}",
    "http://t.co/{h}",
    "{n}",
    "{n}:{m}",
    "{d}/{mo}",
    "{n}€",
    "${n}",
    "{n}%",
    "😂",
    "❤️",
    "🙏",
    "😍",
    "👍",
    "🔥",
    "😭",
    "!!",
    "?",
    "...",
    "lol",
    "RT",
    "🇬🇧",
    "🇫🇷",
    "🇹🇷",
    "🇩🇪",
    "✈️",
    "⚽",
]


class Background:
    """Sample background posts for the wordfreq languages and the phrase-bank languages.

    Languages wordfreq lacks (Kurdish, Pashto, Albanian, romanised Urdu and
    Hindi, Arabizi, Finglish, Tigrinya, Amharic...) get word frequencies
    counted over the everyday chatter of their phrase bank.

    Parameters
    ----------
    seed : int
        Seed; the posts are a pure function of it and of the word lists.
    banks : dict, optional
        Phrase banks by language (see :func:`training.generate.load_banks`).
    """

    def __init__(self, seed: int = 0, banks: dict[str, dict] | None = None) -> None:
        self.rng = random.Random(seed)
        self.vocab: dict[str, tuple[list[str], list[float]]] = {}
        self.banks = banks or {}

    def languages(self) -> list[str]:
        # Japanese, Korean and Chinese need tokenizers (MeCab, jieba) wordfreq does not bundle.
        known = set(wordfreq.available_languages("best")) - {"ja", "ko", "zh"}
        chatter = {lang for lang, bank in self.banks.items() if bank.get("benign", {}).get("chatter")}
        return sorted(known | (chatter - known))

    def _words(self, lang: str) -> tuple[list[str], list[float]]:
        if lang not in self.vocab:
            if lang in wordfreq.available_languages("best"):
                words = wordfreq.top_n_list(lang, TOP_WORDS)
                weights = [wordfreq.word_frequency(w, lang) ** 0.6 for w in words]
            else:
                counts = Counter(
                    word
                    for post in self.banks[lang]["benign"]["chatter"]
                    for word in PLACEHOLDER.sub(" ", post).split()
                )
                words = sorted(counts)
                weights = [counts[w] ** 0.6 for w in words]
            self.vocab[lang] = (words, weights)
        return self.vocab[lang]

    def post(self, lang: str) -> str:
        r = self.rng
        if r.random() < 0.04:  # reactions: only emojis, laughter, mentions
            return " ".join(r.choices(FURNITURE[9:], k=r.randint(1, 6)))
        words, weights = self._words(lang)
        tokens = r.choices(words, weights, k=r.randint(3, 28))
        for _ in range(r.choice([0, 0, 1, 1, 2, 3])):
            extra = r.choice(FURNITURE).format(
                w=r.choice(words),
                h="".join(r.choices("abcdefXYZ0123456789", k=8)),
                n=r.randint(1, 2025),
                m=f"{r.randint(0, 59):02d}",
                d=r.randint(1, 28),
                mo=r.randint(1, 12),
            )
            tokens.insert(r.randint(0, len(tokens)), extra)
        if r.random() < 0.25:  # replies start with mentions on most platforms
            for _ in range(r.choice([1, 1, 2])):
                tokens.insert(0, r.choice(MENTIONS).format(w=r.choice(words).lower(), n=r.randint(1, 99)))
        text = " ".join(tokens)
        if r.random() < 0.3:
            text = text[0].upper() + text[1:]
        if lang == "vi" and r.random() < 0.4:  # Vietnamese is often typed without diacritics
            text = unicodedata.normalize(
                "NFC",
                "".join(
                    c for c in unicodedata.normalize("NFD", text.replace("đ", "d")) if not unicodedata.combining(c)
                ),
            )
        return text + r.choice(["", "", ".", "!", " ?", " 😂"])

    def posts(self, per_lang: int) -> Iterator[dict]:
        for lang in self.languages():
            for _ in range(per_lang):
                yield {"text": self.post(lang), "label": "benign", "lang": lang, "kind": "background"}
