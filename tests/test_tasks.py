"""tasks.py's test command: what `test` and `test --quick` run, without running it."""

import json
import os
import re
import subprocess
import sys
import types

import pytest

import tasks

NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]


@pytest.fixture
def recorded(tmp_path, monkeypatch):
    """tasks.py with every command recorded instead of run; each pytest run reports one pass."""
    calls = []
    monkeypatch.delenv("CNN_BOOK_TEST_WORKERS", raising=False)
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.setattr(tasks, "REPORTS", tmp_path / "reports")
    monkeypatch.setattr(tasks, "build_book", lambda: calls.append("build_book"))
    monkeypatch.setattr(tasks, "ensure_browser", lambda: calls.append("ensure_browser"))
    monkeypatch.setattr(tasks, "build_pdf_for_tests", lambda: calls.append("build_pdf"))

    def run(command, cwd, env):
        calls.append([str(part) for part in command])
        if "pytest" in command:
            report = next(part for part in command if part.startswith("--junitxml="))
            with open(report.removeprefix("--junitxml="), "w", encoding="utf-8") as out:
                out.write('<testsuite><testcase file="tests/test_x.py" name="test_x"/></testsuite>')
        else:                                                   # the Colab-stack run
            summary = tmp_path / "_build" / "colab-stack" / "summary.json"
            summary.parent.mkdir(parents=True, exist_ok=True)
            summary.write_text(json.dumps({"passed": ["ch"], "failed": {}}), encoding="utf-8")
        return types.SimpleNamespace(returncode=0)

    monkeypatch.setattr(tasks.subprocess, "run", run)
    return calls


def _pytest(targets, report, *options):
    return [str(tasks.PYTHON), "-m", "pytest", *targets, *options, f"--junitxml={report}",
            "-o", "junit_family=xunit1", "-n", "2", "--dist", "loadfile"]


def test_the_full_command_builds_the_book_and_runs_everything(recorded, tmp_path, capsys):
    tasks.run_tests([])
    reports = tmp_path / "reports"
    assert recorded == [
        "ensure_browser", "build_book", "build_pdf",
        _pytest(["tests", "cnn_utils", "book"], reports / "default.xml", *NBVAL),
        _pytest(["book"], reports / "onednn-off.xml", *NBVAL),
        _pytest(["book"], reports / "avx2.xml", *NBVAL),
        [str(tasks.PYTHON), "-m", "tests.colab_stack"],
    ]
    assert capsys.readouterr().out.splitlines()[-1] == "tests: 4 passed, 0 failed"


def test_quick_runs_the_unit_tests_and_doctests_only(recorded, tmp_path, capsys):
    tasks.run_tests(["--quick", "-k", "conv"])
    assert recorded == [_pytest(["tests", "cnn_utils", "book"], tmp_path / "reports" / "quick.xml",
                                "-m", "not book") + ["-k", "conv"]]
    assert capsys.readouterr().out.splitlines()[-1] == "tests: 1 passed, 0 failed"


def test_quick_deselects_what_needs_the_built_book():
    """The tests marked `book` are deselected by --quick's selection; the others stay."""
    files = ["tests/test_rendering.py", "tests/test_colab.py", "tests/test_browser.py",
             "tests/test_figure_widths.py"]
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", *tasks.QUICK,
                          "-p", "no:cacheprovider", *files],
                         cwd=tasks.ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    kept = {line.split("[")[0] for line in out.stdout.splitlines() if "::" in line}
    assert {"tests/test_rendering.py::test_math_has_no_text_mode_escapes",
            "tests/test_colab.py::test_setup_cell_installs_the_pinned_release"} <= kept
    assert not [test for test in kept if "test_browser" in test or "test_figure_widths" in test
                or "test_launch_button" in test or "test_footer" in test]
    assert " deselected" in out.stdout.splitlines()[-1]


# ---------------------------------------------------------------------------------------------
# MNIST and TensorFlow's log level: decided in tasks.py alone

def test_the_mnist_variable_is_the_one_cnn_utils_reads():
    from cnn_utils.data import MNIST_ENV_VAR

    assert tasks.MNIST_ENV_VAR == MNIST_ENV_VAR


def test_the_tests_never_download_mnist(tmp_path, monkeypatch):
    monkeypatch.delenv(tasks.MNIST_ENV_VAR, raising=False)
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    monkeypatch.setattr(tasks, "SHARED_MNIST", tmp_path / "missing" / "mnist.npz")
    env = tasks.test_environment(tests=True)
    assert env[tasks.MNIST_ENV_VAR] == str(tmp_path / "missing" / "mnist.npz")  # fails, never fetches
    assert env["TF_CPP_MIN_LOG_LEVEL"] == tasks.TF_CPP_MIN_LOG_LEVEL == "3"
    assert tasks.MNIST_ENV_VAR not in tasks.test_environment()    # a reader's command may download
    (tmp_path / "missing").mkdir()
    (tmp_path / "missing" / "mnist.npz").touch()
    assert tasks.test_environment()[tasks.MNIST_ENV_VAR] == str(tmp_path / "missing" / "mnist.npz")
    monkeypatch.setenv(tasks.MNIST_ENV_VAR, "/elsewhere/mnist.npz")
    assert tasks.test_environment(tests=True)[tasks.MNIST_ENV_VAR] == "/elsewhere/mnist.npz"


def test_the_cifar10_variable_is_the_one_cnn_utils_reads(tmp_path, monkeypatch):
    from cnn_utils.cifar import CIFAR10_ENV_VAR

    assert tasks.CIFAR10_ENV_VAR == CIFAR10_ENV_VAR
    monkeypatch.delenv(tasks.CIFAR10_ENV_VAR, raising=False)
    monkeypatch.setattr(tasks, "SHARED_CIFAR10", tmp_path / "missing.tar.gz")
    assert tasks.test_environment(tests=True)[CIFAR10_ENV_VAR] == str(tmp_path / "missing.tar.gz")
    assert CIFAR10_ENV_VAR not in tasks.test_environment()        # a reader's command may download


def test_the_test_command_stops_without_a_cifar10_file(recorded, tmp_path, monkeypatch):
    monkeypatch.setenv(tasks.CIFAR10_ENV_VAR, str(tmp_path / "nowhere.tar.gz"))
    with pytest.raises(SystemExit, match=r"No CIFAR-10 file at .*nowhere\.tar\.gz: set CNN_UTILS_CIFAR10"):
        tasks.run_tests(["--quick"])
    assert recorded == []


def test_the_test_command_stops_without_an_mnist_file(recorded, tmp_path, monkeypatch):
    monkeypatch.setenv(tasks.MNIST_ENV_VAR, str(tmp_path / "nowhere.npz"))
    with pytest.raises(SystemExit, match=r"No MNIST file at .*nowhere\.npz: set CNN_UTILS_MNIST_PATH"):
        tasks.run_tests(["--quick"])
    assert recorded == []


def test_this_pytest_run_has_the_test_environment():
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == tasks.TF_CPP_MIN_LOG_LEVEL
    assert os.environ[tasks.MNIST_ENV_VAR]


def test_nothing_else_decides_mnist_or_tensorflows_log_level():
    """tasks.py decides both (cnn_utils, a library, is not the project's set-up and is left out);
    tests/colab_stack.py may only remove the log level, as Colab has none. course_tools is left out
    too: the grader runs students' kernels in a minimal environment of its own, which passes the
    instructor's MNIST path through and quiets TensorFlow (course_tools.sandbox.minimal_env)."""
    setting = re.compile(r"""TF_CPP_MIN_LOG_LEVEL["']?\s*[=,:]\s*["']?\d"""      # sets the level
                         r"""|CNN_UTILS_MNIST_PATH["']?\s*[=,]"""               # sets the path
                         r"""|["'/]mnist\.npz""")                                # names the file
    files = [tasks.ROOT / "conftest.py", tasks.ROOT / ".ci" / "run"]
    for folder in ("tests", "benchmarks", "book"):
        files += sorted((tasks.ROOT / folder).rglob("*.py"))
    found = [f"{path.relative_to(tasks.ROOT)}: {match.group(0)}" for path in files
             if path.name != "test_tasks.py"
             for match in setting.finditer(re.sub(r"(?m)^\s*#.*$", "",
                                                  path.read_text(encoding="utf-8")))]
    assert not found, "set these in tasks.test_environment only: " + "; ".join(found)
