"""The glossary (book/glossary.md) and the book's terms: one preferred Korean term per concept.

The chapters must not use a glossary entry's non-preferred variants ("쓰지 않는 표기", e.g. 컨볼루션
and 컨벌루션 for 합성곱) except inside quotations of the original lecture: text in quotation marks
("...", “...”) or in a Markdown block quote (> ...). Inline code is not prose and is not checked.

A reader also sees the chapters' stored outputs (printed text) and the text of their figures (titles,
labels, legends), which come from string literals in the code cells and in cnn_utils. Those are
scanned too, for the variants written in Hangul (a Latin variant such as Flatten is also the name of
a Keras class, which outputs and code rightly print).
"""

import ast

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from book_glossary import GLOSSARY_DOC, HANGUL, load_glossary, parse_glossary  # noqa: E402

ENTRIES = load_glossary(ROOT)
BY_TERM = {entry.korean: entry for entry in ENTRIES}
# The concepts the chapters teach (the list): preferred Korean term -> English term.
REQUIRED = {
    "합성곱": "convolution", "교차 상관": "cross-correlation", "필터": "filter", "커널": "kernel",
    "특징 맵": "feature map", "스트라이드": "stride", "패딩": "padding", "풀링": "pooling",
    "채널": "channel", "활성화 함수": "activation function", "ReLU": "rectified linear unit",
    "소프트맥스": "softmax", "완전 연결 층": "fully connected layer", "평탄화": "flatten",
    "파라미터": "parameter", "가중치 공유": "weight sharing", "에지": "edge", "im2col": "im2col",
    "에포크": "epoch", "배치": "batch",
    # chapters 8 and 9
    "학습": "training", "시험 데이터": "test data", "손실": "loss", "교차 엔트로피": "cross-entropy",
    "순전파": "forward pass", "역전파": "backpropagation", "기울기": "gradient",
    "학습률": "learning rate", "배치 정규화": "batch normalization", "데이터 증강": "data augmentation",
    "혼동 행렬": "confusion matrix", "미니배치": "mini-batch",
}


def _toc_docs():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    return set(re.findall(r"(?:root|file):\s*(\S+)", toc))


def _pages():
    """Every page of the book except the glossary (notebooks and Markdown files), and the README."""
    pages = sorted(p for p in (ROOT / "book").rglob("*") if p.suffix in (".ipynb", ".md")
                   and ".ipynb_checkpoints" not in p.parts and "_build" not in p.parts)
    pages = [p for p in pages if p.relative_to(ROOT).with_suffix("").as_posix() != GLOSSARY_DOC]
    return pages + [ROOT / "README.md"]


def _doc_path(doc):
    """The file of a docname: a notebook, or a Markdown page (book/instructors)."""
    notebook = ROOT / f"{doc}.ipynb"
    return notebook if notebook.exists() else ROOT / f"{doc}.md"


def _string_literals(source):
    """The string constants of Python code (f-string parts included); IPython magics are skipped."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def _shown_text(path):
    """(where, text) for what a chapter shows besides its prose: outputs and code strings (figures)."""
    if path.suffix != ".ipynb":
        return
    nb = json.loads(path.read_text(encoding="utf-8"))
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        yield f"cell {index} (strings)", "\n".join(_string_literals("".join(cell["source"])))
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                yield f"cell {index} (output)", "".join(output["text"])
            elif output.get("output_type") == "error":
                yield f"cell {index} (output)", f"{output['ename']}: {output['evalue']}"
            else:
                data = output.get("data", {})
                text = data.get("text/markdown") or data.get("text/plain") or ""
                yield f"cell {index} (output)", "".join(text)


def _package_strings():
    """(where, text) for the string literals of cnn_utils: its figures' text and its messages."""
    for path in sorted((ROOT / "cnn_utils").glob("*.py")):
        yield path.name, "\n".join(_string_literals(path.read_text(encoding="utf-8")))


def _prose(path):
    """(where, text) for each piece of prose a page shows: Markdown cells and code comments."""
    if path.suffix == ".md":
        yield "text", path.read_text(encoding="utf-8")
        return
    nb = json.loads(path.read_text(encoding="utf-8"))
    for index, cell in enumerate(nb["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            yield f"cell {index}", source
        elif cell["cell_type"] == "code":
            comments = []
            for line in source.splitlines():
                line = re.sub(r"\"[^\"]*\"|'[^']*'", "", line)       # string literals are not prose
                match = re.search(r"(?:^|\s)#(.*)$", line)
                if match:
                    comments.append(match.group(1))
            yield f"cell {index} (comments)", "\n".join(comments)


def unquoted(text):
    """The text without quotations of the lecture (quotation marks, block quotes) and inline code."""
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))
    text = re.sub(r"`[^`\n]*`", " ", text)
    return re.sub(r"\"[^\"\n]*\"|“[^”\n]*”|‘[^’\n]*’|「[^」\n]*」", " ", text)


def non_preferred_uses(text, entries=ENTRIES, hangul_only=False, quotations=True):
    """(variant, preferred term, context) for each non-preferred variant used outside quotations.

    hangul_only: check only the variants written in Hangul (for outputs and code strings).
    quotations: allow a variant inside quotation marks (prose quoting the lecture); outputs and
        figure text quote nothing.
    """
    found = []
    clean = unquoted(text) if quotations else text
    for entry in entries:
        for variant in entry.variants:
            if hangul_only and not HANGUL.search(variant):
                continue
            for match in re.finditer(re.escape(variant), clean):
                context = clean[max(0, match.start() - 25):match.end() + 25].replace("\n", " ")
                found.append((variant, entry.korean, context))
    return found


def test_glossary_has_the_concepts_the_chapters_teach():
    missing = {k: v for k, v in REQUIRED.items()
               if k not in BY_TERM or BY_TERM[k].english.lower() != v.lower()}
    assert not missing, f"glossary entries missing or with another English term: {missing}"
    assert len(ENTRIES) >= len(REQUIRED)


def test_one_preferred_term_per_concept():
    korean = [e.korean for e in ENTRIES]
    assert len(korean) == len(set(korean)), "a term has two entries"
    preferred = set(korean) | {e.english for e in ENTRIES}
    for entry in ENTRIES:
        assert entry.english and entry.definition, entry
        assert not HANGUL.search(entry.english), f"{entry.korean}: English term {entry.english!r}"
        clash = set(entry.variants) & preferred
        assert not clash, f"{entry.korean}: {clash} is both a preferred term and a variant"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.korean)
def test_the_teaching_chapter_is_in_the_book_and_uses_the_term(entry):
    if entry.chapter is None:
        prefix = f"book/chapters/{entry.planned_chapter:02d}_"
        written = [d for d in _toc_docs() if d.startswith(prefix)]
        assert not written, (f"{entry.korean}: chapter {entry.planned_chapter} is in the book now "
                             f"({written[0]}): write '배우는 곳: {{doc}}`{written[0][5:]}`'")
        outline = (ROOT.parent / "shared" / "OUTLINE.md")
        if outline.exists():
            rows = outline.read_text(encoding="utf-8")
            assert re.search(rf"^\| {entry.planned_chapter} \|", rows, re.M), (
                f"{entry.korean}: no chapter {entry.planned_chapter} in OUTLINE.md")
        return
    assert entry.chapter in _toc_docs(), f"{entry.korean}: {entry.chapter} is not in _toc.yml"
    text = "\n".join(t for _, t in _prose(_doc_path(entry.chapter))).lower()
    assert entry.korean.lower() in text or entry.english.lower() in text, (
        f"{entry.korean}: {entry.chapter} never names the term it should teach")


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.stem)
def test_no_non_preferred_variant_outside_quotations(page):
    found = [f"{where}: {variant!r} (use {preferred!r}): ...{context}..."
             for where, text in _prose(page)
             for variant, preferred, context in non_preferred_uses(text)]
    assert not found, (f"{page.relative_to(ROOT)} uses non-preferred terms (book/glossary.md); "
                       "quote the lecture in quotation marks if it is a quotation:\n"
                       + "\n".join(found))


@pytest.mark.parametrize("page", [p for p in _pages() if p.suffix == ".ipynb"], ids=lambda p: p.stem)
def test_no_non_preferred_variant_in_outputs_or_figure_text(page):
    found = [f"{where}: {variant!r} (use {preferred!r}): ...{context}..."
             for where, text in _shown_text(page)
             for variant, preferred, context in non_preferred_uses(text, hangul_only=True,
                                                                   quotations=False)]
    assert not found, (f"{page.relative_to(ROOT)} shows non-preferred terms (book/glossary.md) in "
                       "its outputs or in the strings of its code (figure text); change the code "
                       "and execute the chapter again:\n" + "\n".join(found))


def test_no_non_preferred_variant_in_cnn_utils_strings():
    found = [f"cnn_utils/{where}: {variant!r} (use {preferred!r}): ...{context}..."
             for where, text in _package_strings()
             for variant, preferred, context in non_preferred_uses(text, hangul_only=True,
                                                                   quotations=False)]
    assert not found, "cnn_utils prints or draws non-preferred terms:\n" + "\n".join(found)


def test_shown_text_covers_outputs_and_code_strings():
    cell = {"cell_type": "code", "source": ['%matplotlib inline\nax.set_title(f"{n} 레이어")  # 층\n'],
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["훈련: 60000\n"]}]}
    assert _string_literals(cell["source"][0]) == [" 레이어"]
    hits = [v for text in (" 레이어", "훈련: 60000", "Flatten (Flatten)")
            for v, _, _ in non_preferred_uses(text, hangul_only=True, quotations=False)]
    assert hits == ["레이어", "훈련"]


def test_variant_check_flags_prose_and_allows_quotations():
    prose = "컨볼루션 층은 필터를 씁니다."
    assert [v for v, _, _ in non_preferred_uses(prose)] == ["컨볼루션", "컨볼루션 층"]
    quoted = ('강의는 "컨볼루션 층과 풀링 층"이라고 부릅니다. 책은 “컨벌루션”을 쓰지 않습니다.\n'
              "> CNN은 컨볼루션 층과 풀링 층, 분류기로 구성\n`컨볼루션`")
    assert non_preferred_uses(quoted) == []


def test_parser_reads_terms_chapters_and_variants():
    text = ("# 용어집\n\n```{glossary}\n:sorted:\n\n합성곱\nconvolution\n  정의.\n\n"
            "  배우는 곳: {doc}`chapters/04_convolution` · 쓰지 않는 표기: 컨볼루션, 컨벌루션\n\n"
            "im2col\n  정의.\n\n  배우는 곳: 8장(준비 중)\n```\n")
    first, second = parse_glossary(text)
    assert (first.korean, first.english, first.chapter, first.variants) == (
        "합성곱", "convolution", "book/chapters/04_convolution", ("컨볼루션", "컨벌루션"))
    assert (second.korean, second.english, second.chapter, second.planned_chapter) == (
        "im2col", "im2col", None, 8)
    with pytest.raises(ValueError, match="배우는 곳"):
        parse_glossary("```{glossary}\n풀링\npooling\n  정의만 있음.\n```\n")


def test_glossary_is_in_the_table_of_contents():
    assert GLOSSARY_DOC in _toc_docs()
