"""Every chapter on Colab's default stack: `python3 tasks.py colab-stack [CHAPTER ...]`.

Students run the chapters on Colab, whose packages are older than the book's pins. This command

1. makes (once, and again when `tests/colab-stack.txt` changes) the virtual environment
   `.venv-colab` with exactly the versions that file lists, and checks that the kernel sees them;
2. runs each chapter as a new Colab user would: the notebook alone in an empty folder, a kernel of
   that environment with a stand-in `google.colab`, and the chapter's own set-up cell installing
   `cnn_utils` (built from a copy of this checkout and given through `CNN_UTILS_SOURCE`, with its
   dependencies from the package index, as on Colab); the first chapter runs alone, then two at a
   time;
3. fails on any error (a failed `assert` included), on anything a reader would see on the error
   stream (a deprecation, a missing glyph, a warning of any kind) except TensorFlow's own
   info-level log lines, and when the kernel did not run the listed versions or imported another
   cnn_utils.

Outputs are not compared with the stored ones (on another stack they may differ in the last digit):
this proves the chapters run. The executed copies are kept in `_build/colab-stack/`, with
`summary.json` (which chapters passed, and each failure's problems). Run by
`python3 tasks.py test`; it uses the package index only to build the environment and for the
dependencies of cnn_utils.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.colab_sim import ROOT, chapters, checkout_copy, kernel_environment, make_kernel

REQUIREMENTS = ROOT / "tests" / "colab-stack.txt"
VENV = ROOT / ".venv-colab"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
STAMP = VENV / ".colab-stack.sha256"
ARTIFACTS = ROOT / "_build" / "colab-stack"
KERNEL = "colab-stack"

# What TensorFlow itself writes to the error stream on Colab as anywhere: its info-level log lines
# ("I" after the time stamp: the oneDNN and CPU-instruction notices at start-up, XLA compiling a
# cluster), the second line of one of them, and absl's notice about its own start-up. Not the
# book's doing, and no warning. Anything else on that stream (a TensorFlow W or E line, a Python
# warning, a traceback) fails the run.
TENSORFLOW_INFO = [
    r"(?:\d{4}-\d\d-\d\d [\d:.]+: I |I\d{4} [\d:.]+\s+\d+ )\S+:\d+\] .*",   # TF 2.20 / 2.21 prefixes
    r"To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags\.",
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR",
]

# Appended to each chapter: where did everything come from?
REPORT_CELL = textwrap.dedent("""\
    import json, sys, importlib.metadata as metadata, cnn_utils
    print(json.dumps({"colab": "google.colab" in sys.modules, "cnn_utils": cnn_utils.__file__,
                      "prefix": sys.prefix,
                      "versions": {name: metadata.version(name) for name in NAMES}}))
    """)


def pinned_versions():
    """{distribution name: version} that tests/colab-stack.txt pins for this platform."""
    from packaging.requirements import Requirement

    pins = {}
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate():
            (spec,) = requirement.specifier
            pins[requirement.name] = spec.version
    return pins


def ensure_environment():
    """Creates .venv-colab with exactly the pinned stack, when missing or out of date."""
    started = time.perf_counter()
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if VENV.exists():
        shutil.rmtree(VENV)
    print(f"[colab-stack] creating {VENV} from {REQUIREMENTS.name} ...", flush=True)
    venv.create(VENV, with_pip=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", str(REQUIREMENTS)], check=True)
    STAMP.write_text(wanted + "\n")
    print(f"[time] colab-stack environment ready in {time.perf_counter() - started:.1f} s",
          flush=True)


def _tensorflow_info(line):
    return any(re.fullmatch(pattern, line.strip()) for pattern in TENSORFLOW_INFO)


def reader_visible_problems(nb):
    """What a reader of the executed notebook would see that the book must not show them."""
    problems = []
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code_cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problems.append(f"code cell {number}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                shown = [line for line in output.text.splitlines()
                         if line.strip() and not _tensorflow_info(line)]
                if shown:
                    problems.append(f"code cell {number} writes to the error stream:\n    "
                                    + "\n    ".join(shown[:8]))
            text = json.dumps(output.get("data", {})) + output.get("text", "")
            if re.search(r"Glyph \d+.*?missing", text):
                problems.append(f"code cell {number}: a figure text lacks a glyph")
    return problems


def execute_one(source, target, workdir):
    """Runs in the child process: executes `source` with the Colab kernel, writes `target`."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(source, as_version=4)
    names = json.dumps(sorted(pinned_versions()))
    nb.cells.append(nbformat.v4.new_code_cell(f"NAMES = {names}\n" + REPORT_CELL))
    client = NotebookClient(nb, kernel_name=KERNEL, timeout=1200, record_timing=False,
                            resources={"metadata": {"path": workdir}})
    try:
        client.execute()
    except CellExecutionError as error:
        print(str(error)[-4000:], file=sys.stderr)
        return 1
    finally:
        nbformat.write(nb, target)
    return 0


def package_wheel(tmp):
    """cnn_utils built from a copy of this checkout, as the set-up cell's pip would build it.

    A wheel rather than the folder, so that the chapters after the first find it installed instead
    of each rebuilding and reinstalling it while another chapter's kernel imports it. The copy in
    .venv-colab from an earlier run is removed first: the set-up cell must install this one.
    """
    wheels = tmp / "wheel"
    subprocess.run([str(PYTHON), "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(wheels), str(checkout_copy(tmp))], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "uninstall", "--quiet", "--yes", "cnn_utils"],
                   check=True, capture_output=True)
    (wheel,) = wheels.glob("cnn_utils-*.whl")
    return wheel


def run_chapter(chapter, tmp, env):
    """Executes one chapter in a fresh folder; returns a list of problems (empty: it passed)."""
    import nbformat

    notebook = ROOT / chapter
    work = tmp / f"content-{notebook.stem}"      # a new Colab session: the notebook alone
    work.mkdir()
    shutil.copy(notebook, work / notebook.name)
    executed = ARTIFACTS / notebook.name
    run = subprocess.run([sys.executable, "-m", "tests.colab_stack", "--execute-one",
                          str(work / notebook.name), str(executed), str(work)],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    problems = []
    if run.returncode != 0:
        problems.append(f"the notebook did not run to the end (executed copy: {executed}):\n"
                        + (run.stderr or run.stdout)[-4000:])
    if not executed.exists():
        return problems
    nb = nbformat.read(executed, as_version=4)
    problems += reader_visible_problems(nb)
    if run.returncode == 0:
        printed = "".join(o.text for o in nb.cells[-1].outputs if o.output_type == "stream")
        report = json.loads(printed.strip().splitlines()[-1])
        if report["versions"] != pinned_versions():
            problems.append(f"the kernel ran {report['versions']}, not the pinned stack "
                            f"{pinned_versions()}")
        if not report["colab"]:
            problems.append("the kernel did not look like Colab (no google.colab)")
        if not Path(report["cnn_utils"]).is_relative_to(VENV.resolve()):
            problems.append(f"cnn_utils came from {report['cnn_utils']}, not from the set-up "
                            f"cell's install into {VENV}")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter names, e.g. 04_convolution "
                        "(default: every chapter in _toc.yml)")
    parser.add_argument("--execute-one", nargs=3, metavar=("SOURCE", "TARGET", "WORKDIR"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.execute_one:
        return execute_one(*args.execute_one)

    every = chapters()
    wanted = every if not args.chapters else [
        next((c for c in every if Path(c).stem == name or c == name), None) for name in args.chapters]
    if None in wanted:
        unknown = [n for n, c in zip(args.chapters, wanted) if c is None]
        parser.error(f"unknown chapter(s) {unknown}; the chapters are "
                     f"{[Path(c).stem for c in every]}")
    started = time.perf_counter()
    ensure_environment()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="colab-stack-") as tmp:
        tmp = Path(tmp)
        make_kernel(tmp, PYTHON.resolve(), KERNEL)
        # As on Colab: TensorFlow's log level is not set, and pip uses the package index with no
        # configuration of this machine's (its extra indexes would warn in the set-up cell's
        # output), keeping only how this machine reaches the index.
        env = kernel_environment(tmp, package_wheel(tmp), PIP_CONFIG_FILE=os.devnull)
        env.update({key: os.environ[key] for key in ("PIP_CERT", "PIP_DEFAULT_TIMEOUT")
                    if key in os.environ})
        env.pop("TF_CPP_MIN_LOG_LEVEL", None)
        env.pop("CNN_UTILS_RECORD_FIGURE_TEXT", None)     # a reader's kernel records nothing
        def run(chapter):
            chapter_started = time.perf_counter()
            problems = run_chapter(chapter, tmp, env)
            status = "passed" if not problems else "FAILED"
            print(f"[colab-stack] {Path(chapter).stem}: {status} in "
                  f"{time.perf_counter() - chapter_started:.1f} s", flush=True)
            return chapter, problems

        # The first chapter alone: its set-up cell installs cnn_utils (and its dependencies). Then
        # two chapters at a time, as the notebook passes run them (each a kernel of its own; their
        # set-up cells find the same wheel installed); CNN_BOOK_TEST_WORKERS=1: one at a time.
        workers = max(1, int(os.environ.get("CNN_BOOK_TEST_WORKERS", "2")))
        results = [run(wanted[0])]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results += list(pool.map(run, wanted[1:]))
        failures = {chapter: problems for chapter, problems in results if problems}
    for chapter, problems in failures.items():
        print(f"\n[colab-stack] {chapter} on Colab's stack:", file=sys.stderr)
        for problem in problems:
            print("  - " + problem, file=sys.stderr)
    (ARTIFACTS / "summary.json").write_text(json.dumps(
        {"passed": [c for c in wanted if c not in failures], "failed": failures}, indent=1,
        ensure_ascii=False), encoding="utf-8")
    stack = ", ".join(f"{name} {version}" for name, version in pinned_versions().items())
    print(f"[colab-stack] {len(wanted) - len(failures)} passed, {len(failures)} failed "
          f"({stack}) in {time.perf_counter() - started:.1f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
