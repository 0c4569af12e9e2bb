"""Lecture slides: how long `python3 tasks.py slides` takes to build a deck, and how big it is.

Builds chapter 4's deck (the default rule) and every chapter's (`--all`) into a temporary folder,
each time with the copies of reveal.js and MathJax made afresh; the npm packages themselves come
from the cache folder (`_build/slides-vendor`), installed there by the first build. Run with
`python3 -m benchmarks.bench_slides` or through `python3 tasks.py bench --only slides`.
"""

import tempfile
import time
from pathlib import Path

from course_tools import slides

CHAPTER = "04_convolution"


def _size(path):
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def _build(names, out):
    started = time.perf_counter()
    counts = [slides.build_deck(name, out)[1] for name in names]
    return time.perf_counter() - started, counts


def run(quick=False):
    slides.vendor_modules()                               # npm, once, before anything is timed
    with tempfile.TemporaryDirectory() as folder:
        seconds, (count,) = _build([CHAPTER], Path(folder))
        deck = (Path(folder) / f"{CHAPTER}.html").stat().st_size
        lib = _size(Path(folder) / "lib")
    rows = [(f"slides: {CHAPTER} deck (python3 tasks.py slides {CHAPTER})",
             f"{seconds:.1f} s, {count} slides; the deck {deck / 1e6:.2f} MB, reveal.js and "
             f"MathJax beside it {lib / 1e6:.1f} MB")]
    if not quick:
        names = [p.stem for p in sorted(slides.CHAPTERS.glob("*.ipynb"))]
        with tempfile.TemporaryDirectory() as folder:
            seconds, counts = _build(names, Path(folder))
            total = _size(folder)
        rows.append(("slides: every chapter (python3 tasks.py slides --all)",
                     f"{seconds:.1f} s, {len(names)} decks, {sum(counts)} slides, {total / 1e6:.1f} MB "
                     "with the libraries"))
    for name, result in rows:
        print(f"{name}: {result}", flush=True)
    return rows


if __name__ == "__main__":
    run()
