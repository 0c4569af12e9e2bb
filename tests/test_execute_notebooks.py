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


def test_adjacent_printed_outputs_become_one_and_figures_keep_their_place():
    from nbformat.v4 import new_output

    from tests.execute_notebooks import merge_adjacent_streams

    cell = new_code_cell("...")
    cell.outputs = [new_output("stream", name="stdout", text="a "),
                    new_output("stream", name="stdout", text="b\n"),
                    new_output("display_data", data={"text/plain": "<Figure>"}),
                    new_output("stream", name="stdout", text="c\n"),
                    new_output("stream", name="stderr", text="warning\n"),
                    new_output("stream", name="stdout", text="d\n")]
    merge_adjacent_streams(new_notebook(cells=[cell, new_markdown_cell("# 제목")]))
    assert [(o.output_type, o.get("name"), o.get("text")) for o in cell.outputs] == [
        ("stream", "stdout", "a b\n"), ("display_data", None, None), ("stream", "stdout", "c\n"),
        ("stream", "stderr", "warning\n"), ("stream", "stdout", "d\n")]
