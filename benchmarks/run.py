"""The book's benchmarks: `python3 tasks.py bench [--quick] [--write] [--only conv ...]`.

Prints every figure from one run on this machine; --write also stores them, with the machine's
description, in benchmarks/RESULTS.md so readers can compare. With --only, just the named
benchmarks run, and --write replaces only their rows (each row says the date of its run).
"""

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import tensorflow as tf

from benchmarks import (bench_cifar, bench_cifar_anchor, bench_conv, bench_data, bench_grading,
                        bench_notebooks, bench_pdf, bench_shipped, bench_slides, bench_training)

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BENCHMARKS = {"conv": bench_conv, "data": bench_data, "training": bench_training, "cifar": bench_cifar,
              "cifar-anchor": bench_cifar_anchor,
              "shipped": bench_shipped, "grading": bench_grading, "notebooks": bench_notebooks, "pdf": bench_pdf,
              "slides": bench_slides}


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, numpy {np.__version__}, "
            f"TensorFlow {tf.__version__}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a shorter run of every benchmark (fewer images, epochs and submissions)")
    parser.add_argument("--write", action="store_true", help=f"store the figures in {RESULTS.name}")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS),
                        help="run only these benchmarks; --write then replaces only their rows")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = []
    for module in (BENCHMARKS[name] for name in (args.only or BENCHMARKS)):
        section = time.perf_counter()
        rows += module.run(quick=args.quick)
        print(f"[time] {module.__name__}: {time.perf_counter() - section:.0f} s", flush=True)
    lines = [f"Machine: {machine()}", f"Date: {time.strftime('%Y-%m-%d')}", "",
             "| benchmark | result |", "| --- | --- |"]
    lines += [f"| {name} | {result} |" for name, result in rows]
    text = "\n".join(lines)
    print(text)
    print(f"\n[time] benchmarks ran in {time.perf_counter() - started:.0f} s")
    if args.write and args.only:
        replace_rows(rows)
    elif args.write:
        RESULTS.write_text("# Benchmark results\n\nWritten by `python3 tasks.py bench --write`.\n\n"
                           + text + "\n")
        print(f"written to {RESULTS}")


def replace_rows(rows):
    """Puts `rows` into RESULTS.md in place of the rows of the same name (new ones at the end)."""
    lines = RESULTS.read_text(encoding="utf-8").splitlines()
    stamp = f" (run of {time.strftime('%Y-%m-%d')}, {machine()})"
    fresh = {name: f"| {name} | {result}{stamp} |" for name, result in rows}
    for i, line in enumerate(lines):
        name = line[2:].split(" | ", 1)[0] if line.startswith("| ") else None
        if name in fresh:
            lines[i] = fresh.pop(name)
    lines += fresh.values()
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"rows replaced in {RESULTS}")


if __name__ == "__main__":
    main()
