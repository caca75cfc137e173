"""Robustness of the review decision to evasion and to harmless edits.

    python -m eval.robustness [--model DIR] --data FILE [--report DIR] [--seed 0] [--no-text]

Evasion perturbations are applied to the violating posts of a labelled file
and the recall at the review threshold is compared with the clean recall;
benign perturbations are applied to the benign posts and the shift of the
false-positive rate is reported. Each post gets its own generator seeded by
``(seed, perturbation, row)``, so a run is reproducible and adding a
perturbation does not change the others. The perturbations are written here,
independently of the training code's evasion generator.

========================  ========  ===================================================================
perturbation              applied   what it does
========================  ========  ===================================================================
``spaced_letters``        evasion   spells about a third of the words (3+ letters) with spaces: ``b o a t``
``dotted_letters``        evasion   the same with dots: ``b.o.a.t``
``leetspeak``             evasion   half of the letters a e i o s t g b become 4 3 1 0 5 7 9 8
``homoglyphs``            evasion   half of the Latin letters with a look-alike become Cyrillic/Greek ones
``zero_width``            both      a zero-width space/joiner/non-joiner/word joiner after 30 % of letters
``emoji_substitution``    evasion   words such as boat, lorry, passport, UK become 🚤 🚛 🛂 🇬🇧
``diacritics_removed``    evasion   combining marks dropped (``déjà`` -> ``deja``, Vietnamese without tones)
``typos``                 both      one swap, drop, double or neighbour-key letter in 15 % of the words
``upper``                 both      the whole post in upper case
``lower``                 both      the whole post in lower case
``hashtags``              both      two to four everyday hashtags appended (``#travel #family``)
``emojis``                both      one to four everyday emojis appended
``combined``              evasion   three of the evasion perturbations above, in random order
========================  ========  ===================================================================

Posts a perturbation leaves unchanged (e.g. no emoji-able word) still count
in the recall; ``changed`` says how many posts it altered. The report never
prints post text with ``--no-text``; otherwise it shows a few perturbed posts
that the clean post was flagged for and the perturbed one was not.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import adclassify
from eval import metrics as m
from eval.evaluate import load_data
from eval.report import fmt, markdown_cell, markdown_table, text_table

__all__ = ["BENIGN", "EVASION", "PERTURBATIONS", "perturb", "main", "run"]

Perturbation = Callable[[str, random.Random], str]

LEET = str.maketrans("aeiostgb", "43105798")
HOMOGLYPHS = {
    "a": "а", "c": "с", "e": "е", "i": "і", "j": "ј", "o": "о", "p": "р", "s": "ѕ", "x": "х", "y": "у",
    "A": "Α", "B": "Β", "E": "Ε", "H": "Η", "K": "Κ", "M": "Μ", "O": "Ο", "P": "Ρ", "T": "Τ", "X": "Χ",
}  # fmt: skip
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060")
EMOJI_WORDS = {
    "🚤": ("boat", "boats", "dinghy", "zodiac", "bateau", "barco", "barca", "tekne"),
    "🚢": ("ship", "ferry"),
    "🚛": ("truck", "lorry", "trailer", "camion"),
    "🚗": ("car", "taxi", "voiture"),
    "✈️": ("plane", "flight", "avion"),
    "📞": ("phone", "call", "tel"),
    "📲": ("whatsapp", "telegram", "viber", "signal"),
    "💶": ("euro", "euros", "eur", "money", "cash"),
    "🛂": ("passport", "passports", "visa", "visas", "documents", "papers"),
    "🇬🇧": ("uk", "england", "britain", "london"),
    "🇮🇹": ("italy", "italia", "italie"),
    "🇪🇺": ("europe", "eu", "schengen"),
    "🇩🇪": ("germany", "deutschland", "allemagne"),
    "🇬🇷": ("greece",),
    "✅": ("guaranteed", "guarantee", "safe", "100%"),
}  # fmt: skip
EMOJI_OF = {word: emoji for emoji, words in EMOJI_WORDS.items() for word in words}
HASHTAGS = ("#travel", "#family", "#life", "#love", "#news", "#friends", "#weekend", "#instagood", "#follow", "#photo")
EMOJIS = ("😂", "❤️", "🔥", "👍", "🙏", "😍", "🎉", "⚽", "☀️", "😊")
KEYBOARD = "qwertyuiop asdfghjkl zxcvbnm"
PUNCTUATION = ".,!?:;\"'()[]"


def _words(text: str, rng: random.Random, share: float, min_letters: int = 3) -> tuple[list[str], set[int]]:
    """Space-separated words of ``text`` and a random ``share`` (at least one) of those with enough letters."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= min_letters]
    k = min(len(candidates), max(1, math.ceil(share * len(candidates))))
    return words, set(rng.sample(candidates, k))


def _map_words(text: str, rng: random.Random, share: float, change: Callable[[str], str]) -> str:
    words, chosen = _words(text, rng, share)
    return " ".join(change(w) if i in chosen else w for i, w in enumerate(words))


def _per_char(text: str, rng: random.Random, rate: float, change: Callable[[str], str | None]) -> str:
    """Apply ``change`` to each character with probability ``rate`` (``None``: no change possible)."""
    out = []
    for c in text:
        new = change(c)
        out.append(new if new is not None and rng.random() < rate else c)
    return "".join(out)


def spaced_letters(text: str, rng: random.Random) -> str:
    """``boat`` -> ``b o a t`` in a third of the words."""
    return _map_words(text, rng, 1 / 3, " ".join)


def dotted_letters(text: str, rng: random.Random) -> str:
    """``boat`` -> ``b.o.a.t`` in a third of the words."""
    return _map_words(text, rng, 1 / 3, ".".join)


def leetspeak(text: str, rng: random.Random) -> str:
    """Half of the leetable letters become digits."""
    return _per_char(text, rng, 0.5, lambda c: c.lower().translate(LEET) if c.lower() in "aeiostgb" else None)


def homoglyphs(text: str, rng: random.Random) -> str:
    """Half of the Latin letters with a Cyrillic or Greek look-alike are swapped for it."""
    return _per_char(text, rng, 0.5, HOMOGLYPHS.get)


def zero_width(text: str, rng: random.Random) -> str:
    """An invisible character after 30 % of the letters."""
    return _per_char(text, rng, 0.3, lambda c: c + rng.choice(ZERO_WIDTH) if c.isalpha() else None)


def emoji_substitution(text: str, rng: random.Random) -> str:
    """Words with an emoji code (boat, lorry, passport, UK, ...) become that emoji; deterministic."""

    def swap(word: str) -> str:
        core = word.strip(PUNCTUATION)
        emoji = EMOJI_OF.get(core.lower())
        return word.replace(core, emoji, 1) if emoji and core else word

    return " ".join(swap(w) for w in text.split(" "))


def diacritics_removed(text: str, rng: random.Random) -> str:
    """Combining marks dropped after canonical decomposition; ``đ`` becomes ``d``; deterministic."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def _typo(word: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    i = rng.choice(letters[:-1])
    op = rng.choice(("swap", "drop", "double", "neighbour"))
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    k = KEYBOARD.find(word[i].lower())
    near = KEYBOARD[k + 1] if 0 <= k < len(KEYBOARD) - 1 and KEYBOARD[k + 1] != " " else "e"
    return word[:i] + near + word[i + 1 :]


def typos(text: str, rng: random.Random) -> str:
    """One typo (swap, drop, double or neighbour key) in 15 % of the words."""
    return _map_words(text, rng, 0.15, lambda w: _typo(w, rng))


def upper(text: str, rng: random.Random) -> str:
    """Upper case."""
    return text.upper()


def lower(text: str, rng: random.Random) -> str:
    """Lower case."""
    return text.lower()


def hashtags(text: str, rng: random.Random) -> str:
    """Two to four everyday hashtags appended."""
    return text + " " + " ".join(rng.sample(HASHTAGS, rng.randint(2, 4)))


def emojis(text: str, rng: random.Random) -> str:
    """One to four everyday emojis appended."""
    return text + " " + "".join(rng.choices(EMOJIS, k=rng.randint(1, 4)))


EVASION: dict[str, Perturbation] = {
    fn.__name__: fn
    for fn in (
        spaced_letters, dotted_letters, leetspeak, homoglyphs, zero_width, emoji_substitution, diacritics_removed,
        typos, upper, lower, hashtags, emojis,
    )
}  # fmt: skip


_SINGLE = tuple(sorted(EVASION))


def combined(text: str, rng: random.Random) -> str:
    """Three single evasion perturbations (never ``combined`` itself) in random order."""
    for name in rng.sample(_SINGLE, 3):
        text = EVASION[name](text, rng)
    return text


EVASION["combined"] = combined
BENIGN: dict[str, Perturbation] = {fn.__name__: fn for fn in (zero_width, typos, upper, lower, hashtags, emojis)}
PERTURBATIONS: dict[str, Perturbation] = {**EVASION, **BENIGN}


def perturb(name: str, texts: list[str], seed: int = 0, rows: list[int] | None = None) -> list[str]:
    """Apply perturbation ``name`` to ``texts``; post ``rows[k]`` (default ``k``) gets its own seeded generator."""
    fn = PERTURBATIONS[name]
    rows = list(range(len(texts))) if rows is None else rows
    return [fn(t, random.Random(f"{seed}:{name}:{r}")) for t, r in zip(texts, rows, strict=True)]


def _visible(text: str) -> str:
    """Text with zero-width characters shown as ``⟨zw⟩``."""
    return "".join("⟨zw⟩" if c in ZERO_WIDTH else c for c in text)


def run(clf: adclassify.Classifier, path: Path, seed: int = 0, no_text: bool = True) -> dict[str, Any]:
    """All perturbations on one labelled file; the result written to robustness.json."""
    data = load_data(path)
    violating = data.violating
    ids = data.ids or [str(i) for i in range(len(data.texts))]
    review = clf.thresholds["review"]
    result: dict[str, Any] = {
        "data": str(path),
        "model": {"name": clf.metadata.get("name"), "version": clf.metadata.get("version"), "review": review},
        "seed": seed,
        "evasion": {},
        "benign": {},
    }
    for group, mask, perturbations in (("evasion", violating, EVASION), ("benign", ~violating, BENIGN)):
        rows = np.flatnonzero(mask).tolist()
        texts = [data.texts[i] for i in rows]
        clean = clf.risk(texts) >= review if texts else np.zeros(0, bool)
        result[f"clean_{group}"] = {"n": len(rows), "rate": m.rnd(clean.mean()) if rows else None}
        for name in perturbations:
            perturbed = perturb(name, texts, seed, rows)
            flagged = clf.risk(perturbed) >= review if texts else np.zeros(0, bool)
            flipped = np.flatnonzero(clean & ~flagged if group == "evasion" else ~clean & flagged).tolist()
            figures: dict[str, Any] = {
                "changed": sum(p != t for p, t in zip(perturbed, texts, strict=True)),
                "rate": m.rnd(flagged.mean()) if rows else None,
                "flipped": len(flipped),
                "flipped_ids": [ids[rows[k]] for k in flipped[:5]],
            }
            figures["delta"] = m.rnd(figures["rate"] - result[f"clean_{group}"]["rate"]) if rows else None
            if not no_text:
                figures["flipped_texts"] = [_visible(perturbed[k]) for k in flipped[:5]]
            result[group][name] = figures
    return result


EXAMPLE = "Boat to Italy this week, 2000 euro, WhatsApp +44 7700 900123, départ garanti"


def _table(result: dict[str, Any], group: str, what: str) -> list[list[str]]:
    clean = result[f"clean_{group}"]
    rows = [["perturbation", "posts", "changed", what, "delta", "flipped"]]
    rows.append(["(clean)", str(clean["n"]), "-", fmt(clean["rate"]), "-", "-"])
    for name, f in result[group].items():
        rows.append([name, str(clean["n"]), str(f["changed"]), fmt(f["rate"]), fmt(f["delta"]), str(f["flipped"])])
    return rows


def render(result: dict[str, Any], seed: int) -> str:
    """robustness.md: the two tables, flipped posts and an example of every perturbation."""
    source = f"(data file `{result['data']}`)"
    model = result["model"]
    parts = [
        "# Robustness report",
        f"Model `{model['name']}` {model['version']}, review threshold {fmt(model['review'])}; seed {seed}. "
        "Perturbations are defined in `eval/robustness.py` (see its docstring). `flipped`: posts flagged clean "
        "and not flagged perturbed (evasion), or the reverse (benign).",
        f"## Evasion: recall at review on violating posts {source}",
        markdown_table(_table(result, "evasion", "recall@review")),
        f"## Harmless edits: FPR at review on benign posts {source}",
        markdown_table(_table(result, "benign", "FPR@review")),
        f"## Flipped posts (first five per perturbation) {source}",
    ]
    flipped = []
    for group in ("evasion", "benign"):
        for name, f in result[group].items():
            shown = [f"`{i}`" for i in f["flipped_ids"]]
            if "flipped_texts" in f:
                shown = [f"{i}: {markdown_cell(t)}" for i, t in zip(shown, f["flipped_texts"], strict=True)]
            if shown:
                flipped.append(f"- {group} `{name}`: " + "; ".join(shown))
    parts.append("\n".join(flipped) or "None.")
    parts.append("## What each perturbation does, on a fictional example (not from the data)")
    rows = [["perturbation", "example"], ["(clean)", EXAMPLE]]
    rows += [[name, _visible(perturb(name, [EXAMPLE], seed)[0])] for name in PERTURBATIONS]
    parts.append(markdown_table(rows))
    return "\n\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description="Recall and FPR of a model under evasion and harmless edits.")
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--data", type=Path, required=True, help="labelled CSV, TSV, JSONL or Parquet file")
    parser.add_argument("--report", type=Path, help="directory for robustness.md and robustness.json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-text", action="store_true", help="keep post text out of the report")
    args = parser.parse_args(argv)
    clf = adclassify.load_model(args.model)
    result = run(clf, args.data, seed=args.seed, no_text=args.no_text)
    print(text_table(_table(result, "evasion", "recall@review")))
    print()
    print(text_table(_table(result, "benign", "FPR@review")))
    if args.report is not None:
        args.report.mkdir(parents=True, exist_ok=True)
        (args.report / "robustness.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
        (args.report / "robustness.md").write_text(render(result, args.seed), "utf-8")
        print(f"wrote {args.report / 'robustness.md'} and robustness.json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
