"""The book's benchmarks: `python3 tasks.py bench [--quick] [--write]`.

Prints every figure from one run on this machine; --write also stores them, with the machine's
description, in benchmarks/RESULTS.md so readers can compare.
"""

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import tensorflow as tf

from benchmarks import bench_conv, bench_grading, bench_notebooks, bench_training

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


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
    args = parser.parse_args()
    started = time.perf_counter()
    rows = []
    for module in (bench_conv, bench_training, bench_grading, bench_notebooks):
        section = time.perf_counter()
        rows += module.run(quick=args.quick)
        print(f"[time] {module.__name__}: {time.perf_counter() - section:.0f} s", flush=True)
    lines = [f"Machine: {machine()}", f"Date: {time.strftime('%Y-%m-%d')}", "",
             "| benchmark | result |", "| --- | --- |"]
    lines += [f"| {name} | {result} |" for name, result in rows]
    text = "\n".join(lines)
    print(text)
    print(f"\n[time] benchmarks ran in {time.perf_counter() - started:.0f} s")
    if args.write:
        RESULTS.write_text("# Benchmark results\n\nWritten by `python3 tasks.py bench --write`.\n\n"
                           + text + "\n")
        print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
