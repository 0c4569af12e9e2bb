"""Pictures of short Keras training runs compared step by step.

Used in chapter 8: `plot_step_losses` draws the running training loss of the chapter's short
comparison runs (`cnn_utils.models.train_steps`). The learning curves per epoch, with or without
validation data, are `cnn_utils.viz.plotting.plot_learning_curves`. Labels in Korean
(`cnn_utils.viz.fonts`).
"""

import matplotlib.pyplot as plt
import numpy as np


def plot_step_losses(runs, title="학습 손실(지금까지의 평균)"):
    """The running training loss after every step of several short runs, on one axis.

    Args:
        runs: dict label -> a `train_steps` result (its "step_loss" list).
        title: the axis title.

    Returns:
        The matplotlib `Figure`.

    Example:
        >>> fig = plot_step_losses({"BN": {"step_loss": [2.0, 1.0]}, "BN 없음": {"step_loss": [2.1, 1.5]}})
        >>> len(fig.axes[0].lines)
        2
    """
    if not isinstance(runs, dict) or not runs or not all("step_loss" in r for r in runs.values()):
        raise ValueError("plot_step_losses expects a dict label -> train_steps result (with a "
                         f"'step_loss' list); received {type(runs).__name__} {runs!r:.80}.")
    fig, ax = plt.subplots(figsize=(6.5, 3.6), constrained_layout=True)
    for label, run in runs.items():
        steps = np.arange(1, len(run["step_loss"]) + 1)
        ax.plot(steps, run["step_loss"], label=label)
    ax.set(xlabel="학습 단계", ylabel="손실", title=title, yscale="log")
    ax.legend(fontsize=10)
    return fig
