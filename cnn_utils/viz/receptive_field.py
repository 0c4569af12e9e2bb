"""The receptive field growing through a stack of layers, drawn on the input's pixel grid.

Used in chapter 5.
"""

import matplotlib.pyplot as plt
import numpy as np

from ..shapes import receptive_field_trace

_COLOURS = ("tab:red", "tab:orange", "tab:green", "tab:blue", "tab:purple")


def _panel_stacks(stacks):
    """`stacks` as a list of (title, layers, names), raising on anything else."""
    if not isinstance(stacks, (list, tuple)) or not stacks:
        raise TypeError(
            f"show_receptive_field expects `stacks` to be a non-empty list of (title, layers, names) "
            f"triples; received {stacks!r}. Pass e.g. [(\"3x3 세 층\", [(3, 1)] * 3, [\"conv1\", "
            f"\"conv2\", \"conv3\"])]."
        )
    panels = []
    for index, stack in enumerate(stacks):
        if not isinstance(stack, (list, tuple)) or len(stack) != 3:
            raise ValueError(
                f"show_receptive_field expects every stack to be a (title, layers, names) triple; "
                f"stack {index} is {stack!r}. `layers` is a list of (kernel_size, stride) pairs and "
                f"`names` one name per layer."
            )
        title, layers, names = stack
        if len(names) != len(layers) or len(layers) > len(_COLOURS):
            raise ValueError(
                f"show_receptive_field expects one name per layer and at most {len(_COLOURS)} layers; "
                f"stack {index} has {len(layers)} layers and {len(names)} names. Give as many names "
                f"as layers."
            )
        panels.append((str(title), receptive_field_trace(layers)[1:], [str(n) for n in names]))
    return panels


def show_receptive_field(stacks, grid_size=None, panel_width=3.3):
    """Draws, for each stack of layers, the input pixels one output value of each layer sees.

    Each panel is the input's pixel grid; the coloured squares, one per layer, are the receptive
    field of one value of that layer (`receptive_field_trace`), nested around the grid's centre.
    The legend gives each field's size and jump.

    Args:
        stacks: list of `(title, layers, names)`: a panel title, a list of (kernel_size, stride)
            pairs and a name for each layer.
        grid_size: int, the input pixels drawn per side (default: the largest field plus 2).
        panel_width: float, inches per panel (the figure stays at most 10 inches wide).

    Returns:
        The matplotlib Figure.

    Example:
        >>> fig = show_receptive_field([("3x3 합성곱 두 층", [(3, 1), (3, 1)], ["conv1", "conv2"])])
        >>> len(fig.axes)
        1
        >>> plt.close(fig)
    """
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Rectangle

    panels = _panel_stacks(stacks)
    largest = max(trace[-1][0] for _, trace, _ in panels)
    n = int(grid_size) if grid_size is not None else largest + 2
    if n < largest:
        raise ValueError(f"show_receptive_field expects grid_size >= the largest field {largest}; "
                         f"received {grid_size}. Leave grid_size=None to fit it.")
    width = min(10.0, panel_width * len(panels))
    fig, axes = plt.subplots(1, len(panels), figsize=(width, panel_width + 1.3), squeeze=False,
                             constrained_layout=True)
    for ax, (title, trace, names) in zip(axes[0], panels):
        for i in range(n + 1):
            ax.plot([0, n], [i, i], color="0.85", linewidth=0.6)
            ax.plot([i, i], [0, n], color="0.85", linewidth=0.6)
        for depth, ((field, jump), name) in enumerate(zip(trace, names)):
            start = (n - field) // 2
            colour = _COLOURS[depth]
            # a light fill and a solid edge (`alpha=` would fade the edge too)
            ax.add_patch(Rectangle((start, start), field, field, facecolor=to_rgba(colour, 0.12),
                                   edgecolor=colour, linewidth=2.2, zorder=3,  # over the grid
                                   label=f"{name} 뒤: {field}×{field} (간격 {jump})"))
        centre = (n - 1) // 2
        ax.add_patch(Rectangle((centre, centre), 1, 1, color="black", zorder=4))
        ax.set_xlim(-0.2, n + 0.2)
        ax.set_ylim(n + 0.2, -0.2)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(title, fontsize=11)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=10, frameon=False)
    return fig
