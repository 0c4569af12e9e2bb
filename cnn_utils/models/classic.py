"""Classic CNNs as untrained Keras models: LeNet-5 and AlexNet (chapter 1; drawn by `cnn_utils.viz.models`).

Used in chapter 1.

Building a model only creates its layers and randomly initialised weights: nothing is downloaded or
trained, so the layer tables and parameter counts are ready at once. Every layer has an explicit
name, so `model.summary()` prints the same table on every run. Keras is imported inside the
functions: the rest of `cnn_utils` works without TensorFlow.
"""

from dataclasses import dataclass

from .._validation import positive_int
from ..shapes import conv_output_size


@dataclass(frozen=True)
class AlexNetLayer:
    """One weight layer of AlexNet as Krizhevsky et al. (2012) describe it.

    Attributes:
        name: str, the layer's name ("conv1" ... "fc8").
        size: int, filters (convolution) or units (dense) of both GPUs together.
        kernel: int F of an F x F filter; 0 for a dense layer.
        stride: int, the convolution's stride.
        padding: "valid" or "same", as Keras spells it.
        pool: bool, whether 3x3 max pooling with stride 2 follows.
        groups: int, 2 when each GPU's half of the layer reads only the maps on its own GPU,
            1 when it reads the whole previous layer (the image, or both GPUs' maps).
    """

    name: str
    size: int
    kernel: int = 0
    stride: int = 1
    padding: str = "same"
    pool: bool = False
    groups: int = 1


# The eight weight layers. groups=2 marks the layers whose GPUs do not talk to each other.
ALEXNET_LAYERS = (
    AlexNetLayer("conv1", 96, kernel=11, stride=4, padding="valid", pool=True),
    AlexNetLayer("conv2", 256, kernel=5, pool=True, groups=2),
    AlexNetLayer("conv3", 384, kernel=3),                 # reads both GPUs' conv2 maps
    AlexNetLayer("conv4", 384, kernel=3, groups=2),
    AlexNetLayer("conv5", 256, kernel=3, pool=True, groups=2),
    AlexNetLayer("fc6", 4096),                            # dense: reads everything
    AlexNetLayer("fc7", 4096),
    AlexNetLayer("fc8", 1000),                            # the classes (num_classes)
)


def check_model_args(op, input_shape, num_classes, steps):
    """Validates the arguments and that the image survives `steps` of (kernel, stride, padding)."""
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(
            f"{op} expects `input_shape` to be (height, width, channels); received "
            f"{input_shape!r}. Leave out the batch axis, e.g. input_shape=(32, 32, 1)."
        )
    height, width, channels = (positive_int(v, f"input_shape[{i}]", op)
                               for i, v in enumerate(input_shape))
    positive_int(num_classes, "num_classes", op)

    def survives(size):
        try:
            for kernel, stride, padding in steps:
                size = conv_output_size(size, kernel, stride, padding)
        except ValueError:
            return False
        return True

    if not (survives(height) and survives(width)):
        smallest = next(n for n in range(1, 10_000) if survives(n))
        raise ValueError(
            f"{op} needs an image of at least {smallest}x{smallest} pixels, or its feature maps "
            f"shrink to nothing; received input_shape {tuple(input_shape)}. Resize or pad the "
            f"images, e.g. to the default input_shape."
        )
    return height, width, channels


def alexnet_steps():
    """(kernel, stride, padding) of every AlexNet layer that shrinks the maps, for the size checks."""
    steps = []
    for spec in ALEXNET_LAYERS:
        if spec.kernel:
            steps.append((spec.kernel, spec.stride, spec.padding.upper()))
        if spec.pool:
            steps.append((3, 2, "VALID"))
    return steps


def lenet5(input_shape=(32, 32, 1), num_classes=10, activation="tanh"):
    """LeNet-5 (LeCun et al., 1998) in the form Keras books build it.

    C1: 6 filters 5x5, S2: 2x2 average pooling, C3: 16 filters 5x5, S4: 2x2 average pooling,
    C5: 120 units, F6: 84 units, output: `num_classes` units with softmax. The paper's C5 is a 5x5
    convolution over S4's 5x5 maps, the same as a dense layer on the flattened maps. Unlike the
    paper, C3 connects every S4 map to every filter, the pooling has no trainable weights and the
    output is a softmax rather than RBF units.

    Args:
        input_shape: (height, width, channels) of one image; LeCun padded MNIST's 28x28 to 32x32.
        num_classes: int, units of the output layer.
        activation: activation of the hidden layers ("tanh", as in the paper, or e.g. "relu").

    Returns:
        An uncompiled `keras.Sequential` named "lenet5".

    Example:
        >>> lenet5().count_params()
        61706
    """
    check_model_args("lenet5", input_shape, num_classes,
                      [(5, 1, "VALID"), (2, 2, "VALID"), (5, 1, "VALID"), (2, 2, "VALID")])
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=tuple(input_shape), name="image"),
        layers.Conv2D(6, 5, activation=activation, name="c1"),
        layers.AveragePooling2D(2, name="s2"),
        layers.Conv2D(16, 5, activation=activation, name="c3"),
        layers.AveragePooling2D(2, name="s4"),
        layers.Flatten(name="flatten"),
        layers.Dense(120, activation=activation, name="c5"),
        layers.Dense(84, activation=activation, name="f6"),
        layers.Dense(num_classes, activation="softmax", name="output"),
    ], name="lenet5")


def alexnet(input_shape=(227, 227, 3), num_classes=1000, two_gpu=False):
    """AlexNet (Krizhevsky, Sutskever & Hinton, 2012), built from `ALEXNET_LAYERS`.

    Five convolutions with ReLU, overlapping 3x3 max pooling with stride 2 after conv1, conv2 and
    conv5, then three dense layers with dropout 0.5 after fc6 and fc7. The local response
    normalisation after conv1 and conv2 is left out (Keras has no such layer, and it has no
    weights). The paper says 224x224, but an 11x11 filter with stride 4 fits that only with
    padding; 227x227 gives the paper's 55x55 maps without it.

    Args:
        input_shape: (height, width, channels) of one image.
        num_classes: int, units of the output layer.
        two_gpu: False for the usual single-stream network; True to keep the paper's two-GPU
            connectivity: conv2, conv4 and conv5 become grouped convolutions (groups=2), each half
            reading only the maps of its own GPU.

    Returns:
        An uncompiled `keras.Sequential` named "alexnet" (or "alexnet_two_gpu").

    Example:
        >>> alexnet().count_params()
        62378344
    """
    check_model_args("alexnet", input_shape, num_classes, alexnet_steps())
    if not isinstance(two_gpu, bool):
        raise TypeError(f"alexnet expects `two_gpu` to be True or False; received {two_gpu!r}.")
    import keras
    from keras import layers

    stack = [keras.Input(shape=tuple(input_shape), name="image")]
    for spec in ALEXNET_LAYERS:
        number = spec.name[-1]  # conv2 -> pool2, fc6 -> drop6
        if spec.kernel:  # a convolution, perhaps followed by max pooling
            stack.append(layers.Conv2D(spec.size, spec.kernel, strides=spec.stride,
                                       padding=spec.padding, activation="relu", name=spec.name,
                                       groups=spec.groups if two_gpu else 1))
            if spec.pool:
                stack.append(layers.MaxPooling2D(3, strides=2, name=f"pool{number}"))
            continue
        if isinstance(stack[-1], layers.MaxPooling2D):  # the first dense layer: flatten the maps
            stack.append(layers.Flatten(name="flatten"))
        if spec is ALEXNET_LAYERS[-1]:  # the output layer
            stack.append(layers.Dense(num_classes, activation="softmax", name=spec.name))
        else:
            stack.append(layers.Dense(spec.size, activation="relu", name=spec.name))
            stack.append(layers.Dropout(0.5, name=f"drop{number}"))
    return keras.Sequential(stack, name="alexnet_two_gpu" if two_gpu else "alexnet")
