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
import re
import secrets
import stat
import sys
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

__all__ = ["FORMATS", "Row", "Writer", "detect_format", "read_rows", "guard_cell"]

FORMATS = ("csv", "tsv", "jsonl", "parquet")
TEXT_COLUMNS = ("text", "message", "body", "caption", "full_text", "content", "post_text")
ID_COLUMNS = ("id", "post_id", "id_str")
_FORMULA_START = ("=", "+", "-", "@")
_CONTROL_START = ("\t", "\r", "\0")
#: Bound on one CSV/TSV field, in characters: far above any post (the model reads
#: long posts in windows of MAX_CHARS), yet a runaway field cannot take all memory.
_FIELD_LIMIT = 1 << 24
#: A JSON escape of a UTF-16 surrogate; a lone one decodes to a str UTF-8 cannot encode.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


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
        if path == "-" and fmt == "parquet":
            raise ValueError("Parquet cannot be read from standard input (the reader must seek); give a file")
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
        if self.text_column is None or root not in columns:
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
        csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
        with self._text_stream() as stream:
            reader = csv.reader(stream, "excel-tab" if self.fmt == "tsv" else "excel")
            header = next(reader, [])
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
        """Rows of a JSONL stream; the first valid record sets the columns.

        Malformed lines before it are held back until the columns are known,
        so they keep their place in the output. Lone surrogates escaped in the
        JSON become U+FFFD, as invalid bytes do, so the row can be written.
        """
        with self._text_stream() as stream:
            resolved = False
            held: list[Row] = []
            for line, raw in enumerate(stream, start=1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                    if not isinstance(record, dict):
                        raise ValueError("not an object")
                except ValueError:
                    bad = Row(line, {}, error="malformed JSON")
                    if resolved:
                        yield bad
                    else:
                        held.append(bad)
                    continue
                if _SURROGATE_ESCAPE.search(raw):
                    record = json.loads(_SURROGATE.sub("\ufffd", json.dumps(record, ensure_ascii=False)))
                if not resolved:
                    self._resolve(list(record), nested=True)
                    resolved = True
                    yield from held
                    held.clear()
                yield Row(line, record, _dig(record, self.text_column), _dig(record, self.id_column or ""))
            if not resolved:
                raise LookupError("no valid JSON record: every line is blank or malformed")

    def _parquet(self) -> Iterator[Row]:
        import pyarrow.parquet as pq

        source = pq.ParquetFile(self.path)
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
    """Defuse a spreadsheet formula with a leading '.

    A formula is text starting with tab, CR or NUL, or with = + - @ after any
    leading whitespace (spreadsheets skip it: " =1+1" is a formula too).
    """
    if isinstance(value, str) and (value.startswith(_CONTROL_START) or value.lstrip().startswith(_FORMULA_START)):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _create_temp(target: Path) -> tuple[int, str]:
    """Create a temporary file beside ``target``, with the mode ``open`` would give a new file.

    That is 0666 less the umask (``mkstemp`` gives 0600), or the mode of the
    file the output replaces.
    """
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(8)}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    if target.exists():
        os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
    return fd, str(tmp)


class Writer:
    """Write result rows to a temporary file, renamed over ``path`` on ``close``.

    In Parquet, the ``numbers`` columns are float64 and every other column is
    text, so input fields of mixed types (an id that is text in one row and a
    row number in the next) have one stable type.
    """

    def __init__(
        self, path: str, fmt: str, columns: list[str], excel: bool = False, numbers: Collection[str] = ()
    ) -> None:
        self.path, self.fmt, self.columns, self.numbers = path, fmt, columns, frozenset(numbers)
        self._parquet_writer = None
        if path == "-":
            self.tmp = None
            self.stream: IO[str] | IO[bytes] = sys.stdout
        else:
            fd, self.tmp = _create_temp(Path(path).resolve())
            if fmt == "parquet":
                os.close(fd)
                self.stream = None  # type: ignore[assignment]
            else:
                self.stream = open(fd, "w", encoding="utf-8-sig" if excel else "utf-8", newline="")  # noqa: SIM115
        if fmt in ("csv", "tsv"):
            self._csv = csv.writer(self.stream, "excel-tab" if fmt == "tsv" else "excel")
            self._csv.writerow([self._cell(c) for c in columns])

    @staticmethod
    def _cell(value: Any) -> Any:
        """A CSV/TSV cell: JSON for nested values, formulas defused."""
        return guard_cell(_plain(value))

    def write(self, rows: list[dict[str, Any]]) -> None:
        if self.fmt in ("csv", "tsv"):
            for row in rows:
                self._csv.writerow([self._cell(row[c]) if row.get(c) is not None else "" for c in self.columns])
        elif self.fmt == "jsonl":
            for row in rows:
                self.stream.write(
                    json.dumps({c: row.get(c) for c in self.columns}, ensure_ascii=False, default=str) + "\n"
                )
        else:
            self._write_parquet(rows)

    def _write_parquet(self, rows: list[dict[str, Any]]) -> None:
        """Append rows to the Parquet file; a value that does not fit gives an error that does not quote it."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._parquet_writer is None:
            self._schema = pa.schema(
                [pa.field(c, pa.float64() if c in self.numbers else pa.string()) for c in self.columns]
            )
            self._parquet_writer = pq.ParquetWriter(self.tmp or sys.stdout.buffer, self._schema)

        def text(value: Any) -> str | None:
            return None if value is None else str(_plain(value))

        cells = [{c: r.get(c) if c in self.numbers else text(r.get(c)) for c in self.columns} for r in rows]
        try:
            self._parquet_writer.write_table(pa.Table.from_pylist(cells, schema=self._schema))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            # Arrow's message quotes the value, which may be a post or a contact.
            raise ValueError("a value does not fit its column in the Parquet output") from None

    def close(self) -> None:
        """Finish the file and move it into place."""
        if self.fmt == "parquet":
            if self._parquet_writer is None:
                self._write_parquet([])
            self._parquet_writer.close()
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
