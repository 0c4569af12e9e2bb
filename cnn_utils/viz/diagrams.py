"""Diagrams of how a convolution is computed (chapter 4), with Korean text like the book's.

`draw_conv_volume` is the lecture's picture of a multi-channel convolution: the input volume
H x W x C, one filter KH x KW x C as deep as the input, and the one output map it makes.
`draw_im2col` shows im2col: every window of the image becomes a row of a matrix, which times the
flattened filter gives every output value at once. Sizes and values come from `conv_output_size`,
`im2col` and `conv2d`, so the pictures cannot disagree with the code.
"""

import numpy as np

from .._validation import positive_int

_INPUT, _FILTER, _OUTPUT = "#9ecae1", "#f4a3a3", "#a1d99b"


def _cuboid(ax, x, y, w, h, d, colour, alpha=1.0, angle=np.deg2rad(35), zorder=1, edge="#333333"):
    """Draws a box in oblique projection: front face (x, y, w, h), depth d going up and right."""
    from matplotlib.patches import Polygon

    dx, dy = d * np.cos(angle), d * np.sin(angle)
    faces = [  # right, top, front: the front face last, on top
        [(x + w, y), (x + w + dx, y + dy), (x + w + dx, y + h + dy), (x + w, y + h)],
        [(x, y + h), (x + w, y + h), (x + w + dx, y + h + dy), (x + dx, y + h + dy)],
        [(x, y), (x + w, y), (x + w, y + h), (x, y + h)],
    ]
    shades = [0.78, 0.9, 1.0]
    rgb = np.array(__import__("matplotlib").colors.to_rgb(colour))
    for face, shade in zip(faces, shades):
        ax.add_patch(Polygon(face, closed=True, facecolor=tuple(rgb * shade), edgecolor=edge,
                             linewidth=0.9, alpha=alpha, zorder=zorder))
    return dx, dy


def _shape3(value, name, op):
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        raise ValueError(f"{op} expects `{name}` to be (H, W, C); received {value!r}. "
                         f"Leave out the batch axis, e.g. {name}=(32, 32, 3).")
    return tuple(positive_int(v, f"{name}[{i}]", op) for i, v in enumerate(value))


def draw_conv_volume(input_shape=(32, 32, 3), kernel_size=(5, 5), strides=1, padding="VALID"):
    """Draws one filter convolving a multi-channel input: input volume, filter, output map (chapter 4).

    The input volume H×W×C (blue) is drawn in oblique projection with the filter's window (red) at
    its top-left corner, as deep as the input: the filter has as many channels as the input. The
    filter KH×KW×C itself is drawn in the middle, and on the right the output, one feature map
    OH×OW×1 (green), whose top-left value comes from that window (dashed lines). Depth is drawn
    three times longer than height and width, so that three channels are visible. Sizes come from
    `conv_output_size`; the text is Korean.

    Args:
        input_shape: (H, W, C) of the input, e.g. (32, 32, 3) for a small colour image.
        kernel_size: int or pair (KH, KW) of the filter.
        strides: int or pair, as `conv2d` takes them.
        padding: "VALID", "SAME", an int P or explicit pairs, as in `conv2d`.

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: for bad shapes, or a filter larger than the (padded) input.

    Example:
        >>> fig = draw_conv_volume()
        >>> [t.get_text() for t in fig.axes[0].texts if t.get_text().startswith(("입력", "필터", "출력"))]
        ['입력 32×32×3', '필터 5×5×3', '출력 (특징 맵) 28×28×1']
    """
    import matplotlib.pyplot as plt

    from .._validation import padding_spec, spatial_pair
    from ..shapes import conv_geometry

    op = "draw_conv_volume"
    h, w, c = _shape3(input_shape, "input_shape", op)
    kh, kw = spatial_pair(kernel_size, "kernel_size", op, "tf.nn.conv2d")
    sh, sw = spatial_pair(strides, "strides", op, "tf.nn.conv2d")
    padding = padding_spec(padding, op)
    pads, (oh, ow) = conv_geometry((h, w), (kh, kw), (sh, sw), padding, op=op)

    unit = 2.2 / max(h, w)            # inches per pixel: the input is 2.2 inches tall
    depth = lambda channels: 3 * channels * unit  # noqa: E731 (drawn 3 times longer)
    fig, ax = plt.subplots(figsize=(8.6, 4.0), constrained_layout=True)
    label = dict(ha="center", va="top", fontsize=10)

    # the input volume, and the filter's window on it
    x0, y0 = 0.4, 0.6
    dx, dy = _cuboid(ax, x0, y0, w * unit, h * unit, depth(c), _INPUT)
    wx, wy = x0, y0 + (h - kh) * unit
    _cuboid(ax, wx, wy, kw * unit, kh * unit, depth(c), _FILTER, alpha=0.85, zorder=2)
    ax.text(x0 + w * unit / 2, y0 - 0.08, f"가로 W = {w}", **label)
    ax.text(x0 - 0.08, y0 + h * unit / 2, f"세로 H = {h}", ha="right", va="center", fontsize=10,
            rotation=90)
    ax.text(x0 + w * unit + dx / 2 + 0.1, y0 + dy / 2 - 0.05, f"채널 C = {c}", ha="left",
            va="center", fontsize=10)
    ax.text(x0 + (w * unit + dx) / 2, y0 - 0.42, f"입력 {h}×{w}×{c}", fontweight="bold", **label)

    # the filter alone
    fx, fy = x0 + w * unit + dx + 1.5, y0 + 0.15
    fdx, fdy = _cuboid(ax, fx, fy, kw * unit, kh * unit, depth(c), _FILTER)
    ax.text(fx + (kw * unit + fdx) / 2, fy - 0.08, f"필터 {kh}×{kw}×{c}", fontweight="bold",
            **label)
    ax.text(fx + (kw * unit + fdx) / 2, fy - 0.4, f"채널 수 = 입력의 채널 수 {c}", **label)

    # the output map: one channel
    ox = fx + kw * unit + fdx + 1.5
    oy = y0 + (h - oh) * unit
    _cuboid(ax, ox, oy, ow * unit, oh * unit, depth(1), _OUTPUT)
    cell_y = oy + (oh - 1) * unit
    _cuboid(ax, ox, cell_y, unit, unit, depth(1), "#31a354", zorder=2)
    ax.text(ox + ow * unit / 2, oy - 0.08, f"출력 (특징 맵) {oh}×{ow}×1", fontweight="bold",
            **label)
    rule = (f"{oh} = ⌈{h} / {sh}⌉ (SAME)" if padding == "SAME"
            else f"{oh} = ({h} − {kh}) / {sh} + 1" if sum(pads[0]) == 0
            else f"{oh} = ({h} − {kh} + {sum(pads[0])}) / {sh} + 1")
    ax.text(ox + ow * unit / 2, oy - 0.4, rule, **label)

    # the window's corners to the output value it gives
    for (ax_, ay_), (bx, by) in (((wx + kw * unit, wy + kh * unit), (ox, cell_y + unit)),
                                 ((wx + kw * unit, wy), (ox, cell_y))):
        ax.plot([ax_, bx], [ay_, by], color="#b2182b", linestyle="--", linewidth=1.0, zorder=3)
    ax.annotate("창 하나 → 값 하나", xy=(ox - 0.1, cell_y + unit / 2),
                xytext=((wx + kw * unit + ox) / 2, y0 + h * unit + dy + 0.25), ha="center",
                fontsize=10, color="#b2182b",
                arrowprops=dict(arrowstyle="->", color="#b2182b", linewidth=1.0))
    ax.set_xlim(0, ox + ow * unit + depth(1) + 0.3)
    ax.set_ylim(-0.05, y0 + h * unit + dy + 0.55)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"채널이 {c}개인 입력에 필터 하나를 합성곱하면 특징 맵 하나가 나온다", fontsize=12)
    return fig


def _value_grid(ax, values, x, y, colours, fmt="{:g}", size=0.42, fontsize=10):
    """Draws a 2-D array as cells of `size` inches from top-left (x, y), each with its value."""
    from matplotlib.patches import Rectangle

    rows, cols = values.shape
    for (i, j), v in np.ndenumerate(values):
        ax.add_patch(Rectangle((x + j * size, y - (i + 1) * size), size, size,
                               facecolor=colours[i][j], edgecolor="#555555", linewidth=0.8))
        ax.text(x + (j + 0.5) * size, y - (i + 0.5) * size, fmt.format(v), ha="center",
                va="center", fontsize=fontsize)
    return x + cols * size, y - rows * size


def draw_im2col(image, kernel, strides=1, padding="VALID"):
    """Draws im2col for a small single-channel image: windows become rows, times the filter (chapter 4).

    Left, the image with every window outlined in its own colour; then the im2col matrix, one row
    per window in the same colour (`im2col`); times the filter flattened into a column; equals one
    output value per row, which reshaped to OH×OW is the feature map (`conv2d`). The text is
    Korean.

    Args:
        image: 2-D array (H, W), or (1, H, W, 1); at most 6 windows a side keeps it readable.
        kernel: 2-D array (KH, KW), or (KH, KW, 1, 1).
        strides: int or pair, as in `conv2d`.
        padding: "VALID", "SAME", an int P or explicit pairs, as in `conv2d`.

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: for arrays that are not 2-D, or more than 16 windows (one row each).

    Example:
        >>> fig = draw_im2col(np.arange(1., 10.).reshape(3, 3), np.ones((2, 2)))
        >>> [t.get_text() for t in fig.axes[0].texts if t.get_text().startswith(("im2col", "출력"))]
        ['im2col 행렬 4×4', '출력 4×1', '출력 2×2']
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from .._validation import padding_spec
    from ..ops import conv2d, im2col
    from ..shapes import conv_geometry

    op = "draw_im2col"
    x = np.squeeze(np.asarray(image, dtype=float))
    k = np.squeeze(np.asarray(kernel, dtype=float))
    if x.ndim != 2 or k.ndim != 2:
        raise ValueError(f"{op} expects a 2-D image and a 2-D kernel; received shapes "
                         f"{np.asarray(image).shape} and {np.asarray(kernel).shape}. Pick one "
                         "channel first, e.g. image[0, :, :, 0].")
    padding = padding_spec(padding, op)
    cols = im2col(x[np.newaxis, :, :, np.newaxis], k.shape, strides, padding)
    out = conv2d(x[np.newaxis, :, :, np.newaxis], k[:, :, np.newaxis, np.newaxis], strides,
                 padding)[0, :, :, 0]
    oh, ow = out.shape
    if oh * ow > 16:
        raise ValueError(f"{op} draws one matrix row per window, at most 16; this image has "
                         f"{oh * ow} windows ({oh}×{ow}). Use a smaller image or a larger stride.")
    from .._validation import spatial_pair

    sh, sw = spatial_pair(strides, "strides", op, "tf.nn.conv2d")
    (top, _), (left, _) = conv_geometry(x.shape, k.shape, (sh, sw), padding, op=op).pads
    palette = plt.get_cmap("tab10").colors
    light = [tuple(0.55 + 0.45 * np.array(c)) for c in palette]
    cell, gap = 0.42, 0.5
    n, m = cols.shape
    width = (x.shape[1] * cell + gap + m * cell + gap + cell + gap + cell + gap
             + ow * cell + 0.9)
    height = max(n, x.shape[0], k.size) * cell + 1.2
    fig, ax = plt.subplots(figsize=(width, height), constrained_layout=True)
    y_top = -0.45

    # the image, every window outlined
    x_end, _ = _value_grid(ax, x, 0, y_top, [["#f0f0f0"] * x.shape[1]] * x.shape[0], size=cell)
    for r in range(n):
        i, j = divmod(r, ow)
        inset = 0.03 + 0.035 * (r % 3)
        ax.add_patch(Rectangle(((j * sw - left) * cell + inset,
                                y_top - (i * sh - top + k.shape[0]) * cell + inset),
                               k.shape[1] * cell - 2 * inset, k.shape[0] * cell - 2 * inset,
                               fill=False, edgecolor=palette[r % 10], linewidth=2.2))
    ax.text(x_end / 2, y_top + 0.08, f"이미지 {x.shape[0]}×{x.shape[1]}", ha="center",
            va="bottom", fontsize=10, fontweight="bold")

    # the im2col matrix: row r in the colour of window r
    mx = x_end + gap
    m_end, m_bottom = _value_grid(ax, cols, mx, y_top, [[light[r % 10]] * m for r in range(n)],
                                  size=cell)
    ax.text((mx + m_end) / 2, y_top + 0.08, f"im2col 행렬 {n}×{m}", ha="center", va="bottom",
            fontsize=10, fontweight="bold")
    ax.text((mx + m_end) / 2, m_bottom - 0.1, "창 하나가 한 행", ha="center", va="top",
            fontsize=10)
    ax.text(mx - gap / 2, y_top - n * cell / 2, "→", ha="center", va="center", fontsize=14)

    # times the flattened filter, equals the outputs
    fx = m_end + gap
    f_end, f_bottom = _value_grid(ax, k.reshape(-1, 1), fx, y_top,
                                  [["#f4cccc"]] * k.size, size=cell)
    ax.text(m_end + gap / 2, y_top - n * cell / 2, "×", ha="center", va="center", fontsize=14)
    ax.text((fx + f_end) / 2, y_top + 0.08, "필터", ha="center", va="bottom", fontsize=10,
            fontweight="bold")
    ax.text((fx + f_end) / 2, f_bottom - 0.1, f"{k.shape[0]}×{k.shape[1]}을\n펼친 열",
            ha="center", va="top", fontsize=10)
    vx = f_end + gap
    v_end, v_bottom = _value_grid(ax, out.reshape(-1, 1), vx, y_top,
                                  [[light[r % 10]] for r in range(n)], size=cell)
    ax.text(f_end + gap / 2, y_top - n * cell / 2, "=", ha="center", va="center", fontsize=14)
    ax.text((vx + v_end) / 2, y_top + 0.08, f"출력 {n}×1", ha="center", va="bottom",
            fontsize=10, fontweight="bold")

    # reshaped into the feature map
    ox = v_end + gap + 0.2
    o_end, _ = _value_grid(ax, out, ox, y_top,
                           [[light[(i * ow + j) % 10] for j in range(ow)] for i in range(oh)],
                           size=cell)
    ax.text(v_end + (gap + 0.2) / 2, y_top - oh * cell / 2, "→", ha="center", va="center",
            fontsize=14)
    ax.text((ox + o_end) / 2, y_top + 0.08, f"출력 {oh}×{ow}", ha="center", va="bottom",
            fontsize=10, fontweight="bold")
    ax.set_xlim(-0.1, o_end + 0.1)
    ax.set_ylim(y_top - max(n, x.shape[0], k.size) * cell - 0.7, y_top + 0.45)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig
