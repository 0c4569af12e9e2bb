import pytest

from cnn_utils import best_time


def test_best_time_runs_repeat_times_and_returns_the_minimum():
    calls = []
    t = best_time(calls.append, 1, repeat=4)
    assert calls == [1, 1, 1, 1]
    assert 0 <= t < 1


@pytest.mark.parametrize("repeat", [0, -1, 1.5, True])
def test_best_time_rejects_bad_repeat(repeat):
    with pytest.raises(ValueError, match="`repeat` to be an int >= 1"):
        best_time(sum, [1], repeat=repeat)
