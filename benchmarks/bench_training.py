"""Training speed: the from-scratch numpy CNN (chapter 9) and the Keras CNNs (chapter 8).

Every figure comes from this run on this machine; the only quoted figures are the reference
measurements of the issue, for comparison:
- "밑바닥부터 시작하는 딥러닝"'s own numpy SimpleConvNet (float64, im2col), measured on an idle 2-core
  machine: about 95 s per epoch of 600 batches of 100, 32 to 35 minutes for its 20 epochs.
"""

import time

import numpy as np

from cnn_utils import load_mnist, to_conv_input
from cnn_utils import layers as scratch

REFERENCE_SCRATCH_EPOCH_SECONDS = 95.0
SCRATCH = {"epochs": 7, "batch_size": 50, "lr": 1e-3, "decay": 0.7, "max_shift": 1}  # chapter 9
KERAS = {"epochs": 4, "batch_size": 128, "peak_lr": 3e-3}               # chapter 8's recipe
KERAS_EXAMPLE = {"epochs": 15, "batch_size": 128}                       # the example's recipe


def _data():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    return (to_conv_input(x_train), y_train), (to_conv_input(x_test), y_test)


def scratch_training(data, epochs):
    """Chapter 9's training; returns per-epoch (cumulative seconds, test accuracy)."""
    (x_train, y_train), (x_test, y_test) = data
    mean, std = x_train.mean(), x_train.std()
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    background = float(x_train.min())
    rng = np.random.default_rng(2026)
    net = scratch.simple_convnet(rng)
    loss = scratch.SoftmaxCrossEntropy()
    optimizer = scratch.Adam(net.parameters(), lr=SCRATCH["lr"])
    record, elapsed = [], 0.0
    for epoch in range(epochs):
        optimizer.lr = SCRATCH["lr"] * SCRATCH["decay"] ** epoch
        started = time.perf_counter()
        scratch.train_epoch(net, loss, optimizer, x_train, y_train, SCRATCH["batch_size"], rng,
                            augment=lambda images, rng: scratch.random_shift(
                                images, rng, SCRATCH["max_shift"], fill=background))
        elapsed += time.perf_counter() - started
        record.append((elapsed, scratch.accuracy(net, x_test, y_test)))
    return record


def run(quick=False):
    import keras

    from cnn_utils.keras_mnist import (fit_mnist, keras_example_cnn, mnist_cnn, one_cycle,
                                       time_to_accuracy)

    data = _data()
    rows = []
    record = scratch_training(data, 1 if quick else SCRATCH["epochs"])
    first = record[0][0]
    reached = next((s for s, acc in record if acc >= 0.989), None)
    rows.append(("from-scratch CNN (chapter 9), one epoch of 1200 batches of 50",
                 f"{first:.1f} s (reference numpy implementation: {REFERENCE_SCRATCH_EPOCH_SECONDS:.0f} s, "
                 f"{REFERENCE_SCRATCH_EPOCH_SECONDS / first:.1f}x slower)"))
    rows.append(("from-scratch CNN: time to 98.9% test accuracy",
                 f"{reached:.0f} s" if reached else
                 f"not reached in {len(record)} epochs (best {max(a for _, a in record):.4f})"))
    if quick:
        return rows
    steps = KERAS["epochs"] * -(-60000 // KERAS["batch_size"])
    ours = fit_mnist(mnist_cnn(), data, KERAS["epochs"], KERAS["batch_size"],
                     keras.optimizers.Adam(one_cycle(steps, KERAS["peak_lr"])), seed=2026,
                     verbose=False)
    example = fit_mnist(keras_example_cnn(), data, KERAS_EXAMPLE["epochs"],
                        KERAS_EXAMPLE["batch_size"], "adam", seed=2026, verbose=False)
    t_ours, t_example = time_to_accuracy(ours, 0.99), time_to_accuracy(example, 0.99)
    for name, rec in (("chapter 8 model", ours), ("Keras example model", example)):
        rows.append((f"{name}: per epoch, final test accuracy",
                     f"{rec['seconds'][-1] / len(rec['seconds']):.1f} s/epoch, "
                     f"{rec['test_accuracy'][-1]:.4f} after {len(rec['seconds'])} epochs "
                     f"({rec['seconds'][-1]:.0f} s)"))
    rows.append(("time to 99.0% test accuracy, side by side",
                 f"chapter 8 model {t_ours:.0f} s, Keras example {t_example:.0f} s "
                 f"({t_ours / t_example:.2f} of the example's time; goal: at most 0.5)"
                 if t_ours and t_example else f"chapter 8 model {t_ours}, Keras example {t_example}"))
    t_992 = time_to_accuracy(ours, 0.992)
    rows.append(("chapter 8 model: time to 99.2% (goal: at most 90 s)",
                 f"{t_992:.0f} s" if t_992 else "not reached"))
    return rows
