"""Check that no training phrase shares a long passage with evaluation data.

    python -m eval.overlap --data FILE [FILE ...] [--chars 40]

Every string of the phrase banks (``training/phrases/*.json``) and every
lexicon term is compared with the evaluation posts: a phrase that shares
``--chars`` consecutive characters (after case folding and whitespace
collapsing) with any evaluation post is listed with that post's row number.
Evaluation text is never printed. Exit status 1 when anything overlaps, so
the check can gate a release.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

from eval.evaluate import load_data

ROOT = Path(__file__).resolve().parent.parent
PHRASES = ROOT / "training" / "phrases"
LEXICONS = ROOT / "adclassify" / "lexicons"


def fold(text: str) -> str:
    """Case-folded text with runs of whitespace as one space."""
    return " ".join(text.casefold().split())


def shingles(text: str, width: int) -> Iterator[str]:
    """Every ``width``-character window of the folded text."""
    folded = fold(text)
    for i in range(len(folded) - width + 1):
        yield folded[i : i + width]


def repo_strings() -> Iterator[tuple[str, str]]:
    """``(where, text)`` for every phrase-bank string and lexicon term."""
    for path in sorted(PHRASES.glob("*.json")):
        bank = json.loads(path.read_text("utf-8"))
        for group in ("slots", "posts", "benign"):
            for key, items in bank.get(group, {}).items():
                for i, item in enumerate(items):
                    yield f"{path.name}:{group}.{key}[{i}]", item
    for path in sorted(LEXICONS.glob("*.tsv")):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            yield f"{path.name}:{number}", line.split("\t")[0]


def find_overlaps(files: list[str], width: int = 40) -> list[tuple[str, str, str]]:
    """``(where, phrase, evaluation row)`` for each repository string sharing ``width`` characters with a post."""
    index: dict[str, str] = {}
    for path in files:
        for row, text in enumerate(load_data(Path(path)).texts, start=1):
            for gram in shingles(text, width):
                index.setdefault(gram, f"{Path(path).name}:row {row}")
    found = []
    for where, text in repo_strings():
        hit = next((index[g] for g in shingles(text, width) if g in index), None)
        if hit:
            found.append((where, text, hit))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", required=True, help="evaluation files with a text column")
    parser.add_argument("--chars", type=int, default=40, help="length of a shared passage that counts")
    args = parser.parse_args(argv)
    found = find_overlaps(args.data, args.chars)
    for where, text, post in found:
        print(f"{where}\t{post}\t{text}")
    print(f"{len(found)} repository strings share {args.chars}+ characters with the evaluation data")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
