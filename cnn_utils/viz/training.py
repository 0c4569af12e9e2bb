"""Pictures of Keras training: learning curves with the validation data, and short runs compared.

Used in chapter 8: `plot_history` draws `model.fit`'s `History.history` (training and validation
loss and accuracy per epoch), `plot_step_losses` the running training loss of the chapter's short
comparison runs (`cnn_utils.models.train_steps`). Labels in Korean (`cnn_utils.viz.fonts`).
"""

import matplotlib.pyplot as plt
import numpy as np


def plot_history(history, goal=None):
    """Training and validation loss (left) and accuracy (right) per epoch, from `History.history`.

    Args:
        history: dict of per-epoch lists "loss", "accuracy", "val_loss", "val_accuracy"
            (`model.fit(..., validation_data=...).history`).
        goal: optional accuracy in [0, 1] drawn as a dashed red line.

    Returns:
        The matplotlib `Figure`.

    Raises:
        ValueError: if a key is missing.

    Example:
        >>> fig = plot_history({"loss": [0.3, 0.1], "accuracy": [0.9, 0.97],
        ...                     "val_loss": [0.1, 0.05], "val_accuracy": [0.97, 0.98]})
        >>> [ax.get_title() for ax in fig.axes]
        ['손실', '정확도']
    """
    keys = ("loss", "accuracy", "val_loss", "val_accuracy")
    missing = [key for key in keys if key not in history]
    if missing:
        raise ValueError(f"plot_history expects per-epoch lists {list(keys)}, as History.history has "
                         f"after fit(..., validation_data=...); received keys {sorted(history)}. "
                         f"Missing: {missing}.")
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4), constrained_layout=True)
    ax1.plot(epochs, history["loss"], "o-", label="학습 데이터(에포크 평균)")
    ax1.plot(epochs, history["val_loss"], "s-", label="검증 데이터(에포크 끝)")
    ax1.set(xlabel="에포크", ylabel="손실", title="손실", xticks=epochs)
    ax2.plot(epochs, np.array(history["accuracy"]) * 100, "o-", label="학습 데이터(에포크 평균)")
    ax2.plot(epochs, np.array(history["val_accuracy"]) * 100, "s-", label="검증 데이터(에포크 끝)")
    if goal is not None:
        ax2.axhline(goal * 100, color="tab:red", linestyle="--", label=f"목표 {goal:.1%}")
    ax2.set(xlabel="에포크", ylabel="정확도 (%)", title="정확도", xticks=epochs)
    for ax in (ax1, ax2):
        ax.legend(fontsize=10)
    return fig


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
