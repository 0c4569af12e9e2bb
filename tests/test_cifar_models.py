"""The CIFAR-10 part's models (cnn_utils.models.cifar, cifar_training) and the shipped weights."""

import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from cnn_utils.models import (SHIPPED, augmentation, cifar_resnet, pretrained, residual_block,  # noqa: E402
                              split_cifar10, train_cifar, vgg_block)
from cnn_utils.models import cifar_training  # noqa: E402


def _tiny_images(rng, n):
    return rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, size=n)


def test_resnet_stages_and_parameters():
    model = cifar_resnet()
    shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in model.layers}
    assert shapes["prep_relu"] == (32, 32, 32)
    assert shapes["stage1_res_add"] == (16, 16, 64)
    assert shapes["stage2_pool"] == (8, 8, 128)
    assert shapes["stage3_res_add"] == (4, 4, 256)
    assert model.output_shape == (None, 10)
    # The convolutions' kernels: 3*3*(3*32 + 32*64 + 2*64*64 + 64*128 + 128*256 + 2*256*256).
    kernels = sum(int(np.prod(w.shape)) for w in model.trainable_weights if len(w.shape) == 4)
    assert kernels == 9 * (3 * 32 + 32 * 64 + 2 * 64 * 64 + 64 * 128 + 128 * 256 + 2 * 256 * 256)
    assert cifar_resnet(num_classes=5).output_shape == (None, 5)


def test_resnet_standardises_raw_images_itself():
    model = cifar_resnet()
    standardise = keras.Model(model.input, model.get_layer("standardise").output)
    mean_image = np.broadcast_to(np.float32([125.3, 123.0, 113.9]), (1, 32, 32, 3))
    assert np.allclose(standardise.predict(mean_image, verbose=0), 0, atol=1e-5)


@pytest.mark.parametrize("widths, message", [((32, 64, 128), "four ints"), ((32, 64, 0, 256), "positive int"),
                                             ("wide", "four ints")])
def test_resnet_rejects_bad_widths(widths, message):
    with pytest.raises(ValueError, match=message):
        cifar_resnet(widths)


def test_blocks_keep_or_halve_the_shape():
    inputs = keras.Input((8, 8, 16))
    assert tuple(vgg_block(inputs, 24, 2, "v").shape) == (None, 4, 4, 24)
    assert tuple(residual_block(inputs, "r").shape) == (None, 8, 8, 16)
    with pytest.raises(ValueError, match="convs"):
        vgg_block(inputs, 24, 0, "v")


def test_augmentation_moves_whole_pixels_and_is_off_at_test_time():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(16, 32, 32, 3)).astype(np.float32)
    layers = augmentation(seed=1)
    changed = np.asarray(layers(images, training=True))
    assert changed.shape == images.shape
    assert not np.array_equal(changed, images)
    for before, after in zip(images, changed):   # nearest and reflect: only values of the image itself
        assert np.isin(after, before).all()
    assert np.array_equal(np.asarray(layers(images, training=False)), images)
    with pytest.raises(ValueError, match="translation"):
        augmentation(translation=0.6)


def test_split_keeps_the_last_5000_training_images_for_validation():
    rng = np.random.default_rng(0)
    x, y = _tiny_images(rng, 6000)
    xt, yt = _tiny_images(rng, 100)
    (a, b), (c, d), (e, f) = split_cifar10(((x, y[:, None]), (xt, yt[:, None])))
    assert (len(a), len(c), len(e)) == (1000, 5000, 100)
    assert np.array_equal(c, x[1000:]) and b.shape == (1000,)
    (a, b), (c, d), (e, f) = split_cifar10(((x, y[:, None]), (xt, yt[:, None])), classes=range(5))
    assert set(b) | set(d) | set(f) <= set(range(5))
    assert len(c) == int(np.sum(y[1000:] < 5))


def test_train_cifar_records_every_epoch_in_korean(capsys):
    rng = np.random.default_rng(0)
    train, validation, test = _tiny_images(rng, 64), _tiny_images(rng, 32), _tiny_images(rng, 32)
    model = cifar_resnet(widths=(4, 8, 8, 8))
    record = train_cifar(model, train, validation, 2, test=test, batch_size=32)
    assert set(record) == {"seconds", "loss", "val_accuracy", "test_accuracy"}
    assert all(len(values) == 2 for values in record.values())
    assert record["seconds"][1] > record["seconds"][0] > 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("에포크 1: 손실 ") and "검증 정확도" in lines[0]
    with pytest.raises(ValueError, match="epochs"):
        train_cifar(model, train, validation, 0)


def test_unknown_or_missing_shipped_model(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="cifar10"):
        pretrained("imagenet")
    monkeypatch.setattr(cifar_training, "WEIGHTS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="tasks.py train cifar5"):
        pretrained("cifar5")


def test_saved_model_and_record_round_trip(tmp_path, monkeypatch):
    monkeypatch.setattr(cifar_training, "WEIGHTS_DIR", tmp_path)
    # pretrained() builds the book's architecture from the code and loads only the weights, so the
    # saved model is the full-width one and its record names its classes.
    model = cifar_resnet(num_classes=10)
    written = {"classes": list(range(10)), "test_accuracy": 0.5, "설명": "한국어"}
    path = cifar_training.save_trained(model, written, "cifar10")
    assert path == tmp_path / "cifar10_resnet.keras"
    loaded, record = pretrained("cifar10")
    assert record == written
    images = _tiny_images(np.random.default_rng(0), 4)[0].astype(np.float32)
    assert np.allclose(loaded.predict(images, verbose=0), model.predict(images, verbose=0), atol=1e-6)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_the_shipped_models_are_what_their_records_say(name):
    """The files in cnn_utils/weights load on this stack, and their records hold the recipe's
    figures; the ResNet on all classes meets the issue's goal (85% within 20 minutes)."""
    from cnn_utils import load_cifar10

    model, record = pretrained(name)
    _, classes, epochs = SHIPPED[name]
    assert record["command"] == f"python3 tasks.py train {name}"
    assert record["classes"] == list(classes) and record["epochs"] == epochs
    assert model.output_shape == (None, len(classes)) and model.count_params() == record["parameters"]
    (_, _), (_, _), (x_test, y_test) = split_cifar10(load_cifar10(), classes)
    # 2,000 test images: the recorded accuracy, within sampling noise and CPU-path differences.
    assert abs(cifar_training.accuracy(model, x_test[:2000], y_test[:2000]) - record["test_accuracy"]) < 0.03
    if name == "cifar10":
        assert record["test_accuracy"] >= 0.85
        assert json.loads(json.dumps(record))["seconds_to_85"] is not None
