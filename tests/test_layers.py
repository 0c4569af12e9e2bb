"""The from-scratch layers against tf.GradientTape (float64) and against numerical gradients."""

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_utils.nn import (SGD, Adam, Conv2D, Dense, Flatten, Layer, MaxPool2D, ReLU, Sequential,
                          SoftmaxCrossEntropy, accuracy, fit, gradient_check, numerical_gradient,
                          simple_convnet, train_epoch)


def rel_error(a, b):
    """max |a - b| / max(|a| + |b|): about 1e-15 for float64 results that agree."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.max(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), 1e-300)


def tape_grads(fn, inputs, upstream):
    """Gradients of sum(fn(*inputs) * upstream) with respect to every input, by TensorFlow."""
    tensors = [tf.Variable(v) for v in inputs]
    with tf.GradientTape() as tape:
        out = fn(*tensors)
        objective = tf.reduce_sum(out * upstream)
    return out.numpy(), [g.numpy() for g in tape.gradient(objective, tensors)]


CONV_CASES = [
    ((2, 7, 7, 3), (3, 3, 3, 4), 1, "VALID"),
    ((2, 7, 7, 3), (3, 3, 3, 4), 2, "SAME"),
    ((1, 6, 9, 2), (2, 4, 2, 3), [2, 3], "SAME"),
    ((3, 8, 8, 1), (5, 5, 1, 6), 1, [[0, 0], [1, 2], [2, 0], [0, 0]]),
]


@pytest.mark.parametrize("x_shape, w_shape, strides, padding", CONV_CASES)
def test_conv_forward_backward_match_tensorflow(x_shape, w_shape, strides, padding):
    rng = np.random.default_rng(0)
    x, W, b = (rng.standard_normal(s) for s in (x_shape, w_shape, w_shape[3:]))
    layer = Conv2D(W.copy(), b.copy(), strides, padding)
    out = layer.forward(x)
    g = rng.standard_normal(out.shape)
    expected, (dx, dW, db) = tape_grads(
        lambda x, W, b: tf.nn.conv2d(x, W, strides, padding) + b, [x, W, b], g)
    assert rel_error(out, expected) < 1e-12
    assert rel_error(layer.backward(g), dx) < 1e-12
    assert rel_error(layer.grads["W"], dW) < 1e-12
    assert rel_error(layer.grads["b"], db) < 1e-12
    assert layer.backward(g, input_grad=False) is None


@pytest.mark.parametrize("x_shape, ksize, strides, padding", [
    ((2, 8, 8, 3), 2, None, "VALID"),        # the fast path: non-overlapping windows
    ((2, 9, 7, 3), 2, None, "VALID"),        # odd sizes: the last row/column is dropped
    ((2, 7, 7, 2), 3, 2, "VALID"),           # overlapping windows: im2col + col2im
    ((2, 7, 7, 2), 2, 2, "SAME"),
    ((1, 6, 5, 4), [3, 2], [1, 2], "SAME"),
])
def test_maxpool_forward_backward_match_tensorflow(x_shape, ksize, strides, padding):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(x_shape)
    layer = MaxPool2D(ksize, strides, padding)
    out = layer.forward(x)
    g = rng.standard_normal(out.shape)
    s = strides if strides is not None else ksize
    expected, (dx,) = tape_grads(lambda x: tf.nn.max_pool2d(x, ksize, s, padding), [x], g)
    np.testing.assert_array_equal(out, expected)
    assert rel_error(layer.backward(g), dx) < 1e-12


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
def test_maxpool_ties_send_the_gradient_to_the_first_maximum_like_tensorflow(padding):
    x = np.zeros((1, 4, 4, 2))                # every window is a tie (think of ReLU's zeros)
    x[0, 1, 1, 1] = 1.0
    layer = MaxPool2D(2, 2, padding)
    g = np.arange(1.0, 9.0).reshape(1, 2, 2, 2)
    layer.forward(x)
    _, (dx,) = tape_grads(lambda x: tf.nn.max_pool2d(x, 2, 2, padding), [x], g)
    np.testing.assert_array_equal(layer.backward(g), dx)


def test_relu_flatten_dense_match_tensorflow():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3, 3, 2))
    relu, flatten = ReLU(), Flatten()
    g = rng.standard_normal(x.shape)
    out, (dx,) = tape_grads(tf.nn.relu, [x], g)
    np.testing.assert_array_equal(relu.forward(x), out)
    np.testing.assert_array_equal(relu.backward(g), dx)
    flat = flatten.forward(x)
    np.testing.assert_array_equal(flat, tf.reshape(x, (4, -1)).numpy())  # Keras's Flatten, NHWC order
    np.testing.assert_array_equal(flatten.backward(flat), x)

    W, b = rng.standard_normal((18, 5)), rng.standard_normal(5)
    dense = Dense(W, b)
    g = rng.standard_normal((4, 5))
    out, (dflat, dW, db) = tape_grads(lambda x, W, b: x @ W + b, [flat, W, b], g)
    assert rel_error(dense.forward(flat), out) < 1e-12
    assert rel_error(dense.backward(g), dflat) < 1e-12
    assert rel_error(dense.grads["W"], dW) < 1e-12 and rel_error(dense.grads["b"], db) < 1e-12


def test_softmax_cross_entropy_matches_tensorflow():
    rng = np.random.default_rng(3)
    logits, labels = rng.standard_normal((6, 10)) * 5, rng.integers(0, 10, 6)
    loss = SoftmaxCrossEntropy()
    variable = tf.Variable(logits)
    with tf.GradientTape() as tape:
        expected = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=variable))
    assert rel_error(loss.forward(logits, labels), expected.numpy()) < 1e-12
    assert rel_error(loss.backward(), tape.gradient(expected, variable).numpy()) < 1e-12
    assert np.isfinite(loss.forward(np.array([[1000.0, -1000.0]]), np.array([1])))  # no overflow


def test_whole_network_gradient_matches_numerical_gradient():
    rng = np.random.default_rng(4)
    net = simple_convnet(rng, filters=3, kernel_size=3, hidden=8, dtype=np.float64)
    x, y = rng.random((2, 28, 28, 1)), np.array([3, 7])
    worst, checked = gradient_check(net, SoftmaxCrossEntropy(), x, y, rng)
    assert checked == 3 * len(net.parameters())
    assert worst < 1e-6


def test_gradient_check_catches_a_wrong_backward_pass():
    rng = np.random.default_rng(5)
    net = simple_convnet(rng, filters=2, kernel_size=3, hidden=4, dtype=np.float64)
    broken = net.layers[4]                         # the first Dense layer
    real_backward = broken.backward

    def doubled(dout):                             # a backward pass that gets dW twice too large
        dx = real_backward(dout)
        broken.grads["W"] *= 2
        return dx

    broken.backward = doubled
    worst, _ = gradient_check(net, SoftmaxCrossEntropy(), rng.random((2, 28, 28, 1)),
                              np.array([1, 2]), rng)
    assert worst > 0.1


def test_numerical_gradient_restores_the_parameter_even_when_f_raises():
    p = np.array([1.0, 2.0])

    def fails():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numerical_gradient(fails, p, (0,))
    assert p.tolist() == [1.0, 2.0]
    assert numerical_gradient(lambda: float((p ** 3).sum()), p, (1,)) == pytest.approx(12.0, rel=1e-6)


def test_layers_show_their_shapes_and_settings():
    assert repr(Conv2D(np.zeros((5, 5, 1, 30)), np.zeros(30), strides=2, padding="SAME")) == \
        "Conv2D(W=(5, 5, 1, 30), b=(30,), strides=(2, 2), padding='SAME')"
    assert repr(MaxPool2D(2)) == "MaxPool2D(ksize=(2, 2), strides=(2, 2), padding='VALID')"
    assert repr(ReLU()) == "ReLU()"
    net = simple_convnet(np.random.default_rng(0))
    assert repr(net).splitlines()[1] == "    Conv2D(W=(5, 5, 1, 30), b=(30,), strides=(1, 1), padding='VALID'),"
    assert all(isinstance(layer, Layer) for layer in net.layers)


def test_fit_returns_the_record_of_fit_mnist_and_logs_in_korean(capsys):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((60, 28, 28, 1)).astype(np.float32)
    y = rng.integers(0, 10, 60)
    net = simple_convnet(rng, filters=2, hidden=8)
    loss = SoftmaxCrossEntropy()
    record = fit(net, loss, Adam(net.parameters(), 1e-3), ((x, y), (x[:20], y[:20])), epochs=2,
                 batch_size=30, rng=rng)
    assert list(record) == ["seconds", "loss", "accuracy", "test_accuracy"]
    assert all(len(values) == 2 and all(isinstance(v, float) for v in values)
               for values in record.values())
    assert record["seconds"][0] < record["seconds"][1]            # cumulative
    assert all(0 <= a <= 1 for a in record["accuracy"] + record["test_accuracy"])
    assert record["test_accuracy"][-1] == accuracy(net, x[:20], y[:20])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].startswith("에포크 2: 손실 ") and "시험 정확도" in lines[1]


def test_fit_records_what_train_epoch_returns():
    x = np.random.default_rng(7).standard_normal((40, 28, 28, 1))
    y = np.arange(40) % 10
    runs = []
    for use_fit in (False, True):
        rng = np.random.default_rng(8)
        net = simple_convnet(rng, filters=2, hidden=8, dtype=np.float64)
        loss, optimizer = SoftmaxCrossEntropy(), SGD(net.parameters(), 0.01)
        if use_fit:
            record = fit(net, loss, optimizer, ((x, y), (x, y)), 1, 20, rng, verbose=False)
            runs.append((record["loss"][0], record["accuracy"][0]))
        else:
            runs.append(train_epoch(net, loss, optimizer, x, y, 20, rng))
    assert runs[0] == runs[1]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_conv_backward_property(data):
    n, c, k = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    kh, kw = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    strides = [data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))]
    padding = data.draw(st.sampled_from(["VALID", "SAME"]))
    h, w = data.draw(st.integers(kh, kh + 5)), data.draw(st.integers(kw, kw + 5))
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    x, W, b = rng.standard_normal((n, h, w, c)), rng.standard_normal((kh, kw, c, k)), rng.standard_normal(k)
    layer = Conv2D(W, b, strides, padding)
    g = rng.standard_normal(layer.forward(x).shape)
    _, (dx, dW, db) = tape_grads(lambda x, W, b: tf.nn.conv2d(x, W, strides, padding) + b, [x, W, b], g)
    assert rel_error(layer.backward(g), dx) < 1e-12
    assert rel_error(layer.grads["W"], dW) < 1e-12


def _keras_one_cycle(total_steps, peak_lr):
    from cnn_utils.models import one_cycle_schedule

    return one_cycle_schedule(total_steps, peak_lr)


@pytest.mark.parametrize("ours, keras_optimizer", [
    (lambda p, lr: Adam(p, lr=lr), lambda lr: tf.keras.optimizers.Adam(lr)),
    (lambda p, lr: SGD(p, lr=lr, momentum=0.9), lambda lr: tf.keras.optimizers.SGD(lr, momentum=0.9)),
])
@pytest.mark.parametrize("schedule", [False, True], ids=["constant", "one_cycle"])
def test_optimisers_match_keras(ours, keras_optimizer, schedule):
    from cnn_utils.nn import one_cycle

    rng = np.random.default_rng(5)
    p, grads = rng.standard_normal(4), rng.standard_normal((10, 4))
    g = np.zeros(4)
    optimiser = ours([(p, g)], one_cycle(10, 0.05) if schedule else 0.05)
    variable = tf.Variable(p.copy())
    reference = keras_optimizer(_keras_one_cycle(10, 0.05) if schedule else 0.05)
    for step in grads:
        g[...] = step
        optimiser.step()
        reference.apply_gradients([(tf.constant(step), variable)])
    # Keras keeps its hyper-parameters (learning rate, betas) as float32, hence not 1e-12.
    assert rel_error(p, variable.numpy()) < 1e-6


def test_training_learns_a_separable_problem():
    rng = np.random.default_rng(6)
    x = rng.random((200, 28, 28, 1)).astype(np.float32) * 0.1
    y = rng.integers(0, 2, 200)
    x[y == 1, :14] += 0.9                        # class 1: bright top half
    net = simple_convnet(rng, filters=4, hidden=16, num_classes=2)
    loss = SoftmaxCrossEntropy()
    optimiser = Adam(net.parameters(), lr=1e-2)
    first_loss, _ = train_epoch(net, loss, optimiser, x, y, 50, rng)
    for _ in range(2):
        last_loss, last_accuracy = train_epoch(net, loss, optimiser, x, y, 50, rng)
    assert last_loss < first_loss and accuracy(net, x, y) == 1.0 and last_accuracy > 0.9


def test_layer_errors():
    with pytest.raises(ValueError, match=r"b of shape \(K,\); received \(3, 3, 1, 2\) and \(3,\)"):
        Conv2D(np.zeros((3, 3, 1, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"input \(N, H, W, 1\); received shape \(2, 5, 5, 3\)"):
        Conv2D(np.zeros((3, 3, 1, 2)), np.zeros(2)).forward(np.zeros((2, 5, 5, 3)))
    with pytest.raises(ValueError, match="Put a Flatten layer before it"):
        Dense(np.zeros((4, 2)), np.zeros(2)).forward(np.zeros((1, 2, 2, 1)))
    with pytest.raises(ValueError, match="padding"):
        MaxPool2D(2, 2, "same")


def test_pool_then_relu_equals_relu_then_pool():
    rng = np.random.default_rng(7)
    net = simple_convnet(rng, filters=4, hidden=8, dtype=np.float64)
    conv, pool, relu = net.layers[:3]
    book_order = Sequential([conv, ReLU(), MaxPool2D(2), *net.layers[3:]])
    x, y = rng.random((3, 28, 28, 1)), np.array([1, 2, 3])
    loss = SoftmaxCrossEntropy()
    results = []
    for model in (net, book_order):
        value = loss.forward(model.forward(x), y)
        model.backward(loss.backward())
        results.append((value, [g.copy() for _, g in model.parameters()]))
    assert results[0][0] == results[1][0]
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_array_equal(a, b)


def test_random_shift_moves_each_image_by_at_most_max_shift():
    from cnn_utils.nn import random_shift

    rng = np.random.default_rng(9)
    images = np.full((50, 6, 6, 1), -1.0)
    images[:, 2:4, 2:4, 0] = 5.0                      # a 2x2 bright square in the middle
    moved = random_shift(images, rng, max_shift=1, fill=-1.0)
    assert moved.shape == images.shape and (images[:, 2:4, 2:4, 0] == 5.0).all()  # input untouched
    for image in moved[..., 0]:
        rows, cols = np.nonzero(image == 5.0)
        assert len(rows) == 4 and rows.min() in (1, 2, 3) and cols.min() in (1, 2, 3)
        assert set(np.unique(image)) == {-1.0, 5.0}     # filled with the background, not 0
    offsets = {tuple(np.argwhere(image[..., 0] == 5.0).min(axis=0)) for image in moved}
    assert len(offsets) > 4                             # different images, different shifts


def test_one_cycle_matches_the_keras_schedule():
    from cnn_utils.nn import one_cycle

    ours, theirs = one_cycle(1000, 3e-3), _keras_one_cycle(1000, 3e-3)
    steps = [0, 1, 199, 200, 201, 500, 999, 1000, 1500]
    # Keras computes the schedule in float32: agreement to a few float32 roundings.
    np.testing.assert_allclose([ours(s) for s in steps], [float(theirs(s)) for s in steps], rtol=1e-5)
    assert ours(200) == 3e-3 and ours(0) == pytest.approx(3e-4)


def test_one_cycle_errors():
    from cnn_utils.nn import one_cycle

    with pytest.raises(ValueError, match=r"total_steps, an int >= 2; received 1\.5"):
        one_cycle(1.5, 1e-3)
    with pytest.raises(ValueError, match=r"0 < warmup_fraction < 1; received 1"):
        one_cycle(100, 1e-3, warmup_fraction=1)


# --- Contracts: match TensorFlow at the edges, or raise (issue 12) -----------------------------

def test_layers_want_float_weights_and_a_non_empty_kernel():
    with pytest.raises(TypeError, match=r"float parameters.*received W of dtype int64.*astype"):
        Conv2D(np.ones((2, 2, 1, 1), np.int64), np.zeros(1))
    with pytest.raises(TypeError, match=r"received b of dtype int64"):
        Dense(np.ones((3, 2)), np.zeros(2, np.int64))
    with pytest.raises(ValueError, match=r"non-empty W.*as tf.nn.conv2d does; received shape \(0, 3, 3, 2\)"):
        Conv2D(np.ones((0, 3, 3, 2)), np.zeros(2))
    with pytest.raises(tf.errors.InvalidArgumentError, match="filter must not have zero elements"):
        tf.nn.conv2d(np.ones((1, 5, 6, 3)), np.ones((0, 3, 3, 2)), 1, "SAME")


@pytest.mark.parametrize("labels, error, match", [
    ([-1, 0], ValueError, r"labels in \[0, 3\) for 3 classes; received the label value -1 \(at index 0\)"),
    ([0, 3], ValueError, r"received the label value 3 \(at index 1\)"),
    ([0.0, 1.0], TypeError, r"integer labels.*received dtype float64.*astype\(int\)"),
    (np.eye(3)[[0, 1]], ValueError, r"one-hot\?\)\. Pass labels.argmax\(axis=1\)"),
    ([0, 1, 2], ValueError, r"one label per row of the logits, 2; received 3 labels"),
    ([[0], [1]], ValueError, r"labels of shape \(N,\) = \(2,\); received shape \(2, 1\)"),
])
def test_softmax_cross_entropy_label_errors(labels, error, match):
    logits = np.zeros((2, 3))
    with pytest.raises(error, match=match):
        SoftmaxCrossEntropy().forward(logits, np.array(labels))
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError)):    # TensorFlow refuses too
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=np.array(labels), logits=logits)


MAXPOOL_PATHS = [(2, None, "VALID"), (2, 1, "VALID"), (2, 2, "SAME"), (3, 2, [[0, 0], [1, 2], [2, 0], [0, 0]])]


@pytest.mark.parametrize("with_nan", [True, False], ids=["nan", "no-nan"])
@pytest.mark.parametrize("ksize, strides, padding", MAXPOOL_PATHS)
def test_maxpool_nan_inf_and_ties_match_tensorflow_on_both_paths(ksize, strides, padding, with_nan):
    rng = np.random.default_rng(11)
    # Few distinct values: ties in most windows; NaN, -inf and inf here and there. Without NaN the
    # fast path takes its quicker branch (the maximum of the views), which must agree too.
    x = rng.choice([0.0, 1.0, 2.0, np.nan, -np.inf, np.inf], size=(3, 6, 6, 2), p=[.3, .25, .2, .1, .1, .05])
    x[0] = -np.inf
    x[1, :3] = np.nan
    if not with_nan:
        x[np.isnan(x)] = 1.0
    layer = MaxPool2D(ksize, strides, padding)
    out = layer.forward(x)
    g = rng.standard_normal(out.shape)
    s = strides if strides is not None else ksize
    expected, (dx,) = tape_grads(lambda x: tf.nn.max_pool2d(x, ksize, s, padding), [x], g)
    np.testing.assert_array_equal(out, expected)
    # Overlapping windows add gradients in another order than TF: equal up to rounding.
    np.testing.assert_allclose(layer.backward(g), dx, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("ksize, strides, padding", MAXPOOL_PATHS)
def test_changing_the_output_in_place_cannot_break_backward(ksize, strides, padding):
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 6, 6, 3))
    W, b = rng.standard_normal((3, 3, 3, 2)), rng.standard_normal(2)
    s = strides if strides is not None else ksize
    cases = [
        (MaxPool2D(ksize, strides, padding), lambda x: tf.nn.max_pool2d(x, ksize, s, padding), [x]),
        (Conv2D(W.copy(), b.copy(), 1, "SAME"), lambda x: tf.nn.conv2d(x, W, 1, "SAME") + b, [x]),
        (ReLU(), tf.nn.relu, [x]),
        (Flatten(), lambda x: tf.reshape(x, (2, -1)), [x]),
        (Dense(rng.standard_normal((108, 4)), b[:1].repeat(4)), None, [x.reshape(2, -1)]),
    ]
    for layer, fn, inputs in cases:
        out = layer.forward(inputs[0].copy())
        g = rng.standard_normal(out.shape)
        if fn is None:
            fn = lambda x, layer=layer: x @ layer.params["W"] + layer.params["b"]  # noqa: E731
        _, (dx,) = tape_grads(fn, inputs, g)
        out[...] = 123.0                       # the caller writes into the output
        assert rel_error(layer.backward(g), dx) < 1e-12, type(layer).__name__


def test_layers_take_array_likes_and_check_ranks_and_shapes():
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    conv = Conv2D(np.ones((2, 2, 1, 1)), np.zeros(1))
    layers = [conv, ReLU(), MaxPool2D(2), Flatten(), Dense(np.ones((16, 2)), np.zeros(2))]
    for layer in layers:                       # nested lists work as arrays do, as in the ops
        data = x if not isinstance(layer, Dense) else x.reshape(1, 16)
        expected = layer.forward(data)
        np.testing.assert_array_equal(layer.forward(data.tolist()), expected)
        np.testing.assert_array_equal(layer.backward(expected.tolist()), layer.backward(expected))
    with pytest.raises(ValueError, match=r"MaxPool2D expects `input` of rank 4 \(N, H, W, C\); "
                                         r"received shape \(4, 4, 1\)"):
        MaxPool2D(2).forward(x[0])
    with pytest.raises(ValueError, match=r"Conv2D expects input \(N, H, W, 1\); received shape \(4, 4, 1\)"):
        conv.forward(x[0])
    with pytest.raises(TypeError, match=r"ReLU expects `input` to hold real numbers"):
        ReLU().forward([["a"]])
    with pytest.raises(ValueError, match=r"MaxPool2D.backward expects `dout` of the forward output's "
                                         r"shape \(1, 2, 2, 1\); received shape \(1, 4, 4, 1\)"):
        pool = MaxPool2D(2)
        pool.forward(x)
        pool.backward(x)
    with pytest.raises(RuntimeError, match=r"Dense.backward needs the forward pass first"):
        Dense(np.ones((16, 2)), np.zeros(2)).backward(np.ones((1, 2)))
    with pytest.raises(ValueError, match=r"smaller than the window"):
        MaxPool2D(2, 1, [[0, 0], [2, 0], [0, 0], [0, 0]])
