"""Grading throughput: 30 submissions of chapter 4 graded by course_tools with 2 workers, in the
sandbox and without it (--unsafe-no-sandbox), side by side.

The goal (issue 13) is at most 120 s on 2 cores with the sandbox on. The submissions are the
chapter's key (20 copies), the key with a flipped kernel in `conv2d_single` (5) and the untouched
student notebook (5): every one starts a fresh kernel, imports TensorFlow and runs the whole
chapter. Run with `python3 -m benchmarks.bench_grading [--quick]` or through `python3 tasks.py bench`.
"""

import copy
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from course_tools import exercises as fmt
from course_tools import grade

CHAPTER = "04_convolution"
GOAL_SECONDS = 120


def submissions(folder, count):
    book = fmt.read(grade.BOOK_CHAPTERS / f"{CHAPTER}.ipynb")
    key, student = fmt.build(book, "key", CHAPTER), fmt.build(book, "student", CHAPTER)
    flipped = copy.deepcopy(key)
    for cell in flipped.cells:
        cell.source = cell.source.replace("img[i:i + kh, j:j + kw] * k)", "img[i:i + kh, j:j + kw] * k[::-1, ::-1])")
    kinds = [("key", key)] * 4 + [("flipped", flipped), ("student", student)]
    for index in range(count):
        name, nb = kinds[index % len(kinds)]
        nbformat.write(nb, str(Path(folder) / f"s{index:02d}_{name}.ipynb"))


def run(quick=False):
    count = 6 if quick else 30
    rows = []
    modes = [("sandbox", True), ("no sandbox", False)] if grade.sandbox_available() is None else \
        [("no sandbox (none on this machine)", False)]
    for label, sandbox in modes:
        with tempfile.TemporaryDirectory(prefix="bench-grading-") as folder:
            submissions(folder, count)
            started = time.perf_counter()
            outcomes = grade.grade_folder(folder, chapter=CHAPTER, workers=2, sandbox=sandbox)
            seconds = time.perf_counter() - started
        full = sum(o.points == o.max_points for o in outcomes)
        problems = sum(bool(o.problem) for o in outcomes)
        per = seconds / count
        verdict = f"goal {GOAL_SECONDS} s for 30: {'met' if per * 30 <= GOAL_SECONDS else 'MISSED'}"
        rows.append((f"grade {count} submissions of {CHAPTER}, 2 workers, {label}, {os.cpu_count()} cores",
                     f"{seconds:.1f} s ({per:.1f} s per submission; {full} full marks, {problems} with problems; "
                     f"{verdict}{', estimated from 6' if quick else ''})"))
    return rows


if __name__ == "__main__":
    for name, result in run(quick="--quick" in sys.argv[1:]):
        print(f"| {name} | {result} |")
