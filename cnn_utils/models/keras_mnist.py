"""Keras CNNs for MNIST and the training loop that chapter 8 and the benchmarks share.

Used in chapters 8 and 10 (chapter 10 trains `mnist_cnn` on CIFAR-10's colour images).

`keras_example_cnn` is the architecture of the Keras example "Simple MNIST convnet"; `mnist_cnn` is
the book's faster-to-train model (and, with `batch_norm=False`, the same model without batch
normalisation). Chapter 8 writes `compile` and `fit` out itself, with `epoch_log` printing its Korean
log and a validation split; `train_steps` then wraps them for the chapter's short comparisons
(a few hundred steps, scored on the validation data). `fit_mnist` is the benchmarks' loop: it
records, after every epoch, the training time so far and the test accuracy.
Keras is imported inside the functions: the rest of `cnn_utils` works without TensorFlow.
"""

import time

import numpy as np

from .._validation import one_cycle_warmup


def keras_example_cnn():
    """The Keras example "Simple MNIST convnet": Conv 32, pool, Conv 64, pool, dropout, Dense 10.

    Returns:
        An uncompiled `keras.Sequential` for (28, 28, 1) inputs (34,826 parameters).

    Example:
        >>> keras_example_cnn().count_params()
        34826
    """
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input((28, 28, 1), name="image"),
        layers.Conv2D(32, 3, activation="relu", name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Conv2D(64, 3, activation="relu", name="conv2"),
        layers.MaxPooling2D(2, name="pool2"),
        layers.Flatten(name="flatten"),
        layers.Dropout(0.5, name="dropout"),
        layers.Dense(10, activation="softmax", name="output"),
    ], name="keras_example")


def mnist_cnn(batch_norm=True, input_shape=(28, 28, 1)):
    """The book's MNIST CNN: the example's layers with batch normalisation, and a hidden dense layer.

    conv1 (32 3x3, no bias) - 2x2 max pool - BN - ReLU - conv2 (64 3x3, no bias) - 2x2 max pool -
    BN - ReLU - flatten - dropout 0.25 - dense 128 (ReLU) - dense 10 with softmax. BN keeps every
    layer's inputs at a steady scale, which allows a higher learning rate (its momentum 0.9 lets
    the running statistics used for testing follow the fast-changing weights of a short training).
    BN comes after the pooling, where there are four times fewer values to normalise than after
    the convolution; a convolution followed by BN needs no bias (BN's own shift plays that part).

    Args:
        batch_norm: False gives the same model without the two BN layers, its convolutions with a
            bias instead (chapter 8's comparison).
        input_shape: (height, width, channels) of the images; chapter 10 trains the same layers
            on CIFAR-10's (32, 32, 3) images.

    Returns:
        An uncompiled `keras.Sequential` for `input_shape` inputs.

    Example:
        >>> [layer.name for layer in mnist_cnn().layers][:4]
        ['conv1', 'pool1', 'bn1', 'relu1']
        >>> [layer.name for layer in mnist_cnn(batch_norm=False).layers][:3]
        ['conv1', 'pool1', 'relu1']
        >>> tuple(mnist_cnn(input_shape=(32, 32, 3)).get_layer("conv1").kernel.shape)   # 3 channels
        (3, 3, 3, 32)
    """
    import keras
    from keras import layers

    if not isinstance(batch_norm, (bool, np.bool_)):
        raise TypeError(f"mnist_cnn expects `batch_norm` to be True or False; received {batch_norm!r}.")
    if (not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3
            or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0
                       for n in input_shape) or min(input_shape[:2]) < 10):
        raise ValueError(f"mnist_cnn expects `input_shape` = (height, width, channels), positive ints "
                         f"with height and width at least 10 (two 3x3 convolutions and 2x2 pools); "
                         f"received {input_shape!r}. MNIST is (28, 28, 1), CIFAR-10 (32, 32, 3).")

    def bn(name):  # a BN layer, or none in the comparison model without BN
        return [layers.BatchNormalization(momentum=0.9, name=name)] if batch_norm else []

    return keras.Sequential([
        keras.Input(tuple(int(n) for n in input_shape), name="image"),
        layers.Conv2D(32, 3, use_bias=not batch_norm, name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        *bn("bn1"),
        layers.ReLU(name="relu1"),
        layers.Conv2D(64, 3, use_bias=not batch_norm, name="conv2"),
        layers.MaxPooling2D(2, name="pool2"),
        *bn("bn2"),
        layers.ReLU(name="relu2"),
        layers.Flatten(name="flatten"),
        layers.Dropout(0.25, name="dropout"),
        layers.Dense(128, activation="relu", name="fc"),
        layers.Dense(10, activation="softmax", name="output"),
    ], name="mnist_cnn" if batch_norm else "mnist_cnn_no_bn")


def one_cycle_schedule(total_steps, peak_lr, warmup_fraction=0.2):
    """Learning rate that rises linearly to `peak_lr`, then falls along a cosine to almost zero.

    Starting low lets the first updates settle; ending low lets the weights converge. The numpy
    optimisers of chapter 9 take the same schedule as a plain function, `cnn_utils.nn.one_cycle`.

    Args:
        total_steps: int, the number of optimiser steps of the whole training.
        peak_lr: float, the largest learning rate.
        warmup_fraction: float in (0, 1), the share of steps spent rising.

    Returns:
        A `keras.optimizers.schedules.LearningRateSchedule`.
    """
    import keras

    warmup = one_cycle_warmup("one_cycle_schedule", total_steps, warmup_fraction)
    return keras.optimizers.schedules.CosineDecay(
        peak_lr / 10, decay_steps=total_steps - warmup, alpha=0.01,
        warmup_target=peak_lr, warmup_steps=warmup)


def fit_mnist(model, data, epochs, batch_size, optimizer, seed=0, verbose=True):
    """Trains `model` on MNIST; after each epoch records training time so far and test accuracy.

    Args:
        model: an uncompiled Keras model with a 10-way softmax output.
        data: ((x_train, y_train), (x_test, y_test)) with images of shape (N, 28, 28, 1).
        epochs: int.
        batch_size: int.
        optimizer: a Keras optimizer (or its name).
        seed: int for `keras.utils.set_random_seed` (shuffling, dropout).
        verbose: print one line per epoch, in Korean like chapter 9's log:
            "에포크 1: 손실 0.1664, 시험 정확도 0.9843, 15.7초 (누적 16초)" (the epoch's training
            time, then the cumulative one).

    Returns:
        dict of lists, one entry per epoch: "seconds" (cumulative training time, evaluation not
        counted), "loss", "accuracy" (training) and "test_accuracy".
    """
    import keras

    (x_train, y_train), (x_test, y_test) = data
    keras.utils.set_random_seed(seed)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    record = {"seconds": [], "loss": [], "accuracy": [], "test_accuracy": []}

    class Recorder(keras.callbacks.Callback):
        """Times each epoch and, outside the timed part, measures the test accuracy."""

        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            elapsed = time.perf_counter() - self.started + (record["seconds"] or [0.0])[-1]
            test_accuracy = self.model.evaluate(x_test, y_test, batch_size=1000, verbose=0)[1]
            for key, value in (("seconds", elapsed), ("loss", logs["loss"]),
                               ("accuracy", logs["accuracy"]), ("test_accuracy", test_accuracy)):
                record[key].append(float(value))
            if verbose:     # the reader's log, in the words of chapter 9's
                this_epoch = elapsed - (record["seconds"][-2] if len(record["seconds"]) > 1 else 0.0)
                print(f"에포크 {epoch + 1}: 손실 {logs['loss']:.4f}, 시험 정확도 {test_accuracy:.4f}, "
                      f"{this_epoch:.1f}초 (누적 {elapsed:.0f}초)")

    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0,
              callbacks=[Recorder()])
    return record



def epoch_log():
    """A Keras callback printing one Korean line per epoch, with the validation scores and time.

    "에포크 1: 손실 0.1664, 정확도 0.9512, 검증 손실 0.0612, 검증 정확도 0.9810, 14.1초": the
    training loss and accuracy are averages over the epoch (Keras's logs), the validation ones are
    measured after it. Pass it as `model.fit(..., verbose=0, callbacks=[epoch_log()])`.

    Returns:
        A `keras.callbacks.Callback`.
    """
    import keras

    class EpochLog(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            parts = [f"손실 {logs['loss']:.4f}", f"정확도 {logs['accuracy']:.4f}"]
            if "val_loss" in logs:
                parts += [f"검증 손실 {logs['val_loss']:.4f}", f"검증 정확도 {logs['val_accuracy']:.4f}"]
            print(f"에포크 {epoch + 1}: {', '.join(parts)}, {time.perf_counter() - self.started:.1f}초")

    return EpochLog()


def train_steps(model, train, validation, steps, learning_rate, batch_size=128, seed=2026):
    """Compiles and trains `model` for `steps` steps (at most one epoch), then scores it on `validation`.

    The chapter-8 comparisons: every arm sees the same first `steps * batch_size` training images
    in the same order and the same dropout (`seed`), so only the model or the learning rate
    differs. The initial weights were drawn when the caller built `model`.

    Args:
        model: an uncompiled Keras model with a 10-way softmax output.
        train: (x, y) training images (N, 28, 28, 1) and labels, with N >= steps * batch_size.
        validation: (x, y) validation images and labels.
        steps: int, the number of optimiser steps.
        learning_rate: a float (constant) or a Keras schedule, for Adam.
        batch_size: int.
        seed: int for `keras.utils.set_random_seed` (dropout, the shuffling).

    Returns:
        dict: "step_loss" (list, Keras's running mean of the training loss after each step),
        "val_loss", "val_accuracy" (floats, after the last step) and "seconds" (training time).

    Raises:
        ValueError: if there are fewer than `steps * batch_size` training images.
    """
    import keras

    x, y = train
    if not isinstance(steps, int) or steps < 1 or steps * batch_size > len(x):
        raise ValueError(f"train_steps expects 1 <= steps <= len(train images) / batch_size = "
                         f"{len(x) // batch_size}; received steps={steps!r}. Use fewer steps.")
    keras.utils.set_random_seed(seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    class StepLosses(keras.callbacks.Callback):
        """Keeps Keras's running training loss (the mean over the epoch so far) after every step."""

        def on_train_begin(self, logs=None):
            self.losses = []

        def on_train_batch_end(self, batch, logs=None):
            self.losses.append(float(logs["loss"]))

    recorder, count = StepLosses(), steps * batch_size
    started = time.perf_counter()
    model.fit(x[:count], y[:count], batch_size=batch_size, epochs=1, verbose=0, callbacks=[recorder])
    seconds = time.perf_counter() - started
    val_loss, val_accuracy = model.evaluate(*validation, batch_size=1000, verbose=0)
    return {"step_loss": recorder.losses, "val_loss": float(val_loss),
            "val_accuracy": float(val_accuracy), "seconds": seconds}
