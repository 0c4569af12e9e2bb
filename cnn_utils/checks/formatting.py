"""Numbers, arrays and arguments as the Korean reports show them.

Used in chapters 1 to 7 by the checkers' reports.
"""

import math
import numbers

import numpy as np


def _fmt_number(v):
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (numbers.Integral, np.integer)):
        return str(int(v))
    if isinstance(v, (numbers.Real, np.floating)):
        v = float(v)
        if math.isfinite(v) and v == round(v) and abs(v) < 1e15:
            return f"{v:.1f}"
        return f"{v:.6g}"
    return repr(v)


def _fmt_array(a, limit=64):
    """An array as numpy prints it, rounded to 4 decimals, -0.0 shown as 0.0."""
    a = np.asarray(a)
    if a.dtype.kind in "fc":
        a = np.round(a.astype(np.float64), 4) + 0.0
    return np.array2string(a, precision=4, suppress_small=True, max_line_width=100, threshold=limit)


def _slice_text(a, index, layout):
    """The 2-D slice of a 4-D array holding `index`: [n, :, :, k] for images, [:, :, c, k] for filters."""
    if layout == "filters":
        return f"[:, :, {index[2]}, {index[3]}]", a[:, :, index[2], index[3]]
    return f"[{index[0]}, :, :, {index[3]}]", a[index[0], :, :, index[3]]


def _fmt_input(key, value, limit=25):
    """An argument: its shape, and its values when it is small (a 4-D one slice by slice)."""
    if value.ndim == 4:
        layout = "filters" if key in ("filters", "W", "kernel") else "images"
        slices = []
        for a in range(value.shape[0] if layout == "images" else value.shape[2]):
            for b in range(value.shape[3]):
                index = (a, 0, 0, b) if layout == "images" else (0, 0, a, b)
                label, part = _slice_text(value, index, layout)
                slices.append(f"{key}{label} =\n" + _indent(_fmt_array(part)))
        return slices if len(slices) <= 2 and value.shape[1] * value.shape[2] <= limit else []
    if value.size <= limit:
        return [f"{key} =\n" + _indent(_fmt_array(value))]
    return []


def _indent(text, prefix="    "):
    return "\n".join(prefix + line for line in str(text).splitlines())


def _fmt_value(v):
    if isinstance(v, np.ndarray):
        return f"(모양 {v.shape})\n" + _indent(_fmt_array(v))
    if isinstance(v, (tuple, list)) and all(isinstance(x, (numbers.Number, np.number)) for x in v):
        return "(" + ", ".join(_fmt_number(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, (numbers.Number, np.number)):
        return _fmt_number(v)
    return repr(v)


def _shorten(text, limit=200):
    return text if len(text) <= limit else text[:limit] + " ..."


def _describe(pairs):
    parts = []
    for key, value in pairs:
        if isinstance(value, np.ndarray):
            parts.append(f"{key} 모양 {value.shape}")
        elif isinstance(value, str):
            parts.append(f'{key}="{value}"')
        else:
            parts.append(f"{key}={value}")
    return ", ".join(parts)


def _describe_with_values(pairs):
    """The shapes, and the values of the small arrays (so a failing case can be rerun by hand)."""
    lines = [_describe(pairs)]
    for key, value in pairs:
        if isinstance(value, np.ndarray):
            lines += _fmt_input(key, value)
    return "\n".join(lines[:1] + [_indent(line, "    ") for line in lines[1:]])
