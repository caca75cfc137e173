"""Coverage-guided fuzzing of the normaliser, the extractor, scoring and the CLI readers.

    pip install ".[fuzz]"
    python tests/fuzz.py -max_total_time=300 [-rss_limit_mb=4096]

Each input is decoded leniently and fed to every entry point; the invariants
of the property tests are asserted, so a crash, a hang or a broken invariant
is a finding. Not collected by pytest (run it on purpose, for a bounded time).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["adclassify"]):
    import adclassify
    from adclassify.io import read_rows
    from adclassify.normalize import normalize, normalize_batch

CLF = adclassify.load_model()
TMP = Path(tempfile.mkdtemp())


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    text = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 4096))
    raw = fdp.ConsumeBytes(4096)
    norm = normalize(text)
    assert norm.text == normalize_batch([text])[0]
    for ev in adclassify.extract(text):
        assert text[ev.start : ev.end] == ev.text
    record = CLF.score([text])[0]
    assert 0.0 <= record["risk"] <= 1.0
    if text.strip():
        CLF.explain(text)
    for suffix, fmt in ((".csv", "csv"), (".jsonl", "jsonl")):
        path = TMP / f"in{suffix}"
        path.write_bytes(raw)
        try:
            for _ in read_rows(str(path), fmt):
                pass
        except LookupError:
            pass  # no text column: the documented usage error


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
