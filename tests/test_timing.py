import pytest

from cnn_utils import best_time, time_to_accuracy


def test_best_time_runs_repeat_times_and_returns_the_minimum():
    calls = []
    t = best_time(calls.append, 1, repeat=4)
    assert calls == [1, 1, 1, 1]
    assert 0 <= t < 1


@pytest.mark.parametrize("repeat", [0, -1, 1.5, True])
def test_best_time_rejects_bad_repeat(repeat):
    with pytest.raises(ValueError, match="`repeat` to be an int >= 1"):
        best_time(sum, [1], repeat=repeat)


def test_time_to_accuracy_is_the_first_epoch_at_or_above_the_target():
    record = {"seconds": [10.0, 21.0, 30.0], "test_accuracy": [0.98, 0.99, 0.985]}
    assert time_to_accuracy(record, 0.99) == 21.0          # reached exactly counts
    assert time_to_accuracy(record, 0.98) == 10.0
    assert time_to_accuracy(record, 0.995) is None
