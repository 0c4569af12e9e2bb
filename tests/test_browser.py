"""The built HTML book in a real browser: Debian's chromium, headless, driven by Playwright.

The test serves `_build/html` on 127.0.0.1 (a free port, from a thread) and opens every page with the
network cut off: any request that does not go to that server is blocked and fails the page (MathJax
and every other asset must come with the book). On each page it checks that every image and asset
loads, that there are no console errors, that equations are typeset, that code cells have a working
copy button, that the Colab and download buttons point where they should, and that the
animations play. It saves full-page screenshots to `_build/screenshots/` (every page 1280 px wide;
the intro and every chapter also at phone width, 390 px, where nothing may widen the page), and
checks the Korean search: 합성곱, 패딩, 풀링 and 스트라이드 each list
the chapter that teaches the term first, and every page that uses the term, with or without a
particle attached, among the results (`_build/screenshots/search-results.json`).

`python3 tasks.py test` builds the book first; run alone, this test needs `python3 tasks.py book`.
Chromium comes from Debian (`apt-get install chromium`; tasks.py and .ci/run install it as root);
Playwright's own browser download (`playwright install`) is never used.
"""

import functools
import html.parser
import http.server
import json
import os
import re
import shutil
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from book_glossary import GLOSSARY_DOC, load_glossary  # noqa: E402

pytestmark = pytest.mark.book      # the built book in a browser: not in `tasks.py test --quick`

HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SEARCH_TERMS = ["합성곱", "패딩", "풀링", "스트라이드"]
# The same searches typed with a particle, and in English: the same chapter must come first.
SEARCH_VARIANTS = {"합성곱의": "합성곱", "패딩을": "패딩", "풀링은": "풀링", "스트라이드가": "스트라이드",
                   "padding": "패딩", "pooling": "풀링"}
HANGUL = "\uac00-\ud7a3"


def _pages():
    """Every HTML page of the build, as paths relative to _build/html (none when not built)."""
    if not HTML.is_dir():
        return ["<book not built>"]
    skip = {"_static", "_sources", "_images"}
    return sorted(str(p.relative_to(HTML)) for p in HTML.rglob("*.html")
                  if not skip.intersection(p.relative_to(HTML).parts))


def _require_book():
    if not (HTML / "index.html").is_file():
        pytest.fail(f"{HTML} is missing: build the book first with `python3 tasks.py book` "
                    "(`python3 tasks.py test` builds it before the tests)")


def _chromium():
    path = os.environ.get("CNN_BOOK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("chromium is not installed: `apt-get install chromium` (Debian's package; "
                    "`python3 tasks.py test` installs it when run as root), or set "
                    "CNN_BOOK_CHROMIUM to a Chromium executable")
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    _require_book()
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: it is in requirements.txt "
                    "(python3 tasks.py test installs it)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def config():
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def glossary():
    return {entry.korean: entry for entry in load_glossary(ROOT)}


class Visit:
    """A page opened in a fresh browser context that records what the page did on the network."""

    def __init__(self, browser, base, viewport=DESKTOP, **context_options):
        self.base = base
        self.external, self.failed, self.console_errors = [], [], []
        self.context = browser.new_context(viewport=viewport, locale="ko-KR",
                                           service_workers="block", **context_options)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.console_errors.append(m.text)
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console_errors.append(f"uncaught: {e}"))
        self.page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}")
                     if r.status >= 400 else None)
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.failure} {r.url}")
                     if r.url.startswith(base) else None)

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.external.append(url)
            route.abort("blockedbyclient")

    def open(self, path):
        self.page.goto(f"{self.base}/{path}", wait_until="load")
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self):
        self.context.close()


def _shot_name(path):
    return path.removesuffix(".html").replace("/", "-")


def _wait_for_images(page):
    """Loads every image (lazy ones too); returns those that failed."""
    return page.evaluate("""async () => {
        const images = [...document.images];
        images.forEach(img => { img.loading = "eager"; });
        await Promise.all(images.map(img => img.decode().catch(() => null)));
        return images.filter(img => !img.complete || img.naturalWidth === 0)
                     .map(img => img.getAttribute("src"));
    }""")


def _check_math(page):
    """Waits for MathJax; returns (typeset count, math elements left untypeset or with errors)."""
    if not page.locator(".math").count():
        return 0, []
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                           timeout=20000)
    return page.evaluate("""async () => {
        await MathJax.startup.promise;
        const maths = [...document.querySelectorAll(".math")];
        const bad = maths.filter(m => !m.querySelector("mjx-container") || m.querySelector("mjx-merror"))
                         .map(m => m.textContent.slice(0, 60));
        return [maths.length, bad];
    }""")


def _check_copy_button(page):
    """Every code cell has a copy button; clicking the first copies that cell's code."""
    cells = page.locator("div.cell_input div.highlight")
    if not cells.count():
        return 0
    missing = page.evaluate("""() => [...document.querySelectorAll("div.cell_input div.highlight")]
        .filter(d => !d.querySelector("button.copybtn")).length""")
    assert missing == 0, f"{missing} code cells have no copy button"
    first = cells.first
    first.scroll_into_view_if_needed()
    first.hover()
    first.locator("button.copybtn").click()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    code = first.locator("pre").inner_text()
    assert copied.strip() and copied.strip() == code.strip(), (copied[:200], code[:200])
    return cells.count()


def _check_animations(page):
    """Each matplotlib animation shows icons on its buttons and moves on when Play is pressed."""
    animations = page.locator("div.animation")
    for i in range(animations.count()):
        animation = animations.nth(i)
        animation.scroll_into_view_if_needed()
        buttons = animation.locator(".anim-buttons button")
        icons = animation.locator(".anim-buttons button svg")
        assert buttons.count() and icons.count() == buttons.count(), (
            f"animation {i}: {icons.count()} of {buttons.count()} buttons show an icon")
        image = animation.locator("img")
        slider = animation.locator("input.anim-slider")
        assert int(slider.evaluate("s => s.max")) >= 1, "an animation needs at least two frames"
        before = image.get_attribute("src")
        assert before and before.startswith("data:image/"), "the first frame is not shown"
        animation.locator("button[title='Play']").click()
        page.wait_for_function("([img, src]) => document.getElementById(img).src !== src",
                               arg=[image.get_attribute("id"), before], timeout=5000)
        animation.locator("button[title='Pause']").click()
    return animations.count()


@pytest.mark.parametrize("path", _pages())
def test_page_in_the_browser(path, browser, server, config):
    _require_book()
    started = time.perf_counter()
    visit = Visit(browser, server)
    visit.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    try:
        page = visit.open(path)
        broken = _wait_for_images(page)
        typeset, untypeset = _check_math(page)
        copy_cells = _check_copy_button(page)
        animations = _check_animations(page)
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(SHOTS / f"{_shot_name(path)}.png"), full_page=True)
        chapter = re.fullmatch(r"(book/chapters/[^/]+)\.html", path)
        if chapter:
            _check_chapter_buttons(page, chapter.group(1), config, visit)
        page.wait_for_load_state("networkidle")
    finally:
        visit.close()
    assert not broken, f"{path}: images that did not load: {broken}"
    assert not visit.failed, f"{path}: failed requests: {visit.failed}"
    assert not visit.external, f"{path}: requests that left the machine: {visit.external}"
    assert not visit.console_errors, f"{path}: console errors: {visit.console_errors}"
    assert not untypeset, f"{path}: equations MathJax did not typeset: {untypeset}"
    print(f"[browser] {path}: {typeset} equations, {copy_cells} code cells, {animations} "
          f"animations, {time.perf_counter() - started:.1f} s")


def _check_chapter_buttons(page, chapter, config, visit):
    owner_repo = config["repository"]["url"].removeprefix("https://github.com/")
    colab = (f"{config['launch_buttons']['colab_url']}/github/{owner_repo}/blob/"
             f"{config['repository']['branch']}/{chapter}.ipynb")
    assert page.locator(f"a[href='{colab}']").count() == 1, f"no Colab button to {colab}"
    assert page.locator(f"a[href='{config['repository']['url']}']").count() >= 1
    download = page.locator("a.btn-download-source-button")
    assert download.count() == 1, "no download (.ipynb) button"
    href = download.get_attribute("href")
    assert href.endswith(f"_sources/{chapter}.ipynb"), href
    response = visit.page.request.get(urllib.parse.urljoin(page.url, href))
    assert response.ok, f"download button {href}: HTTP {response.status}"
    notebook = response.json()              # the chapter's notebook, ready for Jupyter or Colab
    assert notebook["nbformat"] == 4 and notebook["cells"], href
    title = "".join(notebook["cells"][0]["source"]).splitlines()[0].lstrip("# ").strip()
    assert title == page.locator("article h1").first.inner_text().strip("#¶ \n"), title
    setup = next("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    assert f'"git+{config["repository"]["url"]}@v' in setup and "google.colab" in setup


# What may be wider than a phone's column, and must then scroll inside its own box.
WIDE_BOXES = ("mjx-container[display='true'], div.highlight pre, div.cell_output, figure, table, "
              ".pst-scrollable-table-container, div.animation")


def _phone_pages():
    return [p for p in _pages() if p == "book/intro.html" or p.startswith("book/chapters/")]


@pytest.mark.parametrize("path", _phone_pages())
def test_page_at_phone_width(path, browser, server):
    """At 390 px nothing widens the page: a wide formula, table, output or figure scrolls inside its
    own box (and does not just get cut off), and an animation's buttons all stay on the screen."""
    visit = Visit(browser, server, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = visit.open(path)
        assert not _wait_for_images(page)
        _check_math(page)
        report = page.evaluate("""(selector) => {
            const width = window.innerWidth;
            const scrolls = e => ["auto", "scroll"].includes(getComputedStyle(e).overflowX);
            const clipped = [...document.querySelectorAll(selector)]
                .filter(e => e.scrollWidth > e.clientWidth + 1 && !scrolls(e)
                             && !(e.parentElement && scrolls(e.parentElement)
                                  && e.parentElement.scrollWidth > e.parentElement.clientWidth + 1))
                .map(e => e.tagName.toLowerCase() + "." + (e.getAttribute("class") || "") + ": "
                          + e.textContent.trim().slice(0, 50));
            const offscreen = [...document.querySelectorAll("div.animation .anim-buttons button")]
                .filter(b => b.getBoundingClientRect().right > width + 1).length;
            // A wide figure keeps at least the scale the desktop column gives it (book.css).
            const shrunk = [...document.querySelectorAll("div.cell_output img, figure img")]
                .filter(i => !i.closest("div.animation")
                             && i.getBoundingClientRect().width < Math.min(i.naturalWidth, 560) - 1)
                .map(i => `${i.naturalWidth} px shown ${Math.round(i.getBoundingClientRect().width)} px`);
            return {overflow: document.documentElement.scrollWidth - width, clipped, offscreen, shrunk};
        }""", WIDE_BOXES)
        page.screenshot(path=str(SHOTS / f"{_shot_name(path)}-phone.png"), full_page=True)
    finally:
        visit.close()
    assert report["overflow"] <= 1, f"{path} is {report['overflow']} px wider than a phone screen"
    assert not report["clipped"], f"{path}: wider than the screen and cannot scroll: {report['clipped']}"
    assert not report["offscreen"], f"{path}: {report['offscreen']} animation buttons off the screen"
    assert not report["shrunk"], f"{path}: figures shrunk until their text is illegible: {report['shrunk']}"
    assert not visit.external and not visit.failed and not visit.console_errors


# ---------------------------------------------------------------------------------------------
# Korean search

def _search(browser, server, query):
    visit = Visit(browser, server)
    try:
        page = visit.open(f"search.html?q={urllib.parse.quote(query)}")
        page.wait_for_function("() => typeof Search !== 'undefined' && Search.status && "
                               "Search.status.innerText.trim().length > 0", timeout=20000)
        hrefs = page.evaluate("""() => [...document.querySelectorAll("#search-results ul.search > li > a")]
            .map(a => a.getAttribute("href"))""")
        page.screenshot(path=str(SHOTS / f"search-{query}.png"))
    finally:
        visit.close()
    assert not visit.external and not visit.failed and not visit.console_errors, (
        visit.external, visit.failed, visit.console_errors)
    docs = []
    for href in hrefs:
        doc = href.split("#")[0].removesuffix(".html")
        if doc not in docs:
            docs.append(doc)
    return docs


class _ArticleText(html.parser.HTMLParser):
    """The text of a page's <article>, hidden parts (folded solutions) included, scripts left out."""

    def __init__(self):
        super().__init__()
        self.depth, self.skip, self.parts = 0, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "article" or self.depth:
            self.depth += tag not in VOID_TAGS
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID_TAGS:
            self.depth -= 1
        self.skip -= tag in ("script", "style") and self.skip > 0

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
             "track", "wbr"}


@pytest.fixture(scope="module")
def page_texts():
    _require_book()
    texts = {}
    for path in _pages():
        if path.startswith("book/"):
            parser = _ArticleText()
            parser.feed((HTML / path).read_text(encoding="utf-8"))
            texts[path.removesuffix(".html")] = "".join(parser.parts)
    return texts


SEARCH_REPORT = {}


@pytest.mark.parametrize("term", SEARCH_TERMS)
def test_korean_search_lists_the_teaching_chapter_first(term, browser, server, glossary,
                                                        page_texts):
    docs = _search(browser, server, term)
    teaching = glossary[term].chapter
    assert docs, f"searching {term} found nothing"
    assert docs[0] == teaching, f"searching {term}: {docs}, expected {teaching} first"
    # Every page that uses the word, bare or with a particle (패딩, 패딩을, 패딩은 ...), is found.
    uses = {doc for doc, text in page_texts.items() if re.search(f"(?<![{HANGUL}]){term}", text)}
    with_particle_only = sorted(
        doc for doc in uses
        if not re.search(f"(?<![{HANGUL}]){term}(?![{HANGUL}])", page_texts[doc]))
    missing = sorted(uses - set(docs))
    SEARCH_REPORT[term] = {"results": docs, "pages_using_the_term": sorted(uses),
                           "pages_with_the_term_only_with_particles": with_particle_only}
    _write_search_report()
    assert not missing, f"searching {term} misses pages that use it: {missing}"


@pytest.mark.parametrize("query", sorted(SEARCH_VARIANTS))
def test_search_with_particles_or_in_english_finds_the_same_chapter(query, browser, server,
                                                                   glossary):
    docs = _search(browser, server, query)
    expected = glossary[SEARCH_VARIANTS[query]].chapter
    SEARCH_REPORT[query] = {"results": docs}
    _write_search_report()
    assert docs and docs[0] == expected, f"searching {query}: {docs}, expected {expected} first"


def test_glossary_page_is_found_but_after_the_chapter(browser, server, glossary):
    docs = _search(browser, server, "패딩")
    assert GLOSSARY_DOC in docs and docs.index(GLOSSARY_DOC) > 0, docs


def test_browser_strips_particles_exactly_like_the_index(browser, server):
    """The query side (language_data.js) and the index side (ko_search.py) must agree."""
    from ko_search import PARTICLES, strip_particles

    words = [noun + particle for noun in ["합성곱", "패딩", "스트라이드", "넓이", "고양이", "맵"]
             for particle in ("",) + PARTICLES]
    visit = Visit(browser, server)
    try:
        page = visit.open("search.html")
        in_browser = page.evaluate("words => words.map(koStripParticles)", words)
        split = page.evaluate("() => splitQuery('conv2d는 패딩을, tf.nn.conv2d')")
    finally:
        visit.close()
    assert in_browser == [strip_particles(w) for w in words]
    assert split == ["conv2d", "는", "패딩을", "tf", "nn", "conv2d"]


def _write_search_report():
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "search-results.json").write_text(
        json.dumps(SEARCH_REPORT, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
