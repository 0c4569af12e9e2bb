"""The edge masks and stack_kernels: the lecture's values, what each mask responds to, tf.nn.conv2d."""

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cnn_utils import (HORIZONTAL_EDGE_MASK, SOBEL_X, SOBEL_Y, VERTICAL_EDGE_MASK, conv2d,
                       stack_kernels)

from .conftest import tolerance

KERNELS = [VERTICAL_EDGE_MASK, HORIZONTAL_EDGE_MASK, SOBEL_X, SOBEL_Y]


def grey(image):
    """(H, W) -> (1, H, W, 1)."""
    return np.asarray(image, dtype=np.float32)[np.newaxis, :, :, np.newaxis]


# --- 1. The lecture's values and the sign convention ------------------------------------------

def test_lecture_masks_exactly():
    np.testing.assert_array_equal(VERTICAL_EDGE_MASK, [[0, 0, 0], [-1, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(HORIZONTAL_EDGE_MASK, [[0, -1, 0], [0, 1, 0], [0, 0, 0]])


def test_sobel_values_and_symmetry():
    np.testing.assert_array_equal(SOBEL_X, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    np.testing.assert_array_equal(SOBEL_Y, SOBEL_X.T)
    # Sobel is antisymmetric: flipping it (true convolution) only changes the sign.
    np.testing.assert_array_equal(np.flip(SOBEL_X, (0, 1)), -SOBEL_X)


@pytest.mark.parametrize("kernel", KERNELS)
def test_constants_are_read_only_float32_3x3(kernel):
    assert kernel.shape == (3, 3) and kernel.dtype == np.float32
    assert kernel.sum() == 0  # a flat image gives no response
    with pytest.raises(ValueError, match="read-only"):
        kernel[0, 0] = 5


def test_masks_are_neighbour_differences():
    x = np.random.default_rng(0).standard_normal((6, 7)).astype(np.float32)
    v = conv2d(grey(x), VERTICAL_EDGE_MASK[:, :, None, None], 1, "VALID")[0, :, :, 0]
    h = conv2d(grey(x), HORIZONTAL_EDGE_MASK[:, :, None, None], 1, "VALID")[0, :, :, 0]
    # VALID output (i, j) is centred on pixel (i + 1, j + 1).
    np.testing.assert_allclose(v, x[1:-1, 1:-1] - x[1:-1, :-2], atol=1e-6)
    np.testing.assert_allclose(h, x[1:-1, 1:-1] - x[:-2, 1:-1], atol=1e-6)


def test_vertical_step_fires_only_the_x_kernels():
    step = np.zeros((5, 6), np.float32)
    step[:, 3:] = 1  # dark left, bright right: one vertical edge between columns 2 and 3
    maps = conv2d(grey(step), stack_kernels(KERNELS), 1, "VALID")[0]
    np.testing.assert_array_equal(maps[:, :, 0], [[0, 0, 1, 0]] * 3)        # lecture (a), +1
    np.testing.assert_array_equal(maps[:, :, 1], np.zeros((3, 4)))          # lecture (b)
    np.testing.assert_array_equal(maps[:, :, 2], [[0, 4, 4, 0]] * 3)        # Sobel x, +4
    np.testing.assert_array_equal(maps[:, :, 3], np.zeros((3, 4)))          # Sobel y
    # ... and the horizontal step fires only the y kernels, with the same signs.
    maps_t = conv2d(grey(step.T), stack_kernels(KERNELS), 1, "VALID")[0]
    np.testing.assert_array_equal(maps_t[:, :, 1], maps[:, :, 0].T)
    np.testing.assert_array_equal(maps_t[:, :, 3], maps[:, :, 2].T)
    assert not maps_t[:, :, 0].any() and not maps_t[:, :, 2].any()


# --- 2. stack_kernels, and the bank against tf.nn.conv2d --------------------------------------

def test_stack_kernels_layout_and_dtype():
    bank = stack_kernels(KERNELS)
    assert bank.shape == (3, 3, 1, 4) and bank.dtype == np.float32
    for k, kernel in enumerate(KERNELS):
        np.testing.assert_array_equal(bank[:, :, 0, k], kernel)
    bank[0, 0, 0, 0] = 9  # a fresh, writable copy: the constants stay as they were
    assert VERTICAL_EDGE_MASK[0, 0] == 0
    assert stack_kernels([[[1, 2]]], dtype=np.float64).dtype == np.float64
    assert stack_kernels(np.zeros((2, 3, 3))).shape == (3, 3, 1, 2)  # a (K, KH, KW) array


def test_stack_kernels_does_not_modify_input():
    kernels = [np.arange(9.).reshape(3, 3), np.ones((3, 3))]
    copies = [k.copy() for k in kernels]
    stack_kernels(kernels)
    for kernel, copy in zip(kernels, copies):
        np.testing.assert_array_equal(kernel, copy)


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
def test_bank_matches_tf_on_the_sample_photo(padding):
    from cnn_utils import load_sample_image

    photo = grey(load_sample_image(downsample=8, grayscale=True))
    bank = stack_kernels(KERNELS)
    ours = conv2d(photo, bank, 1, padding)
    theirs = tf.nn.conv2d(photo, bank, 1, padding).numpy()
    assert ours.shape == theirs.shape == ((1, 73, 62, 4) if padding == "VALID" else (1, 75, 64, 4))
    np.testing.assert_allclose(ours, theirs, atol=tolerance(np.float32))


@settings(max_examples=25, deadline=None)
@given(data=st.data(), k=st.integers(1, 4), kh=st.integers(1, 4), kw=st.integers(1, 4))
def test_bank_equals_one_conv_per_kernel(data, k, kh, kw):
    floats = st.floats(-10, 10, width=32)
    kernels = data.draw(hnp.arrays(np.float32, (k, kh, kw), elements=floats))
    image = data.draw(hnp.arrays(np.float32, (kh + 3, kw + 2), elements=floats))
    bank = stack_kernels(list(kernels))
    together = conv2d(grey(image), bank, 1, "VALID")
    for i in range(k):
        alone = conv2d(grey(image), kernels[i][:, :, None, None], 1, "VALID")
        np.testing.assert_allclose(together[..., i:i + 1], alone, rtol=1e-5, atol=1e-3)


# --- 3. Errors say what was received and how to fix it ----------------------------------------

def test_stack_kernels_errors():
    with pytest.raises(ValueError, match=r"one 2-D array of shape \(3, 3\).*\[kernel\]"):
        stack_kernels(VERTICAL_EDGE_MASK)
    with pytest.raises(ValueError, match="at least one kernel; received an empty"):
        stack_kernels([])
    with pytest.raises(ValueError, match=r"kernels\[1\] of shape \(3, 3, 1, 1\)"):
        stack_kernels([SOBEL_X, SOBEL_Y[:, :, None, None]])
    with pytest.raises(ValueError, match=r"one shape.*\[\(3, 3\), \(2, 2\)\]"):
        stack_kernels([SOBEL_X, np.ones((2, 2))])
    with pytest.raises(TypeError, match=r"`kernels\[0\]` to hold real numbers"):
        stack_kernels([np.array([["a", "b"]])])
