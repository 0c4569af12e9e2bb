import hashlib
import os

import numpy as np
import pytest

from cnn_utils import MNIST_ENV_VAR, load_mnist

# sha256 of each array's bytes, from ../shared/data/README.md (the arrays Keras returns).
SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}


def test_offline_file_gives_the_keras_arrays():
    assert os.path.isfile(os.environ[MNIST_ENV_VAR])
    (x_train, y_train), (x_test, y_test) = load_mnist()
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    for name, array in arrays.items():
        assert array.dtype == np.uint8
        assert hashlib.sha256(array.tobytes()).hexdigest() == SHA256[name], name
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    np.testing.assert_array_equal(y_train[:10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
    np.testing.assert_array_equal(y_test[:10], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])


def test_explicit_path_wins_over_environment(tmp_path, monkeypatch):
    small = tmp_path / "small.npz"
    arrays = {k: np.full((2, 28, 28) if k.startswith("x") else (2,), i, np.uint8)
              for i, k in enumerate(SHA256)}
    np.savez(small, **arrays)
    monkeypatch.setenv(MNIST_ENV_VAR, str(tmp_path / "missing.npz"))
    (x_train, y_train), (x_test, y_test) = load_mnist(small)
    assert x_train.shape == (2, 28, 28) and y_test.tolist() == [3, 3]


def test_environment_variable_pointing_nowhere(monkeypatch, tmp_path):
    monkeypatch.setenv(MNIST_ENV_VAR, str(tmp_path / "nowhere.npz"))
    with pytest.raises(FileNotFoundError, match=f"environment variable {MNIST_ENV_VAR}.*not a file"):
        load_mnist()


def test_file_missing_arrays(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, x_train=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(ValueError, match=r"lacks \['y_train', 'x_test', 'y_test'\]"):
        load_mnist(bad)


def test_without_a_file_it_asks_keras(monkeypatch):
    import tensorflow as tf

    sentinel = ((np.zeros((1, 28, 28), np.uint8), np.zeros(1, np.uint8)),) * 2
    monkeypatch.delenv(MNIST_ENV_VAR)
    monkeypatch.setattr(tf.keras.datasets.mnist, "load_data", lambda: sentinel)
    assert load_mnist() is sentinel


# to_conv_input ------------------------------------------------------------------------------------

from cnn_utils import to_conv_input  # noqa: E402


def test_to_conv_input_on_mnist_matches_the_keras_recipe():
    (x_train, _), _ = load_mnist()
    images = x_train[:100]
    before = images.copy()
    x = to_conv_input(images)
    assert x.shape == (100, 28, 28, 1) and x.dtype == np.float32
    expected = images.reshape(-1, 28, 28, 1).astype("float32") / 255
    np.testing.assert_allclose(x, expected, rtol=0, atol=1e-7)
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(images, before)  # the input is not modified


def test_to_conv_input_scales_every_pixel_value():
    pixels = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    x = to_conv_input(pixels)
    np.testing.assert_allclose(x[0, :, :, 0], pixels[0] / 255.0, rtol=1e-6)
    assert x[0, 0, 0, 0] == 0.0 and x[0, -1, -1, 0] == 1.0


def test_to_conv_input_returns_a_new_array():
    images = np.zeros((2, 3, 4), dtype=np.uint8)
    x = to_conv_input(images)
    assert x.shape == (2, 3, 4, 1)
    x[...] = 1.0
    assert images.max() == 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, bool])
def test_to_conv_input_rejects_other_dtypes(dtype):
    with pytest.raises(TypeError, match=f"uint8.*received dtype {np.dtype(dtype).name}"):
        to_conv_input(np.zeros((2, 28, 28), dtype=dtype))


@pytest.mark.parametrize("shape, hint", [
    ((28, 28), r"images\[np.newaxis\]"),
    ((2, 28, 28, 1), "already has a channel axis"),
    ((2, 28, 28, 3), "stack of grayscale images"),
    ((784,), "stack of grayscale images"),
])
def test_to_conv_input_rejects_other_ranks(shape, hint):
    with pytest.raises(ValueError, match=rf"rank 3 \(N, H, W\); received shape .*{hint}"):
        to_conv_input(np.zeros(shape, dtype=np.uint8))
