"""Small TSV tables the normaliser and the evidence parsers read (format in each file's header)."""

from importlib import resources

__all__ = ["read_table"]


def read_table(name: str) -> list[list[str]]:
    """The rows of ``adclassify/tables/<name>`` after its header; ``#`` lines are comments."""
    text = resources.files(__name__).joinpath(name).read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")][1:]
