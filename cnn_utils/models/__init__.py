"""Keras models: the classic CNNs of chapter 1 (`classic`) and chapter 8's MNIST CNNs with their
training helper (`keras_mnist`). Keras is imported inside the functions, so importing this package
does not import TensorFlow.
"""

from .classic import ALEXNET_LAYERS, AlexNetLayer, alexnet, lenet5
from .keras_mnist import (epoch_log, fit_mnist, keras_example_cnn, mnist_cnn, one_cycle_schedule,
                          train_steps)

__all__ = ["ALEXNET_LAYERS", "AlexNetLayer", "alexnet", "epoch_log", "fit_mnist", "keras_example_cnn", "lenet5",
           "mnist_cnn", "one_cycle_schedule", "train_steps"]
