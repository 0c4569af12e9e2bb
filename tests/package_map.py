"""Which `cnn_utils` modules each chapter uses, read from the chapters' imports (test_package_map.py).

A name imported from the package (``from cnn_utils import conv2d``) counts for the module that
defines it (`cnn_utils.ops`); a module imported by name counts for itself and for the modules that
define the names taken from it.
"""

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "book" / "chapters"


def _code(cell_source):
    """A code cell's Python, without IPython's magics and shell lines."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in cell_source.splitlines())


def _defining_module(package_module, name):
    """The short name ("ops", "viz.plotting") of the module that defines `name`."""
    module = importlib.import_module(package_module)
    value = getattr(module, name)
    if inspect.ismodule(value):
        return value.__name__.removeprefix("cnn_utils.")
    home = getattr(value, "__module__", None)
    if (inspect.isfunction(value) or inspect.isclass(value)) and home and home.startswith("cnn_utils"):
        return home.removeprefix("cnn_utils.")
    for info in pkgutil.walk_packages(importlib.import_module("cnn_utils").__path__, "cnn_utils."):
        source = Path(importlib.import_module(info.name).__file__).read_text(encoding="utf-8")
        if re.search(rf"^{re.escape(name)}\s*(:[^=]*)?=", source, re.MULTILINE):   # a constant
            return info.name.removeprefix("cnn_utils.")
    raise LookupError(f"cannot tell which cnn_utils module defines {package_module}.{name}")


def chapter_modules(path):
    """The sorted short names of the `cnn_utils` modules chapter `path` imports from."""
    nb = nbformat.read(path, as_version=4)
    used = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(_code(cell.source))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cnn_utils"):
                if node.module != "cnn_utils":
                    used.add(node.module.removeprefix("cnn_utils."))
                used.update(_defining_module(node.module, alias.name) for alias in node.names)
            elif isinstance(node, ast.Import):
                used.update(alias.name.removeprefix("cnn_utils.") for alias in node.names
                            if alias.name.startswith("cnn_utils."))
    # a subpackage's own __init__ only re-exports: count the modules, not the package
    packages = {info.name.removeprefix("cnn_utils.") for info in
                pkgutil.iter_modules(importlib.import_module("cnn_utils").__path__, "cnn_utils.")
                if info.ispkg}
    return sorted(used - packages)


def book_map():
    """{chapter file stem: [module, ...]} for every chapter notebook."""
    return {path.stem: chapter_modules(path) for path in sorted(CHAPTERS.glob("*.ipynb"))}


if __name__ == "__main__":
    for chapter, modules in book_map().items():
        print(f"    {chapter:22s} {', '.join(modules)}")
