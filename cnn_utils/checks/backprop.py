"""Checkers of chapter 9's backward passes: a naive-loop convolution backward and max-pool backward.

Used in chapter 9: `check_conv_backward` (``conv_backward(x, W, dy, stride, padding)`` returning
``(dx, dW, db)``) and `check_maxpool_backward` (``maxpool_backward(x, dy, pool_size, stride)``,
"VALID"). Both are graded against TensorFlow's automatic differentiation: the reference gradients
are those `tf.GradientTape` gives, in float64, for the objective ``sum(forward(x) * dy)``.

Each known mistake is detected by computing what it gives for the case and comparing: the kernel
not flipped for dx (dx as a correlation of dy with the unflipped kernel), gradients overwritten
(``=``) instead of added (``+=``) where windows overlap, the bias gradient not summed over positions
or over the batch, the stride or the padding ignored in dx; for max pooling, the gradient sent to
every tied maximum, split among them or sent to the last one (TensorFlow sends it to the first in
row-major window order), and the gradient given to the whole window (average-pool backward).

The diagnoses of these mistakes are added to `DIAGNOSES` here, beside the checkers that use them.
"""

import numpy as np

from ..shapes import conv_output_size, same_padding
from .engine import _SEED, _Case, _hidden_rng, _name, _run_cases
from .formatting import _describe_with_values
from .ops import _pad_variants, _safe
from .result import DIAGNOSES
from .sandbox import DEFAULT_TIMEOUT

DIAGNOSES.update({
    "dx_kernel_not_flipped": "dx를 뒤집지 않은 필터로 계산했습니다(또는 dx를 뒤집은 필터로 흩뿌렸습니다). "
                             "반복문에서는 출력 (i, j)의 기울기를 창의 자리에 필터 그대로 곱해 더합니다: "
                             "dx[창] += W[:, :, :, k] * dy[n, i, j, k]. 이것을 한 번의 연산으로 쓰면 dy를 "
                             "(k - 1)만큼 패딩한 'full' 합성곱이고, 그때는 필터를 위아래·좌우로 뒤집고 입력·출력 "
                             "채널을 바꿔야 합니다.",
    "bias_grad_not_summed": "편향의 기울기를 모든 위치에 걸쳐 더하지 않았습니다. 편향 b[k]는 필터 k의 출력값 "
                            "모두(모든 이미지, 모든 위치)에 더해지므로 db[k] = dy[..., k].sum(), 곧 "
                            "dy.sum(axis=(0, 1, 2))이고 모양은 (K,)입니다.",
    "grad_stride_ignored": "dx에서 스트라이드를 빠뜨렸습니다. 출력 (i, j)의 창은 입력의 (i * S, j * S)에서 "
                           "시작하므로, 그 기울기도 dx[n, i*S:i*S+KH, j*S:j*S+KW, :]에 더합니다.",
    "grad_padding_ignored": "dx에서 패딩을 빠뜨렸습니다. SAME이면 순전파처럼 입력을 패딩한 크기의 배열에 기울기를 "
                            "더한 뒤, 위·왼쪽 패딩(before)만큼 잘라 내야 합니다: dx = dx_pad[:, top:top+H, left:left+W].",
    "grad_padding_not_cropped": "패딩한 입력 크기의 기울기를 그대로 돌려주었습니다. 패딩 자리는 입력이 아니므로 "
                                "잘라 내고 입력 x와 같은 모양 (N, H, W, C)으로 돌려주세요.",
    "maxpool_grad_all_ties": "창에 최댓값이 여럿일 때 기울기를 그 모두에 보냈습니다. TensorFlow는 창을 행 우선"
                             "(row-major)으로 훑어 처음 만난 최댓값 한 자리에만 보냅니다: np.argmax(창)의 자리.",
    "maxpool_grad_split_ties": "창에 최댓값이 여럿일 때 기울기를 그 수로 나눠 모두에 주었습니다. TensorFlow는 나누지 "
                               "않고, 창을 행 우선(row-major)으로 훑어 처음 만난 최댓값 한 자리에 모두 보냅니다: "
                               "np.argmax(창)의 자리.",
    "maxpool_grad_last_tie": "창에 최댓값이 여럿일 때 마지막 최댓값에 기울기를 보냈습니다(>= 로 비교했나요?). "
                             "TensorFlow는 창을 행 우선(row-major)으로 훑어 처음 만난 최댓값에 보냅니다: np.argmax(창).",
    "maxpool_grad_average": "기울기를 창의 모든 칸에 똑같이 나눠 주었습니다. 이것은 평균 풀링의 역전파입니다. 최대 "
                            "풀링의 기울기는 최댓값이 있던 칸 하나로만 갑니다.",
})


# ---------------------------------------------------------------------------------------------
# The references: TensorFlow's automatic differentiation, float64
# ---------------------------------------------------------------------------------------------

def _tf_conv_grads(x, W, dy, stride, padding):
    """(dx, dW, db) of sum((conv2d(x, W) + b) * dy), from `tf.GradientTape`."""
    import tensorflow as tf

    tx, tW = tf.Variable(x, dtype=tf.float64), tf.Variable(W, dtype=tf.float64)
    tb = tf.Variable(np.ones(W.shape[3]), dtype=tf.float64)
    with tf.GradientTape() as tape:
        objective = tf.reduce_sum((tf.nn.conv2d(tx, tW, stride, padding) + tb) * dy)
    return tuple(g.numpy() for g in tape.gradient(objective, [tx, tW, tb]))


def _tf_maxpool_grad(x, dy, pool_size, stride):
    """dx of sum(max_pool2d(x) * dy), from `tf.GradientTape`."""
    import tensorflow as tf

    tx = tf.Variable(x, dtype=tf.float64)
    with tf.GradientTape() as tape:
        objective = tf.reduce_sum(tf.nn.max_pool2d(tx, pool_size, stride, "VALID") * dy)
    return tape.gradient(objective, tx).numpy()


# ---------------------------------------------------------------------------------------------
# Convolution backward: the naive loops, with switches for the mistakes
# ---------------------------------------------------------------------------------------------

def _conv_grads(x, W, dy, stride, pads, flip=False, overwrite=None, dx_stride=None, crop=True):
    """(dx, dW, db) by the naive loops over output positions, padded as `pads` ((top, bottom),
    (left, right)). The switches give the mistakes: `flip` scatters dx with the flipped kernel,
    `overwrite` ("window": ``=`` per window, "channel": ``=`` per window and output channel)
    replaces instead of adds, `dx_stride` places dx's windows with another stride, `crop=False`
    returns the padded dx."""
    (top, bottom), (left, right) = pads
    n, h, w, c = x.shape
    kh, kw, _, k = W.shape
    oh, ow = dy.shape[1:3]
    xp = np.pad(x, [(0, 0), (top, bottom), (left, right), (0, 0)])
    dxp, dW = np.zeros_like(xp), np.zeros_like(W)
    Wd = W[::-1, ::-1] if flip else W
    sd = stride if dx_stride is None else dx_stride
    for i in range(oh):
        for j in range(ow):
            g = dy[:, i, j, :]                                        # (N, K)
            window = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            dW += np.einsum("nuvc,nk->uvck", window, g)
            target = (slice(None), slice(i * sd, i * sd + kh), slice(j * sd, j * sd + kw))
            if overwrite == "window":
                dxp[target] = np.einsum("nk,uvck->nuvc", g, Wd)
            elif overwrite == "channel":
                dxp[target] = g[:, -1, None, None, None] * Wd[..., -1]
            else:
                dxp[target] += np.einsum("nk,uvck->nuvc", g, Wd)
    dx = dxp[:, top:top + h, left:left + w] if crop else dxp
    return dx, dW, dy.sum(axis=(0, 1, 2))


def _tf_pads(x, W, stride, padding):
    if padding == "VALID":
        return (0, 0), (0, 0)
    return same_padding(x.shape[1], W.shape[0], stride), same_padding(x.shape[2], W.shape[1], stride)


def _conv_backward_mistakes(x, W, dy, stride, padding):
    """(diagnosis, (dx, dW, db)) for each known mistake, None for the parts it leaves right."""
    pads = _tf_pads(x, W, stride, padding)
    n = x.shape[0]

    def dx_of(**switches):
        use = switches.pop("pads", pads)
        grads = _safe(lambda: _conv_grads(x, W, dy, stride, use, **switches))
        return None if grads is None else grads[0]

    mistakes = [("dx_kernel_not_flipped", (dx_of(flip=True), None, None)),
                ("grad_not_accumulated", (dx_of(overwrite="window"), None, None)),
                ("grad_not_accumulated", (dx_of(overwrite="channel"), None, None))]
    if stride > 1:
        mistakes.append(("grad_stride_ignored", (dx_of(dx_stride=1), None, None)))
    if padding == "SAME":
        (top, bottom), (left, right) = pads
        mistakes.append(("grad_padding_ignored", (dx_of(pads=((0, top + bottom), (0, left + right))),
                                                  None, None)))
        for ph in _pad_variants(x.shape[1], W.shape[0], stride) | {pads[0]}:
            for pw in _pad_variants(x.shape[2], W.shape[1], stride) | {pads[1]}:
                if (ph, pw) != pads and sum(ph) == sum(pads[0]) and sum(pw) == sum(pads[1]):
                    mistakes.append(("symmetric_same", (dx_of(pads=(ph, pw)), None, None)))
    last = np.pad(x, [(0, 0), pads[0], pads[1], (0, 0)])
    oh, ow = dy.shape[1:3]
    kh, kw = W.shape[:2]
    i, j = (oh - 1) * stride, (ow - 1) * stride
    dW_last = np.einsum("nuvc,nk->uvck", last[:, i:i + kh, j:j + kw], dy[:, -1, -1])
    mistakes.append(("grad_not_accumulated", (None, dW_last, None)))
    first = _conv_grads(x[:1], W, dy[:1], stride, pads)
    mistakes += [("grad_not_summed_over_batch", (None, first[1], first[2])),
                 ("grad_not_summed_over_batch", (None, _conv_grads(x, W, dy, stride, pads)[1] / n,
                                                 dy.sum(axis=(0, 1, 2)) / n)),
                 ("bias_grad_not_summed", (None, None, dy[-1, -1, -1])),
                 ("bias_grad_not_summed", (None, None, dy[0, 0, 0])),
                 ("bias_grad_not_summed", (None, None, dy.mean(axis=(0, 1, 2)))),
                 ("bias_grad_not_summed", (None, None, dy.sum(axis=(1, 2))[-1]))]
    if n > 1:
        mistakes.append(("grad_not_summed_over_batch", (None, None, dy[0].sum(axis=(0, 1)))))
    return mistakes


# (N, H, W, C, KH, KW, K, stride, padding): each hidden case is there to expose a mistake.
_CONV_BACKWARD_VISIBLE = [
    (1, 4, 4, 1, 2, 2, 1, 1, "VALID"),    # by hand; windows overlap (stride 1 < kernel 2)
    (1, 5, 5, 1, 3, 3, 2, 2, "VALID"),    # stride 2, still overlapping (3 > 2)
    (2, 5, 5, 2, 2, 2, 3, 1, "SAME"),     # odd total padding: the extra pixel at the bottom/right
]
_CONV_BACKWARD_HIDDEN = [
    (1, 6, 6, 1, 3, 3, 1, 1, "SAME"),
    (2, 7, 7, 2, 3, 3, 2, 2, "SAME"),
    (1, 6, 5, 2, 3, 2, 3, 2, "VALID"),    # (6 - 3) / 2 does not divide: the last row gets nothing
    (3, 5, 6, 2, 2, 3, 2, 1, "SAME"),
    (1, 8, 8, 1, 4, 4, 1, 3, "SAME"),
    (2, 4, 4, 3, 1, 1, 2, 1, "VALID"),    # 1x1 filters: no overlap at all
    (1, 7, 8, 3, 3, 4, 4, 3, "SAME"),
    (2, 6, 6, 1, 2, 2, 2, 2, "VALID"),    # stride = kernel: no overlap
]


def _check_timeout(timeout, name):
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise TypeError(f"{name} expects `timeout` to be a positive number of seconds; received "
                        f"{timeout!r}. Leave it out for the default ({DEFAULT_TIMEOUT:g} s).")


def check_conv_backward(fn, timeout=DEFAULT_TIMEOUT):
    """Checks a student's naive-loop convolution backward pass against `tf.GradientTape`.

    Args:
        fn: the student's function, called as ``fn(x, W, dy, stride, padding)``: `x` of shape
            (N, H, W, C), `W` of shape (KH, KW, C, K), `dy` the gradient of the loss with respect to
            ``conv2d(x, W, stride, padding) + b``, of shape (N, OH, OW, K), `stride` an int and
            `padding` "VALID" or "SAME" (TensorFlow's rule). It returns ``(dx, dW, db)`` of shapes
            x's, W's and (K,).
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Raises:
        TypeError: if `timeout` is not a positive number.

    Example:
        >>> def flipped(x, W, dy, stride, padding):
        ...     return _conv_grads(x, W, dy, stride, _tf_pads(x, W, stride, padding), flip=True)
        >>> result = check_conv_backward(flipped)
        >>> result.ok, result.diagnosis
        (False, 'dx_kernel_not_flipped')
    """
    _check_timeout(timeout, "check_conv_backward")
    rng = np.random.default_rng(_SEED + 90)
    cases = []
    for index, (n, h, w, c, kh, kw, k, s, pad) in enumerate(_CONV_BACKWARD_VISIBLE + _CONV_BACKWARD_HIDDEN):
        hidden = index >= len(_CONV_BACKWARD_VISIBLE)
        if index == len(_CONV_BACKWARD_VISIBLE):
            rng = _hidden_rng(rng, 90)
        oh = conv_output_size(h, kh, s, pad)
        ow = conv_output_size(w, kw, s, pad)
        if index == 0:  # the first visible case can be followed by hand
            x = np.arange(1, h * w + 1, dtype=np.float64).reshape(1, h, w, 1)
            W = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(2, 2, 1, 1)
            dy = np.ones((1, oh, ow, 1))
        else:
            x = rng.integers(-3, 4, size=(n, h, w, c)).astype(np.float64)
            W = rng.integers(-2, 3, size=(kh, kw, c, k)).astype(np.float64)
            W[0, 0] += 3  # never symmetric: a flipped kernel always shows
            dy = rng.integers(-2, 3, size=(n, oh, ow, k)).astype(np.float64)
            dy[0, 0, 0] += 3  # db and dW never vanish
        expected = _tf_conv_grads(x, W, dy, s, pad)
        pads = _tf_pads(x, W, s, pad)
        padded = (n, h + sum(pads[0]), w + sum(pads[1]), c)
        hints = [("grad_padding_not_cropped", (padded, None, None))] if padded != x.shape else []
        hints += [("bias_grad_not_summed", (None, None, shape))
                  for shape in [(n, k), (oh, ow, k), (n, oh, ow, k), (), (n,)] if shape != (k,)]
        args = (x, W, dy, s, pad)
        names = ["x", "W", "dy", "stride", "padding"]
        cases.append(_Case(args, expected, _describe_with_values(list(zip(names, args))),
                           _conv_backward_mistakes(x, W, dy, s, pad), hidden=hidden,
                           shape_hints=hints, kind="arrays", parts=("dx", "dW", "db")))
    return _run_cases(_name(fn, "conv_backward"), fn, cases, timeout, names)


# ---------------------------------------------------------------------------------------------
# Max-pool backward
# ---------------------------------------------------------------------------------------------

def _maxpool_grad(x, dy, pool_size, stride, ties="first", overwrite=None, average=False):
    """dx of "VALID" max pooling by the naive loops. `ties`: "first" (TensorFlow), "last", "all"
    or "split"; `overwrite`: None (``+=``), "cell" (``=`` at the chosen cell) or "window" (the
    whole window assigned, zeros included); `average`: every cell gets dy / pool_size**2."""
    n, h, w, c = x.shape
    oh, ow = dy.shape[1:3]
    dx = np.zeros_like(x)
    p = pool_size
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for ch in range(c):
                    window = x[b, i * stride:i * stride + p, j * stride:j * stride + p, ch]
                    g = dy[b, i, j, ch]
                    if average:
                        share = np.full((p, p), g / (p * p))
                    else:
                        tied = window == window.max()
                        share = np.zeros((p, p))
                        if ties == "all":
                            share[tied] = g
                        elif ties == "split":
                            share[tied] = g / tied.sum()
                        else:
                            flat = np.flatnonzero(tied)
                            share.flat[flat[0] if ties == "first" else flat[-1]] = g
                    target = dx[b, i * stride:i * stride + p, j * stride:j * stride + p, ch]
                    if overwrite == "window":
                        target[...] = share
                    elif overwrite == "cell":
                        target[share != 0] = share[share != 0]
                    else:
                        target += share
    return dx


# (N, H, W, C, pool_size, stride, values): "hand" is chapter 9's 4x4 example; "ties" draws from a
# few values, so that many windows hold a tied maximum.
_POOL_VISIBLE = [
    (1, 4, 4, 1, 2, 2, "hand"),
    (1, 4, 4, 1, 2, 2, "ties"),        # ties, as MNIST's black background makes them
    (1, 5, 5, 1, 3, 2, "ties"),        # overlapping windows (stride 2 < window 3), with ties
]
_POOL_HIDDEN = [
    (2, 6, 6, 2, 2, 2, "ties"),
    (1, 5, 5, 2, 2, 1, "ties"),        # stride 1: every inner pixel is in four windows
    (2, 7, 7, 1, 3, 2, "ties"),
    (1, 7, 6, 3, 3, 3, "spread"),      # (7 - 3) / 3 does not divide: the last row gets nothing
    (2, 6, 6, 1, 2, 1, "spread"),
    (1, 8, 8, 2, 4, 2, "ties"),
    (3, 4, 5, 1, 2, 2, "ties"),
    (1, 9, 9, 1, 3, 1, "ties"),
]


def check_maxpool_backward(fn, timeout=DEFAULT_TIMEOUT):
    """Checks a student's "VALID" max-pool backward pass against `tf.GradientTape`.

    TensorFlow (2.21, Eigen and oneDNN, float32 and float64) sends a window's gradient to its
    first maximum in row-major order, and adds where windows overlap; so does the reference.

    Args:
        fn: the student's function, called as ``fn(x, dy, pool_size, stride)``: `x` of shape
            (N, H, W, C), `dy` the gradient of the loss with respect to
            ``max_pool2d(x, pool_size, stride, "VALID")``, of shape (N, OH, OW, C), `pool_size` and
            `stride` ints. It returns dx, of x's shape.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Raises:
        TypeError: if `timeout` is not a positive number.

    Example:
        >>> result = check_maxpool_backward(lambda x, dy, p, s: _maxpool_grad(x, dy, p, s, ties="all"))
        >>> result.ok, result.diagnosis
        (False, 'maxpool_grad_all_ties')
    """
    _check_timeout(timeout, "check_maxpool_backward")
    rng = np.random.default_rng(_SEED + 91)
    cases = []
    for index, (n, h, w, c, p, s, values) in enumerate(_POOL_VISIBLE + _POOL_HIDDEN):
        hidden = index >= len(_POOL_VISIBLE)
        if index == len(_POOL_VISIBLE):
            rng = _hidden_rng(rng, 91)
        oh, ow = conv_output_size(h, p, s), conv_output_size(w, p, s)
        if values == "hand":
            x = np.array([[1, 2, 0, 1], [4, 3, 5, 2], [0, 1, 1, 0], [2, 1, 0, 3]],
                         dtype=np.float64).reshape(1, 4, 4, 1)
            dy = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
        else:
            high = 3 if values == "ties" else 50
            x = rng.integers(0, high, size=(n, h, w, c)).astype(np.float64)
            dy = rng.integers(1, 6, size=(n, oh, ow, c)).astype(np.float64)
        expected = _tf_maxpool_grad(x, dy, p, s)
        mistakes = [("maxpool_grad_all_ties", _maxpool_grad(x, dy, p, s, ties="all")),
                    ("maxpool_grad_split_ties", _maxpool_grad(x, dy, p, s, ties="split")),
                    ("maxpool_grad_last_tie", _maxpool_grad(x, dy, p, s, ties="last")),
                    ("grad_not_accumulated", _maxpool_grad(x, dy, p, s, overwrite="cell")),
                    ("grad_not_accumulated", _maxpool_grad(x, dy, p, s, overwrite="window")),
                    ("maxpool_grad_average", _maxpool_grad(x, dy, p, s, average=True)),
                    ("maxpool_grad_all", _maxpool_grad(x, dy, p, s, average=True) * p * p)]
        args = (x, dy, p, s)
        names = ["x", "dy", "pool_size", "stride"]
        cases.append(_Case(args, expected, _describe_with_values(list(zip(names, args))), mistakes,
                           hidden=hidden))
    return _run_cases(_name(fn, "maxpool_backward"), fn, cases, timeout, names)
