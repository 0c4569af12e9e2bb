"""Checkers of chapter 5's receptive fields and chapter 7's 1x1 convolutions, with feedback in Korean.

Used in chapters 5, 7 and 11 (through `cnn_utils.checks`).

`receptive_field_mistakes` and `stacked_param_mistakes` give `check_answer` the values the usual
mistakes produce; `check_conv1x1` runs a student's 1x1 convolution on the case engine.
"""

import numpy as np

from .._validation import positive_int
from ..ops import conv2d
from ..shapes import _field_layers, conv_param_count, receptive_field
from .engine import _SEED, _Case, _hidden_rng, _name, _run_cases
from .formatting import _describe
from .ops import param_count_mistakes
from .sandbox import DEFAULT_TIMEOUT


def _distinct(right, candidates):
    """The (diagnosis, value) candidates whose value is neither right nor an earlier candidate's."""
    mistakes, seen = [], {right}
    for diagnosis, value in candidates:
        if value not in seen:
            mistakes.append((diagnosis, value))
            seen.add(value)
    return mistakes


def receptive_field_mistakes(layers):
    """What the usual receptive-field mistakes give for a stack: (diagnosis, wrong field) pairs.

    The mistakes: adding the kernel sizes (``sum F``), forgetting the jump (``1 + sum (F - 1)``,
    as if every stride were 1), using a layer's jump after its own stride instead of before it,
    and answering the field's area ``R * R`` instead of its side ``R``.

    Args:
        layers: list of `(kernel_size, stride)` pairs, as `receptive_field` takes.

    Returns:
        List of (diagnosis key, wrong value) for `check_answer`; a mistake that happens to give the
        right field here, or the same value as an earlier mistake, is left out.

    Raises:
        TypeError, ValueError: if `layers` is not a list of pairs of positive ints.

    Example:
        >>> receptive_field_mistakes([(3, 1), (3, 1)])
        [('field_kernels_summed', 6), ('field_area', 25)]
        >>> receptive_field_mistakes([(3, 2), (3, 1)])
        [('field_kernels_summed', 6), ('field_stride_ignored', 5), ('field_jump_after', 9), ('field_area', 49)]
    """
    pairs = _field_layers(layers, "receptive_field_mistakes")
    right = receptive_field(pairs)[0]
    jump_after, jump = 1, 1
    for kernel, stride in pairs:
        jump *= stride                     # the mistake: the jump after this layer's stride
        jump_after += (kernel - 1) * jump
    return _distinct(right, [("field_kernels_summed", sum(k for k, _ in pairs)),
                             ("field_stride_ignored", 1 + sum(k - 1 for k, _ in pairs)),
                             ("field_jump_after", jump_after),
                             ("field_area", right * right)])


def stacked_param_mistakes(kernel_size, channels, layers=2, use_bias=True):
    """The usual mistakes in counting `layers` stacked F x F convolutions of `channels` in and out.

    The right count is ``layers * (C * F^2 * C + C)``. The mistakes: one layer's count only, and
    each of `param_count_mistakes` (no biases, one bias, channels or the square forgotten) made in
    every layer.

    Args:
        kernel_size: int F, the side of every layer's F x F filters.
        channels: int C, the channels in and out of every layer (C filters of F x F x C).
        layers: int, how many such layers are stacked.
        use_bias: bool, whether every filter has a bias (Keras's `use_bias`).

    Returns:
        List of (diagnosis key, wrong value) for `check_answer`; a mistake that gives the right
        count, or the same value as an earlier mistake, is left out.

    Raises:
        TypeError, ValueError: if an argument is not a positive int.

    Example:
        >>> stacked_param_mistakes(3, 64)[0]   # one 3x3 layer of 64 channels in and out
        ('stack_params_one_layer', 36928)
        >>> 2 * conv_param_count(3, 64, 64)  # the right count for two
        73856
    """
    op = "stacked_param_mistakes"
    f = positive_int(kernel_size, "kernel_size", op)
    c = positive_int(channels, "channels", op)
    n = positive_int(layers, "layers", op)
    one = conv_param_count(f, c, c, use_bias)
    candidates = [("stack_params_one_layer", one)]
    candidates += [(d, v * n) for d, v in param_count_mistakes(f, c, c, use_bias)]
    return _distinct(n * one, candidates)


# (N, H, W, C, K): the visible cases first
_CONV1X1_CASES = [(1, 2, 2, 3, 2), (1, 4, 4, 8, 4), (2, 3, 5, 6, 3), (1, 7, 7, 16, 8),
                  (3, 2, 6, 4, 1), (1, 5, 3, 1, 5), (2, 4, 4, 32, 16), (1, 1, 1, 9, 7)]
_CONV1X1_VISIBLE = 3


def _conv1x1_ref(x, w, b):
    return conv2d(x, w[np.newaxis, np.newaxis], 1, "VALID") + b


def check_conv1x1(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(x, w, b)``: a 1x1 convolution of x (N, H, W, C) with w (C, K) and biases b (K,).

    The result must be ``conv2d(x, w[np.newaxis, np.newaxis], 1, "VALID") + b``, of shape
    (N, H, W, K): at every pixel, the C channel values times w plus b, as a Dense layer of K units
    would compute them. The diagnosed mistakes: the bias left out, the channels averaged instead of
    summed, and the (N * H * W, K) matrix product not reshaped back to (N, H, W, K).

    Args:
        fn: the student's function.
        timeout: seconds one call may take (a positive number).

    Returns:
        A `CheckResult`.

    Raises:
        ValueError: if `timeout` is not a positive number.

    Example:
        >>> check_conv1x1(lambda x, w, b: x @ w + b).ok
        True
        >>> check_conv1x1(lambda x, w, b: x @ w).diagnosis
        'bias_missing'
    """
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"check_conv1x1 expects `timeout` to be a positive number of seconds; "
                         f"received {timeout!r}. Leave it out to use {DEFAULT_TIMEOUT:g} s.")
    rng = np.random.default_rng(_SEED + 51)
    cases = []
    for index, (n, h, w_, c, k) in enumerate(_CONV1X1_CASES):
        if index == _CONV1X1_VISIBLE:
            rng = _hidden_rng(rng, 51)   # the grader's secret hidden cases, or these
        x = rng.integers(-3, 4, size=(n, h, w_, c)).astype(np.float64)
        w = rng.integers(-2, 3, size=(c, k)).astype(np.float64)
        b = rng.integers(-2, 3, size=k).astype(np.float64)
        if not b.any():
            b[0] = 1.0
        expected = _conv1x1_ref(x, w, b)
        mistakes = [("bias_missing", expected - b), ("conv1x1_mean", (x @ w) / c + b)]
        cases.append(_Case((x, w, b), expected, _describe([("x", x), ("w", w), ("b", b)]), mistakes,
                           hidden=index >= _CONV1X1_VISIBLE,
                           shape_hints=[("conv1x1_not_reshaped", (n * h * w_, k))]))
    return _run_cases(_name(fn, "conv1x1"), fn, cases, timeout, ["x", "w", "b"])
