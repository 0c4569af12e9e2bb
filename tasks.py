"""The book's two commands; they need nothing but python3.

    python3 tasks.py book   # build the HTML book into _build/html
    python3 tasks.py test   # every test: unit tests, doctests, notebooks (nbval), and the book build

and, for contributors:

    python3 tasks.py execute book/chapters/04_convolution.ipynb   # re-execute, store the outputs
    python3 tasks.py bench [--quick] [--write]                     # benchmarks (not a test)

and, for instructors (book/instructors.md):

    python3 tasks.py assign [04_convolution ...] [--out DIR]       # student notebooks and keys
    python3 tasks.py grade SUBMISSIONS [--chapter 04_convolution]  # grade a folder into grades.csv

Both create the virtual environment .venv and install requirements.txt into it when it is missing
or when requirements.txt or pyproject.toml changed since the last install.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".requirements.sha256"
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist.npz"


def run(*command, env=None):
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], cwd=ROOT, env=env, check=True)


def requirements_hash():
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment():
    """Creates .venv and installs the requirements when they are missing or out of date."""
    started = time.perf_counter()
    if not PYTHON.exists():
        print(f"Creating the virtual environment {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = requirements_hash()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        run(PYTHON, "-m", "pip", "install", "--upgrade", "--quiet", "pip")
        run(PYTHON, "-m", "pip", "install", "--quiet", "-r", ROOT / "requirements.txt")
        STAMP.write_text(wanted + "\n")
    print(f"[time] environment ready in {time.perf_counter() - started:.1f} s", flush=True)


# The browser test (tests/test_browser.py) drives Debian's chromium; fonts-nanum lets it draw the
# Korean text of the book in its screenshots. Package -> a file it installs.
BROWSER_PACKAGES = {"chromium": "/usr/bin/chromium",
                    "fonts-nanum": "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"}


def ensure_browser():
    """Installs chromium (and a Korean font) with apt-get when missing and running as root."""
    missing = [name for name, path in BROWSER_PACKAGES.items() if not Path(path).exists()
               and not (name == "chromium" and os.environ.get("CNN_BOOK_CHROMIUM"))]
    if not missing:
        return
    if os.name == "posix" and os.geteuid() == 0 and Path("/usr/bin/apt-get").exists():
        apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run("apt-get", "update", "-q", env=apt_env)
        run("apt-get", "install", "-y", "-q", "--no-install-recommends", *missing, env=apt_env)
    else:
        print(f"NOTE: the browser test needs {' and '.join(missing)}: install them "
              f"(sudo apt-get install {' '.join(missing)}), or set CNN_BOOK_CHROMIUM to a "
              "Chromium executable.", flush=True)


def test_environment():
    """Environment for tests and notebook execution: quiet TensorFlow, offline MNIST, no display."""
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")     # no TensorFlow start-up log lines in outputs
    env.setdefault("PYTHONHASHSEED", "0")
    if "CNN_UTILS_MNIST_PATH" not in env and SHARED_MNIST.exists():
        env["CNN_UTILS_MNIST_PATH"] = str(SHARED_MNIST)
    return env


def build_book():
    """Builds the HTML book; a Sphinx warning fails the build (-n -W --keep-going).

    Always a full build (--all): an incremental one keeps only the re-written pages' entries in
    the search index's list of index entries, which the Korean search ranks by.
    """
    started = time.perf_counter()
    run(BIN / "jupyter-book", "build", ROOT, "--all", "--builder", "html", "-n", "-W", "--keep-going")
    print(f"[time] book built in {time.perf_counter() - started:.1f} s: "
          f"{ROOT / '_build' / 'html' / 'index.html'}", flush=True)


def run_tests(extra):
    started = time.perf_counter()
    env = test_environment()
    if "CNN_UTILS_MNIST_PATH" not in env:
        sys.exit("Set CNN_UTILS_MNIST_PATH to an mnist.npz file: the tests never download MNIST.")
    try:
        run(PYTHON, "-m", "pytest", "tests", "cnn_utils", "book",
            "--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
            *extra, env=env)
    finally:
        print(f"[time] tests ran in {time.perf_counter() - started:.1f} s", flush=True)


def execute(notebooks):
    """Re-executes notebooks in place, top to bottom, in the environment nbval uses."""
    if not notebooks:
        notebooks = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "book").rglob("*.ipynb")
                           if ".ipynb_checkpoints" not in p.parts)
    code = (
        "import sys, time, nbformat\n"
        "from pathlib import Path\n"
        "from nbclient import NotebookClient\n"
        "for name in sys.argv[1:]:\n"
        "    path = Path(name).resolve()\n"
        "    nb = nbformat.read(path, as_version=4)\n"
        "    started = time.perf_counter()\n"
        "    NotebookClient(nb, timeout=1200, kernel_name='python3', record_timing=False,\n"
        "                   resources={'metadata': {'path': str(path.parent)}}).execute()\n"
        "    nbformat.write(nb, path)\n"
        "    print(f'[time] {name}: {time.perf_counter() - started:.1f} s', flush=True)\n"
    )
    run(PYTHON, "-c", code, *notebooks, env=test_environment())


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["book", "test", "execute", "bench", "assign", "grade"])
    parser.add_argument("args", nargs=argparse.REMAINDER,
                        help="test: extra arguments for pytest; execute: notebooks (default: all); "
                             "bench: --quick, --write; assign, grade: see --help of each")
    args = parser.parse_args()
    ensure_environment()
    try:
        if args.command == "book":
            build_book()
        elif args.command == "execute":
            execute(args.args)
        elif args.command == "bench":
            run(PYTHON, "-m", "benchmarks.run", *args.args, env=test_environment())
        elif args.command in ("assign", "grade"):
            run(PYTHON, "-m", "course_tools", args.command, *args.args, env=test_environment())
        else:
            ensure_browser()
            build_book()
            run_tests(args.args)
    except subprocess.CalledProcessError as error:
        sys.exit(error.returncode)


if __name__ == "__main__":
    main()
