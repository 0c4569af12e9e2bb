"""Keras models: the classic CNNs of chapter 1 (`classic`), chapter 8's MNIST CNNs with their
training helper (`keras_mnist`), the CIFAR-10 part's blocks, ResNet (`cifar`) and training
(`cifar_training`), chapter 10's small CNN trained on a subset (`cifar_subset`), chapter 11's
deep plain and residual stacks (`gradient_flow`) and chapter 12's transfer learning (`transfer`). Keras is imported inside the functions, so
importing this package does not import TensorFlow.
"""

from .classic import ALEXNET_LAYERS, AlexNetLayer, alexnet, lenet5
from .cifar import CIFAR10_MEAN, CIFAR10_STD, cifar_resnet, conv_bn_relu, residual_block, vgg_block
from .cifar_subset import overfitting_gap, small_cifar_cnn, train_subset
from .cifar_training import SHIPPED, augmentation, pretrained, split_cifar10, train_cifar, train_shipped
from .gradient_flow import deep_stack, gradient_norms
from .keras_mnist import (epoch_log, fit_mnist, keras_example_cnn, mnist_cnn, one_cycle_schedule,
                          train_steps)
from .transfer import (FEATURE_LAYER, feature_extractor, few_shot_subset, imagenet_transfer,
                       train_from_scratch, trainable_count, transfer_and_fine_tune, transfer_model,
                       unfreeze)

__all__ = ["ALEXNET_LAYERS", "AlexNetLayer", "CIFAR10_MEAN", "CIFAR10_STD", "FEATURE_LAYER",
           "SHIPPED", "alexnet", "augmentation", "cifar_resnet", "conv_bn_relu",
           "deep_stack", "epoch_log", "feature_extractor", "few_shot_subset", "fit_mnist",
           "gradient_norms", "imagenet_transfer", "keras_example_cnn", "lenet5", "mnist_cnn",
           "one_cycle_schedule", "overfitting_gap", "pretrained", "residual_block",
           "small_cifar_cnn", "split_cifar10", "train_cifar", "train_from_scratch", "train_shipped", "train_steps",
           "train_subset", "trainable_count", "transfer_and_fine_tune", "transfer_model", "unfreeze", "vgg_block"]
