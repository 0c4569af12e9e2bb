"""cnn_utils.explain, models.transfer, viz.explain and chapter 12's checkers (checks.explain).

Tiny Keras models with known weights, so that every map can be computed by hand or by a second
formula; one test uses the shipped cifar5 model.
"""

import os

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_utils import (cover_pixels, feature_maps, first_layer_filters, grad_cam, occlusion_sensitivity,
                       plot_transfer_comparison, saliency_map, score_model, show_explanations,
                       show_first_layer_filters, show_layer_maps)
from cnn_utils.checks import (DIAGNOSES, check_grad_cam_weights, check_occlusion, check_saliency,
                              check_transfer_counts)
from cnn_utils.checks.engine import hidden_seed
from cnn_utils import linear_probabilities, two_layer_scores
from cnn_utils.checks.explain import (grad_cam_weighting, reference_occlusion, reference_saliency,
                                      transfer_counts)
from cnn_utils.models import (cifar_resnet, feature_extractor, few_shot_subset, imagenet_transfer,
                              pretrained, trainable_count, transfer_model, unfreeze)


def _linear(weights, shape, softmax=False):
    """Flatten and one Dense without bias: the score of class k is sum(x * W[:, k])."""
    inputs = keras.Input(shape)
    dense = keras.layers.Dense(weights.shape[1], use_bias=False, activation="softmax" if softmax else None)
    model = keras.Model(inputs, dense(keras.layers.Flatten()(inputs)))
    dense.set_weights([weights.astype(np.float32)])
    return model


# -- hand-computed cases ----------------------------------------------------------------------

def test_saliency_of_a_linear_model_is_abs_weights_max_over_channels():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(2 * 3 * 3, 4))
    model = _linear(w, (2, 3, 3))
    x = rng.normal(size=(5, 2, 3, 3))
    for k in range(4):
        expected = np.abs(w[:, k]).reshape(2, 3, 3).max(axis=-1)
        got = saliency_map(model, x, k)
        assert got.shape == (5, 2, 3) and got.dtype == np.float32
        np.testing.assert_allclose(got, np.broadcast_to(expected, (5, 2, 3)), rtol=1e-5)


def test_saliency_differentiates_the_score_before_the_softmax():
    w = np.random.default_rng(1).normal(size=(4, 3))
    with_softmax, plain = _linear(w, (2, 2, 1), softmax=True), _linear(w, (2, 2, 1))
    x = np.ones((2, 2, 2, 1))
    np.testing.assert_allclose(saliency_map(with_softmax, x, 2), saliency_map(plain, x, 2), rtol=1e-5)
    inputs = keras.Input((2, 2, 1))
    layered = keras.Model(inputs, keras.layers.Softmax()(plain(inputs)))      # a Softmax layer at the end
    np.testing.assert_allclose(saliency_map(layered, x, 2), saliency_map(plain, x, 2), rtol=1e-5)
    np.testing.assert_allclose(score_model(with_softmax)(x), plain(x), rtol=1e-5)


def test_saliency_takes_the_predicted_class_by_default():
    w = np.zeros((4, 2))
    w[0, 0], w[3, 1] = 1.0, -5.0
    model = _linear(w, (2, 2, 1))
    x = np.zeros((2, 2, 2, 1))
    x[0, 0, 0, 0], x[1, 1, 1, 0] = 3.0, -1.0            # image 0 -> class 0, image 1 -> class 1
    got = saliency_map(model, x)
    assert got[0, 0, 0] == 1.0 and got[0, 1, 1] == 0.0
    assert got[1, 1, 1] == 5.0 and got[1, 0, 0] == 0.0
    np.testing.assert_allclose(saliency_map(model, x, [0, 1]), got)


def test_grad_cam_on_a_model_with_known_maps():
    # maps = the input itself (identity 1x1 convolution); score = w . global average of the maps.
    inputs = keras.Input((4, 4, 2))
    maps = keras.layers.Conv2D(2, 1, use_bias=False, name="maps")(inputs)
    score = keras.layers.Dense(1, use_bias=False)(keras.layers.GlobalAveragePooling2D()(maps))
    model = keras.Model(inputs, score)
    model.set_weights([np.eye(2).reshape(1, 1, 2, 2), np.array([[2.0], [-1.0]])])
    x = np.random.default_rng(2).uniform(0, 1, size=(3, 4, 4, 2)).astype(np.float32)
    # d score / d A_k = w_k / 16 everywhere, so the weights are w / 16 and the map ReLU(sum_k w_k A_k / 16).
    expected = np.maximum((x * np.array([2.0, -1.0])).sum(-1) / 16, 0)
    got = grad_cam(model, x, "maps", 0, upsample=False, normalize=False)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    normalised = grad_cam(model, x, "maps", 0, upsample=False)
    np.testing.assert_allclose(normalised, expected / expected.max(axis=(1, 2), keepdims=True), rtol=1e-5)


def test_occlusion_of_a_region_the_model_ignores_is_zero():
    # The model looks only at the left half: hiding anything in the right half changes nothing.
    w = np.zeros((6, 6, 1, 2))
    w[:, :3, 0, 0] = np.random.default_rng(3).normal(size=(6, 3))
    model = _linear(w.reshape(36, 2), (6, 6, 1), softmax=True)
    image = np.random.default_rng(4).uniform(0, 1, (6, 6, 1)).astype(np.float32)
    drop = occlusion_sensitivity(model, image, 0, patch=3, stride=3, fill=0.0)
    assert drop.shape == (2, 2)
    assert np.all(drop[:, 1] == 0) and np.all(drop[:, 0] != 0)


def test_occlusion_by_hand():
    def predict(x):          # p(class 0) = sigmoid(pixel (0, 0))
        p = 1 / (1 + np.exp(-np.asarray(x)[:, 0, 0, 0]))
        return np.stack([p, 1 - p], axis=1)

    drop = occlusion_sensitivity(predict, np.ones((5, 5, 1)), 0, patch=2, stride=2, fill=0.0)
    assert drop.shape == (2, 2)
    np.testing.assert_allclose(drop, [[1 / (1 + np.exp(-1)) - 0.5, 0], [0, 0]])
    mean_fill = occlusion_sensitivity(predict, np.ones((5, 5, 1)), 0, patch=2, stride=2)
    assert np.all(mean_fill == 0)       # the mean colour of a flat image is the image itself


def test_feature_maps_and_first_layer_filters():
    inputs = keras.Input((8, 8, 3))
    conv = keras.layers.Conv2D(4, 3, padding="same", name="conv")(inputs)
    pool = keras.layers.MaxPooling2D(2, name="pool")(conv)
    model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(pool)))
    image = np.random.default_rng(5).normal(size=(8, 8, 3)).astype(np.float32)
    maps = feature_maps(model, image, ["conv", "pool"])
    assert list(maps) == ["conv", "pool"] and maps["conv"].shape == (8, 8, 4) and maps["pool"].shape == (4, 4, 4)
    kernel = first_layer_filters(model)
    np.testing.assert_allclose(kernel, model.get_layer("conv").kernel.numpy())
    by_hand = tf.nn.conv2d(image[np.newaxis], kernel, 1, "SAME")[0] + model.get_layer("conv").bias
    np.testing.assert_allclose(maps["conv"], by_hand, rtol=1e-4, atol=1e-5)


# -- comparisons ------------------------------------------------------------------------------

def _keras_example_grad_cam(model, img_array, layer_name, pred_index):
    """keras.io/examples/vision/grad_cam's make_gradcam_heatmap, for one image (softmax removed)."""
    grad_model = keras.models.Model(model.inputs[0], [model.get_layer(layer_name).output, model.output])
    with tf.GradientTape() as tape:
        last_conv_layer_output, preds = grad_model(img_array)
        class_channel = preds[:, pred_index]
    grads = tape.gradient(class_channel, last_conv_layer_output)
    pooled_grads = tf.reduce_mean(grads, axis=(0, 1, 2))
    heatmap = last_conv_layer_output[0] @ pooled_grads[..., tf.newaxis]
    heatmap = tf.squeeze(heatmap)
    heatmap = tf.maximum(heatmap, 0) / tf.math.reduce_max(heatmap)
    return heatmap.numpy()


def test_grad_cam_equals_the_keras_example():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((12, 12, 3))
    x = keras.layers.Conv2D(6, 3, activation="relu", name="c1")(inputs)
    x = keras.layers.Conv2D(8, 3, activation="relu", name="c2")(x)
    logits = keras.layers.Dense(3)(keras.layers.GlobalAveragePooling2D()(x))
    model = keras.Model(inputs, logits)
    images = np.random.default_rng(6).normal(size=(3, 12, 12, 3)).astype(np.float32)
    ours = grad_cam(model, images, "c2", 1, upsample=False)
    for n in range(3):
        np.testing.assert_allclose(ours[n], _keras_example_grad_cam(model, images[n:n + 1], "c2", 1),
                                   rtol=1e-4, atol=1e-6)
    big = grad_cam(model, images, "c2", 1)
    assert big.shape == (3, 12, 12) and big.max() <= 1.0 + 1e-6 and big.min() >= 0


def test_occlusion_equals_a_loop_over_positions():
    model = _linear(np.random.default_rng(7).normal(size=(7 * 5 * 2, 3)) * 0.3, (7, 5, 2), softmax=True)
    image = np.random.default_rng(8).uniform(0, 1, (7, 5, 2)).astype(np.float32)
    drop = occlusion_sensitivity(model, image, 2, patch=3, stride=2, fill=0.25, batch_size=2)
    base = model(image[np.newaxis]).numpy()[0, 2]
    for i in range(drop.shape[0]):
        for j in range(drop.shape[1]):
            covered = image.copy()
            covered[2 * i:2 * i + 3, 2 * j:2 * j + 3] = 0.25
            assert abs(drop[i, j] - (base - model(covered[np.newaxis]).numpy()[0, 2])) < 1e-6
    assert drop.shape == (3, 2)


@settings(max_examples=25, deadline=None)
@given(h=st.integers(1, 9), w=st.integers(1, 9), data=st.data())
def test_occlusion_shape_property(h, w, data):
    patch = data.draw(st.integers(1, min(h, w)))
    stride = data.draw(st.integers(1, 4))
    image = np.full((h, w, 1), 0.5)
    drop = occlusion_sensitivity(lambda x: np.ones((len(x), 2)) / 2, image, 1, patch=patch, stride=stride)
    assert drop.shape == ((h - patch) // stride + 1, (w - patch) // stride + 1)
    assert np.all(drop == 0)                           # a model that ignores the image


@settings(max_examples=25, deadline=None)
@given(h=st.integers(1, 5), w=st.integers(1, 5), k=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_grad_cam_weighting_properties(h, w, k, seed):
    rng = np.random.default_rng(seed)
    maps, gradients = rng.normal(size=(h, w, k)), rng.normal(size=(h, w, k))
    cam = grad_cam_weighting(maps, gradients)
    assert cam.shape == (h, w) and np.all(cam >= 0)
    np.testing.assert_allclose(grad_cam_weighting(maps, 3 * gradients), 3 * cam)      # linear in the weights
    np.testing.assert_allclose(grad_cam_weighting(maps, gradients + 0), cam)


# -- bad arguments ----------------------------------------------------------------------------

def test_bad_arguments_say_what_and_how():
    model = _linear(np.ones((4, 2)), (2, 2, 1))
    with pytest.raises(ValueError, match=r"rank 4 \(N, H, W, C\); received shape \(2, 2, 1\).*image\[np.newaxis"):
        saliency_map(model, np.ones((2, 2, 1)))
    with pytest.raises(TypeError, match="real numbers"):
        saliency_map(model, np.array([[[["a"]]]]))
    with pytest.raises(TypeError, match="keras.Model"):
        saliency_map(lambda x: x, np.ones((1, 2, 2, 1)))
    with pytest.raises(ValueError, match="class indices in 0..1"):
        saliency_map(model, np.ones((1, 2, 2, 1)), 2)
    with pytest.raises(ValueError, match="no layer 'conv9'.*model.summary"):
        grad_cam(model, np.ones((1, 2, 2, 1)), "conv9")
    with pytest.raises(ValueError, match="feature maps"):
        grad_cam(model, np.ones((1, 2, 2, 1)), model.layers[-1].name)
    with pytest.raises(ValueError, match="patch.*<= the image"):
        occlusion_sensitivity(model, np.ones((2, 2, 1)), 0, patch=3)
    with pytest.raises(ValueError, match="rank 3"):
        occlusion_sensitivity(model, np.ones((2, 2, 2, 1)), 0)
    with pytest.raises(TypeError, match="class_index"):
        occlusion_sensitivity(model, np.ones((2, 2, 1)), 0.5, patch=1)
    with pytest.raises(TypeError, match="list of layer names"):
        feature_maps(model, np.ones((2, 2, 1)), "dense")
    with pytest.raises(ValueError, match="no Conv2D"):
        first_layer_filters(model)


def test_inputs_are_not_modified():
    model = _linear(np.ones((4, 2)), (2, 2, 1), softmax=True)
    x = np.arange(8.0).reshape(2, 2, 2, 1)
    copy = x.copy()
    saliency_map(model, x)
    occlusion_sensitivity(model, x[0], 0, patch=1, stride=1)
    cover_pixels(x, [[0], [1, 2]])
    assert np.array_equal(x, copy)


def test_cover_pixels_paints_each_image_in_its_own_mean_colour():
    images = np.stack([np.arange(12.0).reshape(2, 2, 3), np.full((2, 2, 3), 7.0)])
    covered = cover_pixels(images, [np.array([3]), np.array([], dtype=int)])
    assert covered.dtype == np.float32
    assert covered[0, 1, 1].tolist() == [4.5, 5.5, 6.5]          # the mean of the first image's pixels
    assert np.array_equal(covered[0].reshape(4, 3)[:3], images[0].reshape(4, 3)[:3])
    assert np.array_equal(covered[1], images[1])                  # no positions: unchanged
    # Every position covered: a uniform image of the mean colour, whichever order they come in.
    assert np.allclose(cover_pixels(images[:1], [[3, 0, 2, 1]])[0], images[0].mean(axis=(0, 1)))


def test_cover_pixels_rejects_positions_it_cannot_place():
    images = np.zeros((2, 2, 2, 3))
    with pytest.raises(ValueError, match=r"one array of pixel positions per image \(2\); received 1"):
        cover_pixels(images, [[0]])
    with pytest.raises(ValueError, match=r"integer positions in 0..3 .* received int64 values from 4 to 4"):
        cover_pixels(images, [[0], [4]])
    with pytest.raises(ValueError, match="integer positions"):
        cover_pixels(images, [[0.5], [1]])
    with pytest.raises(ValueError, match="1-D array of pixel positions"):
        cover_pixels(images, [[[0]], [1]])
    with pytest.raises(ValueError, match=r"rank 4"):
        cover_pixels(images[0], [[0]])


def test_patch_stride_and_classes_must_be_whole_positive_numbers():
    model = _linear(np.ones((4, 2)), (2, 2, 1), softmax=True)
    image = np.ones((2, 2, 1))
    with pytest.raises(ValueError, match="`patch` >= 1; received 0"):
        occlusion_sensitivity(model, image, 0, patch=0, stride=1)
    with pytest.raises(TypeError, match="`stride` to be an integer; received 1.5"):
        occlusion_sensitivity(model, image, 0, patch=1, stride=1.5)
    with pytest.raises(ValueError, match="`num_classes` >= 1; received 0"):
        transfer_model(feature_extractor(cifar_resnet(num_classes=5, widths=(4, 8, 8, 8))), num_classes=0)


# -- transfer ---------------------------------------------------------------------------------

def test_transfer_model_counts_and_frozen_base():
    counts = transfer_counts(5)
    assert counts["frozen"] == 256 * 5 + 5 == counts["head"]
    assert counts["total"] == cifar_resnet(num_classes=5).count_params()
    assert counts["unfrozen"] == counts["total"] - 2 * counts["moving"]     # gamma, beta frozen too
    extractor = feature_extractor(cifar_resnet(num_classes=5))
    model, head = transfer_model(extractor, 5)
    extractor.trainable = False
    assert trainable_count(model) == head.count_params()


def _fit_once(model, x):
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    model.fit(x, np.arange(len(x)) % 5, epochs=1, verbose=0)


def test_fine_tuning_keeps_batch_norm_statistics_only_with_bn_frozen():
    x = np.random.default_rng(9).uniform(0, 255, (8, 32, 32, 3)).astype(np.float32)
    # Keras 3: fit's training=True reaches the nested extractor despite training=False (issue 20285).
    extractor = feature_extractor(cifar_resnet(num_classes=5))
    model, _ = transfer_model(extractor, 5)
    extractor.trainable = True
    before = extractor.get_layer("prep_bn").moving_mean.numpy().copy()
    _fit_once(model, x)
    assert not np.array_equal(extractor.get_layer("prep_bn").moving_mean.numpy(), before)
    # unfreeze keeps the batch normalisation layers frozen: inference mode, statistics unchanged.
    extractor = feature_extractor(cifar_resnet(num_classes=5))
    model, head = transfer_model(extractor, 5)
    assert unfreeze(extractor) == 8
    bn, conv = extractor.get_layer("prep_bn"), extractor.get_layer("prep_conv")
    before, kernel = bn.moving_mean.numpy().copy(), conv.kernel.numpy().copy()
    _fit_once(model, x)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), before)
    assert not np.array_equal(conv.kernel.numpy(), kernel)          # the convolutions do learn


def test_few_shot_subset_takes_the_first_of_each_class_and_renumbers():
    y = np.array([9, 5, 5, 7, 9, 5, 7])
    x, labels = few_shot_subset((np.arange(7) * 10, y), (5, 7, 9), 1)
    assert x.tolist() == [0, 10, 30] and labels.tolist() == [2, 0, 1]


def test_imagenet_path_skips_offline_without_touching_the_network(monkeypatch):
    monkeypatch.setenv("CNN_UTILS_OFFLINE", "1")

    def no_download(*args, **kwargs):
        raise AssertionError("the offline run must not build MobileNetV2")

    monkeypatch.setattr(keras.applications, "MobileNetV2", no_download)
    result = imagenet_transfer(None, None)
    assert result["skipped"] and "건너뛰었습니다" in result["message"]


def test_imagenet_path_reports_a_failed_download(monkeypatch):
    monkeypatch.delenv("CNN_UTILS_OFFLINE", raising=False)

    def failing(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(keras.applications, "MobileNetV2", failing)
    result = imagenet_transfer(None, None)
    assert result["skipped"] and "OSError" in result["message"]


@pytest.mark.skipif(not os.environ.get("CNN_UTILS_CIFAR10_PATH"), reason="needs the shipped weights only")
def test_shipped_cifar5_grad_cam_and_saliency_shapes():
    model, record = pretrained("cifar5")
    assert record["classes"] == [0, 1, 2, 3, 4]
    assert isinstance(model.layers[-1], keras.layers.Softmax)
    x = np.random.default_rng(10).uniform(0, 255, (2, 32, 32, 3)).astype(np.float32)
    assert grad_cam(model, x, "stage3_res_add").shape == (2, 32, 32)
    assert saliency_map(model, x).shape == (2, 32, 32)
    assert feature_extractor(model).output_shape == (None, 256)


# -- figures ----------------------------------------------------------------------------------

def test_figures_draw_and_reject_bad_input():
    rng = np.random.default_rng(11)
    figures = [show_first_layer_filters(rng.normal(size=(3, 3, 3, 10))),
               show_layer_maps({"1단계": rng.random((8, 8, 4)), "2단계": rng.random((4, 4, 8))}, channels=3),
               show_explanations(rng.uniform(0, 255, (3, 8, 8, 3)),
                                 {"돌출 맵": rng.random((3, 8, 8)), "가림": rng.normal(size=(3, 2, 2)),
                                  "Grad-CAM": rng.random((3, 8, 8))}, titles=["가", "나", "다"], overlay=("Grad-CAM",)),
               plot_transfer_comparison({"처음부터": 0.5, "고정 특징": 0.77, "미세 조정": 0.78})]
    assert all(f.get_size_inches()[0] <= 10 for f in figures)
    plt.close("all")
    with pytest.raises(ValueError, match=r"\(KH, KW, 3, K\)"):
        show_first_layer_filters(np.ones((3, 3, 1, 4)))
    with pytest.raises(ValueError, match="accuracies in"):
        plot_transfer_comparison({"a": 77})
    with pytest.raises(ValueError, match="3 maps"):
        show_explanations(np.zeros((3, 4, 4, 3)), {"돌출 맵": np.zeros((2, 4, 4))})


# -- checkers ---------------------------------------------------------------------------------

def assert_diagnosed(result, diagnosis):
    assert not result.ok and result.diagnosis == diagnosis, result.message
    assert DIAGNOSES[diagnosis] in result.message


def _tape_saliency(reduce=lambda g: np.abs(g).max(-1), probability=False, watch=True):
    def saliency(images, class_index, w1, w2):
        x = tf.convert_to_tensor(images)
        with tf.GradientTape() as tape:
            if watch:
                tape.watch(x)
            scores = two_layer_scores(x, w1, w2)
            if probability:
                scores = tf.nn.softmax(scores)
            score = scores[:, class_index]
        gradient = tape.gradient(score, x)
        return reduce(gradient.numpy() if gradient is not None else None)
    return saliency


def test_reference_saliency_equals_saliency_map_of_the_same_keras_network():
    rng = np.random.default_rng(12)
    w1, w2 = rng.normal(size=(3 * 3 * 2, 5)), rng.normal(size=(5, 4))
    inputs = keras.Input((3, 3, 2))
    hidden = keras.layers.Dense(5, use_bias=False, activation="relu")(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, keras.layers.Dense(4, use_bias=False)(hidden))
    model.set_weights([w1.astype(np.float32), w2.astype(np.float32)])
    x = rng.normal(size=(3, 3, 3, 2)).astype(np.float32)
    np.testing.assert_allclose(reference_saliency(x, 2, w1, w2), saliency_map(model, x, 2), rtol=1e-5, atol=1e-7)


def test_reference_occlusion_equals_occlusion_sensitivity():
    rng = np.random.default_rng(13)
    weights, image = rng.normal(size=(6 * 5 * 2, 3)), rng.uniform(0, 1, (6, 5, 2))
    np.testing.assert_allclose(reference_occlusion(image, 1, 3, 2, 0.5, weights),
                               occlusion_sensitivity(lambda b: linear_probabilities(b, weights), image, 1,
                                                     patch=3, stride=2, fill=0.5), atol=1e-6)


def test_check_saliency_accepts_the_reference_and_diagnoses_each_mistake():
    assert check_saliency(reference_saliency).ok
    assert check_saliency(_tape_saliency()).ok
    assert_diagnosed(check_saliency(_tape_saliency(lambda g: g.max(-1))), "saliency_no_abs")
    assert_diagnosed(check_saliency(_tape_saliency(lambda g: np.abs(g).mean(-1))), "saliency_channel_mean")
    assert_diagnosed(check_saliency(_tape_saliency(lambda g: np.abs(g).sum(-1))), "saliency_channel_sum")
    assert_diagnosed(check_saliency(_tape_saliency(probability=True)), "saliency_probability")
    assert_diagnosed(check_saliency(_tape_saliency(watch=False)), "saliency_not_watched")
    assert_diagnosed(check_saliency(_tape_saliency(np.abs)), "saliency_not_reduced")
    assert check_saliency(lambda *a: (_ for _ in ()).throw(NotImplementedError())).diagnosis == "not_implemented"


def test_check_grad_cam_weights_diagnoses_each_mistake():
    assert check_grad_cam_weights(grad_cam_weighting).ok
    mistakes = {
        "cam_no_relu": lambda a, g: (a * g.mean((0, 1))).sum(-1),
        "cam_sum_weights": lambda a, g: np.maximum((a * g.sum((0, 1))).sum(-1), 0),
        "cam_pointwise": lambda a, g: np.maximum((a * g).sum(-1), 0),
        "cam_weights_from_maps": lambda a, g: np.maximum((a * a.mean((0, 1))).sum(-1), 0),
        "cam_channel_mean": lambda a, g: np.maximum((a * g.mean((0, 1))).mean(-1), 0),
        "cam_normalised": lambda a, g: grad_cam_weighting(a, g) / grad_cam_weighting(a, g).max(),
    }
    for diagnosis, fn in mistakes.items():
        assert_diagnosed(check_grad_cam_weights(fn), diagnosis)


def _loop_occlusion(sign=1, step=None, size=None, probability=False, ceil=False):
    def occlusion_map(image, class_index, patch, stride, fill, weights):
        h, w, _ = image.shape
        rows = (-(-(h - patch) // stride) + 1, -(-(w - patch) // stride) + 1) if ceil else \
            ((h - patch) // stride + 1, (w - patch) // stride + 1)
        base = linear_probabilities(image[np.newaxis], weights)[0, class_index]
        out = np.zeros(rows)
        for i in range(rows[0]):
            for j in range(rows[1]):
                covered = image.copy()
                s, p = step or stride, size or patch
                covered[i * s:i * s + p, j * s:j * s + p] = fill
                hidden = linear_probabilities(covered[np.newaxis], weights)[0, class_index]
                out[i, j] = hidden if probability else sign * (base - hidden)
        return out
    return occlusion_map


def test_check_occlusion_diagnoses_each_mistake():
    assert check_occlusion(reference_occlusion).ok
    assert check_occlusion(_loop_occlusion()).ok
    assert_diagnosed(check_occlusion(_loop_occlusion(sign=-1)), "occlusion_sign")
    assert_diagnosed(check_occlusion(_loop_occlusion(probability=True)), "occlusion_probability")
    assert_diagnosed(check_occlusion(_loop_occlusion(step=1)), "occlusion_no_stride")
    assert_diagnosed(check_occlusion(_loop_occlusion(ceil=True)), "occlusion_ceil_size")


def test_check_transfer_counts():
    counts = transfer_counts(5)
    assert check_transfer_counts(counts["frozen"], counts["unfrozen"]).ok
    wrong = check_transfer_counts(counts["total"], counts["total"])
    assert not wrong.ok and "고정한 특징 추출기까지" in wrong.message and "count_params()" in wrong.message
    assert check_transfer_counts(..., ...).score == 0


def test_hidden_cases_change_with_the_secret_seed():
    assert check_grad_cam_weights(grad_cam_weighting).ok
    with hidden_seed(12345):
        assert check_grad_cam_weights(grad_cam_weighting).ok
        assert check_occlusion(_loop_occlusion()).ok
        assert_diagnosed(check_grad_cam_weights(lambda a, g: (a * g.mean((0, 1))).sum(-1)), "cam_no_relu")
