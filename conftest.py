"""Set-up for every test, doctest and notebook: quiet TensorFlow and offline MNIST."""

import os

import pytest

import tasks

# Before TensorFlow is first imported (notebook kernels inherit this environment): no C++ start-up
# log lines (the oneDNN notice included) in any output. Which CPU kernels TensorFlow uses stays as
# this CPU picks them; `tasks.py test` re-runs the notebooks on its other CPU paths too.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# ... and what TensorFlow's C++ writes to stderr all the same (the oneDNN notice) stays out of the
# kernels' cell outputs; Python's warnings still reach them (tasks.kernel_settings says why).
os.environ.setdefault("IPYTHONDIR", str(tasks.kernel_settings()))

# MNIST is read from the offline copy beside the project, never downloaded during tests. The test
# command sets this already; the default lets a bare `pytest` in a checkout do the same.
_ROOT = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("CNN_UTILS_MNIST_PATH",
                      os.path.join(os.path.dirname(_ROOT), "shared", "data", "mnist.npz"))


# Which of TensorFlow's CPU code paths this run uses (tasks.py test sets it for each pass): shown
# in the header and in every failure, so a contributor knows which pass to re-run alone.
_CPU_PATH = os.environ.get("CNN_BOOK_CPU_PATH")


def pytest_report_header(config):
    if _CPU_PATH:
        return f"TensorFlow CPU path: {_CPU_PATH}"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if _CPU_PATH and report.failed:
        name = _CPU_PATH.split(" ", 1)[0]
        report.sections.append(("TensorFlow CPU path",
                                f"{_CPU_PATH}; re-run this path alone: "
                                f"python3 tasks.py test --cpu-path {name}"))
    return report
