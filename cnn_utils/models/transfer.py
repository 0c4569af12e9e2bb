"""Transfer learning without downloads: the cifar5 ResNet's features reused for the other five classes.

Used in chapter 12. The shipped model `pretrained("cifar5")` learned only CIFAR-10's classes 0-4
(airplane, automobile, bird, cat, deer). `feature_extractor` cuts it before its classifier (the
256 numbers of the global max pooling); `transfer_model` puts a new dense head for classes 5-9
(dog, frog, horse, ship, truck) on top; on the same few hundred images `transfer_and_fine_tune` trains
the first two and `train_from_scratch` the third:

1. frozen features: only the head learns (the extractor is run once on the images, which gives the
   same result as a frozen extractor in inference mode and is many times faster);
2. fine-tuning: then everything learns with a small learning rate except the batch normalisation
   layers, which `unfreeze` keeps frozen so that they run in inference mode and keep the moving
   statistics learned from 22,000 images. Keras's transfer-learning guide
   (keras.io/guides/transfer_learning) offers that or calling the extractor with
   ``training=False``; with Keras 3 the second is not enough, since `fit` calls the outer model
   with ``training=True`` and that reaches the nested extractor (keras-team/keras issue 20285;
   `tests/test_explain.py` shows the moving means change), so both are done here;
3. from scratch: the same architecture, freshly initialised, trained on the same images.

`imagenet_transfer` is the path with ImageNet weights from `keras.applications` (MobileNetV2),
for readers online; with ``CNN_UTILS_OFFLINE=1`` or when the download fails it says in Korean that
it skipped and touches no network.

Keras is imported inside the functions: the rest of `cnn_utils` works without TensorFlow.
"""

import os
import time

import numpy as np

from .._validation import positive_int
from ..explain import _inputs
from .cifar import cifar_resnet

FEATURE_LAYER = "global_pool"     # the last layer before the classifier head of `cifar_resnet`


def feature_extractor(model, layer_name=FEATURE_LAYER):
    """The part of `model` from its input to layer `layer_name` (by default the 256 pooled features).

    The new model shares the original's layers and weights (nothing is copied).

    Args:
        model: a `keras.Model`, e.g. ``pretrained("cifar5")[0]``.
        layer_name: str, the last layer to keep.

    Returns:
        A `keras.Model` named "feature_extractor".

    Example:
        >>> feature_extractor(cifar_resnet(num_classes=5)).output_shape
        (None, 256)
    """
    import keras

    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(f"feature_extractor: the model {model.name!r} has no layer {layer_name!r}; "
                         f"its layers are {', '.join(names)}.")
    return keras.Model(_inputs(model), model.get_layer(layer_name).output, name="feature_extractor")


def few_shot_subset(data, classes, per_class):
    """The first `per_class` images of each class in `classes`, labels renumbered 0..len(classes)-1.

    Args:
        data: (x, y) with labels of shape (N,), e.g. a part of `split_cifar10(...)`.
        classes: the original labels, in the order of the new ones (5-9 become 0-4).
        per_class: int, images per class (None: all of them).

    Returns:
        (x, y): images in their original order, y of dtype int64.

    Example:
        >>> x, y = few_shot_subset((np.arange(10), np.array([5, 6, 5, 7, 6, 5, 7, 7, 6, 5])), (5, 6), 2)
        >>> x.tolist(), y.tolist()
        ([0, 1, 2, 4], [0, 1, 0, 1])
    """
    x, y = data
    y = np.asarray(y).reshape(-1)
    keep = np.zeros(len(y), bool)
    for c in classes:
        where = np.flatnonzero(y == c)
        keep[where if per_class is None else where[:per_class]] = True
    lookup = {c: k for k, c in enumerate(classes)}
    return x[keep], np.array([lookup[v] for v in y[keep]], dtype=np.int64)


def transfer_model(extractor, num_classes=5, seed=0):
    """A new classifier on top of `extractor`: extractor (in inference mode), then a softmax dense head.

    The extractor is called with ``training=False``, as Keras's guide writes it; in Keras 3 `fit`
    overrides that for a nested model, so fine-tuning also freezes the batch normalisation layers
    (`unfreeze`): a few hundred images would otherwise replace the statistics learned from 22,000.

    Args:
        extractor: a `keras.Model` from images to feature vectors (`feature_extractor`).
        num_classes: int.
        seed: int, the head's initial weights.

    Returns:
        (model, head): the `keras.Model` and its `Dense` head (which `transfer_and_fine_tune` first trains alone).

    Example:
        >>> model, head = transfer_model(feature_extractor(cifar_resnet(num_classes=5)))
        >>> model.output_shape, head.count_params()
        ((None, 5), 1285)
    """
    import keras

    num_classes = positive_int(num_classes, "num_classes", "transfer_model")
    head = keras.layers.Dense(num_classes, activation="softmax", name="new_head",
                              kernel_initializer=keras.initializers.GlorotUniform(seed))
    inputs = keras.Input(extractor.input_shape[1:], name="image")
    features = extractor(inputs, training=False)
    return keras.Model(inputs, head(features), name="transfer_model"), head


def unfreeze(extractor):
    """Makes `extractor` trainable for fine-tuning, all but its `BatchNormalization` layers.

    A frozen batch normalisation layer runs in inference mode in Keras 3: it normalises with its
    moving mean and variance and does not update them, and its gamma and beta stay as they are.

    Args:
        extractor: a `keras.Model` (`feature_extractor`).

    Returns:
        The number of batch normalisation layers kept frozen.
    """
    import keras

    extractor.trainable = True
    frozen = [layer for layer in extractor.layers if isinstance(layer, keras.layers.BatchNormalization)]
    for layer in frozen:
        layer.trainable = False
    return len(frozen)


def trainable_count(model):
    """The number of trainable parameters (what the optimiser changes), an int.

    Keras's `count_params()` also counts the non-trainable ones (batch normalisation's moving
    means and variances, the input normalisation's statistics).
    """
    return int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))


def _predict(model, x, batch_size=500):
    """The model's outputs in batches, called directly: `predict` compiles a function per model and
    shape, and TensorFlow warns about the retracing when a chapter builds many models."""
    x = np.asarray(x, np.float32)
    return np.concatenate([np.asarray(model(x[s:s + batch_size], training=False))
                           for s in range(0, len(x), batch_size)])


def _accuracy(model, x, y, batch_size=500):
    return float(np.mean(_predict(model, x, batch_size).argmax(axis=1) == y))


def _fit(model, x, y, epochs, learning_rate, batch_size, seed):
    import keras

    keras.utils.set_random_seed(seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    started = time.perf_counter()
    history = model.fit(np.asarray(x, np.float32), y, batch_size=batch_size, epochs=epochs, verbose=0)
    return [float(a) for a in history.history["accuracy"]], time.perf_counter() - started


def transfer_and_fine_tune(base, train, test, frozen_epochs=60, finetune_epochs=4, frozen_lr=1e-2,
                           finetune_lr=1e-4, batch_size=32, seed=0):
    """Frozen features, then fine-tuning, of `base`'s extractor with a new head, on `train`.

    Args:
        base: the pretrained `keras.Model` (``pretrained("cifar5")[0]``); its layers are trained in
            place by the fine-tuning (load a fresh copy to use it again).
        train, test: (x, y), images on the 0-255 scale and labels 0..K-1 (`few_shot_subset`).
        frozen_epochs, finetune_epochs: ints, epochs of each phase.
        frozen_lr, finetune_lr: Adam's learning rates (fine-tuning: a small one).
        batch_size: int.
        seed: int, for the new head and the shuffling.

    Returns:
        dict with "frozen" and "fine_tuned", each a dict of "test_accuracy", "train_accuracy" (per
        epoch), "seconds" (training time) and "trainable" (parameters the optimiser changed).
    """
    import keras

    (x, y), (x_test, y_test) = train, test
    y, y_test = np.asarray(y).reshape(-1), np.asarray(y_test).reshape(-1)
    classes = int(max(y.max(), y_test.max())) + 1
    extractor = feature_extractor(base)
    extractor.trainable = False
    model, head = transfer_model(extractor, classes, seed=seed)
    results = {}

    # 1. Frozen: the features of every image once, then only the head learns on them.
    started = time.perf_counter()
    features = _predict(extractor, x)
    head_only = keras.Sequential([keras.Input(features.shape[1:]), head], name="head_only")
    curve, seconds = _fit(head_only, features, y, frozen_epochs, frozen_lr, batch_size, seed)
    seconds = time.perf_counter() - started
    results["frozen"] = {"train_accuracy": curve, "seconds": seconds,
                         "test_accuracy": _accuracy(head_only, _predict(extractor, x_test), y_test),
                         "trainable": trainable_count(model)}

    # 2. Fine-tuning: everything trainable but batch normalisation (inference mode), a small rate.
    unfreeze(extractor)
    curve, seconds = _fit(model, x, y, finetune_epochs, finetune_lr, batch_size, seed)
    results["fine_tuned"] = {"train_accuracy": curve, "seconds": seconds,
                             "test_accuracy": _accuracy(model, x_test, y_test),
                             "trainable": trainable_count(model)}
    return results


def train_from_scratch(train, test, epochs=12, learning_rate=1e-3, batch_size=32, seed=0):
    """The same ResNet as the extractor's, freshly initialised, trained on `train` alone.

    Returns:
        dict of "test_accuracy", "train_accuracy" (per epoch), "seconds" and "trainable", as
        `transfer_and_fine_tune` gives for its phases.
    """
    import keras

    (x, y), (x_test, y_test) = train, test
    y, y_test = np.asarray(y).reshape(-1), np.asarray(y_test).reshape(-1)
    keras.utils.set_random_seed(seed)
    scratch = cifar_resnet(num_classes=int(max(y.max(), y_test.max())) + 1, name="scratch_resnet")
    curve, seconds = _fit(scratch, x, y, epochs, learning_rate, batch_size, seed)
    return {"train_accuracy": curve, "seconds": seconds, "test_accuracy": _accuracy(scratch, x_test, y_test),
            "trainable": trainable_count(scratch)}


SKIPPED_OFFLINE = ("오프라인 실행(CNN_UTILS_OFFLINE=1)이라 ImageNet 가중치를 내려받지 않고 이 단계를 건너뛰었습니다. "
                   "인터넷에 연결된 컴퓨터나 코랩에서 실행하면 MobileNetV2의 ImageNet 특징으로 같은 비교를 합니다.")


def imagenet_transfer(train, test, size=96, epochs=20, seed=0):
    """Frozen MobileNetV2 features with ImageNet weights (`keras.applications`), for readers online.

    The images are upsampled to `size` x `size` and put through `preprocess_input`; a softmax head
    learns on the pooled features, as the frozen phase of `transfer_and_fine_tune` does. With the environment
    variable ``CNN_UTILS_OFFLINE=1`` (the book's own runs) nothing is downloaded; a failed download
    is reported, not raised.

    Args:
        train, test: (x, y) as for `transfer_and_fine_tune`.
        size: int, the side of the upsampled images (MobileNetV2 takes 96 to 224).
        epochs: int, the head's epochs.
        seed: int.

    Returns:
        dict: "skipped" (bool), "message" (Korean, what happened) and, when it ran,
        "test_accuracy" and "seconds".
    """
    if os.environ.get("CNN_UTILS_OFFLINE") == "1":
        return {"skipped": True, "message": SKIPPED_OFFLINE}
    import keras
    import tensorflow as tf

    started = time.perf_counter()
    try:
        mobilenet = keras.applications.MobileNetV2(include_top=False, weights="imagenet", pooling="avg",
                                                   input_shape=(size, size, 3))
    except Exception as error:       # no network, a proxy, a full disk: say so and go on
        return {"skipped": True, "message": f"ImageNet 가중치를 내려받지 못해 이 단계를 건너뛰었습니다 "
                                            f"({type(error).__name__}: {str(error)[:120]})."}

    def features(images):
        out = []
        for s in range(0, len(images), 250):
            batch = tf.image.resize(np.asarray(images[s:s + 250], np.float32), (size, size))
            out.append(mobilenet(keras.applications.mobilenet_v2.preprocess_input(batch), training=False))
        return np.concatenate([np.asarray(o) for o in out])

    (x, y), (x_test, y_test) = train, test
    y, y_test = np.asarray(y).reshape(-1), np.asarray(y_test).reshape(-1)
    f, f_test = features(x), features(x_test)
    head = keras.Sequential([keras.Input(f.shape[1:]), keras.layers.Dense(
        int(y.max()) + 1, activation="softmax", kernel_initializer=keras.initializers.GlorotUniform(seed))])
    _fit(head, f, y, epochs, 1e-3, 32, seed)
    accuracy = _accuracy(head, f_test, y_test)
    return {"skipped": False, "test_accuracy": accuracy, "seconds": time.perf_counter() - started,
            "message": f"MobileNetV2(ImageNet 가중치)의 고정 특징: 시험 정확도 {accuracy:.1%}"}
