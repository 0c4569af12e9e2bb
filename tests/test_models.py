import subprocess
import sys

import keras
import pytest

from cnn_utils import (ALEXNET_LAYERS, alexnet, conv_param_count, draw_alexnet_two_gpu, draw_lenet5,
                       lenet5)


# Building AlexNet initialises 62 million weights (seconds on a small CPU): build each form once.
@pytest.fixture(scope="module")
def alex():
    return alexnet()


@pytest.fixture(scope="module")
def alex_two_gpu():
    return alexnet(two_gpu=True)


def params(model):
    return {layer.name: layer.count_params() for layer in model.layers}


def test_cnn_utils_imports_without_keras():
    code = ("import sys, cnn_utils; "
            "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_lenet5_layers_and_total():
    model = lenet5()
    assert [layer.name for layer in model.layers] == [
        "c1", "s2", "c3", "s4", "flatten", "c5", "f6", "output"]
    assert params(model) == {"c1": 156, "s2": 0, "c3": 2416, "s4": 0, "flatten": 0,
                             "c5": 48120, "f6": 10164, "output": 850}
    assert model.count_params() == 61706
    assert model.get_layer("s4").output.shape == (None, 5, 5, 16)
    assert model.output_shape == (None, 10)


def test_lenet5_on_mnist_size_and_other_classes():
    model = lenet5(input_shape=(28, 28, 1), num_classes=5, activation="relu")
    assert model.get_layer("flatten").output.shape == (None, 256)
    assert model.count_params() == 156 + 2416 + (256 * 120 + 120) + 10164 + (84 * 5 + 5)
    assert model.get_layer("c1").activation.__name__ == "relu"


def test_alexnet_single_stream(alex):
    assert alex.count_params() == 62_378_344
    counts = params(alex)
    assert counts["conv1"] == conv_param_count(11, 3, 96) == 34_944
    assert counts["conv2"] == conv_param_count(5, 96, 256) == 614_656
    assert counts["conv5"] == conv_param_count(3, 384, 256) == 884_992
    assert counts["fc6"] == 6 * 6 * 256 * 4096 + 4096 == 37_752_832
    assert alex.get_layer("pool5").output.shape == (None, 6, 6, 256)
    assert [layer.name for layer in alex.layers if "drop" in layer.name] == ["drop6", "drop7"]
    assert alex.output_shape == (None, 1000)
    assert [layer.name for layer in alex.layers] == [
        "conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5", "flatten",
        "fc6", "drop6", "fc7", "drop7", "fc8"]


def test_alexnet_two_gpu_groups_only_the_private_layers(alex_two_gpu):
    model = alex_two_gpu
    assert model.count_params() == 60_965_224           # the paper's "60 million parameters"
    counts = params(model)
    for spec in ALEXNET_LAYERS:
        layer = model.get_layer(spec.name)
        if spec.kernel:
            assert layer.groups == spec.groups
            d = layer.input.shape[-1]
            per_gpu = conv_param_count(spec.kernel, d // spec.groups, spec.size // spec.groups)
            assert counts[spec.name] == spec.groups * per_gpu
    assert [s.name for s in ALEXNET_LAYERS if s.groups == 2] == ["conv2", "conv4", "conv5"]


def test_smallest_alexnet_and_other_classes():
    model = alexnet(input_shape=(67, 67, 3), num_classes=10)  # pool5 maps of 1x1
    assert model.get_layer("pool5").output.shape == (None, 1, 1, 256)
    assert model.output_shape == (None, 10)
    assert model.name == "alexnet" and alexnet((67, 67, 3), two_gpu=True).name == "alexnet_two_gpu"


@pytest.mark.parametrize("builder, kwargs, error, match", [
    (lenet5, {"input_shape": (12, 12, 1)}, ValueError, r"at least 16x16 pixels.*\(12, 12, 1\)"),
    (alexnet, {"input_shape": (64, 64, 3)}, ValueError, r"at least 67x67 pixels"),
    (lenet5, {"input_shape": (32, 32)}, ValueError, r"\(height, width, channels\); received"),
    (lenet5, {"num_classes": 0}, ValueError, r"`num_classes` >= 1; received 0"),
    (alexnet, {"num_classes": 10.0}, TypeError, r"`num_classes` to be an integer"),
    (alexnet, {"two_gpu": "yes"}, TypeError, r"`two_gpu` to be True or False"),
])
def test_errors(builder, kwargs, error, match):
    with pytest.raises(error, match=match):
        builder(**kwargs)


def test_two_gpu_drawing():
    fig = draw_alexnet_two_gpu()
    arrows = [p.get_gid() for p in fig.axes[0].patches if p.get_gid()]
    across = sorted(gid.split(":")[1] for gid in arrows if gid.startswith("across"))
    assert across == ["conv3", "conv3", "fc6", "fc6", "fc7", "fc7", "fc8", "fc8"]
    within = [gid.split(":")[1] for gid in arrows if gid.startswith("within")]
    assert sorted(set(within)) == ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7"]
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "conv1\n11×11 필터\n스트라이드 4\n55×55×48\n최대 풀링\n→ 27×27" in texts
    assert "conv5\n3×3 필터\n13×13×128\n최대 풀링\n→ 6×6" in texts
    assert "입력\n227×227×3" in texts and "fc8\n완전 연결\n1000\n소프트맥스" in texts
    assert "특징 맵을 주고받는다" in fig.axes[0].get_title()
    assert fig.get_figwidth() <= 10  # 10-point text stays legible in the book (test_legibility)


def test_lenet5_drawing_shapes_follow_the_model():
    fig = draw_lenet5()
    texts = [t.get_text() for t in fig.axes[0].texts]
    for name in ["입력", "C1", "S2", "C3", "S4", "C5", "F6", "출력", "특징 추출기", "분류기"]:
        assert name in texts
    model = lenet5(input_shape=(28, 28, 1), num_classes=7)
    texts = [t.get_text() for t in draw_lenet5((28, 28, 1), num_classes=7).axes[0].texts]
    shapes = ["×".join(str(d) for d in layer.output.shape[1:]) for layer in model.layers
              if layer.name != "flatten"]
    assert shapes == ["24×24×6", "12×12×6", "8×8×16", "4×4×16", "120", "84", "7"]
    assert all(shape in texts for shape in shapes)
    with pytest.raises(ValueError, match="at least"):
        draw_lenet5((8, 8, 1))
    with pytest.raises(ValueError, match=r"\(height, width, channels\)"):
        draw_lenet5((32, 32))
