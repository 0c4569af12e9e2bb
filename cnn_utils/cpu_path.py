"""Which CPU kernels TensorFlow runs, and what changes with them (chapter 7).

TensorFlow's CPU build carries two sets of kernels: Eigen's and oneDNN's. It picks oneDNN when the
environment variable `TF_ENABLE_ONEDNN_OPTS` says so ("1"), or, when the variable is unset, on CPUs
with the neural-network instructions AVX-512 VNNI, AVX-512 BF16, AVX-VNNI or AMX; it picks Eigen when
`TF_ENABLE_ONEDNN_OPTS=0` or on other CPUs. The choice is made once, when TensorFlow starts.

The two sets add numbers in different orders, so float32 results can differ in the last digit, and
they support different things: Eigen's CPU convolution takes NHWC (channels_last) only, oneDNN's
takes NCHW (channels_first) too. `python3 tasks.py test` runs every chapter under both sets (and
with oneDNN limited to AVX2, as on an older CPU), so the book never prints what only one of them does.
"""

import json
import os
import subprocess
import sys
from dataclasses import dataclass

# What one fresh interpreter runs for `channels_first_conv_outcome`: a channels_first Conv2D on the
# CPU, reporting the output shape or the error's first line as JSON.
_CHANNELS_FIRST_PROBE = """\
import json
import re

import numpy as np
import keras
import tensorflow as tf

layer = keras.layers.Conv2D(3, 3, data_format="channels_first")
try:
    shape = tuple(layer(np.zeros((2, 1, 6, 6), dtype=np.float32)).shape)
    print(json.dumps({"ran": True, "output_shape": shape}))
except tf.errors.UnimplementedError as error:
    # Keras wraps TensorFlow's message; keep its one sentence about the op.
    reason = re.search(r"The Conv2D op.*?NCHW", error.message)
    text = reason.group(0) if reason else error.message.splitlines()[0]
    print(json.dumps({"ran": False, "error": type(error).__name__ + ": " + text}))
"""


def onednn_enabled():
    """Whether this process's TensorFlow runs its CPU kernels through oneDNN.

    Imports TensorFlow (which makes the choice at start-up) and asks it.

    Returns:
        bool.

    Example:
        >>> isinstance(onednn_enabled(), bool)
        True
    """
    import tensorflow  # noqa: F401  (the choice is made when TensorFlow starts)
    from tensorflow.python.util import _pywrap_util_port

    return bool(_pywrap_util_port.IsMklEnabled())


@dataclass(frozen=True)
class ConvOutcome:
    """What a channels_first `keras.layers.Conv2D` did on the CPU under one set of kernels."""

    onednn: bool
    ran: bool
    output_shape: tuple = None
    error: str = None

    def __str__(self):
        kernels = "oneDNN" if self.onednn else "Eigen"
        setting = f"TF_ENABLE_ONEDNN_OPTS={int(self.onednn)}"
        result = f"실행됨, 출력 {self.output_shape}" if self.ran else self.error
        return f"{kernels} 구현 ({setting}): {result}"


def channels_first_conv_outcome(onednn):
    """Runs a channels_first Conv2D on the CPU in a fresh Python with oneDNN on or off.

    Chapter 7 shows with it that whether NCHW convolution runs on a CPU is a property of the
    kernels TensorFlow picked, not of TensorFlow: the same code is shown under both sets whatever
    the reader's CPU picks by default. The layer has 3 filters of 3x3 and gets 2 images of shape
    (1, 6, 6).

    Args:
        onednn: bool, the value of TF_ENABLE_ONEDNN_OPTS for the new process.

    Returns:
        ConvOutcome; `str()` of it is one Korean line for the reader.

    Raises:
        TypeError: `onednn` is not a bool.
        RuntimeError: the new process failed for another reason (its error output is included).
    """
    if not isinstance(onednn, bool):
        raise TypeError(f"channels_first_conv_outcome expects `onednn` to be True or False; "
                        f"received {onednn!r}.")
    env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=str(int(onednn)), TF_CPP_MIN_LOG_LEVEL="3")
    run = subprocess.run([sys.executable, "-c", _CHANNELS_FIRST_PROBE], env=env,
                         capture_output=True, text=True)
    if run.returncode != 0 or not run.stdout.strip():
        raise RuntimeError(f"channels_first_conv_outcome: the probe with TF_ENABLE_ONEDNN_OPTS="
                           f"{int(onednn)} failed (exit code {run.returncode}):\n{run.stderr[-2000:]}")
    report = json.loads(run.stdout.strip().splitlines()[-1])
    shape = tuple(report["output_shape"]) if report["ran"] else None
    return ConvOutcome(onednn=onednn, ran=report["ran"], output_shape=shape,
                       error=report.get("error"))
