"""cnn_utils.evaluation and the checkers of chapter 10 (cnn_utils.checks.evaluation)."""

import numpy as np
import pytest

from cnn_utils import confusion_matrix, most_confused, per_class_accuracy, precision_recall
from cnn_utils.checks import (DIAGNOSES, check_cifar_counts, check_confusion_matrix,
                              check_precision_recall)
from cnn_utils.checks.engine import hidden_seed


def test_confusion_matrix_counts_rows_truth_columns_prediction():
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    matrix = confusion_matrix(y, p, 10)
    assert matrix.dtype == np.int64 and matrix.shape == (10, 10) and matrix.sum() == 500
    assert np.array_equal(matrix.sum(axis=1), np.bincount(y, minlength=10))
    assert np.array_equal(matrix.sum(axis=0), np.bincount(p, minlength=10))
    assert matrix[3, 5] == np.sum((y == 3) & (p == 5))
    assert confusion_matrix(y[:, np.newaxis], p, 10).tolist() == matrix.tolist()    # Keras's (N, 1)
    assert confusion_matrix([0, 0], [0, 0], 3).tolist() == [[2, 0, 0], [0, 0, 0], [0, 0, 0]]


@pytest.mark.parametrize("labels, predictions, num_classes, match", [
    ([0, 1], [0], 2, "as many predictions"),
    ([0, 3], [0, 1], 3, "num_classes"),
    ([[0.1, 0.9]], [1], 2, "integer class labels"),
    ([0, -1], [0, 1], 2, ">= 0"),
    ([0, 1], [0, 1], 0, "positive int"),
])
def test_confusion_matrix_rejects_bad_input(labels, predictions, num_classes, match):
    with pytest.raises(ValueError, match=match):
        confusion_matrix(labels, predictions, num_classes)


def test_per_class_reading():
    matrix = np.array([[50, 30, 20], [0, 90, 10], [5, 5, 90]])
    assert np.allclose(per_class_accuracy(matrix), [0.5, 0.9, 0.9])
    precision, recall = precision_recall(matrix)
    assert np.allclose(precision, [50 / 55, 90 / 125, 90 / 120])
    assert np.allclose(recall, per_class_accuracy(matrix))
    assert most_confused(matrix, k=3) == [(0, 1, 30), (0, 2, 20), (1, 2, 10)]
    with pytest.raises(ValueError, match="square"):
        precision_recall(np.ones((2, 3)))


def assert_diagnosed(result, diagnosis):
    assert not result.ok and result.diagnosis == diagnosis, result.message
    assert DIAGNOSES[diagnosis] in result.message


def _loop_matrix(labels, predictions, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    for t, g in zip(labels, predictions):
        matrix[t, g] += 1
    return matrix


def test_check_confusion_matrix_passes_and_diagnoses():
    assert check_confusion_matrix(_loop_matrix).ok
    assert check_confusion_matrix(confusion_matrix).ok
    assert_diagnosed(check_confusion_matrix(lambda y, p, k: _loop_matrix(p, y, k)), "confusion_transposed")

    def rows(y, p, k):
        m = _loop_matrix(y, p, k)
        return m / m.sum(axis=1, keepdims=True)

    def columns(y, p, k):
        m = _loop_matrix(y, p, k)
        return m / m.sum(axis=0, keepdims=True)

    def fancy(y, p, k):
        m = np.zeros((k, k), dtype=int)
        m[y, p] += 1
        return m

    assert_diagnosed(check_confusion_matrix(rows), "confusion_row_normalised")
    assert_diagnosed(check_confusion_matrix(columns), "confusion_column_normalised")
    assert_diagnosed(check_confusion_matrix(lambda y, p, k: _loop_matrix(y, p, k) / len(y)),
                     "confusion_total_normalised")
    assert_diagnosed(check_confusion_matrix(fancy), "confusion_fancy_add")
    assert_diagnosed(check_confusion_matrix(lambda y, p, k: confusion_matrix(y, p)),
                     "confusion_size_from_data")
    assert check_confusion_matrix(...).score == 0
    assert check_confusion_matrix(lambda y, p, k: None).score == 0
    with hidden_seed(7):
        assert check_confusion_matrix(_loop_matrix).ok
        assert not check_confusion_matrix(fancy).ok


def test_check_precision_recall_passes_and_diagnoses():
    def student(matrix):
        right = np.diag(matrix)
        return right / matrix.sum(axis=0), right / matrix.sum(axis=1)

    assert check_precision_recall(student).ok
    assert_diagnosed(check_precision_recall(lambda m: student(m)[::-1]), "precision_recall_swapped")
    assert_diagnosed(check_precision_recall(lambda m: (np.diag(m) / m.sum(1), student(m)[1])),
                     "precision_recall_swapped")
    assert_diagnosed(check_precision_recall(lambda m: (student(m)[0], np.diag(m) / m.sum(0))),
                     "recall_from_columns")
    assert_diagnosed(check_precision_recall(lambda m: (np.diag(m) / m.sum(),) * 2), "precision_recall_total")
    assert check_precision_recall(lambda m: student(m)[0]).score == 0
    with hidden_seed(3):
        assert check_precision_recall(student).ok


def test_check_cifar_counts():
    assert check_cifar_counts(3072, 896).ok
    assert check_cifar_counts(..., ...).score == 0
    wrong_values = check_cifar_counts(1024, 896)
    assert not wrong_values.ok and "채널을 빠뜨렸습니다" in wrong_values.message
    assert DIAGNOSES["bias_missing"] in check_cifar_counts(3072, 864).message
    assert DIAGNOSES["in_channels_ignored"] in check_cifar_counts(3072, 320).message
