"""Convolution and pooling in numpy, with the arguments and results of `tf.nn`.

Used in chapters 2 to 7, 9 and 11.

Layout is NHWC: inputs `(N, H, W, C)`, filters `(KH, KW, C, K)`, outputs `(N, OH, OW, K)`.
`conv2d_naive` is written to be read; `conv2d` is the fast version with the same contract.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validation import (as_numeric_array, check_data_format, check_rank4, padding_spec,
                          pool_padding_spec, spatial_pair)
from .shapes import conv_geometry

_ADD_AXES = ("Add a batch axis with image[np.newaxis, ...] and, for a grey image, a channel axis "
             "with image[..., np.newaxis].")

# conv2d copies the windows of about this many bytes at a time (see conv2d): small enough to stay in
# the CPU's caches (a core's L2 holds 0.5-2 MB, the shared L3 tens of MB).
_CHUNK_BYTES = 2 << 20


def _float_dtype(*arrays):
    """Common float dtype of the arrays: integers are computed in float64."""
    dtype = np.result_type(*arrays)
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


def _span(k, d):
    """How many input pixels a window of k taps, dilated by d, reaches across: (k - 1) * d + 1."""
    return (k - 1) * d + 1


def _prepare_input(op, input, k_hw, strides, padding, dtype=None, dilation_hw=(1, 1)):
    """Validates input, strides and padding; returns the zero-padded input, strides and (OH, OW)."""
    x = as_numeric_array(input, "input", op)
    check_rank4(x, "input", op, "(N, H, W, C)", _ADD_AXES)
    if 0 in x.shape[1:]:
        raise ValueError(f"{op} expects non-empty `input` (H, W, C >= 1); received shape {x.shape}.")
    stride_hw = spatial_pair(strides, "strides", op, "tf.nn.conv2d")
    pads, out_hw = conv_geometry(x.shape[1:3], k_hw, stride_hw, padding_spec(padding, op),
                                 dilation_hw, op=op)
    dtype = dtype or _float_dtype(x)
    # np.pad always returns a new array, so the caller's input is never written to.
    xp = np.pad(x.astype(dtype, copy=False), ((0, 0), pads[0], pads[1], (0, 0)))
    return xp, stride_hw, out_hw


def _prepare_conv(op, input, filters, strides, padding, data_format, dilations):
    """Validates conv2d's arguments; returns the padded input, the filters and the geometry
    (strides, dilations and the output size, each an (h, w) pair)."""
    check_data_format(data_format, op)
    dilation_hw = (1, 1) if dilations is None else spatial_pair(dilations, "dilations", op, "tf.nn.conv2d")
    x = as_numeric_array(input, "input", op)
    w = as_numeric_array(filters, "filters", op)
    check_rank4(x, "input", op, "(N, H, W, C)", _ADD_AXES)
    check_rank4(w, "filters", op, "(KH, KW, C, K)",
                "A single 2-D kernel becomes (KH, KW, 1, 1) with kernel[:, :, np.newaxis, np.newaxis].")
    if 0 in w.shape:
        raise ValueError(f"{op} expects non-empty `filters` (every axis >= 1); received shape {w.shape}.")
    if x.shape[3] != w.shape[2]:
        raise ValueError(
            f"{op} expects `filters` of shape (KH, KW, C, K) whose C matches the input's channels; "
            f"received input with {x.shape[3]} channel(s), shape {x.shape}, and filters with "
            f"{w.shape[2]} input channel(s), shape {w.shape}. Make filters.shape[2] == "
            f"input.shape[3] (filters are (KH, KW, C, K), not (K, KH, KW, C))."
        )
    dtype = _float_dtype(x, w)
    xp, stride_hw, out_hw = _prepare_input(op, x, w.shape[:2], strides, padding, dtype, dilation_hw)
    return xp, w.astype(dtype, copy=False), stride_hw, dilation_hw, out_hw


def _windows(xp, k_hw, stride_hw, out_hw, dilation_hw=(1, 1)):
    """Every window of the padded input as a strided view (N, OH, OW, C, KH, KW): nothing is copied.

    A window dilated by d takes every d-th pixel of a (KH - 1) * d + 1 wide patch.
    """
    (kh, kw), (dh, dw) = k_hw, dilation_hw
    view = sliding_window_view(xp, (_span(kh, dh), _span(kw, dw)), axis=(1, 2))[..., ::dh, ::dw]
    return view[:, ::stride_hw[0], ::stride_hw[1]][:, :out_hw[0], :out_hw[1]]


def _cols(xp, k_hw, stride_hw, out_hw, dilation_hw=(1, 1)):
    """The windows copied, once, into a (N*OH*OW, KH*KW*C) matrix: the only copy im2col makes."""
    n, c = xp.shape[0], xp.shape[3]
    windows = _windows(xp, k_hw, stride_hw, out_hw, dilation_hw).transpose(0, 1, 2, 4, 5, 3)  # (KH, KW, C) last
    return windows.reshape(n * out_hw[0] * out_hw[1], k_hw[0] * k_hw[1] * c)


def im2col(input, ksize, strides, padding):
    """Lays every window of the input out as one row of a matrix ("image to columns").

    Row ``n * OH * OW + i * OW + j`` holds the window of output pixel (n, i, j), flattened in the
    order (KH, KW, C), the order of ``filters.reshape(KH * KW * C, K)``; so a convolution becomes
    one matrix product: ``im2col(x, ...) @ filters.reshape(-1, K)``.

    Args:
        input: array of shape (N, H, W, C).
        ksize: int or pair (KH, KW), or a sequence of 4 ints [1, KH, KW, 1]: the window size.
        strides: int, or a sequence of 1, 2 or 4 ints.
        padding: "VALID", "SAME" or explicit [[0, 0], [top, bottom], [left, right], [0, 0]].

    Returns:
        Array of shape (N * OH * OW, KH * KW * C).

    Example:
        >>> im2col(np.arange(1., 10.).reshape(1, 3, 3, 1), 2, 1, "VALID")
        array([[1., 2., 4., 5.],
               [2., 3., 5., 6.],
               [4., 5., 7., 8.],
               [5., 6., 8., 9.]])
    """
    k_hw = spatial_pair(ksize, "ksize", "im2col", "tf.nn.max_pool2d")
    xp, stride_hw, out_hw = _prepare_input("im2col", input, k_hw, strides, padding)
    return _cols(xp, k_hw, stride_hw, out_hw)


def col2im(cols, input_shape, ksize, strides, padding):
    """The adjoint of `im2col`: adds every row of `cols` back onto the window it came from.

    Pixels covered by several windows receive the sum of their rows' entries, which is exactly the
    gradient of a convolution with respect to its input when `cols` holds the gradient of its
    im2col matrix. Padding is cropped away again.

    Args:
        cols: array of shape (N * OH * OW, KH * KW * C), laid out as `im2col` returns it.
        input_shape: the shape (N, H, W, C) that was given to `im2col`.
        ksize, strides, padding: as given to `im2col`.

    Returns:
        Array of shape `input_shape`.

    Example:
        >>> col2im(np.ones((4, 4)), (1, 3, 3, 1), 2, 1, "VALID")[0, :, :, 0]  # windows per pixel
        array([[1., 2., 1.],
               [2., 4., 2.],
               [1., 2., 1.]])
    """
    op = "col2im"
    if len(input_shape) != 4:
        raise ValueError(f"{op} expects `input_shape` (N, H, W, C); received {tuple(input_shape)}.")
    n, h, w, c = (int(v) for v in input_shape)
    (kh, kw), (sh, sw) = spatial_pair(ksize, "ksize", op, "im2col"), spatial_pair(strides, "strides", op, "im2col")
    pads, (oh, ow) = conv_geometry((h, w), (kh, kw), (sh, sw), padding_spec(padding, op), op=op)
    cols = np.asarray(cols)
    if cols.shape != (n * oh * ow, kh * kw * c):
        raise ValueError(
            f"{op} expects `cols` of shape (N*OH*OW, KH*KW*C) = {(n * oh * ow, kh * kw * c)} for "
            f"input_shape {tuple(input_shape)}; received {cols.shape}. Pass the same input_shape, "
            f"ksize, strides and padding that im2col was given."
        )
    d = cols.reshape(n, oh, ow, kh, kw, c)
    xp = np.zeros((n, h + sum(pads[0]), w + sum(pads[1]), c), dtype=_float_dtype(cols))
    for u in range(kh):          # one filter tap at a time: it touches a strided grid of pixels,
        for v in range(kw):      # so all N*OH*OW windows are added in one vectorised step
            xp[:, u:u + sh * (oh - 1) + 1:sh, v:v + sw * (ow - 1) + 1:sw, :] += d[:, :, :, u, v, :]
    return xp[:, pads[0][0]:pads[0][0] + h, pads[1][0]:pads[1][0] + w, :]


def conv2d_naive(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):
    """2-D cross-correlation with plain loops: the version to read.

    Same arguments, results and errors as `conv2d`; it slides each filter over the padded input
    one output pixel at a time, multiplying the window by the filter and summing over KH, KW and C.

    Args:
        input: array of shape (N, H, W, C).
        filters: array of shape (KH, KW, C, K).
        strides: int, or a sequence of 1, 2 or 4 ints as `tf.nn.conv2d` takes them.
        padding: "VALID", "SAME" or explicit [[0, 0], [top, bottom], [left, right], [0, 0]].
        data_format: "NHWC", the only layout supported.
        dilations: None (no dilation), or an int or a sequence of 1, 2 or 4 ints, like `strides`.
        name: accepted as `tf.nn.conv2d` takes it, and ignored.

    Returns:
        Array of shape (N, OH, OW, K).

    Example:
        >>> conv2d_naive(np.arange(1., 10.).reshape(1, 3, 3, 1), np.ones((2, 2, 1, 1)), 1, "VALID")[0, :, :, 0]
        array([[12., 16.],
               [24., 28.]])
    """
    xp, w, (sh, sw), (dh, dw), (oh, ow) = _prepare_conv("conv2d_naive", input, filters, strides,
                                                        padding, data_format, dilations)
    n = xp.shape[0]
    kh, kw, _, k = w.shape
    out = np.zeros((n, oh, ow, k), dtype=xp.dtype)
    for b in range(n):                      # every image
        for i in range(oh):                 # every output row
            for j in range(ow):             # every output column
                # (KH, KW, C): every dh-th row and dw-th column of the patch the window spans
                window = xp[b, i * sh:i * sh + _span(kh, dh):dh, j * sw:j * sw + _span(kw, dw):dw, :]
                for f in range(k):          # every filter
                    out[b, i, j, f] = np.sum(window * w[:, :, :, f])
    return out


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):
    """2-D cross-correlation, the operation TensorFlow calls convolution.

    Mirrors `tf.nn.conv2d` for NHWC input: the filter is not flipped, "SAME" puts the odd extra
    pixel of padding at the bottom/right, and the output size is
    ``floor((H + top + bottom - KH) / SH) + 1``. With dilation D the window takes every D-th
    pixel, so it spans ``(KH - 1) * D + 1`` rows, and that span takes KH's place in SAME's padding
    and in the output size. Strides and dilations can both be above 1, as on TensorFlow's CPU.

    Args:
        input: array of shape (N, H, W, C), integer or float.
        filters: array of shape (KH, KW, C, K).
        strides: int, or a sequence of 1, 2 or 4 ints as `tf.nn.conv2d` takes them
            (`2`, `[2, 2]` and `[1, 2, 2, 1]` are the same).
        padding: "VALID", "SAME" (TensorFlow's rule), or explicit
            [[0, 0], [top, bottom], [left, right], [0, 0]].
        data_format: "NHWC", the only layout supported (transpose NCHW input first).
        dilations: None (no dilation, the default), or an int or a sequence of 1, 2 or 4 ints,
            given like `strides`: how far apart the window's taps are.
        name: accepted because `tf.nn.conv2d` takes it, and ignored (numpy has no graph to name).

    Returns:
        Array of shape (N, OH, OW, K), in the common float dtype of `input` and `filters`
        (float64 for integer arrays); a new array, the inputs are never written to.

    Raises:
        ValueError: wrong rank, channel mismatch, bad strides, dilations, padding or data_format,
            or an empty output.
        TypeError: non-numeric arrays, or strides or dilations that are not integers.

    Example:
        >>> conv2d(np.arange(1., 10.).reshape(1, 3, 3, 1), np.ones((2, 2, 1, 1)), 1, "VALID")[0, :, :, 0]
        array([[12., 16.],
               [24., 28.]])
    """
    xp, w, stride_hw, dilation_hw, (oh, ow) = _prepare_conv("conv2d", input, filters, strides,
                                                            padding, data_format, dilations)
    n = xp.shape[0]
    kh, kw, c, k = w.shape
    w_cols = w.reshape(kh * kw * c, k)
    out = np.empty((n, oh, ow, k), dtype=xp.dtype)
    # Why it is fast: im2col copies every window into a matrix, and a BLAS matrix product computes
    # the sums in optimised, multi-threaded machine code. For a whole batch that matrix is large
    # (115 MB for 128 images of 28x28x32 and 3x3 filters): it is written out to main memory and
    # read back, and that traffic costs as much as the product. So it is built for a few images
    # at a time, about _CHUNK_BYTES: each piece is multiplied while it is still in the CPU's cache,
    # and the product is written straight into its rows of the output.
    step = max(1, _CHUNK_BYTES // (oh * ow * kh * kw * c * xp.itemsize))  # images per piece
    for b in range(0, n, step):
        cols = _cols(xp[b:b + step], (kh, kw), stride_hw, (oh, ow), dilation_hw)
        # out[b:b + step] is contiguous, so its reshape is a view: matmul writes into `out` itself.
        np.matmul(cols, w_cols, out=out[b:b + step].reshape(-1, k))
    return out


def _lowest(dtype):
    """The smallest finite value of `dtype`: what `tf.nn.max_pool2d` returns for a window with no number."""
    return np.finfo(dtype).min if np.issubdtype(dtype, np.floating) else np.iinfo(dtype).min


def _pool_geometry(op, tf_name, input, ksize, strides, padding, data_format, allow_explicit):
    """Validates a pooling op's arguments; returns the input, ksize, strides, pads and (OH, OW)."""
    check_data_format(data_format, op)
    x = as_numeric_array(input, "input", op)
    check_rank4(x, "input", op, "(N, H, W, C)", _ADD_AXES)
    if 0 in x.shape[1:]:
        raise ValueError(f"{op} expects non-empty `input` (H, W, C >= 1); received shape {x.shape}.")
    k_hw = spatial_pair(ksize, "ksize", op, tf_name)
    s_hw = spatial_pair(strides, "strides", op, tf_name)
    spec = pool_padding_spec(op, tf_name, padding, k_hw, allow_explicit)
    pads, out_hw = conv_geometry(x.shape[1:3], k_hw, s_hw, spec, op=op)
    return x, k_hw, s_hw, ((0, 0), pads[0], pads[1], (0, 0)), out_hw


def _max_pool(x, k_hw, s_hw, pad_width, out_hw):
    """TensorFlow's max pooling: NaN never wins, and a window without a number gives `_lowest`."""
    low = _lowest(x.dtype)
    # Padded cells hold the lowest value, so they never win; np.fmax skips NaN, as TF's kernel does.
    windows = _windows(np.pad(x, pad_width, constant_values=low), k_hw, s_hw, out_hw)
    return np.fmax(np.fmax.reduce(windows, axis=(4, 5)), low)   # -inf (or all NaN) -> lowest


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """Max pooling, mirroring `tf.nn.max_pool2d` for NHWC input.

    Each output pixel is the largest value in its KH x KW window, channel by channel. Padded
    border pixels ("SAME" or explicit padding) never count. As TensorFlow's CPU kernel (Eigen and
    oneDNN alike, TF 2.21): a NaN in a window is ignored, and a window holding nothing but -inf
    or NaN gives the dtype's lowest finite value, ``np.finfo(dtype).min``, not -inf.

    Args:
        input: array of shape (N, H, W, C).
        ksize: int, or a sequence of 1, 2 or 4 ints: the window size.
        strides: int, or a sequence of 1, 2 or 4 ints.
        padding: "VALID", "SAME", an int P, explicit [[0, 0], [top, bottom], [left, right], [0, 0]]
            or ((top, bottom), (left, right)); each explicit amount smaller than the window, as
            TensorFlow requires.
        data_format: "NHWC", the only layout (as TensorFlow's CPU kernel).
        name: ignored; accepted so that calls written for `tf.nn` run unchanged.

    Returns:
        Array of shape (N, OH, OW, C) with the input's dtype.

    Example:
        >>> max_pool2d(np.array([4., 3., 2., 1.]).reshape(1, 2, 2, 1), 2, 1, "SAME")[0, :, :, 0]
        array([[4., 3.],
               [2., 1.]])
    """
    geometry = _pool_geometry("max_pool2d", "tf.nn.max_pool2d", input, ksize, strides, padding,
                              data_format, allow_explicit=True)
    return _max_pool(*geometry)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """Average pooling, mirroring `tf.nn.avg_pool2d` for NHWC input.

    Each output pixel is the mean of its window, channel by channel. With "SAME", a border window
    is averaged over its real pixels only: the padded zeros are left out of the count. The sums
    follow IEEE arithmetic, as TensorFlow's: a NaN makes its windows NaN, an inf stays inf, and
    inf with -inf in one window gives NaN.

    Args:
        input: array of shape (N, H, W, C).
        ksize: int, or a sequence of 1, 2 or 4 ints: the window size.
        strides: int, or a sequence of 1, 2 or 4 ints.
        padding: "VALID" or "SAME" (`tf.nn.avg_pool2d` takes no explicit padding, nor does this).
        data_format: "NHWC", the only layout (as TensorFlow's CPU kernel).
        name: ignored; accepted so that calls written for `tf.nn` run unchanged.

    Returns:
        Array of shape (N, OH, OW, C), float (float64 for integer input).

    Example:
        >>> avg_pool2d(np.array([4., 3., 2., 1.]).reshape(1, 2, 2, 1), 2, 1, "SAME")[0, :, :, 0]
        array([[2.5, 2. ],
               [1.5, 1. ]])
    """
    x, k_hw, s_hw, pad_width, out_hw = _pool_geometry(
        "avg_pool2d", "tf.nn.avg_pool2d", input, ksize, strides, padding, data_format,
        allow_explicit=False)
    dtype = _float_dtype(x)
    total = _windows(np.pad(x.astype(dtype, copy=False), pad_width), k_hw, s_hw, out_hw)
    # SAME averages only the real pixels of a border window: padded zeros are not counted.
    ones = np.pad(np.ones((1,) + x.shape[1:3] + (1,), dtype=dtype), pad_width)
    count = _windows(ones, k_hw, s_hw, out_hw).sum(axis=(4, 5))
    with np.errstate(invalid="ignore"):   # inf - inf is NaN, as in TensorFlow, without a warning
        return total.sum(axis=(4, 5)) / count


def min_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """Min pooling: the smallest value of each window (TensorFlow has no op for it).

    Defined as ``-max_pool2d(-input, ...)``: padded pixels never count, a NaN is ignored, and a
    window of nothing but +inf or NaN gives ``np.finfo(dtype).max``. Integer input is pooled
    directly (negating the smallest integer would overflow), with the same result.

    Args:
        input: array of shape (N, H, W, C).
        ksize: int, or a sequence of 1, 2 or 4 ints: the window size.
        strides: int, or a sequence of 1, 2 or 4 ints.
        padding: as in `max_pool2d`.
        data_format: "NHWC", the only layout.
        name: ignored, as in `max_pool2d`.

    Returns:
        Array of shape (N, OH, OW, C) with the input's dtype.

    Example:
        >>> min_pool2d(np.array([4., 3., 2., 1.]).reshape(1, 2, 2, 1), 2, 2, "VALID")[0, :, :, 0]
        array([[1.]])
    """
    x, k_hw, s_hw, pad_width, out_hw = _pool_geometry(
        "min_pool2d", "min_pool2d", input, ksize, strides, padding, data_format, allow_explicit=True)
    if np.issubdtype(x.dtype, np.floating):
        return -_max_pool(-x, k_hw, s_hw, pad_width, out_hw)
    high = np.iinfo(x.dtype).max
    windows = _windows(np.pad(x, pad_width, constant_values=high), k_hw, s_hw, out_hw)
    return windows.min(axis=(4, 5))


def global_avg_pool2d(input, data_format="NHWC", keepdims=False):
    """Global average pooling: the mean of each feature map, mirroring Keras's `GlobalAveragePooling2D`.

    The window is the whole map, so an (N, H, W, C) input becomes (N, C): one number per channel,
    whatever H and W are. It has no parameters, and it can replace flattening before the classifier.
    It equals ``avg_pool2d(input, (H, W), 1, "VALID")`` without the two spatial axes, and
    ``tf.reduce_mean(input, axis=[1, 2])``.

    Args:
        input: array of shape (N, H, W, C), with H, W >= 1.
        data_format: "NHWC", the only layout.
        keepdims: as Keras's `keepdims`: True keeps the spatial axes, giving (N, 1, 1, C).

    Returns:
        Array of shape (N, C) (or (N, 1, 1, C)), float (float64 for integer input).

    Raises:
        ValueError: for input that is not 4-D or has an empty spatial axis; TypeError for a
            `keepdims` that is not a bool.

    Example:
        >>> global_avg_pool2d(np.arange(8.).reshape(1, 2, 2, 2))  # channel 0: 0, 2, 4, 6
        array([[3., 4.]])
        >>> global_avg_pool2d(np.arange(8.).reshape(1, 2, 2, 2), keepdims=True).shape
        (1, 1, 1, 2)
    """
    op = "global_avg_pool2d"
    check_data_format(data_format, op)
    if not isinstance(keepdims, (bool, np.bool_)):
        raise TypeError(f"{op} expects `keepdims` to be True or False; received {keepdims!r} "
                        f"({type(keepdims).__name__}).")
    x = as_numeric_array(input, "input", op)
    check_rank4(x, "input", op, "(N, H, W, C)", _ADD_AXES)
    if 0 in x.shape[1:3]:
        raise ValueError(f"{op} expects a non-empty feature map (H, W >= 1) to average; received "
                         f"shape {x.shape}. The mean of no pixels is undefined.")
    return x.astype(_float_dtype(x), copy=False).mean(axis=(1, 2), keepdims=bool(keepdims))


def combine_kernels(first, second):
    """The one kernel that does what two stacked convolutions do, when nothing is between them.

    ``conv2d(conv2d(x, first, 1, "VALID"), second, 1, "VALID")`` equals
    ``conv2d(x, combine_kernels(first, second), 1, "VALID")``: each output value of the second
    layer is a weighted sum of the first layer's values, which are weighted sums of the input, so
    it is one weighted sum of the input. The combined kernel is the full convolution of the two
    kernels, ``(F1 + F2 - 1)`` wide: two linear layers are one. A non-linear activation (ReLU)
    between them breaks this.

    Args:
        first: array of shape (F1H, F1W, C, M), the first layer's filters.
        second: array of shape (F2H, F2W, M, K), the second layer's filters.

    Returns:
        Array of shape (F1H + F2H - 1, F1W + F2W - 1, C, K).

    Raises:
        ValueError: if the kernels are not 4-D or the second does not take the first's M channels.

    Example:
        >>> a = np.ones((2, 2, 1, 1)); b = np.ones((2, 2, 1, 1))
        >>> combine_kernels(a, b)[:, :, 0, 0]
        array([[1., 2., 1.],
               [2., 4., 2.],
               [1., 2., 1.]])
    """
    op = "combine_kernels"
    k1 = as_numeric_array(first, "first", op)
    k2 = as_numeric_array(second, "second", op)
    for array, name in ((k1, "first"), (k2, "second")):
        check_rank4(array, name, op, "(KH, KW, C_in, C_out)",
                    "Give a single 2-D kernel the channel axes with kernel[:, :, np.newaxis, np.newaxis].")
    if k1.shape[3] != k2.shape[2]:
        raise ValueError(
            f"{op} expects the second kernel to take the first's {k1.shape[3]} output channels; "
            f"received first {k1.shape} and second {k2.shape}. Make second.shape[2] == "
            f"first.shape[3]."
        )
    (ah, aw, c, _), (bh, bw, _, k) = k1.shape, k2.shape
    combined = np.zeros((ah + bh - 1, aw + bw - 1, c, k), dtype=_float_dtype(k1, k2))
    for p in range(bh):
        for q in range(bw):
            # the second kernel's tap (p, q) reads the first layer's output shifted by (p, q)
            combined[p:p + ah, q:q + aw] += np.einsum("abcm,mk->abck", k1, k2[p, q])
    return combined
