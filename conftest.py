"""Set-up for every test, doctest and notebook: the environment of `tasks.py test`."""

import os

import pytest

import tasks

# Before TensorFlow is first imported (notebook kernels inherit this environment), the environment
# of `tasks.py test` (tasks.test_environment decides it), so that a bare `pytest` in a checkout runs
# the same way: no TensorFlow C++ start-up log lines (the oneDNN notice included) in any output,
# what TensorFlow's C++ writes to stderr all the same kept out of the kernels' cell outputs
# (tasks.kernel_settings says why), and MNIST read from the offline copy, never downloaded. Which
# CPU kernels TensorFlow uses stays as this CPU picks them; `tasks.py test` re-runs the notebooks
# on its other CPU paths too.
os.environ.update(tasks.test_environment(tests=True))


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
