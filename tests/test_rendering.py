"""What the built HTML book shows a reader: each kind of rendering defect a chapter could bring back.

These read `_build/html` (`python3 tasks.py test` builds it first) and the chapter notebooks; the
browser test (`test_browser.py`) checks what needs a real browser (phone width, MathJax, buttons).
The tests that read `_build/html` are marked `book` (not in `python3 tasks.py test --quick`).
"""

import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from tests.colab_sim import ROOT, chapters

HTML = ROOT / "_build" / "html"
HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]{2,}")


def _chapter_number(chapter):
    return int(Path(chapter).stem[:2])


@pytest.fixture(scope="module")
def pages():
    if not (HTML / "index.html").is_file():
        pytest.fail(f"{HTML} is missing: build the book first (`python3 tasks.py book`)")
    return {chapter: BeautifulSoup((HTML / chapter).with_suffix(".html").read_text(encoding="utf-8"),
                                   "html.parser")
            for chapter in chapters()}


def _notebook(chapter):
    return nbformat.read(ROOT / chapter, as_version=4)


def _exercise_cells(chapter):
    return [cell for cell in _notebook(chapter).cells
            if cell.cell_type == "markdown" and re.match(r"(`{3,}|:{3,})\{exercise\}", cell.source)]


def _numbers(soup, word):
    return [span.get_text(strip=True) for span in soup.select("span.caption-number")
            if span.get_text(strip=True).startswith(word)]


@pytest.mark.book
@pytest.mark.parametrize("chapter", chapters())
def test_figures_and_exercises_are_numbered_per_chapter(chapter, pages):
    """그림 6.1, 그림 6.2, ... and 연습 6.1, ...: the count restarts in every chapter."""
    number = _chapter_number(chapter)
    for word in ("그림", "연습"):
        found = _numbers(pages[chapter], word)
        assert found == [f"{word} {number}.{k}" for k in range(1, len(found) + 1)], found
    assert len(_numbers(pages[chapter], "연습")) == len(_exercise_cells(chapter))


@pytest.mark.book
@pytest.mark.parametrize("chapter", chapters())
def test_solutions_are_titled_the_way_the_prose_names_them(chapter, pages):
    """"연습 6.1 (제목)의 풀이": the book's word 풀이, in Korean word order, linking to its exercise."""
    soup = pages[chapter]
    titles = [div.select_one(".admonition-title") for div in soup.select("div.solution")]
    assert len(titles) == len(_exercise_cells(chapter))
    for title in titles:
        text = title.get_text(strip=True)
        assert re.fullmatch(rf"연습 {_chapter_number(chapter)}\.\d+ \(.+\)의 풀이", text), text
        assert title.select_one("a[href^='#ex-']"), text
    assert "해답" not in soup.get_text()


@pytest.mark.book
@pytest.mark.parametrize("chapter", chapters())
def test_every_exercise_renders_whole_inside_its_box(chapter, pages):
    """A ``` fence inside a ```{exercise} fence closes the box early: the rest of the question
    falls outside it. Every Korean word of the question must be inside the box, and a code block in
    the question must be a code block there."""
    boxes = pages[chapter].select("div.exercise")
    cells = _exercise_cells(chapter)
    assert len(boxes) == len(cells)
    for cell, box in zip(cells, boxes):
        fence, *lines = cell.source.rstrip().split("\n")
        body = "\n".join(lines[:-1] if lines and lines[-1].strip() == fence[:len(lines[-1].strip())]
                         else lines)      # without the box's own closing fence
        inside = box.get_text(" ")
        missing = [word for word in HANGUL_WORD.findall(re.sub(r"\$[^$]*\$", "", body))
                   if word not in inside]
        assert not missing, f"{cell.source.splitlines()[0]}: outside its box: {missing[:8]}"
        if re.search(r"^`{3}\s*$", body, re.MULTILINE):
            assert box.select("pre"), f"{cell.source.splitlines()[0]}: its code block did not render"


def _inputs(soup):
    return [div.get_text() for div in soup.select("div.cell_input")]


@pytest.mark.book
@pytest.mark.parametrize("chapter", chapters())
def test_check_cells_show_their_result_not_their_code(chapter, pages):
    """The 확인 셀 can contain the answer: readers see what it says, not how it checks."""
    checks = [cell for cell in _notebook(chapter).cells
              if cell.cell_type == "code" and "check" in cell.metadata.get("tags", [])]
    inputs = _inputs(pages[chapter])
    assert not [code for code in inputs if "확인 셀" in code or "cnn_utils.checks" in code]
    results = [div for div in pages[chapter].select("div.cell_output")
               if re.search(r"^(통과|실패|부분 점수)", div.get_text(strip=True))]
    assert len(results) >= len(checks)


@pytest.mark.book
@pytest.mark.parametrize("chapter", chapters())
def test_no_test_plumbing_in_the_code_a_reader_sees(chapter, pages):
    for code in _inputs(pages[chapter]):
        assert "NBVAL" not in code, code[:200]
        assert not re.search(r"^\s*assert ", code, re.MULTILINE), code[:200]


@pytest.mark.book
def test_footer_names_the_authors_in_korean(pages):
    for chapter, soup in pages.items():
        author = soup.select_one(".component-author")
        assert author and author.get_text(" ", strip=True) == "지은이: CNN 구현 집필진", chapter
        assert "으로 CNN" not in soup.get_text(), chapter


def _markdown_sources():
    for chapter in chapters():
        for cell in _notebook(chapter).cells:
            if cell.cell_type == "markdown":
                yield chapter, cell.source
    for page in sorted((ROOT / "book").glob("*.md")):
        yield page.name, page.read_text(encoding="utf-8")


def test_math_has_no_text_mode_escapes():
    r"""`\text{fan\_in}` shows a backslash: inside \text{} MathJax does not read `\_`."""
    for where, source in _markdown_sources():
        for math in re.findall(r"\$\$?(.+?)\$\$?", source, re.DOTALL):
            for text in re.findall(r"\\text\{([^}]*)\}", math):
                assert "\\" not in text, f"{where}: \\text{{{text}}}"
