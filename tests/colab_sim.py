"""What a simulated Colab session needs, shared by `test_colab.py` and `colab_stack.py`.

- a stand-in `google.colab` package, imported when the kernel starts (Colab does the same), so the
  set-up cell sees `"google.colab" in sys.modules`;
- a kernel spec that starts a given Python with that stand-in;
- a copy of this checkout's package part for `CNN_UTILS_SOURCE=file://...`, so that the set-up
  cell's `%pip install` takes `cnn_utils` from it instead of the web (pip builds a local folder in
  place, writing `build/` and `*.egg-info`, hence the copy);
- an environment for the kernel without the variables that would leak this checkout into it.
"""

import json
import os
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Every chapter's first code cell, character for character. It installs the tagged release of
# cnn_utils that the book was built with (`v` + the version in pyproject.toml), so a notebook saved
# last term keeps working when cnn_utils changes. `python3 tasks.py setup-cells` writes it into
# every chapter; test_colab checks they agree.
SETUP_CELL = (
    """\
# 코랩(Colab)에서 열었을 때만 이 책의 도우미 패키지 cnn_utils를 설치합니다. 로컬에서는 아무 일도 하지 않습니다.
import os
import sys

if "google.colab" in sys.modules:
    CNN_UTILS_SOURCE = os.environ.get("CNN_UTILS_SOURCE", "git+{url}@v{version}")
    %pip install --quiet "cnn_utils @ {{CNN_UTILS_SOURCE}}\"""")

FAKE_COLAB = '"""Stand-in for Colab\'s google.colab, imported at kernel start (tests/colab_sim.py)."""\n'


def chapters():
    """Chapter notebooks in the table of contents, in reading order, relative to the repository."""
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    files = re.findall(r"file:\s*(book/chapters/\S+)", toc)
    return [f"{name}.ipynb" for name in files if (ROOT / f"{name}.ipynb").exists()]


def package_version():
    """The version of cnn_utils, from pyproject.toml (the one place it is written)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version = "([^"]+)"', text, re.MULTILINE).group(1)


def repository_url():
    """repository.url of _config.yml: the launch buttons and the set-up cell use it."""
    text = (ROOT / "_config.yml").read_text(encoding="utf-8")
    return re.search(r"^repository:\n\s+url:\s*(\S+)", text, re.MULTILINE).group(1)


def setup_cell():
    """The set-up cell every chapter starts with, for this checkout's URL and version."""
    return SETUP_CELL.format(url=repository_url(), version=package_version())


def make_kernel(tmp, python, name):
    """A kernel spec `name` under `tmp/jupyter` that runs `python` as a Colab kernel.

    Returns the JUPYTER_PATH to give the notebook runner.
    """
    fake = tmp / "fake-colab"
    (fake / "google" / "colab").mkdir(parents=True, exist_ok=True)   # `google` stays a namespace
    (fake / "google" / "colab" / "__init__.py").write_text(FAKE_COLAB)
    kernel_dir = tmp / "jupyter" / "kernels" / name
    kernel_dir.mkdir(parents=True, exist_ok=True)
    (kernel_dir / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.exec_lines=import google.colab"],
        "display_name": f"Colab simulation ({name})", "language": "python",
        "env": {"PYTHONPATH": str(fake)},
    }))
    return tmp / "jupyter"


def checkout_copy(tmp):
    """The package part of this checkout, copied so that pip's in-place build leaves it clean."""
    target = tmp / "checkout"
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "_build", "build", "book", "*.egg-info", "__pycache__", ".pytest_cache",
        ".hypothesis", ".ipynb_checkpoints"))
    return target


def kernel_environment(tmp, source, **extra):
    """os.environ without this checkout's Python and Jupyter settings, for a Colab kernel."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "PIP_", "JUPYTER", "IPYTHON", "VIRTUAL_ENV"))}
    env.update({
        "CNN_UTILS_SOURCE": Path(source).as_uri(),   # the one variable the set-up cell reads
        "JUPYTER_PATH": str(tmp / "jupyter"),
        "IPYTHONDIR": str(tmp / "ipython"),
        "MPLCONFIGDIR": str(tmp / "matplotlib"),
        "PYTHONNOUSERSITE": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    })
    env.update(extra)
    return env


def write_setup_cells():
    """Makes every chapter's first code cell the set-up cell (`python3 tasks.py setup-cells`).

    Run it after changing the version in pyproject.toml or repository.url in _config.yml. The cell
    has no output outside Colab, so the notebooks need no re-execution.
    """
    import nbformat

    expected = setup_cell()
    for chapter in chapters():
        path = ROOT / chapter
        nb = nbformat.read(path, as_version=4)
        cell = next(c for c in nb.cells if c.cell_type == "code")
        if cell.source != expected:
            cell.source = expected
            nbformat.write(nb, path)
            print(f"set-up cell written: {chapter}")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["write-setup-cells"]:
        sys.exit("usage: python -m tests.colab_sim write-setup-cells")
    write_setup_cells()
