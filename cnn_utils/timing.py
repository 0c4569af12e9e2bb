"""Wall-clock timing for the book's speed comparisons.

Used in chapters 4 and 9 (and the benchmarks of chapter 8's model).
"""

import time


def best_time(fn, *args, repeat=3, **kwargs):
    """Runs `fn(*args, **kwargs)` `repeat` times and returns the fastest run in seconds.

    The minimum is the figure least disturbed by whatever else the machine is doing.

    Args:
        fn: the callable to time.
        *args, **kwargs: passed to `fn`.
        repeat: int >= 1, how many runs.

    Returns:
        float, seconds.

    Example:
        >>> best_time(sum, range(1000)) < 1.0
        True
    """
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise ValueError(f"best_time expects `repeat` to be an int >= 1; received {repeat!r}.")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return min(times)


def time_to_accuracy(record, target):
    """Training seconds until the test accuracy first reached `target`, or None if it never did.

    Args:
        record: dict with lists "seconds" (cumulative training time after each epoch) and
            "test_accuracy", as `cnn_utils.models.fit_mnist` returns and chapter 9 records.
        target: float, the accuracy to reach.

    Example:
        >>> time_to_accuracy({"seconds": [10.0, 20.0], "test_accuracy": [0.98, 0.991]}, 0.99)
        20.0
    """
    for seconds, accuracy in zip(record["seconds"], record["test_accuracy"]):
        if accuracy >= target:
            return seconds
    return None
