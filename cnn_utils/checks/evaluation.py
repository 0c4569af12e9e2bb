"""Checkers of chapter 10's exercises: a confusion matrix, precision and recall, CIFAR-10's counts.

Used in chapter 10: `check_confusion_matrix` (a student's ``confusion_matrix(labels, predictions,
num_classes)``), `check_precision_recall` (``precision_recall(matrix)``) and `check_cifar_counts`
(the numbers in one CIFAR-10 image and the parameters of a first 3x3 convolution on it). The
reference implementations are `cnn_utils.evaluation`; the diagnoses of the usual mistakes are added
to `DIAGNOSES` here, beside the checkers that use them.
"""

import numpy as np

from ..evaluation import confusion_matrix, precision_recall
from ..shapes import conv_param_count
from .answers import check_all, check_answer
from .engine import _SEED, _Case, _hidden_rng, _name, _run_cases
from .formatting import _describe_with_values
from .ops import param_count_mistakes
from .result import DIAGNOSES
from .sandbox import DEFAULT_TIMEOUT

DIAGNOSES.update({
    "confusion_transposed": "행과 열이 바뀌었습니다. 행은 정답 클래스, 열은 예측 클래스입니다: "
                            "matrix[labels[n], predictions[n]]에 1을 더하세요.",
    "confusion_row_normalised": "개수를 행의 합으로 나눠 비율로 만들었습니다. 이 함수는 개수(정수)를 돌려줍니다. "
                                "비율은 필요할 때 행렬에서 따로 계산합니다.",
    "confusion_column_normalised": "개수를 열의 합으로 나눴습니다. 이 함수는 나누지 않은 개수를 돌려줍니다.",
    "confusion_total_normalised": "개수를 전체 이미지 수로 나눴습니다. 이 함수는 나누지 않은 개수를 돌려줍니다.",
    "confusion_fancy_add": "같은 칸에 여러 번 더해야 할 때 한 번만 더해졌습니다. numpy의 "
                           "matrix[labels, predictions] += 1은 겹치는 칸을 한 번만 셉니다. np.add.at(matrix, "
                           "(labels, predictions), 1)이나 반복문으로 하나씩 더하세요.",
    "confusion_size_from_data": "행렬의 크기를 데이터에 나온 가장 큰 클래스로 정했습니다. 어떤 클래스가 한 번도 "
                                "나오지 않아도 행렬은 num_classes × num_classes입니다.",
    "precision_recall_swapped": "정밀도 자리의 값이 재현율(대각선 ÷ 행의 합)입니다. 둘을 바꿔 돌려줬거나 정밀도를 "
                                "행의 합으로 나눴습니다. 정밀도는 그 클래스로 예측한 것(열, matrix.sum(axis=0)) "
                                "가운데 맞은 비율, 재현율은 그 클래스의 이미지(행, axis=1) 가운데 맞힌 비율입니다.",
    "recall_from_columns": "재현율을 열의 합으로 나눴습니다. 재현율의 분모는 그 클래스의 이미지 수, 곧 행의 "
                           "합(matrix.sum(axis=1))입니다.",
    "precision_recall_total": "대각선을 전체 이미지 수로 나눴습니다. 클래스마다 그 클래스의 행(재현율)이나 "
                              "열(정밀도)의 합으로 나눕니다.",
})

# (classes, images); the first two can be followed by hand.
_CONFUSION_CASES = [(3, 6), (2, 5), (4, 30), (10, 200), (5, 12), (6, 50), (3, 40), (10, 1000)]
_CONFUSION_VISIBLE = 2


def _confusion_mistakes(y, p, k, expected):
    rows = expected.sum(axis=1, keepdims=True)
    cols = expected.sum(axis=0, keepdims=True)
    fancy = np.zeros((k, k), dtype=np.int64)
    fancy[y, p] += 1
    largest = int(max(y.max(), p.max())) + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        mistakes = [("confusion_transposed", expected.T),
                    ("confusion_row_normalised", np.nan_to_num(expected / rows)),
                    ("confusion_row_normalised", expected / rows),
                    ("confusion_column_normalised", np.nan_to_num(expected / cols)),
                    ("confusion_column_normalised", expected / cols),
                    ("confusion_total_normalised", expected / len(y)),
                    ("confusion_fancy_add", fancy), ("confusion_fancy_add", fancy.T)]
    shape_hints = [("confusion_size_from_data", (largest, largest))] if largest < k else []
    return mistakes, shape_hints


def check_confusion_matrix(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(labels, predictions, num_classes)``: the (num_classes, num_classes) count matrix.

    Entry [i, j] counts the images of true class i predicted as j (`cnn_utils.confusion_matrix`).
    Some cases leave a class out of both arrays, so that the size must come from `num_classes`, and
    every case repeats a (label, prediction) pair, so that numpy's ``m[y, p] += 1`` (which adds
    once per distinct cell) shows. The diagnosed mistakes: rows and columns swapped, counts divided
    by the row, column or total sums, ``+=`` with fancy indexing, the size taken from the data.

    Args:
        fn: the student's function; labels and predictions are 1-D int arrays.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> check_confusion_matrix(confusion_matrix).ok
        True
        >>> check_confusion_matrix(lambda y, p, k: confusion_matrix(p, y, k)).diagnosis
        'confusion_transposed'
    """
    rng = np.random.default_rng(_SEED + 100)
    cases = []
    for index, (k, n) in enumerate(_CONFUSION_CASES):
        if index == _CONFUSION_VISIBLE:
            rng = _hidden_rng(rng, 100)
        if index == 0:
            y, p = np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2])
        elif index == 1:
            y, p = np.array([0, 1, 1, 0, 1]), np.array([0, 1, 0, 0, 1])
        else:
            present = k - 1 if index % 2 else k          # every other case: the last class missing
            y = rng.integers(0, present, size=n)
            right = rng.random(n) < 0.6                  # mostly right, like a trained model
            p = np.where(right, y, rng.integers(0, present, size=n))
            y[1], p[1] = y[0], p[0]                      # a repeated pair
        y, p = y.astype(np.int64), p.astype(np.int64)
        expected = confusion_matrix(y, p, k)
        mistakes, hints = _confusion_mistakes(y, p, k, expected)
        describe = _describe_with_values([("labels", y), ("predictions", p), ("num_classes", k)])
        cases.append(_Case((y, p, k), expected, describe, mistakes, hidden=index >= _CONFUSION_VISIBLE,
                           shape_hints=hints))
    return _run_cases(_name(fn, "confusion_matrix"), fn, cases, timeout,
                      ["labels", "predictions", "num_classes"])


_PR_VISIBLE = 1


def check_precision_recall(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(matrix)`` -> (precision, recall), two arrays with one value per class.

    For a confusion matrix (rows the truth, columns the prediction), precision is the diagonal over
    the column sums and recall the diagonal over the row sums (`cnn_utils.precision_recall`). Every
    class is predicted at least once and has images, so no case divides by zero. The diagnosed
    mistakes: the two swapped or precision from the rows (part one is then the recall), recall from
    the columns, the total as denominator.

    Example:
        >>> check_precision_recall(precision_recall).ok
        True
        >>> check_precision_recall(lambda m: precision_recall(m)[::-1]).diagnosis
        'precision_recall_swapped'
    """
    rng = np.random.default_rng(_SEED + 101)
    cases = []
    for index, k in enumerate([2, 3, 4, 10, 5, 10, 6]):
        if index == _PR_VISIBLE:
            rng = _hidden_rng(rng, 101)
        if index == 0:
            matrix = np.array([[3, 1], [2, 2]])
        else:
            matrix = rng.integers(0, 8, size=(k, k)) + np.diag(rng.integers(10, 60, size=k))
        matrix = matrix.astype(np.int64)
        precision, recall = precision_recall(matrix)
        diag, rows, cols = np.diag(matrix), matrix.sum(axis=1), matrix.sum(axis=0)
        mistakes = [("recall_from_columns", (None, diag / cols)),
                    ("precision_recall_swapped", (recall, precision)),
                    ("precision_recall_total", (diag / matrix.sum(), diag / matrix.sum()))]
        cases.append(_Case((matrix,), (precision, recall), _describe_with_values([("matrix", matrix)]),
                           mistakes, hidden=index >= _PR_VISIBLE, kind="arrays",
                           parts=("precision", "recall")))
    return _run_cases(_name(fn, "precision_recall"), fn, cases, timeout, ["matrix"])


def check_cifar_counts(cifar_values, conv1_params, filters=32, kernel_size=3):
    """Checks the numbers in one CIFAR-10 image and a first convolution's parameter count on it.

    One image is 32 x 32 pixels of 3 channels: 3,072 numbers. A first layer of `filters`
    `kernel_size` x `kernel_size` filters with biases over those 3 channels has
    ``filters * kernel_size**2 * 3 + filters`` parameters (896 for 32 3x3 filters).

    Args:
        cifar_values: the student's int, the numbers in one image.
        conv1_params: the student's int, the layer's parameters.
        filters, kernel_size: the layer of the exercise.

    Returns:
        A `CheckResult` of both answers (`check_all`).

    Example:
        >>> check_cifar_counts(3072, 896).ok
        True
        >>> check_cifar_counts(1024, 864).diagnosis
        'wrong_value'
    """
    values = check_answer(cifar_values, 32 * 32 * 3, name="cifar_values", mistakes=[
        ("채널을 빠뜨렸습니다. 컬러 이미지는 픽셀마다 빨강, 초록, 파랑 세 값이 있습니다: 32 × 32 × 3.", 32 * 32),
        ("MNIST의 크기를 셌습니다. CIFAR-10 이미지는 28 × 28이 아니라 32 × 32이고 채널이 3개입니다.", 28 * 28),
        ("가로세로 한 변만 채널과 곱했습니다: 세로 32 × 가로 32 × 채널 3.", 32 * 3)],
        hint="세로 × 가로 × 채널 수입니다. x_train.shape를 보세요.")
    params = check_answer(conv1_params, conv_param_count(kernel_size, in_channels=3, filters=filters),
                          name="conv1_params",
                          mistakes=param_count_mistakes(kernel_size, 3, filters),
                          hint="필터 하나는 F × F × 3 모양이고 필터마다 편향이 하나입니다: K·F²·3 + K.")
    return check_all(values, params, name="cifar_counts")
