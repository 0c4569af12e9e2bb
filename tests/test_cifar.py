"""cnn_utils.load_cifar10: Keras's shapes and dtypes, the offline archive, its cache, its errors."""

import hashlib
import io
import os
import tarfile

import numpy as np
import pytest

from cnn_utils import CIFAR10_CLASSES, CIFAR10_ENV_VAR, load_cifar10
from cnn_utils import cifar

# sha256 of each array's bytes after decoding in sorted path order, from ../shared/data/README.md.
SHA256 = {
    "x_train": "bf3aabd52be912dae02a0435296c4dab5289524b57f55cd162dc4796935a611b",
    "y_train": "a29f2a5ffc141bb1c9e1af453e9a5ef8c316b2f675f8cea1d849d220d33a14fb",
    "x_test": "5a6aa8185204d80b65d3dfb540696dadd5f10d185ded226a96665d3e0fc6259f",
    "y_test": "a054c239a40ee7f2a5745e7e4bc11a51e9cb40c98134b602c1068e6a207487c6",
}


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One decoded cache for the module (decoding takes about 10 s of CPU)."""
    return tmp_path_factory.mktemp("cifar-cache")


@pytest.fixture(scope="module")
def arrays(cache):
    return load_cifar10(cache_dir=cache)


def test_offline_archive_gives_keras_shapes_and_dtypes(arrays):
    assert os.path.isfile(os.environ[CIFAR10_ENV_VAR])
    (x_train, y_train), (x_test, y_test) = arrays
    assert (x_train.shape, y_train.shape) == ((50000, 32, 32, 3), (50000, 1))
    assert (x_test.shape, y_test.shape) == ((10000, 32, 32, 3), (10000, 1))
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert np.bincount(y_train[:, 0]).tolist() == [5000] * 10
    assert np.bincount(y_test[:, 0]).tolist() == [1000] * 10


def test_the_pixels_are_the_readmes_arrays_in_a_fixed_shuffle(arrays):
    """Undoing the documented shuffle gives back the arrays whose hashes the data README gives."""
    (x_train, y_train), (x_test, y_test) = arrays
    rng = np.random.default_rng(cifar.SHUFFLE_SEED)
    train, test = np.argsort(rng.permutation(50000)), np.argsort(rng.permutation(10000))
    unshuffled = {"x_train": x_train[train], "y_train": y_train[train, 0],
                  "x_test": x_test[test], "y_test": y_test[test, 0]}
    for name, array in unshuffled.items():
        assert hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest() == SHA256[name], name
    assert round(float(x_train.mean()), 3) == 120.688


def test_a_validation_split_from_the_end_holds_every_class(arrays):
    """The archive is sorted by class; unshuffled, x_train[-5000:] would be trucks only."""
    (_, y_train), _ = arrays
    counts = np.bincount(y_train[-5000:, 0], minlength=10)
    assert counts.min() > 400, counts


def test_the_second_load_reads_the_cache(cache, arrays, monkeypatch):
    def no_decoding(path):
        raise AssertionError("decoded again although the cache is there")

    monkeypatch.setattr(cifar, "_decode_archive", no_decoding)
    (x_train, y_train), _ = load_cifar10(cache_dir=cache)
    np.testing.assert_array_equal(x_train[:50], arrays[0][0][:50])
    np.testing.assert_array_equal(y_train, arrays[0][1])


def test_a_damaged_cache_is_decoded_again(cache, arrays):
    folder = next(cache.iterdir())
    (folder / "y_test.npy").write_bytes(b"not an array")
    assert cifar._read_cache(folder) is None
    np.save(folder / "y_test.npy", np.zeros((10000, 2), np.uint8))   # wrong shape
    assert cifar._read_cache(folder) is None
    np.save(folder / "y_test.npy", arrays[1][1])
    assert cifar._read_cache(folder) is not None


def test_an_unwritable_cache_folder_still_loads(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    small = (np.zeros((50000, 32, 32, 3), np.uint8), np.zeros(50000, np.uint8),
             np.zeros((10000, 32, 32, 3), np.uint8), np.zeros(10000, np.uint8))
    monkeypatch.setattr(cifar, "_decode_archive", lambda path: small)
    (x_train, y_train), _ = load_cifar10(cache_dir=blocker / "cache")
    assert x_train.shape == (50000, 32, 32, 3) and y_train.shape == (50000, 1)


def test_environment_variable_pointing_nowhere(monkeypatch, tmp_path):
    monkeypatch.setenv(CIFAR10_ENV_VAR, str(tmp_path / "nowhere.tar.gz"))
    with pytest.raises(FileNotFoundError,
                       match=f"environment variable {CIFAR10_ENV_VAR}.*not a file.*unset"):
        load_cifar10()


def _archive(path, names):
    with tarfile.open(path, "w:gz") as archive:
        for name in names:
            buffer = io.BytesIO()
            from PIL import Image
            Image.fromarray(np.zeros((32, 32, 3), np.uint8)).save(buffer, format="JPEG")
            info = tarfile.TarInfo(name)
            info.size = buffer.tell()
            buffer.seek(0)
            archive.addfile(info, buffer)
    return path


def test_an_archive_with_missing_images_says_what_it_holds(tmp_path):
    path = _archive(tmp_path / "few.tar.gz", [f"train/{c}/0001.jpg" for c in CIFAR10_CLASSES])
    with pytest.raises(ValueError, match=r"5000 images of 32x32 per class under train/.*\[1, 1, 1"):
        load_cifar10(path, cache_dir=tmp_path / "cache")


def test_an_archive_with_an_unknown_class_names_the_file(tmp_path):
    path = _archive(tmp_path / "odd.tar.gz", ["train/unicorn/0001.jpg"])
    with pytest.raises(ValueError, match=r"'train/unicorn/0001.jpg'.*Keras class name"):
        load_cifar10(path, cache_dir=tmp_path / "cache")


def test_a_file_that_is_not_an_archive(tmp_path):
    bad = tmp_path / "cifar10-jpeg.tar.gz"
    bad.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(ValueError, match="could not read .* as the CIFAR-10 JPEG archive"):
        load_cifar10(bad, cache_dir=tmp_path / "cache")


def test_without_a_file_it_asks_keras(monkeypatch):
    import tensorflow as tf

    sentinel = ((np.zeros((1, 32, 32, 3), np.uint8), np.zeros((1, 1), np.uint8)),) * 2
    monkeypatch.delenv(CIFAR10_ENV_VAR)
    monkeypatch.setattr(tf.keras.datasets.cifar10, "load_data", lambda: sentinel)
    assert load_cifar10() is sentinel
