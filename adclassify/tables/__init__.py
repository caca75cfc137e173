"""Small TSV tables the normaliser and the evidence parsers read (format in each file's header)."""

from importlib import resources

__all__ = ["read_table"]


def read_table(name: str, folder: str = "tables") -> list[list[str]]:
    """The rows of ``adclassify/<folder>/<name>`` after its header; ``#`` lines are comments.

    ``folder="lexicons"`` reads the first columns of a lexicon file as plain
    rows; :func:`adclassify.lexicon.read_lexicons` is the reader that applies
    the lexicon rules (``*`` marks, checked columns).
    """
    text = resources.files("adclassify").joinpath(folder, name).read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")][1:]
