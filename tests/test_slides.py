"""Lecture slides (course_tools/slides.py): the plan of a deck, and the decks in a browser.

The unit tests check the default rule and the metadata that overrides it on small notebooks, and
every chapter's plan. The browser test (marked `book`, so not in `tasks.py test --quick`) builds
the decks of DECKS (chapter 4 on the default rule, chapter 8 marked by slide metadata) and opens them
from file:// in Debian's chromium, headless, at 1280x720 with every request that would leave the
machine blocked. It steps through every slide and fails on a request that left the machine or
failed, a console error, an image that did not load, an equation MathJax did not typeset, or
content outside the 1280x720 slide (or cut inside a box). Screenshots of every slide go to
`_build/screenshots/slides/`.
"""

import time

import nbformat
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from course_tools import slides
from tests.test_browser import browser  # noqa: F401  (Debian's chromium, headless)

DECKS = ["04_convolution", "08_mnist_keras"]
SHOTS = slides.ROOT / "_build" / "screenshots" / "slides"


def md(source, **metadata):
    return nbformat.v4.new_markdown_cell(source, metadata=metadata)


def code(source, outputs=(), **metadata):
    cell = nbformat.v4.new_code_cell(source, metadata=metadata)
    cell.outputs = list(outputs)
    return cell


def text_output(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def image_output():
    return nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=",
                                                        "text/plain": "<Figure>"})


FIGURE = {"mystnb": {"figure": {"caption": "필터 $w$가 움직이는 모습.", "name": "fig-x"}}}


def chapter(*cells):
    return nbformat.v4.new_notebook(cells=[
        md("# 4. 합성곱 연산\n\n긴 소개 문단입니다.\n\n이 장을 마치면 다음을 할 수 있습니다.\n\n- 하나\n- 둘"),
        md("## 준비\n\n설정 셀입니다."),
        code('if "google.colab" in sys.modules:\n    pass'),
        code("import numpy as np"),
        *cells])


def plan(*cells):
    deck = slides.plan_deck(chapter(*cells))
    return [(c.cell_type, c.metadata["slideshow"]["slide_type"], c.source,
             c.metadata.get("tags", [])) for c in deck.cells]


def test_default_rule_headings_figures_math_short_code():
    cells = plan(
        md("## 4.1 합성곱이란\n\n[합성곱](#convolution)은 긴 설명입니다. " + "설명이 이어집니다. " * 30
           + "\n\n$$\ny = \\sum_i w_i x_i\n$$"),
        code("print(1 + 1)", [text_output("2\n")]),
        code("\n".join(f"x{i} = {i}" for i in range(20)), [text_output("")]),
        code("show()", [image_output()], **FIGURE),
        md("### 더 보기\n\n문단."),
        md("## 4.2 짧은 절\n\n제목 아래의 짧은 문단."),
        md("## 요약\n\n- 합성곱은 곱의 합입니다."),
        md("## 연습 문제\n\n문제를 풉니다."),
        md("```{exercise} 손으로\n:label: ex-x\n\n문제\n```"),
        code("answer = 1", [text_output("1\n")], tags=["solution"]),
        code("check(answer)", tags=["check", "remove-input"]),
    )
    shown = [(kind, slide_type, source) for kind, slide_type, source, _ in cells
             if slide_type != "notes"]
    assert shown[0] == ("markdown", "slide", "# 4. 합성곱 연산")
    assert shown[1] == ("markdown", "subslide", "이 장을 마치면 다음을 할 수 있습니다.")
    assert shown[2] == ("markdown", "-", "- 하나\n- 둘")
    assert ("markdown", "slide", "## 4.1 합성곱이란") in shown
    assert ("markdown", "-", "$$\ny = \\sum_i w_i x_i\n$$") in shown
    assert ("code", "-", "print(1 + 1)") in shown
    assert ("markdown", "subslide", "### 더 보기") in shown
    # a heading with nothing else to show keeps its first short paragraph
    assert shown[shown.index(("markdown", "slide", "## 4.2 짧은 절")) + 1] == (
        "markdown", "-", "제목 아래의 짧은 문단.")
    assert ("markdown", "-", "- 합성곱은 곱의 합입니다.") in shown
    sources = " ".join(source for _, _, source in shown)
    for left_out in ("준비", "google.colab", "import numpy", "x19 = 19", "연습 문제", "exercise",
                     "answer", "check("):
        assert left_out not in sources
    figure = next(c for c in cells if c[2] == "show()")
    assert figure[3] == ["slides-hide-input"]                  # the figure without its code
    caption = cells[cells.index(figure) + 1]
    assert caption[2] == ('<p class="slide-caption">필터 <span class="math inline">$w$</span>가 '
                          '움직이는 모습.</p>')
    notes = " ".join(source for _, slide_type, source, _ in cells if slide_type == "notes")
    assert "합성곱은 긴 설명입니다." in notes and "[합성곱]" not in notes  # glossary link made plain


def test_metadata_overrides_the_default_rule():
    cells = plan(
        md("## 4.1 합성곱이란\n\n긴 문단.", slides={"text": "## 4.1 합성곱이란\n\n- 곱의 합"},
           slideshow={"slide_type": "slide"}),
        md("슬라이드에 남길 문단.", slideshow={"slide_type": "fragment"}),
        md("$$\na = b\n$$", slideshow={"slide_type": "skip"}),
        code("\n".join(f"x{i} = {i}" for i in range(20)), [text_output("")],
             slideshow={"slide_type": "subslide"}),
        code("show()", [image_output()], slides={"input": True}, **FIGURE),
    )
    shown = [(kind, slide_type, source) for kind, slide_type, source, _ in cells]
    assert ("markdown", "slide", "## 4.1 합성곱이란\n\n- 곱의 합") in shown
    assert ("markdown", "notes", "## 4.1 합성곱이란\n\n긴 문단.") in shown
    assert ("markdown", "fragment", "슬라이드에 남길 문단.") in shown
    assert not any("a = b" in source for _, _, source in shown)
    assert any(kind == "code" and slide_type == "subslide" and "x19" in source
               for kind, slide_type, source in shown)
    figure = next(c for c in cells if c[2] == "show()")
    assert figure[3] == []                                     # slides.input shows its code


def test_a_full_slide_continues_on_a_subslide_under_its_heading():
    cells = plan(md("## 4.2 긴 절"),
                 *[code(f"print({i})\nprint({i})", [text_output(f"{i}\n{i}\n")]) for i in range(8)])
    assert [c for c in cells if c[1] == "subslide" and c[2] == "## 4.2 긴 절"]


def test_bad_slide_metadata_says_what_was_expected():
    with pytest.raises(ValueError, match="slide_type is 'page'.*expected one of"):
        plan(md("문단", slideshow={"slide_type": "page"}))
    with pytest.raises(TypeError, match="metadata 'slides' is 'yes'; expected a dict"):
        plan(md("문단", slides="yes"))
    with pytest.raises(TypeError, match="received dict"):
        slides.plan_deck({"cells": []})
    with pytest.raises(ValueError, match="no chapter '99_none': expected one of 01_ilsvrc"):
        slides.chapter_path("99_none")


def test_plain_markdown_turns_myst_into_markdown():
    text = ("[특징 맵](<#feature map>)과 [합성곱](#convolution), {numref}`fig-04-steps`, "
            "{math}`x^2`\n\n$$\na\n$$ (eq-a)")
    assert slides.plain_markdown(text) == "특징 맵과 합성곱, 그림, x^2\n\n$$\na\n$$"


@pytest.mark.parametrize("path", sorted(slides.CHAPTERS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_chapter_plans_a_deck_without_exercises(path):
    notebook = nbformat.read(path, as_version=4)
    deck = slides.plan_deck(notebook)
    kinds = [c.metadata["slideshow"]["slide_type"] for c in deck.cells]
    assert kinds[0] == "slide" and kinds.count("slide") >= 4
    shown = "\n".join(c.source for c, kind in zip(deck.cells, kinds) if kind != "notes")
    for left_out in ("{exercise}", "{solution-start}", "# 확인 셀", "google.colab", "assert "):
        assert left_out not in shown, f"{path.stem}: {left_out!r} on a slide"
    if path.stem in ("01_ilsvrc", "02_edge_filters", "08_mnist_keras"):   # the examples of it
        assert any("slideshow" in c.metadata or "slides" in c.metadata for c in notebook.cells), (
            f"{path.stem} is book/instructors.md's example of slide metadata, and has none")


# ---------------------------------------------------------------------------------------------
# The decks in a browser

# MathJax has typeset the current slide: no TeX delimiter is left in its text (outside code), and
# every equation's output has a size (MathJax re-renders a slide when it is shown).
MATH_SHOWN = """() => {
    const slide = Reveal.getCurrentSlide();
    const prose = [...slide.querySelectorAll(".jp-MarkdownOutput, .slide-caption")]
        .filter(e => !e.closest("aside.notes"));
    const raw = prose.some(e => {
        const copy = e.cloneNode(true);
        copy.querySelectorAll("code, pre, script").forEach(c => c.remove());
        return copy.textContent.includes("$");
    });
    const scripts = [...slide.querySelectorAll("script[type^='math/tex']")]
        .filter(m => !m.closest("aside.notes"));
    return !raw && scripts.every(m => {
        const frame = document.getElementById(m.id + "-Frame");
        return frame && frame.getBoundingClientRect().width > 0;
    });
}"""

OVERFLOW = """() => {
    const slide = Reveal.getCurrentSlide();
    const W = window.innerWidth, H = window.innerHeight;
    const outside = [], cut = [];
    for (const e of slide.querySelectorAll("*")) {
        if (e.closest("aside.notes, .MathJax_Preview, script, style")) continue;
        const r = e.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        const name = e.tagName.toLowerCase() + ": " + (e.textContent || e.getAttribute("src") || "").trim().slice(0, 40);
        if (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1) outside.push(name);
        const style = getComputedStyle(e);
        if (["auto", "scroll", "hidden"].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1
            || ["auto", "scroll", "hidden"].includes(style.overflowY) && e.scrollHeight > e.clientHeight + 1)
            cut.push(name);
    }
    const images = [...slide.querySelectorAll("img")].filter(i => !i.complete || i.naturalWidth === 0);
    const raw = (slide.innerText.match(/\\$\\$|\\\\frac|\\\\sum/g) || []).length;
    const errors = slide.querySelectorAll(".MathJax_Error, .mjx-error, merror").length;
    return {outside, cut, images: images.length, raw, errors,
            math: [...slide.querySelectorAll(".MathJax_CHTML")].filter(m => !m.closest("aside.notes")).length,
            index: Reveal.getIndices(), text: slide.innerText.slice(0, 30)};
}"""


@pytest.fixture(scope="module")
def decks():
    built = {}
    for name in DECKS:
        started = time.perf_counter()
        path, count = slides.build_deck(name)
        built[name] = path
        print(f"[slides] {name}: {count} slides, {path.stat().st_size / 1e6:.2f} MB, "
              f"built in {time.perf_counter() - started:.1f} s")
    return built


@pytest.mark.book
@pytest.mark.parametrize("name", DECKS)
def test_deck_in_the_browser_offline(name, decks, browser):
    external, failed, console = [], [], []
    context = browser.new_context(viewport={"width": slides.WIDTH, "height": slides.HEIGHT},
                                  locale="ko-KR", service_workers="block")

    def route(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:", "http://127.0.0.1", "http://localhost")):
            route.continue_()
        else:
            external.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(
        ("file:", "data:", "blob:", "about:", "http://127.0.0.1", "http://localhost")) else None)
    page.on("requestfailed", lambda r: failed.append(f"{r.failure} {r.url}"))
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"uncaught: {e}"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob(f"{name}-*.png"):
        old.unlink()
    problems, seen, maths = [], 0, 0
    try:
        page.goto(decks[name].as_uri(), wait_until="load")
        page.wait_for_function("() => window.Reveal && Reveal.isReady && Reveal.isReady()",
                               timeout=20000)
        page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue"
                               " && !MathJax.Hub.queue.running && !MathJax.Hub.queue.pending",
                               timeout=30000)
        total = page.evaluate("() => Reveal.getTotalSlides()")
        while True:
            page.evaluate("() => new Promise(r => MathJax.Hub.Queue(() => r()))")
            try:                            # MathJax re-renders a slide when it is shown
                page.wait_for_function(MATH_SHOWN, timeout=5000)
            except PlaywrightTimeout:
                problems.append(f"slide {seen + 1}: equations shown with no size")
            report = page.evaluate(OVERFLOW)
            if report["cut"] or report["outside"]:
                # Under load MathJax can still be laying a slide out (a span wider than its box for a
                # moment): measure again once it has settled, and report what stays.
                page.wait_for_timeout(1000)
                page.evaluate("() => new Promise(r => MathJax.Hub.Queue(() => r()))")
                report = page.evaluate(OVERFLOW)
            seen += 1
            maths += report["math"]
            page.screenshot(path=str(SHOTS / f"{name}-{seen:02d}.png"))
            for key in ("outside", "cut"):
                if report[key]:
                    problems.append(f"slide {seen} ({report['text']!r}): {key} {report[key][:3]}")
            for key in ("images", "raw", "errors"):
                if report[key]:
                    problems.append(f"slide {seen} ({report['text']!r}): {report[key]} {key}")
            if page.evaluate("() => Reveal.isLastSlide()"):
                break
            page.evaluate("() => { Reveal.configure({fragments: false}); Reveal.next(); }")
            assert seen <= total, f"{name}: stepped past the {total} slides"
    finally:
        context.close()
    print(f"[slides] {name}: {seen} slides, {maths} equations typeset, screenshots in {SHOTS}")
    assert seen == total, f"{name}: saw {seen} of {total} slides"
    assert not external, f"{name}: requests that left the machine: {external}"
    assert not failed, f"{name}: failed requests: {failed}"
    assert not console, f"{name}: console errors: {console}"
    assert not problems, f"{name}: " + "\n".join(problems)
