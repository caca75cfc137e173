"""Linear-time patterns and privacy of logs."""

import importlib
import logging
import pkgutil
import re
import subprocess
import time

import pytest

import adclassify

ADVERSARIAL = [
    "1" * 100_000,
    " " * 100_000,
    "." * 100_000,
    "a " * 50_000,
    "a." * 50_000,
    "ab1" * 33_333,
    "+" + "1 " * 50_000,
    "w" * 100_000,
    "wh4" * 33_333 + "!",
    "а" * 50_000 + "a" * 50_000,
    "@" + "a" * 99_999,
    "1." * 50_000,
    "LATIN " * 16_000,
    "1" + " 000" * 25_000 + "0",  # a chain of thousands groups that ends badly
    "ab-" * 33_333 + ".x",  # one long run of a bare domain's letters and hyphens
]


def all_patterns():
    found = {}
    for info in pkgutil.walk_packages(adclassify.__path__, "adclassify."):
        if info.name == "adclassify.__main__":
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found[f"{info.name}.{name}"] = value
        for name, value in vars(module).items():
            if isinstance(value, tuple):
                for i, item in enumerate(value):
                    for j, part in enumerate(item if isinstance(item, tuple) else ()):
                        if isinstance(part, re.Pattern):
                            found[f"{info.name}.{name}[{i}][{j}]"] = part
    return found


PATTERNS = all_patterns()


def test_patterns_were_collected():
    assert len(PATTERNS) >= 10


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern_is_linear(name):
    pattern = PATTERNS[name]
    for text in ADVERSARIAL:
        start = time.perf_counter()
        for _ in pattern.finditer(text):
            pass
        assert time.perf_counter() - start < 0.5, f"{name} is slow on {text[:10]!r}..."


def test_whole_pipeline_on_hostile_posts(tiny):
    start = time.perf_counter()
    proba = tiny.predict_proba(ADVERSARIAL)
    records = tiny.score(ADVERSARIAL[:6])
    assert proba.shape == (len(ADVERSARIAL), 5) and len(records) == 6
    assert time.perf_counter() - start < 60


SECRET = "Boat to UK, call +44 7700 900999 or @secret_handle_42"


def test_library_logs_no_post_text(tiny, caplog):
    with caplog.at_level(logging.DEBUG):
        tiny.score([SECRET, None, ""])
        tiny.explain(SECRET)
        with pytest.raises(TypeError) as err:
            tiny.risk([SECRET, 3])
    assert "900999" not in caplog.text and "secret_handle" not in caplog.text
    assert "900999" not in str(err.value)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("in.csv", f'id,text\n1,"{SECRET}",extra\n'),  # ragged row: the error must not quote it
        ("in.jsonl", f'{{"text": "{SECRET}"}}\n{{"text": broken {SECRET}\n'),  # malformed JSON
    ],
)
def test_cli_errors_name_lines_not_content(tmp_path, tiny_model_dir, name, content):
    src = tmp_path / name
    src.write_text(content)
    res = subprocess.run(
        ["adclassify", "score", str(src), "-o", str(tmp_path / f"o{src.suffix}"), "--model", str(tiny_model_dir)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 1 and "line 2" in res.stderr
    assert "900999" not in res.stderr and "secret_handle" not in res.stderr
