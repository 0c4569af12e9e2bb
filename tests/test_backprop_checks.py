"""cnn_utils.checks.backprop (chapter 9): the key gets full marks, each usual mistake (written here as
a student would write it) gets its diagnosis, the scaffold scores 0, the references are
`tf.GradientTape`'s gradients, and bad arguments to the checkers raise."""

import numpy as np
import pytest
import tensorflow as tf

from cnn_utils import conv2d, same_padding
from cnn_utils.checks import DIAGNOSES, check_conv_backward, check_maxpool_backward
from cnn_utils.checks.backprop import _conv_grads, _maxpool_grad, _tf_pads
from cnn_utils.checks.engine import hidden_seed


# ---------------------------------------------------------------------------------------------
# conv_backward: the chapter's key, and the mistakes
# ---------------------------------------------------------------------------------------------

def conv_backward(x, W, dy, stride, padding, flip=False, assign=False, dx_stride=None,
                  pad_top_left=True, crop=True, db_mode="sum", dW_mode="sum"):
    """The key (every switch at its default) and, with a switch, a student's mistake."""
    n, h, w, c = x.shape
    kh, kw, _, k = W.shape
    if padding == "SAME":
        top, bottom = same_padding(h, kh, stride)
        left, right = same_padding(w, kw, stride)
        if not pad_top_left:  # the padding forgotten: every window starts at i * stride
            top, bottom, left, right = 0, top + bottom, 0, left + right
    else:
        top = bottom = left = right = 0
    xp = np.pad(x, [(0, 0), (top, bottom), (left, right), (0, 0)])
    dxp, dW = np.zeros_like(xp), np.zeros_like(W)
    kernel = W[::-1, ::-1] if flip else W
    s_dx = stride if dx_stride is None else dx_stride
    oh, ow = dy.shape[1:3]
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                hs, ws = i * stride, j * stride
                window = xp[b, hs:hs + kh, ws:ws + kw, :]
                contribution = np.tensordot(kernel, dy[b, i, j], axes=([3], [0]))
                target = dxp[b, i * s_dx:i * s_dx + kh, j * s_dx:j * s_dx + kw, :]
                if assign:
                    target[...] = contribution
                else:
                    target += contribution
                if dW_mode == "assign":
                    dW[...] = window[..., None] * dy[b, i, j]
                else:
                    dW += window[..., None] * dy[b, i, j]
    if dW_mode == "mean":
        dW /= n
    dx = dxp[:, top:top + h, left:left + w, :] if crop else dxp
    db = {"sum": lambda: dy.sum(axis=(0, 1, 2)), "per_image": lambda: dy.sum(axis=(1, 2)),
          "last": lambda: dy[-1, -1, -1].copy(), "mean": lambda: dy.mean(axis=(0, 1, 2)),
          "first_image": lambda: dy[0].sum(axis=(0, 1))}[db_mode]()
    return dx, dW, db


def assert_diagnosed(result, diagnosis):
    assert not result.ok and result.score < 1, result.message
    assert result.diagnosis == diagnosis, result.message
    assert DIAGNOSES[diagnosis] in result.message


def test_the_key_gets_full_marks():
    result = check_conv_backward(conv_backward)
    assert result.ok, result.message
    assert result.message.startswith("통과: conv_backward")


@pytest.mark.parametrize("switches, diagnosis", [
    (dict(flip=True), "dx_kernel_not_flipped"),
    (dict(assign=True), "grad_not_accumulated"),
    (dict(dW_mode="assign"), "grad_not_accumulated"),
    (dict(dx_stride=1), "grad_stride_ignored"),
    (dict(pad_top_left=False), "grad_padding_ignored"),
    (dict(crop=False), "grad_padding_not_cropped"),
    (dict(db_mode="per_image"), "bias_grad_not_summed"),
    (dict(db_mode="last"), "bias_grad_not_summed"),
    (dict(db_mode="mean"), "bias_grad_not_summed"),
    (dict(db_mode="first_image"), "grad_not_summed_over_batch"),
    (dict(dW_mode="mean"), "grad_not_summed_over_batch"),
])
def test_each_conv_mistake_gets_its_diagnosis(switches, diagnosis):
    def mistaken(x, W, dy, stride, padding):
        return conv_backward(x, W, dy, stride, padding, **switches)

    assert_diagnosed(check_conv_backward(mistaken), diagnosis)


def test_dx_as_a_full_correlation_with_the_unflipped_kernel_is_diagnosed():
    """The one-operation mistake: dy padded by k - 1, correlated with W (channels swapped, not flipped)."""
    def full_unflipped(x, W, dy, stride, padding):
        _, dW, db = conv_backward(x, W, dy, stride, padding)
        if stride != 1 or padding != "VALID":
            return conv_backward(x, W, dy, stride, padding, flip=True)
        kh, kw = W.shape[:2]
        padded = np.pad(dy, [(0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1), (0, 0)])
        return conv2d(padded, W.transpose(0, 1, 3, 2), 1, "VALID"), dW, db

    assert_diagnosed(check_conv_backward(full_unflipped), "dx_kernel_not_flipped")


def test_the_conv_scaffold_and_non_answers_score_zero():
    def scaffold(x, W, dy, stride, padding):
        raise NotImplementedError("conv_backward를 작성하세요")

    result = check_conv_backward(scaffold)
    assert result.score == 0 and result.diagnosis == "not_implemented"
    assert check_conv_backward(...).diagnosis == "no_answer"
    assert check_conv_backward(lambda *args: None).diagnosis == "returned_none"
    assert check_conv_backward(lambda x, W, dy, s, p: x).diagnosis == "wrong_type"


def test_the_conv_reference_is_gradient_tape_and_the_loops_match_it():
    rng = np.random.default_rng(3)
    for stride, padding in [(1, "VALID"), (2, "SAME"), (3, "SAME"), (2, "VALID")]:
        x, W = rng.normal(size=(2, 7, 6, 3)), rng.normal(size=(3, 2, 3, 4))
        dy = rng.normal(size=tf.nn.conv2d(x, W, stride, padding).shape)
        tx, tW, tb = tf.Variable(x), tf.Variable(W), tf.Variable(np.zeros(4))
        with tf.GradientTape() as tape:
            objective = tf.reduce_sum((tf.nn.conv2d(tx, tW, stride, padding) + tb) * dy)
        for ours, theirs in zip(_conv_grads(x, W, dy, stride, _tf_pads(x, W, stride, padding)),
                                tape.gradient(objective, [tx, tW, tb])):
            np.testing.assert_allclose(ours, theirs.numpy(), atol=1e-10)
        for ours, key in zip(conv_backward(x, W, dy, stride, padding),
                             _conv_grads(x, W, dy, stride, _tf_pads(x, W, stride, padding))):
            np.testing.assert_allclose(ours, key, atol=1e-10)


def test_hidden_cases_follow_the_grader_seed():
    with hidden_seed(1234):
        assert check_conv_backward(conv_backward).ok
        assert check_maxpool_backward(maxpool_backward).ok
        assert check_conv_backward(lambda *a: conv_backward(*a, flip=True)).diagnosis == \
            "dx_kernel_not_flipped"


# ---------------------------------------------------------------------------------------------
# maxpool_backward: the chapter's key, and the mistakes
# ---------------------------------------------------------------------------------------------

def maxpool_backward(x, dy, pool_size, stride, ties="first", assign=None, average=False):
    """The key (np.argmax: the first maximum in row-major order) and, with a switch, a mistake."""
    dx = np.zeros_like(x)
    n, oh, ow, c = dy.shape
    p = pool_size
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for ch in range(c):
                    hs, ws = i * stride, j * stride
                    window = x[b, hs:hs + p, ws:ws + p, ch]
                    g = dy[b, i, j, ch]
                    target = dx[b, hs:hs + p, ws:ws + p, ch]
                    if average:
                        target += g / (p * p)
                        continue
                    if ties == "all":
                        target += (window == window.max()) * g
                    elif ties == "split":
                        mask = window == window.max()
                        target += mask * g / mask.sum()
                    else:
                        index = np.argmax(window) if ties == "first" else \
                            window.size - 1 - np.argmax(window.ravel()[::-1])
                        u, v = divmod(int(index), p)
                        if assign == "cell":
                            target[u, v] = g
                        elif assign == "window":
                            mask = np.zeros_like(window)
                            mask[u, v] = 1
                            target[...] = mask * g
                        else:
                            target[u, v] += g
    return dx


def test_the_maxpool_key_gets_full_marks():
    result = check_maxpool_backward(maxpool_backward)
    assert result.ok, result.message
    assert result.message.startswith("통과: maxpool_backward")


@pytest.mark.parametrize("switches, diagnosis", [
    (dict(ties="all"), "maxpool_grad_all_ties"),
    (dict(ties="split"), "maxpool_grad_split_ties"),
    (dict(ties="last"), "maxpool_grad_last_tie"),
    (dict(assign="cell"), "grad_not_accumulated"),
    (dict(assign="window"), "grad_not_accumulated"),
    (dict(average=True), "maxpool_grad_average"),
])
def test_each_maxpool_mistake_gets_its_diagnosis(switches, diagnosis):
    def mistaken(x, dy, pool_size, stride):
        return maxpool_backward(x, dy, pool_size, stride, **switches)

    assert_diagnosed(check_maxpool_backward(mistaken), diagnosis)


def test_the_visible_maxpool_cases_hold_ties_and_overlapping_windows():
    """Public case 2 has ties and public case 3 overlapping windows: each mistake fails a public case."""
    for switches in [dict(ties="all"), dict(assign="cell")]:
        result = check_maxpool_backward(lambda x, dy, p, s: maxpool_backward(x, dy, p, s, **switches))
        assert "처음 틀린 사례: 공개 사례" in result.message, result.message
    overlap = check_maxpool_backward(lambda x, dy, p, s: maxpool_backward(x, dy, p, s, assign="cell"))
    assert "pool_size=3, stride=2" in overlap.message


def test_the_maxpool_reference_is_gradient_tape_with_ties_to_the_first_maximum():
    x = np.array([[0, 3, 3], [3, 1, 3], [0, 3, 0]], dtype=np.float64).reshape(1, 3, 3, 1)
    dy = np.array([1.0, 10.0, 100.0, 1000.0]).reshape(1, 2, 2, 1)
    tx = tf.Variable(x)
    with tf.GradientTape() as tape:
        objective = tf.reduce_sum(tf.nn.max_pool2d(tx, 2, 1, "VALID") * dy)
    tf_dx = tape.gradient(objective, tx).numpy()
    np.testing.assert_array_equal(tf_dx[0, :, :, 0], [[0, 11, 0], [100, 0, 1000], [0, 0, 0]])
    np.testing.assert_array_equal(_maxpool_grad(x, dy, 2, 1), tf_dx)
    np.testing.assert_array_equal(maxpool_backward(x, dy, 2, 1), tf_dx)


def test_the_maxpool_scaffold_scores_zero():
    def scaffold(x, dy, pool_size, stride):
        raise NotImplementedError("maxpool_backward를 작성하세요")

    assert check_maxpool_backward(scaffold).score == 0
    assert check_maxpool_backward(np.zeros(3)).diagnosis == "not_callable"


@pytest.mark.parametrize("checker", [check_conv_backward, check_maxpool_backward])
@pytest.mark.parametrize("timeout", [0, -1, "5", True, None])
def test_a_bad_timeout_raises_a_clear_error(checker, timeout):
    with pytest.raises(TypeError, match="positive number of seconds"):
        checker(conv_backward, timeout=timeout)
