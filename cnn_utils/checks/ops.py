"""Checkers of the student's convolution, size, padding, parameter-count, pooling and softmax functions.

Used in chapters 1, 3, 4, 5, 6 and 7: `check_conv2d` and `check_conv2d_single` (chapters 4 and 7),
`check_conv_output_size`, `check_padding_amounts` and `check_conv_param_count` (chapter 5),
`check_max_pool2d` and `check_avg_pool2d` (chapter 6), `check_softmax` (chapter 3), and
`param_count_mistakes` for `check_answer` (chapters 1, 3 and 7).

Each runs the student's function on visible cases (the ones a reader could write down) and on
seeded hidden cases, each chosen to expose a known mistake, against the package's reference
implementation (`cnn_utils.ops`, `cnn_utils.shapes`).
"""

import numpy as np

from ..ops import avg_pool2d, conv2d, max_pool2d
from ..shapes import conv_output_size, conv_param_count, padding_amounts, same_padding
from .engine import _SEED, _Case, _hidden_rng, _name, _run_cases
from .formatting import _describe, _describe_with_values
from .result import DIAGNOSES
from .sandbox import DEFAULT_TIMEOUT


# ---------------------------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------------------------

# (N, H, W, C, KH, KW, K, stride, padding): each hidden case is there to expose a mistake.
_CONV_VISIBLE = [
    (1, 4, 4, 1, 2, 2, 1, 1, "VALID"),
    (1, 5, 5, 2, 3, 3, 1, 2, "VALID"),
    (2, 5, 5, 3, 2, 2, 2, 1, "SAME"),     # odd total padding: the extra pixel at the bottom/right
]
_CONV_HIDDEN = [
    (1, 6, 6, 1, 3, 3, 1, 1, "SAME"),
    (1, 7, 7, 1, 4, 4, 1, 2, "SAME"),
    (2, 6, 5, 2, 3, 2, 3, 2, "VALID"),    # (6 - 3) / 2 does not divide: floor
    (1, 8, 8, 3, 3, 3, 2, 3, "VALID"),
    (3, 5, 6, 2, 2, 3, 2, 1, "SAME"),
    (1, 9, 9, 1, 5, 5, 1, 2, "SAME"),
    (2, 7, 8, 3, 3, 4, 4, 3, "SAME"),
    (1, 4, 4, 4, 1, 1, 2, 1, "VALID"),    # 1x1 filters: only the channel sum
    (1, 6, 7, 2, 2, 2, 1, 2, "VALID"),
    (2, 9, 7, 1, 3, 3, 2, 2, "SAME"),
]


def _conv_arrays(config, rng, first):
    n, h, w, c, kh, kw, k = config[:7]
    if first:  # the first visible case can be followed by hand
        x = np.arange(1, n * h * w * c + 1, dtype=np.float64).reshape(n, h, w, c)
        f = np.arange(1, kh * kw * c * k + 1, dtype=np.float64).reshape(kh, kw, c, k)
    else:
        x = rng.integers(-3, 4, size=(n, h, w, c)).astype(np.float64)
        f = rng.integers(-2, 3, size=(kh, kw, c, k)).astype(np.float64)
        f[0, 0] += 3  # never symmetric: a flipped filter always shows
    return x, f


def _pad_variants(h, kh, s):
    """Ways students split SAME padding along one axis, other than TensorFlow's."""
    before, after = same_padding(h, kh, s)
    total = before + after
    return {(after, before), (total // 2, total // 2), (total - total // 2, total - total // 2),
            ((kh - 1) // 2, (kh - 1) // 2), (kh // 2, kh // 2)} - {(before, after)}


def _explicit(ph, pw):
    return [[0, 0], list(ph), list(pw), [0, 0]]


def _safe(fn, *args):
    try:
        with np.errstate(all="ignore"):
            return fn(*args)
    except Exception:
        return None


def _conv_mistakes(x, f, s, padding, bias=None, activation=None):
    """What each known convolution mistake returns for these arguments."""
    act = (lambda v: np.maximum(v, 0)) if activation == "relu" else (lambda v: v)
    b = 0 if bias is None else bias

    def full(x_, f_, pad=padding):
        out = _safe(conv2d, x_, f_, s, pad)
        return None if out is None else act(out + b)

    mistakes = [("flipped_kernel", full(x, f[::-1, ::-1]))]
    if padding == "SAME":
        h_var = _pad_variants(x.shape[1], f.shape[0], s)
        w_var = _pad_variants(x.shape[2], f.shape[1], s)
        tf_h, tf_w = same_padding(x.shape[1], f.shape[0], s), same_padding(x.shape[2], f.shape[1], s)
        for ph in h_var | {tf_h}:
            for pw in w_var | {tf_w}:
                if (ph, pw) != (tf_h, tf_w):
                    mistakes.append(("symmetric_same", full(x, f, _explicit(ph, pw))))
    c = x.shape[3]
    if c > 1:
        mistakes.append(("channels_not_summed", full(x[..., :1], f[:, :, :1])))
        mistakes.append(("channels_not_summed", full(x[..., -1:], f[:, :, -1:])))
        plain = _safe(conv2d, x, f, s, padding)
        if plain is not None:
            mistakes.append(("channels_not_summed", act(plain / c + b)))
        per_channel = [_safe(conv2d, x[..., i:i + 1], f[:, :, i:i + 1], s, padding) for i in range(c)]
        if all(p is not None for p in per_channel):
            stacked = np.stack(per_channel, axis=-1)            # (N, OH, OW, K, C)
            mistakes.append(("channels_not_summed", stacked))
            mistakes.append(("channels_not_summed", np.swapaxes(stacked, -1, -2)))
    if bias is not None:
        plain = _safe(conv2d, x, f, s, padding)
        if plain is not None:
            kh, kw = f.shape[:2]
            mistakes += [("bias_missing", act(plain)),
                         ("bias_wrong", act(plain + c * bias)),
                         ("bias_wrong", act(plain + kh * kw * c * bias)),
                         ("bias_wrong", act(plain + 2 * bias)),
                         ("bias_wrong", act(plain - bias)),
                         ("bias_wrong", act(plain) + bias)]
            if activation == "relu":
                mistakes.append(("relu_missing", plain + bias))
    if activation == "relu":
        plain = _safe(conv2d, x, f, s, padding)
        if plain is not None and bias is None:
            mistakes.append(("relu_missing", plain))
    return mistakes


def _ceil_size(size, kernel_size, stride):
    """The output size of the ceil-instead-of-floor mistake, ceil((W - F) / S) + 1: a last window
    that runs past the end, as if the input had S - 1 more pixels there."""
    return conv_output_size(size, kernel_size, stride, (0, stride - 1))


def _ceil_shape(n, h, w, kh, kw, k, s, padding):
    if padding == "SAME":
        return None
    return (n, _ceil_size(h, kh, s), _ceil_size(w, kw, s), k)


def _check_switches(padding, bias, activation):
    """Raises on a switch `check_conv2d` would otherwise read as something else (the check cell's
    author sees these errors, not the student: English, as the ops' errors)."""
    for name, value in [("padding", padding), ("bias", bias)]:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(
                f"check_conv2d expects `{name}` to be True or False; received {value!r}. It says "
                f"whether the student's function takes a {name} argument, e.g. {name}=True; the "
                f"checker chooses the cases' padding itself."
            )
    if activation is not None and activation != "relu":
        raise ValueError(
            f'check_conv2d expects `activation` to be None or "relu"; received {activation!r}. '
            f'Write activation="relu" (lower case, as Keras takes it) when the student\'s '
            f"function applies ReLU after the bias, or leave it out."
        )


def check_conv2d(fn, padding=True, bias=False, activation=None, timeout=DEFAULT_TIMEOUT):
    """Checks a student's NHWC convolution against `cnn_utils.conv2d`.

    Args:
        fn: the student's function. Called as ``fn(input, filters, strides, padding)``; as
            ``fn(input, filters, strides)`` (only "VALID" cases) when `padding` is False; with the
            bias after the filters, ``fn(input, filters, bias, strides, padding)``, when `bias` is True.
            `strides` is an int, `padding` "VALID" or "SAME" (TensorFlow's rule).
        padding: whether `fn` takes a padding argument.
        bias: whether `fn` takes a bias of shape (K,) to add to every output of filter k.
        activation: None, or "relu" when `fn` applies ReLU after the bias. Written as Keras writes
            it: "relu" in lower case (Keras's `activations.get("ReLU")` fails too).
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Raises:
        TypeError: if `padding` or `bias` is not True or False.
        ValueError: if `activation` is neither None nor "relu".

    Example:
        >>> def flipped(x, w, s, p):
        ...     return conv2d(x, w[::-1, ::-1], s, p)
        >>> result = check_conv2d(flipped)
        >>> result.ok, result.diagnosis
        (False, 'flipped_kernel')
    """
    _check_switches(padding, bias, activation)
    rng = np.random.default_rng(_SEED)
    cases = []
    for index, config in enumerate(_CONV_VISIBLE + _CONV_HIDDEN):
        n, h, w, c, kh, kw, k, s, pad = config
        if index == len(_CONV_VISIBLE):
            rng = _hidden_rng(rng, 1)
        if not padding:
            pad = "VALID"
        x, f = _conv_arrays(config, rng, first=index == 0)
        b = rng.integers(-2, 3, size=k).astype(np.float64) + 0.5 if bias else None
        expected = conv2d(x, f, s, pad) + (0 if b is None else b)
        if activation == "relu":
            expected = np.maximum(expected, 0)
        args = (x, f) + ((b,) if bias else ()) + (s,) + ((pad,) if padding else ())
        names = ["input", "filters"] + (["bias"] if bias else []) + ["strides"] + \
            (["padding"] if padding else [])
        ceil = _ceil_shape(n, h, w, kh, kw, k, s, pad)
        hints = [("ceil_output_size", ceil)] if ceil and ceil != expected.shape else []
        # one map per input channel: an extra axis of size C next to K
        hints += [("channels_not_summed", expected.shape + (c,)),
                  ("channels_not_summed", expected.shape[:3] + (c, k))]
        cases.append(_Case(args, expected, _describe_with_values(list(zip(names, args))),
                           _conv_mistakes(x, f, s, pad, b, activation),
                           hidden=index >= len(_CONV_VISIBLE), shape_hints=hints))
    return _run_cases(_name(fn, "conv2d"), fn, cases, timeout, names)


def _corr2d(img, k):
    oh, ow = img.shape[0] - k.shape[0] + 1, img.shape[1] - k.shape[1] + 1
    return conv2d(img[np.newaxis, :, :, np.newaxis], k[:, :, np.newaxis, np.newaxis], 1,
                  "VALID")[0, :, :, 0].reshape(oh, ow)


def check_conv2d_single(fn, timeout=DEFAULT_TIMEOUT):
    """Checks a 2-D, one-channel convolution ``fn(img, k)`` (stride 1, no padding).

    Args:
        fn: the student's function: `img` of shape (H, W) and `k` of shape (KH, KW) in, the
            (H - KH + 1, W - KW + 1) cross-correlation out.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> def mine(img, k):
        ...     return conv2d(img[None, :, :, None], k[:, :, None, None], 1, "VALID")[0, :, :, 0]
        >>> check_conv2d_single(mine).ok
        True
    """
    rng = np.random.default_rng(_SEED + 1)
    shapes = [((4, 4), (2, 2)), ((5, 6), (3, 2)), ((6, 5), (2, 3)), ((3, 3), (3, 3)),
              ((7, 7), (3, 3)), ((8, 5), (4, 1)), ((5, 8), (1, 4)), ((6, 6), (4, 4)),
              ((9, 7), (2, 5)), ((4, 9), (3, 3))]
    cases = []
    for index, (ishape, kshape) in enumerate(shapes):
        if index == 2:
            rng = _hidden_rng(rng, 2)
        if index == 0:
            img = np.arange(1, 17, dtype=np.float64).reshape(4, 4)
            k = np.array([[1.0, 2.0], [3.0, 4.0]])
        else:
            img = rng.integers(-3, 4, size=ishape).astype(np.float64)
            k = rng.integers(-2, 3, size=kshape).astype(np.float64)
            k[0, 0] += 3
        expected = _corr2d(img, k)
        mistakes = [("flipped_kernel", _corr2d(img, k[::-1, ::-1]))]
        hints = [("missing_plus_one", (ishape[0] - kshape[0], ishape[1] - kshape[1]))]
        cases.append(_Case((img, k), expected, _describe_with_values([("img", img), ("k", k)]),
                           mistakes, hidden=index >= 2, shape_hints=hints))
    return _run_cases(_name(fn, "conv2d_single"), fn, cases, timeout, ["img", "k"])


# ---------------------------------------------------------------------------------------------
# Sizes, padding, parameter counts
# ---------------------------------------------------------------------------------------------

_SIZE_CASES = [(5, 3, 1, 0), (32, 5, 1, 2), (7, 3, 2, 0), (8, 3, 3, 1), (28, 5, 2, 0), (6, 2, 2, 0),
               (10, 4, 3, 1), (227, 11, 4, 0), (13, 3, 1, 1), (5, 5, 1, 0), (9, 3, 4, 2), (28, 3, 2, 1)]


def output_size_mistakes(input_size, kernel_size, stride=1, padding=0):
    """What the known output-size mistakes give: a list of (diagnosis, value) for `check_answer`.

    Args:
        input_size, kernel_size, stride, padding: W, F, S and P (P pixels on every side).

    Returns:
        List of (diagnosis key, wrong value).

    Example:
        >>> output_size_mistakes(8, 3, 3, 1)[0]
        ('ceil_output_size', 4)
    """
    w, f, s, p = input_size, kernel_size, stride, padding
    return [("ceil_output_size", -(-(w - f + 2 * p) // s) + 1),
            ("missing_plus_one", (w - f + 2 * p) // s),
            ("padding_not_doubled", (w - f + p) // s + 1),
            ("padding_ignored", (w - f) // s + 1),
            ("float_output_size", (w - f + 2 * p) / s + 1)]


def check_conv_output_size(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(input_size, kernel_size, stride, padding)``: floor((W - F + 2P) / S) + 1.

    Args:
        fn: the student's function; `padding` is an int P, added on every side.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> check_conv_output_size(lambda w, f, s, p: (w - f + 2 * p) // s + 1).ok
        True
        >>> check_conv_output_size(lambda w, f, s, p: -(-(w - f + 2 * p) // s) + 1).diagnosis
        'ceil_output_size'
    """
    cases = []
    for index, (w, f, s, p) in enumerate(_SIZE_CASES):
        expected = (w - f + 2 * p) // s + 1
        mistakes = [(d, v) for d, v in output_size_mistakes(w, f, s, p) if d != "float_output_size"]
        cases.append(_Case((w, f, s, p), expected,
                           _describe([("input_size", w), ("kernel_size", f), ("stride", s), ("padding", p)]),
                           mistakes, hidden=index >= 3, kind="size"))
    return _run_cases(_name(fn, "output_size"), fn, cases, timeout,
                      ["input_size", "kernel_size", "stride", "padding"])


_PAD_CASES = [(3, 2, 1), (7, 4, 2), (5, 3, 1), (28, 3, 2), (7, 3, 2), (28, 4, 3), (4, 3, 2), (6, 1, 1),
              (5, 2, 3), (9, 5, 2), (10, 6, 4), (5, 4, 3), (11, 4, 2), (8, 1, 3), (6, 2, 1)]


def check_padding_amounts(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(input_size, kernel_size, stride)`` -> (before, after): TensorFlow's SAME padding.

    Args:
        fn: the student's function.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> check_padding_amounts(same_padding).ok
        True
        >>> check_padding_amounts(lambda n, k, s: same_padding(n, k, s)[::-1]).diagnosis
        'symmetric_same'
    """
    cases = []
    for index, (n, k, s) in enumerate(_PAD_CASES):
        before, after = same_padding(n, k, s)
        total = before + after
        raw = (-(-n // s) - 1) * s + k - n
        mistakes = [("symmetric_same", v) for v in
                    [(after, before), (total // 2, total // 2), (total - total // 2,) * 2,
                     ((k - 1) // 2,) * 2, (k // 2,) * 2]]
        mistakes.append(("same_ignores_stride", ((k - 1) // 2, k - 1 - (k - 1) // 2)))
        if raw < 0:
            mistakes.append(("negative_padding", (raw // 2, raw - raw // 2)))
        cases.append(_Case((n, k, s), (before, after),
                           _describe([("input_size", n), ("kernel_size", k), ("stride", s)]),
                           mistakes, hidden=index >= 3, kind="pair"))
    return _run_cases(_name(fn, "same_padding"), fn, cases, timeout,
                      ["input_size", "kernel_size", "stride"])


def param_count_mistakes(kernel_size, in_channels, filters, use_bias=True):
    """What the known parameter-count mistakes give: a list of (diagnosis, value) for `check_answer`.

    Args:
        kernel_size: F (an F x F filter); in_channels: D; filters: K; use_bias: as in Keras.

    Returns:
        List of (diagnosis key, wrong value).

    Example:
        >>> param_count_mistakes(3, 32, 64)[0]
        ('bias_missing', 18432)
    """
    f, d, k = kernel_size, in_channels, filters
    b = k if use_bias else 0
    mistakes = [("bias_missing", k * f * f * d)] if use_bias else [("bias_wrong", k * f * f * d + k)]
    mistakes += [("bias_wrong", k * f * f * d + 1) if use_bias else ("bias_wrong", k * f * f * d + 1),
                 ("in_channels_ignored", k * f * f + b),
                 ("kernel_not_squared", k * f * d + b)]
    return mistakes


_PARAM_CASES = [(5, 3, 3, True), (3, 32, 64, True), (3, 32, 64, False), (11, 3, 96, True),
                (1, 16, 8, True), (5, 96, 256, True), (3, 1, 32, True), (2, 4, 6, False),
                (7, 3, 64, True), (3, 384, 384, True)]


def check_conv_param_count(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(kernel_size, in_channels, filters, use_bias)``: K * F^2 * D (+ K with biases).

    Args:
        fn: the student's function (called with four positional arguments).
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> check_conv_param_count(conv_param_count).ok
        True
        >>> check_conv_param_count(lambda f, d, k, use_bias=True: k * f * f * d).diagnosis
        'bias_missing'
    """
    cases = []
    for index, (f, d, k, use_bias) in enumerate(_PARAM_CASES):
        cases.append(_Case((f, d, k, use_bias), conv_param_count(f, d, k, use_bias),
                           _describe([("kernel_size", f), ("in_channels", d), ("filters", k),
                                      ("use_bias", use_bias)]),
                           param_count_mistakes(f, d, k, use_bias), hidden=index >= 3, kind="int"))
    return _run_cases(_name(fn, "param_count"), fn, cases, timeout,
                      ["kernel_size", "in_channels", "filters", "use_bias"])


# ---------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------

# (N, H, W, C, ksize, stride, padding, sign): sign -1 makes every value negative.
_POOL_VISIBLE = [(1, 4, 4, 1, 2, 2, "VALID", 0), (1, 4, 4, 1, 3, 2, "SAME", 0),
                 (2, 5, 5, 2, 2, 2, "SAME", 0)]
_POOL_HIDDEN = [(1, 6, 6, 1, 2, 2, "VALID", 0), (1, 7, 7, 3, 3, 2, "SAME", -1),
                (2, 5, 6, 2, 3, 3, "VALID", 0), (1, 6, 5, 1, 2, 1, "SAME", -1),
                (1, 8, 8, 2, 3, 2, "SAME", 0), (1, 5, 5, 1, 4, 2, "SAME", -1),
                (3, 4, 6, 2, 2, 1, "VALID", 0), (2, 7, 5, 1, 2, 3, "SAME", -1),
                (1, 9, 9, 1, 3, 3, "VALID", 0), (1, 6, 7, 2, 3, 3, "SAME", 0)]


def _pool_ref(x, k, s, pads, kind, fill=None, count_padding=False):
    """Pooling with explicit pads ((top, bottom), (left, right)), for the mistakes' results."""
    (pt, pb), (pl, pr) = pads
    n, h, w, c = x.shape
    try:
        oh, ow = conv_output_size(h, k, s, (pt, pb)), conv_output_size(w, k, s, (pl, pr))
    except ValueError:  # the window does not fit even once
        return None
    if fill is None:
        fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=fill)
    real = np.pad(np.ones((h, w)), ((pt, pb), (pl, pr)))
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            window = xp[:, i * s:i * s + k, j * s:j * s + k, :]
            if kind == "max":
                out[:, i, j, :] = window.max(axis=(1, 2))
            else:
                count = k * k if count_padding else real[i * s:i * s + k, j * s:j * s + k].sum()
                out[:, i, j, :] = window.sum(axis=(1, 2)) / count
    return out


def _pool_cases(kind, seed):
    rng = np.random.default_rng(seed)
    ref = max_pool2d if kind == "max" else avg_pool2d
    cases = []
    for index, (n, h, w, c, k, s, padding, sign) in enumerate(_POOL_VISIBLE + _POOL_HIDDEN):
        if index == len(_POOL_VISIBLE):
            rng = _hidden_rng(rng, seed)
        if index == 0:
            x = np.arange(1, 17, dtype=np.float64).reshape(1, 4, 4, 1)
        elif index == 1:  # the book's example (6장)
            x = np.array([[2, 0, 1, 3], [4, 2, 0, 1], [1, 3, 5, 2], [0, 2, 4, 6]],
                         dtype=np.float64).reshape(1, 4, 4, 1)
        else:
            x = rng.integers(-5, 6, size=(n, h, w, c)).astype(np.float64)
            if sign < 0:
                x = -np.abs(x) - 1
        expected = ref(x, k, s, padding)
        pads = (padding_amounts(h, k, s, padding), padding_amounts(w, k, s, padding))
        mistakes = []
        if padding == "SAME":
            for ph in _pad_variants(h, k, s) | {pads[0]}:
                for pw in _pad_variants(w, k, s) | {pads[1]}:
                    if (ph, pw) != pads:
                        mistakes.append(("symmetric_same", _pool_ref(x, k, s, (ph, pw), kind)))
            if kind == "max":
                mistakes.append(("max_pool_zero_padding", _pool_ref(x, k, s, pads, kind, fill=0.0)))
            else:
                mistakes.append(("avg_counts_padding", _pool_ref(x, k, s, pads, kind, count_padding=True)))
        hints = [("ceil_output_size", (n, _ceil_size(h, k, s), _ceil_size(w, k, s), c))] \
            if padding == "VALID" else []
        cases.append(_Case((x, k, s, padding), expected,
                           _describe_with_values([("input", x), ("ksize", k), ("strides", s),
                                                  ("padding", padding)]),
                           mistakes, hidden=index >= len(_POOL_VISIBLE), shape_hints=hints))
    return cases


def check_max_pool2d(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(input, ksize, strides, padding)`` against `cnn_utils.max_pool2d`.

    Args:
        fn: the student's function; `input` (N, H, W, C), `ksize` and `strides` ints, `padding`
            "VALID" or "SAME".
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> check_max_pool2d(max_pool2d).ok
        True
    """
    return _run_cases(_name(fn, "max_pool2d"), fn, _pool_cases("max", _SEED + 2), timeout,
                      ["input", "ksize", "strides", "padding"])


def check_avg_pool2d(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(input, ksize, strides, padding)`` against `cnn_utils.avg_pool2d`.

    With "SAME", a border window is averaged over its real pixels only, as in TensorFlow.

    Args:
        fn: the student's function.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> check_avg_pool2d(avg_pool2d).ok
        True
    """
    return _run_cases(_name(fn, "avg_pool2d"), fn, _pool_cases("avg", _SEED + 3), timeout,
                      ["input", "ksize", "strides", "padding"])


# ---------------------------------------------------------------------------------------------
# Softmax
# ---------------------------------------------------------------------------------------------

def _softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def check_softmax(fn, timeout=DEFAULT_TIMEOUT):
    """Checks a numerically stable softmax ``fn(z)`` of a 1-D array of scores.

    Args:
        fn: the student's function.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> check_softmax(lambda z: np.exp(z) / np.exp(z).sum()).diagnosis
        'softmax_overflow'
    """
    rng = _hidden_rng(np.random.default_rng(_SEED + 4), 4)   # only the hidden cases draw from it
    vectors = [np.array([2.0, 1.0, 0.1]), np.array([1000.0, 999.0, 998.1]), np.zeros(4),
               np.array([-1000.0, -1001.0]), np.array([3.0]), rng.normal(size=5) * 3,
               rng.normal(size=10) * 50 + 800, np.array([710.0, 0.0, -710.0])]
    cases = []
    for index, z in enumerate(vectors):
        with np.errstate(all="ignore"):
            naive = np.exp(z) / np.exp(z).sum()
            mistakes = [("softmax_not_normalized", np.exp(z - z.max())), ("softmax_not_normalized", np.exp(z))]
        if not np.all(np.isfinite(naive)):
            mistakes.append(("softmax_overflow", naive))
        cases.append(_Case((z,), _softmax(z), _describe_with_values([("z", z)]), mistakes,
                           hidden=index >= 2))
    result = _run_cases(_name(fn, "softmax"), fn, cases, timeout, ["z"])
    if result.diagnosis == "not_finite":  # NaN/inf from exp overflow is the known mistake
        result.diagnosis = "softmax_overflow"
        result.message = result.message.replace(DIAGNOSES["not_finite"], DIAGNOSES["softmax_overflow"])
    return result
