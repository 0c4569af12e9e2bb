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


# What needs the built book (_build/html) or the browser; such a test must be marked `book`, so
# that `python3 tasks.py test --quick` (-m "not book") leaves it out instead of failing on it.
BOOK_FIXTURES = {"pages", "browser", "server"}


def pytest_collection_modifyitems(config, items):
    unmarked = [item.nodeid for item in items
                if BOOK_FIXTURES & set(getattr(item, "fixturenames", ()))
                and item.get_closest_marker("book") is None]
    if unmarked:
        raise pytest.UsageError("these tests use the built book or the browser "
                                f"({', '.join(sorted(BOOK_FIXTURES))}) but are not marked "
                                "`@pytest.mark.book`: " + ", ".join(unmarked[:5]))
