"""Every figure of the book has a Korean caption: the figure metadata of the chapters' code cells.

A code cell whose stored outputs contain an image (or a matplotlib JavaScript animation) carries
MyST-NB figure metadata, which makes the HTML book show each output as a numbered figure with a
caption (Jupyter and Colab ignore it):

    {"mystnb": {"figure": {"caption": "한국어로 그림이 보여 주는 것 한두 문장.", "name": "fig-04-steps"}}}

The name is the figure's label ({numref}`fig-04-steps`): ``fig-<chapter number>-<short name>``,
unique in the book. MyST-NB 1.4 wraps *each* display output of the cell in its own figure, with the
same caption and the same name, so a cell that shows two images gets no name (the name would be
defined twice: "Duplicate explicit target name", which fails the build) and a caption that covers
both images ("(위) ... (아래) ...").
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book" / "chapters").glob("*.ipynb"))
HANGUL = re.compile(r"[\uac00-\ud7a3]")
FIGURE_KEYS = {"caption", "name", "classes", "align", "caption_before"}
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


def _text(value):
    return "".join(value) if isinstance(value, list) else str(value)


def _display_outputs(cell):
    """The outputs MyST-NB wraps in a figure: display_data and execute_result."""
    return [o for o in cell.get("outputs", []) if o.get("output_type") in ("display_data", "execute_result")]


def _is_figure(output):
    """An image, or a matplotlib animation (``to_jshtml``: an HTML page with an Animation script)."""
    data = output.get("data", {})
    if any(kind in data for kind in IMAGE_TYPES):
        return True
    html = _text(data.get("text/html", ""))
    return 'class="animation"' in html or "new Animation(" in html


def figure_cells(notebook):
    """(cell index, cell) for each code cell whose stored outputs contain a figure."""
    return [(i, cell) for i, cell in enumerate(notebook["cells"])
            if cell["cell_type"] == "code" and any(_is_figure(o) for o in _display_outputs(cell))]


def figure_problems(notebook, chapter):
    """What is wrong with the figure metadata of one notebook (an empty list if nothing is).

    Args:
        notebook: the notebook as a dict (``json.load``).
        chapter: the chapter number of the file name (``"04"`` for ``04_convolution.ipynb``).

    Returns:
        A list of messages naming the cell and saying how to fix it.
    """
    problems = []
    for index, cell in figure_cells(notebook):
        where = f"cell {index}"
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure")
        if not isinstance(figure, dict):
            problems.append(f"{where}: the figure has no caption; add the cell metadata "
                            '{"mystnb": {"figure": {"caption": "...", "name": '
                            f'"fig-{chapter}-..."}}}}}} (CONTRIBUTING.md)')
            continue
        unknown = set(figure) - FIGURE_KEYS
        if unknown:
            problems.append(f"{where}: unknown mystnb.figure keys {sorted(unknown)}; "
                            f"MyST-NB knows {sorted(FIGURE_KEYS)}")
        not_text = [k for k, v in figure.items() if not isinstance(v, str)]
        if not_text:
            problems.append(f"{where}: mystnb.figure values must be strings: {not_text}")
        caption = figure.get("caption")
        if not isinstance(caption, str) or not caption.strip():
            problems.append(f"{where}: empty caption; say in one or two Korean sentences what the "
                            "figure shows")
        elif not HANGUL.search(caption):
            problems.append(f"{where}: the caption {caption!r} is not Korean")
        elif "\n\n" in caption.strip() or re.match(r"\s*([-*+>#]|\d+\.)\s", caption):
            problems.append(f"{where}: the caption must be one paragraph of text (MyST-NB makes "
                            "only a paragraph a caption)")
        n_outputs = len(_display_outputs(cell))
        name = figure.get("name")
        if n_outputs > 1:
            if name is not None:
                problems.append(f"{where}: the cell has {n_outputs} display outputs and MyST-NB "
                                f"wraps each in a figure named {name!r}: a name defined twice fails "
                                "the build; remove the name and caption both images in one "
                                "caption, e.g. '(위) ... (아래) ...'")
        elif not isinstance(name, str) or not re.fullmatch(rf"fig-{chapter}-[a-z0-9]+(-[a-z0-9]+)*",
                                                           name):
            problems.append(f"{where}: figure name {name!r}; name it fig-{chapter}-<short name> "
                            "(lower case, digits and hyphens)")
    return problems


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _chapter(path):
    return path.name.split("_", 1)[0]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_figure_has_a_korean_caption_and_a_name(path):
    problems = figure_problems(_load(path), _chapter(path))
    assert not problems, (f"{path.relative_to(ROOT)}: figures without proper captions:\n"
                          + "\n".join(problems))


def test_figure_names_are_unique_in_the_book():
    seen = {}
    duplicates = []
    for path in CHAPTERS:
        for index, cell in figure_cells(_load(path)):
            name = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name")
            if name:
                if name in seen:
                    duplicates.append(f"{name}: {seen[name]} and {path.name} cell {index}")
                seen[name] = f"{path.name} cell {index}"
    assert not duplicates, "figure names used twice:\n" + "\n".join(duplicates)


def test_the_chapters_have_figures():
    assert CHAPTERS
    assert sum(len(figure_cells(_load(path))) for path in CHAPTERS) >= 30


def _cell(outputs, figure=None):
    cell = {"cell_type": "code", "source": "plt.show()", "metadata": {}, "outputs": outputs}
    if figure is not None:
        cell["metadata"]["mystnb"] = {"figure": figure}
    return cell


def test_check_flags_missing_english_and_misnamed_captions():
    image = {"output_type": "display_data", "data": {"image/png": "iVBOR", "text/plain": "<Figure>"},
             "metadata": {}}
    stream = {"output_type": "stream", "name": "stdout", "text": "x\n"}
    animation = {"output_type": "execute_result", "execution_count": 1, "metadata": {},
                 "data": {"text/html": '<div class="animation">...', "text/plain": "<HTML>"}}
    good = {"cells": [
        {"cell_type": "markdown", "source": "# 4. 제목", "metadata": {}},
        _cell([stream, image], {"caption": "3×3 이미지와 값.", "name": "fig-04-image"}),
        _cell([image, image], {"caption": "(위) 필터. (아래) 특징 맵."}),
        _cell([animation], {"caption": "애니메이션.", "name": "fig-04-demo"}),
        _cell([stream]),                                                # no figure, no caption needed
    ]}
    assert figure_problems(good, "04") == []
    cases = {
        "no caption": _cell([image]),
        "empty caption": _cell([image], {"caption": " ", "name": "fig-04-a"}),
        "is not Korean": _cell([image], {"caption": "A filter.", "name": "fig-04-a"}),
        "one paragraph": _cell([image], {"caption": "- 필터", "name": "fig-04-a"}),
        "figure name None": _cell([image], {"caption": "필터."}),
        "figure name 'fig-05-a'": _cell([image], {"caption": "필터.", "name": "fig-05-a"}),
        "defined twice": _cell([image, image], {"caption": "두 그림.", "name": "fig-04-a"}),
        "no caption ": _cell([animation]),
    }
    for expected, cell in cases.items():
        problems = figure_problems({"cells": [cell]}, "04")
        assert len(problems) == 1 and expected.strip() in problems[0], (expected, problems)
