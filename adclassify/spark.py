"""Scoring on Apache Spark (optional extra ``spark``: ``pip install "adclassify[spark]"``).

:func:`score_udf` returns a vectorised (Arrow-based) pandas UDF that scores a
text column and gives back one struct per row; :func:`score_dataframe` adds
its fields as columns. The model is loaded once per executor Python process
and reused for every batch. A model directory other than the packaged
default is shipped to the executors with ``SparkContext.addFile``.

Examples
--------
>>> from adclassify.spark import score_dataframe           # doctest: +SKIP
>>> scored = score_dataframe(spark.read.parquet("posts/"), "text", id_col="id")  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from pyspark import SparkFiles
from pyspark.sql import functions as F
from pyspark.sql import types as T

import adclassify

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["result_schema", "score_dataframe", "score_udf"]

_MODELS: dict[str, adclassify.Classifier] = {}


def _model(source: str, shipped: bool) -> adclassify.Classifier:
    """The classifier for ``source``, loaded once per Python process."""
    if source not in _MODELS:
        path = None if source == "default" else (SparkFiles.get(source) if shipped else source)
        _MODELS[source] = adclassify.load_model(path)
    return _MODELS[source]


@functools.cache
def _staging_dir() -> Path:
    """The driver's folder for the model copies shipped to the executors, made once per process."""
    return Path(tempfile.mkdtemp(prefix="adclassify-spark-"))


def result_schema(labels: tuple[str, ...] = adclassify.LABELS) -> T.StructType:
    """The struct the UDF returns: risk, label, flagged, one probability per label, evidence."""
    fields = [
        T.StructField("risk", T.DoubleType()),
        T.StructField("label", T.StringType()),
        T.StructField("flagged", T.StringType()),
    ]
    fields += [T.StructField(f"p_{label}", T.DoubleType()) for label in sorted(labels, key=lambda x: x != "benign")]
    fields.append(T.StructField("evidence", T.StringType()))
    return T.StructType(fields)


def score_udf(model: str | Path = "default", *, batch_size: int = 2048):
    """A pandas UDF scoring a string column into :func:`result_schema` structs.

    Parameters
    ----------
    model : str or Path, default="default"
        ``"default"`` for the packaged model (the package must be installed
        on the executors), or a local model directory, which is shipped to
        the executors through ``SparkContext.addFile``.
    batch_size : int, default=2048
        Posts scored per call inside each Arrow batch.
    """
    from pyspark.sql import SparkSession

    source, shipped, path = "default", False, None
    if str(model) != "default":
        path = Path(model).resolve()
        # Spark ships a directory under its base name, and each executor caches
        # models by that name: name the copy by its content, so two models
        # in folders of the same name (or a model retrained in place) differ.
        source = f"{path.name}-{hashlib.sha256((path / 'metadata.json').read_bytes()).hexdigest()[:16]}"
        staged = _staging_dir() / source
        if not staged.exists():  # one copy per model and driver process, however often it is scored
            shutil.copytree(path, staged, dirs_exist_ok=True)
        SparkSession.getActiveSession().sparkContext.addFile(str(staged), recursive=True)
        shipped = True
    labels = adclassify.load_model(path).labels
    schema = result_schema(labels)

    @F.pandas_udf(schema)
    def _score(texts: pd.Series) -> pd.DataFrame:
        clf = _model(source, shipped)
        posts = [t if isinstance(t, str) else None for t in texts]
        records = clf.score(posts, batch_size=batch_size)
        rows = []
        for rec in records:
            row = {"risk": rec["risk"], "label": rec["label"], "flagged": rec["flagged"], "evidence": rec["summary"]}
            row.update({f"p_{k}": v for k, v in rec["probabilities"].items()})
            rows.append(row)
        return pd.DataFrame(rows, columns=schema.fieldNames())

    return _score


def score_dataframe(
    df: DataFrame, text_col: str, id_col: str | None = None, model: str | Path = "default"
) -> DataFrame:
    """``df`` with the result fields added as columns (the id column first, if given)."""
    scored = df.withColumn("_adclassify", score_udf(model)(F.col(text_col)))
    fields = [F.col(f"_adclassify.{name}").alias(name) for name in scored.schema["_adclassify"].dataType.fieldNames()]
    columns = [c for c in df.columns if c != id_col]
    ordered = ([F.col(id_col)] if id_col else []) + [F.col(c) for c in columns] + fields
    return scored.select(*ordered)
