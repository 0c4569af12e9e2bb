"""Why residual blocks train: gradient norms through a deep plain stack and a residual one.

Used in chapter 11.

`deep_stack` builds the same deep network two ways, plain or with identity shortcuts (the residual
block of He et al. 2016: conv-BN-ReLU-conv-BN, add the input, ReLU); `gradient_norms` measures, at
initialisation, the norm of the loss's gradient at every block with `tf.GradientTape`.

What the measurement shows (the gradient at the first block over the last block's, `wrt="output"`,
batch 8 of 16x16 noise images, width 16, seeds 0 to 2; the tests assert it with a wide margin):
plain 22 to 29 with 10 blocks, 720 to 860 with 20 and 20,000 to 38,000 with 30, a factor of about
1.4 per block; residual 4.5 to 4.9, 9 to 11 and 15 to 20, growing only linearly with depth. 32x32
images give the same picture (20 blocks: plain 950 to 1,090, residual 11 to 12).

With batch normalisation in training mode a plain stack's gradients explode towards the input
rather than vanish (Yang et al. 2019, "A mean field theory of batch normalization"): every block's
backward pass multiplies the gradient by a factor above one, and depth compounds the factors. A
shortcut makes each block's Jacobian the identity plus the branch's, so the gradient reaches every
block through the identity path and the branches only add to it: no product of depth factors. The
gradient is taken with respect to each block's output (`wrt="output"`, the signal the backward pass
carries from block to block) or each block's first convolution kernel (`wrt="kernel"`, what the
optimiser sees); both show the same picture (kernels, 20 blocks: plain 450 to 670, residual 8.5 to
12).

Keras is imported inside the functions: the rest of `cnn_utils` works without TensorFlow.
"""

import numbers

import numpy as np


def _block(width, residual, name):
    """One block as a functional sub-model: conv-BN-ReLU-conv-BN, (+ input), ReLU."""
    import keras
    from keras import layers

    inputs = keras.Input((None, None, width))
    h = layers.Conv2D(width, 3, padding="same", use_bias=False, name="conv1")(inputs)
    h = layers.BatchNormalization(name="bn1")(h)
    h = layers.ReLU(name="relu1")(h)
    h = layers.Conv2D(width, 3, padding="same", use_bias=False, name="conv2")(h)
    h = layers.BatchNormalization(name="bn2")(h)
    if residual:
        h = layers.Add(name="shortcut")([inputs, h])
    h = layers.ReLU(name="relu2")(h)
    return keras.Model(inputs, h, name=name)


def deep_stack(depth, residual, width=16, input_shape=(32, 32, 3), seed=0):
    """A stem, `depth` blocks of two 3x3 convolutions, global average pooling and Dense 10.

    The stem (3x3 conv of `width` filters, BN, ReLU) brings the image to `width` channels; each
    block is conv-BN-ReLU-conv-BN-ReLU, with ``residual=True`` the block's input added before the
    last ReLU (an identity shortcut: every block keeps `width` channels and the size, "same"
    padding). The convolutions have no bias (BN's beta shifts); weights are Keras's defaults.

    Args:
        depth: int >= 1, the number of blocks (2 * depth + 1 convolutions in all).
        residual: bool, identity shortcuts or not.
        width: int >= 1, the channels of every convolution.
        input_shape: (H, W, C) of the images.
        seed: int, for `keras.utils.set_random_seed` (the initial weights).

    Returns:
        An uncompiled `keras.Sequential`: layer "stem", layers "block1" ... "block{depth}" (each a
        functional `keras.Model`), then pooling and the logits "logits" (no softmax).

    Example:
        >>> model = deep_stack(2, residual=True, width=4, input_shape=(8, 8, 3))
        >>> [layer.name for layer in model.layers]
        ['stem', 'block1', 'block2', 'pool', 'logits']
    """
    import keras
    from keras import layers

    for name, value in (("depth", depth), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"deep_stack expects `{name}` to be an int >= 1; received {value!r}.")
    if not isinstance(residual, (bool, np.bool_)):
        raise TypeError(f"deep_stack expects `residual` to be True or False; received {residual!r}.")
    shape = tuple(input_shape)
    if len(shape) != 3 or not all(isinstance(s, numbers.Integral) and s >= 1 for s in shape):
        raise ValueError(f"deep_stack expects `input_shape` (H, W, C) of positive ints; received "
                         f"{input_shape!r}, e.g. (32, 32, 3).")
    keras.utils.set_random_seed(int(seed))
    stem = keras.Sequential([layers.Conv2D(width, 3, padding="same", use_bias=False, name="conv"),
                             layers.BatchNormalization(name="bn"), layers.ReLU(name="relu")],
                            name="stem")
    blocks = [_block(width, bool(residual), f"block{i + 1}") for i in range(depth)]
    return keras.Sequential([keras.Input(shape), stem, *blocks, layers.GlobalAveragePooling2D(name="pool"),
                             layers.Dense(10, name="logits")],
                            name="residual_stack" if residual else "plain_stack")


def gradient_norms(model, x, y, wrt="output"):
    """The L2 norm of the loss's gradient at every block of a `deep_stack`, first block first.

    One forward pass in training mode (BN with the batch's statistics, as during training; the BN
    layers' moving statistics are updated as a side effect, which no training-mode output depends
    on) and the mean sparse cross-entropy of the logits, differentiated by `tf.GradientTape`.

    Args:
        model: a model from `deep_stack`.
        x: images (N, H, W, C), float.
        y: integer labels (N,) in [0, 10).
        wrt: "output" (the gradient with respect to each block's output) or "kernel" (with
            respect to each block's first convolution kernel).

    Returns:
        numpy float64 array of shape (depth,).

    Example:
        >>> model = deep_stack(3, residual=False, width=4, input_shape=(8, 8, 3))
        >>> x = np.random.default_rng(0).standard_normal((4, 8, 8, 3)).astype(np.float32)
        >>> gradient_norms(model, x, np.array([0, 1, 2, 3])).shape
        (3,)
    """
    import keras
    import tensorflow as tf

    if wrt not in ("output", "kernel"):
        raise ValueError(f"gradient_norms expects `wrt` to be 'output' or 'kernel'; received {wrt!r}.")
    blocks = [layer for layer in model.layers if layer.name.startswith("block")]
    if not blocks:
        raise ValueError(f"gradient_norms expects a model from deep_stack (layers 'block1', ...); "
                         f"received one with layers {[layer.name for layer in model.layers]}.")
    x = np.asarray(x, np.float32)
    with tf.GradientTape() as tape:
        h, outputs = tf.convert_to_tensor(x), []
        for layer in model.layers:
            h = layer(h, training=True)
            if layer in blocks:
                tape.watch(h)
                outputs.append(h)
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
            np.asarray(y), h, from_logits=True))
    targets = outputs if wrt == "output" else [block.get_layer("conv1").kernel for block in blocks]
    return np.array([float(tf.norm(tf.cast(g, tf.float64))) for g in tape.gradient(loss, targets)])
