"""Loading labelled or unlabelled posts through Hugging Face ``datasets``.

One loader serves training and evaluation: local CSV, TSV, JSONL and
Parquet files, or a Hub data set by name where the network allows. Columns
and labels of other schemas are mapped onto ``text`` and ``label``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import datasets

__all__ = ["load_posts"]

_BUILDERS = {".csv": "csv", ".tsv": "csv", ".jsonl": "json", ".json": "json", ".parquet": "parquet"}


def _builder(path: Path) -> tuple[str, dict[str, Any]]:
    suffix = path.suffix.lower()
    if suffix not in _BUILDERS:
        raise ValueError(f"unsupported data file type {suffix!r}; use CSV, TSV, JSONL or Parquet")
    options: dict[str, Any] = {"delimiter": "\t"} if suffix == ".tsv" else {}
    return _BUILDERS[suffix], options


def load_posts(
    source: str | Path,
    *,
    text_column: str = "text",
    label_column: str | None = "label",
    label_map: Mapping[Any, str] | None = None,
    default_label: str | None = None,
    split: str = "train",
) -> datasets.Dataset:
    """Load posts as a ``datasets.Dataset`` with ``text`` and ``label`` columns.

    Parameters
    ----------
    source : str or Path
        A local file (CSV, TSV, JSONL, Parquet) or a Hub data set name.
    text_column : str, default="text"
        Column holding the post.
    label_column : str or None, default="label"
        Column holding the label; ``None`` for unlabelled text.
    label_map : mapping, optional
        Maps raw labels to adclassify labels, e.g. ``{0: "benign", 1:
        "smuggling_offer"}`` for a binary column. Unmapped labels pass through.
    default_label : str, optional
        Label for every row when ``label_column`` is None (``"benign"`` for a
        platform's random background sample), and for rows whose label cell
        is empty; without it an empty label cell is an error.
    split : str, default="train"
        Split of a Hub data set.

    Returns
    -------
    datasets.Dataset
        Columns ``text`` and ``label``, plus ``lang``, ``kind``, ``obfuscated``
        (a bool) and ``weight`` (a float, 1 where empty) when the source has
        them. Missing texts become empty strings.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "p.jsonl"
    >>> _ = path.write_text(json.dumps({"body": "hi", "y": 0}) + "\\n")
    >>> ds = load_posts(path, text_column="body", label_column="y", label_map={0: "benign"})
    >>> ds[0]["text"], ds[0]["label"]
    ('hi', 'benign')
    """
    path = Path(source)
    if path.exists():
        builder, options = _builder(path)
        data = datasets.load_dataset(builder, data_files=str(path), split="train", **options)
    else:
        data = datasets.load_dataset(str(source), split=split)
    if text_column not in data.column_names:
        raise ValueError(f"no column {text_column!r} in {path.name}; columns: {', '.join(data.column_names)}")
    if label_column is not None and label_column not in data.column_names:
        raise ValueError(f"no label column {label_column!r} in {path.name}; columns: {', '.join(data.column_names)}")
    if label_column is None and default_label is None:
        raise ValueError("unlabelled data needs default_label")
    mapping = dict(label_map or {})

    def convert(row: dict[str, Any]) -> dict[str, Any]:
        text = row[text_column]
        out = {"text": text if isinstance(text, str) else ("" if text is None else str(text))}
        raw = row[label_column] if label_column is not None else default_label
        if raw is None or raw == "":
            if default_label is None:
                raise ValueError(f"a row of {path.name} has no label; fill it in or give default_label")
            raw = default_label
        out["label"] = str(mapping.get(raw, raw))
        for extra in ("lang", "kind"):
            if extra in row:
                out[extra] = "" if row[extra] is None else str(row[extra])
        if "weight" in row:
            out["weight"] = 1.0 if row["weight"] is None else float(row["weight"])
        if "obfuscated" in row:
            flag = row["obfuscated"]
            out["obfuscated"] = flag.strip().lower() in ("true", "1", "yes") if isinstance(flag, str) else bool(flag)
        return out

    keep = [c for c in data.column_names if c in ("lang", "kind", "obfuscated", "weight")]
    converted = data.map(convert, remove_columns=[c for c in data.column_names if c not in keep])
    return converted
