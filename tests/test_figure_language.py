"""Every figure speaks Korean: no English word in a title, label, legend or annotation.

Each figure a chapter shows stores every distinct text matplotlib drew in its output's metadata
(`cnn_utils.viz.legibility.text_record`, recorded by `python3 tasks.py execute` and by the tests).
This test reads those records from the stored notebooks and fails on a Latin-letter word that is
neither a name nor code:

- allowed: a variable of one or two letters (x, W, xp), a name called or indexed (``max(0, x)``,
  ``out[0, 0]``), a token with a digit or an underscore (conv1, fc6, top-5, SOBEL_X), an acronym
  in capitals (ILSVRC, GPU, NHWC, SAME), the proper names in `NAMES` (networks, teams and
  authors, which have no Korean spelling in the book) and the code in `CODE` (Keras's layer
  classes and the layer names of the book's models);
- not allowed: any other word ("training loss", "confusion matrix", "true 9, pred 5", "Input").
  Write it in Korean, or, if it really is a name, add it to `NAMES`.

Mathematics in ``$...$`` is left out (matplotlib's mathtext: ``$W_{1}$``, ``$\\sigma$``).
"""

import json
import re
from pathlib import Path

import pytest

from cnn_utils.viz.legibility import METADATA_KEY

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book" / "chapters").glob("*.ipynb"))

# Proper names written in Latin letters in the book's figures: networks, ILSVRC teams, authors,
# libraries and datasets. Ordinary English words never belong here.
NAMES = {
    "AlexNet", "GoogLeNet", "ResNet", "SENet", "ZFNet", "LeNet", "VGGNet", "Inception",
    "Krizhevsky", "LeCun", "Russakovsky", "Trimps-Soushen", "Clarifai",
    "Keras", "TensorFlow", "NumPy", "numpy", "matplotlib", "ImageNet",
    "ReLU", "Softmax", "softmax", "im2col",
    "Grad-CAM",                  # Selvaraju et al.'s method (chapter 12), written so in Korean texts too
}
# Code the figures print as code: Keras's layer classes, and the layer names the book's models give
# their layers (`name="image"` in chapter 3's model, drawn by `show_shape_flow`).
CODE = {"Dense", "Flatten", "InputLayer", "Dropout", "BatchNormalization", "Sequential",
        "image", "flatten", "output"}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*(?![A-Za-z0-9_\-])(?!\s*[\[(])")
MATH = re.compile(r"\$[^$]*\$")
ACRONYM = re.compile(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)*")


def english_words(text):
    """The Latin-letter words of a figure text that are neither a name nor code, in order."""
    found = []
    for word in WORD.findall(MATH.sub(" ", text)):
        word = word.strip("-")
        if (len(word) <= 2 or re.search(r"[0-9_]", word) or ACRONYM.fullmatch(word)
                or word in NAMES or word in CODE):
            continue
        found.append(word)
    return found


def figure_texts(notebook):
    """(cell index, texts or None) for each figure among a notebook's stored outputs."""
    found = []
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            for mime in ("image/png", "text/html"):
                record = output.get("metadata", {}).get(mime, {}).get(METADATA_KEY)
                if record is not None:
                    found.append((index, record.get("texts")))
                elif mime == "image/png" and mime in output.get("data", {}):
                    found.append((index, None))
    return found


def language_problems(notebook):
    problems = []
    for index, texts in figure_texts(notebook):
        if texts is None:
            problems.append(f"셀 {index}: 그림의 글자 기록이 없습니다. python3 tasks.py execute로 다시 "
                            f"실행하세요.")
            continue
        for text in texts:
            words = english_words(text)
            if words:
                problems.append(f"셀 {index}: 그림 글자 {text!r}에 영어 낱말 {', '.join(words)}")
    return problems


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_figure_text_is_korean(path):
    problems = language_problems(json.loads(path.read_text(encoding="utf-8")))
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("text, words", [
    ("training loss", ["training", "loss"]),
    ("feature map of shifted digit", ["feature", "map", "shifted", "digit"]),
    ("confusion matrix", ["confusion", "matrix"]),
    ("true 9, pred 5", ["true", "pred"]),
    ("Input", ["Input"]),
    ("학습 손실", []),
    ("conv1 (ReLU)", []),
    ("AlexNet, top-5 오류율 15.3%", []),
    ("ILSVRC 2012, NEC-UIUC", []),
    (r"$\sigma(x)$ 그래프", []),
    ("SOBEL_X", []),
    ("x", []),
    ("ReLU(x) = max(0, x)", []),
    ("out[0, 0, 1] = sum_c xp[0:3, 0:3, c]", []),
    ("maximum of the window", ["maximum", "the", "window"]),
])
def test_english_words_are_found_and_names_and_code_are_not(text, words):
    assert english_words(text) == words


def test_a_figure_without_a_text_record_is_reported():
    png = {"output_type": "display_data", "data": {"image/png": "iVBOR"}, "metadata": {}}
    old = {"output_type": "display_data", "data": {"image/png": "iVBOR"},
           "metadata": {"image/png": {METADATA_KEY: {"smallest_font_px": 12.0}}}}
    english = {"output_type": "display_data", "data": {"image/png": "iVBOR"},
               "metadata": {"image/png": {METADATA_KEY: {"texts": ["학습", "training loss"]}}}}
    notebook = {"cells": [{"cell_type": "code", "outputs": [png, old, english]}]}
    problems = language_problems(notebook)
    assert len(problems) == 3
    assert "기록이 없습니다" in problems[0] and "기록이 없습니다" in problems[1]
    assert "training, loss" in problems[2]
