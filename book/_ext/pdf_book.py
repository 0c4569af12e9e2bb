r"""The PDF book (`python3 tasks.py pdf`): a student and an instructor edition, numbered as the HTML.

Only the LaTeX builder is touched; the HTML book is built as before.

- **Editions.** The environment variable CNN_BOOK_PDF_EDITION chooses `student` (the default) or
  `instructor`. The student edition drops every solution: sphinx-exercise's gated solution
  (`{solution-start}` … `{solution-end}`) becomes one solution node holding the solution's text and
  code cells, and this extension removes those nodes, and any cell tagged `solution`, before the
  LaTeX is written. sphinx-exercise's own `hide_solutions` cannot do it: it drops only
  `{solution-start}`, so `{solution-end}` is left unmatched and the build fails (upstream issue 89),
  and the solution's code cells, which sit between the two, would stay. Check cells are tagged
  `remove-input` already, so both editions show their results and never their code. The edition is
  read when the LaTeX is written, not when the notebooks are read, so the two editions share one
  read of the book (tasks.py builds them one after the other into one Sphinx output folder).
- **One numbering, the HTML's.** The notebooks number their own sections in the heading text
  ("## 4.1 합성곱이란"), so LaTeX numbers no section (book/_latex/cnnbook.sty sets secnumdepth to
  0). Chapters are numbered by LaTeX, from their file names: the chapter's number is taken off its
  title ("4. 합성곱 연산" -> "합성곱 연산") and the chapter counter is set to it, so the heading reads
  "4장", figures "그림 4.1" and exercises "연습 4.1", as in the HTML. Pages that are not chapters
  (the glossary, the instructors' guide) are unnumbered chapters.
- **Korean, kotex's way.** Babel and polyglossia know no Korean; kotex (cnnbook.sty) sets the Korean
  fonts and words. Sphinx still warns "no Babel option known for language 'ko'", which would fail a
  build run with -W; that one message is filtered. sphinx-jupyterbook-latex appends two lines to the
  preamble that are taken out again: `\usepackage[Latin,Greek]{ucharclasses}`, which takes over
  XeTeX's character classes that kotex switches fonts with (Hangul after a Latin letter or digit,
  "3개", then came out in the Latin font: hundreds of missing characters), and sets no font of its
  own; and `\addto\captionsenglish{...Contents}`, Babel's command for Babel's English words.
"""

from __future__ import annotations

import logging
import os
import re

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging as sphinx_logging

LOGGER = sphinx_logging.getLogger(__name__)

EDITION_VARIABLE = "CNN_BOOK_PDF_EDITION"
EDITIONS = ("student", "instructor")
CHAPTER = re.compile(r"(?:^|/)(\d{2})_[^/]+$")
CHAPTER_TITLE = re.compile(r"^\s*(\d+)\.\s+")


def edition():
    """The edition CNN_BOOK_PDF_EDITION names: "student" (also when unset) or "instructor"."""
    value = os.environ.get(EDITION_VARIABLE, "student").strip() or "student"
    if value not in EDITIONS:
        raise ValueError(f"{EDITION_VARIABLE}={value!r}: expected one of {', '.join(EDITIONS)}; "
                         f"set it to 'student' (no solutions) or 'instructor' (with solutions).")
    return value


def chapter_number(docname):
    """4 for "book/chapters/04_convolution"; None for a page that is not a chapter."""
    match = CHAPTER.search(docname)
    return int(match.group(1)) if match else None


def remove_solutions(doctree):
    """Removes every solution (sphinx-exercise's solution nodes and cells tagged `solution`)."""
    from sphinx_exercise.nodes import solution_node

    removed = 0
    for node in list(doctree.findall(solution_node)):
        node.parent.remove(node)
        removed += 1
    for cell in list(doctree.findall(nodes.container)):
        if "tag_solution" in cell.get("classes", []) and cell.parent is not None:
            cell.parent.remove(cell)
            removed += 1
    return removed


def strip_chapter_number(section, number):
    """Takes "N. " off the start of a chapter's title; returns whether it was there."""
    title = next(iter(section.findall(nodes.title)), None)
    if title is None or not title.children or not isinstance(title.children[0], nodes.Text):
        return False
    text = title.children[0].astext()
    match = CHAPTER_TITLE.match(text)
    if not match or int(match.group(1)) != number:
        return False
    title.replace(title.children[0], nodes.Text(text[match.end():]))
    return True


class PdfBook(SphinxPostTransform):
    """On the LaTeX builder's one assembled document: the edition, and the chapters' numbers."""

    builders = ("latex",)
    default_priority = 800     # after sphinx-jupyterbook-latex arranged parts and chapters (700)

    def run(self, **kwargs) -> None:
        if edition() == "student":
            remove_solutions(self.document)
        for start in self.document.findall(addnodes.start_of_file):
            if start.get("docname") not in self.env.all_docs:     # a part, made from a caption
                continue
            section = next((child for child in start.children
                            if isinstance(child, nodes.section)), None)
            if section is None:
                continue
            number = chapter_number(start.get("docname", ""))
            if number is not None and strip_chapter_number(section, number):
                command = rf"\cnnbookchapter{{{number}}}"
            else:
                command = r"\cnnbookunnumberedchapter"
            start.insert(0, nodes.raw("", command + "\n", format="latex"))


# What sphinx-jupyterbook-latex 1.0 appends to latex_elements["preamble"] and kotex cannot have.
JBLATEX_LINES = (re.compile(r"^\s*\\usepackage\[Latin,Greek\]\{ucharclasses\}\s*$", re.M),
                 re.compile(r"^\s*\\addto\\captionsenglish\{.*\}\s*$", re.M))


def kotex_preamble(app, config):
    """Takes sphinx-jupyterbook-latex's ucharclasses and Babel lines out of the preamble."""
    preamble = config.latex_elements.get("preamble", "")
    for line in JBLATEX_LINES:
        preamble, found = line.subn("", preamble)
        if not found:
            LOGGER.warning(
                "pdf_book: sphinx-jupyterbook-latex's preamble has no line %r any more; check "
                "book/_ext/pdf_book.py against its new version", line.pattern)
    config.latex_elements["preamble"] = preamble


class NoKoreanBabelWarning(logging.Filter):
    """Drops Sphinx's "no Babel option known for language 'ko'": kotex does Korean instead."""

    def filter(self, record):
        return "no Babel option known for language" not in record.getMessage()


def setup(app):
    edition()                                          # a wrong value stops the build at once
    logging.getLogger("sphinx.sphinx.builders.latex").addFilter(NoKoreanBabelWarning())
    logging.getLogger("sphinx.sphinx.writers.latex").addFilter(NoKoreanBabelWarning())
    app.connect("config-inited", kotex_preamble, priority=900)   # after jblatex's (500)
    app.add_post_transform(PdfBook)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
