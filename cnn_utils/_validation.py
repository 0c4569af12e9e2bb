"""Argument checking shared by every op.

Every check raises `TypeError` or `ValueError` with a message in three parts, as Keras does: what was
received, what was expected, and how to fix it. The ops call these before they touch any data.
"""

import numbers

import numpy as np


def as_numeric_array(x, name, op):
    """Returns `x` as a numpy array of a real numeric dtype, without copying or modifying it."""
    array = np.asarray(x)
    if array.dtype == bool or not (
        np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
    ):
        raise TypeError(
            f"{op} expects `{name}` to hold real numbers (an integer or float dtype); received "
            f"dtype {array.dtype}. Convert it first, e.g. np.asarray({name}, dtype=np.float32)."
        )
    return array


def check_rank4(array, name, op, layout, fix):
    """Raises if `array` is not 4-D; `layout` names the axes, `fix` says how to get there."""
    if array.ndim != 4:
        raise ValueError(
            f"{op} expects `{name}` of rank 4 {layout}; received shape {array.shape} "
            f"(rank {array.ndim}). {fix}"
        )


def spatial_pair(value, name, op, tf_name):
    """Reads an int or a sequence of 1, 2 or 4 ints, as `tf.nn` takes strides and ksize.

    Returns the (height, width) pair. A 4-element sequence must be [1, h, w, 1] (NHWC).
    """
    if isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool):
        values = [int(value)]
    elif isinstance(value, (list, tuple, np.ndarray)):
        values = list(np.asarray(value).ravel()) if isinstance(value, np.ndarray) else list(value)
        if not all(isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, bool)
                   for v in values):
            raise TypeError(
                f"{op} expects `{name}` to contain integers; received {value!r}. "
                f"Pass whole numbers, e.g. {name}=2 or {name}=[1, 2, 2, 1]."
            )
        values = [int(v) for v in values]
    else:
        raise TypeError(
            f"{op} expects `{name}` to be an int or a list of 1, 2 or 4 ints as {tf_name} takes "
            f"it; received {value!r} of type {type(value).__name__}. "
            f"Use e.g. {name}=2 or {name}=[1, 2, 2, 1]."
        )
    if len(values) == 1:
        pair = (values[0], values[0])
    elif len(values) == 2:
        pair = (values[0], values[1])
    elif len(values) == 4:
        if values[0] != 1 or values[3] != 1:
            raise ValueError(
                # Korean: chapter 4 prints this message to the reader.
                f"{op}: 네 값으로 준 `{name}`는 [1, {name}_h, {name}_w, 1]이어야 합니다(NHWC에서 "
                f"이미지 수와 채널 축의 값은 1). 받은 값: {values}. "
                f"[1, {values[1]}, {values[2]}, 1]로 쓰거나 [{values[1]}, {values[2]}]만 주세요."
            )
        pair = (values[1], values[2])
    else:
        raise ValueError(
            f"{op} expects `{name}` to have 1, 2 or 4 elements as {tf_name} takes it; received "
            f"{values} ({len(values)} elements). Use e.g. {name}=[2, 2] or {name}=[1, 2, 2, 1]."
        )
    if min(pair) < 1:
        raise ValueError(
            f"{op} expects every `{name}` entry to be a positive integer; received {value!r}. "
            f"Use 1 or more, e.g. {name}=1."
        )
    return pair


def padding_spec(padding, op, allow_explicit=True, refused_by=None):
    """Normalises 2-D `padding` to "VALID", "SAME" or ((top, bottom), (left, right)).

    The one padding dialect of the package, for everything that pads height and width:

        "VALID", "SAME"                                 as `tf.nn` takes them
        an int P                                        P pixels on every side (the lecture's P)
        [[0, 0], [top, bottom], [left, right], [0, 0]]  TensorFlow's explicit padding (NHWC)
        ((top, bottom), (left, right))                  the same, height and width only

    With `allow_explicit=False` (an op whose TensorFlow counterpart takes only strings, e.g.
    `tf.nn.avg_pool2d`, named by `refused_by`) only "VALID" and "SAME" are accepted.
    """
    if isinstance(padding, str):
        if padding in ("VALID", "SAME"):
            return padding
        hint = (f" tf.nn spells it in capitals: padding={padding.upper()!r}."
                if padding.upper() in ("VALID", "SAME") else "")
        raise ValueError(
            f"{op} expects `padding` to be \"VALID\" or \"SAME\""
            f"{' or explicit pairs' if allow_explicit else ''}; received {padding!r}.{hint}"
        )
    if not allow_explicit:
        tf_name = f", as {refused_by} takes it" if refused_by else ""
        raise TypeError(
            f"{op} expects `padding` to be the string \"VALID\" or \"SAME\"{tf_name}; received "
            f"{padding!r}. Explicit padding amounts are only supported by conv2d, max_pool2d and "
            f"min_pool2d; pad the input with np.pad first."
        )
    if isinstance(padding, (numbers.Integral, np.integer)) and not isinstance(padding, bool):
        if padding < 0:
            raise ValueError(f"{op} expects padding >= 0; received {padding}. Use 0 or more pixels.")
        return ((int(padding), int(padding)), (int(padding), int(padding)))
    try:
        pairs = np.asarray(padding)
    except ValueError:  # ragged nesting
        pairs = None
    example = "[[0, 0], [top, bottom], [left, right], [0, 0]]"
    if pairs is not None and pairs.shape == (2, 2) and np.issubdtype(pairs.dtype, np.integer):
        pairs = np.concatenate([[[0, 0]], pairs, [[0, 0]]])   # ((top, bottom), (left, right))
    if pairs is None or pairs.shape != (4, 2) or not np.issubdtype(pairs.dtype, np.integer):
        raise ValueError(
            f"{op} expects explicit `padding` as four integer pairs {example} (NHWC) or two "
            f"((top, bottom), (left, right)); received {padding!r}. Or use \"VALID\", \"SAME\" "
            f"or an int P (P pixels on every side)."
        )
    if pairs[0].any() or pairs[3].any():
        raise ValueError(
            f"{op} pads only height and width: the batch and channel pairs of explicit `padding` "
            f"must be [0, 0]; received {pairs.tolist()}. Use {example}."
        )
    if (pairs < 0).any():
        raise ValueError(
            f"{op} expects non-negative padding amounts; received {pairs.tolist()}. "
            f"Use 0 or more pixels on each side."
        )
    return ((int(pairs[1, 0]), int(pairs[1, 1])), (int(pairs[2, 0]), int(pairs[2, 1])))


def pool_padding_spec(op, tf_name, padding, k_hw, allow_explicit=True):
    """Pooling's `padding`, normalised: explicit amounts must be smaller than the window, as in TF."""
    spec = padding_spec(padding, op, allow_explicit=allow_explicit, refused_by=tf_name)
    if not isinstance(spec, str) and any(p >= k for pair, k in zip(spec, k_hw) for p in pair):
        raise ValueError(
            f"{op} expects every explicit padding amount to be smaller than the window, as "
            f"{tf_name} requires (a window of padding alone holds no value); received padding "
            f"{[list(pair) for pair in spec]} for a {k_hw[0]}x{k_hw[1]} window. Use at most "
            f"{k_hw[0] - 1} rows and {k_hw[1] - 1} columns on each side."
        )
    return spec


def positive_int(value, name, op, minimum=1):
    """Returns `value` as an int, raising unless it is a whole number >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(
            f"{op} expects `{name}` to be an integer; received {value!r} of type "
            f"{type(value).__name__}. Pass a whole number, e.g. {name}={max(minimum, 1)}."
        )
    if value < minimum:
        raise ValueError(
            f"{op} expects `{name}` >= {minimum}; received {value}. "
            f"Use a value of at least {minimum}."
        )
    return int(value)


def one_cycle_warmup(op, total_steps, warmup_fraction):
    """Validates a one-cycle schedule's arguments; returns its number of warm-up steps.

    `cnn_utils.nn.one_cycle` (numpy) and `cnn_utils.models.one_cycle_schedule` (Keras) share it,
    so the two schedules split their steps alike.
    """
    if isinstance(total_steps, bool) or not isinstance(total_steps, (int, np.integer)) or total_steps < 2:
        raise ValueError(f"{op} expects total_steps, an int >= 2; received {total_steps!r}. "
                         f"Give the number of mini-batches of the whole training: epochs * batches.")
    if not 0 < warmup_fraction < 1:
        raise ValueError(f"{op} expects 0 < warmup_fraction < 1; received {warmup_fraction!r}.")
    return max(1, int(total_steps * warmup_fraction))


def check_data_format(data_format, op):
    """Raises unless `data_format` is "NHWC", the only layout the numpy ops compute in."""
    if isinstance(data_format, str) and data_format == "NHWC":
        return
    raise ValueError(
        f"{op} supports only data_format=\"NHWC\" (input (N, H, W, C), channels last); received "
        f"data_format={data_format!r}. For channels-first (N, C, H, W) input, transpose it with "
        f"np.transpose(x, (0, 2, 3, 1)) and pass data_format=\"NHWC\" (np.transpose(out, "
        f"(0, 3, 1, 2)) turns the result back)."
    )
