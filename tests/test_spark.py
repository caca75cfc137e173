"""Spark in local mode gives the library's scores, row by row."""

import math
import os
import shutil

import pytest

import adclassify

pyspark = pytest.importorskip("pyspark")
# Spark runs $JAVA_HOME/bin/java when JAVA_HOME is set, else java on the PATH.
_java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else shutil.which("java")
if not (_java and os.access(_java, os.X_OK)):
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("adclassify-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


TEXTS = [
    "Crossing to UK this week, 4 places left, WhatsApp +44 7700 900123",
    None,
    "",
    "happy birthday my sister",
    "boat from Zuwara to Italy, 2000 euro, pay on arrival",
]


def test_udf_matches_library(spark, tiny_model_dir, tiny):
    from adclassify.spark import score_dataframe

    df = spark.createDataFrame([(i, t) for i, t in enumerate(TEXTS)], "id int, text string").repartition(3)
    rows = {r["id"]: r for r in score_dataframe(df, "text", id_col="id", model=tiny_model_dir).collect()}
    expected = tiny.score(TEXTS)
    assert sorted(rows) == list(range(len(TEXTS)))
    for i, rec in enumerate(expected):
        row = rows[i]
        assert math.isclose(row["risk"], rec["risk"], abs_tol=1e-12)
        assert row["label"] == rec["label"]
        assert row["flagged"] == rec["flagged"]
        assert row["evidence"] == rec["summary"]
        for label, p in rec["probabilities"].items():
            assert math.isclose(row[f"p_{label}"], p, abs_tol=1e-12)


def test_two_models_in_folders_of_the_same_name(spark, tmp_path, tiny_model_dir):
    import json

    from adclassify.spark import score_dataframe

    first, second = tmp_path / "a" / "model", tmp_path / "b" / "model"
    shutil.copytree(tiny_model_dir, first)
    shutil.copytree(tiny_model_dir, second)
    meta = json.loads((second / "metadata.json").read_text("utf-8"))
    meta["thresholds"] = {"review": 0.0, "action": 0.0}  # every post flagged for action
    (second / "metadata.json").write_text(json.dumps(meta), "utf-8")
    df = spark.createDataFrame([(0, TEXTS[3])], "id int, text string")
    flags = [score_dataframe(df, "text", model=m).collect()[0]["flagged"] for m in (first, second)]
    assert flags == [adclassify.load_model(first).score([TEXTS[3]])[0]["flagged"], "action"]


def test_empty_partition_and_example_job(spark, tmp_path, tiny_model_dir):
    import subprocess
    import sys

    from adclassify.spark import score_dataframe

    empty = spark.createDataFrame([], "id int, text string").repartition(2)
    assert score_dataframe(empty, "text", model=tiny_model_dir).count() == 0
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "boat to Italy 2000 euro"}\n{"id": 2, "text": "hello"}\n')
    out = tmp_path / "out"
    res = subprocess.run(
        [sys.executable, "examples/spark_job.py", str(src), str(out), "--id-column", "id",
         "--model", str(tiny_model_dir), "--master", "local[1]"],
        capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert (out / "label=benign").exists() or any(p.name.startswith("label=") for p in out.iterdir())
    assert sum(int(line.split("\t")[2]) for line in res.stdout.strip().splitlines()) == 2
