"""Lecture slides from the chapters: `python3 tasks.py slides 04_convolution` (or `--all`).

A chapter becomes a reveal.js deck (`_build/slides/<chapter>.html`) through nbconvert's
SlidesExporter. The deck is not a dump of every cell: `plan_deck` chooses what goes on the slides
and writes it as the standard Jupyter slide metadata (`slideshow.slide_type`: slide, subslide,
fragment, "-", notes, skip) that nbconvert reads.

The default rule, for a chapter without slide metadata:

- the chapter title is the first slide, and its "이 장을 마치면" list the second;
- every `##` heading starts a slide and every `###` heading a subslide; the sections 준비 and
  연습 문제 (and every exercise, solution and check cell) are left out;
- display math, short tables and the lists of 요약 are kept; prose paragraphs go to the speaker
  notes (key S in the deck), except a short first paragraph right under a heading;
- a figure cell (mystnb.figure metadata) is kept without its code, each of its images on a slide
  of its own with the caption; a short code cell (at most CODE_LINES lines and a text output of at
  most OUTPUT_LINES lines, none longer than CODE_WIDTH characters) is kept with its output; long code, set-up cells and cells whose output changes from run to run are left out;
- a slide that would overflow 1280x720 continues on a subslide under the same heading.

Slide metadata in a cell overrides the rule for that cell:

- `slideshow.slide_type` (Jupyter's own key, also set by Jupyter's slide-show toolbar): "skip" leaves
  the cell out, "notes" makes it speaker notes, and "slide", "subslide", "fragment" or "-" keep the
  whole cell (a code cell with its code and outputs) as that kind of slide part;
- `slides.text`: the markdown shown on the slide instead of the cell's text (slide-only text, as
  d2l marks it); the cell's own text goes to the speaker notes;
- `slides.input`: false hides a kept code cell's code, true shows a figure cell's code.

The decks work offline: reveal.js, MathJax 2 (what nbconvert's template drives), require.js and
jQuery are installed with npm (`VENDOR_PACKAGES`, into `_build/slides-vendor`, git-ignored) and
copied into `_build/slides/lib`, beside the decks, which refer to them by relative URLs.
"""

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "book" / "chapters"
OUT = ROOT / "_build" / "slides"
VENDOR = ROOT / "_build" / "slides-vendor"
TEMPLATE_DIR = Path(__file__).resolve().parent / "slides_template"
VENDOR_PACKAGES = {"reveal.js": "5.2.1", "mathjax": "2.7.9", "requirejs": "2.3.8", "jquery": "3.7.1"}
WIDTH, HEIGHT = 1280, 720

CODE_LINES = 8          # the longest code cell the default rule keeps
OUTPUT_LINES = 10       # ... and its longest text output
CODE_WIDTH = 90         # ... and its longest line, in characters
TABLE_ROWS = 10         # the longest table it keeps
SHORT_TEXT = 260        # a paragraph that may stand under a heading with nothing else
BUDGET = 15.0           # how much fits on one slide, in lines of body text (see _height)
FIGURE_HEIGHT = 11.0    # a figure with its caption, in the same lines
DROPPED_SECTIONS = ("준비", "연습 문제")
EXERCISE_TAGS = {"solution", "check", "remove-cell", "nbval-ignore-output"}
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "notes", "skip"}


# ---------------------------------------------------------------------------------------------
# Markdown: split a cell into blocks, and turn the book's MyST into plain Markdown

@dataclass
class Block:
    kind: str           # heading, paragraph, list, math, table, directive, other
    text: str
    level: int = 0      # a heading's level


def markdown_blocks(source):
    """The top-level blocks of a markdown cell, with their source text, in order."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    parser = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin)
    lines = source.splitlines()
    blocks = []
    for token in parser.parse(source):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        text = "\n".join(lines[token.map[0]:token.map[1]]).strip("\n")
        if token.type == "heading_open":
            blocks.append(Block("heading", text, int(token.tag[1])))
        elif token.type == "paragraph_open":
            blocks.append(Block("math" if re.fullmatch(r"\$\$.*\$\$(\s*\(\S+\))?", text, re.S)
                                else "paragraph", text))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            blocks.append(Block("list", text))
        elif token.type.startswith("math_block"):
            blocks.append(Block("math", text))
        elif token.type == "table_open":
            blocks.append(Block("table", text))
        elif token.type == "fence":
            blocks.append(Block("directive" if re.match(r"`{3,}\s*\{", text) else "other", text))
        else:
            blocks.append(Block("other", text))
    return blocks


def plain_markdown(text):
    """The book's MyST made plain for the slides: glossary links become their words, roles
    ({numref} and the like) their text, and a display equation's label is dropped."""
    text = re.sub(r"\[([^\]]+)\]\((?:<#[^>]*>|#[^)\s]*)\)", r"\1", text)
    text = re.sub(r"\{numref\}`[^`]*`", "그림", text)
    text = re.sub(r"\{[a-z:-]+\}`([^`<]*?)\s*(?:<[^>]*>)?`", r"\1", text)
    text = re.sub(r"(\$\$)\s*\(\S+\)", r"\1", text)
    return text


def heading_title(block):
    return block.text.lstrip("#").strip()


# ---------------------------------------------------------------------------------------------
# The plan: which cells, cut how, on which slides

@dataclass
class Planner:
    """Collects the deck's cells and decides where slides break (the default rule)."""

    cells: list = field(default_factory=list)
    used: float = 0.0           # how much of the current slide is filled
    heading: str = ""           # the current section's heading, repeated on its subslides
    dropping: bool = False      # inside 준비 or 연습 문제

    def add(self, cell, slide_type, height):
        if slide_type in ("slide", "subslide"):
            self.used = 0.0
        elif slide_type in ("-", "fragment") and self.used + height > BUDGET and self.used > 2.5:
            if self.heading:                               # continue under the same heading
                self.cells.append(nbformat.v4.new_markdown_cell(
                    self.heading, metadata={"slideshow": {"slide_type": "subslide"}}))
                self.used = 2.0
            else:
                slide_type = "subslide"
                self.used = 0.0
        cell.metadata["slideshow"] = {"slide_type": slide_type}
        self.cells.append(cell)
        if slide_type != "notes":
            self.used += height

    def notes(self, text, promote=False):
        last = self.cells[-1] if self.cells else None
        if (promote and last is not None and last.source.startswith("##") and len(text) <= SHORT_TEXT
                and last.metadata["slideshow"]["slide_type"] in ("slide", "subslide")
                and not text.startswith(("```", "<"))):
            self.add(nbformat.v4.new_markdown_cell(text), "-", _lines(text))
            return                          # a heading alone: its first short paragraph joins it
        if last is not None and last.metadata["slideshow"]["slide_type"] == "notes":
            self.cells[-1].source += "\n\n" + text
        elif self.cells:
            self.add(nbformat.v4.new_markdown_cell(text), "notes", 0)


def _lines(text, width=70):
    return sum(1 + len(line) // width for line in text.splitlines() or [""])


def _height(block):
    """How much of a slide a block fills, in lines of body text (the code's lines are smaller)."""
    if block.kind == "heading":
        return 2.0 if block.level <= 2 else 1.5
    if block.kind == "math":
        return 1.5 + 1.2 * block.text.count("\\\\") + 0.5 * block.text.count("\\frac")
    return float(_lines(block.text))


def _text_outputs(cell):
    """The text of a code cell's outputs, or None when one is not plain text (HTML, markdown)."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("display_data", "execute_result"):
            data = output.get("data", {})
            if set(data) - {"text/plain"}:
                return None
            parts.append(data.get("text/plain", ""))
        else:
            return None
    return "".join(parts)


def _figure_caption(cell):
    return cell.metadata.get("mystnb", {}).get("figure", {}).get("caption")


def _has_image(cell):
    return any(key.startswith("image/") for output in cell.get("outputs", [])
               for key in output.get("data", {}))


def _caption_cell(caption):
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    inline = MarkdownIt("commonmark").use(
        dollarmath_plugin, renderer=lambda content, options: "$" + html.escape(content) + "$")
    rendered = inline.renderInline(plain_markdown(caption))
    return nbformat.v4.new_markdown_cell(f'<p class="slide-caption">{rendered}</p>')


def _images(cell):
    """A figure cell's image outputs, one by one (each goes on a slide of its own)."""
    return [output for output in cell.outputs
            if any(key.startswith("image/") for key in output.get("data", {}))]


def _slide_meta(cell):
    meta = cell.metadata.get("slides", {})
    if not isinstance(meta, dict):
        raise TypeError(f"cell {cell.get('id')}: metadata 'slides' is {meta!r}; expected a dict "
                        "such as {\"text\": \"...\"} or {\"input\": false}")
    slide_type = cell.metadata.get("slideshow", {}).get("slide_type")
    if slide_type is not None and slide_type not in SLIDE_TYPES:
        raise ValueError(f"cell {cell.get('id')}: slideshow.slide_type is {slide_type!r}; "
                         f"expected one of {sorted(SLIDE_TYPES)}")
    return slide_type, meta


def _plan_markdown(cell, planner, slide_type, meta, first):
    blocks = markdown_blocks(cell.source)
    if slide_type is not None or "text" in meta:            # the metadata decides
        if slide_type == "skip":
            return
        if slide_type == "notes":
            planner.notes(plain_markdown(cell.source))
            return
        headings = [b for b in blocks if b.kind == "heading" and b.level <= 2]
        if headings:
            planner.heading = "#" * headings[-1].level + " " + heading_title(headings[-1])
            planner.dropping = heading_title(headings[-1]) in DROPPED_SECTIONS
        text = meta.get("text", cell.source)
        shown = nbformat.v4.new_markdown_cell(plain_markdown(text))
        planner.add(shown, slide_type or "-",
                    sum(_height(b) for b in markdown_blocks(text)))
        if "text" in meta:
            planner.notes(plain_markdown(cell.source))
        return
    objectives = False
    for block in blocks:
        text = plain_markdown(block.text)
        if block.kind == "heading":
            title = heading_title(block)
            if block.level == 1 and first:
                planner.add(nbformat.v4.new_markdown_cell(text), "slide", _height(block))
                continue
            if block.level <= 2:
                planner.dropping = title in DROPPED_SECTIONS
                planner.heading = "" if planner.dropping else text
            if planner.dropping:
                continue
            planner.add(nbformat.v4.new_markdown_cell(text),
                        "slide" if block.level <= 2 else "subslide", _height(block))
        elif planner.dropping or block.kind == "directive":
            continue
        elif first and block.kind == "paragraph" and "이 장을 마치면" in block.text:
            planner.add(nbformat.v4.new_markdown_cell(text), "subslide", _height(block))
            objectives = True
        elif block.kind in ("math",) or (block.kind == "table"
                                         and block.text.count("\n") - 1 <= TABLE_ROWS) or (
                block.kind == "list" and (objectives or planner.heading.endswith("요약"))):
            planner.add(nbformat.v4.new_markdown_cell(text), "-", _height(block))
        else:
            planner.notes(text, promote=True)


def _plan_code(cell, planner, slide_type, meta):
    tags = set(cell.metadata.get("tags", []))
    figure = _has_image(cell) and _figure_caption(cell) is not None
    show_input = meta.get("input", not figure)
    if slide_type is None:                                  # the default rule
        if planner.dropping or tags & EXERCISE_TAGS - ({"nbval-ignore-output"} if figure else set()):
            return
        if "google.colab" in cell.source:
            return
        if figure:
            slide_type = "-"
        else:
            outputs = _text_outputs(cell)
            lines = cell.source.splitlines() + outputs.splitlines() if outputs is not None else []
            if (outputs is None or len(cell.source.splitlines()) > CODE_LINES
                    or len(outputs.splitlines()) > OUTPUT_LINES
                    or max(map(len, lines), default=0) > CODE_WIDTH):
                return
            slide_type = "-"
    if slide_type == "skip":
        return
    if figure and not show_input:
        for image in _images(cell):                         # each image on a slide of its own
            if planner.used > 2.5:
                planner.used = BUDGET
            kept = nbformat.v4.new_code_cell(cell.source, metadata={"tags": ["slides-hide-input"]})
            kept.outputs = [image]
            planner.add(kept, slide_type, FIGURE_HEIGHT)
            caption = _caption_cell(_figure_caption(cell))
            caption.metadata["slideshow"] = {"slide_type": "-"}
            planner.cells.append(caption)
            slide_type = "-"
        return
    kept = nbformat.v4.new_code_cell(cell.source, execution_count=cell.get("execution_count"))
    kept.outputs = cell.outputs
    if not show_input:
        kept.metadata["tags"] = ["slides-hide-input"]
    outputs = _text_outputs(kept) or ""
    height = ((0.8 * len(cell.source.splitlines()) if show_input else 0)
              + 0.8 * len(outputs.splitlines()) + (FIGURE_HEIGHT if _has_image(cell) else 0))
    planner.add(kept, slide_type, height)


def plan_deck(notebook):
    """The notebook of the deck: the chapter's cells chosen and cut for slides, with
    `slideshow.slide_type` metadata on every cell (see the module docstring for the rules)."""
    if not isinstance(notebook, nbformat.NotebookNode):
        raise TypeError(f"plan_deck takes a notebook read with nbformat; received "
                        f"{type(notebook).__name__}")
    planner = Planner()
    for index, cell in enumerate(notebook.cells):
        slide_type, meta = _slide_meta(cell)
        if cell.cell_type == "markdown":
            _plan_markdown(cell, planner, slide_type, meta, first=index == 0)
        elif cell.cell_type == "code":
            _plan_code(cell, planner, slide_type, meta)
    if not planner.cells:
        raise ValueError("the chapter gave no slides: its cells are all left out")
    planner.cells[0].metadata["slideshow"] = {"slide_type": "slide"}
    deck = nbformat.v4.new_notebook(cells=planner.cells, metadata=notebook.metadata)
    return deck


# ---------------------------------------------------------------------------------------------
# reveal.js and MathJax, installed by npm and copied beside the decks

def vendor_modules():
    """The npm packages the decks need, installed into VENDOR when a version is missing."""
    modules = VENDOR / "node_modules"
    missing = [name for name, version in VENDOR_PACKAGES.items()
               if not (modules / name / "package.json").is_file()
               or json.loads((modules / name / "package.json").read_text())["version"] != version]
    if missing:
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("슬라이드에는 npm이 필요합니다(reveal.js와 MathJax를 설치합니다): "
                     "apt-get install npm 으로 설치하세요.")
        VENDOR.mkdir(parents=True, exist_ok=True)
        specs = [f"{name}@{version}" for name, version in VENDOR_PACKAGES.items()]
        print("+ npm install", " ".join(specs), flush=True)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-save",
                        "--prefix", str(VENDOR), *specs], check=True)
    return modules


# What of MathJax 2 the decks use: TeX input, CommonHTML output, its TeX web fonts.
MATHJAX_SKIP = ("unpacked", "test", "docs", "*.md", "fonts/HTML-CSS/[!T]*", "fonts/HTML-CSS/TeX/[!w]*",
                "jax/output/[!C]*", "jax/output/CommonHTML/fonts/[!T]*")


def copy_libraries(out):
    """Copies reveal.js, MathJax, require.js and jQuery into out/lib (once per version)."""
    modules = vendor_modules()
    lib = out / "lib"
    stamp = lib / "versions.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == VENDOR_PACKAGES:
        return lib
    shutil.rmtree(lib, ignore_errors=True)
    lib.mkdir(parents=True)
    reveal = modules / "reveal.js"
    for part in ("dist", "plugin/notes"):
        shutil.copytree(reveal / part, lib / "reveal.js" / part,
                        ignore=shutil.ignore_patterns("*.map", "*.esm.js"))
    mathjax = modules / "mathjax"
    skip = [mathjax / pattern for pattern in MATHJAX_SKIP]

    def ignore(folder, names):
        return [name for name in names if any(Path(folder, name).match(str(s)) for s in skip)]

    shutil.copytree(mathjax, lib / "mathjax", ignore=ignore)
    shutil.copy(modules / "requirejs" / "require.js", lib / "require.js")
    shutil.copy(modules / "jquery" / "dist" / "jquery.min.js", lib / "jquery.min.js")
    stamp.write_text(json.dumps(VENDOR_PACKAGES))
    return lib


# ---------------------------------------------------------------------------------------------
# The deck

def exporter():
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.SlidesExporter.reveal_url_prefix = "lib/reveal.js"
    config.SlidesExporter.reveal_width = str(WIDTH)
    config.SlidesExporter.reveal_height = str(HEIGHT)
    config.SlidesExporter.reveal_transition = "none"
    config.SlidesExporter.reveal_number = "c/t"
    config.SlidesExporter.reveal_theme = "white"
    config.SlidesExporter.mathjax_url = "lib/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    config.SlidesExporter.require_js_url = "lib/require.js"
    config.SlidesExporter.jquery_url = "lib/jquery.min.js"
    config.SlidesExporter.exclude_input_prompt = True
    config.SlidesExporter.exclude_output_prompt = True
    config.SlidesExporter.extra_template_paths = [str(TEMPLATE_DIR)]
    config.SlidesExporter.template_file = "cnn_slides.html.j2"
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_input_tags = {"slides-hide-input"}
    return SlidesExporter(config=config)


def chapter_path(name):
    """The notebook of a chapter named like 04_convolution (or its path)."""
    path = Path(name)
    if not path.suffix:
        path = CHAPTERS / f"{name}.ipynb"
    if not path.is_file():
        known = ", ".join(p.stem for p in sorted(CHAPTERS.glob("*.ipynb")))
        raise ValueError(f"no chapter {name!r}: expected one of {known}")
    return path


def build_deck(name, out=OUT):
    """Writes out/<chapter>.html; returns its path and its number of slides."""
    path = chapter_path(name)
    deck = plan_deck(nbformat.read(path, as_version=4))
    copy_libraries(out)
    body, _ = exporter().from_notebook_node(deck, resources={"metadata": {"name": path.stem}})
    target = out / f"{path.stem}.html"
    target.write_text(body, encoding="utf-8")
    slides = sum(c.metadata["slideshow"]["slide_type"] in ("slide", "subslide") for c in deck.cells)
    return target, slides


def _size(path):
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() \
        else path.stat().st_size


def main(argv=None):
    parser = argparse.ArgumentParser(prog="tasks.py slides",
                                     description="장을 강의용 reveal.js 슬라이드로 만듭니다.")
    parser.add_argument("chapters", nargs="*", help="장 이름(예: 04_convolution)")
    parser.add_argument("--all", action="store_true", help="모든 장")
    parser.add_argument("--out", type=Path, default=OUT, help=f"출력 폴더(기본: {OUT})")
    args = parser.parse_args(argv)
    names = [p.stem for p in sorted(CHAPTERS.glob("*.ipynb"))] if args.all else args.chapters
    if not names:
        parser.error("장 이름을 주거나 --all을 붙이세요")
    for name in names:
        started = time.perf_counter()
        try:
            target, slides = build_deck(name, args.out)
        except ValueError as error:
            sys.exit(str(error))
        print(f"[slides] {target}: 슬라이드 {slides}장, {_size(target) / 1e6:.1f} MB, "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    print(f"[slides] 라이브러리 {args.out / 'lib'}: {_size(args.out / 'lib') / 1e6:.1f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
