"""The receptive field (shapes.receptive_field*), combine_kernels, show_receptive_field and the
chapter-5 mistake generators, against TensorFlow where it applies.

A receptive field is what TensorFlow says it is: the input pixels on which the gradient of one
output value is nonzero, through a stack of tf.nn.conv2d and pools.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cnn_utils import (combine_kernels, conv2d, conv_param_count, receptive_field,  # noqa: E402
                       receptive_field_trace, show_receptive_field)
from cnn_utils.checks import (DIAGNOSES, check_answer, param_count_mistakes,  # noqa: E402
                              receptive_field_mistakes, stacked_param_mistakes)


# ---------------------------------------------------------------------------- the formula by hand

@pytest.mark.parametrize("layers, expected", [
    ([], (1, 1)),                              # the input sees itself
    ([(3, 1)], (3, 1)),
    ([(3, 1), (3, 1)], (5, 1)),                # two 3x3 see as far as one 5x5
    ([(3, 1)] * 3, (7, 1)),                    # three 3x3 as far as one 7x7 (CS231n, VGG)
    ([(3, 1), (2, 2), (3, 1)], (8, 2)),        # a 2x2 pooling between: 3, 4, 4 + 2 * 2
    ([(3, 2), (3, 1), (3, 1)], (11, 2)),       # stride 2 first: 3, 3 + 2 * 2, 7 + 2 * 2
    ([(3, 1), (2, 2), (3, 1), (2, 2)], (10, 4)),   # chapter 3's small CNN up to pool2
    ([(11, 4), (3, 2), (5, 1)], (51, 8)),      # AlexNet's conv1, pool1, conv2: 11, 19, 19 + 4 * 8
    ([(1, 1), (1, 1)], (1, 1)),                # 1x1 convolutions see one pixel
])
def test_receptive_field_hand_cases(layers, expected):
    assert receptive_field(layers) == expected
    trace = receptive_field_trace(layers)
    assert trace[0] == (1, 1) and tuple(trace[-1]) == expected and len(trace) == len(layers) + 1


def test_trace_follows_the_recurrence():
    layers = [(3, 1), (2, 2), (3, 1), (2, 2), (5, 3)]
    trace = receptive_field_trace(layers)
    for (kernel, stride), (r0, j0), (r1, j1) in zip(layers, trace, trace[1:]):
        assert r1 == r0 + (kernel - 1) * j0 and j1 == j0 * stride


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 7), st.integers(1, 3)), max_size=6))
def test_field_is_one_plus_the_jump_weighted_growth(layers):
    field, jump = receptive_field(layers)
    jumps = np.cumprod([1] + [s for _, s in layers])
    assert jump == jumps[-1]
    assert field == 1 + sum((k - 1) * j for (k, _), j in zip(layers, jumps[:-1]))


@pytest.mark.parametrize("layers, error, match", [
    (3, TypeError, "list of \\(kernel_size, stride\\) pairs; received 3"),
    ("3x3", TypeError, "list of \\(kernel_size, stride\\) pairs"),
    ([3, 3], ValueError, "layer 0 is 3"),
    ([(3, 1, 1)], ValueError, "layer 0 is \\(3, 1, 1\\)"),
    ([(3, 1), (0, 1)], ValueError, "layers\\[1\\]\\[0\\] \\(kernel_size\\)` >= 1; received 0"),
    ([(3, 1), (3, 0)], ValueError, "stride\\)` >= 1; received 0"),
    ([(3.0, 1)], TypeError, "to be an integer; received 3.0"),
])
def test_bad_layers_say_what_was_received(layers, error, match):
    with pytest.raises(error, match=match):
        receptive_field(layers)
    with pytest.raises(error, match=match):
        receptive_field_mistakes(layers)


# ------------------------------------------------------------------ the formula against TensorFlow

def _tf_stack(layers, padding):
    """A function of x: tf.nn.conv2d with positive 3-channel filters, or a tf.nn pool, per layer."""
    rng = np.random.default_rng(7)
    ops = []
    for kernel, stride, kind in layers:
        if kind == "conv":
            w = tf.constant(rng.uniform(0.5, 1.5, size=(kernel, kernel, 3, 3)).astype(np.float32))
            ops.append(lambda x, w=w, s=stride: tf.nn.conv2d(x, w, s, padding))
        else:
            pool = tf.nn.max_pool2d if kind == "max" else tf.nn.avg_pool2d
            ops.append(lambda x, p=pool, k=kernel, s=stride: p(x, k, s, padding))

    def forward(x):
        for op in ops:
            x = op(x)
        return x
    return forward


def _support(forward, x, i, j):
    """The input pixels (H, W) where d out[0, i, j, 0] / d x is nonzero."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = forward(x)[0, i, j, 0]
    return np.abs(tape.gradient(out, x).numpy()[0]).sum(axis=-1) > 0


def _square(mask):
    """(top, left, height, width) of the bounding box of a mask, and whether the mask fills it."""
    rows, cols = np.nonzero(mask)
    top, left = rows.min(), cols.min()
    height, width = rows.max() - top + 1, cols.max() - left + 1
    return (top, left, height, width), bool(mask[top:top + height, left:left + width].all())


STACKS = {
    "three 3x3": [(3, 1, "conv")] * 3,
    "conv stride 2 first": [(3, 2, "conv"), (3, 1, "conv"), (3, 1, "conv")],
    "conv, avg pool, conv": [(3, 1, "conv"), (2, 2, "avg"), (3, 1, "conv")],
    "conv, max pool, conv": [(3, 1, "conv"), (2, 2, "max"), (3, 1, "conv")],
    "chapter 3 to pool2": [(3, 1, "conv"), (2, 2, "max"), (3, 1, "conv"), (2, 2, "max")],
    "5x5 then 3x3 stride 3": [(5, 1, "conv"), (3, 3, "conv"), (2, 1, "avg")],
}


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
@pytest.mark.parametrize("name", STACKS)
def test_field_is_the_support_of_a_tensorflow_gradient(name, padding):
    layers = STACKS[name]
    field, jump = receptive_field([(k, s) for k, s, _ in layers])
    forward = _tf_stack(layers, padding)
    size = 3 * field + 2 * jump + 4                 # room for a whole field away from the borders
    rng = np.random.default_rng(0)
    out_size = forward(tf.zeros((1, size, size, 3))).shape[1]
    i = j = out_size // 2                           # a central output value: its field is unclipped
    # max pooling sends the gradient to one pixel of each window, which depends on the input; the
    # field is every pixel that some input makes count, so take the union over random inputs
    trials = 400 if any(kind == "max" for _, _, kind in layers) else 1
    union = np.zeros((size, size), dtype=bool)
    for _ in range(trials):
        support = _support(forward, rng.uniform(0.1, 1.0, size=(1, size, size, 3)).astype(np.float32), i, j)
        (_, _, height, width), _ = _square(support)
        assert height <= field and width <= field   # one input never reaches beyond the field
        union |= support
        if _square(union)[0][2:] == (field, field) and _square(union)[1]:
            break
    (top, left, height, width), filled = _square(union)
    assert (height, width) == (field, field) and filled
    # the neighbouring output value's field is the same square, `jump` pixels to the right
    if trials == 1:
        (top2, left2, _, _), _ = _square(_support(forward, np.ones((1, size, size, 3), np.float32), i, j + 1))
        assert (top2, left2 - left) == (top, jump)


# -------------------------------------------------------------------------------- combine_kernels

@pytest.mark.parametrize("first_shape, second_shape", [
    ((3, 3, 1, 1), (3, 3, 1, 1)),       # two 3x3 filters are one 5x5
    ((3, 3, 1, 8), (3, 3, 8, 16)),      # chapter 3's conv1 and conv2
    ((2, 3, 3, 4), (3, 1, 4, 2)),       # non-square kernels, channels in and out
    ((1, 1, 5, 3), (3, 3, 3, 2)),       # a 1x1 convolution first: the 3x3 stays 3x3
])
def test_combined_kernel_is_two_tensorflow_convolutions(first_shape, second_shape):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 9, 8, first_shape[2])).astype(np.float32)
    k1 = rng.standard_normal(first_shape).astype(np.float32)
    k2 = rng.standard_normal(second_shape).astype(np.float32)
    combined = combine_kernels(k1, k2)
    assert combined.shape == (first_shape[0] + second_shape[0] - 1, first_shape[1] + second_shape[1] - 1,
                              first_shape[2], second_shape[3])
    two = tf.nn.conv2d(tf.nn.conv2d(x, k1, 1, "VALID"), k2, 1, "VALID").numpy()
    one = tf.nn.conv2d(x, combined.astype(np.float32), 1, "VALID").numpy()
    np.testing.assert_allclose(one, two, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(conv2d(x, combined, 1, "VALID"), two, rtol=1e-4, atol=1e-4)
    # a ReLU between the two layers makes them no longer one convolution
    with_relu = tf.nn.conv2d(tf.nn.relu(tf.nn.conv2d(x, k1, 1, "VALID")), k2, 1, "VALID").numpy()
    assert not np.allclose(one, with_relu, atol=1e-3)


def test_combined_kernel_by_hand_and_inputs_unchanged():
    a = np.array([[1., 2.]])[:, :, None, None]           # 1x2
    b = np.array([[1.], [-1.]])[:, :, None, None]        # 2x1
    combined = combine_kernels(a, b)[:, :, 0, 0]
    # cross-correlation twice: the combined kernel is a's taps placed at each of b's taps, weighted
    np.testing.assert_array_equal(combined, [[1., 2.], [-1., -2.]])
    a_before = a.copy()
    combine_kernels(a, b)
    np.testing.assert_array_equal(a, a_before)
    assert combine_kernels(np.ones((2, 2, 1, 1), np.int64), np.ones((2, 2, 1, 1), np.int64)).dtype.kind == "f"


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 3), st.integers(0, 2 ** 31 - 1))
def test_combined_kernel_equals_two_numpy_convolutions(f1, f2, g, c, m, k, seed):
    rng = np.random.default_rng(seed)
    k1 = rng.integers(-2, 3, size=(f1, g, c, m)).astype(np.float64)
    k2 = rng.integers(-2, 3, size=(f2, g, m, k)).astype(np.float64)
    x = rng.integers(-3, 4, size=(1, f1 + f2 + 2, 2 * g + 2, c)).astype(np.float64)
    np.testing.assert_allclose(conv2d(x, combine_kernels(k1, k2), 1, "VALID"),
                               conv2d(conv2d(x, k1, 1, "VALID"), k2, 1, "VALID"), atol=1e-9)


@pytest.mark.parametrize("first, second, error, match", [
    (np.ones((3, 3)), np.ones((3, 3, 1, 1)), ValueError, "rank 4"),
    (np.ones((3, 3, 1, 4)), np.ones((3, 3, 2, 1)), ValueError, "take the first's 4 output channels"),
    (np.ones((3, 3, 1, 1)), "kernel", TypeError, "second"),
])
def test_combine_kernels_bad_input(first, second, error, match):
    with pytest.raises(error, match=match):
        combine_kernels(first, second)


# --------------------------------------------------------------------------- show_receptive_field

def test_show_receptive_field_draws_one_panel_per_stack():
    stacks = [("3×3 합성곱 세 층", [(3, 1)] * 3, ["conv1", "conv2", "conv3"]),
              ("합성곱, 풀링, 합성곱", [(3, 1), (2, 2), (3, 1)], ["conv1", "pool1", "conv2"]),
              ("스트라이드 2", [(3, 2), (3, 1), (3, 1)], ["conv1", "conv2", "conv3"])]
    fig = show_receptive_field(stacks)
    try:
        assert len(fig.axes) == 3 and fig.get_size_inches()[0] <= 10
        labels = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
        assert labels == ["conv1 뒤: 3×3 (간격 1)", "pool1 뒤: 4×4 (간격 2)", "conv2 뒤: 8×8 (간격 2)"]
        # the squares: one per layer, as large as the fields, inside the grid (13 = 11 + 2 pixels)
        squares = [p for p in fig.axes[2].patches if p.get_width() > 1]
        assert [p.get_width() for p in squares] == [3, 7, 11]
        assert all(0 <= p.get_x() and p.get_x() + p.get_width() <= 13 for p in squares)
    finally:
        plt.close(fig)
    wide = show_receptive_field([(str(i), [(3, 1)], ["conv1"]) for i in range(5)])
    assert wide.get_size_inches()[0] <= 10
    plt.close(wide)


@pytest.mark.parametrize("stacks, kwargs, error, match", [
    ([], {}, TypeError, "non-empty list"),
    ([("a", [(3, 1)])], {}, ValueError, "stack 0 is"),
    ([("a", [(3, 1), (3, 1)], ["conv1"])], {}, ValueError, "2 layers and 1 names"),
    ([("a", [(3, 1)] * 6, [str(i) for i in range(6)])], {}, ValueError, "at most 5 layers"),
    ([("a", [(5, 1)], ["conv1"])], {"grid_size": 4}, ValueError, "grid_size >= the largest field 5"),
])
def test_show_receptive_field_bad_input(stacks, kwargs, error, match):
    with pytest.raises(error, match=match):
        show_receptive_field(stacks, **kwargs)


# ------------------------------------------------------------------------ the mistake generators

@pytest.mark.parametrize("layers", [[(3, 1), (3, 1)], [(3, 2), (3, 1)], [(3, 1), (2, 2), (3, 1)],
                                    [(5, 1)], [(1, 1)], [(3, 1)] * 3])
def test_receptive_field_mistakes_are_wrong_distinct_and_known(layers):
    right = receptive_field(layers)[0]
    mistakes = receptive_field_mistakes(layers)
    values = [v for _, v in mistakes]
    assert right not in values and len(set(values)) == len(values)
    assert all(d in DIAGNOSES for d, _ in mistakes)
    for diagnosis, value in mistakes:
        result = check_answer(value, right, "field", mistakes=mistakes)
        assert not result.ok and result.diagnosis == diagnosis
        assert DIAGNOSES[diagnosis] in result.message
    assert check_answer(right, right, "field", mistakes=mistakes).ok


def test_receptive_field_mistakes_values():
    # two 3x3: 3 + 3 = 6, or the area 5 * 5
    assert dict(receptive_field_mistakes([(3, 1), (3, 1)])) == {"field_kernels_summed": 6, "field_area": 25}
    # stride 2 then 3x3: right 3 + 2 * 2 = 7; 6; 1 + 2 + 2 = 5; jump after the stride: 1 + 2*2 + 2*2 = 9
    assert dict(receptive_field_mistakes([(3, 2), (3, 1)])) == {
        "field_kernels_summed": 6, "field_stride_ignored": 5, "field_jump_after": 9, "field_area": 49}
    assert receptive_field_mistakes([(1, 1)]) == []   # every mistake gives the right 1 here


def test_stacked_param_mistakes():
    right = 2 * conv_param_count(3, 64, 64)
    mistakes = stacked_param_mistakes(3, 64)
    assert mistakes[0] == ("stack_params_one_layer", conv_param_count(3, 64, 64))
    assert dict(mistakes[1:]) == {d: 2 * v for d, v in param_count_mistakes(3, 64, 64)}
    values = [v for _, v in mistakes]
    assert right not in values and len(set(values)) == len(values)
    assert all(d in DIAGNOSES for d, _ in mistakes)
    assert check_answer(conv_param_count(3, 64, 64), right, "p", mistakes=mistakes).diagnosis == \
        "stack_params_one_layer"
    assert check_answer(2 * 3 * 3 * 64 * 64, right, "p", mistakes=mistakes).diagnosis == "bias_missing"
    # three layers, and no "one layer" mistake when only one is stacked (it would be right)
    assert stacked_param_mistakes(3, 8, layers=3)[1] == ("bias_missing", 3 * 3 * 3 * 8 * 8)
    assert all(v != conv_param_count(5, 4, 4) for _, v in stacked_param_mistakes(5, 4, layers=1))
    no_bias = stacked_param_mistakes(3, 16, use_bias=False)
    assert 2 * conv_param_count(3, 16, 16, use_bias=False) not in [v for _, v in no_bias]
    with pytest.raises(ValueError, match="`channels` >= 1; received 0"):
        stacked_param_mistakes(3, 0)
    with pytest.raises(TypeError, match="`layers` to be an integer"):
        stacked_param_mistakes(3, 8, layers=2.5)


def test_gradient_support_is_the_formulas_field():
    from cnn_utils import gradient_support

    for layers in ([("conv", 3, 1)] * 3, [("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1)],
                   [("conv", 3, 2), ("conv", 3, 1), ("conv", 3, 1)]):
        r, _ = receptive_field([(k, s) for _, k, s in layers])
        assert gradient_support(layers) == (r, r, r * r), layers
    with pytest.raises(ValueError, match="kind 'conv' or 'pool'"):
        gradient_support([("합성곱", 3, 1)])
