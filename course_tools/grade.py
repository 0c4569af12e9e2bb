"""Grades a folder of submitted notebooks, each in its own sandboxed kernel, with scores computed in trust.

    python -m course_tools grade SUBMISSIONS [--chapter 04_convolution | --assignment FILE]
                                 [--out grades.csv] [--wide grades-wide.csv] [--seed-file SECRET]
                                 [--timeout 300] [--cell-timeout 60] [--workers 2] [--unsafe-no-sandbox]

Every submission is read once, into memory, before any student code runs, and never written. The
chapter comes from ``--chapter`` or the assignment file that ``assign`` writes
(``--assignment OUT/student/<chapter>.assignment.json``), never from a submission; a book folder
with a single graded chapter needs neither. The grader works on a copy of each notebook: outputs
removed, the book's check cells put back exactly as the book has them, executed top to bottom in a
new kernel inside a sandbox (`course_tools.sandbox`; without one the grader refuses unless
``--unsafe-no-sandbox``). The score of each check cell is computed in the grader's own process
(`course_tools.trusted`): the student's kernel only supplies its answers as plain data and runs its
own functions on the inputs the grader sends. Worker processes grade in parallel; a worker that dies
is replaced and its submission reported. `grades.csv` (one row per check, a `file` column) and
`grades-wide.csv` (one row per submission, one column per exercise, a total) are written atomically
once every sandbox is gone.

See `runner` for one submission (time limits, restarts), `submissions` for reading them.
"""

import argparse
import csv
import multiprocessing
import multiprocessing.connection
import os
import re
import sys
import time
from collections import deque
from pathlib import Path

from . import exercises as fmt
from . import submissions as subs_mod
from .runner import Outcome, Row, check_metas, template, zero_rows

ROOT = Path(__file__).resolve().parent.parent
BOOK_CHAPTERS = ROOT / "book" / "chapters"
CHECK_METADATA_KEY = "cnn_utils_check"   # the same key as cnn_utils.checks.CHECK_METADATA_KEY
CSV_FIELDS = ["student", "file", "exercise", "points", "max_points", "feedback"]
WORKER_MARGIN = 240                       # seconds past a notebook's timeout before its worker is killed

student_name = subs_mod.student_name
find_submissions = subs_mod.find_submissions
prepare = subs_mod.prepare


class ChapterUnknown(SystemExit):
    """No --chapter, no assignment file and several graded chapters."""


def graded_chapters(book):
    return sorted(p.stem for p in Path(book).glob("*.ipynb")
                  if any(fmt.is_check_cell(c) for c in fmt.read(p).cells))


def assignment_chapter(path):
    """The chapter of an assignment file written by `assign`."""
    import json
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return str(data["chapter"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SystemExit(f"과제 파일 {path}을(를) 읽을 수 없습니다({type(error).__name__}). `assign`이 쓴 "
                         f"<장>.assignment.json 파일을 주세요.") from None


def resolve_chapter(chapter, assignment, book):
    if assignment:
        from_file = assignment_chapter(assignment)
        if chapter and chapter != from_file:
            raise SystemExit(f"--chapter {chapter}와 과제 파일의 장 {from_file}이(가) 다릅니다.")
        chapter = from_file
    graded = graded_chapters(book)
    if chapter is None:
        if len(graded) != 1:
            raise ChapterUnknown("어느 장의 과제인지 정해 주세요: --chapter 04_convolution처럼 쓰거나, `assign`이 "
                                 "쓴 과제 파일을 --assignment로 주세요. 제출물에 적힌 장은 믿지 않습니다.")
        chapter = graded[0]
    if chapter not in graded:
        raise SystemExit(f"장 {chapter!r}에는 채점할 연습 문제가 없거나 장이 없습니다. 채점할 수 있는 장: "
                         f"{', '.join(graded)}")
    return chapter


def sandbox_available():
    """None when the sandbox works here, else the reason (Korean)."""
    try:
        from . import sandbox
    except ImportError as error:
        return f"샌드박스 모듈을 불러올 수 없습니다: {error}"
    try:
        sandbox.check_available()
    except sandbox.SandboxUnavailable as error:
        return str(error)
    return None


def report_names(items):
    """A unique, file-system-safe name per submission or outcome (for feedback and executed copies)."""
    counts = {}
    for item in items:
        counts[item.student] = counts.get(item.student, 0) + 1
    names = []
    for item in items:
        relative = getattr(item, "relative", None) or getattr(item, "file", "")
        base = item.student if counts[item.student] == 1 else f"{item.student}__{relative}"
        base = re.sub(r"[^\w.\-가-힣]+", "_", base).strip("._") or "submission"
        names.append(base[:120])
    return names


# ---------------------------------------------------------------------------------------------
# Worker processes
# ---------------------------------------------------------------------------------------------

def _worker_main(conn, options):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")   # the reference run's TensorFlow: quiet
    from .runner import grade_submission

    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        index, item, extra = task
        conn.send((index, grade_submission(item, dict(options, **extra))))


def _failed(item, metas, reason):
    outcome = Outcome(item.student, item.path, item.relative)
    outcome.problem = reason
    zero_rows(outcome, metas, reason)
    return outcome


def _run_pool(items, names, options, workers, metas, progress):
    """Grades `items` in `workers` processes; a worker that dies or overruns is replaced."""
    # "spawn", never "fork": a fork of a process with threads (TensorFlow's, IPython's history
    # thread, pytest-xdist's) can copy a held lock into the child, which then waits forever; seen in
    # the test command, where a grading batch hung with its workers idle.
    context = multiprocessing.get_context("spawn")
    pending = deque(range(len(items)))
    results = {}
    pool = []

    def spawn():
        parent, child = context.Pipe()
        process = context.Process(target=_worker_main, args=(child, options), daemon=True)
        process.start()
        child.close()
        return {"process": process, "conn": parent, "task": None, "since": 0.0}

    def finish(worker, index, outcome):
        worker["task"] = None
        results[index] = outcome
        if progress:
            progress(outcome)

    limit = options["timeout"] + WORKER_MARGIN
    try:
        pool = [spawn() for _ in range(max(1, min(workers, len(items))))]
        while pending or any(w["task"] is not None for w in pool):
            for worker in pool:
                if worker["task"] is None and pending:
                    index = pending.popleft()
                    extra = {"report_name": names[index]}
                    worker["conn"].send((index, items[index], extra))
                    worker["task"], worker["since"] = index, time.monotonic()
            busy = [w for w in pool if w["task"] is not None]
            multiprocessing.connection.wait([w["conn"] for w in busy] + [w["process"].sentinel for w in busy],
                                            timeout=1)
            for position, worker in enumerate(pool):
                index = worker["task"]
                if index is None:
                    continue
                reason = None
                if worker["conn"].poll():
                    try:
                        got, outcome = worker["conn"].recv()
                        finish(worker, got, outcome)
                        continue
                    except (EOFError, OSError):
                        reason = "채점 작업자 프로세스가 죽었습니다(제출물이 채점기를 끝내려 했을 수 있습니다)."
                elif not worker["process"].is_alive():
                    reason = "채점 작업자 프로세스가 죽었습니다(제출물이 채점기를 끝내려 했을 수 있습니다)."
                elif time.monotonic() - worker["since"] > limit:
                    reason = f"채점이 {limit:g}초 안에 끝나지 않아 이 제출물의 채점을 멈췄습니다."
                if reason:
                    worker["process"].kill()
                    worker["process"].join(10)
                    finish(worker, index, _failed(items[index], metas, reason))
                    pool[position] = spawn()
    finally:
        for worker in pool:
            try:
                worker["conn"].send(None)
            except (OSError, BrokenPipeError):
                pass
        for worker in pool:
            worker["process"].join(30)
            if worker["process"].is_alive():
                worker["process"].kill()
                worker["process"].join(10)
    return [results[i] for i in range(len(items))]


def grade_folder(folder, chapter=None, book=BOOK_CHAPTERS, timeout=300, cell_timeout=60, workers=2,
                 executed_dir=None, progress=None, sandbox=True, secret=None, assignment=None):
    """Grades every .ipynb under `folder`. Returns the list of `Outcome`s, in file order.

    `sandbox` False runs the kernels without the sandbox (only for trusted notebooks); `secret`
    (bytes, the --seed-file's content) seeds the hidden cases, else a random seed per run."""
    from . import trusted

    chapter = resolve_chapter(chapter, assignment, book)
    if sandbox:
        reason = sandbox_available()
        if reason:
            raise SystemExit(f"샌드박스를 쓸 수 없어 채점하지 않습니다: {reason}\n학생의 노트북은 믿을 수 없는 코드입니다. "
                             f"믿을 수 있는 노트북만 채점한다면 --unsafe-no-sandbox를 주세요.")
    items = find_submissions(folder)
    metas = check_metas(template(chapter, book))
    names = report_names(items)
    options = {"chapter": chapter, "book": str(book), "timeout": timeout, "cell_timeout": cell_timeout,
               "sandbox": bool(sandbox), "secret": secret if secret is not None else trusted.run_secret(),
               "single_thread": workers > 1, "executed_dir": str(executed_dir) if executed_dir else None}
    if not items:
        return []
    return _run_pool(items, names, options, workers, metas, progress)


# ---------------------------------------------------------------------------------------------
# Writing the results
# ---------------------------------------------------------------------------------------------

def csv_safe(text):
    """A field a spreadsheet shows as text, never runs as a formula (= + - @, tab, CR first)."""
    text = str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _atomic_csv(path, fields, rows):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("w", newline="", encoding="utf-8-sig") as handle:   # BOM: Excel reads the Korean
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: csv_safe(v) if k not in ("points", "max_points", "total", "max_total")
                             else v for k, v in row.items()})
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def write_csv(outcomes, path):
    """The long CSV: one row per check of each submission."""
    _atomic_csv(path, CSV_FIELDS, [row.as_dict() for outcome in outcomes for row in outcome.rows])


def wide_path(path):
    path = Path(path)
    return path.with_name(f"{path.stem}-wide{path.suffix or '.csv'}")


def write_wide_csv(outcomes, path):
    """The wide CSV an LMS imports: one row per submission, one column per exercise, the total."""
    exercises = []
    for outcome in outcomes:
        for row in outcome.rows:
            if row.exercise != "-" and row.exercise not in exercises:
                exercises.append(row.exercise)
    fields = ["student", "file"] + exercises + ["total", "max_total", "problem"]
    rows = []
    for outcome in outcomes:
        row = {"student": outcome.student, "file": outcome.file, "problem": outcome.problem,
               "total": f"{outcome.points:g}", "max_total": f"{outcome.max_points:g}"}
        row.update({e: "" for e in exercises})
        for r in outcome.rows:
            if r.exercise in row:
                row[r.exercise] = f"{r.points:g}"
        rows.append(row)
    _atomic_csv(path, fields, rows)


def write_feedback(outcomes, folder):
    """One text file per submission: every exercise's points and feedback, to hand back."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for outcome, name in zip(outcomes, report_names(outcomes)):
        lines = [f"{outcome.student}: {outcome.points:g} / {outcome.max_points:g}점 ({outcome.file})", ""]
        if outcome.problem:
            lines += [f"전체: {outcome.problem}", ""]
        for row in outcome.rows:
            lines += [f"[{row.exercise}] {row.points:g} / {row.max_points:g}점", row.feedback, ""]
        (folder / f"{name}.txt").write_text("\n".join(lines), encoding="utf-8")


def _short_problem(problem):
    for mark in ("(", ":", ". "):
        if mark in problem:
            problem = problem.split(mark)[0]
    return problem.strip()


def duplicates(outcomes):
    """{student: [files]} for names that more than one submission has."""
    files = {}
    for outcome in outcomes:
        files.setdefault(outcome.student, []).append(outcome.file)
    return {name: found for name, found in files.items() if len(found) > 1}


def summary(outcomes, seconds, workers):
    """The printed summary: one line per submission, the mean per exercise, the problems."""
    lines = [f"채점한 제출물 {len(outcomes)}개, {seconds:.1f}초 (작업자 {workers}개)"]
    if not outcomes:
        return "\n".join(lines + ["채점할 .ipynb 파일이 없습니다."])
    width = max(len(o.student) + len(o.file) for o in outcomes) + 5
    lines += ["", f"{'학생 (파일)':<{width - 2}}  점수"]
    for outcome in sorted(outcomes, key=lambda o: (o.student, o.file)):
        flag = f"  - {_short_problem(outcome.problem)}" if outcome.problem else ""
        label = f"{outcome.student} ({outcome.file})"
        lines.append(f"{label:<{width}}{outcome.points:g} / {outcome.max_points:g}{flag}")
    for name, files in duplicates(outcomes).items():
        lines.append(f"주의: 이름이 같은 제출물이 여럿입니다: {name} ({', '.join(files)}). 따로 채점했습니다.")
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
                                     description="제출된 노트북을 샌드박스에서 실행하고 채점기 안에서 채점해 CSV로 씁니다.")
    parser.add_argument("submissions", help="제출된 .ipynb 파일이 있는 폴더(하위 폴더 포함) 또는 파일 하나")
    parser.add_argument("--chapter", help="장 이름(예: 04_convolution). 제출물에 적힌 장은 쓰지 않습니다.")
    parser.add_argument("--assignment", help="`assign`이 쓴 과제 파일(<장>.assignment.json): 장을 여기서 읽습니다.")
    parser.add_argument("--out", default="grades.csv", help="결과 CSV, 확인 셀마다 한 줄 (기본: grades.csv)")
    parser.add_argument("--wide", help="제출물마다 한 줄인 CSV (기본: OUT 옆의 grades-wide.csv)")
    parser.add_argument("--feedback", help="제출물마다 피드백 텍스트 파일을 쓸 폴더")
    parser.add_argument("--executed", help="실행한 사본을 저장할 폴더(검토용)")
    parser.add_argument("--seed-file", help="숨은 사례를 뽑을 비밀 파일(강좌의 비밀). 없으면 실행마다 무작위로 뽑습니다.")
    parser.add_argument("--timeout", type=float, default=300, help="노트북 하나의 시간 제한, 초 (기본 300)")
    parser.add_argument("--cell-timeout", type=float, default=60, help="셀 하나의 시간 제한, 초 (기본 60)")
    parser.add_argument("--workers", type=int, default=2, help="동시에 채점할 노트북 수 (기본 2)")
    parser.add_argument("--book", default=str(BOOK_CHAPTERS), help="장 노트북 폴더 (기본: book/chapters)")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="샌드박스 없이 실행합니다. 믿을 수 있는 노트북에만 쓰세요.")
    args = parser.parse_args(argv)
    secret = None
    if args.seed_file:
        try:
            secret = Path(args.seed_file).read_bytes()
        except OSError as error:
            raise SystemExit(f"--seed-file {args.seed_file}을(를) 읽을 수 없습니다: {error}") from None
        if len(secret) < 16:
            raise SystemExit("--seed-file의 비밀이 너무 짧습니다(16바이트 이상). 예: head -c 32 /dev/urandom > secret")
    if args.unsafe_no_sandbox:
        print("경고: 샌드박스 없이 채점합니다(--unsafe-no-sandbox). 학생의 코드가 이 컴퓨터의 권한으로 실행됩니다.",
              file=sys.stderr)
    started = time.monotonic()

    def progress(outcome):
        flag = f" - {outcome.problem}" if outcome.problem else ""
        print(f"  {outcome.student} ({outcome.file}): {outcome.points:g}/{outcome.max_points:g} "
              f"({outcome.seconds:.1f}초){flag}", flush=True)

    outcomes = grade_folder(args.submissions, chapter=args.chapter, book=args.book, timeout=args.timeout,
                            cell_timeout=args.cell_timeout, workers=args.workers, executed_dir=args.executed,
                            progress=progress, sandbox=not args.unsafe_no_sandbox, secret=secret,
                            assignment=args.assignment)
    wide = args.wide or wide_path(args.out)
    write_csv(outcomes, args.out)
    write_wide_csv(outcomes, wide)
    if args.feedback:
        write_feedback(outcomes, args.feedback)
    print()
    print(summary(outcomes, time.monotonic() - started, args.workers))
    print(f"\nCSV: {args.out}, {wide}" + (f", 피드백: {args.feedback}" if args.feedback else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
