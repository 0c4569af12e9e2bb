"""Keras models: the classic CNNs of chapter 1 (`classic`), chapter 8's MNIST CNNs with their
training helper (`keras_mnist`) and chapter 11's deep plain and residual stacks (`gradient_flow`).
Keras is imported inside the functions, so importing this package does not import TensorFlow.
"""

from .gradient_flow import deep_stack, gradient_norms
from .classic import ALEXNET_LAYERS, AlexNetLayer, alexnet, lenet5
from .keras_mnist import (epoch_log, fit_mnist, keras_example_cnn, mnist_cnn, one_cycle_schedule,
                          train_steps)

__all__ = ["ALEXNET_LAYERS", "AlexNetLayer", "alexnet", "deep_stack", "epoch_log", "fit_mnist",
           "gradient_norms", "keras_example_cnn", "lenet5", "mnist_cnn", "one_cycle_schedule",
           "train_steps"]
