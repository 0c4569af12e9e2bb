"""Chapter 8's pictures: learning curves with validation data (plot_learning_curves on a Keras
History.history) and the short-run comparison (cnn_utils.viz.training)."""

import matplotlib.pyplot as plt
import pytest

from cnn_utils import plot_learning_curves, plot_step_losses

HISTORY = {"loss": [0.2, 0.05, 0.02], "accuracy": [0.94, 0.985, 0.994],
           "val_loss": [0.06, 0.04, 0.03], "val_accuracy": [0.98, 0.988, 0.991]}


def test_learning_curves_of_a_keras_history_draw_training_and_validation_side_by_side():
    fig = plot_learning_curves(HISTORY, goal=0.992)
    loss_ax, acc_ax = fig.axes
    assert [ax.get_title() for ax in fig.axes] == ["손실", "정확도"]
    assert len(loss_ax.lines) == 2 and len(acc_ax.lines) == 3          # + the goal
    assert list(acc_ax.lines[1].get_ydata()) == pytest.approx([98.0, 98.8, 99.1])
    assert list(loss_ax.get_xticks()) == [1, 2, 3]
    assert fig.get_figwidth() <= 10
    plt.close(fig)


def test_learning_curves_of_a_keras_history_name_the_missing_keys():
    with pytest.raises(ValueError, match="val_loss"):
        plot_learning_curves({"loss": [1.0], "accuracy": [0.5]})


def test_plot_step_losses_draws_one_line_per_run():
    runs = {"BN": {"step_loss": [2.0, 1.0, 0.5]}, "BN 없음": {"step_loss": [2.1, 1.5, 1.0]}}
    fig = plot_step_losses(runs)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["BN", "BN 없음"]
    assert ax.get_yscale() == "log"
    plt.close(fig)
    with pytest.raises(ValueError, match="step_loss"):
        plot_step_losses({"BN": {"loss": [1.0]}})
