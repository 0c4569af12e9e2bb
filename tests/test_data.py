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
