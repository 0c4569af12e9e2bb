"""Builds the assignment files of some or all chapters: the student notebook and the instructor key.

    python -m course_tools assign [04_convolution ...] [--out _build/assignments]

writes OUT/student/<chapter>.ipynb, OUT/key/<chapter>.ipynb and OUT/student/<chapter>.assignment.json
(the chapter, its checks and points: what `grade --assignment` reads the chapter from, instead of
trusting a submission) for every chapter that has graded exercises (all chapters when none is named). A chapter can be named by its file name
("04_convolution", "04_convolution.ipynb", "book/chapters/04_convolution.ipynb") or its number ("4").
"""

import argparse
import json
import sys
from pathlib import Path

import nbformat

from . import exercises as fmt

ROOT = Path(__file__).resolve().parent.parent
BOOK_CHAPTERS = ROOT / "book" / "chapters"
DEFAULT_OUT = ROOT / "_build" / "assignments"


def resolve(names, book=BOOK_CHAPTERS):
    """Chapter notebook paths for the names given (all chapters for none)."""
    available = sorted(Path(book).glob("*.ipynb"))
    if not names:
        return available
    paths = []
    for name in names:
        stem = Path(name).stem
        matches = [p for p in available if p.stem == stem]
        if not matches and stem.isdigit():
            matches = [p for p in available if p.stem.split("_")[0].lstrip("0") == stem.lstrip("0")]
        if not matches:
            known = ", ".join(p.stem for p in available)
            raise SystemExit(f"장 {name!r}를 찾을 수 없습니다. 있는 장: {known}")
        paths += matches
    return paths


def build_chapter(path, out):
    """Writes the student notebook and the key of one chapter; returns (student path, key path, summary)."""
    nb = fmt.read(path)
    problems = fmt.validate(nb)
    if problems:
        raise SystemExit(f"{path}: 연습 문제 형식 오류\n  " + "\n  ".join(problems))
    chapter = Path(path).stem
    found = fmt.exercises(nb)
    written = []
    for role in ("student", "key"):
        target = Path(out) / role / f"{chapter}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(fmt.build(nb, role, chapter), str(target))
        written.append(target)
    assignment = Path(out) / "student" / f"{chapter}.assignment.json"
    assignment.write_text(json.dumps({"chapter": chapter, "points": sum(e.points for e in found),
                                      "checks": [{"check": c.id, "exercise": c.exercise, "points": c.points}
                                                 for e in found for c in e.checks]},
                                     ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    graded = [e for e in found if e.checks]
    summary = (f"{chapter}: 연습 문제 {len(found)}개, 채점 {len(graded)}개, "
               f"만점 {sum(e.points for e in found):g}점")
    return written[0], written[1], summary


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 tasks.py assign",
                                     description="장의 연습 문제로 학생용 노트북과 교사용 정답 노트북을 만듭니다.")
    parser.add_argument("chapters", nargs="*", help="장 이름 또는 번호 (없으면 모든 장)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help=f"출력 폴더 (기본: {DEFAULT_OUT.relative_to(ROOT)})")
    parser.add_argument("--book", default=str(BOOK_CHAPTERS), help="장 노트북 폴더")
    args = parser.parse_args(argv)
    for path in resolve(args.chapters, args.book):
        nb = fmt.read(path)
        if not any(fmt.is_check_cell(c) for c in nb.cells):
            print(f"{path.stem}: 채점할 연습 문제가 없어 건너뜁니다.")
            continue
        student, key, summary = build_chapter(path, args.out)
        print(f"{summary}\n  학생용: {student}\n  정답:   {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
