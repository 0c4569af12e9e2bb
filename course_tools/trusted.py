"""The trusted side of grading: the chapter's reference context and the check cells evaluated in it.

Used by the grader (`course_tools.grade`); no chapter uses it.

A score is never computed in the student's kernel. For each chapter the grader runs the book's
chapter (the instructor's key) once per worker process, in-process (`Reference`), and records before
each check cell the values of the names the cell reads. To grade a check cell of a submission,
`evaluate` executes the book's check cell in a fresh namespace made of that record, where every
name the exercise asks the student to define (the names its solution and scaffold cells bind,
found with `ast`) is the student's value, fetched from the student's kernel as plain data
(`course_tools.plaindata`); a student function is a `StudentFunction`, which ships the arguments
into the student's kernel, calls it there under a time limit and ships the result back. The
checker, its cases, the expected values and `CheckResult` all live in the grader's process: the
student's code sees only the arguments of each call.

Hidden cases: with a seed (`hidden_seed`, from the instructor's ``--seed-file`` or a random one per
run), the checkers draw their hidden cases from it (`cnn_utils.checks.engine.hidden_seed`), so they
are not the ones in the public source; the public cases stay the same.
"""

import ast
import builtins
import contextlib
import copy
import hashlib
import io
import math
import re
import secrets

import numpy as np

from . import exercises as fmt
from . import plaindata

CALL_TIMEOUT = 2.5      # seconds one call of a student function may take in the student's kernel
CALL_GRACE = 1.5        # seconds it gets to stop after an interrupt


# ---------------------------------------------------------------------------------------------
# Which names are the student's
# ---------------------------------------------------------------------------------------------

def bound_names(source):
    """Names a cell binds at its top level: assignments, def, class (not imports)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def read_names(source):
    """Every name a cell reads."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def student_names(book):
    """{check id: sorted names the student defines that the check cell reads}, from the book chapter:
    the names bound by the exercise's solution cells (and its scaffolds) that the check reads."""
    found, bound, label = {}, {}, None
    for cell in book.cells:
        parsed = fmt.parse_exercise_cell(cell)
        if parsed:
            label = parsed[1]
            bound.setdefault(label, set())
            continue
        if fmt.is_solution_cell(cell):
            names = bound_names(cell.source)
            scaffold = fmt.course_meta(cell).get("scaffold")
            if isinstance(scaffold, str):
                names |= bound_names(scaffold)
            bound.setdefault(label, set()).update(names)
        elif fmt.is_check_cell(cell):
            check_id = fmt.course_meta(cell).get("check") or label
            found[check_id] = sorted(bound.get(label, set()) & read_names(cell.source))
    return found


# ---------------------------------------------------------------------------------------------
# The reference context: the book's chapter, run once
# ---------------------------------------------------------------------------------------------

class CheckSpec:
    """What the grader needs to evaluate one check cell: its source, the student's names, and the
    reference values of every other name it reads."""

    def __init__(self, check_id, source, names, context, points):
        self.check_id, self.source, self.names, self.context, self.points = \
            check_id, source, names, context, points


def _keep(value):
    try:
        return copy.deepcopy(value)
    except Exception:   # modules, models and the like: the object itself (the key does not change it)
        return value


def _skip_in_reference(cell):
    """Timing cells and the asserts on their figures: not needed to grade, and slow."""
    tags = fmt.tags(cell)
    return "nbval-ignore-output" in tags or "remove-cell" in tags


class Reference:
    """The book chapter run in this (trusted) process, with the record before each check cell."""

    def __init__(self, book, chapter):
        from IPython.core.interactiveshell import InteractiveShell

        from .kernel import PREAMBLE

        self.chapter = chapter
        self.checks = {}
        names = student_names(book)
        shell = InteractiveShell.instance()
        shell.user_ns.clear()
        shell.user_ns.update({"__name__": "__main__", "__builtins__": builtins})
        label = None
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            shell.run_cell(PREAMBLE, store_history=False, silent=True)
            for cell in book.cells:
                parsed = fmt.parse_exercise_cell(cell)
                if parsed:
                    label = parsed[1]
                if cell.cell_type != "code":
                    continue
                if fmt.is_check_cell(cell):
                    meta = fmt.course_meta(cell)
                    check_id = meta.get("check") or label
                    own = names.get(check_id, [])
                    context = {n: _keep(shell.user_ns[n]) for n in read_names(cell.source)
                               if n in shell.user_ns and n not in own}
                    self.checks[check_id] = CheckSpec(check_id, cell.source, own, context,
                                                      float(meta.get("points", 0)))
                elif _skip_in_reference(cell) and "solution" not in fmt.tags(cell):
                    continue
                shell.run_cell(cell.source, store_history=False, silent=True)
        shell.user_ns.clear()


_REFERENCES = {}


def reference(book_path, chapter):
    """The `Reference` of a chapter, built once per process."""
    key = (str(book_path), chapter)
    if key not in _REFERENCES:
        _REFERENCES[key] = Reference(fmt.read(book_path), chapter)
    return _REFERENCES[key]


# ---------------------------------------------------------------------------------------------
# Evaluating a check cell against a student's kernel
# ---------------------------------------------------------------------------------------------

def _exception_type(name):
    """An exception class named like the student's (the checker reports its name)."""
    name = name if isinstance(name, str) and re.fullmatch(r"[A-Za-z_]\w{0,40}", name) else "Error"
    if name == "NotImplementedError":
        return NotImplementedError
    return type(name, (Exception,), {})


class StudentFunction:
    """Stands in for the student's function in the trusted check: each call runs in the student's
    kernel on plain-data copies of the arguments, under CALL_TIMEOUT."""

    def __init__(self, kernel, name):
        self.kernel, self.__name__ = kernel, name

    def __call__(self, *args, **kwargs):
        from cnn_utils.checks.sandbox import _CheckTimeout

        if getattr(self.kernel, "broken", False):
            raise _CheckTimeout()
        try:
            status, value, after = self.kernel.call(self.__name__, args, kwargs, CALL_TIMEOUT,
                                                    grace=CALL_GRACE)
        except plaindata.PlainDataError as error:
            raise _exception_type("ValueError")(f"결과를 채점기로 옮길 수 없습니다: {error}") from None
        except BaseException:
            self.kernel.broken = True
            raise
        if status == "ok":
            _copy_back(args, after)
            return None if value is plaindata.FUNCTION else value
        if status == "error":
            ename, evalue = value
            raise _exception_type(ename)(evalue)
        if status in ("hung", "dead"):
            self.kernel.broken = True
        raise _CheckTimeout()

    def __repr__(self):
        return f"<학생의 함수 {self.__name__}>"


def _copy_back(args, after):
    """Writes the arguments as the student's call left them into the checker's arrays, so that an
    input changed in place is still seen (and diagnosed) by the checker."""
    if not isinstance(after, tuple) or len(after) != len(args):
        return
    for mine, theirs in zip(args, after):
        if isinstance(mine, np.ndarray) and isinstance(theirs, np.ndarray) and mine.flags.writeable:
            if theirs.shape == mine.shape:
                with contextlib.suppress(Exception):
                    np.copyto(mine, theirs, casting="unsafe")
            else:
                with contextlib.suppress(Exception):
                    mine[...] = np.nan


class Verdict:
    """The trusted result of one check cell: a score in [0, 1], the feedback, and an error line."""

    def __init__(self, score, message, error=None):
        self.score, self.message, self.error = score, message, error


def _clamp(score):
    try:
        score = float(score)
    except (TypeError, ValueError):
        return 0.0
    return min(max(score, 0.0), 1.0) if math.isfinite(score) else 0.0


def _run(source, namespace):
    """Executes a cell's source; returns the value of its last expression (None if none)."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<확인 셀>", "exec"), namespace)   # noqa: S102: the book's check cell
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), "<확인 셀>", "eval"), namespace)  # noqa: S307


def evaluate(spec, kernel, seed=None):
    """Evaluates the check cell `spec` with the student's names taken from `kernel`: a `Verdict`."""
    from cnn_utils.checks import CheckResult
    from cnn_utils.checks.engine import hidden_seed

    try:
        values = kernel.fetch(spec.names) if spec.names else {}
    except plaindata.PlainDataError as error:
        return Verdict(0.0, "", f"답을 읽지 못했습니다: {error}")
    namespace = {"__builtins__": builtins, "__name__": "__check__"}
    namespace.update({k: v.copy() if isinstance(v, np.ndarray) else v for k, v in spec.context.items()})
    for name, value in values.items():
        namespace[name] = StudentFunction(kernel, name) if value is plaindata.FUNCTION else value
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), hidden_seed(seed):
            result = _run(spec.source, namespace)
    except Exception as error:
        return Verdict(0.0, "", f"{type(error).__name__}: {str(error)[:300]}")
    if isinstance(result, CheckResult):
        return Verdict(_clamp(result.score), result.message)
    return Verdict(1.0, "통과")


def seed_for(secret, chapter, check_id):
    """The hidden cases' seed of one check: from the course secret (bytes), else from `secret` None,
    a fresh random one."""
    if secret is None:
        return secrets.randbits(63)
    digest = hashlib.sha256(secret + b"\0" + chapter.encode() + b"\0" + str(check_id).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def run_secret():
    """A random secret for one grading run without --seed-file (never a constant in the source)."""
    return secrets.token_bytes(32)

