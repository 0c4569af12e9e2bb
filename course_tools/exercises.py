"""The exercise format of the chapter notebooks, and the student notebook and key built from it.

A chapter's exercise is a run of cells (CONTRIBUTING.md, "연습 문제 형식"):

1. a markdown cell with a sphinx-exercise directive ```` ```{exercise} 제목 ```` and ``:label: ex-...``;
2. a markdown cell ```` ```{solution-start} ex-... ```` with ``:class: dropdown`` (prose may follow);
3. solution code cells tagged ``solution``; the one(s) a student must write carry the scaffold that
   replaces them in the student notebook, in the cell metadata ``course.scaffold``;
4. a markdown cell ending in ```` ```{solution-end} ```` (prose may precede it);
5. check cells tagged ``check``, right after the solution, with ``course.check`` (a unique id; the
   exercise's label unless an exercise has several) and ``course.points``.

The book shows 1-5 (the solution collapsed), the student notebook 1, the scaffold and 5 (outputs
cleared), the key everything as plain Jupyter markdown.
"""

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

COURSE_KEY = "course"          # cell and notebook metadata key of this format
SOLUTION_TAG = "solution"
CHECK_TAG = "check"

_EXERCISE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{exercise\}[ \t]*(?P<title>.*)$")
_SOLUTION_START = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution-start\}[ \t]+(?P<label>\S+)")
_SOLUTION_END = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution-end\}")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")


class FormatError(ValueError):
    """A chapter notebook whose exercises do not follow the format."""


@dataclass
class Check:
    id: str
    exercise: str
    points: float
    source: str
    cell_id: str = None


@dataclass
class Exercise:
    label: str
    title: str
    number: str                                   # "4.3": chapter and position
    checks: list = field(default_factory=list)

    @property
    def points(self):
        return sum(check.points for check in self.checks)


def tags(cell):
    return list(cell.get("metadata", {}).get("tags", []))


def course_meta(cell):
    meta = cell.get("metadata", {}).get(COURSE_KEY, {})
    return meta if isinstance(meta, dict) else {}


def is_check_cell(cell):
    return cell.get("cell_type") == "code" and (CHECK_TAG in tags(cell) or "check" in course_meta(cell))


def is_solution_cell(cell):
    return cell.get("cell_type") == "code" and SOLUTION_TAG in tags(cell)


def _lines(cell):
    return cell.get("source", "").splitlines()


def parse_exercise_cell(cell):
    """(title, label, body) of an ```{exercise} markdown cell, or None for any other cell."""
    if cell.get("cell_type") != "markdown":
        return None
    lines = _lines(cell)
    if not lines:
        return None
    match = _EXERCISE.match(lines[0].strip())
    if not match:
        return None
    fence = match.group("fence")
    rest, options = lines[1:], {}
    while rest and _OPTION.match(rest[0].strip()):
        option = _OPTION.match(rest[0].strip())
        options[option.group("key")] = option.group("value").strip()
        rest = rest[1:]
    while rest and not rest[-1].strip():
        rest = rest[:-1]
    if rest and rest[-1].strip() == fence:
        rest = rest[:-1]
    return match.group("title").strip(), options.get("label"), "\n".join(rest).strip("\n")


def solution_start(cell):
    """(label, prose after the directive) of a solution-start cell, or None."""
    if cell.get("cell_type") != "markdown":
        return None
    lines = _lines(cell)
    if not lines or not _SOLUTION_START.match(lines[0].strip()):
        return None
    match = _SOLUTION_START.match(lines[0].strip())
    fence, rest = match.group("fence"), lines[1:]
    while rest and _OPTION.match(rest[0].strip()):
        rest = rest[1:]
    if rest and rest[0].strip() == fence:
        rest = rest[1:]
    return match.group("label"), "\n".join(rest).strip("\n")


def solution_end(cell):
    """The prose before the solution-end directive of a cell that closes a solution, or None."""
    if cell.get("cell_type") != "markdown":
        return None
    lines = _lines(cell)
    for index, line in enumerate(lines):
        if _SOLUTION_END.match(line.strip()):
            return "\n".join(lines[:index]).strip("\n")
    return None


def chapter_number(nb):
    """"4" from a first heading "# 4. 합성곱 연산" (empty when there is none)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.match(r"^#\s+(\d+)\.", cell.source.strip())
            return match.group(1) if match else ""
    return ""


def exercises(nb):
    """The exercises of a chapter notebook in order, with their checks.

    Raises:
        FormatError: a solution without its exercise, an unclosed solution, a check cell outside an
            exercise or without points, a duplicate label or check id.
    """
    found, labels, check_ids = [], set(), set()
    current, inside = None, None
    number = chapter_number(nb)
    for index, cell in enumerate(nb.cells):
        where = f"cell {index}"
        parsed = parse_exercise_cell(cell)
        if parsed:
            if inside:
                raise FormatError(f"{where}: a new exercise starts inside the solution of {inside!r}; "
                                  f"close it with ```{{solution-end}}``` first.")
            title, label, _ = parsed
            if not label:
                raise FormatError(f"{where}: the exercise {title!r} has no :label:.")
            if label in labels:
                raise FormatError(f"{where}: the exercise label {label!r} is used twice.")
            labels.add(label)
            current = Exercise(label, title, f"{number}.{len(found) + 1}" if number else str(len(found) + 1))
            found.append(current)
            continue
        start = solution_start(cell)
        if start:
            label = start[0]
            if current is None or label != current.label:
                raise FormatError(f"{where}: solution-start for {label!r} does not follow its exercise.")
            inside = label
            if solution_end(cell) is not None:
                inside = None
            continue
        if inside:
            if solution_end(cell) is not None:
                inside = None
            elif is_check_cell(cell):
                raise FormatError(f"{where}: a check cell inside the solution of {inside!r}; put it after "
                                  f"the ```{{solution-end}}``` cell so that students keep it.")
            continue
        if is_check_cell(cell):
            if current is None:
                raise FormatError(f"{where}: a check cell before any exercise.")
            meta = course_meta(cell)
            check_id = str(meta.get("check") or current.label)
            points = meta.get("points")
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
                raise FormatError(f"{where}: the check cell {check_id!r} needs metadata "
                                  f"course.points, a positive number; received {points!r}.")
            if check_id in check_ids:
                raise FormatError(f"{where}: the check id {check_id!r} is used twice; give the second "
                                  f"check cell its own course.check, e.g. {current.label + '/2'!r}.")
            check_ids.add(check_id)
            current.checks.append(Check(check_id, current.label, float(points), cell.source,
                                        cell.get("id")))
    if inside:
        raise FormatError(f"the solution of {inside!r} is never closed with ```{{solution-end}}```.")
    return found


def validate(nb):
    """Problems (list of str) of a chapter whose exercises are meant to be graded; empty when fine.

    Beyond `exercises`: every exercise with checks has a scaffold in one of its solution cells.
    """
    try:
        found = exercises(nb)
    except FormatError as error:
        return [str(error)]
    problems = []
    scaffolded = set()
    label = None
    for cell in nb.cells:
        start = solution_start(cell)
        if start:
            label = start[0]
        if is_solution_cell(cell) and isinstance(course_meta(cell).get("scaffold"), str):
            scaffolded.add(label)
    for exercise in found:
        if exercise.checks and exercise.label not in scaffolded:
            problems.append(f"{exercise.label}: has check cells but no solution cell with "
                            f"metadata course.scaffold (what the student notebook shows instead).")
    return problems


def _heading(exercise, title, body):
    points = exercise.points if exercise else 0
    score = f" ({points:g}점)" if points else ""
    number = f" {exercise.number}" if exercise else ""
    return f"### 연습 문제{number}: {title}{score}\n\n{body}".rstrip() + "\n"


def _markdown(source, cell_id=None):
    cell = nbformat.v4.new_markdown_cell(source)
    if cell_id:
        cell["id"] = cell_id
    return cell


def _clear(cell):
    cell = copy.deepcopy(cell)
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    return cell


def _notice(role, chapter, found):
    total = sum(e.points for e in found)
    graded = [e for e in found if e.checks]
    if role == "student":
        text = (f"> **과제 안내.** 이 노트북은 이 장의 연습 문제 과제입니다(연습 문제 {len(found)}개, 채점되는 문제 "
                f"{len(graded)}개, 만점 {total:g}점). `# 할 일`이 있는 셀을 채우고, 바로 아래의 **확인 셀**을 실행해 "
                f"결과를 보세요. 확인 셀은 여러분의 답을 공개 사례와 숨은 사례로 검사하며, 채점에도 그대로 쓰이니 "
                f"고치거나 지우지 마세요. 제출하기 전에 '런타임 → 모두 실행'(Jupyter는 'Run All')으로 처음부터 끝까지 "
                f"실행해 보세요.")
    else:
        text = (f"> **교사용 정답 노트북.** 풀이와 확인 셀이 모두 들어 있습니다(만점 {total:g}점). "
                f"학생에게 나눠 주지 마세요. `python3 tasks.py grade`로 채점하면 만점이 나와야 합니다.")
    return _markdown(text, f"course-{role}-notice")


def build(nb, role, chapter=None):
    """The student notebook (role "student") or the instructor key (role "key") of a chapter.

    Args:
        nb: the chapter notebook (nbformat NotebookNode); it is not changed.
        role: "student" or "key".
        chapter: the chapter's name for the metadata (e.g. "04_convolution").

    Returns:
        A new NotebookNode. Exercise directives become plain markdown headings with the points;
        in the student notebook every solution (prose and code) is gone, code cells with a
        scaffold are replaced by it, and check cells are kept with their outputs cleared.
    """
    if role not in ("student", "key"):
        raise ValueError(f"build expects role 'student' or 'key'; received {role!r}.")
    found = {e.label: e for e in exercises(nb)}
    out = copy.deepcopy(nb)
    cells, inside, current, scaffolds = [], None, None, 0
    for cell in nb.cells:
        parsed = parse_exercise_cell(cell)
        if parsed:
            title, label, body = parsed
            current = found[label]
            cells.append(_markdown(_heading(current, title, body), cell.get("id")))
            continue
        start = solution_start(cell)
        if start:
            label, prose = start
            inside, scaffolds = label, 0
            closing = solution_end(cell)
            if role == "key":
                if closing is not None:   # the whole solution in one cell: drop the end directive
                    prose = "\n".join(line for line in prose.splitlines()
                                      if not _SOLUTION_END.match(line.strip()) and line.strip() not in ("```", ":::"))
                text = "#### 풀이\n\n" + prose.strip()
                cells.append(_markdown(text.strip() + "\n", cell.get("id")))
            if closing is not None:
                inside = None
            continue
        if inside:
            closing = solution_end(cell)
            if closing is not None:
                if role == "key" and closing.strip():
                    cells.append(_markdown(closing + "\n", cell.get("id")))
                elif role == "student" and scaffolds == 0:
                    # an exercise without a scaffold still gets a cell to write the answer in
                    blank = nbformat.v4.new_code_cell("# 할 일: 이 연습 문제의 풀이를 여기에 쓰세요.")
                    blank["id"] = f"{inside}-answer"[:64]
                    blank.metadata[COURSE_KEY] = {"scaffold_for": inside}
                    cells.append(blank)
                inside = None
            elif role == "key":
                cells.append(copy.deepcopy(cell))
            elif is_solution_cell(cell):
                scaffold = course_meta(cell).get("scaffold")
                if isinstance(scaffold, str):
                    new = nbformat.v4.new_code_cell(scaffold.rstrip("\n"))
                    new["id"] = cell.get("id") or new["id"]
                    new.metadata[COURSE_KEY] = {"scaffold_for": inside}
                    cells.append(new)
                    scaffolds += 1
            continue
        if is_check_cell(cell):
            new = _clear(cell) if role == "student" else copy.deepcopy(cell)
            meta = dict(course_meta(new))
            meta.setdefault("check", current.label if current else "")
            new.metadata[COURSE_KEY] = meta
            cells.append(new)
            continue
        cells.append(copy.deepcopy(cell))
    insert_at = 1 if cells and cells[0].cell_type == "markdown" else 0
    cells.insert(insert_at, _notice(role, chapter, list(found.values())))
    out.cells = cells
    out.metadata[COURSE_KEY] = {"chapter": chapter, "role": role,
                                "checks": [{"check": c.id, "exercise": c.exercise, "points": c.points}
                                           for e in found.values() for c in e.checks]}
    nbformat.validate(out)
    return out


def read(path):
    return nbformat.read(str(path), as_version=4)


def chapter_name(path):
    return Path(path).stem
