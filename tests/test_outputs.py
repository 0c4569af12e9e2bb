"""The stored outputs that nbval compares hold on any machine: the rules a chapter can break silently.

nbval proves the outputs on this machine's three CPU paths (`tasks.py test`). These checks catch the
habits that make an output belong to one machine before it gets that far, and keep the test plumbing
out of the reader's view.
"""

import re

import nbformat
import pytest

from tests.colab_sim import ROOT, chapters

IGNORE = "nbval-ignore-output"
# A float32 or float64 result printed to its last digit: 1.3000001, 0.29999998, 2.0000000000000004.
FLOAT_NOISE = re.compile(r"(?<![\w.])-?\d+\.\d*(?:00000|99999)\d\b")


def _code_cells():
    for chapter in chapters():
        nb = nbformat.read(ROOT / chapter, as_version=4)
        number = -1
        for cell in nb.cells:
            if cell.cell_type == "code":
                number += 1
                yield chapter, number, cell


def _text(cell):
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def _tags(cell):
    return cell.metadata.get("tags", [])


CELLS = list(_code_cells())
PARAMS = [pytest.param(chapter, number, cell, id=f"{chapter.split('/')[-1][:-6]}-{number}")
          for chapter, number, cell in CELLS]


def test_there_are_cells_to_check():
    assert len(CELLS) > 200


@pytest.mark.parametrize("chapter, number, cell", PARAMS)
def test_compared_output_prints_no_rounding_noise(chapter, number, cell):
    """Which float32 neighbour a sum lands on depends on the order of its terms, which TensorFlow's
    kernels and the BLAS choose per CPU: print rounded (`.round(6)`), or compare with np.allclose.

    A cell whose lesson is that last digit computes it in a fixed order with numpy scalars (the same
    on every CPU) and says so in its metadata: `"exact_float32": "<why it is the same everywhere>"`.
    """
    if IGNORE in _tags(cell) or cell.metadata.get("exact_float32"):
        return
    noise = FLOAT_NOISE.search(_text(cell))
    assert not noise, (f"{chapter} code cell {number} prints {noise.group(0)!r}: another CPU may "
                       "print another last digit; round it or compare with np.allclose")


@pytest.mark.parametrize("chapter, number, cell", PARAMS)
def test_no_stored_output_on_the_error_stream(chapter, number, cell):
    """A warning or a library's log line in a stored output is what one machine printed once (the
    oneDNN notice, for one): readers would see it, and nbval would fail on the other CPU paths."""
    errors = [o.text for o in cell.get("outputs", []) if o.get("name") == "stderr"]
    assert not errors, f"{chapter} code cell {number} stores stderr output: {errors[0][:200]!r}"


@pytest.mark.parametrize("chapter, number, cell", PARAMS)
def test_printed_text_is_one_block(chapter, number, cell):
    """Consecutive printed outputs are stored as one (tests/execute_notebooks.py merges them): how
    many messages the kernel sent depends on timing, and the HTML book would show each as its own
    box."""
    outputs = cell.get("outputs", [])
    for first, second in zip(outputs, outputs[1:]):
        assert not (first.get("output_type") == second.get("output_type") == "stream"
                    and first.get("name") == second.get("name")), (
            f"{chapter} code cell {number} stores its printed text in pieces: re-execute it with "
            "python3 tasks.py execute")


@pytest.mark.parametrize("chapter, number, cell", PARAMS)
def test_ignored_output_is_marked_by_a_tag(chapter, number, cell):
    """Readers see the cell's code: the marker lives in the cell's tags, not in a comment."""
    assert "NBVAL_IGNORE_OUTPUT" not in cell.source, (
        f"{chapter} code cell {number}: replace the `# NBVAL_IGNORE_OUTPUT` comment by the cell tag "
        f"{IGNORE!r} (CONTRIBUTING.md)")


@pytest.mark.parametrize("chapter, number, cell", PARAMS)
def test_hidden_cells_only_check(chapter, number, cell):
    """A cell hidden from the HTML book holds asserts (and comments) only: nothing a reader needs."""
    if "remove-cell" not in _tags(cell):
        return
    lines = [line for line in cell.source.splitlines() if line.strip() and not line.startswith("#")]
    assert lines and all(line.startswith(("assert ", "    ")) for line in lines), (
        f"{chapter} code cell {number} is hidden from readers (remove-cell) but does more than assert")
    assert not cell.get("outputs"), f"{chapter} code cell {number}: a hidden check prints nothing"


def test_training_figures_are_asserted_beside_their_ignored_print():
    """The accuracies that training moves from CPU to CPU: shown, not compared, and asserted."""
    for name, goal in [("08_mnist_keras", "assert test_acc >= 0.992"),
                       ("09_cnn_from_scratch", "assert test_acc >= 0.989")]:
        cells = [(n, c) for ch, n, c in CELLS if name in ch]
        (index,) = [i for i, (_, c) in enumerate(cells) if goal in c.source]
        shown = cells[index - 1][1]
        assert "test_acc" in shown.source and IGNORE in _tags(shown), (name, shown.source)
        assert "remove-cell" in _tags(cells[index][1])
