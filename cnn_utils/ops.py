"""Convolution and pooling in numpy, with the arguments and results of `tf.nn`.

Layout is NHWC: inputs `(N, H, W, C)`, filters `(KH, KW, C, K)`, outputs `(N, OH, OW, K)`.
`conv2d_naive` is written to be read; `conv2d` is the fast version with the same contract.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validation import as_numeric_array, check_rank4, padding_spec, spatial_pair
from .shapes import same_padding

_ADD_AXES = ("Add a batch axis with image[np.newaxis, ...] and, for a grey image, a channel axis "
             "with image[..., np.newaxis].")


def _float_dtype(*arrays):
    """Common float dtype of the arrays: integers are computed in float64."""
    dtype = np.result_type(*arrays)
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


def _pads_and_output(op, in_hw, k_hw, strides, padding):
    """((top, bottom), (left, right)) and (OH, OW); raises if the output would be empty."""
    if padding == "VALID":
        pads = ((0, 0), (0, 0))
    elif padding == "SAME":
        pads = tuple(same_padding(n, k, s) for n, k, s in zip(in_hw, k_hw, strides))
    else:
        pads = padding
    out = []
    for axis, n, k, s, (before, after) in zip(("height", "width"), in_hw, k_hw, strides, pads):
        padded = n + before + after
        if padded < k:
            raise ValueError(
                f"{op}: the window is larger than the input along the {axis}: window {k}, input "
                f"{n} padded to {padded}, so the output would be empty. Use a smaller window, "
                f"padding=\"SAME\" or more explicit padding."
            )
        out.append((padded - k) // s + 1)  # floor((W - F + 2P) / S) + 1
    return pads, tuple(out)


def _prepare_conv(op, input, filters, strides, padding):
    """Validates conv2d's arguments; returns the padded input, the filters and the geometry."""
    x = as_numeric_array(input, "input", op)
    w = as_numeric_array(filters, "filters", op)
    check_rank4(x, "input", op, "(N, H, W, C)", _ADD_AXES)
    check_rank4(w, "filters", op, "(KH, KW, C, K)",
                "A single 2-D kernel becomes (KH, KW, 1, 1) with kernel[:, :, np.newaxis, np.newaxis].")
    if 0 in w.shape or 0 in x.shape[1:]:
        raise ValueError(
            f"{op} expects non-empty `input` (H, W, C >= 1) and `filters` (every axis >= 1); "
            f"received input shape {x.shape} and filters shape {w.shape}."
        )
    if x.shape[3] != w.shape[2]:
        raise ValueError(
            f"{op} expects `filters` of shape (KH, KW, C, K) whose C matches the input's channels; "
            f"received input with {x.shape[3]} channel(s), shape {x.shape}, and filters with "
            f"{w.shape[2]} input channel(s), shape {w.shape}. Make filters.shape[2] == "
            f"input.shape[3] (filters are (KH, KW, C, K), not (K, KH, KW, C))."
        )
    stride_hw = spatial_pair(strides, "strides", op, "tf.nn.conv2d")
    pads, out_hw = _pads_and_output(op, x.shape[1:3], w.shape[:2], stride_hw,
                                    padding_spec(padding, op, allow_explicit=True))
    dtype = _float_dtype(x, w)
    # np.pad always returns a new array, so the caller's input is never written to.
    xp = np.pad(x.astype(dtype, copy=False), ((0, 0), pads[0], pads[1], (0, 0)))
    return xp, w.astype(dtype, copy=False), stride_hw, out_hw


def conv2d_naive(input, filters, strides, padding):
    """2-D cross-correlation with plain loops: the version to read.

    Same arguments, results and errors as `conv2d`; it slides each filter over the padded input
    one output pixel at a time, multiplying the window by the filter and summing over KH, KW and C.

    Args:
        input: array of shape (N, H, W, C).
        filters: array of shape (KH, KW, C, K).
        strides: int, or a sequence of 1, 2 or 4 ints as `tf.nn.conv2d` takes them.
        padding: "VALID", "SAME" or explicit [[0, 0], [top, bottom], [left, right], [0, 0]].

    Returns:
        Array of shape (N, OH, OW, K).

    Example:
        >>> conv2d_naive(np.arange(1., 10.).reshape(1, 3, 3, 1), np.ones((2, 2, 1, 1)), 1, "VALID")[0, :, :, 0]
        array([[12., 16.],
               [24., 28.]])
    """
    xp, w, (sh, sw), (oh, ow) = _prepare_conv("conv2d_naive", input, filters, strides, padding)
    n = xp.shape[0]
    kh, kw, _, k = w.shape
    out = np.zeros((n, oh, ow, k), dtype=xp.dtype)
    for b in range(n):                      # every image
        for i in range(oh):                 # every output row
            for j in range(ow):             # every output column
                window = xp[b, i * sh:i * sh + kh, j * sw:j * sw + kw, :]  # (KH, KW, C)
                for f in range(k):          # every filter
                    out[b, i, j, f] = np.sum(window * w[:, :, :, f])
    return out


def conv2d(input, filters, strides, padding):
    """2-D cross-correlation, the operation TensorFlow calls convolution.

    Mirrors `tf.nn.conv2d` for NHWC input: the filter is not flipped, "SAME" puts the odd extra
    pixel of padding at the bottom/right, and the output size is
    ``floor((H + top + bottom - KH) / SH) + 1``.

    Args:
        input: array of shape (N, H, W, C), integer or float.
        filters: array of shape (KH, KW, C, K).
        strides: int, or a sequence of 1, 2 or 4 ints as `tf.nn.conv2d` takes them
            (`2`, `[2, 2]` and `[1, 2, 2, 1]` are the same).
        padding: "VALID", "SAME" (TensorFlow's rule), or explicit
            [[0, 0], [top, bottom], [left, right], [0, 0]].

    Returns:
        Array of shape (N, OH, OW, K), in the common float dtype of `input` and `filters`
        (float64 for integer arrays).

    Raises:
        ValueError: wrong rank, channel mismatch, bad strides or padding, or an empty output.
        TypeError: non-numeric arrays, or strides that are not integers.

    Example:
        >>> conv2d(np.arange(1., 10.).reshape(1, 3, 3, 1), np.ones((2, 2, 1, 1)), 1, "VALID")[0, :, :, 0]
        array([[12., 16.],
               [24., 28.]])
    """
    xp, w, (sh, sw), (oh, ow) = _prepare_conv("conv2d", input, filters, strides, padding)
    n = xp.shape[0]
    kh, kw, c, k = w.shape
    # im2col: a strided view puts every window side by side without copying; one reshape copies
    # them into a (N*OH*OW, KH*KW*C) matrix, and a single BLAS matrix product does all the sums.
    windows = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw][:, :oh, :ow]
    cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * oh * ow, kh * kw * c)
    return (cols @ w.reshape(kh * kw * c, k)).reshape(n, oh, ow, k)


def _pool(op, tf_name, input, ksize, strides, padding, kind):
    x = as_numeric_array(input, "input", op)
    check_rank4(x, "input", op, "(N, H, W, C)", _ADD_AXES)
    if 0 in x.shape[1:]:
        raise ValueError(f"{op} expects non-empty `input` (H, W, C >= 1); received shape {x.shape}.")
    k_hw = spatial_pair(ksize, "ksize", op, tf_name)
    s_hw = spatial_pair(strides, "strides", op, tf_name)
    pads, (oh, ow) = _pads_and_output(op, x.shape[1:3], k_hw, s_hw,
                                      padding_spec(padding, op, allow_explicit=False))
    pad_width = ((0, 0), pads[0], pads[1], (0, 0))

    def windows(a):  # (N, OH, OW, C, KH, KW), a strided view: nothing is copied
        return sliding_window_view(a, k_hw, axis=(1, 2))[:, ::s_hw[0], ::s_hw[1]][:, :oh, :ow]

    if kind == "avg":
        dtype = _float_dtype(x)
        total = windows(np.pad(x.astype(dtype, copy=False), pad_width)).sum(axis=(4, 5))
        # SAME averages only the real pixels of a border window: padded zeros are not counted.
        ones = np.pad(np.ones((1,) + x.shape[1:3] + (1,), dtype=dtype), pad_width)
        return total / windows(ones).sum(axis=(4, 5))
    # The padded border must never win: -inf for max, +inf for min (the dtype's extremes for ints).
    info = np.finfo(x.dtype) if np.issubdtype(x.dtype, np.floating) else np.iinfo(x.dtype)
    if kind == "max":
        fill = -np.inf if np.issubdtype(x.dtype, np.floating) else info.min
        return windows(np.pad(x, pad_width, constant_values=fill)).max(axis=(4, 5))
    fill = np.inf if np.issubdtype(x.dtype, np.floating) else info.max
    return windows(np.pad(x, pad_width, constant_values=fill)).min(axis=(4, 5))


def max_pool2d(input, ksize, strides, padding):
    """Max pooling, mirroring `tf.nn.max_pool2d` for NHWC input.

    Each output pixel is the largest value in its KH x KW window, channel by channel. With "SAME",
    padded border pixels never count (they act as -inf).

    Args:
        input: array of shape (N, H, W, C).
        ksize: int, or a sequence of 1, 2 or 4 ints: the window size.
        strides: int, or a sequence of 1, 2 or 4 ints.
        padding: "VALID" or "SAME".

    Returns:
        Array of shape (N, OH, OW, C) with the input's dtype.

    Example:
        >>> max_pool2d(np.array([4., 3., 2., 1.]).reshape(1, 2, 2, 1), 2, 1, "SAME")[0, :, :, 0]
        array([[4., 3.],
               [2., 1.]])
    """
    return _pool("max_pool2d", "tf.nn.max_pool2d", input, ksize, strides, padding, "max")


def avg_pool2d(input, ksize, strides, padding):
    """Average pooling, mirroring `tf.nn.avg_pool2d` for NHWC input.

    Each output pixel is the mean of its window, channel by channel. With "SAME", a border window
    is averaged over its real pixels only: the padded zeros are left out of the count.

    Args:
        input: array of shape (N, H, W, C).
        ksize: int, or a sequence of 1, 2 or 4 ints: the window size.
        strides: int, or a sequence of 1, 2 or 4 ints.
        padding: "VALID" or "SAME".

    Returns:
        Array of shape (N, OH, OW, C), float (float64 for integer input).

    Example:
        >>> avg_pool2d(np.array([4., 3., 2., 1.]).reshape(1, 2, 2, 1), 2, 1, "SAME")[0, :, :, 0]
        array([[2.5, 2. ],
               [1.5, 1. ]])
    """
    return _pool("avg_pool2d", "tf.nn.avg_pool2d", input, ksize, strides, padding, "avg")


def min_pool2d(input, ksize, strides, padding):
    """Min pooling: the smallest value of each window (TensorFlow has no op for it).

    Equal to ``-max_pool2d(-input, ...)`` for float input; padded pixels never count.

    Args:
        input: array of shape (N, H, W, C).
        ksize: int, or a sequence of 1, 2 or 4 ints: the window size.
        strides: int, or a sequence of 1, 2 or 4 ints.
        padding: "VALID" or "SAME".

    Returns:
        Array of shape (N, OH, OW, C) with the input's dtype.

    Example:
        >>> min_pool2d(np.array([4., 3., 2., 1.]).reshape(1, 2, 2, 1), 2, 2, "VALID")[0, :, :, 0]
        array([[1.]])
    """
    return _pool("min_pool2d", "min_pool2d", input, ksize, strides, padding, "min")
