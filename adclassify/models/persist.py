"""Saving and loading model directories safely.

A model directory holds ``model.skops`` (the fitted pipeline, in skops'
format: no pickle, only an allow-list of types can be built),
``metadata.json`` and a model card ``README.md``. Loading checks, in order:

1. ``metadata.json`` exists, is JSON and has a known ``format`` version;
2. the sha256 of ``model.skops`` equals the one in the metadata;
3. the archive is a zip without absolute or ``..`` member names, and its
   members are not too large nor too compressed (a zip bomb);
4. every type in the file is on the allow-list, and the loaded object is a
   pipeline with this library's steps (``STEPS``);
5. after loading, the canary posts stored in the metadata score as they did
   when the model was saved; otherwise this library version would silently
   give different scores, so loading fails.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio
from sklearn.pipeline import Pipeline

from adclassify.models.pipeline import STEPS

__all__ = ["ModelError", "TRUSTED_TYPES", "load_pipeline", "save_pipeline"]

FORMAT = 1
MAX_MEMBER_BYTES = 256 * 2**20
MAX_TOTAL_BYTES = 512 * 2**20
MAX_RATIO = 200

TRUSTED_TYPES = [
    "adclassify.features.HashedNgramVectorizer",
    "adclassify.features.IndicatorVectorizer",
    "adclassify.features.TextNormalizer",
    "adclassify.models.linear.CalibratedLinearClassifier",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.pipeline.Pipeline",
    "builtins.tuple",
    "builtins.list",
    "builtins.dict",
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "builtins.bool",
    "numpy.ndarray",
    "numpy.dtype",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
]


class ModelError(ValueError):
    """A model directory that cannot be loaded safely; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_pipeline(pipeline: Pipeline, directory: str | Path, metadata: dict[str, Any], card: str) -> Path:
    """Write ``model.skops``, ``metadata.json`` (with its sha256) and ``README.md``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "model.skops"
    sio.dump(pipeline, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    metadata = {**metadata, "format": FORMAT, "sha256": _sha256(path)}
    (directory / "metadata.json").write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (directory / "README.md").write_text(card, "utf-8")
    return directory


def _check_archive(path: Path) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"{path.name} is not a skops archive (not a zip file); refusing to load it") from exc
    with archive:
        total = 0
        for info in archive.infolist():
            name = info.filename
            if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name:
                raise ModelError(f"{path.name} has an unsafe member path {name!r}")
            if info.file_size > MAX_MEMBER_BYTES:
                raise ModelError(f"{path.name} member {name!r} is too large ({info.file_size} bytes)")
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 2**20:
                raise ModelError(
                    f"{path.name} member {name!r} is compressed {info.file_size // info.compress_size}x: a zip bomb?"
                )
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise ModelError(f"{path.name} unpacks to {total} bytes, over the {MAX_TOTAL_BYTES} limit")


def read_metadata(directory: str | Path) -> dict[str, Any]:
    """Read and check ``metadata.json`` of a model directory."""
    path = Path(directory) / "metadata.json"
    try:
        metadata = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"no metadata.json in {Path(directory)}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"metadata.json in {Path(directory)} is not valid JSON") from exc
    if not isinstance(metadata, dict) or "sha256" not in metadata:
        raise ModelError("metadata.json lacks the sha256 of model.skops")
    if metadata.get("format") != FORMAT:
        raise ModelError(f"model format {metadata.get('format')!r} is not supported (this library reads {FORMAT})")
    return metadata


def load_pipeline(directory: str | Path) -> tuple[Pipeline, dict[str, Any]]:
    """Load a model directory after every check in the module docstring."""
    directory = Path(directory)
    metadata = read_metadata(directory)
    path = directory / "model.skops"
    if not path.is_file():
        raise ModelError(f"no model.skops in {directory}")
    if _sha256(path) != metadata["sha256"]:
        raise ModelError("model.skops does not match the sha256 in metadata.json: the file was changed")
    _check_archive(path)
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # skops raises several types on a corrupt schema
        raise ModelError(f"model.skops is corrupt: {type(exc).__name__}") from exc
    unknown = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unknown:
        raise ModelError(f"model.skops refers to types that are not allowed: {', '.join(unknown)}")
    try:
        pipeline = sio.load(path, trusted=[t for t in untrusted if t in TRUSTED_TYPES])
    except Exception as exc:
        raise ModelError(f"model.skops could not be loaded: {type(exc).__name__}") from exc
    if not isinstance(pipeline, Pipeline):
        raise ModelError(f"model.skops holds a {type(pipeline).__name__}, not a Pipeline")
    # skops trusts many scikit-learn types by default: a pipeline of them loads
    # but is not one this library can score with.
    if [name for name, _ in pipeline.steps] != list(STEPS):
        raise ModelError(f"model.skops holds a pipeline with steps {[n for n, _ in pipeline.steps]}, not {list(STEPS)}")
    return pipeline, metadata


def canary_scores(pipeline: Pipeline, texts: list[str]) -> list[list[float]]:
    """Probabilities of the canary posts, rounded to survive JSON."""
    return np.round(pipeline.predict_proba(texts), 6).tolist()
