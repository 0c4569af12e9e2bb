"""The built book shows figures at the widths tests/test_legibility.py computes with.

At 1280 px every output image is shown at its natural width, or scaled down to the content column:
`COLUMN_WIDTH["main"]`, or `COLUMN_WIDTH["solution"]` inside a folded solution. The test opens every
chapter page in headless Chromium (the fixtures and the offline page visits of
tests/test_browser.py) and compares. If the theme changes the column, this test names the new width;
update `COLUMN_WIDTH` in tests/test_legibility.py. Needs the built book (`python3 tasks.py book`).
"""

import pytest

from tests.test_browser import DESKTOP, Visit, _pages, _wait_for_images, browser, server  # noqa: F401
from tests.test_legibility import COLUMN_WIDTH, WINDOW_WIDTH

pytestmark = pytest.mark.book      # the built book in a browser: not in `tasks.py test --quick`


def test_figures_are_shown_at_the_width_test_legibility_assumes(browser, server):  # noqa: F811
    assert DESKTOP["width"] == WINDOW_WIDTH
    visit = Visit(browser, server)
    wrong, wide, seen = [], 0, 0
    try:
        for path in _pages():
            if not path.startswith("book/chapters/"):
                continue
            page = visit.open(path)
            _wait_for_images(page)
            for image in page.evaluate("""() => [...document.querySelectorAll(".cell_output img")]
                .map(img => ({src: (img.getAttribute("src") || "").slice(0, 60),
                              natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
                              solution: !!img.closest(".solution")}))"""):
                column = COLUMN_WIDTH["solution" if image["solution"] else "main"]
                expected = min(image["natural"], column)
                seen += 1
                wide += image["natural"] > column
                if abs(image["shown"] - expected) > 1.5:
                    wrong.append(f"{path}: {image['src']} shown {image['shown']:.1f} px wide, "
                                 f"expected {expected} (natural {image['natural']})")
    finally:
        visit.close()
    assert seen >= 30 and wide, f"{seen} images, {wide} wider than the column: the check proves nothing"
    assert not wrong, ("figures not shown at the width tests/test_legibility.py assumes; measure "
                       "the column and update COLUMN_WIDTH:\n" + "\n".join(wrong))
