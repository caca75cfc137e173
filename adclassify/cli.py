"""Command line: ``adclassify score | explain | info``.

Exit status of ``score``: 0 when every row was scored, 1 when some rows
could not be read (each reported on stderr by line number and kept in the
output with an ``error`` column), 2 for usage errors.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import Counter, deque
from collections.abc import Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any

from adclassify.classifier import Classifier, load_model
from adclassify.evidence import extract
from adclassify.io import FORMATS, Writer, detect_format, read_rows
from adclassify.models import threshold_rules

log = logging.getLogger("adclassify")

_COLOURS = {"contact": "31", "price": "33", "route": "36", "mode": "35", "document": "34"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="adclassify", description="Find people-smuggling adverts in posts.")
    sub = parser.add_subparsers(dest="command", required=True)

    score = sub.add_parser("score", help="score an export file (CSV, TSV, JSONL, Parquet)")
    score.add_argument("input", help="input file, or - for JSONL on standard input")
    score.add_argument("-o", "--output", help="output file (default: INPUT.scored.<ext>, or - for stdout)")
    score.add_argument("--format", choices=FORMATS, help="input format (default: from the extension)")
    score.add_argument("--output-format", choices=FORMATS, help="output format (default: from the extension)")
    score.add_argument("--text-column", help="column with the post; a dotted path reaches nested JSON")
    score.add_argument("--id-column", help="column with the post id")
    score.add_argument("--model", help="model directory (default: the shipped model)")
    score.add_argument(
        "--columns", choices=["all", "minimal"], default="all", help="keep all input columns or the id only"
    )
    score.add_argument("--only-flagged", action="store_true", help="write only rows at or above the review threshold")
    score.add_argument("--sort", choices=["risk"], help="sort by risk, highest first (holds the rows in memory)")
    score.add_argument(
        "--redact", action="store_true", help="mask phone numbers, handles and links in all fields and the evidence"
    )
    score.add_argument("--excel", action="store_true", help="CSV in UTF-8 with a byte-order mark, for Excel")
    score.add_argument("--jobs", type=int, default=1, help="processes for scoring")
    score.add_argument("--batch-size", type=_at_least_one, default=2048, help="rows per batch (at least 1)")
    score.add_argument("--quiet", action="store_true", help="no progress bar")

    explain = sub.add_parser("explain", help="explain the score of one post")
    explain.add_argument("text")
    explain.add_argument("--model")
    explain.add_argument("--json", action="store_true", help="print the explanation as JSON")

    info = sub.add_parser("info", help="show a model's metadata")
    info.add_argument("--model")
    return parser


def _at_least_one(value: str) -> int:
    """An argparse type: a whole number of at least 1 (a batch of 0 rows would write nothing)."""
    if not value.strip().isdecimal() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {value!r}")
    return int(value)


def _identifies(contact: str) -> bool:
    """Whether a contact's evidence value names someone (a number, handle or link), not just a channel."""
    return any(c.isdigit() or c in "@./" for c in contact)


def _redact(value: Any) -> Any:
    """Mask the contacts that name someone in a field, or in every text nested in it.

    The evidence finds the spans, so a number is masked however it is
    written ("zero seven seven ..." too), exactly when the evidence drops it.
    """
    if isinstance(value, dict):
        return {key: _redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact(item) for item in value]
    if not isinstance(value, str):
        return value
    spans = [(e.start, e.end) for e in extract(value) if e.kind == "contact" and _identifies(e.value)]
    for start, end in sorted(spans, reverse=True):
        value = value[:start] + "[contact]" + value[end:]
    return value


def _score(args: argparse.Namespace) -> int:
    fmt = detect_format(args.input, args.format)
    output = args.output or ("-" if args.input == "-" else str(Path(args.input).with_suffix(f".scored.{fmt}")))
    out_fmt = detect_format(output, args.output_format) if output != "-" else (args.output_format or "jsonl")
    if args.input != "-" and output != "-" and Path(output).resolve() == Path(args.input).resolve():
        print("adclassify: refusing to overwrite the input file", file=sys.stderr)
        return 2
    if args.input != "-" and not Path(args.input).is_file():
        print(f"adclassify: no such file: {args.input}", file=sys.stderr)
        return 2
    clf = load_model(args.model)
    reader = read_rows(args.input, fmt, args.text_column, args.id_column)
    rows = iter(reader)
    try:
        first = next(rows, None)
    except LookupError as exc:
        print(f"adclassify: {exc}", file=sys.stderr)
        return 2
    probabilities = [f"p_{lab}" for lab in clf.labels]
    score_cols = ["risk", "label", "flagged", *probabilities, "evidence", "model_version", "error"]
    id_col = reader.id_column or "row"
    base = [id_col] if args.columns == "minimal" else (reader.columns or [id_col])
    if id_col not in base:
        base = [id_col] + base
    columns = base + [c for c in score_cols if c not in base]
    writer = Writer(output, out_fmt, columns, excel=args.excel, numbers=["risk", *probabilities])
    counts: Counter[str] = Counter()
    started = time.monotonic()
    held: list[dict[str, Any]] = []
    try:
        from tqdm import tqdm

        total = None if args.quiet else reader.estimate_rows()
        bar = tqdm(total=total, unit=" rows", disable=args.quiet, file=sys.stderr, mininterval=0.5)
        # Batches in flight, oldest first: workers score the next ones while this process writes.
        pending: deque[list[Any]] = deque()

        def texts() -> Iterator[list[str]]:
            stream = chain([first] if first is not None else [], rows)
            while batch := list(islice(stream, args.batch_size)):
                pending.append(batch)
                yield [_text(row) for row in batch]

        for results in clf._stream("_summaries", texts(), args.jobs):
            batch = pending.popleft()
            held += _emit(clf, batch, results, writer, args, counts, id_col)
            bar.update(len(batch))
        bar.close()
        if args.sort:
            held.sort(key=lambda r: -(r["risk"] if isinstance(r["risk"], float) else -1.0))
            writer.write(held)
        writer.close()
    except BaseException:
        writer.abort()
        raise
    elapsed = time.monotonic() - started
    summary = {
        "rows": counts["rows"],
        "errors": counts["errors"],
        "flagged_review": counts["review"],
        "flagged_action": counts["action"],
        "by_label": {k[6:]: v for k, v in sorted(counts.items()) if k.startswith("label:")},
        "invalid_bytes": reader.bad_bytes,
        "seconds": round(elapsed, 2),
        "output": output,
    }
    print(json.dumps(summary), file=sys.stderr)
    return 1 if counts["errors"] else 0


def _text(row: Any) -> str:
    """The text to score of an input row; rows that could not be read score as empty."""
    text = row.text
    if row.error or not isinstance(text, str):
        text = "" if row.error or text is None or isinstance(text, float) and text != text else str(text)
    return text


def _emit(
    clf: Classifier,
    batch: list[Any],
    results: list[tuple],
    writer: Writer,
    args: argparse.Namespace,
    counts: Counter,
    id_col: str,
) -> list[dict]:
    """Write the output rows of a scored batch (or return them, when sorting)."""
    out = []
    version = clf.metadata.get("version", "")
    for row, (risk, label, flagged, probabilities, summary) in zip(batch, results, strict=True):
        counts["rows"] += 1
        if row.error:
            counts["errors"] += 1
            print(f"adclassify: line {row.line}: {row.error}", file=sys.stderr)
        fields = dict(row.fields) if args.columns == "all" else {}
        fields[id_col] = row.id if row.id is not None else row.line
        evidence = summary
        if args.redact:
            evidence = " | ".join(
                part for part in evidence.split(" | ") if not (part.startswith("contact:") and _identifies(part))
            )
            fields = {key: value if key == id_col else _redact(value) for key, value in fields.items()}
        fields.update(
            risk=round(risk, 6),
            label=label,
            flagged=flagged or "",
            evidence=evidence,
            model_version=version,
            error=row.error or "",
            **{f"p_{lab}": round(p, 6) for lab, p in zip(clf.labels, probabilities, strict=True)},
        )
        counts[f"label:{label}"] += 1
        if flagged:
            counts["review"] += 1
            counts["action"] += flagged == "action"
        if args.only_flagged and not flagged and not row.error:
            continue
        out.append(fields)
    if args.sort:
        return out
    writer.write(out)
    return []


def _explain(args: argparse.Namespace) -> int:
    clf = load_model(args.model)
    result = clf.explain(args.text)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    colour = sys.stdout.isatty()
    text, marked, pos = args.text, [], 0
    for ev in sorted(result["evidence"], key=lambda e: e["start"]):
        if ev["start"] < pos:
            continue
        marked.append(text[pos : ev["start"]])
        if colour:
            marked.append(f"\x1b[{_COLOURS.get(ev['kind'], '32')}m{ev['text']}\x1b[0m")
        else:
            marked.append(f"[{ev['kind']}: {ev['text']}]")
        pos = ev["end"]
    marked.append(text[pos:])
    print("".join(marked))
    print(f"\nrisk {result['risk']:.3f}  label {result['label']}  flagged {result['flagged'] or '-'}")
    if result["summary"]:
        print(f"evidence: {result['summary']}")
    if result["no_evidence"]:
        print("no evidence of a violating kind: the model scores such posts at risk 0")
    print(f"\ntop contributions to the logit of {result['explained_label']} (intercept {result['intercept']:+.3f}):")
    for item in result["contributions"]:
        where = f"  «{item['text']}»" if "text" in item else ""
        print(f"  {item['contribution']:+.3f}  {item['feature']}{where}")
    return 0


def _info(args: argparse.Namespace) -> int:
    clf = load_model(args.model)
    meta = clf.metadata
    keys = ("name", "version", "trained_at", "seed", "labels", "thresholds", "require_evidence")
    shown = {k: meta.get(k) for k in (*keys, "training_data", "libraries")}
    # how the thresholds were picked: recall, precision and the prevalence behind it
    shown["threshold_rules"] = threshold_rules(meta)
    shown["metrics"] = {
        k: {m: v for m, v in fig.items() if m != "by_lang"} for k, fig in meta.get("metrics", {}).items()
    }
    print(json.dumps(shown, indent=2, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="adclassify: %(message)s")
    handlers = {"score": _score, "explain": _explain, "info": _info}
    try:
        return handlers[args.command](args)
    except (OSError, ValueError) as exc:
        print(f"adclassify: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
