"""How large a figure's text is in the HTML book: measured when a notebook shows a figure.

The book is read in a browser, where a figure wider than the content column is scaled down to fit
it. A label of 8 points in a figure 14 inches wide is then a few pixels tall. This module measures
the smallest text of every figure a notebook shows, so that `tests/test_legibility.py` can compute
the size it will have on the page from the stored notebook alone, without running anything:

    displayed px = smallest font (px in the PNG) * min(natural width, column width) / PNG width

`record_figure_text` wraps IPython's PNG formatter for matplotlib figures. While the figure is saved,
it notes the size of every piece of text matplotlib actually draws (titles, labels, tick labels,
legends, annotations; not the labels of hidden axes), and stores the smallest, with every distinct
text drawn, in the output's metadata under ``"cnn_utils"``. `import cnn_utils` turns it on when the environment variable
``CNN_UTILS_RECORD_FIGURE_TEXT`` is ``1``: `tasks.py execute` and the tests set it, so a reader's
Jupyter or Colab is left as it is. `animate_conv` stores the same record for its animation.

Used by every chapter's figures through `tasks.py execute`; the check is `tests/test_legibility.py`.
"""

import contextlib
import os
import struct

RECORD_ENV_VAR = "CNN_UTILS_RECORD_FIGURE_TEXT"
METADATA_KEY = "cnn_utils"
# The smallest text the book allows, in CSS pixels as displayed in a 1280 px wide window.
MIN_DISPLAYED_PX = 9.0
# How much of a figure's text the record keeps (a heat map of numbers can draw hundreds of labels).
MAX_TEXTS = 400
MAX_TEXT_CHARS = 80


@contextlib.contextmanager
def drawn_texts():
    """Collects (text, size in pixels) of every non-empty text matplotlib draws inside the block.

    Sizes are in the pixels of the image being drawn (points * dpi / 72 of the renderer), so they
    hold for any dpi the figure is saved at.

    Yields:
        list of (str, float) pairs, filled while figures are drawn in the block.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> fig, ax = plt.subplots(dpi=72)
        >>> _ = ax.set_title("제목", fontsize=12)
        >>> ax.set_axis_off()
        >>> with drawn_texts() as texts:
        ...     fig.canvas.draw()
        >>> texts
        [('제목', 12.0)]
    """
    from matplotlib.text import Text

    drawn = []
    original = Text.draw

    def draw(self, renderer):
        text = self.get_text()
        if self.get_visible() and text.strip() and renderer is not None:
            drawn.append((text, float(renderer.points_to_pixels(self.get_fontsize()))))
        return original(self, renderer)

    Text.draw = draw  # Annotation.draw and every Tick label go through Text.draw
    try:
        yield drawn
    finally:
        Text.draw = original


def png_size(data):
    """(width, height) in pixels of PNG bytes, read from the PNG header.

    Example:
        >>> png_size(b"\\x89PNG\\r\\n\\x1a\\n" + b"\\x00\\x00\\x00\\rIHDR" + struct.pack(">II", 640, 480))
        (640, 480)
    """
    if not isinstance(data, (bytes, bytearray)) or data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        raise ValueError(f"png_size expects the bytes of a PNG image; received "
                         f"{type(data).__name__} starting {bytes(data[:8])!r}.")
    return struct.unpack(">II", bytes(data[16:24]))


def text_record(texts, image_width, display_width=None):
    """The metadata stored with a figure: its smallest text and the image's width.

    Args:
        texts: (text, size in image pixels) pairs, as `drawn_texts` collects them.
        image_width: int, width of the image in its own pixels.
        display_width: width the page shows it at when nothing scales it (CSS pixels); default
            `image_width` (a retina image declares half its pixel width).

    Returns:
        dict with "smallest_font_px" (image pixels), "smallest_text", "image_width",
        "display_width" and "texts" (every distinct text drawn, sorted, at most `MAX_TEXTS` of them,
        each cut to `MAX_TEXT_CHARS` characters: `tests/test_figure_language.py` reads them to find
        English words); the font entries are None when the figure has no text.

    Example:
        >>> text_record([("a", 13.9), ("b", 11.1), ("a", 12.0)], 800)  # doctest: +NORMALIZE_WHITESPACE
        {'smallest_font_px': 11.1, 'smallest_text': 'b', 'image_width': 800, 'display_width': 800,
         'texts': ['a', 'b']}
    """
    smallest = min(texts, key=lambda pair: pair[1]) if texts else (None, None)
    distinct = sorted({text.strip()[:MAX_TEXT_CHARS] for text, _ in texts})
    return {"smallest_font_px": None if smallest[1] is None else round(smallest[1], 2),
            "smallest_text": smallest[0], "image_width": int(image_width),
            "display_width": int(display_width or image_width), "texts": distinct[:MAX_TEXTS]}


def displayed_font_px(record, column_width):
    """The smallest text of a recorded figure in CSS pixels, in a content column `column_width` wide.

    The browser shows an image at its natural width, or scaled down to the column if it is wider.

    Args:
        record: dict from `text_record`.
        column_width: width of the content column in CSS pixels.

    Returns:
        float, or None when the figure has no text.

    Example:
        >>> displayed_font_px(text_record([("conv1", 11.1)], 1411), 672)  # scaled to 672 px
        5.29
    """
    if not isinstance(record, dict) or "smallest_font_px" not in record:
        raise ValueError(f"displayed_font_px expects a record made by text_record; received "
                         f"{record!r}.")
    if record["smallest_font_px"] is None:
        return None
    shown = min(record["display_width"], column_width)
    return round(record["smallest_font_px"] * shown / record["image_width"], 2)


def _recording(formatter):
    """Wraps an IPython PNG formatter of figures so that it also returns the text record."""
    def format_figure(fig):
        with drawn_texts() as texts:
            result = formatter(fig)
        if result is None:  # an empty figure: nothing shown
            return None
        data, metadata = result if isinstance(result, tuple) else (result, {})
        raw = data
        if isinstance(data, str):  # IPython hands PNGs over base64-encoded
            import base64

            raw = base64.b64decode(data)
        width, _ = png_size(raw)
        record = text_record(texts, width, (metadata or {}).get("width"))
        return data, dict(metadata or {}, **{METADATA_KEY: record})

    format_figure.cnn_utils_recording = True
    return format_figure


def record_figure_text(shell=None):
    """Makes every matplotlib figure IPython shows carry the record of its smallest text.

    Call it once in a notebook kernel (`import cnn_utils` does when ``CNN_UTILS_RECORD_FIGURE_TEXT``
    is ``1``). The PNG is unchanged; the output's metadata gains
    ``{"image/png": {"cnn_utils": {"smallest_font_px": ..., ...}}}``. Outside IPython it does nothing.

    Args:
        shell: the IPython shell; default the running one.

    Returns:
        bool: whether the formatter records now.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    # Load the backend now: the inline backend installs its formatters when it is imported (at the
    # first figure) and would then replace this one. switch_backend closes open figures: only
    # when there are none.
    if not plt.get_fignums():
        plt.switch_backend(plt.get_backend())
    png = shell.display_formatter.formatters["image/png"]
    try:
        current = png.lookup_by_type(Figure)
    except KeyError:
        return False
    if not getattr(current, "cnn_utils_recording", False):
        png.for_type(Figure, _recording(current))
    return True


def _record_on_import():
    """Called by ``import cnn_utils``: records figure text when the test environment asks for it."""
    if os.environ.get(RECORD_ENV_VAR) == "1":
        record_figure_text()
