"""The convolution variants of modern CNNs in numpy, with the arguments and results of `tf.nn`.

Used in chapter 11.

    depthwise_conv2d   `tf.nn.depthwise_conv2d`: every input channel convolved with its own
                       filters, the channels never summed; output channel ``c * M + m``
    separable_conv2d   `tf.nn.separable_conv2d`: the depthwise convolution, then a 1x1 convolution
    conv2d_transpose   `tf.nn.conv2d_transpose`: the gradient of `conv2d` with respect to its
                       input (chapter 9's dx), used to make a feature map larger
    dilate_filters     a dilated kernel written out with its zeros: ``conv2d(x, dilate_filters(w, d))``
                       is ``conv2d(x, w, dilations=d)``

Layout is NHWC, "SAME" is TensorFlow's (the odd pixel at the bottom/right), and the window
arithmetic is `ops`'s and `shapes`'s (`conv_geometry`).
"""

import numpy as np

from ._validation import (as_numeric_array, check_data_format, check_rank4, padding_spec,
                          spatial_pair)
from .ops import _ADD_AXES, _float_dtype, _prepare_input, col2im, conv2d
from .shapes import _axis_output, _axis_pads, conv_geometry


def _filters_array(filters, name, op, layout, fix):
    w = as_numeric_array(filters, name, op)
    check_rank4(w, name, op, layout, fix)
    if 0 in w.shape:
        raise ValueError(f"{op} expects non-empty `{name}` (every axis >= 1); received shape {w.shape}.")
    return w


def _depthwise_strides(strides, op, tf_name):
    """`strides` as `tf.nn.depthwise_conv2d` requires it, a sequence [1, SH, SW, 1]: the (SH, SW) pair."""
    if not isinstance(strides, (list, tuple, np.ndarray)) or len(strides) != 4:
        raise ValueError(
            f"{op} expects `strides` to be a list of 4 ints [1, stride_h, stride_w, 1], as {tf_name} "
            f"requires; received {strides!r}. For stride 2 write strides=[1, 2, 2, 1]."
        )
    return spatial_pair(strides, "strides", op, tf_name)


def _dilation_pair(dilations, op, tf_name):
    return (1, 1) if dilations is None else spatial_pair(dilations, "dilations", op, tf_name)


def _depthwise(op, tf_name, input, filter, strides, padding, data_format, dilations):
    """The depthwise convolution of `depthwise_conv2d` and `separable_conv2d`, validated."""
    check_data_format(data_format, op)
    x = as_numeric_array(input, "input", op)
    check_rank4(x, "input", op, "(N, H, W, C)", _ADD_AXES)
    w = _filters_array(filter, "filter", op, "(KH, KW, C, multiplier)",
                       "One (KH, KW) kernel per channel, (KH, KW, C), becomes (KH, KW, C, 1) with "
                       "filter[..., np.newaxis].")
    if x.shape[3] != w.shape[2]:
        raise ValueError(
            f"{op} expects `filter` of shape (KH, KW, C, multiplier) whose C matches the input's "
            f"channels: one set of filters per input channel; received input with {x.shape[3]} "
            f"channel(s), shape {x.shape}, and filter {w.shape}. Make filter.shape[2] == input.shape[3]."
        )
    stride_hw = _depthwise_strides(strides, op, tf_name)
    dilation_hw = _dilation_pair(dilations, op, tf_name)
    if max(stride_hw) > 1 and max(dilation_hw) > 1:
        raise ValueError(
            f"{op} takes strides above 1 or dilations above 1, not both, as {tf_name} requires (it "
            f"warns and computes something else); received strides {list(strides)} and dilations "
            f"{list(np.ravel(dilations))}. Use strides=[1, 1, 1, 1] with the dilations, then "
            f"subsample the output (out[:, ::2, ::2]), or drop the dilations."
        )
    kh, kw, c, m = w.shape
    xp, stride_hw, (oh, ow) = _prepare_input(op, x, (kh, kw), stride_hw, padding, _float_dtype(x, w),
                                             dilation_hw)
    w = w.astype(xp.dtype, copy=False)
    (sh, sw), (dh, dw) = stride_hw, dilation_hw
    # Channel c meets only its own filters w[:, :, c, :]: there is no sum over c, so no matrix
    # product for BLAS to do, and copying every window (im2col) would only cost memory. So, as
    # col2im does, one filter tap at a time: tap (u, v) reads a strided grid of the padded input,
    # the same pixel of every window, and multiplies all N*OH*OW*C of them at once (0.1 s instead
    # of 0.46 s for an einsum over the windows, 32 images of 32x32x64, on a loaded machine).
    out = np.zeros((x.shape[0], oh, ow, c, m), dtype=xp.dtype)
    for u in range(kh):
        for v in range(kw):
            grid = xp[:, u * dh:u * dh + sh * (oh - 1) + 1:sh, v * dw:v * dw + sw * (ow - 1) + 1:sw]
            out += grid[..., np.newaxis] * w[u, v]                      # (N, OH, OW, C, M)
    return out.reshape(x.shape[0], oh, ow, c * m)


def depthwise_conv2d(input, filter, strides, padding, data_format="NHWC", dilations=None, name=None):
    """Depthwise 2-D convolution, mirroring `tf.nn.depthwise_conv2d` for NHWC input.

    Each input channel c is convolved (cross-correlated, as `conv2d`) with its own `multiplier`
    filters ``filter[:, :, c, m]``, and the channels are not summed:
    ``out[n, i, j, c * multiplier + m] = sum_{u, v} x_padded[n, i*SH + u*DH, j*SW + v*DW, c] *
    filter[u, v, c, m]``. With C = 1 it is `conv2d`.

    Args:
        input: array of shape (N, H, W, C).
        filter: array of shape (KH, KW, C, multiplier).
        strides: a sequence of 4 ints [1, SH, SW, 1], as `tf.nn.depthwise_conv2d` requires
            (SH != SW is computed too; TensorFlow's CPU kernel without oneDNN refuses it).
        padding: "VALID", "SAME" (TensorFlow's rule) or explicit
            [[0, 0], [top, bottom], [left, right], [0, 0]].
        data_format: "NHWC", the only layout.
        dilations: None, or an int or a pair [DH, DW]; not together with strides above 1 (TF's rule).
        name: ignored, as in `conv2d`.

    Returns:
        Array of shape (N, OH, OW, C * multiplier), float (float64 for integer input).

    Raises:
        ValueError: wrong rank, channel mismatch, strides not 4 values, strides and dilations both
            above 1, bad padding, or an empty output; TypeError for non-numeric arrays.

    Example:
        >>> x = np.arange(18.).reshape(1, 3, 3, 2)   # channel 0: 0, 2, ..., 16; channel 1: 1, 3, ...
        >>> depthwise_conv2d(x, np.ones((2, 2, 2, 1)), [1, 1, 1, 1], "VALID")[0, :, :, 0]
        array([[16., 24.],
               [40., 48.]])
        >>> depthwise_conv2d(x, np.ones((3, 3, 2, 2)), [1, 1, 1, 1], "VALID").shape  # 2 * 2 maps
        (1, 1, 1, 4)
    """
    return _depthwise("depthwise_conv2d", "tf.nn.depthwise_conv2d", input, filter, strides, padding,
                      data_format, dilations)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, data_format="NHWC",
                     dilations=None, name=None):
    """Depthwise separable 2-D convolution, mirroring `tf.nn.separable_conv2d` for NHWC input.

    `depthwise_conv2d` with `depthwise_filter` (strides, padding and dilations apply here), then a
    1x1 convolution (`conv2d`, stride 1) with `pointwise_filter` that mixes the C * multiplier maps
    into K: ``F^2 * C * M + C * M * K`` weights instead of ``F^2 * C * K``.

    Args:
        input: array of shape (N, H, W, C).
        depthwise_filter: array of shape (KH, KW, C, multiplier).
        pointwise_filter: array of shape (1, 1, C * multiplier, K).
        strides, padding, data_format, dilations: as in `depthwise_conv2d`.
        name: ignored.

    Returns:
        Array of shape (N, OH, OW, K).

    Raises:
        ValueError: as `depthwise_conv2d`, and for a pointwise filter that is not 1x1 or does not
            take C * multiplier channels.

    Example:
        >>> x = np.arange(18.).reshape(1, 3, 3, 2)
        >>> separable_conv2d(x, np.ones((2, 2, 2, 1)), np.ones((1, 1, 2, 1)), [1, 1, 1, 1],
        ...                  "VALID")[0, :, :, 0]   # both channels' sums, added
        array([[ 36.,  52.],
               [ 84., 100.]])
    """
    op = "separable_conv2d"
    pw = _filters_array(pointwise_filter, "pointwise_filter", op, "(1, 1, C * multiplier, K)",
                        "A (C * multiplier, K) matrix becomes (1, 1, C * multiplier, K) with "
                        "pointwise_filter[np.newaxis, np.newaxis].")
    maps = np.prod(np.shape(depthwise_filter)[2:4]) if np.ndim(depthwise_filter) == 4 else None
    if pw.shape[:2] != (1, 1) or (maps is not None and pw.shape[2] != maps):
        raise ValueError(
            f"{op} expects `pointwise_filter` of shape (1, 1, C * multiplier, K) = (1, 1, {maps}, K) "
            f"for depthwise_filter {np.shape(depthwise_filter)}; received {pw.shape}. The pointwise "
            f"part is a 1x1 convolution over all C * multiplier maps of the depthwise part."
        )
    depthwise = _depthwise(op, "tf.nn.separable_conv2d", input, depthwise_filter, strides, padding,
                           data_format, dilations)
    return conv2d(depthwise, pw.astype(_float_dtype(depthwise, pw), copy=False), 1, "VALID")


def dilate_filters(filters, dilations):
    """A dilated kernel written out: D - 1 zeros between neighbouring taps, (F - 1) * D + 1 wide.

    ``conv2d(x, dilate_filters(w, d), s, p)`` equals ``conv2d(x, w, s, p, dilations=d)``: the zeros
    multiply the skipped pixels. The weights (and the parameter count) stay those of `filters`.

    Args:
        filters: array whose first two axes are (KH, KW), e.g. (KH, KW, C, K) or a 2-D kernel.
        dilations: int, or a pair (DH, DW).

    Returns:
        Array of shape ((KH - 1) * DH + 1, (KW - 1) * DW + 1, ...), the dtype of `filters`.

    Example:
        >>> dilate_filters(np.array([[1, 2], [3, 4]]), 2)
        array([[1, 0, 2],
               [0, 0, 0],
               [3, 0, 4]])
    """
    op = "dilate_filters"
    w = as_numeric_array(filters, "filters", op)
    if w.ndim < 2 or 0 in w.shape[:2]:
        raise ValueError(f"{op} expects `filters` whose first two axes are a non-empty (KH, KW); "
                         f"received shape {w.shape}. Pass e.g. a (KH, KW, C, K) array.")
    dh, dw = spatial_pair(dilations, "dilations", op, "tf.nn.conv2d")
    kh, kw = w.shape[:2]
    out = np.zeros(((kh - 1) * dh + 1, (kw - 1) * dw + 1) + w.shape[2:], dtype=w.dtype)
    out[::dh, ::dw] = w
    return out


def _output_shape(output_shape, op):
    values = list(np.ravel(output_shape)) if isinstance(output_shape, np.ndarray) else output_shape
    if not isinstance(values, (list, tuple)) or len(values) != 4 or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1 for v in values):
        raise ValueError(
            f"{op} expects `output_shape` to be 4 positive ints (N, OH, OW, C_out), as "
            f"tf.nn.conv2d_transpose takes it; received {output_shape!r}. Write e.g. "
            f"output_shape=(x.shape[0], 2 * x.shape[1], 2 * x.shape[2], filters.shape[2])."
        )
    return tuple(int(v) for v in values)


def _consistent_sizes(op, size, kernel, stride, pads, dilation):
    """Every output length the forward convolution (this kernel, stride, padding) maps to `size`."""
    found = []
    for length in range(1, (size + 1) * stride + (kernel - 1) * dilation + 2):
        try:
            forward = _axis_output(op, length, kernel, stride,
                                   _axis_pads(op, length, kernel, stride, pads, dilation), dilation)
        except ValueError:   # the window is larger than this output: it maps to nothing
            continue
        if forward == size:
            found.append(length)
    return found


def _check_output_geometry(op, x, w, shape, stride_hw, spec, dilation_hw):
    """Raises unless conv2d with these filters, strides, padding and dilations turns `shape`'s
    (OH, OW) into the input's (H, W), as `tf.nn.conv2d_transpose` demands."""
    try:
        forward = conv_geometry(shape[1:3], w.shape[:2], stride_hw, spec, dilation_hw, op=op).output
    except ValueError:
        forward = None
    if forward == x.shape[1:3]:
        return
    options = [_consistent_sizes(op, size, k, s, spec if isinstance(spec, str) else spec[axis], d)
               for axis, (size, k, s, d) in enumerate(zip(x.shape[1:3], w.shape[:2], stride_hw,
                                                          dilation_hw))]
    mapped = "leaves no output (the window is larger)" if forward is None else f"gives {forward}"
    if all(options):
        fix = (f"Heights {options[0]} and widths {options[1]} are consistent, e.g. output_shape="
               f"{(shape[0], options[0][0], options[1][0], shape[3])}.")
    else:
        fix = "No output size is: use less explicit padding."
    raise ValueError(
        f"{op}: `output_shape` {shape} does not fit the input: conv2d with these {w.shape[0]}x"
        f"{w.shape[1]} filters, strides {list(stride_hw)}, dilations {list(dilation_hw)} and padding "
        f"{spec!r} on a {shape[1]}x{shape[2]} map {mapped}, not the input's (H, W) = "
        f"{x.shape[1:3]}. The transposed convolution must be the gradient of that conv2d. {fix}"
    )


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NHWC",
                     dilations=None, name=None):
    """Transposed 2-D convolution, mirroring `tf.nn.conv2d_transpose` for NHWC input.

    It is the gradient of ``conv2d(y, filters, strides, padding, dilations=dilations)`` with respect
    to its input y of shape `output_shape`, evaluated at ``dy = input``: chapter 9's dx. Each input
    pixel multiplies the whole kernel and adds it onto the output window it came from
    (``out[n, i*S:i*S+KH, j*S:j*S+KW, :] += input[n, i, j, ci] * filters[:, :, :, ci]``, not
    flipped); overlapping windows add up. Computed as that gradient is: one matrix product gives
    every window's columns, and `col2im` adds them back (a dilated kernel with its zeros written
    out, `dilate_filters`). The padding is cropped from the result. It is the adjoint of `conv2d`:
    ``sum(conv2d(y, W) * x) == sum(y * conv2d_transpose(x, W, y.shape))``.

    Args:
        input: array of shape (N, H, W, C_in).
        filters: array of shape (KH, KW, C_out, C_in): as `conv2d`'s filters from C_out to C_in.
        output_shape: 4 ints (N, OH, OW, C_out). conv2d of an (OH, OW) map with these filters,
            strides, padding and dilations must give (H, W); with a stride S several sizes do (e.g.
            "SAME": any OH with ceil(OH / S) == H), which is why the shape is given.
        strides: int, or a sequence of 1, 2 or 4 ints, as `tf.nn.conv2d_transpose` takes them.
        padding: "VALID", "SAME" (TensorFlow's rule) or explicit
            [[0, 0], [top, bottom], [left, right], [0, 0]]: the forward convolution's padding.
        data_format: "NHWC", the only layout.
        dilations: None, or an int or a sequence of 1, 2 or 4 ints (TensorFlow 2.21's CPU kernel
            computes dilations above 1 only with oneDNN, in float32; this computes them always).
        name: ignored.

    Returns:
        Array of shape `output_shape`, float (float64 for integer input).

    Raises:
        ValueError: wrong rank, channel mismatch, or an `output_shape` the forward convolution does
            not map to the input's size (the message lists the sizes that it does); TypeError for
            non-numeric arrays.

    Example:
        >>> x = np.array([[1., 2.], [3., 4.]]).reshape(1, 2, 2, 1)
        >>> conv2d_transpose(x, np.ones((2, 2, 1, 1)), (1, 3, 3, 1), 1, "VALID")[0, :, :, 0]
        array([[ 1.,  3.,  2.],
               [ 4., 10.,  6.],
               [ 3.,  7.,  4.]])
        >>> conv2d_transpose(x, np.ones((2, 2, 1, 1)), (1, 4, 4, 1), 2, "VALID")[0, :, :, 0]
        array([[1., 1., 2., 2.],
               [1., 1., 2., 2.],
               [3., 3., 4., 4.],
               [3., 3., 4., 4.]])
    """
    op = "conv2d_transpose"
    check_data_format(data_format, op)
    x = as_numeric_array(input, "input", op)
    check_rank4(x, "input", op, "(N, H, W, C_in)", _ADD_AXES)
    w = _filters_array(filters, "filters", op, "(KH, KW, C_out, C_in)",
                       "A single 2-D kernel becomes (KH, KW, 1, 1) with kernel[:, :, np.newaxis, np.newaxis].")
    if 0 in x.shape[1:]:
        raise ValueError(f"{op} expects non-empty `input` (H, W, C >= 1); received shape {x.shape}.")
    if x.shape[3] != w.shape[3]:
        raise ValueError(
            f"{op} expects `filters` of shape (KH, KW, C_out, C_in) whose last axis matches the "
            f"input's {x.shape[3]} channel(s); received input {x.shape} and filters {w.shape}. The "
            f"filters are those of the forward conv2d from C_out to C_in: (KH, KW, C_out, C_in)."
        )
    shape = _output_shape(output_shape, op)
    if shape[0] != x.shape[0] or shape[3] != w.shape[2]:
        raise ValueError(
            f"{op} expects `output_shape` (N, OH, OW, C_out) with the input's N = {x.shape[0]} and the "
            f"filters' C_out = filters.shape[2] = {w.shape[2]}; received output_shape {shape}. Use "
            f"output_shape=({x.shape[0]}, OH, OW, {w.shape[2]})."
        )
    stride_hw = spatial_pair(strides, "strides", op, "tf.nn.conv2d_transpose")
    dilation_hw = _dilation_pair(dilations, op, "tf.nn.conv2d_transpose")
    spec = padding_spec(padding, op)
    _check_output_geometry(op, x, w, shape, stride_hw, spec, dilation_hw)
    dtype = _float_dtype(x, w)
    wd = dilate_filters(w, dilation_hw).astype(dtype, copy=False)     # (SPAN_H, SPAN_W, C_out, C_in)
    # the gradient of the im2col matrix: row (n, i, j) is input[n, i, j] @ filters^T
    cols = x.reshape(-1, x.shape[3]).astype(dtype, copy=False) @ wd.reshape(-1, x.shape[3]).T
    return col2im(cols, shape, wd.shape[:2], stride_hw, spec)
