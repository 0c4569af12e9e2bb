"""Pictures of what a CNN sees and of transfer learning, with Korean labels.

Used in chapter 12: `show_first_layer_filters` draws a first convolution's filters as small colour
images, `show_layer_maps` the most active feature maps of several layers of one image,
`show_explanations` images with their saliency, occlusion and Grad-CAM maps, and
`plot_transfer_comparison` the test accuracies of the transfer-learning runs
(`cnn_utils.explain`, `cnn_utils.models.transfer`).
"""

import matplotlib.pyplot as plt
import numpy as np

from .._validation import positive_int


def _grid(count, ncols, size, width_limit=10.0):
    ncols = min(count, ncols)
    nrows = int(np.ceil(count / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(min(width_limit, ncols * size), nrows * size * 1.15),
                             squeeze=False, constrained_layout=True)
    for ax in axes.ravel():
        ax.set_axis_off()
    return fig, axes


def show_first_layer_filters(kernel, ncols=8, size=1.1, title="첫 합성곱 층의 필터"):
    """Draws each filter of a first convolution (KH, KW, 3, K) as a small colour image.

    Each filter is scaled on its own: 0 becomes grey, its largest absolute weight full colour
    (``0.5 + w / (2 max|w|)``), so a filter that adds red and subtracts green shows red where green
    is dark. Only the pattern of one filter is comparable, not the sizes across filters.

    Args:
        kernel: array (KH, KW, 3, K), e.g. `first_layer_filters(model)`.
        ncols: filters per row.
        size: inches per filter.
        title: the figure's title.

    Returns:
        The matplotlib `Figure`.

    Example:
        >>> fig = show_first_layer_filters(np.ones((3, 3, 3, 4)))
        >>> len([ax for ax in fig.axes if ax.images])
        4
    """
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim != 4 or kernel.shape[2] != 3:
        raise ValueError(f"show_first_layer_filters expects a kernel (KH, KW, 3, K) of a first convolution "
                         f"on colour images; received shape {kernel.shape}.")
    ncols = positive_int(ncols, "ncols", "show_first_layer_filters")
    count = kernel.shape[3]
    fig, axes = _grid(count, ncols, size)
    for k, ax in enumerate(axes.ravel()[:count]):
        w = kernel[..., k]
        peak = np.abs(w).max()
        ax.imshow(np.clip(0.5 + w / (2 * peak if peak > 0 else 1.0), 0, 1), interpolation="nearest")
        ax.set_title(f"필터 {k}", fontsize=10)
    fig.suptitle(title, fontsize=12)
    return fig


def show_layer_maps(maps, channels=6, size=1.35, title="층을 지날 때의 특징 맵(가장 강한 채널)"):
    """Shows, for each layer, its `channels` most active feature maps of one image, one row a layer.

    Args:
        maps: dict label -> array (H, W, K) (`feature_maps` of one image, with Korean labels).
        channels: maps per layer, the channels of the largest mean activation.
        size: inches per map.
        title: the figure's title.

    Returns:
        The matplotlib `Figure`.

    Example:
        >>> fig = show_layer_maps({"1단계": np.random.default_rng(0).random((8, 8, 4))}, channels=2)
        >>> len([ax for ax in fig.axes if ax.images])
        2
    """
    if not isinstance(maps, dict) or not maps:
        raise ValueError(f"show_layer_maps expects a dict label -> (H, W, K) maps; received {type(maps).__name__}.")
    channels = positive_int(channels, "channels", "show_layer_maps")
    fig, axes = plt.subplots(len(maps), channels, figsize=(min(10.0, channels * size + 1.2), len(maps) * size * 1.1),
                             squeeze=False, constrained_layout=True)
    for row, (label, value) in zip(axes, maps.items()):
        value = np.asarray(value, dtype=float)
        if value.ndim != 3:
            raise ValueError(f"show_layer_maps expects, for {label!r}, maps (H, W, K); received shape {value.shape}.")
        strongest = np.argsort(value.mean(axis=(0, 1)))[::-1][:channels]
        for ax, k in zip(row, strongest):
            ax.imshow(value[..., k], cmap="viridis", interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"채널 {k}", fontsize=10)
        for ax in row[len(strongest):]:
            ax.set_axis_off()
        row[0].set_ylabel(f"{label}\n{value.shape[0]}×{value.shape[1]}×{value.shape[2]}", fontsize=10)
    fig.suptitle(title, fontsize=12)
    return fig


def show_explanations(images, maps, titles=None, overlay=(), size=1.5, title=None):
    """Images in the first row, then one row per explanation map, each column one image.

    Args:
        images: array (N, H, W, 3) on the 0-255 scale.
        maps: dict row label -> array (N, h, w); a map smaller than the image is stretched over it.
        titles: N column titles (e.g. "정답 개 / 예측 개").
        overlay: row labels whose maps are drawn half-transparent over the image; the others alone,
            with a colour scale from 0 (or centred on 0 when they have both signs).
        size: inches per panel.
        title: optional figure title.

    Returns:
        The matplotlib `Figure`.

    Example:
        >>> fig = show_explanations(np.zeros((2, 4, 4, 3)), {"돌출 맵": np.ones((2, 4, 4))})
        >>> len([ax for ax in fig.axes if ax.images])
        4
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"show_explanations expects images (N, H, W, 3); received shape {images.shape}.")
    n, h, w = images.shape[:3]
    if not isinstance(maps, dict):
        raise ValueError(f"show_explanations expects `maps`, a dict row label -> (N, h, w); received "
                         f"{type(maps).__name__}.")
    rows = [("이미지", None)] + list(maps.items())
    fig, axes = plt.subplots(len(rows), n, figsize=(min(10.0, n * size + 1.0), len(rows) * size * 1.05),
                             squeeze=False, constrained_layout=True)
    extent = (-0.5, w - 0.5, h - 0.5, -0.5)
    for r, (label, value) in enumerate(rows):
        if value is not None:
            value = np.asarray(value, dtype=float)
            if value.ndim != 3 or len(value) != n:
                raise ValueError(f"show_explanations expects, for {label!r}, {n} maps (N, h, w); received "
                                 f"shape {value.shape}.")
        for c in range(n):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            if value is None:
                ax.imshow(images[c].astype(np.uint8), interpolation="nearest")
                if titles is not None:
                    ax.set_title(titles[c], fontsize=10)
            elif label in overlay:
                ax.imshow(images[c].astype(np.uint8), interpolation="nearest")
                ax.imshow(value[c], cmap="jet", alpha=0.5, extent=extent, interpolation="bilinear",
                          vmin=0, vmax=max(value[c].max(), 1e-12))
            else:
                low = value[c].min()
                high = max(np.abs(value[c]).max(), 1e-12)
                if low < 0:
                    ax.imshow(value[c], cmap="RdBu_r", vmin=-high, vmax=high, extent=extent,
                              interpolation="nearest")
                else:
                    ax.imshow(value[c], cmap="magma", vmin=0, vmax=high, extent=extent, interpolation="nearest")
        axes[r, 0].set_ylabel(label, fontsize=10)
    if title:
        fig.suptitle(title, fontsize=12)
    return fig


def plot_transfer_comparison(accuracies, title="다섯 클래스(개, 개구리, 말, 배, 트럭)의 시험 정확도",
                             xlabel="시험 정확도", chance=0.2):
    """Horizontal bars of test accuracy per run, with the value written beside each bar.

    Args:
        accuracies: dict label -> accuracy in [0, 1], drawn top to bottom in order.
        title, xlabel: the axis title and label.
        chance: the accuracy of guessing (1 / classes), drawn as a dotted line; None for none.

    Returns:
        The matplotlib `Figure`.

    Example:
        >>> fig = plot_transfer_comparison({"처음부터": 0.5, "고정 특징": 0.75})
        >>> len(fig.axes[0].patches)
        2
    """
    if not isinstance(accuracies, dict) or not accuracies:
        raise ValueError("plot_transfer_comparison expects a dict label -> accuracy in [0, 1]; received "
                         f"{type(accuracies).__name__}.")
    values = np.array([float(v) for v in accuracies.values()])
    if np.any((values < 0) | (values > 1)):
        raise ValueError(f"plot_transfer_comparison expects accuracies in [0, 1]; received {values.tolist()}.")
    labels = list(accuracies)
    fig, ax = plt.subplots(figsize=(6.5, 0.55 * len(labels) + 1.3), constrained_layout=True)
    positions = np.arange(len(labels))[::-1]
    ax.barh(positions, values, color=plt.cm.tab10(np.arange(len(labels))), height=0.6)
    for y, v in zip(positions, values):
        ax.text(v + 0.01, y, f"{v:.1%}", va="center", fontsize=10)
    ax.set_yticks(positions, labels, fontsize=10)
    ax.set_xlim(0, 1)
    if chance is not None:
        ax.axvline(chance, color="gray", linestyle=":", linewidth=1)
        ax.text(chance + 0.01, -0.65, f"찍기({chance:.0%})", fontsize=10, color="gray", va="center")
    ax.set_ylim(-0.9, len(labels) - 0.5)
    ax.set(xlabel=xlabel, title=title)
    return fig
