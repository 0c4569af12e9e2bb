"""The Colab-stack run (tests/colab_stack.py) judges an executed notebook as a reader would see it."""

from nbformat.v4 import new_code_cell, new_notebook, new_output

from tests.colab_stack import pinned_versions, reader_visible_problems


def _notebook(*outputs):
    cell = new_code_cell("pass")
    cell.outputs = list(outputs)
    return new_notebook(cells=[new_code_cell("import tensorflow"), cell])


def _stderr(text):
    return new_output("stream", name="stderr", text=text)


def test_tensorflow_info_lines_are_not_the_books_doing():
    nb = _notebook(_stderr(
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        "2026-12-01 21:54:11.059781: I tensorflow/core/util/port.cc:153] oneDNN custom operations "
        "are on. You may see slightly different numerical results.\n"
        "I0000 00:00:1796162107.767924    7142 device_compiler.h:196] Compiled cluster using XLA!\n"
        "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow "
        "with the appropriate compiler flags.\n"))
    assert reader_visible_problems(nb) == []


def test_a_warning_a_reader_sees_fails_the_run():
    deprecation = _stderr("/content/x.py:3: DeprecationWarning: `np.product` is deprecated\n")
    tf_warning = _stderr("2026-12-01 21:54:11.0: W tensorflow/core/framework/op.cc:1] slow\n")
    for output in (deprecation, tf_warning):
        (problem,) = reader_visible_problems(_notebook(output))
        assert problem.startswith("code cell 1 writes to the error stream")


def test_errors_and_missing_glyphs_fail_the_run():
    error = new_output("error", ename="AssertionError", evalue="정확도가 낮습니다", traceback=[])
    glyph = new_output("display_data", data={"text/plain": "UserWarning: Glyph 54633 (\\N{HANGUL}) "
                                                           "missing from font(s) DejaVu Sans."})
    problems = reader_visible_problems(_notebook(error, glyph))
    assert problems == ["code cell 1: AssertionError: 정확도가 낮습니다",
                        "code cell 1: a figure text lacks a glyph"]


def test_the_stack_is_colabs_and_older_than_the_books():
    pins = pinned_versions()
    assert pins["numpy"] == "2.1.3" and pins["matplotlib"] == "3.10.0"
    assert pins["keras"] == "3.13.2" and pins["ipython"] == "7.34.0"
    assert pins.get("tensorflow-cpu", pins.get("tensorflow")) == "2.20.0"
