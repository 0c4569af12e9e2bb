"""Overfitting made visible: a small CIFAR-10 CNN trained for many epochs on a small subset.

Used in chapter 10: `small_cifar_cnn` builds the same small CNN with or without each remedy
(data augmentation, dropout), `train_subset` trains it with Adam or AdamW (weight decay) and
returns the per-epoch curves, and `overfitting_gap` reads the gap between training and validation
accuracy from them. Every comparison run of the chapter uses the same images, the same number of
epochs and the same seed, so that only the remedy differs.

Keras is imported inside the functions: the rest of `cnn_utils` works without TensorFlow.
"""

import time

import numpy as np

from .cifar_training import augmentation

SUBSET_WIDTHS = (32, 64, 128)


def _check_fraction(op, name, value, high=1.0):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0 <= value < high:
        raise ValueError(f"{op} expects `{name}` to be a number in [0, {high:g}); received {value!r}.")
    return float(value)


def small_cifar_cnn(augment=False, dropout=0.0, widths=SUBSET_WIDTHS, dense=128, seed=None,
                    num_classes=10):
    """A small CNN for CIFAR-10 images on the 0-255 scale, with the remedies of chapter 10 as switches.

    Rescaling to 0-1, then for each width a 3x3 convolution (SAME, ReLU) and a 2x2 max pool,
    flatten, dense `dense` (ReLU), dense `num_classes` with softmax. With `augment` the Keras
    preprocessing layers of `augmentation(seed)` (flip, shift) come first: they change every
    training image anew each epoch and pass images through unchanged outside training. With
    `dropout` > 0 a `Dropout` layer comes before each dense layer.

    Args:
        augment: bool, put `augmentation(seed)` in front.
        dropout: float in [0, 1), the share of inputs the two dropout layers turn off in training.
        widths: tuple of ints, the convolutions' channels.
        dense: int, the hidden dense layer's units.
        seed: int or None, for the augmentation and dropout layers' random draws.
        num_classes: int.

    Returns:
        An uncompiled `keras.Sequential` for (32, 32, 3) inputs.

    Example:
        >>> model = small_cifar_cnn()
        >>> model.count_params(), model.output_shape
        (356810, (None, 10))
        >>> [layer.name for layer in small_cifar_cnn(augment=True, dropout=0.5).layers][:2]
        ['augmentation', 'scale']
    """
    import keras
    from keras import layers

    if not isinstance(augment, (bool, np.bool_)):
        raise TypeError(f"small_cifar_cnn expects `augment` to be True or False; received {augment!r}.")
    dropout = _check_fraction("small_cifar_cnn", "dropout", dropout)
    if (not isinstance(widths, (tuple, list)) or not widths
            or not all(isinstance(w, (int, np.integer)) and not isinstance(w, bool) and w > 0 for w in widths)
            or len(widths) > 5):
        raise ValueError(f"small_cifar_cnn expects `widths`, one to five positive ints (channels per "
                         f"convolution); received {widths!r}. The default is {SUBSET_WIDTHS}.")
    stack = [keras.Input((32, 32, 3), name="image")]
    if augment:
        stack.append(augmentation(seed))
    stack.append(layers.Rescaling(1 / 255, name="scale"))
    for index, width in enumerate(widths, start=1):
        stack += [layers.Conv2D(int(width), 3, padding="same", activation="relu", name=f"conv{index}"),
                  layers.MaxPooling2D(2, name=f"pool{index}")]
    stack.append(layers.Flatten(name="flatten"))
    if dropout:
        stack.append(layers.Dropout(dropout, seed=seed, name="dropout1"))
    stack.append(layers.Dense(dense, activation="relu", name="fc"))
    if dropout:
        stack.append(layers.Dropout(dropout, seed=seed, name="dropout2"))
    stack.append(layers.Dense(num_classes, activation="softmax", name="output"))
    return keras.Sequential(stack, name="small_cifar_cnn")


def train_subset(model, train, validation, epochs, weight_decay=0.0, learning_rate=1e-3,
                 batch_size=64, seed=0, verbose=False):
    """Trains `model` with Adam (AdamW when `weight_decay` > 0) and returns its per-epoch curves.

    Weight decay here is AdamW's decoupled decay: after every step each weight shrinks by
    ``learning_rate * weight_decay`` of itself, outside the loss, so that the logged losses stay
    the cross-entropy alone and the runs with and without it are compared on the same quantity
    (an L2 term in the loss would add itself to the training and validation losses; with Adam it
    would also be rescaled per weight, which is why AdamW decays outside the gradient).

    Args:
        model: an uncompiled Keras model with a softmax output, e.g. `small_cifar_cnn()`.
        train, validation: (x, y) images (N, 32, 32, 3) and integer labels of shape (N,) or (N, 1).
        epochs: int.
        weight_decay: float >= 0, AdamW's `weight_decay`.
        learning_rate: float.
        batch_size: int.
        seed: int for `keras.utils.set_random_seed` (the shuffling; the layers' own seeds are
            given when the model is built).
        verbose: print one Korean line per epoch (`cnn_utils.models.epoch_log`).

    Returns:
        dict of per-epoch lists "loss", "accuracy" (the epoch's mean on the training images, with
        augmentation and dropout on), "val_loss", "val_accuracy", as Keras's `History.history`,
        and "seconds", the training time of the whole run (a float).

    Example:
        >>> x = np.zeros((8, 32, 32, 3), np.uint8); y = np.arange(8) % 10
        >>> run = train_subset(small_cifar_cnn(widths=(4,), dense=8), (x, y), (x, y), epochs=2)
        >>> sorted(run), len(run["val_accuracy"])
        (['accuracy', 'loss', 'seconds', 'val_accuracy', 'val_loss'], 2)
    """
    import keras

    from .keras_mnist import epoch_log

    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"train_subset expects `epochs`, a positive int; received {epochs!r}.")
    if isinstance(weight_decay, bool) or not isinstance(weight_decay, (int, float)) or weight_decay < 0:
        raise ValueError(f"train_subset expects `weight_decay`, a number >= 0 (0 for plain Adam); "
                         f"received {weight_decay!r}.")
    (x, y), (x_val, y_val) = train, validation
    if len(x) != len(y) or len(x_val) != len(y_val):
        raise ValueError(f"train_subset expects as many labels as images; received {len(x)} training "
                         f"images with {len(y)} labels and {len(x_val)} validation images with "
                         f"{len(y_val)} labels.")
    keras.utils.set_random_seed(seed)
    optimizer = (keras.optimizers.AdamW(learning_rate, weight_decay=weight_decay) if weight_decay
                 else keras.optimizers.Adam(learning_rate))
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    history = model.fit(np.asarray(x, np.float32), np.asarray(y).reshape(-1), batch_size=batch_size,
                        epochs=int(epochs), verbose=0,
                        validation_data=(np.asarray(x_val, np.float32), np.asarray(y_val).reshape(-1)),
                        callbacks=[epoch_log()] if verbose else [])
    record = {key: [float(v) for v in values] for key, values in history.history.items()}
    record["seconds"] = time.perf_counter() - started
    return record


def overfitting_gap(run, last=3):
    """The training and validation accuracy of a run, averaged over its last epochs, and the gap.

    Args:
        run: a `train_subset` result (or Keras's `History.history`).
        last: int, how many final epochs to average (a single epoch's accuracy jumps around).

    Returns:
        (train_accuracy, val_accuracy, gap) as floats, gap = train - validation.

    Example:
        >>> overfitting_gap({"accuracy": [0.5, 0.9, 1.0], "val_accuracy": [0.4, 0.5, 0.45]}, last=2)
        (0.95, 0.475, 0.475)
    """
    if isinstance(last, bool) or not isinstance(last, (int, np.integer)) or last < 1:
        raise ValueError(f"overfitting_gap expects `last`, a positive int; received {last!r}.")
    missing = [key for key in ("accuracy", "val_accuracy") if key not in run]
    if missing:
        raise ValueError(f"overfitting_gap expects per-epoch lists 'accuracy' and 'val_accuracy' "
                         f"(a train_subset result); received keys {sorted(run)}.")
    train = float(np.mean(run["accuracy"][-last:]))
    val = float(np.mean(run["val_accuracy"][-last:]))
    return round(train, 6), round(val, 6), round(train - val, 6)
