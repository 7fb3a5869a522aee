"""Benchmark: the text tools of ``course.text`` on megabyte inputs.

Times each text function on a megabyte of news text (the article, repeated) and on the
pathological megabyte inputs that once made the library slow (a megabyte of dots, of quote marks,
of dotted letters, of digits with commas, of blank lines). The tests check the same inputs for
linear growth by counting interpreter events (tests/work_counter.py); this script gives the
seconds, which depend on the machine and its load and so never belong in a test. Prints a table
(best and median of --repeat runs, CPU time beside wall time) and writes JSON to benchmarks/out/.

    .venv/bin/python benchmarks/text.py
    .venv/bin/python benchmarks/text.py --repeat 5 --size 2000000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from course import text as T  # noqa: E402
from course.data import load_article  # noqa: E402

FUNCTIONS: dict[str, Callable[[str], object]] = {
    "paragraphs": T.paragraphs,
    "sentences": T.sentences,
    "tokens": T.tokens,
    "word_frequencies": T.word_frequencies,
    "find_quotes": T.find_quotes,
    "modal_phrases": T.modal_phrases,
    "kwic('Kosovo')": lambda text: T.kwic(text, "Kosovo"),
    "kwic('a', prefix)": lambda text: T.kwic(text, "a", whole_word=False),
    "kwic('a.b', prefix)": lambda text: T.kwic(text, "a.b", whole_word=False),
}


def inputs(size: int) -> dict[str, str]:
    """The benchmark inputs, each about size characters."""
    article = load_article().text
    return {
        "news": (article + "\n\n") * max(1, size // (len(article) + 2)),
        "dots": "." * size,
        "quote-marks": '"' * size,
        "dotted": "a.b" * (size // 3) + "cc",
        "digits": "1," * (size // 2) + "x",
        "blank-lines": "\n \n" * (size // 3),
    }


def measure(function: Callable[[str], object], text: str, repeat: int) -> dict[str, float]:
    """Best and median wall and CPU seconds of function(text) over repeat runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        function(text)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {
        "wall_best": round(min(walls), 3),
        "wall_median": round(statistics.median(walls), 3),
        "cpu_median": round(statistics.median(cpus), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="characters per input")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    args = parser.parse_args(argv)

    load = os.getloadavg()[0]
    results: dict[str, dict[str, dict[str, float]]] = {}
    print(f"{args.size:,} characters, {args.repeat} run(s), {os.cpu_count()} CPUs, load {load:.1f}")
    print(f"{'input':13}{'function':22}{'best':>8}{'median':>8}{'cpu':>8}   seconds")
    for name, text in inputs(args.size).items():
        results[name] = {}
        for label, function in FUNCTIONS.items():
            r = measure(function, text, args.repeat)
            results[name][label] = r
            print(f"{name:13}{label:22}{r['wall_best']:8.2f}{r['wall_median']:8.2f}"
                  f"{r['cpu_median']:8.2f}", flush=True)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "size": args.size,
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_1min_before": load,
        "load_average_1min_after": os.getloadavg()[0],
        "seconds": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = args.out / f"text-{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"JSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
