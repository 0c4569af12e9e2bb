"""Checkers of chapter 11's convolution variants: depthwise and transposed convolutions by loops, and
the mistakes in their parameter counts and sizes.

Used in chapter 11 (through `cnn_utils.checks`).

`check_depthwise_conv2d` grades ``depthwise_conv(x, w)`` (x (N, H, W, C), w (KH, KW, C), stride 1,
"VALID") against `cnn_utils.depthwise_conv2d`, which the tests hold equal to
`tf.nn.depthwise_conv2d`; `check_conv_transpose` grades ``conv_transpose(x, w, stride)`` (x
(N, H, W, C_in), w (KH, KW, C_out, C_in), "VALID", output ``(H - 1) * S + KH`` high) against
`cnn_utils.conv2d_transpose` (`tf.nn.conv2d_transpose`). Each known mistake is computed for the case
and compared: the channels summed as in an ordinary convolution, the kernel flipped, ``=`` instead of
``+=``, the stride ignored, the filters' channel axes swapped, and outputs of the wrong shape.
`separable_param_mistakes`, `dilation_mistakes` and `transpose_size_mistakes` give `check_answer`
the values the usual mistakes produce.

The diagnoses of these mistakes are added to `DIAGNOSES` here, beside the checkers that use them.
"""

import numpy as np

from .._validation import positive_int
from ..conv_variants import conv2d_transpose, depthwise_conv2d
from ..ops import conv2d
from ..shapes import conv_param_count, depthwise_separable_param_count, dilated_kernel_size
from .backprop import _check_timeout
from .engine import _SEED, _Case, _hidden_rng, _name, _run_cases
from .fields import _distinct
from .formatting import _describe_with_values
from .result import DIAGNOSES
from .sandbox import DEFAULT_TIMEOUT

DIAGNOSES.update({
    "depthwise_channels_summed": "채널을 더했습니다. 깊이별 합성곱(depthwise convolution)은 채널마다 따로 "
                                 "계산합니다: 출력 채널 c는 x[..., c]의 창과 w[:, :, c]를 곱해 세로·가로로만 "
                                 "더한 값이고, 채널끼리는 더하지 않습니다. 그래서 출력의 채널 수도 입력과 같은 C입니다.",
    "depthwise_output_size": "출력의 크기가 다릅니다. 패딩 없이(VALID) 스트라이드 1이면 출력은 "
                             "(N, H - KH + 1, W - KW + 1, C)입니다.",
    "transpose_not_accumulated": "겹치는 자리의 값을 더하지 않고 덮어썼습니다(+= 대신 =). 스트라이드가 필터보다 "
                                 "작으면 입력 픽셀 여러 개의 창이 겹치고, 그 자리의 출력은 그 모두의 합입니다: "
                                 "out[n, i*S:i*S+KH, j*S:j*S+KW, :] += x[n, i, j, ci] * w[:, :, :, ci].",
    "transpose_stride_ignored": "스트라이드를 빠뜨렸습니다. 입력 픽셀 (i, j)가 흩뿌리는 필터는 출력의 "
                                "(i * S, j * S)에서 시작합니다. 그래서 출력의 크기도 (H - 1) * S + KH입니다.",
    "transpose_kernel_flipped": "필터를 위아래·좌우로 뒤집어 흩뿌렸습니다. 전치 합성곱(transposed convolution)은 "
                                "입력 픽셀 하나에 필터를 그대로 곱해 창 자리에 더합니다: "
                                "out[n, i*S + u, j*S + v, co] += x[n, i, j, ci] * w[u, v, co, ci]. 9장의 "
                                "합성곱 기울기 dx와 같은 계산입니다.",
    "transpose_channels_swapped": "필터의 두 채널 축을 바꿔 썼습니다. w의 모양은 (KH, KW, C_out, C_in)이므로 "
                                  "입력 채널 ci가 흩뿌리는 필터는 w[:, :, :, ci]이고, 결과의 채널 수는 "
                                  "C_out = w.shape[2]입니다.",
    "transpose_output_size": "출력의 크기가 다릅니다. 패딩 없는 전치 합성곱의 출력은 "
                             "(N, (H - 1) * S + KH, (W - 1) * S + KW, C_out)입니다: 마지막 입력 픽셀의 필터가 "
                             "(H - 1) * S에서 시작해 KH칸을 덮습니다.",
    "separable_pointwise_missing": "점별 합성곱(pointwise convolution, 1×1 합성곱)의 가중치를 빠뜨렸습니다. "
                                   "깊이별 분리 합성곱은 깊이별 합성곱의 F·F·C·M개 다음에 C·M개의 맵을 K개로 "
                                   "섞는 1×1 합성곱의 C·M·K개와 편향 K개가 있습니다.",
    "separable_depthwise_missing": "깊이별 합성곱의 가중치 F·F·C·M개를 빠뜨렸습니다. 1×1 합성곱 앞에 채널마다 "
                                   "F×F 필터가 M개씩 있습니다.",
    "separable_bias_twice": "편향을 두 번 셌습니다. Keras의 SeparableConv2D는 편향을 점별 합성곱의 출력 채널 "
                            "K개에만 둡니다. 깊이별 부분에는 편향이 없습니다.",
    "separable_as_ordinary": "보통 합성곱의 파라미터 수 F·F·C·K + K를 셌습니다. 깊이별 분리 합성곱은 "
                             "F·F·C·M + C·M·K + K개입니다.",
    "dilation_multiplied": "필터 크기에 팽창률을 곱했습니다(F × D). 팽창은 탭 사이의 간격 F - 1개에만 D - 1칸씩을 "
                           "넣으므로 크기는 F + (F - 1)(D - 1)입니다: 3×3 필터를 2로 팽창하면 6이 아니라 5입니다.",
    "dilation_gaps_too_wide": "간격마다 D칸을 넣었습니다. 팽창률 D이면 이웃한 탭은 D칸 떨어져 있고, 그 사이에 "
                              "빠지는 픽셀은 D - 1개입니다: F + (F - 1)(D - 1).",
    "dilation_missing_plus_one": "(F - 1) × D에 1을 더하지 않았습니다. 끝의 탭도 한 칸을 차지합니다: "
                                 "(F - 1) × D + 1 = F + (F - 1)(D - 1).",
    "dilation_ignored": "팽창을 빠뜨렸습니다. 팽창률 D의 필터는 가중치는 F개 그대로이지만 F + (F - 1)(D - 1)칸을 "
                        "봅니다.",
    "transpose_forward_formula": "합성곱의 출력 크기 공식 (W - F) // S + 1을 썼습니다. 전치 합성곱은 거꾸로 크기를 "
                                 "키웁니다: (W - 1) × S + F.",
    "transpose_size_same": "SAME 전치 합성곱의 크기 W × S를 썼습니다. 패딩이 없으면(VALID) 마지막 필터가 "
                           "(W - 1) × S에서 시작해 F칸을 덮으므로 (W - 1) × S + F입니다.",
    "transpose_size_extra_stride": "스트라이드를 한 번 더 셌습니다(W × S + F). 첫 입력 픽셀의 필터는 0에서, "
                                   "마지막 픽셀의 필터는 (W - 1) × S에서 시작합니다: (W - 1) × S + F.",
})


# ---------------------------------------------------------------------------------------------
# Depthwise convolution
# ---------------------------------------------------------------------------------------------

def _depthwise_ref(x, w):
    return depthwise_conv2d(x, w[..., np.newaxis], [1, 1, 1, 1], "VALID")


def _depthwise_mistakes(x, w):
    """(diagnosis, value) of each known mistake of ``depthwise_conv(x, w)``."""
    c = x.shape[3]
    total = conv2d(x, w[..., np.newaxis], 1, "VALID")                       # (N, OH, OW, 1)
    every = np.broadcast_to(w[:, :, np.newaxis, :], w.shape[:2] + (c, c))   # w[..., k] on every channel
    return [("flipped_kernel", _depthwise_ref(x, w[::-1, ::-1])),
            ("depthwise_channels_summed", np.repeat(total, c, axis=3)),
            ("depthwise_channels_summed", conv2d(x, every, 1, "VALID"))]


# (N, H, W, C, KH, KW): the visible cases first; each hidden case has several channels
_DEPTHWISE_VISIBLE = [(1, 4, 4, 1, 2, 2), (1, 4, 4, 2, 2, 2), (2, 5, 5, 3, 3, 3)]
_DEPTHWISE_HIDDEN = [(1, 6, 6, 2, 3, 3), (2, 5, 6, 3, 2, 3), (1, 7, 5, 4, 3, 2), (3, 4, 4, 2, 1, 1),
                     (1, 6, 7, 3, 4, 4), (2, 8, 8, 2, 3, 3), (1, 5, 5, 5, 5, 5), (2, 6, 4, 3, 2, 2)]


def check_depthwise_conv2d(fn, timeout=DEFAULT_TIMEOUT):
    """Checks a student's depthwise convolution ``fn(x, w)``: stride 1, "VALID", one filter per channel.

    `x` has shape (N, H, W, C) and `w` (KH, KW, C); the result must be
    ``depthwise_conv2d(x, w[..., np.newaxis], [1, 1, 1, 1], "VALID")``, of shape
    (N, H - KH + 1, W - KW + 1, C): channel c convolved with ``w[:, :, c]`` alone. The diagnosed
    mistakes: the channels summed (every channel's window times its kernel added up, or each kernel
    applied to all channels as an ordinary convolution), the kernel flipped, and outputs of the wrong
    shape (one channel, no channel axis, the channels first, a size off by one).

    Args:
        fn: the student's function.
        timeout: seconds one call may take (a positive number).

    Returns:
        A `CheckResult`.

    Raises:
        TypeError: if `timeout` is not a positive number.

    Example:
        >>> check_depthwise_conv2d(_depthwise_ref).ok
        True
        >>> check_depthwise_conv2d(lambda x, w: _depthwise_ref(x, w[::-1, ::-1])).diagnosis
        'flipped_kernel'
    """
    _check_timeout(timeout, "check_depthwise_conv2d")
    rng = np.random.default_rng(_SEED + 110)
    cases = []
    for index, (n, h, w_, c, kh, kw) in enumerate(_DEPTHWISE_VISIBLE + _DEPTHWISE_HIDDEN):
        if index == len(_DEPTHWISE_VISIBLE):
            rng = _hidden_rng(rng, 110)
        if index == 0:   # by hand
            x = np.arange(1, 17, dtype=np.float64).reshape(1, 4, 4, 1)
            w = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(2, 2, 1)
        else:
            x = rng.integers(-3, 4, size=(n, h, w_, c)).astype(np.float64)
            w = rng.integers(-2, 3, size=(kh, kw, c)).astype(np.float64)
            w[0, 0] += 3   # never symmetric: a flipped kernel always shows
        expected = _depthwise_ref(x, w)
        oh, ow = expected.shape[1:3]
        hints = [("depthwise_channels_summed", (n, oh, ow, 1)),
                 ("depthwise_channels_summed", (n, oh, ow, c, c)),
                 ("axis_order", (n, c, oh, ow)),
                 ("missing_plus_one", (n, oh - 1, ow - 1, c)),
                 ("depthwise_output_size", (n, h, w_, c))]
        cases.append(_Case((x, w), expected, _describe_with_values([("x", x), ("w", w)]),
                           _depthwise_mistakes(x, w), hidden=index >= len(_DEPTHWISE_VISIBLE),
                           shape_hints=[(d, s) for d, s in hints if s != expected.shape]))
    return _run_cases(_name(fn, "depthwise_conv"), fn, cases, timeout, ["x", "w"])


# ---------------------------------------------------------------------------------------------
# Transposed convolution
# ---------------------------------------------------------------------------------------------

def _transpose_size(x, w, stride):
    n, h, width, _ = x.shape
    return n, (h - 1) * stride + w.shape[0], (width - 1) * stride + w.shape[1], w.shape[2]


def _transpose_ref(x, w, stride):
    return conv2d_transpose(x, w, _transpose_size(x, w, stride), stride, "VALID")


def _scatter(x, w, stride, assign=None, place=None, shape=None):
    """The student's loops: every input pixel times the kernel, added (``+=``) at (i*S, j*S) of an
    output of `shape`. The switches give the mistakes: `assign` "pixel" (``=`` per pixel) or
    "channel" (``=`` per pixel and input channel, the last channel left), `place` another stride
    for where the windows go."""
    n, h, width, cin = x.shape
    kh, kw = w.shape[:2]
    out = np.zeros(shape or _transpose_size(x, w, stride))
    step = stride if place is None else place
    for i in range(h):
        for j in range(width):
            window = (slice(None), slice(i * step, i * step + kh), slice(j * step, j * step + kw))
            if assign == "channel":
                out[window] = x[:, i, j, -1, None, None, None] * w[..., -1]
            elif assign == "pixel":
                out[window] = np.einsum("nc,uvkc->nuvk", x[:, i, j], w)
            else:
                out[window] += np.einsum("nc,uvkc->nuvk", x[:, i, j], w)
    return out


def _transpose_mistakes(x, w, stride):
    mistakes = [("transpose_not_accumulated", _scatter(x, w, stride, assign="pixel")),
                ("transpose_not_accumulated", _scatter(x, w, stride, assign="channel")),
                ("transpose_kernel_flipped", _transpose_ref(x, w[::-1, ::-1], stride))]
    if stride > 1:
        mistakes.append(("transpose_stride_ignored", _scatter(x, w, stride, place=1)))
    if w.shape[2] == w.shape[3]:
        mistakes.append(("transpose_channels_swapped", _transpose_ref(x, w.transpose(0, 1, 3, 2), stride)))
    return mistakes


# (N, H, W, C_in, KH, KW, C_out, stride): the visible cases first
_TRANSPOSE_VISIBLE = [(1, 2, 2, 1, 2, 2, 1, 1), (1, 2, 2, 1, 2, 2, 1, 2), (1, 3, 3, 2, 3, 3, 2, 2)]
_TRANSPOSE_HIDDEN = [(2, 3, 4, 2, 2, 3, 3, 1), (1, 4, 4, 3, 3, 3, 3, 2), (2, 3, 3, 1, 4, 4, 2, 3),
                     (1, 5, 4, 2, 3, 2, 2, 2), (3, 2, 3, 3, 2, 2, 1, 1), (1, 4, 5, 2, 3, 3, 2, 3),
                     (2, 3, 3, 2, 1, 1, 3, 1), (1, 4, 4, 2, 5, 5, 2, 2)]


def check_conv_transpose(fn, timeout=DEFAULT_TIMEOUT):
    """Checks a student's transposed convolution ``fn(x, w, stride)``, "VALID", written by scattering.

    `x` has shape (N, H, W, C_in), `w` (KH, KW, C_out, C_in) and `stride` is an int; the result must
    be ``conv2d_transpose(x, w, (N, (H - 1) * S + KH, (W - 1) * S + KW, C_out), stride, "VALID")``:
    each input pixel times the kernel, added (``+=``) onto the window at (i * S, j * S). The
    diagnosed mistakes: ``=`` instead of ``+=`` where windows overlap, the stride ignored, the
    kernel flipped, the filters' channel axes swapped, and outputs of the wrong size.

    Args:
        fn: the student's function.
        timeout: seconds one call may take (a positive number).

    Returns:
        A `CheckResult`.

    Raises:
        TypeError: if `timeout` is not a positive number.

    Example:
        >>> check_conv_transpose(_scatter).ok
        True
        >>> check_conv_transpose(lambda x, w, s: _scatter(x, w, s, assign="pixel")).diagnosis
        'transpose_not_accumulated'
    """
    _check_timeout(timeout, "check_conv_transpose")
    rng = np.random.default_rng(_SEED + 111)
    cases = []
    for index, (n, h, w_, cin, kh, kw, cout, s) in enumerate(_TRANSPOSE_VISIBLE + _TRANSPOSE_HIDDEN):
        if index == len(_TRANSPOSE_VISIBLE):
            rng = _hidden_rng(rng, 111)
        if index < 2:   # by hand: chapter 11's 2x2 example, with stride 1 and 2
            x = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
            w = np.array([[1.0, 10.0], [100.0, 1000.0]]).reshape(2, 2, 1, 1)
        else:
            x = rng.integers(-3, 4, size=(n, h, w_, cin)).astype(np.float64)
            w = rng.integers(-2, 3, size=(kh, kw, cout, cin)).astype(np.float64)
            w[0, 0] += 3   # never symmetric: a flipped kernel always shows
        expected = _transpose_ref(x, w, s)
        oh, ow = expected.shape[1:3]
        hints = [("transpose_stride_ignored", (n, h - 1 + kh, w_ - 1 + kw, cout)),
                 ("transpose_channels_swapped", (n, oh, ow, cin)),
                 ("transpose_output_size", (n, h * s, w_ * s, cout)),
                 ("transpose_output_size", (n, (h - 1) * s + kh - 1, (w_ - 1) * s + kw - 1, cout)),
                 ("transpose_output_size", (n, h * s + kh, w_ * s + kw, cout))]
        cases.append(_Case((x, w, s), expected, _describe_with_values([("x", x), ("w", w), ("stride", s)]),
                           _transpose_mistakes(x, w, s), hidden=index >= len(_TRANSPOSE_VISIBLE),
                           shape_hints=[(d, shape) for d, shape in hints if shape != expected.shape]))
    return _run_cases(_name(fn, "conv_transpose"), fn, cases, timeout, ["x", "w", "stride"])


# ---------------------------------------------------------------------------------------------
# Answers for check_answer: parameter counts and sizes
# ---------------------------------------------------------------------------------------------

def separable_param_mistakes(kernel_size, in_channels, filters, depth_multiplier=1, use_bias=True):
    """The usual mistakes in counting a depthwise separable convolution's parameters.

    The right count is ``F^2 * C * M + C * M * K + K`` (`depthwise_separable_param_count`, Keras's
    `SeparableConv2D`). The mistakes: the pointwise part forgotten (with or without the depthwise
    layer's own biases), the depthwise part forgotten, the biases counted twice (on the depthwise
    maps too, or K twice), the ordinary convolution's count, and the biases left out.

    Args:
        kernel_size: int F; in_channels: int C; filters: int K; depth_multiplier: int M;
        use_bias: bool, whether the layer has biases (Keras's `use_bias`).

    Returns:
        List of (diagnosis key, wrong value) for `check_answer`; a mistake that gives the right
        count, or the same value as an earlier mistake, is left out.

    Raises:
        TypeError, ValueError: if an argument is not a positive int.

    Example:
        >>> separable_param_mistakes(3, 32, 64)[:3]
        [('separable_pointwise_missing', 352), ('separable_pointwise_missing', 320), ('separable_depthwise_missing', 2112)]
        >>> depthwise_separable_param_count(3, 32, 64)
        2400
    """
    op = "separable_param_mistakes"
    f = positive_int(kernel_size, "kernel_size", op)
    c = positive_int(in_channels, "in_channels", op)
    k = positive_int(filters, "filters", op)
    m = positive_int(depth_multiplier, "depth_multiplier", op)
    right = depthwise_separable_param_count(f, c, k, m, use_bias)
    b = k if use_bias else 0
    depthwise, pointwise = f * f * c * m, c * m * k
    return _distinct(right, [("separable_pointwise_missing", depthwise + b),
                             ("separable_pointwise_missing", depthwise + c * m),
                             ("separable_depthwise_missing", pointwise + b),
                             ("separable_bias_twice", right + c * m),
                             ("separable_bias_twice", right + b),
                             ("separable_as_ordinary", conv_param_count(f, c, k, use_bias)),
                             ("kernel_not_squared", f * c * m + pointwise + b),
                             ("bias_missing", depthwise + pointwise)])


def dilation_mistakes(kernel_size, dilation):
    """What the usual mistakes give for the span of a dilated kernel, ``F + (F - 1)(D - 1)``.

    The mistakes: ``F * D``, ``F + (F - 1) * D`` (D skipped pixels per gap instead of D - 1),
    ``(F - 1) * D`` (the last tap not counted) and ``F`` (the dilation ignored).

    Args:
        kernel_size: int F; dilation: int D.

    Returns:
        List of (diagnosis key, wrong value) for `check_answer`, without values equal to the right
        span or to an earlier mistake's.

    Raises:
        TypeError, ValueError: if an argument is not a positive int.

    Example:
        >>> dilation_mistakes(3, 2)
        [('dilation_multiplied', 6), ('dilation_gaps_too_wide', 7), ('dilation_missing_plus_one', 4), ('dilation_ignored', 3)]
        >>> dilated_kernel_size(3, 2)
        5
    """
    right = dilated_kernel_size(kernel_size, dilation)
    f, d = int(kernel_size), int(dilation)
    return _distinct(right, [("dilation_multiplied", f * d),
                             ("dilation_gaps_too_wide", f + (f - 1) * d),
                             ("dilation_missing_plus_one", (f - 1) * d),
                             ("dilation_ignored", f)])


def transpose_size_mistakes(input_size, kernel_size, stride):
    """What the usual mistakes give for a "VALID" transposed convolution's size, ``(W - 1) * S + F``.

    The mistakes: the convolution's own formula ``(W - F) // S + 1``, SAME's ``W * S``, and
    ``W * S + F`` (the stride counted once too often).

    Args:
        input_size: int W; kernel_size: int F (F >= S, so that every output pixel is reached);
        stride: int S.

    Returns:
        List of (diagnosis key, wrong value) for `check_answer`, without values equal to the right
        size or to an earlier mistake's.

    Raises:
        TypeError, ValueError: if an argument is not a positive int.

    Example:
        >>> transpose_size_mistakes(4, 3, 2)
        [('transpose_forward_formula', 1), ('transpose_size_same', 8), ('transpose_size_extra_stride', 11)]
    """
    op = "transpose_size_mistakes"
    w = positive_int(input_size, "input_size", op)
    f = positive_int(kernel_size, "kernel_size", op)
    s = positive_int(stride, "stride", op)
    right = (w - 1) * s + f
    candidates = [("transpose_forward_formula", (w - f) // s + 1)] if w >= f else []
    return _distinct(right, candidates + [("transpose_size_same", w * s),
                                          ("transpose_size_extra_stride", w * s + f)])
