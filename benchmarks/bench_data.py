"""Loading the data sets: CIFAR-10's first load (decoding 60,000 JPEG files into a fresh cache)
and its second (the cache), side by side with MNIST's load in the same run as the anchor.

The goal (issue 15) is a second CIFAR-10 load well under a second. Run with
`python3 -m benchmarks.bench_data` or through `python3 tasks.py bench`.
"""

import statistics
import tempfile
import time

from cnn_utils import load_cifar10, load_mnist


def _seconds(load, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        load()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(quick=False):
    repeat = 3 if quick else 7
    mnist = _seconds(load_mnist, repeat)
    with tempfile.TemporaryDirectory(prefix="bench-cifar-cache-") as cache:
        first = _seconds(lambda: load_cifar10(cache_dir=cache), 1)
        second = _seconds(lambda: load_cifar10(cache_dir=cache), repeat)
    verdict = "met" if second < 1.0 else "MISSED"
    return [("load_cifar10: first load (decode into a new cache), then from the cache; load_mnist "
             "in the same run",
             f"first {first:.1f} s; from the cache {second:.2f} s (median of {repeat}; goal: well "
             f"under 1 s: {verdict}); load_mnist {mnist:.2f} s")]


if __name__ == "__main__":
    for name, result in run():
        print(f"{name}: {result}")
