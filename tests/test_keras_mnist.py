"""cnn_utils.models.keras_mnist: the models' sizes, fit_mnist's record, the Korean epoch log, train_steps."""

import re

import keras
import numpy as np
import pytest

from cnn_utils.models import epoch_log, fit_mnist, keras_example_cnn, mnist_cnn, train_steps

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


def test_mnist_cnn_without_batch_norm():
    model = mnist_cnn(batch_norm=False)
    assert not any("bn" in layer.name for layer in model.layers)
    # the convolutions get their biases back: 225,322 - 4 * (32 + 64) + 32 + 64
    assert model.count_params() == 225_322 - 4 * 96 + 96
    with pytest.raises(TypeError, match="batch_norm"):
        mnist_cnn(batch_norm="no")


EPOCH_LOG_LINE = re.compile(r"^에포크 (\d+): 손실 \d+\.\d{4}, 정확도 [01]\.\d{4}, 검증 손실 \d+\.\d{4}, "
                            r"검증 정확도 [01]\.\d{4}, \d+\.\d초$")


def test_epoch_log_prints_one_korean_line_per_epoch_with_the_validation_scores(capsys):
    rng = np.random.default_rng(0)
    (x, y), validation = _tiny_data(rng)
    model = keras_example_cnn()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=16, epochs=2, validation_data=validation, verbose=0, callbacks=[epoch_log()])
    lines = capsys.readouterr().out.strip().splitlines()
    assert [int(EPOCH_LOG_LINE.match(line).group(1)) for line in lines] == [1, 2], lines


def test_train_steps_trains_the_given_steps_and_scores_on_the_validation_data():
    rng = np.random.default_rng(0)
    train, validation = _tiny_data(rng)
    keras.utils.set_random_seed(5)               # the initial weights: the caller's seed
    run = train_steps(mnist_cnn(), train, validation, steps=3, learning_rate=1e-3, batch_size=16)
    assert set(run) == {"step_loss", "val_loss", "val_accuracy", "seconds"}
    assert len(run["step_loss"]) == 3 and 0 <= run["val_accuracy"] <= 1
    keras.utils.set_random_seed(5)
    again = train_steps(mnist_cnn(), train, validation, steps=3, learning_rate=1e-3, batch_size=16)
    assert np.isclose(again["val_loss"], run["val_loss"], rtol=1e-4)      # same seed, same run
    with pytest.raises(ValueError, match="steps"):
        train_steps(mnist_cnn(), train, validation, steps=4, learning_rate=1e-3, batch_size=16)


def test_mnist_cnn_takes_other_input_shapes():
    cifar = mnist_cnn(input_shape=(32, 32, 3))
    assert cifar.input_shape == (None, 32, 32, 3)
    assert cifar.get_layer("conv1").count_params() == 3 * 3 * 3 * 32     # no bias beside BN
    assert cifar.get_layer("flatten").output.shape[1] == 6 * 6 * 64        # 32 -> 30 -> 15 -> 13 -> 6
    assert mnist_cnn(batch_norm=False, input_shape=(28, 28, 1)).count_params() == \
        mnist_cnn(batch_norm=False).count_params()
    for bad in [(32, 32), (8, 8, 3), "32x32x3", (32, 32, 0), (32.0, 32, 3)]:
        with pytest.raises(ValueError, match="input_shape"):
            mnist_cnn(input_shape=bad)
