"""tasks.py's test command: what `test` and `test --quick` run, without running it."""

import json
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
        "ensure_browser", "build_book",
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
