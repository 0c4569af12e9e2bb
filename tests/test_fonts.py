"""Korean text in figures: the packaged font, no "Glyph missing" warning, and clean notebook outputs."""

import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest

import cnn_utils
from cnn_utils.viz.fonts import KOREAN_FONT_FAMILY, korean_font_path, use_korean_font

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "book").rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)
GLYPH_MISSING = re.compile(r"Glyph\s+\d+.*?missing", re.IGNORECASE | re.DOTALL)


def _draw_korean_figure():
    """Draws a figure with Korean in every kind of text; returns the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([0, 1, 2], [2, -1, 0], label="손실(loss)")
        ax.set_title("합성곱 결과: 특징 맵")
        ax.set_xlabel("가로 위치")
        ax.set_ylabel("값 −1 ~ 2")
        ax.set_xticks([0, 1, 2], ["첫째", "둘째", "셋째"])
        ax.legend()
        fig.suptitle("패딩과 스트라이드")
        fig.canvas.draw()
        plt.close(fig)
    return [str(w.message) for w in caught]


def test_font_file_comes_from_the_package():
    path = korean_font_path()
    assert path.is_file() and path.suffix == ".ttf"
    assert "koreanize_matplotlib" in path.parts


def test_import_registers_the_font_after_the_default_family():
    families = matplotlib.rcParams["font.family"]
    assert families[-1] == KOREAN_FONT_FAMILY
    assert families[0] != KOREAN_FONT_FAMILY      # Latin text keeps the default font
    names = {entry.name for entry in matplotlib.font_manager.fontManager.ttflist}
    assert KOREAN_FONT_FAMILY in names


def test_use_korean_font_is_idempotent_and_takes_an_rc():
    rc = matplotlib.RcParams(matplotlib.rcParamsDefault)
    assert KOREAN_FONT_FAMILY not in rc["font.family"]
    first = use_korean_font(rc)
    assert first == ["sans-serif", KOREAN_FONT_FAMILY]
    assert use_korean_font(rc) == first


def test_korean_figure_renders_without_glyph_warning():
    messages = _draw_korean_figure()
    assert not [m for m in messages if GLYPH_MISSING.search(m)], messages


def test_without_the_korean_font_the_same_figure_warns():
    """The control: proves the check above would catch a missing Korean font."""
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        messages = _draw_korean_figure()
    assert any(GLYPH_MISSING.search(m) for m in messages), messages


def test_import_never_imports_koreanize_matplotlib():
    """Its import would need distutils (gone in Python 3.12, Colab's version) and reset the font."""
    code = ("import sys, cnn_utils, matplotlib; "
            "print('koreanize_matplotlib' in sys.modules, 'distutils' in sys.modules, "
            "matplotlib.rcParams['font.family'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    assert out.stdout.split()[:2] == ["False", "False"], out.stdout
    assert "NanumGothic" in out.stdout
    assert not GLYPH_MISSING.search(out.stderr)


def test_cnn_utils_exports_the_font_helpers():
    assert cnn_utils.use_korean_font is use_korean_font
    assert cnn_utils.KOREAN_FONT_FAMILY == "NanumGothic"


def _output_texts(output):
    """Every text a stored notebook output carries (streams, text data, tracebacks)."""
    if output.get("output_type") == "stream":
        yield "".join(output.get("text", ""))
    if output.get("output_type") == "error":
        yield "\n".join(output.get("traceback", []))
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/") or mime.endswith("json"):
            yield value if isinstance(value, str) else "".join(value)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_glyph_missing_warning_in_stored_outputs(notebook):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    found = []
    for index, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            for text in _output_texts(output):
                match = GLYPH_MISSING.search(text)
                if match:
                    context = text[max(0, match.start() - 40):match.end() + 60]
                    found.append(f"cell {index}: {context!r}")
    assert not found, (f"{notebook.name} stores a 'Glyph missing' warning (a figure text the font "
                       "cannot draw; cnn_utils registers NanumGothic for Hangul):\n"
                       + "\n".join(found))


def test_the_notebook_check_sees_notebooks():
    assert len(NOTEBOOKS) >= 7
