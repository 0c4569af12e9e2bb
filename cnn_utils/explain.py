"""What a trained CNN looks at: filters, feature maps, saliency, occlusion and Grad-CAM.

Every gradient here is taken with `tf.GradientTape`. The book's models end in a `Softmax` layer
(`cifar_resnet`: dense logits, scaled by 1/8, then softmax), so the functions that differentiate a
class differentiate its **score**, the softmax's input, found by `score_model`: the probability
of a confidently predicted class barely moves (softmax saturates near 1), so its gradient is tiny
and mixes in the other classes' scores, while the score answers "what makes this class more
likely" directly (Simonyan et al. 2014 and Selvaraju et al. 2017 both use the score).

- `first_layer_filters(model)`: the first convolution's kernel (KH, KW, C, K);
- `feature_maps(model, image, layer_names)`: the outputs of named layers for one image;
- `saliency_map(model, images, class_index)`: max over channels of |d score / d input|;
- `occlusion_sensitivity(model, image, class_index, ...)`: the drop in the class probability
  when a grey patch hides each part of the image (Zeiler and Fergus 2014);
- `grad_cam(model, images, layer_name, class_index)`: Grad-CAM (Selvaraju et al. 2017), as the
  Keras example keras.io/examples/vision/grad_cam computes it;
- `cover_pixels(images, pixels)`: the images with chosen pixels painted in their mean colour, to
  test a map by hiding what it points at (chapter 12.5).

TensorFlow is imported inside the functions: the rest of `cnn_utils` works without it.

Used in chapter 12.
"""

import numbers

import numpy as np

from ._validation import as_numeric_array, check_rank4, positive_int
from .shapes import conv_geometry


def _keras_model(model, op):
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"{op} expects `model` to be a keras.Model; received {type(model).__name__}. "
                        f"Pass the model itself, e.g. model, _ = pretrained('cifar10').")
    return model


def _images(images, op, name="images"):
    array = as_numeric_array(images, name, op)
    check_rank4(array, name, op, "(N, H, W, C)",
                "For one image (H, W, C) add a batch axis: image[np.newaxis, ...].")
    return array.astype(np.float32)


def _image(image, op):
    array = as_numeric_array(image, "image", op)
    if array.ndim == 4 and array.shape[0] == 1:
        array = array[0]
    if array.ndim != 3:
        raise ValueError(f"{op} expects one `image` of rank 3 (H, W, C); received shape {array.shape}. "
                         f"Pass images[k], not the whole batch.")
    return array.astype(np.float32)


def _layer(model, layer_name, op):
    if not isinstance(layer_name, str):
        raise TypeError(f"{op} expects `layer_name` to be a str (a layer's name); received "
                        f"{type(layer_name).__name__} {layer_name!r}. See model.summary().")
    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(f"{op}: the model {model.name!r} has no layer {layer_name!r}. Its layers are: "
                         f"{', '.join(names)}. Pick one of them (model.summary() lists them).")
    return model.get_layer(layer_name)


def _inputs(model):
    """The model's input tensor (a list only for several inputs: a one-element list makes Keras warn)."""
    return model.inputs[0] if len(model.inputs) == 1 else model.inputs


def _is_softmax(activation):
    return getattr(activation, "__name__", "") == "softmax"


def score_model(model, layer_name=None):
    """A model with the same input giving the class scores before the softmax (and a layer's output).

    If the last layer is a `Softmax` layer, the scores are its input; if it is a layer with a
    softmax activation (``Dense(10, activation="softmax")``), they are that layer's affine part;
    otherwise the model's output is taken as the scores.

    Args:
        model: a functional or Sequential `keras.Model`.
        layer_name: str or None; if given, the new model returns (that layer's output, scores).

    Returns:
        A `keras.Model` sharing the original's layers (for a dense layer with a softmax
        activation, its affine part is a new layer holding a copy of that layer's weights).

    Example:
        >>> import keras
        >>> inputs = keras.Input((4,)); probabilities = keras.layers.Softmax()(keras.layers.Dense(3)(inputs))
        >>> score_model(keras.Model(inputs, probabilities)).output_shape
        (None, 3)
    """
    import keras

    model = _keras_model(model, "score_model")
    last = model.layers[-1]
    if isinstance(last, keras.layers.Softmax):
        scores = last.input
    elif _is_softmax(getattr(last, "activation", None)) and isinstance(last, keras.layers.Dense):
        linear = keras.layers.Dense(last.units, use_bias=last.use_bias, name=f"{last.name}_score")
        scores = linear(last.input)
        linear.set_weights(last.get_weights())
    elif _is_softmax(getattr(last, "activation", None)):
        raise ValueError(f"score_model cannot undo the softmax activation of layer {last.name!r} "
                         f"({type(last).__name__}); end the model with a separate keras.layers.Softmax().")
    else:
        scores = model.outputs[0]
    outputs = scores if layer_name is None else [_layer(model, layer_name, "score_model").output, scores]
    return keras.Model(_inputs(model), outputs, name=f"{model.name}_scores")


def _class_indices(class_index, scores, op):
    """One class per image: the predicted ones (None), one int for all, or a sequence of N ints."""
    n, classes = scores.shape
    if class_index is None:
        return np.argmax(np.asarray(scores), axis=1)
    if isinstance(class_index, (numbers.Integral, np.integer)) and not isinstance(class_index, bool):
        indices = np.full(n, int(class_index))
    else:
        indices = np.asarray(class_index)
        if indices.shape != (n,) or not np.issubdtype(indices.dtype, np.integer):
            raise ValueError(f"{op} expects `class_index` to be None, an int or {n} ints (one per image); "
                             f"received {class_index!r}.")
    if indices.min() < 0 or indices.max() >= classes:
        raise ValueError(f"{op} expects class indices in 0..{classes - 1} (the model has {classes} "
                         f"classes); received {class_index!r}.")
    return indices.astype(np.int64)


def saliency_map(model, images, class_index=None):
    """The saliency map of Simonyan et al. (2014): how much each pixel moves the class score.

    For each image, the gradient of the class's score (before the softmax, see `score_model`) with
    respect to the input pixels, in absolute value and reduced to one value per pixel by the
    maximum over the colour channels, as in the paper. It says which pixels a small change would
    move the score most through; it is noisy, and Adebayo et al. (2018) showed that such maps can
    look much the same for a network with random weights, so read it together with occlusion.

    Args:
        model: a `keras.Model` taking `images` (e.g. `pretrained("cifar10")[0]`).
        images: array (N, H, W, C) as the model takes it (0-255 for the book's ResNet).
        class_index: None (each image's predicted class), an int, or N ints.

    Returns:
        float32 array (N, H, W), >= 0.

    Example:
        >>> import keras
        >>> inputs = keras.Input((2, 2, 1)); score = keras.layers.Dense(1, use_bias=False)(keras.layers.Flatten()(inputs))
        >>> linear = keras.Model(inputs, score); linear.set_weights([np.array([[1.], [-2.], [3.], [-4.]])])
        >>> saliency_map(linear, np.zeros((1, 2, 2, 1)))[0]
        array([[1., 2.],
               [3., 4.]], dtype=float32)
    """
    import tensorflow as tf

    op = "saliency_map"
    model = _keras_model(model, op)
    x = tf.convert_to_tensor(_images(images, op))
    scorer = score_model(model)
    with tf.GradientTape() as tape:
        tape.watch(x)                        # x is a constant, not a variable: watch it
        scores = scorer(x, training=False)
        indices = _class_indices(class_index, scores, op)
        chosen = tf.gather(scores, indices, axis=1, batch_dims=1)
    gradient = tape.gradient(chosen, x)      # images do not mix in inference mode: one pass for all
    return np.abs(gradient.numpy()).max(axis=-1).astype(np.float32)


def _probabilities(model, batch):
    out = model(batch, training=False) if hasattr(model, "get_layer") else model(batch)
    return np.asarray(out, dtype=np.float64)


def occlusion_sensitivity(model, image, class_index, patch=8, stride=4, fill=None, batch_size=256):
    """Occlusion sensitivity (Zeiler and Fergus 2014): the drop in a class's probability per patch.

    A `patch` x `patch` square of colour `fill` is slid over the image in steps of `stride`; at each
    position the model sees the covered image, and the map holds p(class | image) minus
    p(class | covered image). Large values mark the regions the prediction relies on; negative
    ones, regions whose hiding makes the class more likely. No gradient: only predictions.

    Args:
        model: a `keras.Model` returning probabilities, or any callable from (N, H, W, C) to
            (N, classes) probabilities.
        image: one image (H, W, C) as the model takes it.
        class_index: int, the class whose probability is watched.
        patch, stride: positive ints, patch <= H and W.
        fill: the patch's value: None (the image's mean colour) or a number.
        batch_size: how many covered images go through the model at once.

    Returns:
        float64 array of the VALID positions of a patch x patch window moved by `stride`
        (`cnn_utils.conv_geometry`'s output, as for a pooling window); entry [i, j] is the drop
        with the patch's top-left corner at (i * stride, j * stride).

    Example:
        >>> def predict(x):                      # class 0 likes brightness in the top-left pixel
        ...     p = 1 / (1 + np.exp(-x[:, 0, 0, 0]))
        ...     return np.stack([p, 1 - p], axis=1)
        >>> occlusion_sensitivity(predict, np.ones((4, 4, 1)), 0, patch=2, stride=2, fill=0.0).round(3)
        array([[0.231, 0.   ],
               [0.   , 0.   ]])
    """
    op = "occlusion_sensitivity"
    if not callable(model):
        raise TypeError(f"{op} expects `model` to be a Keras model or a function of a batch; received "
                        f"{type(model).__name__}.")
    image = _image(image, op)
    h, w, _ = image.shape
    patch, stride = positive_int(patch, "patch", op), positive_int(stride, "stride", op)
    if patch > min(h, w):
        raise ValueError(f"{op} expects `patch` <= the image's height and width ({h}, {w}); "
                         f"received patch={patch}. Use a smaller patch, e.g. patch={min(h, w) // 4 or 1}.")
    if isinstance(class_index, bool) or not isinstance(class_index, (numbers.Integral, np.integer)):
        raise TypeError(f"{op} expects `class_index` to be an int; received {class_index!r}.")
    colour = image.mean(axis=(0, 1)) if fill is None else np.float32(fill)
    rows, cols = conv_geometry((h, w), patch, stride, "VALID", op=op).output   # the windows' positions
    covered = np.repeat(image[np.newaxis], rows * cols, axis=0)
    for k in range(rows * cols):
        i, j = divmod(k, cols)
        covered[k, i * stride:i * stride + patch, j * stride:j * stride + patch, :] = colour
    base = _probabilities(model, image[np.newaxis])
    if not 0 <= class_index < base.shape[1]:
        raise ValueError(f"{op} expects `class_index` in 0..{base.shape[1] - 1}; received {class_index}.")
    hidden = np.concatenate([_probabilities(model, covered[s:s + batch_size])
                             for s in range(0, len(covered), batch_size)])
    return (base[0, class_index] - hidden[:, class_index]).reshape(rows, cols)


def cover_pixels(images, pixels):
    """Copies of `images` with the given pixels of each painted in that image's mean colour.

    Chapter 12.5 tests a map by hiding what it points at: the pixels an explanation ranks highest,
    its lowest, or scattered ones, are covered, and the class probability is compared. The colour
    is the image's own mean, as `occlusion_sensitivity` uses for its patch.

    Args:
        images: array (N, H, W, C).
        pixels: N integer arrays (one per image) of positions in the flattened H x W grid,
            0..H*W-1 (e.g. ``np.argsort(cam[n].ravel())[-256:]``).

    Returns:
        float32 array (N, H, W, C); `images` is not changed.

    Example:
        >>> image = np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2)   # mean colour (3, 4)
        >>> cover_pixels(image, [[0, 3]])[0].tolist()
        [[[3.0, 4.0], [2.0, 3.0]], [[4.0, 5.0], [3.0, 4.0]]]
    """
    op = "cover_pixels"
    covered = _images(images, op).copy()
    n, h, w, c = covered.shape
    if len(pixels) != n:
        raise ValueError(f"{op} expects one array of pixel positions per image ({n}); received "
                         f"{len(pixels)}. Pass a list like [positions_of_image_0, positions_of_image_1, ...].")
    for k, where in enumerate(pixels):
        where = np.asarray(where)
        if where.ndim != 1:
            raise ValueError(f"{op} expects, for image {k}, a 1-D array of pixel positions; received "
                             f"shape {where.shape}. Give one array per image: [positions_0, positions_1, ...].")
        if where.size and (not np.issubdtype(where.dtype, np.integer) or where.min() < 0 or where.max() >= h * w):
            raise ValueError(f"{op} expects, for image {k}, integer positions in 0..{h * w - 1} of the "
                             f"flattened {h}x{w} grid; received {where.dtype} values from {where.min()} to "
                             f"{where.max()}. Use np.argsort(map.ravel()) or np.ravel_multi_index.")
        covered[k].reshape(-1, c)[where] = covered[k].mean(axis=(0, 1))
    return covered


def grad_cam(model, images, layer_name, class_index=None, upsample=True, normalize=True):
    """Grad-CAM (Selvaraju et al. 2017): where a convolutional layer's maps speak for the class.

    As the Keras example (keras.io/examples/vision/grad_cam): the gradient of the class score
    (before the softmax) with respect to the layer's output A (H', W', K) gives each channel k a
    weight, the spatial mean of its gradient; the map is ReLU(sum_k weight_k * A_k), only the parts
    that raise the score. It is then upsampled (bilinear) to the input's size and divided by its
    maximum, so that 1 is the strongest place (all zeros stays zeros).

    Args:
        model: a `keras.Model`; `layer_name` names one of its layers with a 4-D output.
        images: array (N, H, W, C) as the model takes it.
        layer_name: str, e.g. "stage3_res_add" for the book's ResNet (its last 4x4 block).
        class_index: None (each image's predicted class), an int, or N ints.
        upsample: bool, resize the map to (H, W).
        normalize: bool, divide each map by its maximum.

    Returns:
        float32 array (N, H, W), or (N, H', W') without upsampling.

    Example:
        >>> import keras
        >>> inputs = keras.Input((4, 4, 1)); maps = keras.layers.Conv2D(2, 1, use_bias=False, name="maps")(inputs)
        >>> score = keras.layers.Dense(1, use_bias=False)(keras.layers.GlobalAveragePooling2D()(maps))
        >>> tiny = keras.Model(inputs, score)
        >>> grad_cam(tiny, np.ones((1, 4, 4, 1)), "maps", upsample=False).shape
        (1, 4, 4)
    """
    import tensorflow as tf

    op = "grad_cam"
    model = _keras_model(model, op)
    x = tf.convert_to_tensor(_images(images, op))
    layer = _layer(model, layer_name, op)
    if len(layer.output.shape) != 4:
        raise ValueError(f"{op} expects a layer with feature maps (N, H, W, K); {layer_name!r} outputs "
                         f"shape {tuple(layer.output.shape)}. Pick a convolutional block, e.g. the last "
                         f"one before the global pooling.")
    both = score_model(model, layer_name)
    with tf.GradientTape() as tape:
        maps, scores = both(x, training=False)
        indices = _class_indices(class_index, scores, op)
        chosen = tf.gather(scores, indices, axis=1, batch_dims=1)
    gradient = tape.gradient(chosen, maps)                        # (N, H', W', K)
    weights = tf.reduce_mean(gradient, axis=(1, 2), keepdims=True)   # one weight per channel
    cam = tf.nn.relu(tf.reduce_sum(weights * maps, axis=-1))      # (N, H', W')
    if upsample:
        cam = tf.image.resize(cam[..., tf.newaxis], x.shape[1:3], method="bilinear")[..., 0]
    cam = cam.numpy().astype(np.float32)
    if normalize:
        peak = cam.max(axis=(1, 2), keepdims=True)
        cam = np.divide(cam, peak, out=np.zeros_like(cam), where=peak > 0)
    return cam


def feature_maps(model, image, layer_names):
    """The outputs of the named layers for one image, in the order of `layer_names`.

    Args:
        model: a `keras.Model`.
        image: one image (H, W, C) as the model takes it.
        layer_names: a list of layer names.

    Returns:
        dict name -> float32 array of that layer's output for the image, without the batch axis
        ((H', W', K) for a convolutional layer).

    Example:
        >>> import keras
        >>> inputs = keras.Input((4, 4, 1)); out = keras.layers.MaxPooling2D(2, name="pool")(inputs)
        >>> feature_maps(keras.Model(inputs, out), np.ones((4, 4, 1)), ["pool"])["pool"].shape
        (2, 2, 1)
    """
    import keras

    op = "feature_maps"
    model = _keras_model(model, op)
    image = _image(image, op)
    if isinstance(layer_names, str) or not isinstance(layer_names, (list, tuple)) or not layer_names:
        raise TypeError(f"{op} expects `layer_names`, a non-empty list of layer names; received "
                        f"{layer_names!r}. For one layer write [{layer_names!r}].")
    outputs = [_layer(model, name, op).output for name in layer_names]
    values = keras.Model(_inputs(model), outputs)(image[np.newaxis], training=False)
    values = values if isinstance(values, (list, tuple)) else [values]
    return {name: np.asarray(value)[0].astype(np.float32) for name, value in zip(layer_names, values)}


def two_layer_scores(x, w1, w2):
    """The class scores of a tiny two-layer network, ``ReLU(flatten(x) @ w1) @ w2``, in TensorFlow.

    The network of chapter 12's saliency exercise: its weights are plain arrays, so that the grader
    can hand them to a student's function (a Keras model cannot travel as plain data).

    Args:
        x: tensor or array (N, H, W, C).
        w1: array (H * W * C, hidden); w2: array (hidden, classes).

    Returns:
        A float32 tensor (N, classes).

    Example:
        >>> two_layer_scores(np.ones((1, 1, 2, 1)), np.eye(2), np.array([[1.0], [-3.0]])).numpy()
        array([[-2.]], dtype=float32)
    """
    import tensorflow as tf

    x = tf.cast(tf.convert_to_tensor(x), tf.float32)
    hidden = tf.nn.relu(tf.reshape(x, (tf.shape(x)[0], -1)) @ tf.constant(w1, tf.float32))
    return hidden @ tf.constant(w2, tf.float32)


def linear_probabilities(batch, weights):
    """Softmax probabilities of a linear model of the pixels, ``softmax(flatten(batch) @ weights)``, numpy.

    The model of chapter 12's occlusion exercise (plain arrays in, plain arrays out).

    Args:
        batch: array (N, H, W, C); weights: array (H * W * C, classes).

    Returns:
        float64 array (N, classes).

    Example:
        >>> linear_probabilities(np.zeros((1, 1, 1, 2)), np.ones((2, 4)))
        array([[0.25, 0.25, 0.25, 0.25]])
    """
    batch = np.asarray(batch, dtype=np.float64)
    z = batch.reshape(len(batch), -1) @ np.asarray(weights, dtype=np.float64)
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def first_layer_filters(model):
    """The kernel of the model's first `Conv2D` layer, shape (KH, KW, C, K).

    Example:
        >>> import keras
        >>> inputs = keras.Input((8, 8, 3))
        >>> first_layer_filters(keras.Model(inputs, keras.layers.Conv2D(4, 3)(inputs))).shape
        (3, 3, 3, 4)
    """
    import keras

    model = _keras_model(model, "first_layer_filters")
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            return np.asarray(layer.kernel).astype(np.float32)
    raise ValueError(f"first_layer_filters: the model {model.name!r} has no Conv2D layer; its layers are "
                     f"{', '.join(type(layer).__name__ for layer in model.layers)}.")
