"""Speed, latency, memory and size benchmark of adclassify against fastText and a TF-IDF baseline.

    python -m eval.benchmark [--model DIR] [--out eval/reports/benchmark.md] [--quick] [--data FILE ...]

All three classifiers are trained on / scored with the same data in one run:

* adclassify's default model (or ``--model DIR``);
* fastText supervised (minn=2, maxn=5, wordNgrams=2, 5 epochs) trained on the
  exact training corpus (``python -m training.train --dump-data``);
* ``TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))`` +
  ``LogisticRegression`` trained on the same corpus.

Single-core figures run with the process pinned to one CPU
(``os.sched_setaffinity``) and every BLAS/OpenMP pool limited to one thread
(threadpoolctl in-process, ``*_NUM_THREADS=1`` in child processes). The
multi-core speed-ups run unpinned. The scoring data is about 20,000 posts:
half sampled from the training corpus, half from the real posts of
``../shared/realdata`` (evaluation-only data, used here only as input text
and written only to a temporary directory that is deleted afterwards). Post text is never printed
or written to the report. The report (``eval/reports/benchmark.md``) holds the
figures, the targets of the issue, the machine and a cProfile of ``risk()`` and
``score()``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import math
import os
import platform
import pstats
import random
import re
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from threadpoolctl import threadpool_limits

import adclassify
from eval.baselines import dump_training_corpus
from eval.report import markdown_table

ROOT = Path(__file__).resolve().parent.parent
REAL_POSTS = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "real_posts.jsonl"
DEFAULT_OUT = ROOT / "eval" / "reports" / "benchmark.md"
SINGLE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
GNU_TIME = Path("/usr/bin/time")
FT_PARAMS = {"minn": 2, "maxn": 5, "wordNgrams": 2, "epoch": 5}
LOAD_SNIPPET = """
import json, sys, time, warnings
t0 = time.perf_counter()
import adclassify
t1 = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    adclassify.load_model(sys.argv[1] or None)
print(json.dumps([t1 - t0, time.perf_counter() - t1]))
"""


# -- pure helpers ------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """A goal from the issue: ``op`` is ``">="`` or ``"<="``; ``of_ratio`` compares the ratio vs fastText."""

    op: str
    limit: float
    text: str
    of_ratio: bool = False

    def status(self, value: float | None) -> str:
        """``met``, ``NOT met`` or ``not measured``."""
        if value is None or value != value:
            return "not measured"
        ok = value >= self.limit if self.op == ">=" else value <= self.limit
        return "met" if ok else "NOT met"


TARGETS = {
    "risk": Target(">=", 1.5, ">= 1.5x fastText", of_ratio=True),
    "score": Target(">=", 0.75, ">= 0.75x fastText", of_ratio=True),
    "p99": Target("<=", 2.0, "<= 2 ms"),
    "load": Target("<=", 0.3, "<= 0.3 s"),
    "size": Target("<=", 20.0, "<= 20 MB"),
    "rss": Target("<=", 400.0, "<= 400 MB (1M rows)"),
    "speedup": Target(">=", 1.7, ">= 1.7x"),
    "evidence": Target("<=", 2.0, "<= 2x `risk()`"),
}


@dataclass
class Figure:
    """One row of the results table."""

    measure: str
    value: float | None
    unit: str
    ratio: float | None = None
    target: Target | None = None
    note: str = ""

    def status(self) -> str:
        """The target status of this figure, or an empty string without a target."""
        if self.target is None:
            return ""
        return self.target.status(self.ratio if self.target.of_ratio else self.value)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty sequence."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    ordered = sorted(values)
    rank = max(math.ceil(q * len(ordered) / 100), 1)
    return float(ordered[rank - 1])


def latency_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p99 and max of call durations given in seconds, in milliseconds."""
    return {
        "p50": percentile(seconds, 50) * 1000,
        "p99": percentile(seconds, 99) * 1000,
        "max": max(seconds) * 1000,
    }


def format_value(value: float | None, unit: str) -> str:
    """A figure with its unit, e.g. ``12,345 posts/s`` or ``1.82x``."""
    if value is None or value != value:
        return "—"
    if unit == "x":
        return f"{value:.2f}x"
    if unit.endswith("/s"):
        return f"{value:,.0f} {unit}"
    if unit == "ms":
        return f"{value:.3f} ms"
    if unit == "s":
        return f"{value:.3f} s"
    return f"{value:,.1f} {unit}"


def results_table(figures: Sequence[Figure]) -> str:
    """The results as a Markdown table with targets and met / NOT met."""
    rows = [
        [
            f.measure,
            format_value(f.value, f.unit),
            "" if f.ratio is None else format_value(f.ratio, "x"),
            f.target.text if f.target else "",
            f.status(),
            f.note,
        ]
        for f in figures
    ]
    return markdown_table([["Measure", "Value", "vs fastText", "Target", "Status", "Notes"], *rows])


def build_mix(corpus: Sequence[str], real: Sequence[str], n: int, seed: int = 0) -> list[str]:
    """About ``n`` posts: up to half from ``real``, the rest from ``corpus``, shuffled."""
    rng = random.Random(seed)
    take_real = min(len(real), n // 2)
    mix = rng.sample(list(real), take_real) + rng.sample(list(corpus), min(len(corpus), n - take_real))
    rng.shuffle(mix)
    return mix


def profile_rows(stats: pstats.Stats, top: int = 15, by: str = "cumulative") -> list[list[str]]:
    """The ``top`` functions by ``cumulative`` or ``own`` time: cumulative s, own s, calls, function."""
    bases = (str(ROOT) + os.sep, sysconfig.get_path("stdlib") + os.sep)
    entries = []
    for (path, line, func), (_, calls, own, cumulative, _) in stats.stats.items():
        if path == "~":
            name = func
        else:
            short = path.split("site-packages" + os.sep)[-1]
            for base in bases:
                short = short.removeprefix(base)
            name = f"{short}:{line}({func})"
        entries.append((cumulative, own, calls, name))
    entries.sort(key=lambda e: -e[0] if by == "cumulative" else -e[1])
    return [[f"{c:.3f}", f"{o:.3f}", str(n), f"`{name}`"] for c, o, n, name in entries[:top]]


def parse_gnu_time(stderr: str) -> float | None:
    """Peak RSS in MB from the output of ``/usr/bin/time -v``."""
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    return int(match.group(1)) / 1024 if match else None


# -- measuring -----------------------------------------------------------------
def log(message: str) -> None:
    """Progress on stderr (never post text)."""
    print(f"[benchmark {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def pinned(cpu: int) -> Iterator[None]:
    """Run on one CPU with every thread pool limited to one thread."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        os.sched_setaffinity(0, before)


def throughput(fn: Callable[[list[str]], Any], texts: list[str], repeats: int = 5) -> float:
    """Posts per second of ``fn(texts)``: the best of ``repeats`` timed runs after a warm-up (robust to noise)."""
    fn(texts[:256])
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(texts)
        times.append(time.perf_counter() - start)
    return len(texts) / min(times)


def single_calls(fn: Callable[[str], Any], texts: list[str], n: int) -> list[float]:
    """Durations in seconds of ``n`` one-post calls (after 100 warm-up calls)."""
    for text in texts[:100]:
        fn(text)
    out = []
    for i in range(n):
        text = texts[i % len(texts)]
        start = time.perf_counter()
        fn(text)
        out.append(time.perf_counter() - start)
    return out


def cpu_snapshot() -> tuple[float, float, float]:
    """Wall seconds, busy CPU seconds of the machine, CPU seconds of this process and all its children."""
    total = psutil.cpu_times()
    busy = sum(getattr(total, f, 0.0) for f in ("user", "nice", "system", "irq", "softirq", "steal"))
    own = os.times()
    live = 0.0
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            live += sum(child.cpu_times()[:2])
    return time.perf_counter(), busy, own.user + own.system + own.children_user + own.children_system + live


def background_load(start: tuple[float, float, float], end: tuple[float, float, float], cpus: int) -> float:
    """Share of the machine's CPU capacity used by other processes between two :func:`cpu_snapshot` calls."""
    wall = end[0] - start[0]
    return max(0.0, (end[1] - start[1]) - (end[2] - start[2])) / (wall * cpus) if wall > 0 else 0.0


def child_env() -> dict[str, str]:
    """The environment for child processes: one BLAS/OpenMP thread."""
    return {**os.environ, **SINGLE_THREAD_ENV}


def load_times(model: str | None, runs: int) -> list[tuple[float, float]]:
    """``(import adclassify, load_model())`` seconds in ``runs`` fresh subprocesses."""
    out = []
    for _ in range(runs):
        cmd = [sys.executable, "-c", LOAD_SNIPPET, model or ""]
        done = subprocess.run(cmd, capture_output=True, text=True, env=child_env())
        if done.returncode != 0:
            raise RuntimeError(f"load_model() failed in a subprocess: {done.stderr.strip().splitlines()[-1:]}")
        imported, loaded = json.loads(done.stdout.strip().splitlines()[-1])
        out.append((imported, loaded))
    return out


def dir_size_mb(path: Path) -> float:
    """Total size of the files under ``path`` in MB (10**6 bytes)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def write_jsonl(texts: Sequence[str], path: Path, rows: int) -> None:
    """``rows`` JSONL records ``{"id", "text"}`` repeating ``texts``."""
    with path.open("w", encoding="utf-8") as fh:
        for i in range(rows):
            fh.write(json.dumps({"id": i, "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n")


def cli_command() -> list[str]:
    """The ``adclassify`` console script of this environment, else ``python -m adclassify``."""
    script = Path(sys.executable).parent / "adclassify"
    return [str(script)] if script.exists() else [sys.executable, "-m", "adclassify"]


def run_cli(src: Path, dst: Path, model: str | None, extra: Sequence[str] = ()) -> dict[str, float | None]:
    """Run ``adclassify score``; wall seconds, peak RSS (MB), rows and the CLI's own seconds."""
    cmd = [*cli_command(), "score", str(src), "-o", str(dst), "--quiet", *extra]
    if model:
        cmd += ["--model", model]
    start = time.perf_counter()
    if GNU_TIME.exists():
        done = subprocess.run([str(GNU_TIME), "-v", *cmd], capture_output=True, text=True, env=child_env())
        peak, stderr, code = parse_gnu_time(done.stderr), done.stderr, done.returncode
    else:
        peak, stderr, code = _run_polled(cmd)
    wall = time.perf_counter() - start
    if code != 0:
        raise RuntimeError(f"adclassify score exited with {code}: {stderr[-2000:]}")
    summary = next(json.loads(x) for x in reversed(stderr.splitlines()) if x.startswith('{"rows"'))
    return {"wall": wall, "rss": peak, "rows": summary["rows"], "seconds": summary["seconds"]}


def _run_polled(cmd: list[str]) -> tuple[float, str, int]:
    """Run ``cmd`` and poll its RSS (plus its children's) with psutil every 20 ms."""
    with tempfile.TemporaryFile("w+") as err:
        proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=child_env())
        peak = 0
        while proc.poll() is None:
            with contextlib.suppress(psutil.Error):
                peak = max(peak, sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]))
            time.sleep(0.02)
        err.seek(0)
        return peak / 2**20, err.read(), proc.returncode


# -- data and baselines -----------------------------------------------------------
def read_texts(path: Path) -> list[str]:
    """The non-empty ``text`` fields of a JSONL file."""
    with path.open(encoding="utf-8") as fh:
        return [t for t in (json.loads(line).get("text") for line in fh if line.strip()) if isinstance(t, str) and t]


def train_fasttext(rows: Sequence[dict], workdir: Path) -> Any | None:
    """A fastText supervised model of the corpus, or None when fasttext is not installed."""
    try:
        import fasttext
    except ImportError:
        return None
    train_file = workdir / "fasttext_train.txt"
    with train_file.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(f"__label__{row['label']} {' '.join(row['text'].split())}\n")
    model = fasttext.train_supervised(str(train_file), thread=os.cpu_count() or 1, verbose=0, seed=0, **FT_PARAMS)
    train_file.unlink()
    return model


def fasttext_batch(model: Any) -> Callable[[list[str]], Any]:
    """fastText ``predict`` of all labels with their probabilities (newlines replaced, as fastText requires)."""
    return lambda texts: model.predict([t.replace("\n", " ") for t in texts], k=-1)


def fasttext_single(model: Any) -> Callable[[str], Any]:
    """fastText ``predict`` of one post, all labels."""
    return lambda text: model.predict(text.replace("\n", " "), k=-1)


def train_tfidf(rows: Sequence[dict]) -> Any:
    """The TF-IDF char_wb (2, 5) + LogisticRegression baseline fitted on the corpus."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
        LogisticRegression(solver="saga", max_iter=10, tol=1e-3),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit([r["text"] for r in rows], [r["label"] for r in rows])
    return pipe


# -- report ---------------------------------------------------------------------
def package_version(name: str) -> str:
    """The installed version of a distribution, or ``not installed``."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, str]:
    """CPU model, cores, Python and library versions, git commit and date."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    try:
        commit = (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
            or "uncommitted"
        )
    except (OSError, subprocess.CalledProcessError):
        commit = "uncommitted"
    return {
        "CPU": model.group(1).strip() if model else platform.processor() or "unknown",
        "cores": f"{os.cpu_count()} logical, {len(os.sched_getaffinity(0))} usable",
        "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-learn": package_version("scikit-learn"),
        "scipy": package_version("scipy"),
        "fastText": package_version("fasttext-numpy2-wheel"),
        "adclassify": adclassify.__version__,
        "git commit": commit,
        "date (UTC)": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
    }


def render_report(
    figures: Sequence[Figure], info: dict[str, str], method: Sequence[str], profiles: dict[str, list[list[str]]]
) -> str:
    """The whole Markdown report."""
    parts = [
        "# adclassify benchmark",
        "",
        "Generated by `python -m eval.benchmark`; do not edit by hand.",
        "",
        "## Results",
        "",
        results_table(figures),
        "",
        "## How it was measured",
        "",
        *(f"- {m}" for m in method),
        "",
        "## Machine",
        "",
        markdown_table([["", ""], *([k, v] for k, v in info.items())]),
        "",
        "## Where the time goes",
        "",
        "cProfile of one pinned run each over the scoring posts: the top 15 functions by cumulative time (what a "
        "call includes) and by own time (where the CPU is spent). Profiling overhead inflates Python-heavy functions.",
    ]
    for name, rows in profiles.items():
        parts += ["", f"### {name}", "", markdown_table([["cumulative s", "own s", "calls", "function"], *rows])]
    return "\n".join(parts) + "\n"


# -- main -------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m eval.benchmark", description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="model directory (default: the shipped model)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown report to write")
    parser.add_argument("--quick", action="store_true", help="CLI memory run on 100,000 rows instead of 1,000,000")
    parser.add_argument(
        "--data", type=Path, nargs="+", help="JSONL files with a text field to score (default: the mix)"
    )
    parser.add_argument("--corpus", type=Path, help="an existing --dump-data file (default: dump it now)")
    parser.add_argument("--posts", type=int, default=20_000, help="posts in the scoring data")
    parser.add_argument("--latency-calls", type=int, default=2000)
    parser.add_argument("--cpu", type=int, default=max(os.sched_getaffinity(0)), help="CPU for single-core figures")
    return parser.parse_args(argv)


def scoring_texts(args: argparse.Namespace, corpus: Sequence[dict]) -> tuple[list[str], str]:
    """The posts to score and a description of where they come from."""
    if args.data:
        return build_mix(
            [t for p in args.data for t in read_texts(p)], [], args.posts
        ), "the --data files " + ", ".join(p.name for p in args.data)
    if REAL_POSTS.exists():
        mix = build_mix([r["text"] for r in corpus], read_texts(REAL_POSTS), args.posts)
        return mix, f"the training corpus and {REAL_POSTS.name} (real posts, evaluation-only)"
    return build_mix([r["text"] for r in corpus], [], args.posts), "the training corpus (real posts not found)"


def single_core(
    args: argparse.Namespace, clf: adclassify.Classifier, ft: Any | None, tfidf: Any, texts: list[str], tmp: Path
) -> list[Figure]:
    """Pinned figures: batch rates, latency, load time, model size, CLI memory and rate."""
    with pinned(args.cpu):
        risk_rate = throughput(clf.risk, texts)
        score_rate = throughput(clf.score, texts)
        ft_rate = throughput(fasttext_batch(ft), texts) if ft else None
        sk_rate = throughput(tfidf.predict_proba, texts)
        lat = latency_ms(single_calls(lambda t: clf.risk([t]), texts, args.latency_calls))
        ft_lat = latency_ms(single_calls(fasttext_single(ft), texts, args.latency_calls)) if ft else None
        loads = load_times(args.model, 5)
        rows = 100_000 if args.quick else 1_000_000
        log(f"CLI scoring {rows:,} rows")
        write_jsonl(texts, tmp / "posts.jsonl", rows)
        cli = run_cli(tmp / "posts.jsonl", tmp / "scored.jsonl", args.model)
        (tmp / "scored.jsonl").unlink()
        (tmp / "posts.jsonl").unlink()

    def vs_ft(rate: float) -> float | None:
        return rate / ft_rate if ft_rate else None

    batch = f"1 core (CPU {args.cpu}), best of 5 runs over {len(texts):,} posts"
    model_dir = Path(args.model) if args.model else Path(str(resources.files("adclassify.models") / "default"))
    shown_dir = model_dir.relative_to(ROOT) if model_dir.is_relative_to(ROOT) else model_dir
    full = rows == 1_000_000
    figures = [
        Figure("`risk()` batch", risk_rate, "posts/s", vs_ft(risk_rate), TARGETS["risk"], batch),
        Figure("`score()` batch (with evidence)", score_rate, "posts/s", vs_ft(score_rate), TARGETS["score"], batch),
        Figure(
            "`score()` cost / `risk()` cost",
            risk_rate / score_rate,
            "x",
            target=TARGETS["evidence"],
            note="the evidence path must not dominate scoring (issue 6)",
        ),
        Figure("fastText `predict(k=-1)` batch", ft_rate, "posts/s", vs_ft(ft_rate or 0), None, batch),
        Figure("TF-IDF + LR `predict_proba` batch", sk_rate, "posts/s", vs_ft(sk_rate), None, batch),
        Figure("`risk([post])` latency p50", lat["p50"], "ms", note=f"{args.latency_calls:,} one-post calls, 1 core"),
        Figure("`risk([post])` latency p99", lat["p99"], "ms", target=TARGETS["p99"], note=f"max {lat['max']:.2f} ms"),
    ]
    if ft_lat:
        note = f"p99 {ft_lat['p99']:.3f} ms; {args.latency_calls:,} one-post calls"
        figures.append(Figure("fastText `predict(post)` latency p50", ft_lat["p50"], "ms", note=note))
    return figures + [
        Figure(
            "`load_model()`",
            statistics.median(t[1] for t in loads),
            "s",
            target=TARGETS["load"],
            note="median of 5 fresh subprocesses, import excluded, 1 core",
        ),
        Figure("`import adclassify`", statistics.median(t[0] for t in loads), "s", note="same 5 subprocesses"),
        Figure("model directory size", dir_size_mb(model_dir), "MB", target=TARGETS["size"], note=f"`{shown_dir}`"),
        Figure(
            f"CLI `score` peak RSS, {rows:,} rows",
            cli["rss"],
            "MiB",
            target=TARGETS["rss"] if full else None,
            note=("`/usr/bin/time -v`" if GNU_TIME.exists() else "psutil polling")
            + ", 1 core"
            + ("" if full else "; --quick run, so the 1M-row target is not checked"),
        ),
        Figure(
            f"CLI `score` throughput, {rows:,} rows",
            rows / cli["wall"],
            "rows/s",
            note=f"wall clock incl. start-up; {cli['rows'] / max(cli['seconds'], 1e-9):,.0f} rows/s by the CLI's timer",
        ),
    ]


def multi_core(args: argparse.Namespace, clf: adclassify.Classifier, texts: list[str], tmp: Path) -> list[Figure]:
    """Unpinned speed-ups of ``risk(n_jobs=2)`` and of the CLI's ``--jobs 2``."""
    clf.risk(texts[:8192], n_jobs=2)
    one, two = throughput(clf.risk, texts), throughput(lambda x: clf.risk(x, n_jobs=2), texts)
    cores = len(os.sched_getaffinity(0))
    figures = [
        Figure(
            "`risk(n_jobs=2)` speed-up vs n_jobs=1",
            two / one,
            "x",
            target=TARGETS["speedup"],
            note=f"unpinned, {cores} cores, workers warmed up; {two:,.0f} vs {one:,.0f} posts/s",
        )
    ]
    src = tmp / "posts_100k.jsonl"
    write_jsonl(texts, src, 100_000)
    base = run_cli(src, tmp / "scored.jsonl", args.model)
    for extra in (["--jobs", "2"], ["--jobs", "2", "--batch-size", "8192"]):
        run = run_cli(src, tmp / "scored.jsonl", args.model, extra)
        figures.append(
            Figure(
                f"CLI `score {' '.join(extra)}` speed-up vs `--jobs 1`",
                base["wall"] / run["wall"],
                "x",
                note=f"unpinned, 100,000 rows, wall clock; {100_000 / run['wall']:,.0f} rows/s",
            )
        )
    return figures


def profiles(cpu: int, clf: adclassify.Classifier, texts: list[str]) -> dict[str, list[list[str]]]:
    """Pinned cProfile of ``risk()`` and ``score()`` over ``texts``: top 15 by cumulative and by own time."""
    out = {}
    with pinned(cpu):
        for name, fn in (("`clf.risk(posts)`", clf.risk), ("`clf.score(posts)`", clf.score)):
            profiler = cProfile.Profile()
            profiler.runcall(fn, texts)
            stats = pstats.Stats(profiler)
            out[f"{name}, by cumulative time"] = profile_rows(stats)
            out[f"{name}, by own time"] = profile_rows(stats, by="own")
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and write the report."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="adclassify-bench-") as tmp_name:
        tmp = Path(tmp_name)
        corpus_path = args.corpus or tmp / "corpus.jsonl"
        if not args.corpus:
            log("dumping the training corpus")
            dump_training_corpus(corpus_path)
        with corpus_path.open(encoding="utf-8") as fh:
            corpus = [json.loads(line) for line in fh if line.strip()]
        texts, source = scoring_texts(args, corpus)

        log(f"loading the model and training the baselines on {len(corpus):,} posts")
        clf = adclassify.load_model(args.model)
        started = time.perf_counter()
        ft = train_fasttext(corpus, tmp)
        ft_train = time.perf_counter() - started
        started = time.perf_counter()
        tfidf = train_tfidf(corpus)
        tfidf_train = time.perf_counter() - started

        log(f"single-core figures on CPU {args.cpu}")
        before = cpu_snapshot()
        figures = single_core(args, clf, ft, tfidf, texts, tmp)
        other = background_load(before, cpu_snapshot(), psutil.cpu_count() or 1)
        log("multi-core speed-ups (unpinned)")
        before = cpu_snapshot()
        figures += multi_core(args, clf, texts, tmp)
        other_multi = background_load(before, cpu_snapshot(), psutil.cpu_count() or 1)
    log("profiling risk() and score()")
    profiled = profiles(args.cpu, clf, texts)

    fasttext_note = (
        f"fastText {FT_PARAMS}, dim 100 (default), {ft_train:.0f} s" if ft else "fastText: not installed, skipped"
    )
    method = [
        f"Scoring data: {len(texts):,} posts from {source}, mean {sum(map(len, texts)) / len(texts):.0f} characters.",
        f"Baselines trained on the same {len(corpus):,}-post training corpus (training time not in the table): "
        f"{fasttext_note}; TF-IDF char_wb (2, 5) with min_df=2 and sublinear_tf "
        "+ LogisticRegression(saga, max_iter=10, tol=1e-3), "
        f"{tfidf_train:.0f} s.",
        "Batch rates: one call over all posts (the library batches internally), after a 256-post warm-up; "
        "fastText's time includes replacing newlines, which its `predict` refuses.",
        "Single-core: `os.sched_setaffinity` to one CPU and threadpoolctl `threadpool_limits(1)` in-process; "
        "child processes (load_model, CLI) inherit the affinity and get OMP/OPENBLAS/MKL_NUM_THREADS=1.",
        f"CLI: `{Path(cli_command()[-1]).name} score INPUT.jsonl -o OUT.jsonl --quiet` on a temporary JSONL file "
        "repeating the scoring posts (`id`, `text`), output with all columns; the file is deleted afterwards.",
        f"Other processes used {other:.0%} of the machine's CPU during the single-core measurements and "
        f"{other_multi:.0%} during the multi-core ones"
        + (" (busy machine: the figures may be low)." if max(other, other_multi) > 0.05 else "."),
        "Multi-core: process unpinned (all usable cores), no thread limits; the CLI's `--jobs` becomes "
        "`score(n_jobs=...)`; the CLI runs read a 100,000-row file.",
    ]
    report = render_report(figures, machine(), method, profiled)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(results_table(figures))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
