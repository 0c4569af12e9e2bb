"""The package docstring's chapter -> module map, and each module's docstring, agree with the chapters.

A newcomer finds a chapter's code from the map in `cnn_utils/__init__.py`; each module names the
chapters that use it (d2l's "Defined in" back-link, written by hand, checked here).
"""

import importlib
import re
from pathlib import Path

import pytest

import cnn_utils
from tests.package_map import book_map

MAP_HEADING = "Chapters and the modules they use"
CHAPTER_NUMBERS = re.compile(r"[Cc]hapters?\s+((?:\d+(?:\s*(?:,|and|or|to|-|–)\s*))*\d+)")


def documented_map():
    text = cnn_utils.__doc__
    assert MAP_HEADING in text, f"the package docstring has no section {MAP_HEADING!r}"
    block = text.split(MAP_HEADING, 1)[1].split("\n\n", 2)[1]
    rows = {}
    for line in block.splitlines():
        chapter, modules = line.split(maxsplit=1)
        rows[chapter] = [m.strip() for m in modules.split(",")]
    return rows


def chapters_named_in(docstring):
    """Every chapter number a docstring mentions ("chapter 5", "chapters 5, 6 and 8", "1 to 7")."""
    numbers = set()
    for match in CHAPTER_NUMBERS.finditer(docstring or ""):
        text = match.group(1)
        for low, high in re.findall(r"(\d+)\s*(?:to|-|–)\s*(\d+)", text):
            numbers.update(range(int(low), int(high) + 1))
        numbers.update(int(n) for n in re.findall(r"\d+", text))
    return numbers


def test_the_package_map_is_what_the_chapters_import():
    assert documented_map() == book_map()


@pytest.mark.parametrize("module", sorted({m for ms in book_map().values() for m in ms}))
def test_each_module_names_the_chapters_that_use_it(module):
    users = {int(chapter[:2]) for chapter, modules in book_map().items() if module in modules}
    doc = importlib.import_module(f"cnn_utils.{module}").__doc__
    missing = users - chapters_named_in(doc)
    assert not missing, (f"cnn_utils.{module}'s docstring does not name chapter(s) "
                         f"{sorted(missing)}, which use it: add them ('Chapters 5 and 6 use ...').")


def test_chapter_numbers_are_read_from_lists_and_ranges():
    assert chapters_named_in("Used in chapters 5, 6 and 8; chapter 9 too.") == {5, 6, 8, 9}
    assert chapters_named_in("chapters 1 to 3") == {1, 2, 3}
    assert chapters_named_in("no chapter here") == set()


def test_no_module_is_over_600_lines():
    """A module longer than that holds more than one concern: split it (CONTRIBUTING.md)."""
    root = Path(cnn_utils.__file__).parent
    long = {str(path.relative_to(root)): n for path in sorted(root.rglob("*.py"))
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 600}
    assert not long, f"cnn_utils modules over 600 lines: {long}"
