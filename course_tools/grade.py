"""Grades a folder of submitted notebooks: one fresh kernel each, a time limit, a CSV, a summary.

    python -m course_tools grade SUBMISSIONS [--chapter 04_convolution] [--out grades.csv]
                                 [--timeout 300] [--cell-timeout 60] [--workers 2]

Every submission is read, never written. The grader works on a copy: it removes every output, puts
the chapter's check cells back exactly as the book has them (a student who edited, moved or deleted
a check cell gets the original one, at its place), executes the copy top to bottom in a new kernel
with errors allowed, and reads each check cell's result. A notebook that is not valid JSON, raises,
never finishes or lost cells scores what its check cells earned and gets the reason in the feedback;
it never stops the other submissions.

A check cell's points are awarded in proportion to the score its `cnn_utils.checks` result reports
(the display metadata `cnn_utils_check`); a check cell without such a result earns its points when
it runs without an error (a plain `assert` works as a check).
"""

import argparse
import concurrent.futures
import copy
import csv
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import exercises as fmt

ROOT = Path(__file__).resolve().parent.parent
BOOK_CHAPTERS = ROOT / "book" / "chapters"
CHECK_METADATA_KEY = "cnn_utils_check"   # the same key as cnn_utils.checks.CHECK_METADATA_KEY
CSV_FIELDS = ["student", "exercise", "points", "max_points", "feedback"]

# Executed before the submission's first cell: figures are neither drawn nor kept (they do not
# count for grading and drawing them is most of a chapter's run time).
PREAMBLE = """\
import warnings
warnings.filterwarnings("ignore", message=".*non-interactive.*")
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as _course_plt
_course_plt.show = lambda *args, _close=_course_plt.close, **kwargs: _close("all")
del _course_plt
"""


@dataclass
class Row:
    student: str
    exercise: str
    points: float
    max_points: float
    feedback: str

    def as_dict(self):
        return {"student": self.student, "exercise": self.exercise, "points": f"{self.points:g}",
                "max_points": f"{self.max_points:g}", "feedback": self.feedback}


@dataclass
class Outcome:
    """The grading of one submission."""
    student: str
    path: str
    rows: list = field(default_factory=list)
    problem: str = ""            # notebook-level problem (not JSON, time limit, dead kernel), if any
    seconds: float = 0.0

    @property
    def points(self):
        return sum(r.points for r in self.rows)

    @property
    def max_points(self):
        return sum(r.max_points for r in self.rows)


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------

def template(chapter, book=BOOK_CHAPTERS):
    """The student notebook of a chapter, built from the book: the reference for grading."""
    path = Path(book) / f"{chapter}.ipynb"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in Path(book).glob("*.ipynb")))
        raise SystemExit(f"장 {chapter!r}를 찾을 수 없습니다({path}). 있는 장: {known}")
    return fmt.build(fmt.read(path), "student", chapter)


def guess_chapter(path, nb_meta, chapters):
    """The chapter of a submission: its metadata, else a chapter name (or number) in its file name."""
    meta = (nb_meta or {}).get(fmt.COURSE_KEY, {})
    if isinstance(meta, dict) and meta.get("chapter") in chapters:
        return meta["chapter"]
    name = Path(path).name
    for chapter in chapters:
        if chapter in name:
            return chapter
    for chapter in chapters:
        number = chapter.split("_")[0]
        if name.startswith(number + "_") or name.startswith(number + "."):
            return chapter
    return None


def student_name(path, root):
    """The folder directly under `root` when submissions are in one folder per student, else the
    file name without its extension."""
    relative = Path(path).relative_to(root)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


# ---------------------------------------------------------------------------------------------
# Preparing the copy that is executed
# ---------------------------------------------------------------------------------------------

def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _cell_ids(cell):
    """A cell's id as nbformat 4.5 stores it, and as Colab stores it (metadata.id)."""
    ids = {cell.get("id")}
    meta = cell.get("metadata", {})
    if isinstance(meta, dict):
        ids.add(meta.get("id"))
    return ids - {None, ""}


def prepare(submission, reference):
    """The notebook to execute: the submission's cells with outputs removed and the reference's
    check cells put back in place. Returns (notebook, [(cell index, check metadata)], notes)."""
    ref_checks = [c for c in reference.cells if fmt.is_check_cell(c)]
    by_id = {c.get("id"): fmt.course_meta(c).get("check") for c in ref_checks if c.get("id")}
    by_source = {_source(c).strip(): fmt.course_meta(c).get("check") for c in ref_checks}
    notes = []
    kept = []
    found_checks = set()
    for cell in submission.cells:
        if not isinstance(cell, dict) or "cell_type" not in cell:
            continue
        same_id = [by_id[cid] for cid in _cell_ids(cell) if cid in by_id]
        same_source = cell.get("cell_type") == "code" and _source(cell).strip() in by_source
        if fmt.is_check_cell(cell) or same_id or same_source:
            # a check cell, possibly edited: the reference's one replaces it
            found_checks.add(fmt.course_meta(cell).get("check") or (same_id[0] if same_id else None)
                             or (by_source.get(_source(cell).strip()) if same_source else None))
            continue
        cell = copy.deepcopy(cell)
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        kept.append(cell)
    # Where each reference cell is in the submission: by id, else by unchanged source.
    sources = {}
    for index, cell in enumerate(reference.cells):
        sources.setdefault(_source(cell).strip(), []).append(index)
    position = {}
    for index, cell in enumerate(kept):
        for cid in _cell_ids(cell):
            position.setdefault(("id", cid), index)
        position.setdefault(("source", _source(cell).strip()), index)

    def locate(ref_index):
        cell = reference.cells[ref_index]
        for cid in _cell_ids(cell):
            if ("id", cid) in position:
                return position[("id", cid)]
        text = _source(cell).strip()
        if text and len(sources.get(text, [])) == 1 and ("source", text) in position:
            return position[("source", text)]
        return None

    inserts = []   # (position in `kept` before which to insert, order, check cell)
    for order, (ref_index, cell) in enumerate((i, c) for i, c in enumerate(reference.cells)
                                             if fmt.is_check_cell(c)):
        anchor = None
        for later in range(ref_index + 1, len(reference.cells)):
            if fmt.is_check_cell(reference.cells[later]):
                continue
            anchor = locate(later)
            if anchor is not None:
                break
        if anchor is None:
            anchor = len(kept)
        meta = fmt.course_meta(cell)
        if meta.get("check") not in found_checks:
            notes.append(f"확인 셀 {meta.get('check')}을(를) 찾지 못해(지웠거나 고쳤음) 책의 확인 셀을 원래 "
                         f"자리에 되돌려 채점했습니다.")
        inserts.append((anchor, order, cell))
    cells, checks = [], []
    inserts.sort(key=lambda item: (item[0], item[1]))
    pending = list(inserts)
    for index in range(len(kept) + 1):
        while pending and pending[0][0] == index:
            _, _, cell = pending.pop(0)
            new = copy.deepcopy(cell)
            new["outputs"], new["execution_count"] = [], None
            checks.append((len(cells), fmt.course_meta(cell)))
            cells.append(new)
        if index < len(kept):
            cells.append(kept[index])
    nb = nbformat.v4.new_notebook(cells=[nbformat.from_dict(c) for c in cells])
    nb.metadata = copy.deepcopy(reference.metadata)
    for cell in nb.cells:   # cells copied from a Colab (nbformat 4.0) file may lack ids
        if "id" not in cell or not cell["id"]:
            cell["id"] = nbformat.v4.new_code_cell().id
    return nb, checks, notes


# ---------------------------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------------------------

def _kernel_env(workers):
    import tasks     # the checkout's tasks.py: the tests' environment (TensorFlow's log level, MNIST)

    env = tasks.test_environment()
    env["MPLBACKEND"] = "Agg"
    if workers > 1:   # one core per kernel: the kernels of parallel workers do not fight for cores
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                     "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
            env.setdefault(name, "1")
    return env


def execute(nb, timeout, cell_timeout, workers=1):
    """Executes `nb` in place in a fresh kernel. Returns ({cell index: status}, problem).

    status is "ok", "error", "timeout" or missing (not executed). The whole notebook gets `timeout`
    seconds (kernel start included) and one cell at most `cell_timeout`; a cell over its time is
    interrupted and the next one runs. When the notebook's time is up, or the kernel dies, the rest
    is not executed and `problem` says why.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    started = time.monotonic()
    deadline = started + timeout
    status = {}
    problem = ""
    with tempfile.TemporaryDirectory(prefix="course-grade-") as workdir:
        client = NotebookClient(
            nb, timeout=cell_timeout, kernel_name="python3", allow_errors=True,
            interrupt_on_timeout=True, record_timing=False, startup_timeout=min(120, timeout),
            error_on_timeout={"ename": "CellTimeoutError", "evalue": "셀 실행 시간 제한을 넘었습니다.",
                              "traceback": []},
            iopub_timeout=4, resources={"metadata": {"path": workdir}},
        )

        def executed(cell, cell_index, execute_reply, **kwargs):
            content = (execute_reply or {}).get("content", {})
            if content.get("status") == "error":
                status[cell_index] = "timeout" if content.get("ename") == "CellTimeoutError" else "error"
            else:
                status[cell_index] = "ok"

        client.on_cell_executed = executed
        try:
            with client.setup_kernel(env=_kernel_env(workers)):
                # nbclient writes outputs by cell index: run the preamble as a temporary last cell
                nb.cells.append(nbformat.v4.new_code_cell(PREAMBLE))
                client.execute_cell(nb.cells[-1], len(nb.cells) - 1, store_history=False)
                nb.cells.pop()
                status.pop(len(nb.cells), None)
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type != "code":
                        continue
                    left = deadline - time.monotonic()
                    if left <= 0:
                        problem = (f"노트북 전체의 시간 제한({timeout:g}초)을 넘어 셀 [{index}]부터는 실행하지 "
                                   f"못했습니다. 끝나지 않는 반복문이나 너무 긴 계산이 있는지 확인하세요.")
                        break
                    client.timeout = max(1, int(min(cell_timeout, left)))
                    try:
                        client.execute_cell(cell, index)
                    except CellTimeoutError:
                        status[index] = "timeout"
                    if status.get(index) == "timeout":
                        cell.outputs.append(nbformat.v4.new_output(
                            "error", ename="CellTimeoutError",
                            evalue=f"셀이 {client.timeout}초 안에 끝나지 않아 중단했습니다.", traceback=[]))
        except DeadKernelError:
            problem = "커널이 멈췄습니다(메모리를 너무 많이 쓰거나 프로세스를 끝내는 코드가 있었나요?). 그 뒤의 셀은 실행하지 못했습니다."
        except Exception as error:  # kernel start-up failures and the like: report, never crash
            problem = f"노트북을 실행하지 못했습니다: {type(error).__name__}: {error}"
    return status, problem


# ---------------------------------------------------------------------------------------------
# Reading the results
# ---------------------------------------------------------------------------------------------

_ERROR_HINTS = {
    "NameError": "이름이 정의되지 않았습니다. 그 이름을 정의하는 셀(풀이 셀)을 지웠거나, 이름을 바꿨거나, 그 셀에서 오류가 났습니다.",
    "SyntaxError": "문법 오류입니다.",
    "IndentationError": "들여쓰기 오류입니다.",
    "NotImplementedError": "아직 작성하지 않았습니다.",
    "KeyboardInterrupt": "시간 제한을 넘어 중단되었습니다.",
    "CellTimeoutError": "시간 제한을 넘어 중단되었습니다.",
    "ModuleNotFoundError": "모듈을 찾을 수 없습니다. 채점 환경에는 책의 패키지만 있습니다.",
}


def _error_line(output):
    ename, evalue = output.get("ename", "Error"), str(output.get("evalue", ""))
    text = f"{ename}: {evalue}".strip().rstrip(":")
    if len(text) > 300:
        text = text[:300] + " ..."
    hint = _ERROR_HINTS.get(ename)
    return f"{text} ({hint})" if hint else text


def _first_error_before(nb, index, status):
    """The first student cell before `index` that raised or timed out: (cell number, text)."""
    for i in range(index):
        cell = nb.cells[i]
        if cell.cell_type != "code" or status.get(i) not in ("error", "timeout") or fmt.is_check_cell(cell):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return i, _error_line(output)
        return i, "오류"
    return None


def score_check(nb, index, meta, status, problem):
    """(points, feedback) of the check cell at `index` of the executed notebook."""
    points = float(meta.get("points", 0))
    cell = nb.cells[index]
    state = status.get(index)
    context = _first_error_before(nb, index, status)
    context_text = f" 참고: 앞선 셀 [{context[0]}]에서 오류가 났습니다: {context[1]}" if context else ""
    if state is None:
        reason = problem or "이 확인 셀은 실행되지 않았습니다."
        return 0.0, f"실행되지 않음: {reason}{context_text}"
    results, errors = [], []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            errors.append(_error_line(output))
        result = output.get("metadata", {}).get(CHECK_METADATA_KEY) \
            if isinstance(output.get("metadata"), dict) else None
        if isinstance(result, dict):
            results.append(result)
    if errors:
        earned = 0.0
        if results:   # results shown before the error still count
            earned = points * sum(float(r.get("score", 0)) for r in results) / len(results)
        return round(earned, 2), f"확인 셀에서 오류: {errors[0]}{context_text}"
    if results:
        score = sum(min(max(float(r.get("score", 0)), 0.0), 1.0) for r in results) / len(results)
        feedback = "\n".join(str(r.get("message", "")) for r in results)
        if score < 1 and context:
            feedback += context_text
        return round(points * score, 2), feedback
    return points, "통과"


def _notebook_from_json(data):
    """A NotebookNode from parsed JSON, tolerant of what editors and students do to files: sources
    as lists of lines, missing metadata, nbformat 4.0 without cell ids, unknown cell types."""
    data = dict(data)
    data.setdefault("nbformat", 4)
    data.setdefault("nbformat_minor", 5)
    if not isinstance(data.get("metadata"), dict):
        data["metadata"] = {}
    cells = []
    for cell in data["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        cell = dict(cell)
        source = cell.get("source", "")
        cell["source"] = "".join(source) if isinstance(source, list) else str(source)
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = {}
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
    data["cells"] = cells
    return nbformat.from_dict(data)


def grade_notebook(path, root, references, options):
    """Grades one submission file; never raises."""
    started = time.monotonic()
    student = student_name(path, root)
    outcome = Outcome(student, str(path))
    try:
        raw = Path(path).read_bytes()
        try:
            data = json.loads(raw.decode("utf-8-sig"))
            if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
                raise ValueError("cells 목록이 없습니다")
        except (ValueError, UnicodeDecodeError) as error:
            chapter = options.get("chapter") or guess_chapter(path, {}, list(references)) \
                or options.get("default_chapter")
            outcome.problem = f"노트북 파일을 읽을 수 없습니다(올바른 .ipynb JSON이 아님: {str(error)[:120]})."
            _zero_rows(outcome, references.get(chapter), outcome.problem)
            return outcome
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        chapter = options.get("chapter") or guess_chapter(path, meta, list(references)) \
            or options.get("default_chapter")
        reference = references.get(chapter)
        if reference is None:
            outcome.problem = "어느 장의 과제인지 알 수 없습니다: --chapter로 장을 정해 주세요."
            outcome.rows.append(Row(student, "-", 0.0, 0.0, outcome.problem))
            return outcome
        submission = _notebook_from_json(data)
        nb, checks, notes = prepare(submission, reference)
        status, problem = execute(nb, options["timeout"], options["cell_timeout"], options["workers"])
        outcome.problem = problem
        for index, meta in checks:
            points, feedback = score_check(nb, index, meta, status, problem)
            check_id = meta.get("check", "")
            restored = [n for n in notes if f"확인 셀 {check_id}을" in n]
            outcome.rows.append(Row(student, check_id, points, float(meta.get("points", 0)),
                                    feedback + ((" " + restored[0]) if restored else "")))
        if options.get("executed_dir"):
            target = Path(options["executed_dir"]) / f"{student}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(target))
    except Exception as error:  # a bug or an unexpected file: this submission only
        outcome.problem = f"채점 중 오류: {type(error).__name__}: {error}"
        if not outcome.rows:
            outcome.rows.append(Row(student, "-", 0.0, 0.0, outcome.problem))
    finally:
        outcome.seconds = time.monotonic() - started
    return outcome


def _zero_rows(outcome, reference, reason):
    if reference is None:
        outcome.rows.append(Row(outcome.student, "-", 0.0, 0.0, reason))
        return
    for cell in reference.cells:
        if fmt.is_check_cell(cell):
            meta = fmt.course_meta(cell)
            outcome.rows.append(Row(outcome.student, meta.get("check", ""), 0.0,
                                    float(meta.get("points", 0)), reason))


# ---------------------------------------------------------------------------------------------
# A folder of submissions
# ---------------------------------------------------------------------------------------------

def _common_chapter(paths, chapters):
    """The chapter most readable submissions belong to (the only chapter, when there is one)."""
    if len(chapters) == 1:
        return chapters[0]
    counts = {}
    for path in paths:
        try:
            meta = json.loads(Path(path).read_text(encoding="utf-8-sig")).get("metadata", {})
        except (ValueError, OSError, AttributeError, UnicodeDecodeError):
            meta = {}
        guess = guess_chapter(path, meta if isinstance(meta, dict) else {}, chapters)
        if guess:
            counts[guess] = counts.get(guess, 0) + 1
    return max(counts, key=counts.get) if counts else None


def find_submissions(folder):
    folder = Path(folder)
    if folder.is_file():
        return [folder]
    return sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _grade_task(args):
    path, root, references_json, options = args
    references = {name: nbformat.reads(text, as_version=4) for name, text in references_json.items()}
    return grade_notebook(path, root, references, options)


def grade_folder(folder, chapter=None, book=BOOK_CHAPTERS, timeout=300, cell_timeout=60, workers=2,
                 executed_dir=None, progress=None):
    """Grades every .ipynb under `folder`. Returns the list of `Outcome`s, in file order."""
    folder = Path(folder)
    root = folder if folder.is_dir() else folder.parent
    paths = find_submissions(folder)
    chapters = [chapter] if chapter else sorted(p.stem for p in Path(book).glob("*.ipynb"))
    references = {}
    for name in chapters:
        nb = fmt.read(Path(book) / f"{name}.ipynb")
        if any(fmt.is_check_cell(c) for c in nb.cells):
            references[name] = fmt.build(nb, "student", name)
    if chapter is None:   # one chapter for the files that do not say which (corrupt ones, say)
        chapter_default = _common_chapter(paths, list(references))
    else:
        chapter_default = chapter
    options = {"chapter": chapter, "default_chapter": chapter_default, "timeout": timeout,
               "cell_timeout": cell_timeout, "workers": max(1, workers), "executed_dir": str(executed_dir) if executed_dir else None}
    if workers <= 1 or len(paths) <= 1:
        outcomes = []
        for path in paths:
            outcomes.append(grade_notebook(path, root, references, options))
            if progress:
                progress(outcomes[-1])
        return outcomes
    references_json = {name: nbformat.writes(nb) for name, nb in references.items()}
    outcomes = {}
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_grade_task, (path, root, references_json, options)): path for path in paths}
        for future in concurrent.futures.as_completed(futures):
            path = futures[future]
            try:
                outcome = future.result()
            except Exception as error:  # a worker process that died
                outcome = Outcome(student_name(path, root), str(path),
                                  [Row(student_name(path, root), "-", 0.0, 0.0, f"채점 중 오류: {error}")],
                                  problem=str(error))
            outcomes[path] = outcome
            if progress:
                progress(outcome)
    return [outcomes[p] for p in paths]


def write_csv(outcomes, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:   # BOM: Excel reads the Korean
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for outcome in outcomes:
            for row in outcome.rows:
                writer.writerow(row.as_dict())


def write_feedback(outcomes, folder):
    """One text file per student: every exercise's points and feedback, to hand back."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for outcome in outcomes:
        lines = [f"{outcome.student}: {outcome.points:g} / {outcome.max_points:g}점", ""]
        if outcome.problem:
            lines += [f"전체: {outcome.problem}", ""]
        for row in outcome.rows:
            lines += [f"[{row.exercise}] {row.points:g} / {row.max_points:g}점", row.feedback, ""]
        (folder / f"{outcome.student}.txt").write_text("\n".join(lines), encoding="utf-8")


def _short_problem(problem):
    """The first clause of a problem, for one line of the summary."""
    for mark in ("(", ":", ". "):
        if mark in problem:
            problem = problem.split(mark)[0]
    return problem.strip()


def summary(outcomes, seconds, workers):
    """The printed summary: one line per student, the mean per exercise, the problems."""
    lines = [f"채점한 제출물 {len(outcomes)}개, {seconds:.1f}초 (작업자 {workers}개)"]
    if not outcomes:
        return "\n".join(lines + ["채점할 .ipynb 파일이 없습니다."])
    width = max(len(o.student) for o in outcomes) + 2
    lines.append("")
    lines.append(f"{'학생':<{width - 2}}  점수")
    for outcome in sorted(outcomes, key=lambda o: o.student):
        flag = f"  - {_short_problem(outcome.problem)}" if outcome.problem else ""
        lines.append(f"{outcome.student:<{width}}{outcome.points:g} / {outcome.max_points:g}{flag}")
    per = {}
    for outcome in outcomes:
        for row in outcome.rows:
            if row.max_points:
                got, most, n = per.get(row.exercise, (0.0, row.max_points, 0))
                per[row.exercise] = (got + row.points, most, n + 1)
    if per:
        lines += ["", "연습 문제별 평균"]
        for exercise, (got, most, n) in per.items():
            lines.append(f"  {exercise:<32} {got / n:.2f} / {most:g}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 tasks.py grade",
                                     description="제출된 노트북을 채점해 CSV로 씁니다.")
    parser.add_argument("submissions", help="제출된 .ipynb 파일이 있는 폴더(하위 폴더 포함) 또는 파일 하나")
    parser.add_argument("--chapter", help="장 이름(예: 04_convolution). 없으면 노트북의 메타데이터나 파일 이름으로 찾습니다.")
    parser.add_argument("--out", default="grades.csv", help="결과 CSV (기본: grades.csv)")
    parser.add_argument("--feedback", help="학생마다 피드백 텍스트 파일을 쓸 폴더")
    parser.add_argument("--executed", help="실행한 사본을 저장할 폴더(검토용)")
    parser.add_argument("--timeout", type=float, default=300, help="노트북 하나의 시간 제한, 초 (기본 300)")
    parser.add_argument("--cell-timeout", type=float, default=60, help="셀 하나의 시간 제한, 초 (기본 60)")
    parser.add_argument("--workers", type=int, default=2, help="동시에 채점할 노트북 수 (기본 2)")
    parser.add_argument("--book", default=str(BOOK_CHAPTERS), help="장 노트북 폴더 (기본: book/chapters)")
    args = parser.parse_args(argv)
    started = time.monotonic()

    def progress(outcome):
        flag = f" - {outcome.problem}" if outcome.problem else ""
        print(f"  {outcome.student}: {outcome.points:g}/{outcome.max_points:g} ({outcome.seconds:.1f}초){flag}",
              flush=True)

    outcomes = grade_folder(args.submissions, chapter=args.chapter, book=args.book, timeout=args.timeout,
                            cell_timeout=args.cell_timeout, workers=args.workers,
                            executed_dir=args.executed, progress=progress)
    write_csv(outcomes, args.out)
    if args.feedback:
        write_feedback(outcomes, args.feedback)
    print()
    print(summary(outcomes, time.monotonic() - started, args.workers))
    print(f"\nCSV: {args.out}" + (f", 피드백: {args.feedback}" if args.feedback else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
