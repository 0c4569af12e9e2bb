"""cnn_utils.conv_variants and chapter 11's shape arithmetic: hand-computed cases, tf.nn and Keras,
properties (the transpose is conv2d's adjoint and gradient), and the errors for bad input."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_utils import (conv2d, conv2d_transpose, conv_param_count, conv_transpose_output_size,
                       depthwise_conv2d, depthwise_param_count, depthwise_separable_param_count,
                       dilate_filters, dilated_kernel_size, separable_conv2d)
from cnn_utils.shapes import conv_output_size

from .conftest import tolerance


def close(a, b, dtype=np.float64):
    np.testing.assert_allclose(a, b, rtol=tolerance(dtype), atol=tolerance(dtype) * 10)


# ---------------------------------------------------------------------------------------------
# By hand
# ---------------------------------------------------------------------------------------------

X5 = np.arange(25.0).reshape(1, 5, 5, 1)          # x[i, j] = 5 i + j
K3 = np.arange(1.0, 10.0).reshape(3, 3, 1, 1)     # k[u, v] = 3 u + v + 1


def test_a_dilated_3x3_by_hand():
    # dilation 2: the taps read x[2u, 2v], the corners, edge middles and centre of the 5x5 image:
    # 1*0 + 2*2 + 3*4 + 4*10 + 5*12 + 6*14 + 7*20 + 8*22 + 9*24 = 732
    assert depthwise_conv2d(X5, K3, [1, 1, 1, 1], "VALID", dilations=[2, 2]).ravel().tolist() == [732.0]
    assert conv2d(X5, K3, 1, "VALID", dilations=2).ravel().tolist() == [732.0]
    assert dilated_kernel_size(3, 2) == 5 == dilate_filters(K3, 2).shape[0]
    assert conv2d(X5, dilate_filters(K3, 2), 1, "VALID").ravel().tolist() == [732.0]


def test_a_2x2_transpose_by_hand():
    x = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
    w = np.array([[1.0, 10.0], [100.0, 1000.0]]).reshape(2, 2, 1, 1)
    # stride 2: every pixel stamps the kernel times itself into its own 2x2 block
    blocks = conv2d_transpose(x, w, (1, 4, 4, 1), 2, "VALID")[0, :, :, 0]
    assert blocks.tolist() == [[1, 10, 2, 20], [100, 1000, 200, 2000],
                               [3, 30, 4, 40], [300, 3000, 400, 4000]]
    # stride 1: the stamps overlap and add; the centre gets one tap from each pixel
    overlap = conv2d_transpose(x, w, (1, 3, 3, 1), 1, "VALID")[0, :, :, 0]
    assert overlap.tolist() == [[1, 12, 20], [103, 1234, 2040], [300, 3400, 4000]]


def test_depthwise_output_channels_are_c_times_multiplier_plus_m():
    x = np.ones((1, 2, 2, 2))
    x[..., 1] = 10.0
    w = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)       # w[0, 0, c, m]
    out = depthwise_conv2d(x, w, [1, 1, 1, 1], "VALID")
    assert out[0, 0, 0].tolist() == [1.0, 2.0, 30.0, 40.0]           # c0m0, c0m1, c1m0, c1m1


def test_param_counts_by_hand():
    assert depthwise_param_count(3, 32) == 3 * 3 * 32 + 32
    assert depthwise_separable_param_count(3, 32, 64) == 288 + 32 * 64 + 64
    assert depthwise_separable_param_count((3, 5), 4, 8, 2, use_bias=False) == 15 * 8 + 8 * 8
    assert conv_param_count(3, 32, 64) == 18496


# ---------------------------------------------------------------------------------------------
# Against tf.nn
# ---------------------------------------------------------------------------------------------

EXPLICIT = [[0, 0], [1, 2], [0, 1], [0, 0]]
# (N, H, W, C, KH, KW, multiplier, stride, padding, dilation)
DEPTHWISE = [
    (1, 5, 5, 1, 3, 3, 1, 1, "VALID", 1),
    (2, 6, 7, 3, 3, 3, 2, 1, "SAME", 1),
    (1, 8, 8, 2, 2, 2, 1, 2, "SAME", 1),      # even kernel, odd total padding
    (2, 7, 6, 3, 3, 2, 2, 2, "VALID", 1),
    (1, 9, 10, 2, 3, 3, 1, 3, "SAME", 1),
    (1, 10, 9, 4, 4, 4, 2, 3, "VALID", 1),
    (2, 7, 7, 2, 3, 3, 1, 2, EXPLICIT, 1),
    (1, 9, 9, 3, 3, 3, 2, 1, "VALID", 2),
    (2, 8, 7, 2, 3, 2, 1, 1, "SAME", 2),
    (1, 9, 8, 2, 3, 3, 2, 1, EXPLICIT, 2),
]


def _arrays(config, dtype, seed):
    n, h, w, c, kh, kw, m = config[:7]
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, h, w, c)).astype(dtype),
            rng.standard_normal((kh, kw, c, m)).astype(dtype),
            rng.standard_normal((1, 1, c * m, 3)).astype(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", DEPTHWISE)
def test_depthwise_and_separable_match_tf(config, dtype):
    x, w, pw = _arrays(config, dtype, sum(config[:8]))
    s, padding, d = config[7:]
    strides = [1, s, s, 1]
    ours = depthwise_conv2d(x, w, strides, padding, dilations=[d, d])
    theirs = tf.nn.depthwise_conv2d(x, w, strides, padding, dilations=[d, d]).numpy()
    assert ours.shape == theirs.shape and ours.dtype == dtype
    close(ours, theirs, dtype)
    ours = separable_conv2d(x, w, pw, strides, padding, dilations=[d, d])
    close(ours, tf.nn.separable_conv2d(x, w, pw, strides, padding, dilations=[d, d]).numpy(), dtype)


def test_depthwise_with_unequal_strides_is_conv2d_per_channel():
    # tf.nn.depthwise_conv2d's kernel without oneDNN refuses SH != SW; conv2d per channel does not
    rng = np.random.default_rng(11)
    x, w = rng.standard_normal((2, 7, 8, 3)), rng.standard_normal((3, 2, 3, 2))
    ours = depthwise_conv2d(x, w, [1, 2, 3, 1], "SAME")
    for c in range(3):
        close(ours[..., 2 * c:2 * c + 2], conv2d(x[..., c:c + 1], w[:, :, c:c + 1], [2, 3], "SAME"))


# (N, H, W, C_in, KH, KW, C_out, stride, padding, OH, OW): OH, OW each one of the sizes that conv2d
# maps back to (H, W)
TRANSPOSE = [
    (1, 3, 3, 1, 2, 2, 1, 1, "VALID", 4, 4),
    (2, 4, 5, 3, 3, 3, 2, 2, "SAME", 8, 9),     # SAME: any OH with ceil(OH / 2) == 4
    (1, 4, 4, 2, 3, 3, 3, 2, "SAME", 7, 8),
    (2, 3, 4, 2, 3, 2, 2, 2, "VALID", 7, 9) ,   # VALID: (H - 1) * S + K, or up to S - 1 more
    (1, 3, 3, 2, 4, 4, 1, 3, "SAME", 9, 7),
    (1, 4, 3, 1, 2, 3, 2, 3, "VALID", 11, 9),
    (2, 4, 4, 2, 3, 3, 2, 2, EXPLICIT, 7, 8),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", TRANSPOSE)
def test_conv2d_transpose_matches_tf(config, dtype):
    n, h, w, cin, kh, kw, cout, s, padding, oh, ow = config
    rng = np.random.default_rng(h * 7 + w + s)
    x = rng.standard_normal((n, h, w, cin)).astype(dtype)
    f = rng.standard_normal((kh, kw, cout, cin)).astype(dtype)
    shape = (n, oh, ow, cout)
    ours = conv2d_transpose(x, f, shape, s, padding)
    assert ours.shape == shape and ours.dtype == dtype
    close(ours, tf.nn.conv2d_transpose(x, f, shape, s, padding).numpy(), dtype)


def _tape_dx(dy, w, shape, stride, padding, dilation):
    """Chapter 9's dx from TensorFlow: the gradient of sum(conv2d(y, w) * dy) at y of `shape`,
    the dilated kernel written out with its zeros (every CPU path computes that)."""
    y = tf.Variable(np.zeros(shape))
    with tf.GradientTape() as tape:
        objective = tf.reduce_sum(tf.nn.conv2d(y, dilate_filters(w, dilation), stride, padding) * dy)
    return tape.gradient(objective, y).numpy()


@pytest.mark.parametrize("config", TRANSPOSE)
@pytest.mark.parametrize("dilation", [1, 2])
def test_conv2d_transpose_is_chapter_9s_dx(config, dilation):
    n, h, w, cin, kh, kw, cout, s, padding, _, _ = config
    if padding == "VALID":
        oh = (h - 1) * s + dilated_kernel_size(kh, dilation)
        ow = (w - 1) * s + dilated_kernel_size(kw, dilation)
    elif padding == "SAME":
        oh, ow = h * s, w * s
    else:
        oh, ow = (h - 1) * s + dilated_kernel_size(kh, dilation) - 3, \
            (w - 1) * s + dilated_kernel_size(kw, dilation) - 1
    rng = np.random.default_rng(h + dilation)
    dy = rng.standard_normal((n, h, w, cin))
    f = rng.standard_normal((kh, kw, cout, cin))
    shape = (n, oh, ow, cout)
    ours = conv2d_transpose(dy, f, shape, s, padding, dilations=dilation)
    close(ours, _tape_dx(dy, f, shape, s, padding, dilation))


@pytest.mark.parametrize("k, s, padding, output_padding, d",
                         [(3, 2, "same", None, 1), (3, 2, "valid", None, 1), (1, 3, "valid", None, 1),
                          (3, 2, "same", 1, 1), (3, 2, "same", 0, 1), (4, 2, "valid", 1, 1),
                          (3, 1, "valid", None, 2), (5, 3, "same", 2, 1), (2, 1, "same", None, 3),
                          (4, 1, "valid", 0, 2)])
def test_conv_transpose_output_size_is_keras(k, s, padding, output_padding, d):
    layer = keras.layers.Conv2DTranspose(2, k, strides=s, padding=padding,
                                         output_padding=output_padding, dilation_rate=d)
    keras_size = layer(np.zeros((1, 5, 6, 1), np.float32)).shape[1:3]
    assert keras_size == tuple(conv_transpose_output_size(n, k, s, padding.upper(), output_padding, d)
                               for n in (5, 6))


@pytest.mark.parametrize("k, c, filters, m, use_bias",
                         [(3, 3, 8, 2, True), (3, 32, 64, 1, True), (5, 16, 4, 3, False), ((3, 5), 4, 6, 1, True)])
def test_param_counts_are_keras(k, c, filters, m, use_bias):
    separable = keras.layers.SeparableConv2D(filters, k, depth_multiplier=m, use_bias=use_bias)
    separable.build((None, 9, 9, c))
    assert depthwise_separable_param_count(k, c, filters, m, use_bias) == separable.count_params()
    depthwise = keras.layers.DepthwiseConv2D(k, depth_multiplier=m, use_bias=use_bias)
    depthwise.build((None, 9, 9, c))
    assert depthwise_param_count(k, c, m, use_bias) == depthwise.count_params()


def test_dilated_kernel_size_is_what_tf_sees():
    x = np.zeros((1, 20, 20, 1))
    for k, d in [(3, 1), (3, 2), (3, 4), (2, 3), (5, 2)]:
        out = tf.nn.conv2d(x, np.zeros((k, k, 1, 1)), 1, "VALID", dilations=d).shape[1]
        assert out == conv_output_size(20, dilated_kernel_size(k, d)) == 20 - dilated_kernel_size(k, d) + 1


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

def _geometry(data):
    n = data.draw(st.integers(1, 2))
    kh, kw = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    s = data.draw(st.integers(1, 3))
    d = data.draw(st.integers(1, 2))
    padding = data.draw(st.sampled_from(["VALID", "SAME"]))
    oh = data.draw(st.integers(dilated_kernel_size(kh, d), 10))
    ow = data.draw(st.integers(dilated_kernel_size(kw, d), 10))
    return n, kh, kw, s, d, padding, oh, ow


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_transpose_is_the_adjoint_of_conv2d(data):
    n, kh, kw, s, d, padding, oh, ow = _geometry(data)
    cout, cin = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    y = rng.standard_normal((n, oh, ow, cout))
    f = rng.standard_normal((kh, kw, cout, cin))
    forward = conv2d(y, f, s, padding, dilations=d)
    x = rng.standard_normal(forward.shape)
    back = conv2d_transpose(x, f, y.shape, s, padding, dilations=d)
    assert back.shape == y.shape
    assert np.isclose(np.sum(forward * x), np.sum(y * back), rtol=1e-9, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_depthwise_with_one_channel_is_conv2d_and_separable_is_depthwise_then_1x1(data):
    n, kh, kw, s, d, padding, h, w = _geometry(data)
    if d > 1:
        s = 1                                      # TF's rule: not both above 1
    m = data.draw(st.integers(1, 3))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    x1 = rng.standard_normal((n, h, w, 1))
    f1 = rng.standard_normal((kh, kw, 1, m))
    close(depthwise_conv2d(x1, f1, [1, s, s, 1], padding, dilations=d), conv2d(x1, f1, s, padding, dilations=d))
    c = data.draw(st.integers(1, 3))
    x = rng.standard_normal((n, h, w, c))
    f = rng.standard_normal((kh, kw, c, m))
    pw = rng.standard_normal((1, 1, c * m, 2))
    depthwise = depthwise_conv2d(x, f, [1, s, s, 1], padding, dilations=d)
    close(separable_conv2d(x, f, pw, [1, s, s, 1], padding, dilations=d), conv2d(depthwise, pw, 1, "VALID"))
    # channel c alone, convolved with its own filters, is output channels c*m .. c*m + m - 1
    for ch in range(c):
        alone = conv2d(x[..., ch:ch + 1], f[:, :, ch:ch + 1], s, padding, dilations=d)
        close(depthwise[..., ch * m:(ch + 1) * m], alone)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 20), k=st.integers(1, 5), s=st.integers(1, 4), d=st.integers(1, 3),
       padding=st.sampled_from(["VALID", "SAME"]))
def test_the_transposed_size_goes_back_to_the_input_size(size, k, s, d, padding):
    if s > 1:
        d = 1                                      # Keras's rule: not both above 1
    # a transposed convolution's output is a size the forward convolution maps back to the input
    out = conv_transpose_output_size(size, k, s, padding, dilation=d)
    assert conv_output_size(out, dilated_kernel_size(k, d), s, padding) == size
    for p_out in range(s):
        if padding == "VALID":
            out = conv_transpose_output_size(size, k, s, padding, p_out, d)
            assert conv_output_size(out, dilated_kernel_size(k, d), s, padding) == size


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

X = np.zeros((1, 6, 6, 2))
W = np.zeros((3, 3, 2, 1))


@pytest.mark.parametrize("call, error, words", [
    (lambda: depthwise_conv2d(X, W, 1, "VALID"), ValueError, ["[1, stride_h, stride_w, 1]", "received 1"]),
    (lambda: depthwise_conv2d(X, W, [2, 2], "VALID"), ValueError, ["strides=[1, 2, 2, 1]"]),
    (lambda: depthwise_conv2d(X, np.zeros((3, 3, 3, 1)), [1, 1, 1, 1], "VALID"), ValueError,
     ["2 channel(s)", "filter.shape[2] == input.shape[3]"]),
    (lambda: depthwise_conv2d(X, np.zeros((3, 3, 2)), [1, 1, 1, 1], "VALID"), ValueError,
     ["rank 4", "filter[..., np.newaxis]"]),
    (lambda: depthwise_conv2d(X, W, [1, 2, 2, 1], "VALID", dilations=2), ValueError,
     ["not both", "strides=[1, 1, 1, 1]"]),
    (lambda: depthwise_conv2d(X, W, [1, 1, 1, 1], "same"), ValueError, ["'SAME'"]),
    (lambda: depthwise_conv2d(X, W, [1, 1, 1, 1], "VALID", data_format="NCHW"), ValueError, ["NHWC"]),
    (lambda: depthwise_conv2d(X.astype(str), W, [1, 1, 1, 1], "VALID"), TypeError, ["real numbers"]),
    (lambda: depthwise_conv2d(X, np.zeros((7, 7, 2, 1)), [1, 1, 1, 1], "VALID"), ValueError,
     ["larger than the input"]),
    (lambda: separable_conv2d(X, W, np.zeros((1, 1, 3, 4)), [1, 1, 1, 1], "VALID"), ValueError,
     ["(1, 1, 2, K)", "(1, 1, 3, 4)"]),
    (lambda: separable_conv2d(X, W, np.zeros((3, 3, 2, 4)), [1, 1, 1, 1], "VALID"), ValueError,
     ["1x1 convolution"]),
    (lambda: conv2d_transpose(X, np.zeros((3, 3, 4, 3)), (1, 12, 12, 4), 2), ValueError,
     ["last axis", "(KH, KW, C_out, C_in)"]),
    (lambda: conv2d_transpose(X, np.zeros((3, 3, 4, 2)), (1, 12, 12, 3), 2), ValueError,
     ["C_out = filters.shape[2] = 4", "output_shape=(1, OH, OW, 4)"]),
    (lambda: conv2d_transpose(X, np.zeros((3, 3, 4, 2)), (2, 12, 12, 4), 2), ValueError, ["N = 1"]),
    (lambda: conv2d_transpose(X, np.zeros((3, 3, 4, 2)), (1, 12, 12), 2), ValueError, ["4 positive ints"]),
    (lambda: conv2d_transpose(X, np.zeros((3, 3, 4, 2)), (1, 14, 12, 4), 2), ValueError,
     ["gives (7, 6)", "Heights [11, 12] and widths [11, 12]", "output_shape=(1, 11, 11, 4)"]),
    (lambda: conv2d_transpose(X, np.zeros((3, 3, 4, 2)), (1, 2, 2, 4), 1, "VALID"), ValueError,
     ["leaves no output", "Heights [8]"]),
    (lambda: dilated_kernel_size(3, 0), ValueError, ["`dilation` >= 1"]),
    (lambda: dilated_kernel_size(3.0, 2), TypeError, ["`kernel_size` to be an integer"]),
    (lambda: depthwise_param_count(3, 8, use_bias="yes"), TypeError, ["True or False"]),
    (lambda: depthwise_separable_param_count((3, 3, 3), 8, 4), ValueError, ["(FH, FW)"]),
    (lambda: conv_transpose_output_size(5, 3, 2, "full"), ValueError, ['"VALID" or "SAME"']),
    (lambda: conv_transpose_output_size(5, 3, 2, "SAME", 2), ValueError,
     ["smaller than `stride`", "Use 0 to 1"]),
    (lambda: conv_transpose_output_size(5, 3, 2, dilation=2), ValueError, ["not both"]),
    (lambda: dilate_filters(np.zeros(3), 2), ValueError, ["(KH, KW)"]),
])
def test_bad_input_says_what_and_how_to_fix(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), str(info.value)


def test_the_inputs_are_not_written_to():
    x, w = np.ones((1, 4, 4, 2)), np.ones((2, 2, 3, 2))
    before = x.copy(), w.copy()
    conv2d_transpose(x, w, (1, 5, 5, 3), 1, "VALID")
    depthwise_conv2d(x, w[:, :, :2], [1, 1, 1, 1], "SAME")
    assert np.array_equal(x, before[0]) and np.array_equal(w, before[1])


def test_integer_input_is_computed_in_float64():
    x = np.arange(16).reshape(1, 4, 4, 1)
    assert depthwise_conv2d(x, np.ones((2, 2, 1, 1), int), [1, 1, 1, 1], "VALID").dtype == np.float64
    assert conv2d_transpose(x, np.ones((2, 2, 1, 1), int), (1, 5, 5, 1), 1, "VALID").dtype == np.float64
