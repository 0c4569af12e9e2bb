"""A convolution that moves: every step of a filter sliding over a small multi-channel input.

Used in chapter 5.

`conv_trace` lists, for every output value, the window it comes from and what each input channel
adds to it; `animate_conv` draws the same steps, in the picture of the CS231n convolution demo, as a
matplotlib animation embedded in HTML with its own JavaScript player. It plays in the HTML book, in
Jupyter and in Colab, without a running kernel.
"""

import itertools
import re
from collections import namedtuple

import numpy as np

from .._validation import as_numeric_array, padding_spec, spatial_pair
from ..shapes import conv_geometry
from .legibility import METADATA_KEY, drawn_texts, text_record

ConvStep = namedtuple("ConvStep", "i j k top left channel_sums bias value")
ConvStep.__doc__ = """One output value of a convolution and where it comes from.

`out[0, i, j, k] = sum(channel_sums) + bias = value`, where `channel_sums[c]` is the sum of the
elementwise products of filter k's channel c with the window whose top-left corner is at row `top`,
column `left` of the zero-padded input."""

MAX_FRAMES = 120  # one frame per output value: more would make a notebook of many megabytes

_counter = itertools.count(1)
_UUID_ID = re.compile(r"_anim_img([0-9a-f]{32})")
_FRAME = re.compile(r'(frames\[\d+\] = "data:image/png;base64,)([A-Za-z0-9+/=\\\n]+)"')


def _fewer_colours(png_base64, colours=32):
    """Re-encodes a base64 PNG frame with a palette of `colours` colours: about 4x fewer bytes.

    The frames are flat cells and text, so 32 colours look the same as millions.
    """
    import base64
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(png_base64.replace("\\\n", ""))))
    buffer = io.BytesIO()
    image.convert("RGB").quantize(colours, method=Image.Quantize.FASTOCTREE).save(buffer, "png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _prepare(op, input, filters, bias, strides, padding):
    """Validates the arguments; returns x (H, W, C), w, b (K,), strides, pads and padded x."""
    from ..ops import conv2d

    x = as_numeric_array(input, "input", op)
    if x.ndim == 4 and x.shape[0] == 1:
        x = x[0]
    if x.ndim != 3:
        raise ValueError(
            f"{op} expects one image, `input` of shape (H, W, C) or (1, H, W, C); received shape "
            f"{x.shape}. For a batch pick one image, e.g. input[:1]; for a grey image add a "
            f"channel axis, e.g. image[..., np.newaxis]."
        )
    w = as_numeric_array(filters, "filters", op)
    if w.ndim != 4:
        raise ValueError(
            f"{op} expects `filters` of shape (KH, KW, C, K); received shape {w.shape}. A single "
            f"2-D kernel becomes (KH, KW, 1, 1) with kernel[:, :, np.newaxis, np.newaxis]."
        )
    k = w.shape[3]
    if bias is None:
        b = np.zeros(k)
    else:
        b = as_numeric_array(bias, "bias", op).astype(float).reshape(-1)
        if b.shape != (k,):
            raise ValueError(
                f"{op} expects one bias per filter, `bias` of shape ({k},); received shape "
                f"{np.asarray(bias).shape}. Pass e.g. bias=np.zeros({k}) or leave it out."
            )
    stride_hw = spatial_pair(strides, "strides", op, "tf.nn.conv2d")
    spec = padding_spec(padding, op)   # "VALID", "SAME", an int P or explicit pairs
    pads = conv_geometry(x.shape[:2], w.shape[:2], stride_hw, spec, op=op).pads
    explicit = [[0, 0], list(pads[0]), list(pads[1]), [0, 0]]
    # conv2d checks channels and raises its own clear errors.
    out = conv2d(x[np.newaxis], w, stride_hw, explicit)[0] + b
    padded = np.pad(x, (pads[0], pads[1], (0, 0)))
    sums = np.stack([conv2d(x[np.newaxis, :, :, c:c + 1], w[:, :, c:c + 1, :], stride_hw, explicit)[0]
                     for c in range(x.shape[2])], axis=-1)  # (OH, OW, K, C)
    return x, w, b, stride_hw, pads, padded, out, sums


def conv_trace(input, filters, bias=None, strides=1, padding="VALID"):
    """Every output value of a convolution with the window and the per-channel sums behind it.

    The values are computed with `conv2d`, so they are exactly what `tf.nn.conv2d` gives (plus the
    bias). Steps come filter by filter, and row by row within a filter, as in the CS231n demo.

    Args:
        input: one image, array of shape (H, W, C) or (1, H, W, C).
        filters: array of shape (KH, KW, C, K).
        bias: optional array of K biases, one per filter (default: zeros).
        strides: int, or a sequence of 1, 2 or 4 ints as `tf.nn.conv2d` takes them.
        padding: "VALID", "SAME", an int P (P zeros on every side) or explicit
            [[0, 0], [top, bottom], [left, right], [0, 0]].

    Returns:
        List of `ConvStep(i, j, k, top, left, channel_sums, bias, value)` namedtuples, one per
        output value: `top`, `left` locate the window in the zero-padded input, `channel_sums` is a
        tuple of C floats, and `value == sum(channel_sums) + bias`.

    Example:
        >>> steps = conv_trace(np.arange(1., 10.).reshape(3, 3, 1), np.ones((2, 2, 1, 1)), [1.])
        >>> [(s.i, s.j, s.value) for s in steps]
        [(0, 0, 13.0), (0, 1, 17.0), (1, 0, 25.0), (1, 1, 29.0)]
    """
    _, w, b, (sh, sw), _, _, out, sums = _prepare("conv_trace", input, filters, bias, strides, padding)
    oh, ow, k = out.shape
    return [ConvStep(i, j, f, i * sh, j * sw, tuple(float(v) for v in sums[i, j, f]),
                     float(b[f]), float(out[i, j, f]))
            for f in range(k) for i in range(oh) for j in range(ow)]


def _draw_grid(ax, values, x0, y0, face, fmt, fontsize, padding_mask=None):
    """Draws a 2-D array as a table of coloured cells with their values; padding cells in grey."""
    from matplotlib.patches import Rectangle

    for (r, c), v in np.ndenumerate(values):
        colour = "#eeeeee" if padding_mask is not None and padding_mask[r, c] else face
        ax.add_patch(Rectangle((x0 + c, y0 + r), 1, 1, facecolor=colour, edgecolor="white",
                               linewidth=1))
        ax.text(x0 + c + 0.5, y0 + r + 0.5, fmt.format(v), ha="center", va="center",
                fontsize=fontsize, color="#222222")


def animate_conv(input, filters, bias=None, strides=1, padding="VALID", name=None, interval=800,
                 cell=0.3, dpi=80, fmt="{:g}"):
    """Animates a convolution: the window slides over the padded input, one output value a frame.

    The picture is the CS231n convolution demo's: the zero-padded input volume (blue, one grid per
    channel, padding in grey) on the left, the K filters (red) with their biases in the middle, the
    output volume (green) on the right. Each frame outlines one window, the filter in use and the
    output value it gives, and writes the sum underneath. The values come from `conv_trace`, that
    is from `conv2d`.

    The HTML is deterministic: matplotlib's player gets a random id on every call, which is replaced
    by one made from `name`, so re-running a notebook stores the same output (nbval compares it).
    The titles are Korean (입력, 출력); the names of the arrays (x, xp, W0, b0, out) are those of the
    code. The display metadata records the smallest text, as `cnn_utils.viz.legibility` does for
    figures. Chapter 5 shows the CS231n demo with it.

    Args:
        input: one small image, array of shape (H, W, C) or (1, H, W, C).
        filters: array of shape (KH, KW, C, K).
        bias: optional array of K biases (default: zeros).
        strides: int, or a sequence of 1, 2 or 4 ints as `tf.nn.conv2d` takes them.
        padding: "VALID", "SAME", an int P (P zeros on every side) or explicit
            [[0, 0], [top, bottom], [left, right], [0, 0]].
        name: letters, digits and underscores naming the player in the page; two animations on
            one page need different names. Default: "conv1", "conv2", ... in call order.
        interval: milliseconds per frame.
        cell: size of one grid cell in inches.
        dpi: resolution of the frames; with `cell` it sets the picture's size in bytes.
        fmt: format string for the values.

    Returns:
        `IPython.display.HTML`; its `.data` is the HTML text.

    Raises:
        ValueError: as `conv2d` does, for a bad `bias` or `name`, or for more than
            `MAX_FRAMES` output values (use a smaller input or fewer filters).

    Example:
        >>> html = animate_conv(np.ones((3, 3, 1)), np.ones((2, 2, 1, 1)), name="doc", dpi=20)
        >>> html.data.count("frames[3] =")  # 2 x 2 output values: 4 frames
        1
        >>> 'id="_anim_img_doc"' in html.data
        True
    """
    import matplotlib.pyplot as plt
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation
    from matplotlib.patches import Rectangle

    op = "animate_conv"
    if name is None:
        name = f"conv{next(_counter)}"
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise ValueError(
            f"{op} expects `name` made of letters, digits and underscores (it becomes part of a "
            f"JavaScript name); received {name!r}. Use e.g. name=\"cs231n_demo\"."
        )
    x, w, b, (sh, sw), pads, padded, out, sums = _prepare(op, input, filters, bias, strides, padding)
    steps = conv_trace(x, w, b, (sh, sw), [[0, 0], list(pads[0]), list(pads[1]), [0, 0]])
    if len(steps) > MAX_FRAMES:
        raise ValueError(
            f"{op} draws one frame per output value, at most {MAX_FRAMES}; this convolution has "
            f"{len(steps)} (output {out.shape}). Use a smaller input, fewer filters or a larger "
            f"stride, so the page stays small."
        )
    hp, wp, c = padded.shape
    kh, kw, _, k = w.shape
    oh, ow, _ = out.shape
    pitch = max(hp, kh, oh) + 1.2                 # vertical distance between two grids in a column
    gap = 1.6
    x_filters = [wp + 2.4 + f * (kw + gap) for f in range(k)]  # room for the input's title
    x_out = x_filters[-1] + kw + gap
    width = x_out + ow + 0.4
    top, rows = -1.6, max(c, k)
    y_caption = rows * pitch - 1.2 + 0.8          # below the grids and the bias line
    bottom = y_caption + 2.6                      # two caption lines
    fig = plt.figure(figsize=(width * cell, (bottom - top) * cell), dpi=dpi)
    fontsize = 0.42 * cell * 72                   # about 40 % of a cell

    def new_axes():
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(-0.2, width)
        ax.set_ylim(bottom, top)                  # y grows downwards, like array rows
        ax.set_axis_off()
        return ax

    # 1. What never changes (every grid and its numbers) is drawn once, into a picture.
    ax = new_axes()
    is_pad = np.ones((hp, wp), dtype=bool)
    is_pad[pads[0][0]:pads[0][0] + x.shape[0], pads[1][0]:pads[1][0] + x.shape[1]] = False
    title = dict(ha="left", va="bottom", fontsize=fontsize * 1.1)
    xname = "xp" if is_pad.any() else "x"         # xp: the zero-padded input
    ax.text(0, -0.3, f"입력 x {x.shape[0]}×{x.shape[1]}×{c}"
            + (f", 패딩 후 xp {hp}×{wp}×{c}" if xname == "xp" else ""), **title)
    for ch in range(c):
        _draw_grid(ax, padded[:, :, ch], 0, ch * pitch, "#cfe2f3", fmt, fontsize, is_pad)
        ax.text(-0.1, ch * pitch + hp + 0.15, f"{xname}[:, :, {ch}]", ha="left", va="top",
                fontsize=fontsize * 0.9)
    for f in range(k):
        ax.text(x_filters[f], -0.3, f"W{f}", **title)
        for ch in range(c):
            _draw_grid(ax, w[:, :, ch, f], x_filters[f], ch * pitch, "#f4cccc", fmt, fontsize)
        ax.text(x_filters[f], (c - 1) * pitch + kh + 0.3, f"b{f} = {fmt.format(b[f])}",
                ha="left", va="top", fontsize=fontsize)
    ax.text(x_out, -0.3, f"출력 {oh}×{ow}×{k}", **title)
    for f in range(k):
        _draw_grid(ax, np.zeros((oh, ow)), x_out, f * pitch, "#d9ead3", "", fontsize)
        ax.text(x_out - 0.1, f * pitch + oh + 0.15, f"out[:, :, {f}]", ha="left", va="top",
                fontsize=fontsize * 0.9)
    with drawn_texts() as background_texts:
        fig.canvas.draw()
    background = np.asarray(fig.canvas.buffer_rgba()).copy()
    ax.remove()

    # 2. Each frame draws only the few moving parts over that picture: fast, however many numbers.
    fig.figimage(background, origin="upper", zorder=-1)  # under the axes
    ax = new_axes()
    ax.patch.set_visible(False)
    out_text = [[[ax.text(x_out + j + 0.5, f * pitch + i + 0.5, "", ha="center", va="center",
                          fontsize=fontsize, color="#222222") for j in range(ow)]
                 for i in range(oh)] for f in range(k)]
    outline = dict(fill=False, linewidth=2.5)
    windows = [ax.add_patch(Rectangle((0, ch * pitch), kw, kh, edgecolor="#1f4e99", **outline))
               for ch in range(c)]
    kernels = [ax.add_patch(Rectangle((0, ch * pitch), kw, kh, edgecolor="#cc0000", **outline))
               for ch in range(c)]
    target = ax.add_patch(Rectangle((x_out, 0), 1, 1, edgecolor="#38761d", **outline))
    caption = [ax.text(0, y_caption + 0.2 + 1.2 * line, "", ha="left", va="top",
                       fontsize=fontsize * 1.05, family="monospace") for line in range(2)]

    def update(frame):
        s = steps[frame]
        for ch in range(c):
            windows[ch].set_xy((s.left, ch * pitch + s.top))
            kernels[ch].set_xy((x_filters[s.k], ch * pitch))
        target.set_xy((x_out + s.j, s.k * pitch + s.i))
        for n, done in enumerate(steps):           # values computed so far
            out_text[done.k][done.i][done.j].set_text(fmt.format(done.value) if n <= frame else "")
        caption[0].set_text(f"out[{s.i}, {s.j}, {s.k}] = sum_c {xname}[{s.top}:{s.top + kh}, "
                            f"{s.left}:{s.left + kw}, c] * W{s.k}[:, :, c] + b{s.k}")
        terms = " + ".join(f"({fmt.format(v)})" for v in s.channel_sums)
        caption[1].set_text(f"{' ' * len(f'out[{s.i}, {s.j}, {s.k}]')} = {terms} + "
                            f"({fmt.format(s.bias)}) = {fmt.format(s.value)}")
        return []

    animation = FuncAnimation(fig, update, frames=len(steps), interval=interval, blit=False,
                              repeat=True, cache_frame_data=False)
    with drawn_texts() as texts:
        html = animation.to_jshtml(default_mode="loop")
    plt.close(fig)
    # matplotlib names the player with a random uuid; a fixed id keeps the output reproducible.
    html = html.replace(_UUID_ID.search(html).group(1), f"_{name}")
    # The smallest text, for tests/test_legibility.py: the frames are shown at their own width.
    record = text_record(background_texts + texts, round(fig.get_figwidth() * dpi))
    return HTML(_FRAME.sub(lambda m: m.group(1) + _fewer_colours(m.group(2)) + '"', html),
                metadata={METADATA_KEY: record})
