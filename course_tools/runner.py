"""Grading one submission: its copy executed cell by cell in its own kernel, each check judged in trust.

Used by the grader (`course_tools.grade`, in its worker processes); no chapter uses it.

The copy (`submissions.prepare`) runs top to bottom in a `kernel.StudentKernel`. At a check cell
the score comes from `trusted.evaluate` (the book's check cell in the grader's process, on the
student's values); the check cell then also runs in the student's kernel, as in the student's own
notebook, and a check cell that raises there scores 0 (a student who broke the checks in their
kernel gets no points from them). A cell over `cell_timeout` is interrupted and the next one runs.
A kernel that ignores the interrupt, or dies, is killed with everything it started and replaced by
a new one in which every cell that had run without error runs again (each within the cell time
limit), then grading goes on with the next cell: the hanging cell is marked, the student's other
work still counts. At most `MAX_RESTARTS` restarts; the whole notebook gets `timeout` seconds.
"""

import contextlib
import os
import tempfile
import time

import nbformat

from . import exercises as fmt
from . import kernel as kernels
from . import submissions, trusted
from .submissions import Submission

MAX_RESTARTS = 3

_ERROR_HINTS = {
    "NameError": "이름이 정의되지 않았습니다. 그 이름을 정의하는 셀(풀이 셀)을 지웠거나, 이름을 바꿨거나, 그 셀에서 오류가 났습니다.",
    "SyntaxError": "문법 오류입니다.",
    "IndentationError": "들여쓰기 오류입니다.",
    "NotImplementedError": "아직 작성하지 않았습니다.",
    "KeyboardInterrupt": "시간 제한을 넘어 중단되었습니다.",
    "CellTimeoutError": "시간 제한을 넘어 중단되었습니다.",
    "ModuleNotFoundError": "모듈을 찾을 수 없습니다. 채점 환경에는 책의 패키지만 있습니다.",
}


class Row:
    """One check of one submission: a row of grades.csv."""

    def __init__(self, student, exercise, points, max_points, feedback, file=""):
        self.student, self.exercise, self.points, self.max_points, self.feedback, self.file = \
            student, exercise, float(points), float(max_points), feedback, file

    def as_dict(self):
        return {"student": self.student, "file": self.file, "exercise": self.exercise,
                "points": f"{self.points:g}", "max_points": f"{self.max_points:g}", "feedback": self.feedback}


class Outcome:
    """The grading of one submission."""

    def __init__(self, student, path, file=""):
        self.student, self.path, self.file = student, path, file
        self.rows, self.problem, self.seconds = [], "", 0.0

    @property
    def points(self):
        return sum(r.points for r in self.rows)

    @property
    def max_points(self):
        return sum(r.max_points for r in self.rows)


def error_line(ename, evalue):
    text = f"{ename}: {evalue}".strip().rstrip(":")
    if len(text) > 300:
        text = text[:300] + " ..."
    hint = _ERROR_HINTS.get(ename)
    return f"{text} ({hint})" if hint else text


def _output_error(cell):
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return error_line(output.get("ename", "Error"), str(output.get("evalue", "")))
    return "오류"


def _first_error_before(nb, index, status):
    """The first student cell before `index` that raised or timed out: (cell number, text)."""
    for i in range(index):
        cell = nb.cells[i]
        if cell.cell_type == "code" and status.get(i) in ("error", "timeout") and not fmt.is_check_cell(cell):
            return i, _output_error(cell)
    return None


def zero_rows(outcome, checks, reason):
    if not checks:
        outcome.rows.append(Row(outcome.student, "-", 0, 0, reason, outcome.file))
    for meta in checks:
        outcome.rows.append(Row(outcome.student, meta.get("check", ""), 0, float(meta.get("points", 0)),
                                reason, outcome.file))


def score_check(nb, index, meta, status, verdict, problem):
    """(points, feedback) of the check cell at `index`: the trusted verdict, unless the cell did not
    run or raised in the student's kernel."""
    points = float(meta.get("points", 0))
    context = _first_error_before(nb, index, status)
    context_text = f" 참고: 앞선 셀 [{context[0]}]에서 오류가 났습니다: {context[1]}" if context else ""
    state = status.get(index)
    if state is None or verdict is None:
        return 0.0, f"실행되지 않음: {problem or '이 확인 셀은 실행되지 않았습니다.'}{context_text}"
    if verdict.error:
        ename, _, evalue = verdict.error.partition(": ")
        return 0.0, f"확인 셀에서 오류: {error_line(ename, evalue)}{context_text}"
    if state != "ok":
        what = "시간 제한을 넘었습니다" if state == "timeout" else f"오류가 났습니다: {_output_error(nb.cells[index])}"
        return 0.0, (f"확인 셀이 여러분의 커널에서 {what}. 확인 셀이 끝까지 실행되어야 점수를 받습니다"
                     f"(채점기의 검사: {verdict.message.splitlines()[0] if verdict.message else '-'}).{context_text}")
    earned = round(points * verdict.score, 2)
    feedback = verdict.message
    if verdict.score < 1 and context:
        feedback += context_text
    return earned, feedback


_TEMPLATES = {}


def template(chapter, book):
    """The student notebook of a chapter, built from the book (cached per process)."""
    key = (str(book), chapter)
    if key not in _TEMPLATES:
        path = os.path.join(str(book), f"{chapter}.ipynb")
        _TEMPLATES[key] = fmt.build(fmt.read(path), "student", chapter)
    return _TEMPLATES[key]


def check_metas(nb):
    return [fmt.course_meta(c) for c in nb.cells if fmt.is_check_cell(c)]


def _note(cell, text):
    cell.outputs.append(nbformat.v4.new_output("error", ename="CellTimeoutError", evalue=text, traceback=[]))


def execute(nb, checks, kernel, reference, options):
    """Runs `nb` in `kernel`, judging each check cell; returns ({index: status}, {index: verdict}, problem)."""
    started = time.monotonic()
    deadline = started + options["timeout"]
    status, verdicts, problem, done, restarts = {}, {}, "", [], 0
    check_at = dict(checks)
    try:
        kernel.start()
    except kernels.KernelFailed as error:
        return status, verdicts, str(error)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            problem = (f"노트북 전체의 시간 제한({options['timeout']:g}초)을 넘어 셀 [{index}]부터는 실행하지 "
                       f"못했습니다. 끝나지 않는 반복문이나 너무 긴 계산이 있는지 확인하세요.")
            break
        limit = max(1.0, min(options["cell_timeout"], left))
        if index in check_at:
            spec = reference.checks.get(check_at[index].get("check"))
            if spec is None:
                verdicts[index] = trusted.Verdict(0.0, "", "KeyError: 책에 없는 확인 셀입니다.")
            else:
                seed = trusted.seed_for(options["secret"], options["chapter"], spec.check_id)
                verdicts[index] = trusted.evaluate(spec, kernel, seed)
        if kernel.broken:   # the student's function hung in the trusted check: the verdict stands
            state, status[index] = "hung", "ok"
        else:
            state, cell.outputs = kernel.run(cell.source, limit)
            status[index] = {"hung": "timeout", "dead": "error"}.get(state, state)
        if state == "ok":
            done.append(index)
        elif state == "timeout":
            _note(cell, f"셀이 {limit:g}초 안에 끝나지 않아 중단했습니다.")
        if state in ("hung", "dead"):
            _note(cell, "커널이 중단 요청에 응답하지 않아(또는 멈춰서) 커널을 끝내고 새로 시작했습니다. 이 셀은 "
                        "점수를 받지 못하고, 앞서 오류 없이 실행된 셀을 다시 실행한 뒤 다음 셀부터 채점합니다.")
            restarts += 1
            problem = _replay(kernel, nb, done, deadline, options["cell_timeout"]) if restarts <= MAX_RESTARTS \
                else f"커널을 {MAX_RESTARTS}번 다시 시작했지만 계속 멈춰 셀 [{index}] 뒤로는 실행하지 못했습니다."
            if problem:
                break
    return status, verdicts, problem


def _replay(kernel, nb, done, deadline, cell_timeout):
    """Restarts the kernel and runs again every cell that had run without error; "" when it worked."""
    try:
        kernel.restart()
    except kernels.KernelFailed as error:
        return f"커널을 다시 시작하지 못했습니다: {error}"
    for index in done:
        left = deadline - time.monotonic()
        if left <= 0:
            return "노트북 전체의 시간 제한을 넘어 다시 실행하지 못했습니다."
        state, _ = kernel.run(nb.cells[index].source, max(1.0, min(cell_timeout, left)))
        if state in ("hung", "dead"):
            return f"커널을 다시 시작한 뒤 셀 [{index}]을(를) 다시 실행하다 또 멈춰 그 뒤로는 채점하지 못했습니다."
    return ""


def _workdir(uid):
    """A private folder for the sandbox: only its own uid (and the grader, root) may enter it."""
    path = tempfile.mkdtemp(prefix="course-grade-")
    if uid is not None and os.geteuid() == 0:
        os.chown(path, uid, uid)
    os.chmod(path, 0o700)
    return path


def grade_submission(sub: Submission, options):
    """Grades one submission; never raises. `options`: chapter, book, timeout, cell_timeout, secret,
    sandbox, single_thread, executed_dir."""
    started = time.monotonic()
    outcome = Outcome(sub.student, sub.path, sub.relative)
    reference_nb = template(options["chapter"], options["book"])
    metas = check_metas(reference_nb)
    kernel = workdir = None
    claim = contextlib.ExitStack()
    try:
        if sub.refused:
            outcome.problem = sub.refused
            zero_rows(outcome, metas, sub.refused)
            return outcome
        try:
            submission = submissions.parse(sub.data)
        except ValueError as error:
            outcome.problem = f"노트북 파일을 읽을 수 없습니다(올바른 .ipynb JSON이 아님: {error})."
            zero_rows(outcome, metas, outcome.problem)
            return outcome
        nb, checks, notes = submissions.prepare(submission, reference_nb)
        reference = trusted.reference(os.path.join(str(options["book"]), f"{options['chapter']}.ipynb"),
                                      options["chapter"])
        uid = None
        if options["sandbox"]:   # a uid of its own, held until this submission's processes are gone
            from .sandbox import claimed_uid   # Linux only (fcntl): no sandbox elsewhere
            uid = claim.enter_context(claimed_uid())
        workdir = _workdir(uid)
        kernel = kernels.StudentKernel(workdir, sandboxed=options["sandbox"], uid=uid,
                                       single_thread=options.get("single_thread", True))
        status, verdicts, problem = execute(nb, checks, kernel, reference, options)
        outcome.problem = problem
        for index, meta in checks:
            points, feedback = score_check(nb, index, meta, status, verdicts.get(index), problem)
            check_id = meta.get("check", "")
            restored = [n for n in notes if f"확인 셀 {check_id}을" in n]
            outcome.rows.append(Row(sub.student, check_id, points, float(meta.get("points", 0)),
                                    feedback + ((" " + restored[0]) if restored else ""), sub.relative))
        if options.get("executed_dir"):
            target = os.path.join(options["executed_dir"], options["report_name"] + ".ipynb")
            os.makedirs(options["executed_dir"], exist_ok=True)
            nbformat.write(nb, target)
    except Exception as error:  # a bug or an unexpected file: this submission only
        outcome.problem = f"채점 중 오류: {type(error).__name__}: {error}"
        if not outcome.rows:
            zero_rows(outcome, metas, outcome.problem)
    finally:
        if kernel is not None:
            kernel.stop()
        if workdir is not None:
            kernels.clean(workdir)
        claim.close()
        outcome.seconds = time.monotonic() - started
    return outcome
