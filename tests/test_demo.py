"""The MNIST maps chapters 5 and 6 share."""

import numpy as np
import pytest
import tensorflow as tf

from cnn_utils import (MNIST_DEMO_SEED, conv2d, load_mnist, mnist_demo_feature_maps,
                       mnist_demo_filters, mnist_demo_image)


def test_image_is_the_first_training_digit_scaled():
    image = mnist_demo_image()
    (x_train, y_train), _ = load_mnist()
    assert image.shape == (1, 28, 28, 1) and image.dtype == np.float32 and y_train[0] == 5
    np.testing.assert_allclose(image[0, :, :, 0] * 255, x_train[0], atol=1e-4)


def test_filters_are_seeded_normal():
    w = mnist_demo_filters()
    assert w.shape == (3, 3, 1, 5) and w.dtype == np.float32
    np.testing.assert_array_equal(w, mnist_demo_filters(MNIST_DEMO_SEED))
    expected = np.random.default_rng(MNIST_DEMO_SEED).normal(0, 0.01, (3, 3, 1, 5))
    np.testing.assert_allclose(w, expected, rtol=1e-6)
    assert not np.array_equal(w, mnist_demo_filters(1))
    assert 0.004 < w.std() < 0.02


def test_feature_maps_match_tensorflow():
    maps = mnist_demo_feature_maps()
    assert maps.shape == (1, 14, 14, 5) and maps.dtype == np.float32
    expected = tf.nn.conv2d(mnist_demo_image(), mnist_demo_filters(), [1, 2, 2, 1], "SAME")
    np.testing.assert_allclose(maps, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(maps, mnist_demo_feature_maps())   # the same every call
    np.testing.assert_array_equal(
        maps, conv2d(mnist_demo_image(), mnist_demo_filters(), 2, "SAME"))


def test_seed_errors():
    with pytest.raises(TypeError, match="integer `seed`; received 1.5"):
        mnist_demo_filters(1.5)
