"""Re-executes notebooks and stores their outputs: `python3 tasks.py execute [NOTEBOOK ...]`.

Run as `python -m tests.execute_notebooks NOTEBOOK ...` in the environment nbval uses (tasks.py
passes `test_environment()`: quiet TensorFlow, offline MNIST, the kernel settings). Each notebook
runs top to bottom in a fresh `python3` kernel whose working directory is the notebook's folder,
with a time limit of TIMEOUT seconds per cell, and is written back in place; `[time]` says how long
it took.

A notebook whose cell fails (an error, a failed `assert`, the time limit, a dead kernel) is not
written, so its stored outputs stay as they were; the others still run, and the command ends with
exit code 1 and a list naming each failed notebook and cell.
"""

import argparse
import sys
import time
from pathlib import Path

TIMEOUT = 1200        # seconds per cell: chapter 8 trains a network in one cell


def merge_adjacent_streams(nb):
    """Joins each run of consecutive stdout (or stderr) outputs of a cell into one output.

    The kernel sends what a cell prints in as many messages as its flushes happened to make, which
    depends on timing; the stored notebook, and so the HTML book, should show one block per run of
    printed text, the same on every machine. Outputs between them (a figure) keep their place.
    """
    for cell in nb.cells:
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.get("output_type") == "stream" and previous is not None
                    and previous.get("output_type") == "stream"
                    and previous.get("name") == output.get("name")):
                previous["text"] += output["text"]
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged
    return nb


def execute(path):
    """Executes the notebook at `path` and writes it in place; returns None, or what failed."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    running = {}
    client.on_cell_execute = lambda cell, cell_index: running.update(cell=cell, index=cell_index)
    try:
        client.execute()
    except Exception as error:                 # CellExecutionError, CellTimeoutError, DeadKernelError
        if "cell" not in running:
            return f"the kernel did not start: {type(error).__name__}: {error}"
        cell, index = running["cell"], running["index"]
        code_number = sum(c.cell_type == "code" for c in nb.cells[:index])
        first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
        reason = getattr(error, "ename", None) and f"{error.ename}: {error.evalue}"
        return (f"cell {index} (code cell {code_number}, `{first_line[:60]}`): "
                f"{reason or f'{type(error).__name__}: {str(error).strip()[:300]}'}")
    nbformat.write(merge_adjacent_streams(nb), path)
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", help="notebook files, executed in this order")
    args = parser.parse_args(argv)
    failed = []
    for name in args.notebooks:
        started = time.perf_counter()
        problem = execute(Path(name).resolve())
        status = "" if problem is None else " FAILED, not written"
        print(f"[time] {name}: {time.perf_counter() - started:.1f} s{status}", flush=True)
        if problem is not None:
            print(f"FAILED {name}: {problem}", file=sys.stderr, flush=True)
            failed.append(f"{name}: {problem}")
    if failed:
        print(f"\n{len(failed)} of {len(args.notebooks)} notebooks failed (their stored outputs "
              "are unchanged):\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
