"""python -m course_tools assign ... | grade ... (see course_tools.assign and course_tools.grade)."""

import sys

from . import assign, grade

COMMANDS = {"assign": assign.main, "grade": grade.main}


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print("사용법: python -m course_tools assign [장 ...] [--out 폴더]\n"
              "        python -m course_tools grade 제출물_폴더 --chapter 장 [--out grades.csv] [--seed-file 비밀]\n"
              "                                    [--unsafe-no-sandbox]",
              file=sys.stderr)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
