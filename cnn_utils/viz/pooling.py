"""Pictures of pooling (chapter 6): every window on the input, and the output cell each window
gives. Titles are in Korean, with the glossary's terms (최대 풀링, 평균 풀링, 패딩).

Used in chapter 6.
"""

import matplotlib.pyplot as plt
import numpy as np

from .plotting import show_image_values

_KINDS = ("max", "avg", "min")
_KIND_NAMES = {"max": "최대 풀링", "avg": "평균 풀링", "min": "최소 풀링"}  # the glossary's terms


def _draw_values(ax, values, cmap, norm, fmt):
    """Draws a 2-D array of any size (1x1 too) with its values and thin cell borders."""
    from matplotlib.patches import Rectangle

    show_image_values(values, ax=ax, cmap=cmap, fmt=fmt, norm=norm,
                      fontsize=12 if max(values.shape) <= 8 else 9)
    for i, j in np.ndindex(values.shape):
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="0.75", linewidth=0.5))


def pool_windows(input_hw, ksize, strides, padding):
    """Where each pooling window sits on the input, in the input's own row/column numbers.

    With "SAME" a window can reach past the image (a negative start, or an end beyond H or W);
    those cells are padding, which pooling never counts.

    Args:
        input_hw: pair (H, W), the input's height and width.
        ksize: int, or a sequence of 1, 2 or 4 ints: the window size, as `max_pool2d` takes it.
        strides: int, or a sequence of 1, 2 or 4 ints.
        padding: "VALID", "SAME", an int P or explicit pairs, as `max_pool2d` takes it.

    Returns:
        Array of shape (OH, OW, 4) of ints: (top, left, bottom, right) of each window, with
        bottom and right exclusive.

    Example:
        >>> pool_windows((2, 2), 2, 1, "SAME").tolist()  # SAME pads one row/column at the end
        [[[0, 0, 2, 2], [0, 1, 2, 3]], [[1, 0, 3, 2], [1, 1, 3, 3]]]
    """
    from .._validation import pool_padding_spec, spatial_pair
    from ..shapes import conv_geometry

    op = "pool_windows"
    k_hw = spatial_pair(ksize, "ksize", op, "tf.nn.max_pool2d")
    s_hw = spatial_pair(strides, "strides", op, "tf.nn.max_pool2d")
    padding = pool_padding_spec(op, "tf.nn.max_pool2d", padding, k_hw)
    pads, out_hw = conv_geometry(input_hw, k_hw, s_hw, padding, op=op)   # checks input_hw too
    axes = []
    for (before, _), n_out, k, s in zip(pads, out_hw, k_hw, s_hw):
        starts = np.arange(n_out) * s - before
        axes.append((starts, starts + k))
    (top, bottom), (left, right) = axes
    oh, ow = len(top), len(left)
    return np.stack([np.repeat(top[:, None], ow, 1), np.repeat(left[None, :], oh, 0),
                     np.repeat(bottom[:, None], ow, 1), np.repeat(right[None, :], oh, 0)], axis=-1)


def show_pooling(image, ksize=2, strides=2, padding="VALID", kinds=_KINDS, fmt="{:g}",
                 cmap="Blues", size=2.4):
    """Shows a small image with its pooling windows, and the pooled outputs side by side.

    The first panel is the image with its values; each window is outlined in its own colour, and
    with "SAME" the padded cells are drawn hatched and empty (pooling never counts them). Then one
    panel per kind of pooling, computed by `max_pool2d`, `avg_pool2d` or `min_pool2d`: each output
    cell is framed in the colour of the window it came from.

    Args:
        image: 2-D array (H, W), or (1, H, W, 1).
        ksize: int, or a sequence of 1, 2 or 4 ints: the window size.
        strides: int, or a sequence of 1, 2 or 4 ints.
        padding: "VALID" or "SAME"; an int P or explicit pairs too, as `max_pool2d` takes them,
            unless `kinds` holds "avg" (`avg_pool2d`, like TensorFlow's, takes only the strings).
        kinds: which poolings to show, in order, among "max", "avg" and "min".
        fmt: format string for the values.
        cmap: matplotlib colour map of the cells.
        size: height of the input panel in inches.

    Returns:
        The matplotlib Figure.

    Example:
        >>> fig = show_pooling(np.array([[4., 3.], [2., 1.]]), 2, 1, "SAME", kinds=("max", "avg"))
        >>> [ax.get_title() for ax in fig.axes]
        ['입력 2×2, SAME 패딩', '최대 풀링 2×2', '평균 풀링 2×2']
        >>> [t.get_text() for t in fig.axes[2].texts]
        ['2.5', '2', '1.5', '1']
    """
    from matplotlib.patches import Rectangle

    from ..ops import avg_pool2d, max_pool2d, min_pool2d

    op = "show_pooling"
    x = np.asarray(image, dtype=float)
    if x.ndim == 4 and x.shape[0] == 1 and x.shape[3] == 1:
        x = x[0, :, :, 0]
    if x.ndim != 2:
        raise ValueError(
            f"{op} expects a 2-D image (H, W) or (1, H, W, 1); received shape "
            f"{np.asarray(image).shape}. Pick one channel first, e.g. maps[0, :, :, 0]."
        )
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    if not kinds or any(kind not in _KINDS for kind in kinds):
        raise ValueError(
            f"{op} expects `kinds` to be a non-empty sequence of \"max\", \"avg\" and \"min\"; "
            f"received {kinds!r}. Use e.g. kinds=(\"max\", \"avg\")."
        )
    boxes = pool_windows(x.shape, ksize, strides, padding)
    pool = {"max": max_pool2d, "avg": avg_pool2d, "min": min_pool2d}
    outs = [pool[kind](x[np.newaxis, :, :, np.newaxis], ksize, strides, padding)[0, :, :, 0]
            for kind in kinds]

    top, left = min(boxes[..., 0].min(), 0), min(boxes[..., 1].min(), 0)
    bottom, right = max(boxes[..., 2].max(), x.shape[0]), max(boxes[..., 3].max(), x.shape[1])
    padded = (bottom - top, right - left)
    oh, ow = boxes.shape[:2]
    cell = size / max(padded)
    # Every panel draws its cells at the same size; a small output gets room for its title.
    widths = [padded[1]] + [max(ow, 1.2 / cell)] * len(kinds)
    norm = plt.Normalize(x.min(), x.max())  # one colour scale: equal values, equal colours
    fig, axes = plt.subplots(1, 1 + len(kinds), constrained_layout=True,
                             gridspec_kw={"width_ratios": widths},
                             figsize=(cell * sum(widths) + 0.3 * len(widths), size + 0.5))

    ax = axes[0]
    _draw_values(ax, x, cmap, norm, fmt)
    ax.set_xlim(left - 0.5, right - 0.5)
    ax.set_ylim(bottom - 0.5, top - 0.5)
    for i in range(top, bottom):  # the padding: cells outside the image
        for j in range(left, right):
            if not (0 <= i < x.shape[0] and 0 <= j < x.shape[1]):
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="whitesmoke",
                                       edgecolor="0.6", hatch="//", linewidth=0.5))
    has_padding = padded != x.shape
    padding_name = ", SAME 패딩" if isinstance(padding, str) else ", 패딩"
    ax.set_title(f"입력 {x.shape[0]}×{x.shape[1]}" + (padding_name if has_padding else ""))

    colours = plt.get_cmap("tab10").colors
    overlap = ((oh > 1 and boxes[1, 0, 0] < boxes[0, 0, 2])
               or (ow > 1 and boxes[0, 1, 1] < boxes[0, 0, 3]))
    for index, (t, l, b, r) in enumerate(boxes.reshape(-1, 4)):
        # Overlapping windows get different insets so that every outline stays visible.
        inset = 0.06 + (0.07 * (index % 4) if overlap else 0)
        ax.add_patch(Rectangle((l - 0.5 + inset, t - 0.5 + inset), r - l - 2 * inset,
                               b - t - 2 * inset, fill=False, linewidth=2.5,
                               edgecolor=colours[index % len(colours)]))

    for ax, width, kind, out in zip(axes[1:], widths[1:], kinds, outs):
        _draw_values(ax, out, cmap, norm, fmt)
        extra = (width - ow) / 2
        ax.set_xlim(-0.5 - extra, ow - 0.5 + extra)
        ax.set_ylim(padded[0] - 0.5, -0.5)  # the same height as the input: cells of equal size
        for index, (i, j) in enumerate(np.ndindex(oh, ow)):
            ax.add_patch(Rectangle((j - 0.44, i - 0.44), 0.88, 0.88, fill=False, linewidth=2.5,
                                   edgecolor=colours[index % len(colours)]))
        ax.set_title(f"{_KIND_NAMES[kind]} {oh}×{ow}")
    for ax in axes:
        ax.set_axis_off()
    return fig
