"""Reading a classifier's mistakes: the confusion matrix and what it says per class.

Used in chapter 10: `confusion_matrix` counts (true class, predicted class) pairs, rows the true
class and columns the prediction, as chapter 8 drew it; `per_class_accuracy` and
`precision_recall` read the matrix row by row and column by column; `most_confused` lists the
off-diagonal cells with the most images (for CIFAR-10, cat and dog). The checkers of chapter 10's
exercises (`cnn_utils.checks.evaluation`) compare a student's functions with these.
"""

import numpy as np


def _labels(op, name, values):
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:      # Keras's (N, 1) label arrays
        array = array[:, 0]
    if array.ndim != 1 or not (np.issubdtype(array.dtype, np.integer) or array.size == 0):
        raise ValueError(f"{op} expects `{name}`, a 1-D array of integer class labels; received an "
                         f"array of shape {array.shape} and dtype {array.dtype}. Take argmax(axis=1) of "
                         f"predicted probabilities first.")
    if array.size and array.min() < 0:
        raise ValueError(f"{op} expects class labels >= 0 in `{name}`; received {int(array.min())}.")
    return array.astype(np.int64)


def confusion_matrix(labels, predictions, num_classes=None):
    """Counts of images by (true class, predicted class): rows are the truth, columns the prediction.

    Args:
        labels: 1-D int array (or Keras's (N, 1)) of true classes.
        predictions: 1-D int array of predicted classes, as long as `labels`.
        num_classes: int; default one more than the largest label or prediction.

    Returns:
        An int64 array (num_classes, num_classes); entry [i, j] counts the images of class i
        predicted as j, so row sums are the images per class and the diagonal the right ones.

    Raises:
        ValueError: on arrays of other shapes, lengths or dtypes, or labels >= `num_classes`.

    Example:
        >>> confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2])
        array([[1, 1, 0],
               [0, 1, 0],
               [1, 0, 2]])
    """
    labels = _labels("confusion_matrix", "labels", labels)
    predictions = _labels("confusion_matrix", "predictions", predictions)
    if len(labels) != len(predictions):
        raise ValueError(f"confusion_matrix expects as many predictions as labels; received "
                         f"{len(labels)} labels and {len(predictions)} predictions.")
    largest = int(max(labels.max(initial=-1), predictions.max(initial=-1)))
    if num_classes is None:
        num_classes = largest + 1
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"confusion_matrix expects `num_classes`, a positive int; received {num_classes!r}.")
    if largest >= num_classes:
        raise ValueError(f"confusion_matrix received the class {largest} with num_classes={num_classes}; "
                         f"labels run from 0 to num_classes - 1. Pass a larger num_classes.")
    matrix = np.zeros((int(num_classes), int(num_classes)), dtype=np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def _matrix(op, matrix):
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or not np.issubdtype(matrix.dtype, np.number):
        raise ValueError(f"{op} expects a square confusion matrix (classes, classes) of counts; "
                         f"received an array of shape {matrix.shape} and dtype {matrix.dtype}.")
    return matrix.astype(np.float64)


def per_class_accuracy(matrix):
    """The share of each class's images that the model got right: the diagonal over the row sums.

    This is each class's recall. A class without images gets NaN.

    Example:
        >>> per_class_accuracy([[3, 1], [2, 2]])
        array([0.75, 0.5 ])
    """
    matrix = _matrix("per_class_accuracy", matrix)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.diag(matrix) / matrix.sum(axis=1)


def precision_recall(matrix):
    """Each class's precision (diagonal over column sums) and recall (diagonal over row sums).

    Precision: of the images predicted as class k, the share that are k. Recall: of the images of
    class k, the share predicted as k. A class never predicted (or without images) gets NaN.

    Returns:
        (precision, recall), two float arrays of shape (classes,).

    Example:
        >>> precision, recall = precision_recall([[3, 1], [2, 2]])
        >>> precision.round(3), recall
        (array([0.6  , 0.667]), array([0.75, 0.5 ]))
    """
    matrix = _matrix("precision_recall", matrix)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.diag(matrix) / matrix.sum(axis=0), np.diag(matrix) / matrix.sum(axis=1)


def most_confused(matrix, k=5):
    """The `k` off-diagonal cells with the most images, largest first.

    Returns:
        list of (true class, predicted class, count) tuples of ints; ties in the order of the cells.

    Example:
        >>> most_confused([[5, 0, 2], [1, 4, 0], [3, 0, 6]], k=2)
        [(2, 0, 3), (0, 2, 2)]
    """
    counts = _matrix("most_confused", matrix)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"most_confused expects `k`, a positive int; received {k!r}.")
    off = counts.copy()
    np.fill_diagonal(off, -1)
    order = np.argsort(-off, axis=None, kind="stable")[:int(k)]
    rows, cols = np.unravel_index(order, off.shape)
    return [(int(i), int(j), int(counts[i, j])) for i, j in zip(rows, cols) if i != j]
