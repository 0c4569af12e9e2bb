"""Training CIFAR-10 models: the augmentation layers, the training loop and the shipped weights.

Used in chapters 10, 11 and 12, and by `python3 tasks.py train cifar10` (the book's own training
command, which writes `cnn_utils/weights/*.keras` and the JSON record beside each file).

Keras is imported inside the functions: the rest of `cnn_utils` works without TensorFlow.
"""

import json
import time
from pathlib import Path

import numpy as np

from .keras_mnist import one_cycle_schedule

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
# The shipped models: what `python3 tasks.py train` writes and `pretrained` loads.
# name: (file, classes it learns, epochs). The training set is the first 45,000 of the 50,000
# training images (the last 5,000 are the validation set), restricted to those classes.
SHIPPED = {
    "cifar10": ("cifar10_resnet", tuple(range(10)), 9),
    "cifar5": ("cifar5_resnet", tuple(range(5)), 6),
}
TRAIN_SEED = 0
VALIDATION_SIZE = 5000


def augmentation(seed=None, translation=4 / 32):
    """Keras preprocessing layers that change each training image a little, anew every epoch.

    A horizontal flip (half the images) and a shift of up to `translation` of the image (4 pixels
    of 32) in each direction, the uncovered border filled by reflection, pixels moved whole
    (nearest), so that no image is blurred. Layers of this kind act only in training
    (`training=True`); at test time they pass the image through unchanged.

    Args:
        seed: int or None, for the layers' random draws.
        translation: float in [0, 0.5), the largest shift as a fraction of the side.

    Returns:
        A `keras.Sequential` of `RandomFlip` and `RandomTranslation`.

    Example:
        >>> [layer.name for layer in augmentation(seed=0).layers]
        ['flip', 'shift']
    """
    import keras
    from keras import layers

    if not isinstance(translation, (int, float)) or not 0 <= translation < 0.5:
        raise ValueError(f"augmentation expects 0 <= translation < 0.5 (a fraction of the image "
                         f"side); received {translation!r}. 4 pixels of 32 is 0.125.")
    return keras.Sequential([
        layers.RandomFlip("horizontal", seed=seed, name="flip"),
        layers.RandomTranslation(translation, translation, fill_mode="reflect",
                                 interpolation="nearest", seed=seed, name="shift"),
    ], name="augmentation")


def _batches(x, y, batch_size, num_classes, shuffle_seed=None, augment=None):
    """A tf.data pipeline of float32 images and one-hot labels, shuffled and augmented if asked."""
    import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices((x, np.asarray(y).reshape(-1)))
    if shuffle_seed is not None:
        data = data.shuffle(len(x), seed=shuffle_seed, reshuffle_each_iteration=True)
    data = data.batch(batch_size)

    def prepare(images, labels):
        images = tf.cast(images, tf.float32)
        if augment is not None:
            images = augment(images, training=True)
        return images, tf.one_hot(labels, num_classes)

    return data.map(prepare, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def accuracy(model, x, y, batch_size=1000):
    """The share of images in `x` whose most probable class under `model` is the label in `y`."""
    probabilities = model.predict(np.asarray(x, np.float32), batch_size=batch_size, verbose=0)
    return float(np.mean(np.argmax(probabilities, axis=1) == np.asarray(y).reshape(-1)))


def train_cifar(model, train, validation, epochs, test=None, batch_size=512, peak_lr=0.4,
                weight_decay=5e-4, label_smoothing=0.2, warmup_fraction=0.25, seed=0,
                augment=True, verbose=True):
    """Trains `model` with SGD (Nesterov momentum 0.9) on a one-cycle schedule, with augmentation.

    The recipe of Page's ResNet-9: a high peak learning rate that a warm-up reaches and a cosine
    lowers to almost zero, weight decay, label smoothing (the target puts 1 - 0.2 on the label and
    spreads 0.2 over all classes, so the model never becomes certain), flips and shifts. After each
    epoch it measures the validation accuracy and, if `test` is given, the test accuracy (for the
    benchmark record only: nothing in the recipe is chosen by it); that evaluation is not counted
    in the training time.

    Args:
        model: an uncompiled Keras model with a softmax output.
        train, validation: (x, y) images (N, 32, 32, 3) on the 0-255 scale and integer labels.
        epochs: int.
        test: optional (x, y).
        batch_size, peak_lr, weight_decay, label_smoothing, warmup_fraction: the recipe.
        seed: int for `keras.utils.set_random_seed`, the shuffling and the augmentation.
        augment: False trains on the images as they are (chapter 10's comparison).
        verbose: print one Korean line per epoch.

    Returns:
        dict of lists, one entry per epoch: "seconds" (cumulative training time), "loss",
        "val_accuracy" and, with `test`, "test_accuracy".
    """
    import keras

    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"train_cifar expects `epochs`, a positive int; received {epochs!r}.")
    (x, y), (x_val, y_val) = train, validation
    keras.utils.set_random_seed(seed)
    num_classes = model.output_shape[-1]
    steps = int(np.ceil(len(x) / batch_size)) * epochs
    model.compile(
        optimizer=keras.optimizers.SGD(one_cycle_schedule(steps, peak_lr, warmup_fraction),
                                       momentum=0.9, nesterov=True, weight_decay=weight_decay),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing),
        metrics=["categorical_accuracy"])
    data = _batches(x, y, batch_size, num_classes, shuffle_seed=seed,
                    augment=augmentation(seed) if augment else None)
    record = {"seconds": [], "loss": [], "val_accuracy": []} | ({"test_accuracy": []} if test else {})

    class Recorder(keras.callbacks.Callback):
        """Times each epoch and, outside the timed part, measures the held-out accuracies."""

        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            this_epoch = time.perf_counter() - self.started
            record["seconds"].append(this_epoch + (record["seconds"] or [0.0])[-1])
            record["loss"].append(float(logs["loss"]))
            record["val_accuracy"].append(accuracy(self.model, x_val, y_val))
            line = (f"에포크 {epoch + 1}: 손실 {logs['loss']:.4f}, 검증 정확도 "
                    f"{record['val_accuracy'][-1]:.4f}")
            if test:
                record["test_accuracy"].append(accuracy(self.model, *test))
                line += f", 시험 정확도 {record['test_accuracy'][-1]:.4f}"
            if verbose:
                print(f"{line}, {this_epoch:.1f}초 (누적 {record['seconds'][-1]:.0f}초)", flush=True)

    model.fit(data, epochs=epochs, verbose=0, shuffle=False, callbacks=[Recorder()])
    return record


def weights_path(name):
    """The path of shipped model `name` (a key of `SHIPPED`) in the installed package."""
    if name not in SHIPPED:
        raise ValueError(f"There is no shipped model {name!r}; the shipped models are "
                         f"{', '.join(sorted(SHIPPED))}.")
    return WEIGHTS_DIR / f"{SHIPPED[name][0]}.keras"


def pretrained(name="cifar10"):
    """Loads a model `python3 tasks.py train` trained and the package ships, and its record.

    Args:
        name: a key of `SHIPPED`.

    Returns:
        (model, record): the Keras model and the JSON record written beside it (the command,
        seed, recipe, per-epoch accuracies and times, and the final test accuracy).

    Raises:
        FileNotFoundError: if the file is missing (a source checkout without the weights), with
            the command that trains it.
    """
    path = weights_path(name)
    if not path.is_file():
        raise FileNotFoundError(f"The shipped model {path} is missing. Train it with "
                                f"`python3 tasks.py train {name}` (it is written there).")
    record = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    # The architecture from the code and only the weights from the file: a `.keras` file's
    # configuration written by one Keras (3.15) does not always load in an older one (Colab's 3.13
    # rejects its initialisers' arguments), while the weights, layer by layer, do.
    from .cifar import cifar_resnet

    model = cifar_resnet(num_classes=len(record["classes"]))
    model.load_weights(path)
    return model, record


def save_trained(model, record, name):
    """Writes `model` to `weights_path(name)` and `record` as JSON beside it; returns the path."""
    import keras

    path = weights_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    bare = keras.models.clone_model(model)   # without the optimizer's state: half the file
    bare.set_weights(model.get_weights())
    bare.save(path)
    path.with_suffix(".json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    return path


def split_cifar10(data, classes=tuple(range(10))):
    """The book's split of CIFAR-10: training, validation (the last 5,000 training images), test.

    Args:
        data: what `cnn_utils.load_cifar10()` returns.
        classes: the labels to keep (chapter 12's feature extractor sees only the first five).

    Returns:
        ((x_train, y_train), (x_val, y_val), (x_test, y_test)), labels of shape (N,).
    """
    (x, y), (x_test, y_test) = data
    y, y_test = np.asarray(y).reshape(-1), np.asarray(y_test).reshape(-1)
    parts = [(x[:-VALIDATION_SIZE], y[:-VALIDATION_SIZE]), (x[-VALIDATION_SIZE:], y[-VALIDATION_SIZE:]),
             (x_test, y_test)]
    return tuple((images[np.isin(labels, classes)], labels[np.isin(labels, classes)])
                 for images, labels in parts)


def train_shipped(name, data=None, epochs=None, verbose=True):
    """Trains shipped model `name` from scratch with the book's recipe and writes it with its record.

    This is what `python3 tasks.py train NAME` runs. The record (JSON beside the weights) holds the
    command, seed, recipe, per-epoch times and accuracies, the time to 80% and 85% test accuracy,
    and the final validation and test accuracies.

    Args:
        name: a key of `SHIPPED`.
        data: what `load_cifar10()` returns; loaded when None.
        epochs: int, overrides the recipe's number of epochs (for a quick trial; the shipped
            files use the recipe's).
        verbose: print one line per epoch.

    Returns:
        (path, record).
    """
    import platform

    import keras

    from ..cifar import load_cifar10
    from .cifar import cifar_resnet

    weights_path(name)                               # validates the name
    _, classes, recipe_epochs = SHIPPED[name]
    epochs = recipe_epochs if epochs is None else epochs
    train, validation, test = split_cifar10(data if data is not None else load_cifar10(), classes)
    keras.utils.set_random_seed(TRAIN_SEED)
    model = cifar_resnet(num_classes=len(classes))
    started = time.perf_counter()
    history = train_cifar(model, train, validation, epochs, test=test, seed=TRAIN_SEED, verbose=verbose)
    wall = time.perf_counter() - started

    def time_to(goal):
        reached = [s for s, a in zip(history["seconds"], history["test_accuracy"]) if a >= goal]
        return reached[0] if reached else None

    import tensorflow as tf

    record = {
        "command": f"python3 tasks.py train {name}", "seed": TRAIN_SEED, "classes": list(classes),
        "epochs": epochs, "train_images": len(train[0]), "validation_images": len(validation[0]),
        "test_images": len(test[0]), "parameters": model.count_params(),
        "recipe": {"batch_size": 512, "peak_lr": 0.4, "weight_decay": 5e-4, "label_smoothing": 0.2,
                   "warmup_fraction": 0.25, "augmentation": "flip + shift up to 4 pixels"},
        "history": history, "training_seconds": history["seconds"][-1], "wall_seconds": wall,
        "seconds_to_80": time_to(0.80), "seconds_to_85": time_to(0.85),
        "val_accuracy": history["val_accuracy"][-1], "test_accuracy": history["test_accuracy"][-1],
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, "
                   f"TensorFlow {tf.__version__}, Keras {keras.__version__}",
    }
    return save_trained(model, record, name), record


def main(argv=None):
    """`python3 tasks.py train NAME [--epochs N]`: trains the shipped models named, one by one."""
    import argparse

    parser = argparse.ArgumentParser(prog="python3 tasks.py train",
                                     description="Trains the book's CIFAR-10 models from scratch and "
                                                 "writes them into cnn_utils/weights.")
    parser.add_argument("names", nargs="+", choices=sorted(SHIPPED))
    parser.add_argument("--epochs", type=int, help="fewer epochs for a quick trial (the shipped "
                                                   "files use the recipe's)")
    args = parser.parse_args(argv)
    for name in args.names:
        path, record = train_shipped(name, epochs=args.epochs)
        reached = {goal: "never" if record[f"seconds_to_{goal}"] is None else
                   f"{record[f'seconds_to_{goal}']:.0f} s" for goal in (80, 85)}
        print(f"{name}: test accuracy {record['test_accuracy']:.4f} after "
              f"{record['training_seconds']:.0f} s of training ({record['wall_seconds']:.0f} s in all); "
              f"80% after {reached[80]}, 85% after {reached[85]}; written to {path}", flush=True)
