"""Chapter 1's charts of the ILSVRC results in `cnn_utils.ilsvrc`: top-5 error and depth by year.

Their text is Korean, like the book's.
"""

import matplotlib.pyplot as plt

from ..ilsvrc import HUMAN_TOP5_ERROR, ILSVRC_RESULTS, ilsvrc_winners


def _new_axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    elif not isinstance(ax, plt.Axes):
        raise TypeError(
            f"expected `ax` to be a matplotlib Axes or None; received {type(ax).__name__}. "
            f"Pass ax=None for a new figure, or one from plt.subplots()."
        )
    return ax


def plot_top5_errors(ax=None):
    """Bar chart of the winners' top-5 error by year, with the human-level line.

    Shallow methods (hand-crafted features) are grey, convolutional networks blue.

    Args:
        ax: optional matplotlib Axes to draw into; a new figure is made otherwise.

    Returns:
        The matplotlib Axes.

    Example:
        >>> ax = plot_top5_errors()
        >>> [float(bar.get_height()) for bar in ax.patches][:3]
        [28.2, 25.8, 16.4]
    """
    from matplotlib.patches import Patch

    ax = _new_axes(ax, (8, 4.4))
    winners = ilsvrc_winners()
    colours = {False: "tab:gray", True: "tab:blue"}
    bars = ax.bar(range(len(winners)), [r.top5_error for r in winners], width=0.7,
                  color=[colours[r.cnn] for r in winners])
    for bar, r in zip(bars, winners):
        ax.annotate(f"{r.top5_error:g}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", zorder=3,
                    bbox=dict(facecolor="white", edgecolor="none", pad=0.5))
    human = ax.axhline(HUMAN_TOP5_ERROR, color="tab:red", linestyle="--", linewidth=1.5)
    # the network's name where there is one, otherwise the team's
    names = [r.model if r.cnn and not r.model.startswith("ensemble") else r.team for r in winners]
    ax.set_xticks(range(len(winners)))
    ax.set_xticklabels([f"{r.year}\n{name}" for r, name in zip(winners, names)], fontsize=9)
    ax.set_ylabel("top-5 에러율 (%)")
    ax.set_ylim(0, max(r.top5_error for r in winners) * 1.15)
    ax.set_title("ILSVRC 분류 과제: 해마다 우승한 알고리즘의 top-5 에러율")
    ax.legend([Patch(color=colours[False]), Patch(color=colours[True]), human],
              ["얕은 방법 (사람이 설계한 특징)", "합성곱 신경망",
               f"사람 ({HUMAN_TOP5_ERROR:g}%, Russakovsky 외 2015)"], loc="upper right")
    return ax


def plot_depth(ax=None):
    """Bar chart of the depth (weight layers) of the networks in `ILSVRC_RESULTS`, by year.

    Args:
        ax: optional matplotlib Axes to draw into; a new figure is made otherwise.

    Returns:
        The matplotlib Axes.

    Example:
        >>> ax = plot_depth()
        >>> [int(bar.get_height()) for bar in ax.patches]
        [8, 8, 19, 22, 152]
    """
    ax = _new_axes(ax, (7, 3.8))
    nets = sorted((r for r in ILSVRC_RESULTS if r.layers is not None),
                  key=lambda r: (r.year, r.layers))
    bars = ax.bar(range(len(nets)), [r.layers for r in nets], color="tab:blue", width=0.6)
    for bar, r in zip(bars, nets):
        ax.annotate(f"{r.layers}층\n{r.top5_error:g}%",
                    (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=9)
    ax.set_xticks(range(len(nets)))
    ax.set_xticklabels([f"{r.model}\n{r.year}" + (" (2위)" if r.rank == 2 else "") for r in nets])
    ax.set_ylabel("가중치 층의 수")
    ax.set_ylim(0, max(r.layers for r in nets) * 1.25)
    ax.set_title("ILSVRC의 네트워크: 깊이와 top-5 에러율")
    return ax
