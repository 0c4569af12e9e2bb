"""Execution time of every chapter notebook, and of the whole book, as nbval runs them.

CNN_BOOK_BENCH_CHAPTERS=08_mnist_keras (names separated by commas) times only those chapters, and
then gives no whole-book row: `tasks.py bench --only notebooks --write` replaces only their rows.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(quick=False):
    chapters = sorted((ROOT / "book" / "chapters").glob("*.ipynb"))
    chosen = [name for name in os.environ.get("CNN_BOOK_BENCH_CHAPTERS", "").split(",") if name]
    if chosen:
        chapters = [chapter for chapter in chapters if chapter.stem in chosen]
    rows, total = [], 0.0
    for chapter in chapters[:2] if quick else chapters:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
             "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", str(chapter)],
            cwd=ROOT, env=dict(os.environ), capture_output=True, text=True)
        seconds = time.perf_counter() - started
        total += seconds
        status = "passed" if result.returncode == 0 else "FAILED"
        rows.append((f"nbval {chapter.name}", f"{seconds:.1f} s ({status})"))
    if chosen:
        return rows
    rows.append(("nbval, the whole book (sum of the chapters)",
                 f"{total:.0f} s (goal: at most 300 s on 2 cores)"))
    return rows
