"""The HTML book loads nothing from the network: every script, style sheet, font and image is served
with the book (tests/test_browser.py blocks and reports any other request).

- MathJax: ``sphinx-mathjax-offline`` (PyPI) copies MathJax 3 into ``_static/mathjax``, and
  ``mathjax_path`` in _config.yml points there instead of the default CDN. This extension checks
  that ``mathjax_path`` stays local.
- Font Awesome: matplotlib's JavaScript animations (``to_jshtml``, e.g. the sliding-window demo of
  chapter 5) link Font Awesome 4 from a CDN for their button icons. The book's theme already ships
  Font Awesome 6, whose script draws the same ``fa fa-play`` icons, so the CDN link is removed from
  the HTML pages. The notebooks keep it (Colab and Jupyter are online).

It also keeps the pages free of console errors: sphinx-thebe (added by Jupyter Book, though the
book does not use thebe) registers its configuration script twice, and the second copy fails with
"Identifier 'THEBE_JS_URL' has already been declared". Identical scripts are kept once.
"""

from __future__ import annotations

import re

from sphinx.errors import ConfigError

#: matplotlib's animation template: <link rel="stylesheet" href="https://.../font-awesome.min.css">
FONT_AWESOME_CDN = re.compile(
    r"<link\b[^>]*\bhref=[\"']https?://[^\"']*font-awesome[^\"']*[\"'][^>]*>\s*", re.IGNORECASE)


def _check_mathjax_path(app, config) -> None:
    if "://" in config.mathjax_path or config.mathjax_path.startswith("//"):
        raise ConfigError(f"mathjax_path is {config.mathjax_path!r}: the book serves MathJax "
                          "itself (e.g. mathjax/tex-chtml.js from sphinx-mathjax-offline)")


def _drop_font_awesome_cdn(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body and "font-awesome" in body:
        context["body"] = FONT_AWESOME_CDN.sub("", body)


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    """Keeps the first of identical scripts (an inline script's filename is None or '')."""
    kept, seen = [], set()
    for script in context.get("script_files") or []:
        attributes = getattr(script, "attributes", {})
        key = (getattr(script, "filename", script) or "", tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    if kept:
        context["script_files"] = kept


def setup(app):
    app.connect("config-inited", _check_mathjax_path)
    app.connect("html-page-context", _drop_font_awesome_cdn)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)   # after the others
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
