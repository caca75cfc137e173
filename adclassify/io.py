"""Streaming readers and writers for platform exports (CSV, TSV, JSONL, Parquet).

Readers yield one :class:`Row` per input record, in order, never loading the
whole file: a malformed record becomes a row with an ``error`` instead of
being dropped. Writers quote CSV as RFC 4180 requires and defuse spreadsheet
formulas (OWASP CSV injection, CWE-1236), and write to a temporary file that
is renamed into place only when the run completes.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

__all__ = ["FORMATS", "Row", "Writer", "detect_format", "read_rows", "guard_cell"]

FORMATS = ("csv", "tsv", "jsonl", "parquet")
TEXT_COLUMNS = ("text", "message", "body", "caption", "full_text", "content", "post_text")
ID_COLUMNS = ("id", "post_id", "id_str")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


class _BadBytes:
    """A codec error handler that replaces invalid UTF-8 and counts it."""

    def __init__(self) -> None:
        self.count = 0
        self.name = f"adclassify-replace-{id(self)}"
        codecs.register_error(self.name, self)

    def __call__(self, exc: UnicodeDecodeError) -> tuple[str, int]:
        self.count += exc.end - exc.start
        return "\ufffd", exc.end


@dataclass
class Row:
    """One input record: its original fields, the post, and any read error."""

    line: int
    fields: dict[str, Any]
    text: Any = None
    id: Any = None
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def detect_format(path: str, given: str | None = None) -> str:
    """The format named by ``given``, else by the file extension (``-`` is JSONL)."""
    if given:
        return given
    if path == "-":
        return "jsonl"
    suffix = Path(path).suffix.lower().lstrip(".")
    suffix = {"json": "jsonl", "ndjson": "jsonl", "pq": "parquet"}.get(suffix, suffix)
    if suffix not in FORMATS:
        raise ValueError(f"cannot tell the format of {path!r}; use --format {{{','.join(FORMATS)}}}")
    return suffix


def _dig(record: Any, path: str) -> Any:
    """Follow a dotted path (``data.text``) into nested mappings."""
    for part in path.split("."):
        if not isinstance(record, dict) or part not in record:
            return None
        record = record[part]
    return record


def pick_column(columns: list[str], given: str | None, defaults: tuple[str, ...]) -> str | None:
    """The column to use: the given one, else the first default present."""
    if given:
        return given
    return next((c for c in defaults if c in columns), None)


class Reader:
    """Iterate the rows of an input file; ``bad_bytes`` counts replaced bytes."""

    def __init__(self, path: str, fmt: str, text_column: str | None, id_column: str | None) -> None:
        self.path, self.fmt = path, fmt
        self.text_column, self.id_column = text_column, id_column
        self.columns: list[str] = []
        self._bad = _BadBytes()
        self.size = None if path == "-" else os.path.getsize(path)

    def estimate_rows(self) -> int | None:
        """Rows to expect, for the progress bar's ETA: exact for Parquet, line count otherwise.

        Counting lines reads the file once in large binary blocks, which is
        far cheaper than scoring; CSV fields with embedded newlines make it an
        upper bound. None for standard input.
        """
        if self.path == "-":
            return None
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(self.path).metadata.num_rows
        lines = 0
        with open(self.path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                lines += block.count(b"\n")
        return lines - (1 if self.fmt in ("csv", "tsv") else 0)

    @property
    def bad_bytes(self) -> int:
        return self._bad.count

    def _text_stream(self) -> IO[str]:
        raw = sys.stdin.buffer if self.path == "-" else open(self.path, "rb")  # noqa: SIM115
        return io.TextIOWrapper(raw, encoding="utf-8-sig", errors=self._bad.name, newline="")

    def _resolve(self, columns: list[str], nested: bool = False) -> None:
        self.columns = columns
        self.text_column = pick_column(columns, self.text_column, TEXT_COLUMNS)
        self.id_column = pick_column(columns, self.id_column, ID_COLUMNS)
        root = (self.text_column or "").split(".")[0] if nested else self.text_column
        if self.text_column is None or (columns and root not in columns):
            raise LookupError(
                f"no text column{' ' + repr(self.text_column) if self.text_column else ''} found; "
                f"columns: {', '.join(columns) or '(none)'}; use --text-column"
            )

    def __iter__(self) -> Iterator[Row]:
        if self.fmt in ("csv", "tsv"):
            yield from self._delimited()
        elif self.fmt == "jsonl":
            yield from self._jsonl()
        else:
            yield from self._parquet()

    def _delimited(self) -> Iterator[Row]:
        with self._text_stream() as stream:
            reader = csv.reader(stream, delimiter="\t" if self.fmt == "tsv" else ",")
            header = next(reader, None)
            if header is None:
                self._resolve([])
            self._resolve(header)
            for record in reader:
                line = reader.line_num
                if not record:
                    continue
                fields = dict(zip(header, record, strict=False))
                row = Row(line, fields, fields.get(self.text_column), fields.get(self.id_column or ""))
                if len(record) != len(header):
                    row.error = f"expected {len(header)} fields, found {len(record)}"
                yield row

    def _jsonl(self) -> Iterator[Row]:
        with self._text_stream() as stream:
            resolved = False
            for line, raw in enumerate(stream, start=1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                    if not isinstance(record, dict):
                        raise ValueError("not an object")
                except ValueError:
                    yield Row(line, {}, error="malformed JSON")
                    continue
                if not resolved:
                    self._resolve(list(record), nested=True)
                    resolved = True
                yield Row(line, record, _dig(record, self.text_column), _dig(record, self.id_column or ""))
            if not resolved:
                self._resolve([])

    def _parquet(self) -> Iterator[Row]:
        import pyarrow.parquet as pq

        source = pq.ParquetFile(sys.stdin.buffer if self.path == "-" else self.path)
        self._resolve(source.schema_arrow.names)
        line = 0
        for batch in source.iter_batches(batch_size=4096):
            for record in batch.to_pylist():
                line += 1
                yield Row(line, record, record.get(self.text_column), record.get(self.id_column or ""))


def read_rows(path: str, fmt: str, text_column: str | None = None, id_column: str | None = None) -> Reader:
    """A :class:`Reader` over ``path``; iterate it to stream rows."""
    return Reader(path, fmt, text_column, id_column)


def guard_cell(value: Any) -> Any:
    """Defuse a spreadsheet formula: text starting with = + - @ tab CR NUL gets a leading '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


class Writer:
    """Write result rows to a temporary file, renamed over ``path`` on ``close``."""

    def __init__(self, path: str, fmt: str, columns: list[str], excel: bool = False) -> None:
        self.path, self.fmt, self.columns = path, fmt, columns
        self._parquet_rows: list[dict[str, Any]] = []
        self._parquet_writer = None
        if path == "-":
            self.tmp = None
            self.stream: IO[str] | IO[bytes] = sys.stdout
        else:
            target = Path(path).resolve()
            fd, self.tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
            if fmt == "parquet":
                os.close(fd)
                self.stream = None  # type: ignore[assignment]
            else:
                self.stream = open(fd, "w", encoding="utf-8-sig" if excel else "utf-8", newline="")  # noqa: SIM115
        if fmt in ("csv", "tsv"):
            self._csv = csv.writer(self.stream, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\r\n")
            self._csv.writerow([guard_cell(c) for c in columns])

    def write(self, rows: list[dict[str, Any]]) -> None:
        if self.fmt in ("csv", "tsv"):
            for row in rows:
                self._csv.writerow(
                    [guard_cell(_plain(row.get(c, ""))) if row.get(c) is not None else "" for c in self.columns]
                )
        elif self.fmt == "jsonl":
            for row in rows:
                self.stream.write(
                    json.dumps({c: row.get(c) for c in self.columns}, ensure_ascii=False, default=str) + "\n"
                )
        else:
            self._write_parquet(rows)

    def _write_parquet(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        def cell(value: Any) -> Any:
            return value if isinstance(value, (int, float, bool)) or value is None else str(_plain(value))

        table = pa.Table.from_pylist([{c: cell(r.get(c)) for c in self.columns} for r in rows])
        if self._parquet_writer is None:
            fields = [
                pa.field(
                    name, table.schema.field(name).type if table.schema.field(name).type != pa.null() else pa.string()
                )
                for name in self.columns
            ]
            self._schema = pa.schema(fields)
            self._parquet_writer = pq.ParquetWriter(self.tmp or sys.stdout.buffer, self._schema)
        self._parquet_writer.write_table(table.cast(self._schema, safe=False))

    def close(self) -> None:
        """Finish the file and move it into place."""
        if self._parquet_writer is not None:
            self._parquet_writer.close()
        elif self.fmt == "parquet" and self.tmp:
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.table({c: pa.array([], pa.string()) for c in self.columns}), self.tmp)
        if self.stream not in (None, sys.stdout):
            self.stream.close()
        if self.tmp:
            os.replace(self.tmp, self.path)
            self.tmp = None

    def abort(self) -> None:
        """Remove the temporary file after a failure."""
        if self.stream not in (None, sys.stdout):
            self.stream.close()
        if self.tmp and os.path.exists(self.tmp):
            os.unlink(self.tmp)
