"""Korean text in matplotlib figures, locally and in Colab, with a font that ships as a package.

matplotlib's default font (DejaVu Sans) has no Hangul: a Korean title prints a "Glyph ... missing
from font(s) DejaVu Sans" warning and draws empty boxes. Colab has no Korean system font either, so
the book takes its font from a PyPI package that installs with ``cnn_utils``: the NanumGothic file
inside ``koreanize-matplotlib``. Only the font *file* is used; the package itself is never imported
(its import changes the global font and, in its last release, needs ``distutils``, which Python 3.12
no longer has).

``import cnn_utils`` calls :func:`use_korean_font` once. It registers NanumGothic with matplotlib and
adds it *after* the current families in ``rcParams["font.family"]``. matplotlib (3.6 and newer)
falls back glyph by glyph along that list, so Latin letters, digits and the minus sign keep the
default font and only Hangul is drawn with NanumGothic.
"""

import dataclasses
import importlib.util
import warnings
from pathlib import Path

KOREAN_FONT_FAMILY = "NanumGothic"
KOREAN_FONT_PACKAGE = "koreanize_matplotlib"
_FONT_FILE = "NanumGothic.ttf"


def korean_font_path():
    """Path of the packaged Korean font file (NanumGothic).

    Returns:
        pathlib.Path: the ``.ttf`` file inside the installed ``koreanize-matplotlib`` package,
        found without importing that package.

    Raises:
        FileNotFoundError: if the package or its font file is not installed.

    >>> korean_font_path().name
    'NanumGothic.ttf'
    """
    spec = importlib.util.find_spec(KOREAN_FONT_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        path = Path(folder) / "fonts" / _FONT_FILE
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"Korean font file {_FONT_FILE} not found: got package {KOREAN_FONT_PACKAGE!r} at "
        f"{folders or 'nowhere'}, expected it to contain fonts/{_FONT_FILE}. Fix: "
        "pip install koreanize-matplotlib (a dependency of cnn_utils).")


def use_korean_font(rc=None):
    """Makes matplotlib draw Hangul with NanumGothic, keeping the default font for everything else.

    Registers the packaged font with matplotlib's font manager (once) and appends its family name to
    ``rc["font.family"]`` unless it is already there. Safe to call again.

    Args:
        rc: the ``RcParams`` to change; ``None`` means ``matplotlib.rcParams``.

    Returns:
        list[str]: the new ``font.family`` list.

    Raises:
        FileNotFoundError: if the font package is missing (see :func:`korean_font_path`).

    >>> families = use_korean_font()
    >>> families[-1]
    'NanumGothic'
    >>> use_korean_font() == families            # a second call changes nothing
    True
    """
    import matplotlib
    from matplotlib import font_manager

    path = korean_font_path()
    known = {Path(entry.fname).resolve() for entry in font_manager.fontManager.ttflist}
    if path.resolve() not in known:
        font_manager.fontManager.addfont(str(path))
    # The bold face too, registered as weight 700: its file says 600, and a bold title would then
    # print "findfont: Failed to find font weight bold for NanumGothic, now using 600".
    bold = path.with_name("NanumGothicBold.ttf")
    if bold.is_file() and bold.resolve() not in known:
        entry = font_manager.ttfFontProperty(font_manager.get_font(str(bold)))
        font_manager.fontManager.ttflist.append(dataclasses.replace(entry, weight=700))
    rc = matplotlib.rcParams if rc is None else rc
    families = rc["font.family"]
    families = [families] if isinstance(families, str) else list(families)
    if KOREAN_FONT_FAMILY not in families:
        families.append(KOREAN_FONT_FAMILY)
        rc["font.family"] = families
    return list(rc["font.family"])


def _use_korean_font_on_import():
    """Called once by ``import cnn_utils``: a missing font warns instead of breaking the import."""
    try:
        use_korean_font()
    except FileNotFoundError as error:
        warnings.warn(f"cnn_utils: Korean text in figures will not render. {error}", stacklevel=3)


_use_korean_font_on_import()
