"""Showing the package's own code inside a chapter, so the book never keeps a second copy.

Used in chapters 1, 4, 5, 7, 8, 9, 10, 11 and 12.
"""

import ast
import inspect
import textwrap


def source(obj, docstring=False):
    """Source code of a function or class (anything `inspect` can read).

    Args:
        obj: the function or class.
        docstring: keep the docstring (default: leave it out; the code is the point).

    Returns:
        str.

    Example:
        >>> print(source(source).splitlines()[0])
        def source(obj, docstring=False):
    """
    text = textwrap.dedent(inspect.getsource(obj))
    if docstring:
        return text
    body = ast.parse(text).body[0].body
    first = body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
            and isinstance(first.value.value, str):
        lines = text.splitlines(keepends=True)
        text = "".join(lines[:first.lineno - 1] + lines[first.end_lineno:])
    return text


def show_source(obj, docstring=False):
    """Displays `source(obj)` as a highlighted Python block, in Jupyter and in the HTML book.

    Args:
        obj: the function or class.
        docstring: keep the docstring.
    """
    from IPython.display import Markdown, display

    display(Markdown(f"```python\n{source(obj, docstring)}```"))
