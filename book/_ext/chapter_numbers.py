"""Figures and exercises numbered per chapter (그림 6.1, 연습 6.1), and solutions titled in Korean.

Sphinx numbers figures (and sphinx-exercise's exercises, which it registers as numbered nodes) across
the whole book unless the table of contents is `numbered`, which would also renumber the chapter and
section titles that the notebooks already carry ("# 6. 풀링", "## 6.3 ..."). So this extension takes
the numbers Sphinx assigned and restarts them in each chapter, prefixed with the chapter's number
from its file name (`06_pooling` -> 6). Captions, `{numref}` links and the exercise titles all read
these numbers, so they agree.

sphinx-exercise titles a solution "Solution to Exercise 17 (title)", which its Korean catalogue
renders "해답 연습 17 (제목)"; Korean puts it the other way round, and the book calls a solution 풀이:
"연습 6.1 (제목)의 풀이".
"""

from __future__ import annotations

import re

from docutils import nodes

CHAPTER = re.compile(r"(?:^|/)(\d{2})_[^/]+$")
SOLUTION = "풀이"


def chapter_number(docname):
    """6 for "book/chapters/06_pooling"; None for pages that are not chapters."""
    match = CHAPTER.search(docname)
    return int(match.group(1)) if match else None


def renumber(app, env):
    """Restarts every numbered kind (figure, table, code block, exercise) in each chapter."""
    for docname, kinds in env.toc_fignumbers.items():
        chapter = chapter_number(docname)
        if chapter is None:
            continue
        for kind, numbers in kinds.items():
            in_order = sorted(numbers, key=numbers.get)
            kinds[kind] = {target: (chapter, index) for index, target in enumerate(in_order, 1)}
    return []


def title_solutions(app, doctree, docname):
    """"해답 연습 6.1 (제목)" -> "연습 6.1 (제목)의 풀이" in every solution's title."""
    try:
        from sphinx_exercise.nodes import solution_node
    except ImportError:            # the extension is not loaded: nothing to title
        return
    for solution in doctree.findall(solution_node):
        title = next(iter(solution.findall(nodes.title)), None)
        if title is None or not title.children:
            continue
        first = title.children[0]
        if isinstance(first, nodes.Text) and first.astext().strip() in ("해답", "Solution to"):
            title.remove(first)
            for text in title.findall(nodes.Text):       # the link text starts with a space
                if text.astext().startswith(" "):
                    text.parent.replace(text, nodes.Text(text.astext().lstrip()))
                break
            title += nodes.Text(f"의 {SOLUTION}")


def setup(app):
    app.connect("env-get-updated", renumber, priority=900)   # after Sphinx assigned the numbers
    app.connect("doctree-resolved", title_solutions, priority=900)  # after sphinx-exercise's titles
    return {"parallel_read_safe": True, "parallel_write_safe": True}
