"""CIFAR-10: the same arrays' shapes and dtypes as Keras, from Keras or from an offline JPEG copy.

Used in chapters 10 and 12 (and the rest of the CIFAR-10 part, chapter 11 of ../shared/OUTLINE.md)
and by `tasks.py train cifar10`.

The offline copy (`cifar10-jpeg.tar.gz`, the tests' and CI's file) holds every image as a JPEG file
`train/<class>/NNNN.jpg` or `test/<class>/NNNN.jpg`. Decoding its 60,000 files takes seconds, so the
decoded arrays are cached as `.npy` files under a folder named after the archive's SHA-256; a
second load reads them back in well under a second.
"""

import hashlib
import io
import os
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from .data import keras_or_file

CIFAR10_ENV_VAR = "CNN_UTILS_CIFAR10_PATH"
CACHE_ENV_VAR = "CNN_UTILS_CACHE_DIR"
# Keras's label of each class is its index here.
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck")
CIFAR10_CLASSES_KO = ("비행기", "자동차", "새", "고양이", "사슴", "개", "개구리", "말", "배", "트럭")
# The archive lists its files by class; a fixed shuffle gives a mixed order, as Keras's arrays have,
# so that a validation split taken from the end of the training set holds every class.
SHUFFLE_SEED = 10
_SPLITS = {"train": 5000, "test": 1000}   # images per class
_CACHE_FORMAT = "v1"
_ARRAYS = ("x_train", "y_train", "x_test", "y_test")


def load_cifar10(path=None, cache_dir=None):
    """Loads CIFAR-10 with the shapes and dtypes `tf.keras.datasets.cifar10.load_data()` returns.

    Where the arrays come from, in order:

    1. `path`, if given: the offline archive `cifar10-jpeg.tar.gz` (see `../shared/data/README.md`);
    2. the archive named by the environment variable ``CNN_UTILS_CIFAR10_PATH`` (the tests and CI
       set it, so nothing is downloaded there);
    3. otherwise Keras, which downloads the official data once into ``~/.keras/datasets``.

    The offline copy went through JPEG compression, so its pixels differ slightly from Keras's; its
    images are put in a fixed shuffled order (seed `SHUFFLE_SEED`), not Keras's order.

    Args:
        path: optional path of the archive.
        cache_dir: folder for the decoded arrays; default ``CNN_UTILS_CACHE_DIR`` or
            ``~/.cache/cnn_utils``. When it cannot be written, the arrays are decoded every time.

    Returns:
        `((x_train, y_train), (x_test, y_test))`: uint8 arrays of shapes (50000, 32, 32, 3),
        (50000, 1), (10000, 32, 32, 3) and (10000, 1).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_cifar10()
        >>> x_train.shape, x_train.dtype, y_train.shape, y_test.shape
        ((50000, 32, 32, 3), dtype('uint8'), (50000, 1), (10000, 1))
        >>> [CIFAR10_CLASSES_KO[k] for k in y_train[:3, 0]]
        ['새', '배', '자동차']
    """
    source, keras_data = keras_or_file(path, CIFAR10_ENV_VAR, "load_cifar10", "CIFAR-10",
                                       "cifar10-jpeg.tar.gz")
    if keras_data is not None:
        return keras_data
    source = Path(source)
    digest = _sha256(source)
    folder = _cache_folder(cache_dir, digest)
    arrays = _read_cache(folder)
    if arrays is None:
        arrays = _shuffled(_decode_archive(source))
        _write_cache(folder, arrays)
    x_train, y_train, x_test, y_test = arrays
    return (x_train, y_train), (x_test, y_test)


def decode_cifar10_archive(path):
    """The archive's images in its sorted path order (by label, then file number), unshuffled.

    These are the arrays whose SHA-256 `../shared/data/README.md` gives; `load_cifar10` shuffles
    them. Labels have shape (N,) here.

    Returns:
        `(x_train, y_train, x_test, y_test)`.
    """
    return _decode_archive(Path(os.fspath(path)))


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cache_folder(cache_dir, digest):
    root = cache_dir if cache_dir is not None else os.environ.get(CACHE_ENV_VAR)
    root = Path(root) if root else Path.home() / ".cache" / "cnn_utils"
    return root / f"cifar10-{digest[:16]}-{_CACHE_FORMAT}"


def _read_cache(folder):
    files = [folder / f"{name}.npy" for name in _ARRAYS]
    if not all(f.is_file() for f in files):
        return None
    try:
        arrays = tuple(np.load(f, allow_pickle=False) for f in files)
    except (OSError, ValueError):
        return None   # a damaged cache is decoded again and rewritten
    if not _valid(arrays):
        return None
    return arrays


def _write_cache(folder, arrays):
    """Writes the arrays atomically (a temporary folder renamed into place); skips an unwritable one."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
        for name, array in zip(_ARRAYS, arrays):
            np.save(tmp / f"{name}.npy", array, allow_pickle=False)
        try:
            os.replace(tmp, folder)
        except OSError:   # another process cached it first
            for f in tmp.iterdir():
                f.unlink()
            tmp.rmdir()
    except OSError:
        pass


def _valid(arrays):
    shapes = [(50000, 32, 32, 3), (50000, 1), (10000, 32, 32, 3), (10000, 1)]
    return all(a.dtype == np.uint8 and a.shape == s for a, s in zip(arrays, shapes))


def _decode_archive(source):
    from PIL import Image

    found = []
    try:
        # One pass in the archive's own order: a compressed archive cannot seek back cheaply.
        with tarfile.open(source, "r:*") as archive:
            for member in archive:
                if not (member.isfile() and member.name.lower().endswith(".jpg")):
                    continue
                split, label = _split_and_label(member.name, source)
                data = archive.extractfile(member).read()
                with Image.open(io.BytesIO(data)) as image:
                    pixels = np.asarray(image.convert("RGB"), dtype=np.uint8)
                found.append((Path(member.name).parts[-3:], split, label, pixels))
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ValueError(
            f"load_cifar10 could not read {str(source)!r} as the CIFAR-10 JPEG archive ({exc}). "
            "Use the file cifar10-jpeg.tar.gz described in ../shared/data/README.md."
        ) from exc
    found.sort(key=lambda item: item[0])   # sorted path order: by label, then file number
    images = {split: [(label, pixels) for _, where, label, pixels in found if where == split]
              for split in _SPLITS}
    out = []
    for split, per_class in _SPLITS.items():
        labels = np.array([label for label, _ in images[split]], dtype=np.uint8)
        counts = np.bincount(labels, minlength=10) if labels.size else np.zeros(10, int)
        if counts.tolist() != [per_class] * 10 or any(p.shape != (32, 32, 3)
                                                       for _, p in images[split]):
            raise ValueError(
                f"load_cifar10 expects {str(source)!r} to hold {per_class} images of 32x32 per "
                f"class under {split}/<class>/; it has {counts.tolist()} in class order "
                f"{list(CIFAR10_CLASSES)}. Use the file cifar10-jpeg.tar.gz described in "
                "../shared/data/README.md."
            )
        out += [np.stack([p for _, p in images[split]]), labels]
    return tuple(out)


def _split_and_label(name, source):
    parts = Path(name).parts
    if len(parts) < 3 or parts[-3] not in _SPLITS or parts[-2] not in CIFAR10_CLASSES:
        raise ValueError(
            f"load_cifar10: {str(source)!r} holds {name!r}, which is not "
            "train/<class>/NNNN.jpg or test/<class>/NNNN.jpg with a Keras class name "
            f"({', '.join(CIFAR10_CLASSES)}). Use the file cifar10-jpeg.tar.gz described in "
            "../shared/data/README.md."
        )
    return parts[-3], CIFAR10_CLASSES.index(parts[-2])


def _shuffled(arrays):
    x_train, y_train, x_test, y_test = arrays
    rng = np.random.default_rng(SHUFFLE_SEED)
    train, test = rng.permutation(len(x_train)), rng.permutation(len(x_test))
    return (x_train[train], y_train[train, np.newaxis], x_test[test], y_test[test, np.newaxis])
