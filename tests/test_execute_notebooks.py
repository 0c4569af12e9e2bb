"""`python3 tasks.py execute` (tests/execute_notebooks.py) stores outputs, and refuses a failure."""

import subprocess
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import tasks


def test_outputs_are_stored_and_a_failing_cell_fails_the_command_naming_it(tmp_path):
    broken = tmp_path / "broken.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# 제목"), new_code_cell("x = 6 * 7"),
                                       new_code_cell("assert x == 41, '틀렸습니다'"),
                                       new_code_cell("print('never')")]), broken)
    before = broken.read_bytes()
    good = tmp_path / "sub" / "good.ipynb"
    good.parent.mkdir()
    (good.parent / "data.txt").write_text("곁에 있는 파일")
    nbformat.write(new_notebook(cells=[new_code_cell("print(6 * 7)"),
                                       new_code_cell("print(open('data.txt').read())")]), good)

    # The broken notebook first: the command goes on to the next one, then fails.
    run = subprocess.run([sys.executable, "-m", "tests.execute_notebooks", str(broken), str(good)],
                         cwd=tasks.ROOT, capture_output=True, text=True)
    assert run.returncode == 1, run.stdout + run.stderr
    assert (f"FAILED {broken}: cell 2 (code cell 1, `assert x == 41, '틀렸습니다'`): "
            "AssertionError: 틀렸습니다") in run.stderr
    assert broken.read_bytes() == before                 # a failed notebook is not written
    assert f"[time] {good}:" in run.stdout and f"[time] {broken}:" in run.stdout

    executed = nbformat.read(good, as_version=4)         # run in its own folder, written in place
    assert [cell.outputs[0].text for cell in executed.cells] == ["42\n", "곁에 있는 파일\n"]
    assert all(cell.execution_count for cell in executed.cells)
