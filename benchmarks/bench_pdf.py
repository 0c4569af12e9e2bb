"""The PDF book's build (`python3 tasks.py pdf`): time, pages and size of both editions.

Built from nothing (_build/pdf removed first), as on a fresh clone: one Sphinx read of the book,
then each edition's LaTeX written and typeset by latexmk (three XeLaTeX runs and xindy). The test
command's build is the same one, warm when _build/pdf is left from an earlier run. The row says the
load average, since the machine may be shared.
"""

import os
import shutil
import time

import tasks


def run(quick=False):
    shutil.rmtree(tasks.PDF_DIR, ignore_errors=True)
    editions = tasks.PDF_EDITIONS[:1] if quick else tasks.PDF_EDITIONS
    started = time.perf_counter()
    summary = tasks.build_pdf(editions)
    seconds = time.perf_counter() - started
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = [(f"PDF book, {edition} edition", f"{result['pages']} pages, "
             f"{result['bytes'] / 1e6:.1f} MB, {result['seconds']:.0f} s")
            for edition, result in summary.items()]
    rows.append((f"PDF book, {' and '.join(editions)} from nothing (tasks.py pdf)",
                 f"{seconds:.0f} s (load average {load:.1f} at the end, on {os.cpu_count()} cores)"))
    return rows
