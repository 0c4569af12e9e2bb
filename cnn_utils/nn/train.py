"""Training the numpy networks of `cnn_utils.nn`: augmentation, one epoch, `fit`, accuracy (chapter 9).

`fit` returns the same record as chapter 8's Keras helper `cnn_utils.models.fit_mnist`, and prints
the same Korean log line per epoch, so chapters, `plot_learning_curves`, `time_to_accuracy` and the
benchmarks read both alike.
"""

import time

import numpy as np


def random_shift(images, rng, max_shift=2, fill=0.0):
    """Moves every image by its own random whole-pixel offset in [-max_shift, max_shift].

    A digit moved by a pixel or two is still the same digit: training on such copies teaches the
    network to ignore small shifts (data augmentation), at almost no cost.

    Args:
        images: array of shape (N, H, W, C).
        rng: a `np.random.Generator`.
        max_shift: int >= 0, the largest shift in pixels along each axis.
        fill: the value of the pixels that come in from outside (the background).

    Returns:
        A new array of the same shape and dtype.

    Example:
        >>> x = np.zeros((1, 3, 3, 1)); x[0, 1, 1, 0] = 1
        >>> int(random_shift(x, np.random.default_rng(0), 1).sum())  # the pixel moved, not lost
        1
    """
    n, h, w, _ = images.shape
    m = max_shift
    padded = np.pad(images, ((0, 0), (m, m), (m, m), (0, 0)), constant_values=fill)
    dy, dx = rng.integers(0, 2 * m + 1, size=(2, n))
    # Every (H, W) window of the padded image, as a view: window (dy, dx) is the image moved by
    # (m - dy, m - dx). Picking one window per image copies N images, nothing more.
    windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(1, 2))  # (N, 2m+1, 2m+1, C, H, W)
    return np.ascontiguousarray(windows[np.arange(n), dy, dx].transpose(0, 2, 3, 1))


def train_epoch(model, loss, optimizer, x, y, batch_size, rng, augment=None):
    """One pass over (x, y) in shuffled mini-batches; returns the mean loss and accuracy.

    Both are averaged over the epoch's mini-batches as the weights changed (as Keras reports them),
    not measured again at the end.

    Args:
        model: a `Sequential`.
        loss: a `SoftmaxCrossEntropy`.
        optimizer: an `SGD` or `Adam` over `model.parameters()`.
        x, y: training images (N, H, W, C) and integer labels (N,).
        batch_size: int.
        rng: a `np.random.Generator` for the order (and the augmentation).
        augment: optional function `(images, rng) -> images` applied to every mini-batch,
            e.g. `random_shift`.

    Returns:
        (mean loss, accuracy) over the epoch, as Python floats.
    """
    order = rng.permutation(len(x))
    total, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        batch = order[start:start + batch_size]
        images = x[batch] if augment is None else augment(x[batch], rng)
        logits = model.forward(images)
        total += float(loss.forward(logits, y[batch])) * len(batch)
        correct += int((logits.argmax(axis=1) == y[batch]).sum())
        model.backward(loss.backward())
        optimizer.step()
    return total / len(x), correct / len(x)


def accuracy(model, x, y, batch_size=1000):
    """Fraction of `x` whose largest logit is the label `y`, in inference mode (`training=False`:
    `BatchNorm` uses its moving statistics and leaves them unchanged)."""
    correct = 0
    for start in range(0, len(x), batch_size):
        correct += int((model.forward(x[start:start + batch_size], training=False).argmax(axis=1)
                        == y[start:start + batch_size]).sum())
    return correct / len(x)


def fit(model, loss, optimizer, data, epochs, batch_size, rng, augment=None, verbose=True):
    """Trains `model` for `epochs` epochs; after each records training time so far and test accuracy.

    The numpy counterpart of `cnn_utils.models.fit_mnist`: the same record, the same log line.

    Args:
        model: a `Sequential`.
        loss: a `SoftmaxCrossEntropy`.
        optimizer: an `SGD` or `Adam` over `model.parameters()`.
        data: ((x_train, y_train), (x_test, y_test)), images (N, H, W, C) and integer labels.
        epochs, batch_size: ints.
        rng: a `np.random.Generator` for the mini-batch order and the augmentation.
        augment: optional function `(images, rng) -> images`, as for `train_epoch`.
        verbose: print one line per epoch: "에포크 1: 손실 0.1664, 시험 정확도 0.9843, 15.7초
            (누적 16초)" (the epoch's training time, then the cumulative one).

    Returns:
        dict of lists, one entry per epoch: "seconds" (cumulative training time, evaluation not
        counted), "loss", "accuracy" (training) and "test_accuracy".
    """
    (x_train, y_train), (x_test, y_test) = data
    record = {"seconds": [], "loss": [], "accuracy": [], "test_accuracy": []}
    elapsed = 0.0
    for epoch in range(epochs):
        started = time.perf_counter()
        epoch_loss, epoch_accuracy = train_epoch(model, loss, optimizer, x_train, y_train,
                                                 batch_size, rng, augment)
        seconds = time.perf_counter() - started
        elapsed += seconds
        test_accuracy = accuracy(model, x_test, y_test)     # not timed, as in fit_mnist
        for key, value in (("seconds", elapsed), ("loss", epoch_loss),
                           ("accuracy", epoch_accuracy), ("test_accuracy", test_accuracy)):
            record[key].append(float(value))
        if verbose:
            print(f"에포크 {epoch + 1}: 손실 {epoch_loss:.4f}, 시험 정확도 {test_accuracy:.4f}, "
                  f"{seconds:.1f}초 (누적 {elapsed:.0f}초)")
    return record
