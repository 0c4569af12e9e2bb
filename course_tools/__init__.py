"""Instructor tools for the book "CNN 구현": assignments from the chapters' exercises, and grading.

- `course_tools.exercises`: the exercise format of the chapter notebooks (what is an exercise, its
  solution, its scaffold, its check cells) and the two notebooks built from a chapter: the student
  notebook and the instructor key.
- `course_tools.assign`: `python -m course_tools assign [chapter ...]` writes both for some or all
  chapters.
- `course_tools.grade`: `python -m course_tools grade SUBMISSIONS` executes every submitted notebook
  in a fresh kernel with a time limit and writes one CSV row per exercise check.
- `course_tools.slides`: `python -m course_tools.slides [chapter ...] [--all]` (`python3 tasks.py
  slides`) turns chapters into reveal.js decks for lecturing, chosen by slide metadata or a default
  rule, with reveal.js and MathJax copied beside them.

These run on the instructor's machine and are not part of `cnn_utils`, which students install.
"""
