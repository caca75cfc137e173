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
from collections.abc import Iterator

import wordfreq

TOP_WORDS = 20000
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
    """Sample background posts for the wordfreq languages.

    Parameters
    ----------
    seed : int
        Seed; the posts are a pure function of it and of the wordfreq data.
    """

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.vocab: dict[str, tuple[list[str], list[float]]] = {}

    @staticmethod
    def languages() -> list[str]:
        # Japanese, Korean and Chinese need tokenizers (MeCab, jieba) wordfreq does not bundle.
        return sorted(set(wordfreq.available_languages("best")) - {"ja", "ko", "zh"})

    def _words(self, lang: str) -> tuple[list[str], list[float]]:
        if lang not in self.vocab:
            words = wordfreq.top_n_list(lang, TOP_WORDS)
            weights = [wordfreq.word_frequency(w, lang) ** 0.6 for w in words]
            self.vocab[lang] = (words, weights)
        return self.vocab[lang]

    def post(self, lang: str) -> str:
        r = self.rng
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
        text = " ".join(tokens)
        if r.random() < 0.3:
            text = text[0].upper() + text[1:]
        return text + r.choice(["", "", ".", "!", " ?", " 😂"])

    def posts(self, per_lang: int) -> Iterator[dict]:
        for lang in self.languages():
            for _ in range(per_lang):
                yield {"text": self.post(lang), "label": "benign", "lang": lang, "kind": "background"}
