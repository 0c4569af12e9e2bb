"""CIFAR-10 training: the book's ResNet (`python3 tasks.py train cifar10`'s recipe) and its anchor.

The anchor (`bench --only cifar-anchor`, benchmarks/bench_cifar_anchor.py; `--only cifar
cifar-anchor` runs both side by side) is the classic Keras example "cifar10_cnn.py" (four 3x3
convolutions, two pools, dropout, a dense layer of 512; RMSprop with learning rate 1e-4, batch 32,
flips and shifts of 10%), which the Keras documentation reported at 75% test accuracy after 25
epochs and 79% after 50, trained on the same machine for the goal's 20 minutes, so the two
accuracies compare what each gets from the same minutes of 2 cores. CS231n's assignment asks for
70%.

Each takes about 20 minutes on 2 cores; `--quick` trains the ResNet for one epoch on 5,000 images
and the anchor for one minute.
"""

import time

import numpy as np

from cnn_utils import load_cifar10
from cnn_utils.models import SHIPPED, cifar_resnet, split_cifar10, train_cifar
from cnn_utils.models.cifar_training import TRAIN_SEED, accuracy


def keras_example_cifar_cnn():
    """The Keras example "Train a simple deep CNN on the CIFAR10 small images dataset" (Keras 2)."""
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input((32, 32, 3)),
        layers.Rescaling(1 / 255),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Dropout(0.25),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(512, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ], name="keras_cifar10_example")


def example_training(train, test, seconds, batch_size=32):
    """Trains the Keras example for `seconds` of training time; returns (epochs, accuracy, seconds)."""
    import keras

    from cnn_utils.models import augmentation

    keras.utils.set_random_seed(TRAIN_SEED)
    model = keras_example_cifar_cnn()
    model.compile(keras.optimizers.RMSprop(1e-4), "sparse_categorical_crossentropy")
    shift = augmentation(seed=TRAIN_SEED, translation=0.1)
    x, y = train
    rng = np.random.default_rng(TRAIN_SEED)
    spent, epochs = 0.0, 0
    while spent < seconds:
        started = time.perf_counter()
        order = rng.permutation(len(x))
        images = np.asarray(shift(x[order].astype(np.float32), training=True))
        model.fit(images, y[order], batch_size=batch_size, epochs=1, verbose=0)
        spent += time.perf_counter() - started
        epochs += 1
    return epochs, accuracy(model, *test), spent


def _at(record, goal):
    reached = [s for s, a in zip(record["seconds"], record["test_accuracy"]) if a >= goal]
    return f"{reached[0] / 60:.1f} min" if reached else "not reached"


GOAL_SECONDS = 20 * 60


def run(quick=False):
    train, validation, test = split_cifar10(load_cifar10())
    epochs = 1 if quick else SHIPPED["cifar10"][2]
    if quick:
        train = (train[0][:5000], train[1][:5000])
    record = train_cifar(cifar_resnet(), train, validation, epochs, test=test, seed=TRAIN_SEED,
                         verbose=False)
    seconds = record["seconds"][-1]
    goal = " (goal: at least 85% within 20 minutes)" if not quick else " (quick: 1 epoch, 5,000 images)"
    return [
        (f"CIFAR-10 ResNet (tasks.py train cifar10's recipe), {epochs} epochs: test accuracy, "
         f"training time{goal}",
         f"{record['test_accuracy'][-1]:.2%}, {seconds / 60:.1f} min ({seconds / epochs:.0f} s per epoch)"),
        ("CIFAR-10 ResNet: time to 80% and to 85% test accuracy",
         f"{_at(record, 0.80)}, {_at(record, 0.85)}"),
    ]


def run_anchor(quick=False):
    train, _, test = split_cifar10(load_cifar10())
    budget = 60 if quick else GOAL_SECONDS
    epochs, example_accuracy, example_seconds = example_training(train, test, budget)
    return [(f"anchor: the Keras example cifar10_cnn (75% after 25 epochs, 79% after 50, as Keras "
             f"reported) trained for {budget / 60:.0f} min",
             f"{example_accuracy:.2%} after {epochs} epochs, {example_seconds / 60:.1f} min")]
