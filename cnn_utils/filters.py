"""Hand-made edge filters: the lecture's two 3x3 masks, Sobel for comparison, and a filter bank.

Used in chapters 2, 3 and 4.

Every kernel here is a 2-D float32 array of shape (3, 3), read-only so that no chapter can change
it by accident (copy it first: ``VERTICAL_EDGE_MASK.copy()``). `conv2d` and `tf.nn.conv2d` want
filters of shape (KH, KW, C, K); `stack_kernels` turns a list of 2-D kernels into that shape.

All four kernels are meant for cross-correlation, as `conv2d` and `tf.nn.conv2d` compute it (the
kernel is not flipped), and all share one sign convention: the response is positive where the
image gets brighter to the right (x kernels) or downwards (y kernels).
"""

import numpy as np

from ._validation import as_numeric_array


def _constant(rows):
    array = np.array(rows, dtype=np.float32)
    array.setflags(write=False)  # shared by every chapter: nobody may edit it in place
    return array


# The lecture's mask (a), "수직 에지 검출 마스크": out[i, j] = x[i, j] - x[i, j - 1], the difference
# of a pixel and its left neighbour. It changes along a row, so it fires on vertical edges.
VERTICAL_EDGE_MASK = _constant([[0, 0, 0],
                                [-1, 1, 0],
                                [0, 0, 0]])

# The lecture's mask (b), "수평 에지 검출 마스크": out[i, j] = x[i, j] - x[i - 1, j], the difference
# of a pixel and the one above it. It changes down a column, so it fires on horizontal edges.
HORIZONTAL_EDGE_MASK = _constant([[0, -1, 0],
                                  [0, 1, 0],
                                  [0, 0, 0]])

# Sobel: right column minus left column (a central difference across the edge), each weighted
# 1:2:1 down the rows, which averages three rows along the edge and so suppresses pixel noise.
SOBEL_X = _constant([[-1, 0, 1],
                     [-2, 0, 2],
                     [-1, 0, 1]])

# Sobel for horizontal edges: bottom row minus top row, weighted 1:2:1 along the columns.
SOBEL_Y = _constant([[-1, -2, -1],
                     [0, 0, 0],
                     [1, 2, 1]])


def stack_kernels(kernels, dtype=np.float32):
    """Stacks K 2-D kernels into one filter bank of shape (KH, KW, 1, K) for a grey image.

    Kernel k becomes ``bank[:, :, 0, k]``, so ``conv2d(image, bank, ...)[..., k]`` is the feature
    map of kernel k. The result is a new array; the kernels are not modified.

    Args:
        kernels: a list (or tuple) of K >= 1 arrays, all 2-D and of the same shape (KH, KW); or an
            array of shape (K, KH, KW).
        dtype: dtype of the bank (default float32, the dtype `tf.nn.conv2d` expects for float32
            images).

    Returns:
        Array of shape (KH, KW, 1, K).

    Raises:
        ValueError: no kernels, a kernel that is not 2-D, or kernels of different shapes.
        TypeError: a kernel that does not hold real numbers.

    Example:
        >>> bank = stack_kernels([VERTICAL_EDGE_MASK, HORIZONTAL_EDGE_MASK])
        >>> bank.shape, bank.dtype
        ((3, 3, 1, 2), dtype('float32'))
        >>> bank[1, :, 0, 0]
        array([-1.,  1.,  0.], dtype=float32)
    """
    if isinstance(kernels, np.ndarray) and kernels.ndim == 2:
        raise ValueError(
            f"stack_kernels expects a list of 2-D kernels; received one 2-D array of shape "
            f"{kernels.shape}. Wrap it in a list: stack_kernels([kernel])."
        )
    arrays = [as_numeric_array(kernel, f"kernels[{k}]", "stack_kernels")
              for k, kernel in enumerate(kernels)]
    if not arrays:
        raise ValueError(
            "stack_kernels expects at least one kernel; received an empty sequence. "
            "Pass e.g. [VERTICAL_EDGE_MASK, HORIZONTAL_EDGE_MASK]."
        )
    for k, array in enumerate(arrays):
        if array.ndim != 2:
            raise ValueError(
                f"stack_kernels expects every kernel to be 2-D (KH, KW); received kernels[{k}] of "
                f"shape {array.shape}. Take one 2-D slice, e.g. filters[:, :, 0, 0], or squeeze it."
            )
    if len({array.shape for array in arrays}) > 1:
        raise ValueError(
            f"stack_kernels expects kernels of one shape (KH, KW); received shapes "
            f"{[array.shape for array in arrays]}. Pad the smaller ones with zeros to one common shape."
        )
    # (K, KH, KW) -> (KH, KW, K) -> (KH, KW, 1, K): one input channel, K filters
    return np.stack(arrays, axis=-1)[:, :, np.newaxis, :].astype(dtype)
