"""conv2d timings: cnn_utils.conv2d (im2col + one BLAS product) against tf.nn.conv2d and the loop version.

Run through `python3 tasks.py bench`; prints one Markdown table row per measurement.
"""

import numpy as np
import tensorflow as tf

from cnn_utils import best_time, conv2d, conv2d_naive

INPUT_SHAPE = (128, 28, 28, 32)
FILTER_SHAPE = (3, 3, 32, 64)


def run(quick=False):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(INPUT_SHAPE).astype(np.float32)
    w = rng.standard_normal(FILTER_SHAPE).astype(np.float32)
    rows = []
    for padding in ("SAME", "VALID"):
        tf.nn.conv2d(x, w, 1, padding)  # warm-up: TensorFlow builds its kernel on the first call
        t_tf = best_time(lambda: tf.nn.conv2d(x, w, 1, padding).numpy(), repeat=10)
        t_fast = best_time(conv2d, x, w, 1, padding, repeat=10)
        # The loop version takes tens of seconds on the full batch: time it once (or on 8 images
        # with --quick and scale linearly: its cost is exactly proportional to the batch size).
        n = 8 if quick else INPUT_SHAPE[0]
        t_loop = best_time(conv2d_naive, x[:n], w, 1, padding, repeat=1) * INPUT_SHAPE[0] / n
        np.testing.assert_allclose(conv2d(x, w, 1, padding), tf.nn.conv2d(x, w, 1, padding),
                                   rtol=1e-4, atol=1e-3)
        rows.append((f"conv2d {INPUT_SHAPE} * {FILTER_SHAPE}, stride 1, {padding}",
                     f"tf.nn.conv2d {t_tf * 1e3:.1f} ms; cnn_utils.conv2d {t_fast * 1e3:.1f} ms "
                     f"({t_fast / t_tf:.2f}x TF); conv2d_naive {t_loop:.1f} s "
                     f"({t_loop / t_fast:.0f}x slower than conv2d"
                     f"{', scaled from 8 images' if quick else ''})"))
    return rows
