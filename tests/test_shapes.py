import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_utils import conv_output_size, conv_param_count, padding_amounts, same_padding


@pytest.mark.parametrize("size, kernel, stride, padding, expected", [
    (5, 3, 2, 1, 3),          # the lecture's CS231n demo: (5 - 3 + 2) / 2 + 1 = 3
    (3, 2, 1, "VALID", 2),    # 3x3 image, 2x2 filter: 2x2 map
    (3, 2, 1, "SAME", 3),
    (28, 3, 2, "SAME", 14),   # the MNIST digit with stride 2
    (14, 2, 2, "SAME", 7),    # and its 2x2 max pooling
    (7, 3, 2, 0, 3),          # (7 - 3) / 2 + 1 = 3
    (6, 3, 2, 0, 2),          # (6 - 3) / 2 + 1 = 2.5, rounded down
    (5, 3, 1, (0, 2), 5),     # (5 + 0 + 2 - 3) / 1 + 1
])
def test_conv_output_size(size, kernel, stride, padding, expected):
    assert conv_output_size(size, kernel, stride, padding) == expected


@pytest.mark.parametrize("size, kernel, stride, expected", [
    (3, 2, 1, (0, 1)),   # the odd pixel goes after (bottom/right)
    (28, 3, 2, (0, 1)),
    (28, 3, 1, (1, 1)),
    (5, 4, 1, (1, 2)),
    (4, 1, 3, (0, 0)),
])
def test_same_padding(size, kernel, stride, expected):
    assert same_padding(size, kernel, stride) == expected
    assert padding_amounts(size, kernel, stride, "SAME") == expected


@settings(max_examples=200, deadline=None)
@given(size=st.integers(1, 40), kernel=st.integers(1, 9), stride=st.integers(1, 5))
def test_same_keeps_ceil_of_size_over_stride(size, kernel, stride):
    before, after = same_padding(size, kernel, stride)
    assert 0 <= after - before <= 1
    assert conv_output_size(size, kernel, stride, "SAME") == math.ceil(size / stride)


def test_padding_amounts_forms():
    assert padding_amounts(5, 3, 1, "VALID") == (0, 0)
    assert padding_amounts(5, 3, 1, 2) == (2, 2)
    assert padding_amounts(5, 3, 1, (1, 0)) == (1, 0)


def test_conv_param_count_lecture_examples():
    assert conv_param_count(5, in_channels=3, filters=3) == 3 * (5 * 5) * 3 + 3 == 228
    assert conv_param_count(5, in_channels=3, filters=6) == 6 * (5 * 5) * 3 + 6 == 456
    assert conv_param_count(3, in_channels=3, filters=2) == 56  # the CS231n demo layer
    assert conv_param_count((3, 5), 2, 4, use_bias=False) == 4 * 3 * 5 * 2


def test_errors():
    with pytest.raises(ValueError, match="output would be empty"):
        conv_output_size(2, 3)
    with pytest.raises(ValueError, match=r"`stride` >= 1; received 0"):
        conv_output_size(5, 3, stride=0)
    with pytest.raises(TypeError, match="`kernel_size` to be an integer; received 2.5"):
        conv_output_size(5, 2.5)
    with pytest.raises(ValueError, match="in capitals"):
        padding_amounts(5, 3, 1, "same")
    with pytest.raises(ValueError, match=r"`padding` >= 0; received -1"):
        padding_amounts(5, 3, 1, -1)
    with pytest.raises(ValueError, match="pair"):
        conv_param_count((3, 3, 3), 1, 1)


# --- conv_geometry: the one home of the output-size and padding arithmetic --------------------

import pathlib  # noqa: E402
import re  # noqa: E402

import numpy as np  # noqa: E402

from cnn_utils.shapes import conv_geometry  # noqa: E402


def test_conv_geometry_lecture_cases():
    assert conv_geometry((28, 28), 3, 2, "SAME") == ((((0, 1), (0, 1))), (14, 14))
    assert conv_geometry((5, 5), (3, 3), 2, 1).output == (3, 3)          # the CS231n demo
    assert conv_geometry((3, 3), 2, 1, "VALID") == (((0, 0), (0, 0)), (2, 2))
    g = conv_geometry((7, 9), (3, 2), [1, 2, 3, 1], [[0, 0], [2, 0], [1, 3], [0, 0]])
    assert g.pads == ((2, 0), (1, 3)) and g.output == ((7 + 2 - 3) // 2 + 1, (9 + 4 - 2) // 3 + 1)


@pytest.mark.parametrize("padding", [
    2, ((2, 2), (2, 2)), [[2, 2], [2, 2]], [[0, 0], [2, 2], [2, 2], [0, 0]],
    np.array([[0, 0], [2, 2], [2, 2], [0, 0]]),
])
def test_every_padding_dialect_gives_the_same_geometry(padding):
    assert conv_geometry((6, 5), 3, 2, padding) == (((2, 2), (2, 2)), (4, 4))
    per_axis = [conv_output_size(n, 3, 2, 2) for n in (6, 5)]
    assert list(conv_geometry((6, 5), 3, 2, padding).output) == per_axis


@settings(max_examples=200, deadline=None)
@given(h=st.integers(1, 12), w=st.integers(1, 12), kh=st.integers(1, 5), kw=st.integers(1, 5),
       sh=st.integers(1, 4), sw=st.integers(1, 4), dh=st.integers(1, 3), dw=st.integers(1, 3),
       padding=st.one_of(st.sampled_from(["VALID", "SAME"]),
                         st.tuples(st.tuples(st.integers(0, 3), st.integers(0, 3)),
                                   st.tuples(st.integers(0, 3), st.integers(0, 3)))))
def test_conv_geometry_matches_tensorflow_output_shapes(h, w, kh, kw, sh, sw, dh, dw, padding):
    """TensorFlow's conv2d output shape; dilations only with stride 1, as tf.nn.conv2d requires."""
    import tensorflow as tf

    if (sh, sw) != (1, 1):
        dh = dw = 1
    tf_padding = padding if isinstance(padding, str) else [[0, 0], *map(list, padding), [0, 0]]
    x, f = np.zeros((1, h, w, 1)), np.zeros((kh, kw, 1, 1))
    eh, ew = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    pads = (0, 0, 0, 0) if padding == "VALID" else None if padding == "SAME" else sum(padding, ())
    if pads is not None and (h + pads[0] + pads[1] < eh or w + pads[2] + pads[3] < ew):
        with pytest.raises(ValueError, match="window is larger than the input.*output would be empty"):
            conv_geometry((h, w), (kh, kw), (sh, sw), padding, (dh, dw))
        return
    out = tf.nn.conv2d(x, f, [sh, sw], tf_padding, dilations=[dh, dw]).shape
    geometry = conv_geometry((h, w), (kh, kw), (sh, sw), padding, (dh, dw))
    assert geometry.output == tuple(out[1:3])
    if padding == "SAME":   # TF's SAME padding: what conv2d computes with it, as explicit pairs
        explicit = [[0, 0], list(geometry.pads[0]), list(geometry.pads[1]), [0, 0]]
        rng = np.random.default_rng(0)
        x, f = rng.standard_normal((1, h, w, 1)), rng.standard_normal((kh, kw, 1, 1))
        np.testing.assert_allclose(tf.nn.conv2d(x, f, [sh, sw], "SAME", dilations=[dh, dw]),
                                   tf.nn.conv2d(x, f, [sh, sw], explicit, dilations=[dh, dw]))


def test_conv_geometry_errors():
    with pytest.raises(ValueError, match=r"conv_geometry: the window is larger than the input along "
                                         r"the width: window 5 \(kernel 3 dilated by 2\)"):
        conv_geometry((9, 4), 3, 1, "VALID", dilations=2)
    with pytest.raises(ValueError, match=r"`input_hw` to be a pair \(H, W\)"):
        conv_geometry((1, 9, 9, 1), 3)
    with pytest.raises(ValueError, match="padding >= 0; received -1"):
        conv_geometry((5, 5), 3, 1, -1)
    with pytest.raises(ValueError, match=r"four integer pairs.*or two \(\(top, bottom\), \(left, right\)\)"):
        conv_geometry((5, 5), 3, 1, [1, 2, 3])


# Only shapes.py computes output sizes and SAME padding; checks.py (the exercises' reference
# answers, split by another change) is left out.
_FORMULAS = [r"//\s*\(?\w+\)?\s*\+\s*1\b",   # floor((W - F + 2P) / S) + 1 in integer code
             r"\bmath\.floor\(", r"\bsame_padding\(", r"\bpadding_amounts\("]


def test_no_module_but_shapes_computes_the_geometry():
    package = pathlib.Path(__file__).resolve().parent.parent / "cnn_utils"
    offenders = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if relative == "shapes.py" or relative.startswith("checks"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            if any(re.search(pattern, code) for pattern in _FORMULAS):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_ops_layers_and_pictures_compute_through_conv_geometry(monkeypatch):
    import cnn_utils.shapes as shapes
    from cnn_utils import (col2im, conv2d, conv_trace, draw_conv_volume, draw_im2col, im2col,
                           max_pool2d, pool_windows, show_conv_steps)
    from cnn_utils.nn import Conv2D, MaxPool2D

    calls = []
    real = shapes.conv_geometry

    def spy(*args, **kwargs):
        calls.append(kwargs.get("op"))
        return real(*args, **kwargs)

    import cnn_utils.nn.layers as layers
    import cnn_utils.ops as ops
    import cnn_utils.viz.animation as animation
    for module in (shapes, ops, layers, animation):
        monkeypatch.setattr(module, "conv_geometry", spy)
    x, w = np.ones((1, 4, 4, 1)), np.ones((2, 2, 1, 1))
    conv2d(x, w, 1, "SAME"), im2col(x, 2, 1, "SAME"), col2im(np.ones((16, 4)), x.shape, 2, 1, "SAME")
    max_pool2d(x, 2, 1, "SAME")
    Conv2D(w, np.zeros(1)).forward(x), MaxPool2D(2, 1).forward(x)
    conv_trace(x[0], w), pool_windows((4, 4), 2, 2, "SAME"), show_conv_steps(x[0, :, :, 0], w[..., 0, 0])
    draw_conv_volume((4, 4, 1), 2), draw_im2col(x[0, :, :, 0], w[..., 0, 0])
    for op in ("conv2d", "im2col", "col2im", "max_pool2d", "Conv2D", "MaxPool2D", "conv_trace",
               "pool_windows", "show_conv_steps", "draw_conv_volume", "draw_im2col"):
        assert op in calls, op
