"""cnn_utils.models.keras_mnist: the models' sizes and fit_mnist's record and Korean training log."""

import re

import keras
import numpy as np

from cnn_utils.models import fit_mnist, keras_example_cnn, mnist_cnn

# One line per epoch, in the words of chapter 9's log (에포크, 손실, 시험 정확도, 초, 누적).
LOG_LINE = re.compile(r"^에포크 (\d+): 손실 \d+\.\d{4}, 시험 정확도 [01]\.\d{4}, "
                      r"\d+\.\d초 \(누적 \d+초\)$")


def _tiny_data(rng, n=64):
    x = rng.random((n, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, n)
    return (x[:48], y[:48]), (x[48:], y[48:])


def test_model_sizes():
    assert keras_example_cnn().count_params() == 34_826
    assert mnist_cnn().count_params() == 225_322


def test_fit_mnist_records_and_logs_in_korean(capsys):
    rng = np.random.default_rng(0)
    record = fit_mnist(keras_example_cnn(), _tiny_data(rng), epochs=2, batch_size=16,
                       optimizer="adam", seed=1)
    assert set(record) == {"seconds", "loss", "accuracy", "test_accuracy"}
    assert all(len(values) == 2 for values in record.values())
    assert record["seconds"][0] <= record["seconds"][1]          # cumulative
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2, lines
    for number, line in enumerate(lines, start=1):
        match = LOG_LINE.match(line)
        assert match, f"not the book's Korean log line: {line!r}"
        assert int(match.group(1)) == number
    assert not re.search(r"[A-Za-z]", "".join(lines)), f"English words in the log: {lines}"


def test_fit_mnist_quiet(capsys):
    rng = np.random.default_rng(0)
    fit_mnist(keras_example_cnn(), _tiny_data(rng), epochs=1, batch_size=16, optimizer="adam",
              verbose=False)
    assert capsys.readouterr().out == ""
