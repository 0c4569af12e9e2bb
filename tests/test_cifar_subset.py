"""cnn_utils.models.cifar_subset (chapter 10's overfitting runs) and cnn_utils.viz.cifar."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnn_utils import (plot_confusion_matrix, plot_gap_comparison, show_augmented, show_channels,
                       show_class_grid)
from cnn_utils.models import overfitting_gap, small_cifar_cnn, train_subset


def _tiny(n=24, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 32, 32, 3)).astype(np.uint8), rng.integers(0, 10, n)


def test_small_cifar_cnn_switches():
    base = small_cifar_cnn()
    names = [layer.name for layer in base.layers]
    assert names[0] == "scale" and "dropout1" not in names and base.output_shape == (None, 10)
    both = [layer.name for layer in small_cifar_cnn(augment=True, dropout=0.5, seed=1).layers]
    assert both[:2] == ["augmentation", "scale"] and {"dropout1", "dropout2"} <= set(both)
    # the remedies add no parameters: the runs compare the same model
    assert small_cifar_cnn(augment=True, dropout=0.5).count_params() == base.count_params()
    with pytest.raises(ValueError, match="dropout"):
        small_cifar_cnn(dropout=1.0)
    with pytest.raises(TypeError, match="augment"):
        small_cifar_cnn(augment="yes")
    with pytest.raises(ValueError, match="widths"):
        small_cifar_cnn(widths=())


def test_augmentation_acts_only_in_training():
    x, _ = _tiny(4)
    model = small_cifar_cnn(augment=True, seed=0)
    augment = model.get_layer("augmentation")
    assert np.array_equal(np.asarray(augment(x.astype("float32"), training=False)), x)
    assert not np.array_equal(np.asarray(augment(x.astype("float32"), training=True)), x)


def test_train_subset_record_and_weight_decay():
    x, y = _tiny()
    run = train_subset(small_cifar_cnn(widths=(4,), dense=8, seed=0), (x, y), (x[:8], y[:8]), 2, seed=0)
    assert [len(run[k]) for k in ("loss", "accuracy", "val_loss", "val_accuracy")] == [2, 2, 2, 2]
    assert run["seconds"] > 0
    decayed = small_cifar_cnn(widths=(4,), dense=8, seed=0)
    train_subset(decayed, (x, y), (x[:8], y[:8]), 1, weight_decay=1.0, seed=0)
    assert type(decayed.optimizer).__name__ == "AdamW"
    with pytest.raises(ValueError, match="epochs"):
        train_subset(decayed, (x, y), (x, y), 0)
    with pytest.raises(ValueError, match="weight_decay"):
        train_subset(decayed, (x, y), (x, y), 1, weight_decay=-1)
    with pytest.raises(ValueError, match="as many labels"):
        train_subset(decayed, (x, y[:3]), (x, y), 1)


def test_overfitting_gap():
    assert overfitting_gap({"accuracy": [0.2, 0.8, 1.0], "val_accuracy": [0.1, 0.5, 0.5]}, last=2) == \
        (0.9, 0.5, 0.4)
    with pytest.raises(ValueError, match="val_accuracy"):
        overfitting_gap({"accuracy": [1.0]})


def test_cifar_figures():
    x, y = _tiny(30)
    y = np.arange(30) % 10
    fig = show_class_grid(x, y[:, np.newaxis], per_class=3)
    assert len(fig.axes) == 30 and fig.axes[6].get_ylabel() == "새"
    assert len(show_channels(x[0]).axes) == 5             # four panels and a colour bar
    assert len(show_augmented(x[:4], [x[:4]] * 2).axes) == 12
    run = {"accuracy": [0.9], "val_accuracy": [0.5]}
    assert len(plot_gap_comparison({"가": run, "나": run}, last=1).axes[0].texts) == 2
    matrix = np.diag(np.full(10, 90)) + 1
    fig = plot_confusion_matrix(matrix)
    assert len(fig.axes[0].texts) == 100 and fig.axes[0].get_ylabel() == "정답"
    for bad in (lambda: show_channels(x[0, :, :, 0]), lambda: show_class_grid(x, y[:5]),
                lambda: plot_confusion_matrix(np.ones((3, 3))), lambda: plot_gap_comparison({})):
        with pytest.raises(ValueError):
            bad()
    plt.close("all")
