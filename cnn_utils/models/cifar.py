"""CIFAR-10 models: the VGG block, the residual block and the small ResNet built from them.

Used in chapters 10, 11 and 12, and by `python3 tasks.py train cifar10` (`cifar_training`).

The ResNet is the "ResNet-9" of David Page's DAWNBench entry ("How to train your ResNet", 2018) at
half its width: a 3x3 convolution, then three stages that each double the channels and halve the
image with a max pool, the first and the last followed by a residual block; global max pooling and
one dense layer. Every convolution is followed by batch normalisation and ReLU and has no bias.
The model takes images as the loaders give them (0-255, shape (N, 32, 32, 3)) and standardises them
itself with the training set's channel means and standard deviations, so chapters feed raw images.

Keras is imported inside the functions: the rest of `cnn_utils` works without TensorFlow.
"""

import numpy as np

# Per-channel mean and standard deviation of CIFAR-10's training images, on the 0-255 scale
# (measured on the offline copy; Keras's copy differs in the second decimal).
CIFAR10_MEAN = (125.3, 123.0, 113.9)
CIFAR10_STD = (63.0, 62.1, 66.7)
RESNET_WIDTHS = (32, 64, 128, 256)


def _check_width(op, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{op} expects `{name}` to be a positive int (a number of channels); "
                         f"received {value!r}.")
    return int(value)


def conv_bn_relu(x, filters, name, kernel_size=3):
    """A 3x3 convolution (SAME, no bias), batch normalisation and ReLU, applied to tensor `x`.

    BN's shift plays the part of the bias, so the convolution has none (chapter 8).

    Args:
        x: a Keras tensor (N, H, W, C).
        filters: int, the number of output channels.
        name: str, the prefix of the three layers' names ("<name>_conv", "_bn", "_relu").
        kernel_size: int.

    Returns:
        The output tensor (N, H, W, filters).
    """
    from keras import layers

    filters = _check_width("conv_bn_relu", "filters", filters)
    x = layers.Conv2D(filters, kernel_size, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(momentum=0.9, name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def vgg_block(x, filters, convs, name):
    """VGG's block (Simonyan and Zisserman 2014): `convs` 3x3 convolutions, then a 2x2 max pool.

    Two stacked 3x3 layers see a 5x5 field with fewer parameters than one 5x5 layer (chapter 5);
    the pool halves the image so that the next block can afford twice the channels. Here each
    convolution is followed by batch normalisation, which VGG (2014) did not have yet.

    Args:
        x: a Keras tensor (N, H, W, C) with even H and W.
        filters: int, the channels of every convolution in the block.
        convs: int, the number of convolutions.
        name: str, the prefix of the layers' names.

    Returns:
        The output tensor (N, H/2, W/2, filters).

    Example:
        >>> import keras
        >>> inputs = keras.Input((32, 32, 3))
        >>> tuple(vgg_block(inputs, 16, 2, "block1").shape)
        (None, 16, 16, 16)
    """
    from keras import layers

    convs = _check_width("vgg_block", "convs", convs)
    for index in range(convs):
        x = conv_bn_relu(x, filters, f"{name}_{index + 1}")
    return layers.MaxPooling2D(2, name=f"{name}_pool")(x)


def residual_block(x, name):
    """A residual block: two conv-BN-ReLU layers whose output is added to the block's input.

    out = x + F(x): the block only has to learn the change F, and the gradient reaches `x` through
    the addition unchanged, however deep the stack (He et al. 2016; chapter 11 measures it). The
    channels and the size stay as they are, so the shortcut needs no projection.

    Args:
        x: a Keras tensor (N, H, W, C).
        name: str, the prefix of the layers' names.

    Returns:
        The output tensor, of the same shape as `x`.

    Example:
        >>> import keras
        >>> inputs = keras.Input((8, 8, 16))
        >>> tuple(residual_block(inputs, "res").shape)
        (None, 8, 8, 16)
    """
    from keras import layers

    channels = x.shape[-1]
    y = conv_bn_relu(x, channels, f"{name}_a")
    y = conv_bn_relu(y, channels, f"{name}_b")
    return layers.Add(name=f"{name}_add")([x, y])


def cifar_resnet(widths=RESNET_WIDTHS, num_classes=10, name="cifar_resnet"):
    """The book's CIFAR-10 ResNet (ResNet-9 at half width, 1.65 M parameters with the defaults).

    prep (conv 32) - stage 1 (conv 64, pool, residual block) - stage 2 (conv 128, pool) - stage 3
    (conv 256, pool, residual block) - global max pool - dense 10 (logits scaled by 1/8, as in
    Page's model: small logits at the start keep the first steps of a high learning rate stable).

    Args:
        widths: four ints, the channels of the prep layer and of the three stages.
        num_classes: int, the number of outputs (chapter 12's transfer model has 5).
        name: str, the model's name.

    Returns:
        An uncompiled `keras.Model` from (32, 32, 3) images on the 0-255 scale to softmax
        probabilities.

    Example:
        >>> model = cifar_resnet()
        >>> model.count_params()
        1648362
        >>> model.output_shape
        (None, 10)
    """
    import keras
    from keras import layers

    widths = tuple(widths) if isinstance(widths, (tuple, list)) else widths
    if not isinstance(widths, tuple) or len(widths) != 4:
        raise ValueError(f"cifar_resnet expects `widths`, four ints (prep, stage 1, stage 2, "
                         f"stage 3); received {widths!r}. The default is {RESNET_WIDTHS}.")
    prep, first, second, third = (_check_width("cifar_resnet", "widths", w) for w in widths)
    num_classes = _check_width("cifar_resnet", "num_classes", num_classes)

    inputs = keras.Input((32, 32, 3), name="image")
    x = layers.Normalization(mean=CIFAR10_MEAN, variance=np.square(CIFAR10_STD), name="standardise")(inputs)
    x = conv_bn_relu(x, prep, "prep")
    x = conv_bn_relu(x, first, "stage1")
    x = layers.MaxPooling2D(2, name="stage1_pool")(x)
    x = residual_block(x, "stage1_res")
    x = conv_bn_relu(x, second, "stage2")
    x = layers.MaxPooling2D(2, name="stage2_pool")(x)
    x = conv_bn_relu(x, third, "stage3")
    x = layers.MaxPooling2D(2, name="stage3_pool")(x)
    x = residual_block(x, "stage3_res")
    x = layers.GlobalMaxPooling2D(name="global_pool")(x)
    x = layers.Dense(num_classes, name="logits")(x)
    x = layers.Rescaling(0.125, name="scale")(x)
    outputs = layers.Softmax(name="probabilities")(x)
    return keras.Model(inputs, outputs, name=name)
