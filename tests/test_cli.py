"""The command line, run through the installed console script."""

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from adclassify.io import Writer

EXE = shutil.which("adclassify")


def run(*args, stdin=None):
    assert EXE, "the adclassify console script is not installed"
    return subprocess.run([EXE, *map(str, args)], input=stdin, capture_output=True, text=True, timeout=120)


@pytest.fixture
def model(tiny_model_dir):
    return ["--model", str(tiny_model_dir)]


def write_csv(path, rows, header=("id", "text")):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


ROWS = [
    ("1", "Crossing to UK this week, 4 places left, WhatsApp +44 7700 900123"),
    ("2", "=1+1 happy birthday"),
    ("3", ""),
    ("4", 'line one\nline two, "quoted"'),
]


def test_score_csv_keeps_every_row_and_defuses_formulas(tmp_path, model):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, ROWS)
    res = run("score", src, "-o", out, "--quiet", *model)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[1]["text"] == "'=1+1 happy birthday"
    assert rows[3]["text"] == ROWS[3][1]
    assert rows[2]["risk"] == "0.0" and rows[2]["label"] == "benign"
    assert {"risk", "label", "flagged", "evidence", "model_version", "p_benign"} <= set(rows[0])
    assert "contact" in rows[0]["evidence"]
    summary = json.loads(res.stderr.strip().splitlines()[-1])
    assert summary["rows"] == 4 and summary["errors"] == 0


@pytest.mark.parametrize("fmt", ["jsonl", "tsv", "parquet"])
def test_other_formats(tmp_path, model, fmt):
    src = tmp_path / f"in.{fmt}"
    if fmt == "jsonl":
        src.write_text("".join(json.dumps({"post_id": i, "data": {"message": t}}) + "\n" for i, t in ROWS))
        extra = ["--text-column", "data.message"]
    elif fmt == "tsv":
        src.write_text("id\tmessage\n1\tboat to Italy\n2\thello\n")
        extra = []
    else:
        pq.write_table(pa.table({"id": ["a", "b"], "caption": ["boat to Italy 2000 euro", None]}), src)
        extra = []
    out = tmp_path / f"out.{fmt}"
    res = run("score", src, "-o", out, "--quiet", *extra, *model)
    assert res.returncode == 0, res.stderr
    if fmt == "parquet":
        table = pq.read_table(out).to_pylist()
        assert [r["id"] for r in table] == ["a", "b"] and table[1]["risk"] == 0.0
    elif fmt == "jsonl":
        lines = [json.loads(x) for x in out.read_text().splitlines()]
        assert [r["post_id"] for r in lines] == ["1", "2", "3", "4"]
    else:
        assert len(out.read_text().splitlines()) == 3


def test_malformed_json_is_reported_and_kept(tmp_path, model):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text('{"text": "hello"}\n{"text": broken\n{"text": "boat to UK"}\n')
    res = run("score", src, "-o", out, "--quiet", *model)
    assert res.returncode == 1
    assert "line 2" in res.stderr and "broken" not in res.stderr
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 3 and rows[1]["error"] == "malformed JSON"


def test_ragged_csv_and_invalid_utf8(tmp_path, model):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes(b"id,text\n1,ok\n2,too,many,fields\n3,caf\xe9 \xff\n")
    res = run("score", src, "-o", out, "--quiet", *model)
    assert res.returncode == 1
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert len(rows) == 3 and rows[1]["error"].startswith("expected 2 fields")
    assert json.loads(res.stderr.strip().splitlines()[-1])["invalid_bytes"] == 2


def test_usage_errors(tmp_path, model):
    src = tmp_path / "in.csv"
    write_csv(src, [("1", "x")], header=("id", "tweet"))
    res = run("score", src, "--quiet", *model)
    assert res.returncode == 2 and "tweet" in res.stderr
    write_csv(src, [("1", "x")])
    assert run("score", src, "-o", src, *model).returncode == 2
    assert run("score", tmp_path / "missing.csv", *model).returncode == 2
    assert run("bogus").returncode == 2


def test_stdin_and_flags(tmp_path, model):
    res = run(
        "score",
        "-",
        "--quiet",
        "--only-flagged",
        "--sort",
        "risk",
        *model,
        stdin='{"text": "hi"}\n{"text": "game to England tonight by lorry, call 07700 900456"}\n',
    )
    assert res.returncode == 0, res.stderr
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    assert [r["row"] for r in rows] == [2] and rows[0]["flagged"]


def test_sort_puts_the_highest_risk_first(tmp_path, model):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, ROWS)
    assert run("score", src, "-o", out, "--quiet", "--sort", "risk", *model).returncode == 0
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    risks = [float(r["risk"]) for r in rows]
    assert len(rows) == len(ROWS) and risks == sorted(risks, reverse=True) and risks[0] > risks[-1]


def test_redact(tmp_path, model):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    spelled = "whatsapp zero seven seven zero zero nine zero zero one two four"
    write_csv(src, [("1", "call +44 7700 900123 or @safe_trip_77 now, t.me/uk_road_99"), ("2", spelled)])
    assert run("score", src, "-o", out, "--quiet", "--redact", *model).returncode == 0
    text = out.read_text()
    assert "900123" not in text and "safe_trip_77" not in text and "uk_road_99" not in text
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert rows[1]["text"] == "whatsapp [contact]" and "+44" not in rows[1]["evidence"]


def test_redact_reaches_nested_fields(tmp_path, model):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    post = {"message": "boat to UK, WhatsApp +44 7700 900123", "replies": ["or call @fake_trip_uk"]}
    src.write_text(json.dumps({"id": 1, "data": post}) + "\n")
    res = run("score", src, "-o", out, "--quiet", "--redact", "--text-column", "data.message", *model)
    assert res.returncode == 0, res.stderr
    row = json.loads(out.read_text())
    assert row["data"] == {"message": "boat to UK, WhatsApp [contact]", "replies": ["or call [contact]"]}
    assert row["id"] == 1 and "+44" not in row["evidence"]


def test_csv_field_over_the_default_limit(tmp_path, model):
    src, out = tmp_path / "in.csv", tmp_path / "out.jsonl"
    big = "boat to UK " + "x" * 200_000
    write_csv(src, [("1", big), ("2", "hello")])
    res = run("score", src, "-o", out, "--quiet", *model)
    assert res.returncode == 0, res.stderr
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["text"] for r in rows] == [big, "hello"]


def test_jsonl_columns_come_from_the_first_valid_record(tmp_path, model):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text('{oops\n{"id": 7, "text": "boat to uk", "lang": "en"}\n')
    res = run("score", src, "-o", out, "--quiet", *model)
    assert res.returncode == 1 and "line 1: malformed JSON" in res.stderr
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert list(rows[1])[:3] == ["id", "text", "lang"] and "row" not in rows[1]
    assert rows[0]["error"] == "malformed JSON" and (rows[1]["id"], rows[1]["text"]) == (7, "boat to uk")


def test_jsonl_without_a_valid_record_is_a_usage_error(tmp_path, model):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text('{oops\n\n[1, 2]\n"text"\n')
    res = run("score", src, "-o", out, "--quiet", *model)
    assert res.returncode == 2 and "no valid JSON record" in res.stderr
    assert "Traceback" not in res.stderr and not out.exists()


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_escaped_lone_surrogate_keeps_the_row(tmp_path, model, fmt):
    src, out = tmp_path / "in.jsonl", tmp_path / f"out.{fmt}"
    src.write_text('{"id": 1, "text": "hello"}\n{"id": 2, "text": "bad \\ud800 boat \\ud83d\\ude00"}\n')
    res = run("score", src, "-o", out, "--quiet", *model)
    assert res.returncode == 0, res.stderr
    _, rows = _read_back(out, fmt)
    assert [r["text"] for r in rows] == ["hello", "bad \ufffd boat \U0001f600"]


def test_parquet_output_of_mixed_types(tmp_path, model):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.parquet"
    src.write_text('{"id": "a1", "text": "hello"}\n{"text": "boat to uk"}\n')
    res = run("score", src, "-o", out, "--quiet", *model)
    assert res.returncode == 0, res.stderr
    assert pq.read_table(out).column("id").to_pylist() == ["a1", "2"]
    src.write_text('{"text": "hi", "phone": 447700900123}\n{"text": "boat", "phone": "+44 7700 900124"}\n')
    res = run("score", src, "-o", out, "--quiet", "--batch-size", 1, *model)
    assert res.returncode == 0 and "900124" not in res.stderr
    assert pq.read_table(out).column("phone").to_pylist() == ["447700900123", "+44 7700 900124"]


def test_parquet_error_does_not_quote_the_value(tmp_path):
    writer = Writer(str(tmp_path / "out.parquet"), "parquet", ["risk"], numbers=["risk"])
    with pytest.raises(ValueError, match="does not fit") as caught:
        writer.write([{"risk": "+44 7700 900123"}])
    writer.abort()
    assert "900123" not in str(caught.value) and caught.value.__cause__ is None
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("size", ["0", "-1", "two"])
def test_batch_size_below_one_is_a_usage_error(tmp_path, model, size):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, ROWS)
    res = run("score", src, "-o", out, "--quiet", "--batch-size", size, *model)
    assert res.returncode == 2 and "--batch-size: must be a whole number of at least 1" in res.stderr
    assert not out.exists()


def test_formula_after_leading_whitespace_is_defused(tmp_path, model):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    cells = [" =1+1", "\xa0+cmd", "  -2+3", " \t@SUM(A1)", "plain = text"]
    write_csv(src, list(enumerate(cells)))
    assert run("score", src, "-o", out, "--quiet", *model).returncode == 0
    with open(out, encoding="utf-8", newline="") as fh:
        assert [r["text"] for r in csv.DictReader(fh)] == ["'" + c for c in cells[:4]] + [cells[4]]


def test_output_file_mode(tmp_path, model):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, ROWS)
    umask = os.umask(0)
    os.umask(umask)
    assert run("score", src, "-o", out, "--quiet", *model).returncode == 0
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    out.chmod(0o640)
    assert run("score", src, "-o", out, "--quiet", *model).returncode == 0
    assert out.stat().st_mode & 0o777 == 0o640


def test_parquet_from_stdin_is_a_usage_error(model):
    res = run("score", "-", "--format", "parquet", "--quiet", *model, stdin="PAR1")
    assert res.returncode == 2 and "Parquet cannot be read from standard input" in res.stderr


def test_explain_and_info(model):
    res = run("explain", "boat from Zuwara to Italy, 2000 euro, WhatsApp +44 7700 900123", *model)
    assert res.returncode == 0
    assert "[contact: WhatsApp]" in res.stdout and "contributions" in res.stdout
    info = run("info", *model)
    assert info.returncode == 0 and json.loads(info.stdout)["name"] == "tiny"


def test_explain_says_when_the_evidence_rule_sets_the_risk():
    res = run("explain", "see you at the beach")  # the default model requires evidence
    assert res.returncode == 0
    assert "risk 0.000" in res.stdout and "no evidence of a violating kind" in res.stdout
    assert "no evidence" not in run("explain", "boat to Italy, WhatsApp +44 7700 900123").stdout
    info = json.loads(run("info").stdout)
    assert info["require_evidence"] is True and info["threshold_rules"]["action_prevalence"] == 0.01


def test_python_dash_m(model):
    res = subprocess.run([sys.executable, "-m", "adclassify", "info", *model], capture_output=True, text=True)
    assert res.returncode == 0


def _peak_rss_mb(args):
    """Peak RSS of one CLI run, in MB, from the kernel's accounting of the child."""
    code = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, EXE, *map(str, args)], capture_output=True, text=True, check=True)
    return int(out.stdout) / 1024


@pytest.mark.slow
def test_large_file_streams_in_bounded_memory(tmp_path, model):
    line = json.dumps({"id": 0, "text": "crossing to UK this week, 4 places, whatsapp +44 7700 900123 and more words"})
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    small.write_text((line + "\n") * 20_000)
    large.write_text((line + "\n") * 200_000)
    rss_small = _peak_rss_mb(["score", small, "-o", tmp_path / "s.jsonl", "--quiet", *model])
    rss_large = _peak_rss_mb(["score", large, "-o", tmp_path / "l.jsonl", "--quiet", *model])
    assert sum(1 for _ in open(tmp_path / "l.jsonl")) == 200_000
    assert rss_large < rss_small + 60, (rss_small, rss_large)  # 10x the rows, not 10x the memory


def test_jobs_give_the_same_file(tmp_path, model):
    src = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": i, "text": f"{text} {i}"}) for i in range(300) for _, text in ROWS]
    src.write_text("\n".join(lines) + "\n")
    for jobs in (1, 2):
        result = run("score", src, "-o", tmp_path / f"out{jobs}.jsonl", "--jobs", jobs, "--batch-size", 64, *model)
        assert result.returncode == 0, result.stderr
    one, two = (tmp_path / "out1.jsonl").read_text(), (tmp_path / "out2.jsonl").read_text()
    assert one == two and len(one.splitlines()) == 1200


GOLDEN = Path(__file__).parent / "data" / "golden"
MODEL_INDEPENDENT = ("id", "text", "evidence", "error", "model_version")


def _read_back(path, fmt):
    if fmt in ("csv", "tsv"):
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh, dialect="excel-tab" if fmt == "tsv" else "excel"))
        return list(rows[0]), rows
    if fmt == "jsonl":
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        return list(rows[0]), rows
    table = pq.read_table(path)
    return table.column_names, table.to_pylist()


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "parquet"])
def test_golden_files(tmp_path, model, fmt):
    """Each format's output, minus the model's numbers, equals the reviewed golden file."""
    expected = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))[fmt]
    out = tmp_path / f"out.{fmt}"
    res = run("score", GOLDEN / f"posts.{fmt}", "-o", out, "--quiet", *model)
    assert res.returncode == 0, res.stderr
    header, rows = _read_back(out, fmt)
    assert header == expected["header"]
    assert [{k: r[k] for k in MODEL_INDEPENDENT} for r in rows] == expected["rows"]
    if fmt in ("jsonl", "parquet"):  # typed formats keep numbers as numbers
        assert all(isinstance(r["risk"], float) for r in rows)


@pytest.mark.parametrize("content", [b"", b"id,text\n"])
def test_empty_files(tmp_path, model, content):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes(content)
    res = run("score", src, "-o", out, "--quiet", *model)
    if content:
        assert res.returncode == 0 and out.read_text().splitlines()[0].startswith("id,text,risk")
    else:
        assert res.returncode == 2 and "no text column" in res.stderr
        res = run("score", src, "-o", out, "--quiet", "--text-column", "text", *model)
        assert res.returncode == 2 and "no text column 'text' found" in res.stderr
    empty_jsonl = tmp_path / "in.jsonl"
    empty_jsonl.write_bytes(b"")
    res = run("score", empty_jsonl, "-o", tmp_path / "o.jsonl", "--quiet", *model)
    assert res.returncode == 2 and "no valid JSON record" in res.stderr
