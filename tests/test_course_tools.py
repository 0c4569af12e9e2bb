"""course_tools: the exercise format, the student notebook and key, and the grader.

The grader tests execute small generated notebooks (no TensorFlow), plus the key and the untouched
student notebook of one real chapter, so that they stay fast on two cores.
"""

import copy
import csv
import hashlib
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_tools import assign, grade
from course_tools import exercises as fmt

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book" / "chapters").glob("*.ipynb"))
GRADED = [p for p in CHAPTERS if any(fmt.is_check_cell(c) for c in fmt.read(p).cells)]
# Chapters whose exercises have no check cell yet, and the issue that adds them: the list must
# shrink as they get graded (test_every_chapter_in_the_toc_grades_its_exercises).
UNGRADED = {}
SANDBOX = grade.sandbox_available() is None    # the tests grade in the sandbox where there is one


def toc_chapters():
    """Every chapter notebook in _toc.yml, in the book's reading order."""
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    return [ROOT / f"{name}.ipynb" for name in re.findall(r"file:\s*(book/chapters/\S+)", toc)]


# ---------------------------------------------------------------------------------------------
# The book's chapters follow the format; the student notebook and the key are right
# ---------------------------------------------------------------------------------------------

def test_every_chapter_in_the_toc_grades_its_exercises():
    chapters = toc_chapters()
    assert len(chapters) >= 9 and all(path.exists() for path in chapters), chapters
    assert set(UNGRADED) <= {path.stem for path in chapters}, "UNGRADED names a chapter not in _toc.yml"
    for path in chapters:
        nb = fmt.read(path)
        assert fmt.validate(nb) == [], path
        ungraded = [e.label for e in fmt.exercises(nb)
                    if not e.checks or not all(check.points > 0 for check in e.checks)]
        if path.stem in UNGRADED:
            assert ungraded, (f"{path.name} grades every exercise now: remove it from UNGRADED "
                              f"({UNGRADED[path.stem]})")
        else:
            assert not ungraded, f"{path.name}: {ungraded} have no check cell with points"


@pytest.mark.parametrize("path", GRADED, ids=[p.stem for p in GRADED])
def test_student_notebook_and_key(path):
    book = fmt.read(path)
    student = fmt.build(book, "student", path.stem)
    key = fmt.build(book, "key", path.stem)
    solutions = [c.source for c in book.cells if fmt.is_solution_cell(c)]
    checks = [c.source for c in book.cells if fmt.is_check_cell(c)]
    first_code = next(c.source for c in book.cells if c.cell_type == "code")

    for nb, role in [(student, "student"), (key, "key")]:
        nbformat.validate(nb)
        assert nb.metadata["course"]["chapter"] == path.stem and nb.metadata["course"]["role"] == role
        assert next(c.source for c in nb.cells if c.cell_type == "code") == first_code   # Colab set-up
        markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "{exercise}" not in markdown and "{solution" not in markdown
        assert [c.source for c in nb.cells if fmt.is_check_cell(c)] == checks
        assert markdown.count("### 연습 문제") == len(fmt.exercises(book))

    # the student notebook: no solution code or prose, a scaffold instead, check outputs cleared
    student_code = [c.source for c in student.cells if c.cell_type == "code"]
    assert not any(s in student_code for s in solutions)
    assert not any(fmt.is_solution_cell(c) for c in student.cells)
    assert all(c.outputs == [] for c in student.cells if fmt.is_check_cell(c))
    scaffolds = [c for c in student.cells if "scaffold_for" in fmt.course_meta(c)]
    assert {c.metadata["course"]["scaffold_for"] for c in scaffolds} == {e.label for e in fmt.exercises(book)}
    assert all("할 일" in c.source for c in scaffolds)
    for cell in book.cells:
        start = fmt.solution_start(cell)
        if start and start[1].strip():
            assert start[1].strip()[:40] not in "\n".join(c.source for c in student.cells)
    # the key: every solution, with its outputs
    key_code = [c for c in key.cells if c.cell_type == "code"]
    assert all(any(c.source == s and c.outputs for c in key_code) for s in solutions)


def _nb(cells):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return nb


def _exercise(label, title="문제"):
    return new_markdown_cell(f"```{{exercise}} {title}\n:label: {label}\n\n본문\n```")


def _start(label):
    return new_markdown_cell(f"```{{solution-start}} {label}\n:class: dropdown\n```\n\n풀이 설명")


def _solution(source, scaffold=None):
    cell = new_code_cell(source)
    cell.metadata["tags"] = ["solution"]
    if scaffold is not None:
        cell.metadata["course"] = {"scaffold": scaffold}
    return cell


def _end():
    return new_markdown_cell("```{solution-end}\n```")


def _check(source, points=1, check_id=None):
    cell = new_code_cell(source)
    cell.metadata["tags"] = ["check"]
    cell.metadata["course"] = {"points": points, **({"check": check_id} if check_id else {})}
    return cell


def test_format_errors_are_explained():
    good = [_exercise("ex-a"), _start("ex-a"), _solution("a = 1", "a = ..."), _end(), _check("assert a == 1")]
    assert fmt.validate(_nb(good)) == []
    cases = {
        "inside the solution": [_exercise("ex-a"), _start("ex-a"), _check("assert a")],
        "needs metadata course.points": good[:4] + [_check("assert a", points=0)],
        "never closed": good[:3],
        "used twice": good + [_exercise("ex-a")],
        "does not follow its exercise": [_exercise("ex-a"), _start("ex-b")],
        "before any exercise": [_check("assert True")],
        "no solution cell with metadata course.scaffold":
            [_exercise("ex-a"), _start("ex-a"), _solution("a = 1"), _end(), _check("assert a == 1")],
        "check id 'ex-a' is used twice": good + [_check("assert a")],
    }
    for message, cells in cases.items():
        problems = fmt.validate(_nb(cells))
        assert len(problems) == 1 and message in problems[0], (message, problems)


def test_exercise_without_scaffold_gets_an_answer_cell_and_prose_only_solutions_vanish():
    nb = _nb([new_markdown_cell("# 3. 장"), _exercise("ex-a", "설명하기"),
              new_markdown_cell("```{solution-start} ex-a\n:class: dropdown\n```\n\n답\n\n```{solution-end}\n```"),
              _exercise("ex-b"), _start("ex-b"), _solution("print(1)"), _end()])
    student = fmt.build(nb, "student", "03_x")
    sources = [c.source for c in student.cells]
    assert "### 연습 문제 3.1: 설명하기\n\n본문\n" in sources
    assert not any("답" == s for s in sources)
    assert any("할 일: 이 연습 문제의 풀이를 여기에 쓰세요." in s for s in sources)
    key = fmt.build(nb, "key", "03_x")
    assert any(s.startswith("#### 풀이\n\n답") for s in (c.source for c in key.cells))


def test_assign_command_writes_both_notebooks(tmp_path, capsys):
    assert assign.main(["4", "06_pooling", "--out", str(tmp_path)]) == 0
    for role in ("student", "key"):
        for name in ("04_convolution", "06_pooling"):
            nbformat.validate(nbformat.read(str(tmp_path / role / f"{name}.ipynb"), as_version=4))
    assert "04_convolution: 연습 문제 4개" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="찾을 수 없습니다"):
        assign.resolve(["99_nothing"])
    assert [p.stem for p in assign.resolve(["book/chapters/05_padding_stride.ipynb"])] == ["05_padding_stride"]


def test_student_names_and_chapters_from_paths(tmp_path):
    assert grade.student_name(tmp_path / "kim.ipynb", tmp_path) == "kim"
    assert grade.student_name(tmp_path / "lee" / "hw.ipynb", tmp_path) == "lee"
    # the chapter comes from --chapter or the assignment file, never from a submission
    assert grade.resolve_chapter("04_convolution", None, grade.BOOK_CHAPTERS) == "04_convolution"
    with pytest.raises(SystemExit, match="어느 장의 과제인지"):
        grade.resolve_chapter(None, None, grade.BOOK_CHAPTERS)
    assign.main(["5", "--out", str(tmp_path)])
    assignment = tmp_path / "student" / "05_padding_stride.assignment.json"
    assert grade.resolve_chapter(None, assignment, grade.BOOK_CHAPTERS) == "05_padding_stride"
    with pytest.raises(SystemExit, match="다릅니다"):
        grade.resolve_chapter("04_convolution", assignment, grade.BOOK_CHAPTERS)


# ---------------------------------------------------------------------------------------------
# The grader, on a small generated chapter
# ---------------------------------------------------------------------------------------------

SINGLE = '''def conv2d_single(img, k):
    kh, kw = k.shape
    out = np.zeros((img.shape[0] - kh + 1, img.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(img[i:i + kh, j:j + kw] * k)
    return out'''
SINGLE_SCAFFOLD = '''def conv2d_single(img, k):
    # 할 일: 작성하세요.
    raise NotImplementedError("conv2d_single을 작성하세요.")'''


def tiny_chapter():
    return _nb([
        new_markdown_cell("# 1. 작은 장"),
        new_code_cell("import numpy as np\nfrom cnn_utils import conv2d"),
        new_markdown_cell("## 연습 문제"),
        _exercise("ex-tiny-loop", "합성곱"), _start("ex-tiny-loop"),
        _solution(SINGLE, SINGLE_SCAFFOLD), _end(),
        _check("from cnn_utils.checks import check_conv2d_single\n\ncheck_conv2d_single(conv2d_single)", 3),
        _exercise("ex-tiny-value", "값"), _start("ex-tiny-value"),
        _solution("answer = 2 * 3", "answer = ...  # 할 일"), _end(),
        _check("from cnn_utils.checks import check_answer\n\ncheck_answer(answer, 6, 'answer')", 2),
        _exercise("ex-tiny-assert", "assert로 검사"), _start("ex-tiny-assert"),
        _solution("total = sum(range(4))", "total = ...  # 할 일"), _end(),
        _check("assert total == 6, 'total이 틀렸습니다'", 1),
    ])


def _replace(nb, old, new):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if old in cell.source:
            cell.source = cell.source.replace(old, new)
            return nb
    raise AssertionError(f"{old!r} not found")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grades one folder of submissions once: (outcomes by student, folder, hashes before, CSV path)."""
    book = tmp_path_factory.mktemp("book")
    chapter = tiny_chapter()
    nbformat.write(chapter, str(book / "01_tiny.ipynb"))
    key = fmt.build(chapter, "key", "01_tiny")
    student = fmt.build(chapter, "student", "01_tiny")
    folder = tmp_path_factory.mktemp("submissions")
    subs = {
        "key": key,
        "untouched": student,
        "flipped": _replace(key, "img[i:i + kh, j:j + kw] * k)", "img[i:i + kh, j:j + kw] * k[::-1, ::-1])"),
        # an infinite loop at the top of a cell: interrupted, the rest still runs
        "loops": _replace(_replace(key, "answer = 2 * 3", "answer = 2 * 3\nwhile True:\n    pass"),
                          "total = sum(range(4))", "total = sum(range(4))"),
        # a loop that swallows the interrupt: the kernel is killed, restarted, the rest graded
        "stubborn": _replace(key, "answer = 2 * 3",
                             "answer = 6\nwhile True:\n    try:\n        while True:\n            pass\n"
                             "    except KeyboardInterrupt:\n        pass"),
        "raises": _replace(key, "answer = 2 * 3", "answer = 1 / 0"),
    }
    # deleted cells: every check cell, and the solution of the value exercise
    missing = copy.deepcopy(key)
    missing.cells = [c for c in missing.cells if not fmt.is_check_cell(c) and "answer = 2 * 3" not in c.source]
    subs["missing_cells"] = missing
    # a check cell edited to always pass, in a Colab-style file (nbformat 4.0, no cell ids)
    cheat = _replace(student, "check_answer(answer, 6, 'answer')", "print('통과')")
    subs["cheat"] = cheat
    for name, nb in subs.items():
        nbformat.write(nb, str(folder / f"{name}.ipynb"))
    colab = json.loads((folder / "cheat.ipynb").read_text())
    colab["nbformat_minor"] = 0
    for cell in colab["cells"]:
        cell.pop("id", None)
        cell["metadata"].pop("course", None)
        cell["metadata"].pop("tags", None)
    (folder / "cheat.ipynb").write_text(json.dumps(colab))
    stripped = json.loads((folder / "key.ipynb").read_text())   # Colab dropped ids, tags, metadata
    stripped["nbformat_minor"] = 0
    for cell in stripped["cells"]:
        cell.pop("id", None)
        cell["metadata"] = {}
    (folder / "colab_key.ipynb").write_text(json.dumps(stripped))
    (folder / "corrupt.ipynb").write_text('{"cells": [ {"cell_type": "code", "sou')
    (folder / "not_a_notebook.ipynb").write_text('{"hello": 1}')
    hashes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    outcomes = grade.grade_folder(folder, book=book, timeout=40, cell_timeout=4, workers=2, sandbox=SANDBOX)
    out = folder.parent / "grades.csv"
    grade.write_csv(outcomes, out)
    grade.write_feedback(outcomes, folder.parent / "feedback")
    return {o.student: o for o in outcomes}, folder, hashes, out


def _rows(outcome):
    return {row.exercise: row for row in outcome.rows}


def test_key_scores_full_marks(graded):
    outcome = graded[0]["key"]
    assert outcome.points == outcome.max_points == 6
    assert not outcome.problem


def test_untouched_student_notebook_scores_zero_with_a_message_per_exercise(graded):
    rows = _rows(graded[0]["untouched"])
    assert set(rows) == {"ex-tiny-loop", "ex-tiny-value", "ex-tiny-assert"}
    assert all(row.points == 0 for row in rows.values())
    assert "아직 작성하지 않았습니다" in rows["ex-tiny-loop"].feedback
    assert "아직 답을 쓰지 않았습니다" in rows["ex-tiny-value"].feedback
    assert "AssertionError: total이 틀렸습니다" in rows["ex-tiny-assert"].feedback


def test_a_known_mistake_gets_its_diagnosis_and_partial_points(graded):
    rows = _rows(graded[0]["flipped"])
    assert 0 <= rows["ex-tiny-loop"].points < 3
    assert "필터를 위아래·좌우로 뒤집어" in rows["ex-tiny-loop"].feedback
    assert rows["ex-tiny-value"].points == 2 and rows["ex-tiny-assert"].points == 1


def test_a_hanging_cell_is_interrupted_and_the_rest_is_graded(graded):
    rows = _rows(graded[0]["loops"])
    assert rows["ex-tiny-loop"].points == 3 and rows["ex-tiny-assert"].points == 1
    assert rows["ex-tiny-value"].points == 2      # the answer was set before the loop
    stubborn = graded[0]["stubborn"]
    assert not stubborn.problem
    rows = _rows(stubborn)
    assert rows["ex-tiny-loop"].points == 3        # earned before the loop
    assert rows["ex-tiny-value"].points == 0       # its cell never finished: the answer is lost
    assert rows["ex-tiny-assert"].points == 1      # the kernel was restarted, the rest graded
    assert stubborn.seconds < 40                   # one cell timeout plus a restart


def test_an_error_is_reported_with_the_cell_that_raised(graded):
    rows = _rows(graded[0]["raises"])
    assert rows["ex-tiny-value"].points == 0
    assert "NameError" in rows["ex-tiny-value"].feedback and "ZeroDivisionError" in rows["ex-tiny-value"].feedback
    assert rows["ex-tiny-loop"].points == 3 and rows["ex-tiny-assert"].points == 1


def test_deleted_and_edited_cells(graded):
    rows = _rows(graded[0]["missing_cells"])
    assert rows["ex-tiny-loop"].points == 3 and rows["ex-tiny-assert"].points == 1   # checks restored
    assert "찾지 못해(지웠거나 고쳤음) 책의 확인 셀을 원래 자리에 되돌려" in rows["ex-tiny-loop"].feedback
    assert "찾지 못해" not in _rows(graded[0]["key"])["ex-tiny-loop"].feedback
    assert rows["ex-tiny-value"].points == 0 and "name 'answer' is not defined" in rows["ex-tiny-value"].feedback
    rows = _rows(graded[0]["cheat"])          # the edited check cell is replaced by the book's
    assert rows["ex-tiny-value"].points == 0 and "아직 답을 쓰지 않았습니다" in rows["ex-tiny-value"].feedback


def test_a_colab_file_without_ids_or_metadata_is_graded_like_the_original(graded):
    outcome = graded[0]["colab_key"]
    assert outcome.points == outcome.max_points == 6
    assert not any("찾지 못해" in row.feedback for row in outcome.rows)


def test_corrupt_files_score_zero_with_the_reason(graded):
    for name in ("corrupt", "not_a_notebook"):
        outcome = graded[0][name]
        assert len(outcome.rows) == 3 and outcome.points == 0
        assert all("노트북 파일을 읽을 수 없습니다" in row.feedback for row in outcome.rows)


def test_submissions_are_never_modified_and_the_csv_has_a_row_per_check(graded):
    outcomes, folder, hashes, out = graded
    assert hashes == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["student", "file", "exercise", "points", "max_points", "feedback"]
    assert len(rows) == 3 * len(outcomes)
    assert {r["student"] for r in rows} == set(outcomes)
    text = (out.parent / "feedback" / "key.txt").read_text(encoding="utf-8")
    assert text.startswith("key: 6 / 6점 (key.ipynb)")
    summary = grade.summary(list(outcomes.values()), 12.3, 2)
    assert "채점한 제출물 11개" in summary and "ex-tiny-loop" in summary


# ---------------------------------------------------------------------------------------------
# One real chapter: its key scores full marks, its student notebook zero
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("chapter", [p.stem for p in toc_chapters() if p in GRADED])
def test_every_chapter_key_scores_full_marks_and_its_student_notebook_zero(chapter, tmp_path):
    """Issue 14, point 3: `assign` for every graded chapter, then its key and its blank student
    notebook graded end to end through the trusted path (each chapter's reference run included)."""
    assign.main([chapter, "--out", str(tmp_path / "built")])
    folder = tmp_path / "subs"
    folder.mkdir()
    for role in ("key", "student"):
        (folder / f"{role}.ipynb").write_bytes((tmp_path / "built" / role / f"{chapter}.ipynb").read_bytes())
    assignment = tmp_path / "built" / "student" / f"{chapter}.assignment.json"
    outcomes = {o.student: o for o in grade.grade_folder(folder, assignment=assignment, workers=2,
                                                         sandbox=SANDBOX)}
    key, student = outcomes["key"], outcomes["student"]
    assert key.points == key.max_points > 0, [r.feedback for r in key.rows]
    assert student.points == 0 and len(student.rows) == len(key.rows), [r.feedback for r in student.rows]
    assert all(row.feedback.startswith(("실패", "확인 셀에서 오류")) for row in student.rows), \
        [r.feedback for r in student.rows]
