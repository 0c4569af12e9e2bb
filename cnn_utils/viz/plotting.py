"""Pictures every chapter draws: grids of feature maps or kernels, images with their numbers, and
learning curves. The text in the figures is Korean, like the book (`cnn_utils.viz.fonts`).

Used in chapters 2 to 10.
"""

import matplotlib.pyplot as plt
import numpy as np


def _maps_from(maps, op):
    """Accepts (H, W), (H, W, K) or (1, H, W, K) and returns a list of K 2-D arrays."""
    array = np.asarray(maps)
    if array.ndim == 4 and array.shape[0] == 1:
        array = array[0]
    if array.ndim == 2:
        array = array[:, :, np.newaxis]
    if array.ndim != 3:
        raise ValueError(
            f"{op} expects maps of shape (H, W, K), (1, H, W, K) or (H, W); received shape "
            f"{array.shape}. For a batch, pass one image at a time, e.g. maps[0]."
        )
    return [array[:, :, k] for k in range(array.shape[2])]


# A figure up to this wide (at matplotlib's 100 dpi, 1000 px) is shown at least 2/3 of its size in
# the HTML book's 672 px column, so 10-point text stays above 9 px there (tests/test_legibility.py).
MAX_WIDTH = 10.0


def _balanced_ncols(n, panel_width, ncols):
    """Panels per row: `ncols`, or as many as fit in MAX_WIDTH inches, spread over even rows."""
    if ncols is None:
        fit = max(1, int(MAX_WIDTH // panel_width))
        rows = -(-n // fit)
        ncols = -(-n // rows)
    return max(1, min(ncols, n))


def _grid(images, titles, ncols, cmap, colorbar, suptitle, size):
    """Draws 2-D arrays in a grid of subplots, each with its own colour scale, or one shared scale
    and one colour bar for the grid when `colorbar` is "shared"."""
    if colorbar not in (True, False, "shared"):
        raise ValueError(f"expected `colorbar` to be True, False or \"shared\"; received "
                         f"{colorbar!r}. Use \"shared\" for one colour scale for every panel.")
    ncols = _balanced_ncols(len(images), size * (1.25 if colorbar is True else 1), ncols)
    nrows = -(-len(images) // ncols)
    extra = 0.9 if colorbar == "shared" else 0
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols * (1.25 if colorbar is True else 1)
                                                     + extra,
                                                     size * nrows + (0.4 if suptitle else 0)),
                             squeeze=False, constrained_layout=True)
    norm = None
    if colorbar == "shared":
        low = min(float(np.min(image)) for image in images)
        high = max(float(np.max(image)) for image in images)
        if low < 0 < high:  # both signs: 0 gets the middle colour of the colour map
            low, high = -max(-low, high), max(-low, high)
        norm = plt.Normalize(low, high)
    for index, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if index >= len(images):
            continue
        shown = ax.imshow(images[index], cmap=cmap, norm=norm)
        if titles is not None:
            ax.set_title(titles[index], fontsize=10)
        if colorbar is True:
            fig.colorbar(shown, ax=ax, shrink=0.8)
    if colorbar == "shared":
        fig.colorbar(shown, ax=axes, shrink=0.9, aspect=25)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def show_feature_maps(maps, titles=None, ncols=None, cmap="gray", colorbar=True, suptitle=None,
                      size=2.2):
    """Shows the K feature maps of one image side by side, each with its colour bar.

    Args:
        maps: array of shape (H, W, K), or (1, H, W, K) as `conv2d` returns it for one image.
        titles: optional list of K titles; by default "특징 맵 0", "특징 맵 1", ...
        ncols: maps per row (default: as many as fit in 10 inches, in rows of equal length, so
            that the text stays legible in the HTML book).
        cmap: matplotlib colour map.
        colorbar: True gives each map its own colour scale and colour bar; "shared" one colour
            scale for all maps and one colour bar beside the grid (to compare maps, e.g. learned
            filters; centred on 0 when the values have both signs); False none.
        suptitle: optional title over the whole grid.
        size: height of one map in inches.

    Returns:
        The matplotlib Figure.

    Example:
        >>> fig = show_feature_maps(np.zeros((1, 4, 4, 3)))
        >>> len(fig.axes)  # three maps and three colour bars
        6
    """
    images = _maps_from(maps, "show_feature_maps")
    if titles is None:
        titles = [f"특징 맵 {k}" for k in range(len(images))]
    if len(titles) != len(images):
        raise ValueError(
            f"show_feature_maps received {len(images)} maps but {len(titles)} titles; "
            f"pass one title per map."
        )
    return _grid(images, titles, ncols, cmap, colorbar, suptitle, size)


def show_kernels(filters, titles=None, cmap="gray", colorbar=True, suptitle=None, size=1.8):
    """Shows filters of shape (KH, KW, C, K) as a grid: one row per input channel, one column per filter
    (filters of one channel wrap onto rows like `show_feature_maps`).

    Args:
        filters: array of shape (KH, KW, C, K), as `conv2d` and `tf.nn.conv2d` take them.
        titles: optional list of C * K titles, row by row; by default "필터 k, 채널 c".
        cmap, colorbar, suptitle, size: as in `show_feature_maps`.

    Returns:
        The matplotlib Figure.
    """
    w = np.asarray(filters)
    if w.ndim != 4:
        raise ValueError(
            f"show_kernels expects filters of shape (KH, KW, C, K); received shape {w.shape}. "
            f"A single 2-D kernel becomes (KH, KW, 1, 1) with kernel[:, :, np.newaxis, np.newaxis]."
        )
    _, _, c, k = w.shape
    images = [w[:, :, ci, ki] for ci in range(c) for ki in range(k)]
    if titles is None:
        titles = [f"필터 {ki}" + (f", 채널 {ci}" if c > 1 else "") for ci in range(c) for ki in range(k)]
    # one row per channel; a single channel wraps like feature maps, to stay legible
    return _grid(images, titles, k if c > 1 else None, cmap, colorbar, suptitle, size)


def show_image_values(image, ax=None, cmap="gray", fmt="{:g}", title=None, fontsize=None, norm=None):
    """Shows a small 2-D image with each pixel's value written in its cell.

    The text is white on dark cells and black on light ones, so it stays readable in any colour map.

    Args:
        image: array of shape (H, W), or (1, H, W, 1) / (H, W, 1) for a single-channel image
            (1 x 1 and 1 x W images too).
        ax: optional matplotlib Axes to draw into; a new figure is made otherwise.
        cmap: matplotlib colour map.
        fmt: format string for the values.
        title: optional title.
        fontsize: size of the numbers (default: smaller for larger images).
        norm: optional matplotlib Normalize, to share one colour scale between several images.

    Returns:
        The matplotlib Axes.

    Example:
        >>> ax = show_image_values(np.arange(1., 10.).reshape(3, 3))
        >>> [t.get_text() for t in ax.texts][:3]
        ['1', '2', '3']
    """
    values = np.asarray(image)
    if values.ndim == 4 and values.shape[0] == 1 and values.shape[3] == 1:
        values = values[0, :, :, 0]
    elif values.ndim == 3 and values.shape[2] == 1:
        values = values[:, :, 0]
    if values.ndim != 2:
        raise ValueError(
            f"show_image_values expects a 2-D image (H, W), (H, W, 1) or (1, H, W, 1); received "
            f"shape {np.asarray(image).shape}. Pick one map, e.g. maps[0, :, :, 0]."
        )
    if ax is None:
        h, w = values.shape
        _, ax = plt.subplots(figsize=(max(2.0, 0.45 * w), max(2.0, 0.45 * h)),
                             constrained_layout=True)
    shown = ax.imshow(values, cmap=cmap, norm=norm)
    colour_map, norm = shown.get_cmap(), shown.norm
    fontsize = fontsize or (12 if max(values.shape) <= 8 else 6 if max(values.shape) > 16 else 9)
    for (i, j), v in np.ndenumerate(values):
        r, g, b, _ = colour_map(norm(v))
        colour = "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"
        ax.text(j, i, fmt.format(v), ha="center", va="center", color=colour, fontsize=fontsize)
    ax.set_xticks(range(values.shape[1]))
    ax.set_yticks(range(values.shape[0]))
    if title:
        ax.set_title(title)
    return ax


def show_conv_steps(image, kernel, strides=1, padding="VALID", ncols=None, size=2.2):
    """Draws every step of one filter sliding over a single-channel image.

    One panel per output pixel: the (zero-padded) image with its values, the filter's window
    outlined in red, and the output value that window gives, computed by `conv2d`, in its title
    ("출력[i, j] = value").

    Args:
        image: 2-D array (H, W), or (1, H, W, 1).
        kernel: 2-D array (KH, KW), or (KH, KW, 1, 1).
        strides: int or pair, as in `conv2d`.
        padding: "VALID", "SAME", an int P or explicit pairs, as in `conv2d`.
        ncols: panels per row (default: OW, one output row per figure row).
        size: height of one panel in inches.

    Returns:
        The matplotlib Figure.

    Example:
        >>> fig = show_conv_steps(np.arange(1., 10.).reshape(3, 3), np.ones((2, 2)))
        >>> [ax.get_title() for ax in fig.axes]
        ['출력[0, 0] = 12', '출력[0, 1] = 16', '출력[1, 0] = 24', '출력[1, 1] = 28']
    """
    from matplotlib.patches import Rectangle

    from .._validation import spatial_pair
    from ..ops import conv2d
    from ..shapes import conv_geometry

    x = np.squeeze(np.asarray(image, dtype=float))
    w = np.squeeze(np.asarray(kernel, dtype=float))
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError(
            f"show_conv_steps expects a 2-D image and a 2-D kernel; received shapes "
            f"{np.asarray(image).shape} and {np.asarray(kernel).shape}. Pick one channel first."
        )
    out = conv2d(x[np.newaxis, :, :, np.newaxis], w[:, :, np.newaxis, np.newaxis], strides, padding)
    sh, sw = spatial_pair(strides, "strides", "show_conv_steps", "tf.nn.conv2d")
    pads = list(conv_geometry(x.shape, w.shape, (sh, sw), padding, op="show_conv_steps").pads)
    padded = np.pad(x, pads)
    oh, ow = out.shape[1:3]
    ncols = ncols or ow
    nrows = -(-oh * ow // ncols)
    cell = size / max(padded.shape)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, constrained_layout=True,
                             figsize=(ncols * cell * padded.shape[1] + 0.3 * ncols,
                                      nrows * cell * padded.shape[0] + 0.4 * nrows))
    for index, ax in enumerate(axes.flat):
        if index >= oh * ow:
            ax.set_axis_off()
            continue
        i, j = divmod(index, ow)
        show_image_values(padded, ax=ax, cmap="Blues", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
        if any(pads[0]) or any(pads[1]):  # the original image inside its zero padding
            ax.add_patch(Rectangle((pads[1][0] - 0.5, pads[0][0] - 0.5), x.shape[1], x.shape[0],
                                   fill=False, edgecolor="black", linestyle="--", linewidth=1))
        ax.add_patch(Rectangle((j * sw - 0.5, i * sh - 0.5), w.shape[1], w.shape[0],
                               fill=False, edgecolor="red", linewidth=2.5))
        ax.set_title(f"출력[{i}, {j}] = {out[0, i, j, 0]:.4g}", fontsize=9)
    return fig


def plot_learning_curves(record, goal=None, ylim=None):
    """Loss and accuracy per epoch, side by side (chapters 8 and 9); labels in Korean.

    Two kinds of record:

    - Keras's ``History.history`` after ``fit(..., validation_data=...)`` (chapter 8): per-epoch
      lists "loss", "accuracy", "val_loss", "val_accuracy"; both panels show the training data (the
      mean over the epoch) beside the validation data (measured at the epoch's end).
    - The record of `cnn_utils.nn.fit` or `cnn_utils.models.fit_mnist` (chapter 9): "loss" and
      "test_accuracy", and optionally "accuracy"; the loss panel shows the training loss.

    Args:
        record: dict of per-epoch lists, one of the two kinds above.
        goal: optional accuracy in [0, 1] drawn as a dashed red line.
        ylim: optional (low, high) in percent for the accuracy axis.

    Returns:
        The matplotlib `Figure`.

    Raises:
        ValueError: if the record is neither kind (naming the missing keys).

    Example:
        >>> fig = plot_learning_curves({"loss": [0.3, 0.1], "test_accuracy": [0.97, 0.99]}, goal=0.99)
        >>> [ax.get_title() for ax in fig.axes]
        ['학습 손실', '정확도']
        >>> fig = plot_learning_curves({"loss": [0.3, 0.1], "accuracy": [0.9, 0.97],
        ...                             "val_loss": [0.1, 0.05], "val_accuracy": [0.97, 0.98]})
        >>> [ax.get_title() for ax in fig.axes]
        ['손실', '정확도']
    """
    validation = "val_loss" in record or "val_accuracy" in record
    needed = ("loss", "accuracy", "val_loss", "val_accuracy") if validation else ("loss", "test_accuracy")
    missing = [key for key in needed if key not in record]
    if missing:
        raise ValueError(f"plot_learning_curves expects per-epoch lists 'loss' and 'test_accuracy' "
                         f"(cnn_utils.nn.fit, fit_mnist), or 'loss', 'accuracy', 'val_loss' and "
                         f"'val_accuracy' (History.history after fit(..., validation_data=...)); "
                         f"received keys {sorted(record)}. Add {missing}.")
    epochs = np.arange(1, len(record["loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4 if validation else 3.2), constrained_layout=True)
    if validation:
        train_label, other, other_label = "학습 데이터(에포크 평균)", "val", "검증 데이터(에포크 끝)"
        ax1.plot(epochs, record["loss"], "o-", label=train_label)
        ax1.plot(epochs, record["val_loss"], "s-", label=other_label)
        ax1.set(xlabel="에포크", ylabel="손실", title="손실", xticks=epochs)
        ax1.legend(fontsize=10)
    else:
        train_label, other, other_label = "학습 데이터", "test", "시험 데이터"
        ax1.plot(epochs, record["loss"], "o-")
        ax1.set(xlabel="에포크", ylabel="학습 손실", title="학습 손실")
    if "accuracy" in record:
        ax2.plot(epochs, np.array(record["accuracy"]) * 100, "o-", label=train_label)
    ax2.plot(epochs, np.array(record[f"{other}_accuracy"]) * 100, "s-", label=other_label)
    if goal is not None:
        ax2.axhline(goal * 100, color="tab:red", linestyle="--", label=f"목표 {goal:.1%}")
    ax2.set(xlabel="에포크", ylabel="정확도 (%)", title="정확도")
    if validation:
        ax2.set_xticks(epochs)
    if ylim is not None:
        ax2.set_ylim(ylim)
    ax2.legend(fontsize=10 if validation else None)
    return fig
