"""A CNN from scratch in numpy (chapters 9 and 11): layers with forward and backward passes, a loss,
optimisers, training and gradient checking.

- `layers`: `Layer`, `Conv2D`, `ReLU`, `MaxPool2D`, `Flatten`, `Dense`, `Sequential` and the loss
  `SoftmaxCrossEntropy`;
- `optim`: `SGD`, `Adam` and the `one_cycle` schedule;
- `networks`: `he_normal` and `simple_convnet` ("밑바닥부터 시작하는 딥러닝" chapter 7's network);
- `train`: `random_shift`, `train_epoch`, `fit` (the same record as chapter 8's `fit_mnist`) and
  `accuracy`;
- `normalization`: `BatchNorm`, batch normalisation with its backward pass (chapter 11);
- `gradcheck`: `numerical_gradient`, `relative_error` and `gradient_check`.
"""

from .gradcheck import gradient_check, numerical_gradient, relative_error
from .layers import Conv2D, Dense, Flatten, Layer, MaxPool2D, ReLU, Sequential, SoftmaxCrossEntropy
from .normalization import BatchNorm
from .networks import he_normal, simple_convnet
from .optim import SGD, Adam, one_cycle
from .train import accuracy, fit, random_shift, train_epoch

__all__ = ["Adam", "BatchNorm", "Conv2D", "Dense", "Flatten", "Layer", "MaxPool2D", "ReLU", "SGD", "Sequential",
           "SoftmaxCrossEntropy", "accuracy", "fit", "gradient_check", "he_normal",
           "numerical_gradient", "one_cycle", "random_shift", "relative_error", "simple_convnet",
           "train_epoch"]
