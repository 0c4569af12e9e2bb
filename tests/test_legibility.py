"""Every figure's text is at least 9 px tall in the HTML book read in a 1280 px wide window.

How it works, in three parts:

1. At execution time, each figure records its smallest text. `tasks.py execute` (and every test
   run) sets ``CNN_UTILS_RECORD_FIGURE_TEXT=1``; `import cnn_utils` then wraps IPython's PNG
   formatter of matplotlib figures (`cnn_utils.viz.legibility.record_figure_text`). While a figure is
   saved as the PNG that goes into the notebook, it notes the size in image pixels of every text
   matplotlib actually draws (titles, axis labels, tick labels, legends, colour-bar ticks,
   annotations, whether a chapter or a `cnn_utils` function drew them), and stores the smallest
   with the PNG's width in the output's metadata: ``{"image/png": {"cnn_utils": {...}}}``.
   `animate_conv` stores the same record for its animation (``{"text/html": {"cnn_utils": ...}}``).
   Metadata is not compared by nbval and does not change what a reader sees.
2. This test reads the stored notebooks only (no kernel, no browser; it takes a second) and
   computes the size each figure's smallest text has on the page: the browser shows an image at its
   natural width, or scaled down to fit the content column,

       displayed px = smallest font px * min(natural width, column width) / PNG width.

   The column is `COLUMN_WIDTH["main"]` CSS pixels wide at 1280 px, and narrower inside a folded
   solution (cells tagged ``solution``). A figure below `MIN_DISPLAYED_PX` fails, naming the
   chapter, the cell, the text and the size; a figure without a record fails too (the notebook was
   executed some other way: re-execute it with ``python3 tasks.py execute``).
3. `tests/test_figure_widths.py` opens the built book at 1280 px in Chromium and checks
   that wide figures are displayed at `COLUMN_WIDTH`, so the constants here cannot drift from the
   theme.

So the check covers every figure of every chapter, made by a chapter's own code or by `cnn_utils`,
as it was last executed. Fix a small text by a larger font, a narrower figure or more rows.
"""

import json
from pathlib import Path

import pytest

from cnn_utils.viz.legibility import METADATA_KEY, MIN_DISPLAYED_PX, displayed_font_px, text_record

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book" / "chapters").glob("*.ipynb"))

# Width in CSS pixels of the content column of the HTML book in a 1280 px wide window: where a cell's
# output goes, and inside a folded solution (sphinx-exercise's dropdown has padding). Measured in
# Chromium; tests/test_figure_widths.py checks them.
COLUMN_WIDTH = {"main": 672, "solution": 649}
WINDOW_WIDTH = 1280


def _text(value):
    return "".join(value) if isinstance(value, list) else str(value)


def figure_records(notebook):
    """(cell index, column, record or None) for each figure among the stored outputs."""
    found = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        column = "solution" if "solution" in cell.get("metadata", {}).get("tags", []) else "main"
        for output in cell.get("outputs", []):
            data, metadata = output.get("data", {}), output.get("metadata", {})
            if "image/png" in data:
                kind = "image/png"
            elif "new Animation(" in _text(data.get("text/html", "")):
                kind = "text/html"
            else:
                continue
            found.append((index, column, metadata.get(kind, {}).get(METADATA_KEY)))
    return found


def legibility_problems(notebook):
    """Messages for each figure whose smallest text is below MIN_DISPLAYED_PX, or has no record."""
    problems = []
    for index, column, record in figure_records(notebook):
        where = f"cell {index}"
        if record is None:
            problems.append(f"{where}: the figure has no record of its text size; re-execute the "
                            "notebook with `python3 tasks.py execute <notebook>`")
            continue
        size = displayed_font_px(record, COLUMN_WIDTH[column])
        if size is not None and size < MIN_DISPLAYED_PX:
            shown = min(record["display_width"], COLUMN_WIDTH[column])
            problems.append(
                f"{where}: text {record['smallest_text']!r} is {size:.1f} px at {WINDOW_WIDTH} px "
                f"(font {record['smallest_font_px']:g} px in a {record['image_width']} px wide "
                f"image shown {shown} px wide); expected at least {MIN_DISPLAYED_PX:g} px: a larger "
                "font, a narrower figure or more rows")
    return problems


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_figure_text_is_legible_at_desktop_width(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    problems = legibility_problems(notebook)
    assert not problems, (f"{path.relative_to(ROOT)}: figure text too small in the HTML book:\n"
                          + "\n".join(problems))


def test_every_chapter_records_its_figures():
    assert sum(len(figure_records(json.loads(p.read_text(encoding="utf-8")))) for p in CHAPTERS) >= 30


def _output(record, kind="image/png"):
    data = {kind: "iVBOR"} if kind == "image/png" else {kind: "<script>new Animation(</script>"}
    return {"output_type": "display_data", "data": data,
            "metadata": {kind: {METADATA_KEY: record}} if record else {}}


def test_check_flags_small_text_missing_records_and_narrow_solutions():
    # 11.1 px in a 1411 px image: 5.3 px when scaled to the column; fine at 700 px (10.7 px)
    wide = text_record([("conv1", 11.11)], 1411)
    narrow = text_record([("conv1", 11.11)], 700)
    cell = {"cell_type": "code", "metadata": {}, "source": "", "outputs": []}

    def notebook(*outputs, tags=()):
        return {"cells": [dict(cell, outputs=list(outputs), metadata={"tags": list(tags)})]}

    assert legibility_problems(notebook(_output(narrow))) == []
    assert legibility_problems(notebook(_output(text_record([], 2000)))) == []  # no text at all
    [problem] = legibility_problems(notebook(_output(wide)))
    assert "'conv1' is 5.3 px" in problem and "1411 px" in problem
    [problem] = legibility_problems(notebook(_output(None)))
    assert "tasks.py execute" in problem
    [problem] = legibility_problems(notebook(_output(wide, "text/html")))
    assert "5.3 px" in problem
    # 9.4 px in a 700 px image: 9.0 px in the main column, 8.7 px in a solution's
    tight = text_record([("x", 9.4)], 700)
    assert legibility_problems(notebook(_output(tight))) == []
    assert legibility_problems(notebook(_output(tight), tags=["solution"]))


def test_the_recorder_measures_the_text_matplotlib_draws():
    import matplotlib.pyplot as plt
    from IPython.core.pylabtools import print_figure

    from cnn_utils.viz.legibility import _recording, record_figure_text

    fig, (left, right) = plt.subplots(1, 2, figsize=(4, 2), dpi=100)
    left.set_title("제목", fontsize=12)
    left.set_xlabel("작은 글자", fontsize=7)
    right.set_axis_off()
    right.set_title("숨은 축의 눈금은 그리지 않는다", fontsize=11)
    data, metadata = _recording(lambda f: print_figure(f, "png", base64=True))(fig)
    record = metadata[METADATA_KEY]
    assert record["smallest_text"] == "작은 글자"
    assert record["smallest_font_px"] == round(7 * 100 / 72, 2)
    assert 300 < record["image_width"] == record["display_width"] < 450   # 4 inches, tight bbox
    retina = _recording(lambda f: (print_figure(f, "retina", base64=True), {"width": 200}))(fig)
    assert retina[1][METADATA_KEY]["display_width"] == 200                # CSS width of a retina PNG
    assert retina[1][METADATA_KEY]["smallest_font_px"] == round(7 * 200 / 72, 2)
    assert record_figure_text() is False                                  # not in IPython: no-op
