"""The PDF book (`python3 tasks.py pdf`): both editions complete, the student's without solutions.

The test command builds both PDFs (tasks.build_pdf) before pytest runs; marked `book`, so
`test --quick` leaves these out. They read _build/pdf: the PDFs through pdftotext (poppler-utils),
and each edition's LaTeX log and table of contents.
"""

import re
import subprocess
import unicodedata

import pytest
import yaml

import tasks
from course_tools import exercises as fmt

pytestmark = pytest.mark.book

ROOT = tasks.ROOT
# An overfull line may stick out of the text block by at most this much: 10 pt is 3.5 mm, about two
# characters of the code font, well inside the page's 25 mm side margin, so nothing is cut off and
# it hardly shows. A wide table or an unwrapped code line is 50-250 pt over: that is what this catches.
OVERFULL_LIMIT_PT = 10.0
# A solution's line is taken as its sign when it is at least this long once normalized: shorter
# lines ("x = 1") could be printed elsewhere in the book too.
SIGN_LENGTH = 16


def normalized(text):
    """Text as compared: NFKC (no ligatures), no whitespace (line breaks fall anywhere in the
    PDF), no marks of wrapped code lines (␣ where a line broke at a space, ↪ where it goes on),
    plain quotes."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "↪": None,
                                         "␣": None}))
    return re.sub(r"\s+", "", text)


def book_files():
    """The book's source files in _toc.yml's order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]] + [chapter["file"] for part in toc["parts"] for chapter in part["chapters"]]
    return [next(path for path in (ROOT / f"{name}.ipynb", ROOT / f"{name}.md") if path.exists())
            for name in names]


def notebooks():
    return [(path, fmt.read(path)) for path in book_files() if path.suffix == ".ipynb"]


def first_heading(path):
    """A page's title: its first "# " heading."""
    if path.suffix == ".ipynb":
        text = "\n".join(cell.source for cell in fmt.read(path).cells if cell.cell_type == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    return next(line[2:].strip() for line in text.splitlines() if line.startswith("# "))


def outputs_text(cell):
    """A cell's text outputs (show_source's is Markdown), without terminal colour codes."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        for kind in ("text/plain", "text/markdown"):
            parts.append("".join(output.get("data", {}).get(kind, "")))
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(parts))


def split_cells(nb):
    """(solution texts, the rest of the notebook's text): a solution is everything from its
    solution-start to its solution-end, prose, code and outputs."""
    solutions, rest, current = [], [], None
    for cell in nb.cells:
        start = fmt.solution_start(cell)
        if start is not None:
            current = [start[1]]
            solutions.append(current)
            if fmt.solution_end(cell) is not None:
                current = None
            continue
        if current is not None:
            end = fmt.solution_end(cell)
            current.append(end if end is not None else cell.source)
            current.append(outputs_text(cell))
            if end is not None:
                current = None
            continue
        rest.append(cell.source)
        rest.append(outputs_text(cell))
    return ["\n".join(solution) for solution in solutions], "\n".join(rest)


def signs_of(solution, elsewhere):
    """The solution's lines that only it has: long enough, printed as written (no Markdown or
    math markup, no table drawn with box characters), and found nowhere else in the book."""
    signs = []
    for line in solution.splitlines():
        line = re.sub(r"^(?:[-+]|\d+\.)\s+", "", line.strip().lstrip("#").strip())  # list marks
        if re.search(r"[`*$\\\[\]{}|<>\u2500-\u257f]", line) or line.startswith((":", "```")):
            continue
        sign = normalized(line)
        if len(sign) >= SIGN_LENGTH and sign not in elsewhere:
            signs.append(sign)
    return signs


@pytest.fixture(scope="module")
def solution_signs():
    """For each exercise that has a solution: (its label, the lines that show its solution)."""
    pages = [path.read_text(encoding="utf-8") for path in book_files() if path.suffix == ".md"]
    split = [(nb, *split_cells(nb)) for _, nb in notebooks()]
    elsewhere = normalized("\n".join(pages + [rest for _, _, rest in split]))
    found = []
    for nb, solutions, _ in split:
        labels = [exercise.label for exercise in fmt.exercises(nb)]
        for label, solution in zip(labels, solutions):
            found.append((label, signs_of(solution, elsewhere)))
    return found


def latex_log(edition):
    return (tasks.PDF_DIR / f"{tasks.PDF_NAME}-{edition}.log").read_text(encoding="utf-8",
                                                                        errors="replace")


def pdf_text(edition):
    """The text of the PDF's text blocks: its running heads and page numbers left out, so that a
    paragraph broken across two pages reads on (cnnbook.sty logs where the text block is)."""
    path = tasks.pdf_path(edition)
    if not path.exists():
        pytest.fail(f"{path} is missing: `python3 tasks.py pdf` builds it (the test command does "
                    f"before it runs the tests); its LaTeX output is in {tasks.PDF_DIR}.")
    top, height = (float(points) * 72 / 72.27 for points in re.search(
        r"cnnbook text block: top\s+([\d.]+)pt, height ([\d.]+)pt", latex_log(edition)).groups())
    crop = ["-x", "0", "-y", str(int(top - 4)), "-W", "2000", "-H", str(int(height + 8))]
    # -layout: the lines as printed (without it, pdftotext reads a table's columns one by one).
    command = ["pdftotext", "-layout", "-enc", "UTF-8", *crop, path, "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module", params=tasks.PDF_EDITIONS)
def edition(request):
    return request.param


@pytest.fixture(scope="module")
def texts():
    return {edition: pdf_text(edition) for edition in tasks.PDF_EDITIONS}


def test_no_missing_character(edition):
    missing = sorted({line.strip() for line in latex_log(edition).splitlines()
                      if line.startswith("Missing character")})
    assert not missing, f"{edition}: fonts lack characters the book prints:\n" + "\n".join(missing[:20])


def test_no_line_runs_off_the_page(edition):
    """Wide tables and code wrap or shrink: no overfull line over OVERFULL_LIMIT_PT."""
    log = latex_log(edition)
    wide = [(float(points), where) for points, where in
            re.findall(r"^Overfull \\hbox \(([\d.]+)pt too wide\) (.*)$", log, re.M)
            if float(points) > OVERFULL_LIMIT_PT]
    assert not wide, f"{edition}: lines wider than the text by more than {OVERFULL_LIMIT_PT} pt " \
                     f"(see {tasks.PDF_DIR}/{tasks.PDF_NAME}-{edition}.log): {wide[:10]}"


def test_no_undefined_reference(edition):
    log = latex_log(edition)
    assert "There were undefined references" not in log
    assert not re.search(r"Reference `[^']*' on page \d+ undefined", log)


def test_every_chapter_title_is_in_both_editions_with_its_korean_number(texts):
    for path in book_files()[1:]:                       # the root page's title is the book's
        title = first_heading(path)
        match = re.match(r"(\d+)\.\s+(.*)", title)
        expected = f"{int(match.group(1))}장{match.group(2)}" if match else title
        for edition, text in texts.items():
            assert normalized(expected) in normalized(text), f"{edition}: no {expected!r} ({path.name})"


def test_the_pdf_words_are_korean(texts):
    for edition, text in texts.items():
        assert "목차" in text, edition
        for english in ("Contents", "Chapter", "Part I"):
            assert english not in text, f"{edition}: {english!r}"


def test_one_section_numbering_the_htmls(edition):
    """LaTeX numbers chapters only (as the file names do); sections keep the numbers their
    headings carry ("4.1 합성곱이란"), so no entry of the table of contents is numbered twice."""
    toc = (tasks.PDF_DIR / edition / f"{tasks.PDF_NAME}.toc").read_text(encoding="utf-8")
    toc = toc.replace(r"\sphinxhyphen {}", "-")
    chapters = re.findall(r"\\contentsline \{chapter\}\{\\numberline \{(\d+)\}", toc)
    expected = [str(int(path.stem[:2])) for path in book_files() if path.suffix == ".ipynb"]
    assert chapters == expected
    assert not re.search(r"\\contentsline \{(?:sub)*section\}\{\\numberline", toc)
    sections = {normalized(title) for title in
                re.findall(r"\\contentsline \{section\}\{([^}]*)\}", toc)}
    for path, nb in notebooks():
        for cell in nb.cells:
            for heading in re.findall(r"^## (\d+\.\d+ [^`*$\\\n]*)$", cell.source, re.M):
                assert normalized(heading) in sections, f"{edition}: no section {heading!r}"


def test_every_exercise_is_in_both_editions(texts):
    for _, nb in notebooks():
        for exercise in fmt.exercises(nb):
            heading = normalized(f"연습 {exercise.number} ({exercise.title})")
            for edition, text in texts.items():
                assert heading in normalized(text), f"{edition}: no exercise {exercise.number}"


def test_check_cells_show_their_result_and_not_their_code(texts):
    for _, nb in notebooks():
        for cell in nb.cells:
            if not fmt.is_check_cell(cell):
                continue
            result = normalized(outputs_text(cell).splitlines()[0])
            code = max((normalized(line) for line in cell.source.splitlines()
                        if not line.startswith(("#", "from ", "import "))), key=len)
            for edition, text in texts.items():
                assert result in normalized(text), f"{edition}: no check result {result!r}"
                assert code not in normalized(text), f"{edition}: check cell code {code!r}"


def test_the_student_edition_has_no_solution_and_the_instructors_has_all(texts, solution_signs):
    student, instructor = normalized(texts["student"]), normalized(texts["instructor"])
    assert sum(bool(signs) for _, signs in solution_signs) >= 0.9 * len(solution_signs), \
        "too few solutions have a line of their own to look for"
    for label, signs in solution_signs:
        shown = [sign for sign in signs if sign in student]
        assert not shown, f"the student edition shows the solution of {label}: {shown[:3]}"
        assert all(sign in instructor for sign in signs), \
            f"the instructor edition lacks the solution of {label}: " \
            f"{[sign for sign in signs if sign not in instructor][:3]}"
    for _, nb in notebooks():                        # the box's title: "연습 4.1 (제목)의 풀이"
        for exercise in fmt.exercises(nb):
            box = normalized(f"연습 {exercise.number} ({exercise.title})의 풀이")
            assert box in instructor and box not in student, box
