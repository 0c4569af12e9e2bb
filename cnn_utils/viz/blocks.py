"""Pictures of the building blocks of modern CNNs: gradient flow and dilated kernels.

Used in chapter 11: `plot_gradient_norms` draws the gradient norm at every block of a deep plain
stack and of a residual one at initialisation (`cnn_utils.models.gradient_flow`), and
`show_dilated_kernel` draws where a dilated kernel's taps fall in the window it spans. Labels in
Korean (`cnn_utils.viz.fonts`).
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from .._validation import positive_int


def plot_gradient_norms(norms, title="블록마다의 기울기 크기(초기화 직후)",
                        xlabel="블록 (1 = 입력에 가장 가까운 블록)", ylabel="기울기의 노름"):
    """The gradient norm at every block (or layer), first block first, for several networks.

    Args:
        norms: dict label -> sequence of positive numbers, one per block, the block nearest the
            input first (what `gradient_norms` returns for each network).
        title, xlabel, ylabel: the axis title and labels.

    Returns:
        The matplotlib `Figure` (the norms on a log scale).

    Raises:
        ValueError: if `norms` is not a non-empty dict of non-empty sequences of positive numbers.

    Example:
        >>> fig = plot_gradient_norms({"평범한 층": [1e-6, 1e-3, 1.0], "잔차": [0.5, 0.7, 1.0]})
        >>> len(fig.axes[0].lines), fig.axes[0].get_yscale()
        (2, 'log')
    """
    if not isinstance(norms, dict) or not norms:
        raise ValueError("plot_gradient_norms expects a dict label -> per-layer gradient norms; "
                         f"received {type(norms).__name__} {norms!r:.80}.")
    series = {}
    for label, values in norms.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1 or values.size == 0 or not np.all(values > 0):
            raise ValueError(f"plot_gradient_norms expects, for {label!r}, a 1-D sequence of "
                             f"positive norms (one per layer); received {values!r:.80}. A zero "
                             "norm cannot be drawn on a log scale.")
        series[label] = values
    fig, ax = plt.subplots(figsize=(6.5, 3.6), constrained_layout=True)
    for (label, values), marker in zip(series.items(), "osd^v"):
        ax.plot(np.arange(1, values.size + 1), values, marker=marker, markersize=4, label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title, yscale="log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=10)
    return fig


def show_dilated_kernel(kernel_size, dilations, panel_width=2.6):
    """Draws a kernel's taps inside the window it spans, for each dilation rate side by side.

    A `kernel_size` x `kernel_size` kernel with dilation d spans ``d * (k - 1) + 1`` pixels a side;
    its taps (dark squares) are d pixels apart and the pixels between them (light) are skipped.

    Args:
        kernel_size: int k.
        dilations: sequence of ints, one panel each.
        panel_width: inches per panel.

    Returns:
        The matplotlib `Figure`.

    Example:
        >>> fig = show_dilated_kernel(3, [1, 2])
        >>> [ax.get_title() for ax in fig.axes]
        ['팽창 1: 3×3 창', '팽창 2: 5×5 창']
    """
    op = "show_dilated_kernel"
    k = positive_int(kernel_size, "kernel_size", op)
    if isinstance(dilations, (int, np.integer)) or not hasattr(dilations, "__iter__"):
        raise TypeError(f"{op} expects `dilations` to be a list of ints, one panel each; received "
                        f"{dilations!r}. Pass e.g. [1, 2, 4].")
    rates = [positive_int(d, "dilations[i]", op) for d in dilations]
    if not rates:
        raise ValueError(f"{op} expects at least one dilation rate; received {dilations!r}.")
    widest = max(d * (k - 1) + 1 for d in rates)
    fig, axes = plt.subplots(1, len(rates), figsize=(min(10, panel_width * len(rates)), panel_width + 0.4),
                             constrained_layout=True, squeeze=False)
    tap, skipped = plt.get_cmap("Blues")(0.85), plt.get_cmap("Blues")(0.15)
    for ax, d in zip(axes[0], rates):
        span = d * (k - 1) + 1
        start = (widest - span) / 2          # every panel on the widest panel's scale, centred
        for row in range(span):
            for col in range(span):
                on = row % d == 0 and col % d == 0
                ax.add_patch(Rectangle((start + col, start + row), 1, 1, facecolor=tap if on else skipped,
                                       edgecolor="0.6", linewidth=0.8))
        ax.add_patch(Rectangle((start, start), span, span, fill=False, edgecolor="black", linewidth=1.5))
        ax.set_xlim(-0.1, widest + 0.1)
        ax.set_ylim(widest + 0.1, -0.1)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(f"팽창 {d}: {span}×{span} 창", fontsize=11)
    return fig
