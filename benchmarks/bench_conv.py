"""conv2d timings: cnn_utils.conv2d (im2col, a few images at a time) against tf.nn.conv2d and the loop version.

Run through `python3 tasks.py bench`; prints one Markdown table row per measurement, and one row
saying which BLAS kernel numpy ran (from threadpoolctl).

The timings run in a fresh interpreter (`python -m benchmarks.bench_conv`, started by `run`) whose
environment has OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed: OpenBLAS reads them once, when
numpy is imported, and they can make it run another CPU's kernel (or block for another cache size)
than the one it picks for this CPU. The caller's environment, and every other benchmark, keep them.
"""

import json
import os
import subprocess
import sys
import time

import numpy as np

INPUT_SHAPE = (128, 28, 28, 32)
FILTER_SHAPE = (3, 3, 32, 64)
PAIRS = 7
# Removed from the environment of the process that times numpy (see the module docstring).
OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def run(quick=False):
    """Times the convolutions in a child process with numpy's own OpenBLAS kernel; returns its rows."""
    env = {key: value for key, value in os.environ.items() if key not in OPENBLAS_OVERRIDES}
    command = [sys.executable, "-m", "benchmarks.bench_conv"] + (["--quick"] if quick else [])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run(command, env=env, cwd=root, stdout=subprocess.PIPE, text=True, check=True)
    return [tuple(row) for row in json.loads(result.stdout.splitlines()[-1])]


def blas_description():
    """Which BLAS numpy runs: library, version, the CPU kernel it picked and its thread count."""
    from threadpoolctl import threadpool_info

    libraries = [info for info in threadpool_info() if info["user_api"] == "blas"]
    text = "; ".join(f"{info['internal_api']} {info['version']}, {info.get('architecture')} kernel, "
                     f"{info['num_threads']} threads" for info in libraries) or "none found"
    unset = ", ".join(OPENBLAS_OVERRIDES)
    return f"{text} ({unset} unset for this benchmark)"


def interleaved(first, second, pairs=PAIRS):
    """Times `first` then `second`, `pairs` times in turn: so both see the same machine load.

    Returns the median time of each and the median of the per-pair ratios second / first.
    """
    times = []
    for _ in range(pairs):
        pair = []
        for fn in (first, second):
            start = time.perf_counter()
            fn()
            pair.append(time.perf_counter() - start)
        times.append(pair)
    times = np.array(times)
    return np.median(times[:, 0]), np.median(times[:, 1]), np.median(times[:, 1] / times[:, 0])


def measure(quick=False):
    """The rows, measured in this process (the child that `run` starts)."""
    import tensorflow as tf

    from cnn_utils import best_time, conv2d, conv2d_naive

    rng = np.random.default_rng(0)
    x = rng.standard_normal(INPUT_SHAPE).astype(np.float32)
    w = rng.standard_normal(FILTER_SHAPE).astype(np.float32)
    rows = []
    for padding in ("SAME", "VALID"):
        # Warm-up: TensorFlow builds its kernel on the first call; numpy's first call maps its memory.
        np.testing.assert_allclose(conv2d(x, w, 1, padding), tf.nn.conv2d(x, w, 1, padding),
                                   rtol=1e-4, atol=1e-3)
        t_tf, t_fast, ratio = interleaved(lambda: tf.nn.conv2d(x, w, 1, padding).numpy(),
                                          lambda: conv2d(x, w, 1, padding))
        # The loop version takes tens of seconds on the full batch: time it once (or on 8 images
        # with --quick and scale linearly: its cost is exactly proportional to the batch size).
        n = 8 if quick else INPUT_SHAPE[0]
        t_loop = best_time(conv2d_naive, x[:n], w, 1, padding, repeat=1) * INPUT_SHAPE[0] / n
        rows.append((f"conv2d {INPUT_SHAPE} * {FILTER_SHAPE}, stride 1, {padding}",
                     f"tf.nn.conv2d {t_tf * 1e3:.1f} ms; cnn_utils.conv2d {t_fast * 1e3:.1f} ms "
                     f"({ratio:.2f}x TF; medians of {PAIRS} interleaved pairs); conv2d_naive "
                     f"{t_loop:.1f} s ({t_loop / t_fast:.0f}x slower than conv2d"
                     f"{', scaled from 8 images' if quick else ''})"))
    rows.append(("numpy's BLAS in the conv2d timings", blas_description()))
    return rows


if __name__ == "__main__":
    rows = measure(quick="--quick" in sys.argv[1:])
    print(json.dumps(rows))  # the last line of stdout: what `run` reads
