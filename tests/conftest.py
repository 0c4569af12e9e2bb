"""Test set-up: quiet TensorFlow, a headless matplotlib, and MNIST from the local file only."""

import os

# Before TensorFlow is first imported: no C++ start-up log lines, and no oneDNN notice.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("MPLBACKEND", "Agg")

# MNIST is read from the offline copy beside the project, never downloaded during tests. The test
# command sets this already; the default lets a bare `pytest` in a checkout do the same.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("CNN_UTILS_MNIST_PATH",
                      os.path.join(os.path.dirname(_ROOT), "shared", "data", "mnist.npz"))

import numpy as np  # noqa: E402
import pytest  # noqa: E402


def tolerance(dtype):
    """Absolute and relative tolerance for comparing results computed in `dtype`."""
    return {"float16": 1e-2, "float32": 1e-4, "float64": 1e-10}[np.dtype(dtype).name]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
