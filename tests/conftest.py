import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")  # the unit tests draw off screen (notebook kernels keep their inline backend)


def tolerance(dtype):
    """Absolute and relative tolerance for comparing results computed in `dtype`."""
    return {"float16": 1e-2, "float32": 1e-4, "float64": 1e-10}[np.dtype(dtype).name]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
