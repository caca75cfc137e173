"""The pure helpers of eval/benchmark.py on tiny inputs (correctness, not speed)."""

from __future__ import annotations

import cProfile
import pstats

import pytest

from eval.benchmark import (
    TARGETS,
    Figure,
    Target,
    background_load,
    build_mix,
    format_value,
    latency_ms,
    parse_gnu_time,
    percentile,
    profile_rows,
    render_report,
    results_table,
)
from eval.report import markdown_table


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile(values, 0) == 1.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_latency_ms_converts_seconds() -> None:
    samples = [0.001] * 98 + [0.002, 0.010]
    lat = latency_ms(samples)
    assert lat["p50"] == pytest.approx(1.0)
    assert lat["p99"] == pytest.approx(2.0)
    assert lat["max"] == pytest.approx(10.0)


def test_target_status() -> None:
    at_least = Target(">=", 1.5, ">= 1.5x", of_ratio=True)
    assert at_least.status(1.5) == "met"
    assert at_least.status(1.2) == "NOT met"
    at_most = Target("<=", 2.0, "<= 2 ms")
    assert at_most.status(1.9) == "met"
    assert at_most.status(2.5) == "NOT met"
    assert at_most.status(None) == "not measured"
    assert at_most.status(float("nan")) == "not measured"


def test_figure_checks_the_ratio_when_the_target_is_relative() -> None:
    slow = Figure("risk()", 30_000.0, "posts/s", ratio=0.8, target=TARGETS["risk"])
    fast = Figure("risk()", 10.0, "posts/s", ratio=2.0, target=TARGETS["risk"])
    assert slow.status() == "NOT met"
    assert fast.status() == "met"
    assert Figure("no fastText", 10.0, "posts/s", ratio=None, target=TARGETS["risk"]).status() == "not measured"
    assert Figure("size", 8.0, "MB", target=TARGETS["size"]).status() == "met"
    assert Figure("info", 1.0, "s").status() == ""


def test_format_value() -> None:
    assert format_value(12345.6, "posts/s") == "12,346 posts/s"
    assert format_value(1.234, "x") == "1.23x"
    assert format_value(0.5, "ms") == "0.500 ms"
    assert format_value(0.25, "s") == "0.250 s"
    assert format_value(7.96, "MB") == "8.0 MB"
    assert format_value(None, "s") == "—"


def test_markdown_table_shape_and_escaping() -> None:
    table = markdown_table([["a", "b"], ["1", "x|y"]])
    lines = table.splitlines()
    assert lines[0] == "| a | b |"
    assert lines[1] == "| --- | --- |"
    assert lines[2] == "| 1 | x\\|y |"


def test_results_table_marks_a_failing_ratio() -> None:
    figures = [
        Figure("`risk()` batch", 20_000.0, "posts/s", ratio=0.8, target=TARGETS["risk"], note="1 core"),
        Figure("`score()` batch", 20_000.0, "posts/s", ratio=0.8, target=TARGETS["score"]),
    ]
    rows = results_table(figures).splitlines()[2:]
    assert len(rows) == 2
    assert "0.80x" in rows[0] and "| NOT met |" in rows[0] and ">= 1.5x fastText" in rows[0]
    assert "| met |" in rows[1]


def test_build_mix_is_seeded_and_balanced() -> None:
    corpus = [f"c{i}" for i in range(100)]
    real = [f"r{i}" for i in range(30)]
    mix = build_mix(corpus, real, 40, seed=1)
    assert len(mix) == 40
    assert sum(t.startswith("r") for t in mix) == 20
    assert mix == build_mix(corpus, real, 40, seed=1)
    assert len(build_mix(corpus, [], 40)) == 40
    assert sum(t.startswith("r") for t in build_mix(corpus, real[:5], 40)) == 5


def test_parse_gnu_time() -> None:
    out = "\tCommand being timed: x\n\tMaximum resident set size (kbytes): 204800\n\tExit status: 0\n"
    assert parse_gnu_time(out) == pytest.approx(200.0)
    assert parse_gnu_time("nothing here") is None


def test_profile_rows_and_report() -> None:
    profiler = cProfile.Profile()
    profiler.runcall(sorted, list(range(1000)), key=lambda v: -v)
    rows = profile_rows(pstats.Stats(profiler), top=3)
    assert 1 <= len(rows) <= 3
    assert all(len(r) == 4 for r in rows)
    cumulative = [float(r[0]) for r in rows]
    assert cumulative == sorted(cumulative, reverse=True)
    own = [float(r[1]) for r in profile_rows(pstats.Stats(profiler), top=3, by="own")]
    assert own == sorted(own, reverse=True)
    report = render_report(
        [Figure("size", 8.0, "MB", target=TARGETS["size"])],
        {"CPU": "test"},
        ["method line"],
        {"`clf.risk(posts)`, by own time": rows},
    )
    assert report.startswith("# adclassify benchmark")
    assert "## Where the time goes" in report and "### `clf.risk(posts)`, by own time" in report
    assert "- method line" in report and "| CPU | test |" in report


def test_background_load() -> None:
    assert background_load((0.0, 0.0, 0.0), (10.0, 15.0, 10.0), 2) == pytest.approx(0.25)
    assert background_load((0.0, 0.0, 0.0), (10.0, 5.0, 10.0), 2) == 0.0
    assert background_load((1.0, 0.0, 0.0), (1.0, 5.0, 0.0), 2) == 0.0
