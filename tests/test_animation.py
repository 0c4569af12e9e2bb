"""conv_trace and animate_conv: the traced values, the frames and a reproducible HTML player."""

import base64
import io
import re

import numpy as np
import pytest
import tensorflow as tf

from cnn_utils import ConvStep, animate_conv, conv2d, conv_trace

# The CS231n demo's geometry: a 5x5x3 input, two 3x3x3 filters with biases, stride 2, padding 1.
RNG = np.random.default_rng(0)
X = RNG.integers(0, 3, size=(5, 5, 3))
W = RNG.integers(-1, 2, size=(3, 3, 3, 2))
B = np.array([1, 0])
P1 = [[0, 0], [1, 1], [1, 1], [0, 0]]


def frames_of(html):
    """The PNG frames embedded in animate_conv's HTML, decoded."""
    from PIL import Image

    data = re.findall(r'frames\[\d+\] = "data:image/png;base64,([^"]+)"', html)
    return [Image.open(io.BytesIO(base64.b64decode(d))) for d in data]


def test_trace_hand_computed():
    steps = conv_trace(np.arange(1., 10.).reshape(1, 3, 3, 1), np.ones((2, 2, 1, 1)), [1.])
    assert steps[0] == ConvStep(0, 0, 0, 0, 0, (12.0,), 1.0, 13.0)
    assert [s.value for s in steps] == [13.0, 17.0, 25.0, 29.0]


def test_trace_same_padding_puts_the_extra_pixel_bottom_right():
    # The lecture's SAME example: the last window holds 9 and three zeros of padding.
    steps = conv_trace(np.arange(1., 10.).reshape(3, 3, 1), np.ones((2, 2, 1, 1)), padding="SAME")
    assert [s.value for s in steps] == [12, 16, 9, 24, 28, 15, 15, 17, 9]
    assert (steps[-1].top, steps[-1].left) == (2, 2)


def test_trace_cs231n_demo_matches_tensorflow_plus_bias():
    steps = conv_trace(X, W, B, strides=2, padding=1)
    assert len(steps) == 3 * 3 * 2
    expected = tf.nn.conv2d(X[np.newaxis].astype(np.float32), W.astype(np.float32), 2, P1)[0] + B
    for s in steps:
        assert s.value == pytest.approx(float(expected[s.i, s.j, s.k]))
        assert s.value == pytest.approx(sum(s.channel_sums) + s.bias)
        assert (s.top, s.left) == (2 * s.i, 2 * s.j)
        window = np.pad(X, ((1, 1), (1, 1), (0, 0)))[s.top:s.top + 3, s.left:s.left + 3]
        np.testing.assert_allclose(s.channel_sums, (window * W[:, :, :, s.k]).sum(axis=(0, 1)))
    # filter by filter, then row by row, as in the CS231n demo
    assert [(s.k, s.i, s.j) for s in steps[:4]] == [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1, 0)]


@pytest.mark.parametrize("padding", [1, P1])
def test_trace_int_padding_is_explicit_padding(padding):
    assert conv_trace(X, W, B, 2, padding) == conv_trace(X[np.newaxis], W, B, [1, 2, 2, 1], P1)


def test_trace_does_not_modify_inputs():
    x, w = X.copy(), W.copy()
    conv_trace(x, w, B, 2, 1)
    np.testing.assert_array_equal(x, X)
    np.testing.assert_array_equal(w, W)


def test_trace_errors():
    with pytest.raises(ValueError, match=r"bias.*shape \(2,\); received shape \(3,\)"):
        conv_trace(X, W, [1, 2, 3])
    with pytest.raises(ValueError, match=r"one image.*received shape \(2, 5, 5, 3\)"):
        conv_trace(np.zeros((2, 5, 5, 3)), W)
    with pytest.raises(ValueError, match=r"\(KH, KW, C, K\); received shape \(3, 3\)"):
        conv_trace(X, np.ones((3, 3)))
    with pytest.raises(ValueError, match="channel"):
        conv_trace(X, np.ones((3, 3, 2, 1)))
    with pytest.raises(ValueError, match="padding >= 0"):
        conv_trace(X, W, padding=-1)
    with pytest.raises(TypeError, match="real numbers"):
        conv_trace(X.astype(str), W)


def test_animation_html_is_deterministic():
    first = animate_conv(X, W, B, strides=2, padding=1, name="cs231n", dpi=40).data
    second = animate_conv(X, W, B, strides=2, padding=1, name="cs231n", dpi=40).data
    assert first == second
    assert 'id="_anim_img_cs231n"' in first and "anim_cs231n = new Animation" in first
    assert not re.search(r"_anim_img[0-9a-f]{32}", first)  # no random uuid left


def test_animation_default_names_differ():
    a = animate_conv(np.ones((2, 2, 1)), np.ones((2, 2, 1, 1)), dpi=20).data
    b = animate_conv(np.ones((2, 2, 1)), np.ones((2, 2, 1, 1)), dpi=20).data
    ids = [re.search(r'id="_anim_img_(conv\d+)"', h).group(1) for h in (a, b)]
    assert ids[0] != ids[1]


def test_animation_one_frame_per_output_value_and_small():
    html = animate_conv(X, W, B, strides=2, padding=1, name="size").data
    frames = frames_of(html)
    assert len(frames) == 18
    assert all(f.mode == "P" for f in frames)          # palette PNGs: few colours, few bytes
    assert len(set(f.size for f in frames)) == 1
    assert len(html) < 1_500_000
    # consecutive frames differ (the window moves)
    assert frames[0].tobytes() != frames[1].tobytes()


def test_animation_errors():
    with pytest.raises(ValueError, match="letters, digits and underscores.*'my demo'"):
        animate_conv(X, W, B, 2, 1, name="my demo")
    with pytest.raises(ValueError, match=r"at most 120.*\(10, 10, 2\)"):
        animate_conv(np.zeros((10, 10, 3)), W, padding="SAME")
    with pytest.raises(ValueError, match="bias"):
        animate_conv(X, W, [1.0])


def test_values_come_from_conv2d():
    x = RNG.standard_normal((4, 4, 2))
    w = RNG.standard_normal((2, 2, 2, 3))
    steps = conv_trace(x, w, strides=1, padding="SAME")
    out = conv2d(x[np.newaxis], w, 1, "SAME")[0]
    np.testing.assert_allclose([s.value for s in steps],
                               [out[s.i, s.j, s.k] for s in steps])
