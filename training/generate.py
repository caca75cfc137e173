"""Generate the labelled training corpus from the hand-written phrase banks.

Violating posts are composed from slot fillers (``training/phrases/*.json``):
a random subset of slots, partly shuffled, joined by spaces, line breaks,
dots or emojis, with placeholders filled by fictional contacts, amounts and
prices. Hand-written whole posts are mixed in. Benign posts are the banks'
hard negatives and chatter, plus recombined chatter fragments. A share of all
posts then goes through evasion augmentation (spaced and dotted letters,
leetspeak, homoglyphs, zero-width characters, emoji substitution, diacritic
stripping, typos, casing).

Splits: every filler and every whole post belongs to ``train``, ``val`` or
``test`` by a stable hash of its text (about one in ten each for ``val`` and
``test``), so the held-out splits are composed only from phrases the model
never saw in training. ``val`` picks the thresholds; ``test`` reports.

Run ``python -m training.generate --out corpus.jsonl`` to write a corpus.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import unicodedata
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).parent
PHRASES = HERE / "phrases"
DATA = HERE / "data"

VIOLATING = ("smuggling_offer", "document_fraud", "recruitment_lure", "smuggling_request")

# slot -> probability of appearing, per label; the first slot opens the post.
RECIPES: dict[str, list[tuple[str, float]]] = {
    "smuggling_offer": [
        ("offer", 0.85),
        ("route", 0.7),
        ("mode", 0.5),
        ("places", 0.35),
        ("price", 0.45),
        ("payment", 0.25),
        ("guarantee", 0.35),
        ("urgency", 0.35),
        ("contact", 0.65),
        ("hashtag", 0.2),
    ],
    "document_fraud": [
        ("doc_offer", 0.85),
        ("doc_item", 0.7),
        ("doc_promise", 0.5),
        ("price", 0.4),
        ("payment", 0.3),
        ("guarantee", 0.3),
        ("urgency", 0.2),
        ("contact", 0.65),
        ("hashtag", 0.15),
    ],
    "recruitment_lure": [
        ("job_offer", 0.9),
        ("job_lure", 1.0),
        ("job_lure", 0.35),
        ("price", 0.2),
        ("route", 0.2),
        ("urgency", 0.3),
        ("contact", 0.65),
        ("hashtag", 0.15),
    ],
    "smuggling_request": [
        ("request", 1.0),
        ("request_detail", 0.6),
        ("route", 0.25),
        ("contact", 0.1),
        ("hashtag", 0.1),
    ],
}
REQUIRED = {
    "smuggling_offer": ("offer", "route"),
    "document_fraud": ("doc_offer", "doc_item"),
    "recruitment_lure": ("job_lure",),
    "smuggling_request": ("request",),
}
# Everyday decoration and joiners are drawn the same way for every label, so
# that they alone never tell the labels apart; topical emojis (boats, flags,
# money) come mostly with violating posts and sometimes with benign ones.
JOINERS = [" ", " ", " ", ". ", "\n", "\n", " - ", " | ", "! ", " ✅ ", " 👉 ", " 🔥 ", ", "]
DECORATION = ["✅", "🔥", "👉", "💯", "🙏", "⚠️", "😂", "❤️", "👍", "🎉", "💪", "👇", "✨", "😍", "🤣", "😢", "☕", "⚽"]
TOPICAL = ["🚤", "⛵", "🚛", "✈️", "🇬🇧", "🇮🇹", "🇪🇺", "🇩🇪", "🇫🇷", "💶", "💷", "📞", "📲", "🌊"]
HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "i": "і", "y": "у"}
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060"]


def _read_tsv(path: Path) -> list[list[str]]:
    rows = [ln.split("\t") for ln in path.read_text("utf-8").splitlines() if ln and not ln.startswith("#")]
    return rows[1:]


SPLITS = ("train", "val", "test")


def split_of(text: str) -> str:
    """The stable split of a phrase: about 10% ``val``, 10% ``test``, the rest ``train``."""
    byte = hashlib.sha1(text.encode("utf-8")).digest()[0]
    return "val" if byte < 26 else "test" if byte < 52 else "train"


def load_banks(directory: Path = PHRASES) -> dict[str, dict]:
    """Read every phrase bank, keyed by language code."""
    banks = {}
    for path in sorted(directory.glob("*.json")):
        bank = json.loads(path.read_text("utf-8"))
        banks[path.stem] = bank
    return banks


def _split(items: list[str], split: str) -> list[str]:
    chosen = [s for s in items if split_of(s) == split]
    return chosen or (items if split == "train" else [])


class Generator:
    """Compose labelled posts for one split.

    Parameters
    ----------
    split : {"train", "val", "test"}
        Which half of every phrase list to draw from.
    seed : int
        Seed of the random generator; the corpus is a pure function of it.
    """

    def __init__(
        self,
        split: str = "train",
        seed: int = 0,
        banks: dict[str, dict] | None = None,
        kind_weights: dict[str, float] | None = None,
    ) -> None:
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        self.rng = random.Random(seed)
        self.split = split
        self.kind_weights = kind_weights or {}
        banks = banks if banks is not None else load_banks()
        self.banks = {
            lang: {
                part: {key: kept for key, vals in bank.get(part, {}).items() if (kept := _split(list(vals), split))}
                for part in ("slots", "posts", "benign")
            }
            for lang, bank in banks.items()
        }
        self.prices = [(r[0], int(r[1])) for r in _read_tsv(DATA / "currencies.tsv")]
        self.emoji_subs = {r[0]: r[1] for r in _read_tsv(DATA / "emoji_subs.tsv")}

    # -- placeholders ----------------------------------------------------------
    def phone(self) -> str:
        r = self.rng
        tail3 = f"{r.randint(0, 999):03d}"
        two = lambda: f"{r.randint(0, 99):02d}"  # noqa: E731
        four = f"{r.randint(0, 9999):04d}"
        cc = r.choice(
            [
                "90",
                "964",
                "98",
                "93",
                "92",
                "84",
                "355",
                "30",
                "7",
                "49",
                "39",
                "34",
                "52",
                "216",
                "212",
                "213",
                "218",
                "251",
                "291",
                "880",
                "91",
            ]
        )
        forms = [
            f"+44 7700 900{tail3}",
            f"+447700900{tail3}",
            f"07700 900{tail3}",
            f"0044 7700 900 {tail3}",
            f"+33 6 39 98 {two()} {two()}",
            f"06 39 98 {two()} {two()}",
            f"+33639 98{two()}{two()}",
            f"+{cc} {r.randint(50, 99)} 000 {four}",
            f"+{cc}{r.randint(50, 99)}000{four}",
            f"00{cc} {r.randint(50, 99)} 000 {four}",
        ]
        return r.choice(forms)

    def handle(self) -> str:
        r = self.rng
        sylls = [
            "safe",
            "trip",
            "road",
            "king",
            "way",
            "euro",
            "boss",
            "star",
            "night",
            "fast",
            "sky",
            "zed",
            "abu",
            "vip",
            "nour",
            "leo",
            "max",
        ]
        name = r.choice(sylls) + r.choice(["_", "", ".", "_"]) + r.choice(sylls)
        return "@" + name + (str(r.randint(1, 999)) if r.random() < 0.6 else "")

    def amount(self) -> tuple[str, str]:
        r = self.rng
        value = r.choice([r.randint(3, 150) * 100, r.randint(1, 15) * 1000, r.randint(300, 15000)])
        styles = [str(value), f"{value:,}", f"{value:,}".replace(",", "."), f"{value:,}".replace(",", " ")]
        thousands = f"{value / 1000:g}"
        return r.choice(styles), thousands

    def fill(self, text: str) -> str:
        r = self.rng
        while "{phone}" in text:
            text = text.replace("{phone}", self.phone(), 1)
        while "{handle}" in text:
            text = text.replace("{handle}", self.handle(), 1)
        while "{n}" in text:
            text = text.replace("{n}", str(r.randint(2, 12)), 1)
        while "{num}" in text:
            written, thousands = self.amount()
            text = text.replace("{num}", r.choice([written, written, thousands + "k"]), 1)
        while "{price}" in text:
            written, thousands = self.amount()
            template = r.choices([p for p, _ in self.prices], [w for _, w in self.prices])[0]
            text = text.replace("{price}", template.replace("{a}", written).replace("{k}", thousands), 1)
        return text

    # -- composition -----------------------------------------------------------
    def compose(self, lang: str, label: str) -> str | None:
        r = self.rng
        bank = self.banks[lang]
        slots = bank["slots"]
        whole = bank["posts"].get(label, [])
        if whole and (not slots or r.random() < 0.3):
            return self.decorate(self.fill(r.choice(whole)), topical=0.15)
        if not slots:
            return None
        chosen = [name for name, p in RECIPES[label] if slots.get(name) and r.random() < p]
        if not any(name in chosen for name in REQUIRED[label]):
            options = [name for name in REQUIRED[label] if slots.get(name)]
            if not options:
                return None
            chosen.insert(0, r.choice(options))
        rest = chosen[1:]
        if r.random() < 0.5:
            r.shuffle(rest)
        order = chosen[:1] + rest
        if r.random() < 0.15:
            r.shuffle(order)
        return self.decorate(self._join([self.fill(r.choice(slots[name])) for name in order]), topical=0.25)

    def _join(self, parts: list[str]) -> str:
        text = parts[0]
        for part in parts[1:]:
            text += self.rng.choice(JOINERS) + part
        return text

    def decorate(self, text: str, topical: float) -> str:
        """Add reply mentions and emojis at the start or end.

        Everyday emojis come with the same chance for every label, so that
        appending a few (an easy evasion) does not read as benign; topical
        ones (boats, flags, money) come with the chance ``topical``.
        """
        r = self.rng
        if r.random() < 0.15:
            text = r.choice(["@user ", self.handle() + " ", "@user @user "]) + text
        if r.random() < topical:
            emojis = "".join(r.choices(TOPICAL, k=r.randint(1, 3)))
            text = emojis + " " + text if r.random() < 0.5 else text + " " + emojis
        if r.random() < 0.25:
            text = r.choice(DECORATION) * r.randint(1, 3) + " " + text
        if r.random() < 0.3:
            text += " " + "".join(r.choices(DECORATION, k=r.randint(1, 4)))
        return text

    def benign(self, lang: str) -> tuple[str, str] | None:
        r = self.rng
        kinds = self.banks[lang]["benign"]
        if not kinds:
            return None
        if kinds.get("chatter") and r.random() < 0.25:
            return self._chatter_mix(kinds["chatter"]), "chatter_mix"
        names = sorted(kinds)
        kind = r.choices(names, [self.kind_weights.get(k, 1.0) for k in names])[0]
        text = self.fill(r.choice(kinds[kind]))
        if r.random() < 0.2 and kinds.get("chatter"):
            text = self._join([text, self.fill(r.choice(kinds["chatter"]))])
        return self.decorate(text, topical=0.05), kind

    def _chatter_mix(self, chatter: list[str]) -> str:
        r = self.rng
        pieces = []
        for _ in range(r.randint(1, 3)):
            words = self.fill(r.choice(chatter)).split()
            a = r.randint(0, max(0, len(words) - 3))
            pieces.append(" ".join(words[a : a + r.randint(3, 14)]))
        return self.decorate(self._join(pieces), topical=0.02)

    # -- augmentation ----------------------------------------------------------
    def augment(self, text: str) -> str:
        """Apply one or two random evasion or noise transforms."""
        r = self.rng
        for _ in range(r.randint(1, 2)):
            text = r.choice(self.TRANSFORMS)(self, text)
        return text

    def _word_edit(self, text: str, edit) -> str:
        words = text.split(" ")
        idx = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
        for i in self.rng.sample(idx, min(len(idx), self.rng.randint(1, 3))):
            words[i] = edit(words[i])
        return " ".join(words)

    def _spaced(self, text: str) -> str:
        sep = self.rng.choice([" ", ".", "-", "*", " . "])
        return self._word_edit(text, lambda w: sep.join(w))

    def _leet(self, text: str) -> str:
        return self._word_edit(text, lambda w: "".join(LEET.get(c, c) if self.rng.random() < 0.6 else c for c in w))

    def _homoglyph(self, text: str) -> str:
        return self._word_edit(
            text, lambda w: "".join(HOMOGLYPHS.get(c, c) if self.rng.random() < 0.5 else c for c in w)
        )

    def _zero_width(self, text: str) -> str:
        return self._word_edit(text, lambda w: self.rng.choice(ZERO_WIDTH).join(w))

    def _emoji(self, text: str) -> str:
        words = text.split(" ")
        for i, w in enumerate(words):
            sub = self.emoji_subs.get(w.lower().strip(".,!?"))
            if sub and self.rng.random() < 0.7:
                words[i] = sub
        return " ".join(words)

    def _strip_marks(self, text: str) -> str:
        decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))

    def _typo(self, text: str) -> str:
        r = self.rng
        chars = list(text)
        for _ in range(r.randint(1, 3)):
            if len(chars) < 4:
                break
            i = r.randrange(len(chars) - 1)
            op = r.random()
            if op < 0.33:
                chars[i], chars[i + 1] = chars[i + 1], chars[i]
            elif op < 0.66:
                del chars[i]
            else:
                chars.insert(i, chars[i])
        return "".join(chars)

    def _case(self, text: str) -> str:
        return self.rng.choice([str.upper, str.lower, str.title])(text)

    TRANSFORMS = (_spaced, _leet, _homoglyph, _zero_width, _emoji, _strip_marks, _typo, _case)

    # -- corpus ----------------------------------------------------------------
    def posts(self, per_lang: dict[str, int], augment: float = 0.25) -> Iterator[dict]:
        """Yield posts: ``per_lang`` gives how many of each label per language."""
        seen = set()
        for lang in sorted(self.banks):
            for label, count in per_lang.items():
                made, tries = 0, 0
                while made < count and tries < count * 5:
                    tries += 1
                    if label == "benign":
                        drawn = self.benign(lang)
                        if drawn is None:
                            break
                        text, kind = drawn
                    else:
                        text, kind = self.compose(lang, label), "composed"
                        if text is None:
                            break
                    if self.rng.random() < augment:
                        text, kind = self.augment(text), kind + "+evasion"
                    if text in seen:
                        continue
                    seen.add(text)
                    made += 1
                    yield {"text": text, "label": label, "lang": lang, "kind": kind}


#: Posts per language and label in the training split at scale 1 (the other
#: splits get a fifth). A config can change them with ``per_lang``.
PER_LANG = {
    "benign": 1800,
    "smuggling_offer": 700,
    "document_fraud": 300,
    "recruitment_lure": 300,
    "smuggling_request": 300,
}


def generate(
    split: str = "train",
    seed: int = 0,
    scale: float = 1.0,
    per_lang: dict[str, int] | None = None,
    kind_weights: dict[str, float] | None = None,
) -> list[dict]:
    """The corpus of one split as a list of ``{text, label, lang, kind}``.

    ``per_lang`` overrides some of the :data:`PER_LANG` counts;
    ``kind_weights`` sets how often a benign kind is drawn (1 by default,
    0 leaves it out).
    """
    counts = {**PER_LANG, **(per_lang or {})}
    if split != "train":
        scale *= 0.2
    sizes = {k: max(1, int(v * scale)) for k, v in counts.items()}
    return list(Generator(split, seed, kind_weights=kind_weights).posts(sizes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="JSONL file to write")
    parser.add_argument("--split", choices=SPLITS, default="train")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    rows = generate(args.split, args.seed, args.scale)
    with open(args.out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} posts to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
