"""The book's commands; they need nothing but python3.

    python3 tasks.py book   # build the HTML book into _build/html
    python3 tasks.py pdf    # build the PDF book, student and instructor editions, into _build/pdf
    python3 tasks.py test   # every test: the HTML and PDF builds, unit tests, doctests, every notebook under
                            # nbval on three CPU paths of TensorFlow, and every chapter on Colab's stack

and, for contributors:

    python3 tasks.py test --quick [PYTEST ARGS]                     # unit tests and doctests only,
                                                                   # 1.5-2 min on 2 cores: no book,
                                                                   # notebook, browser, Colab stack
    python3 tasks.py test --cpu-path avx2 [PYTEST ARGS]             # the notebooks on one CPU path
    python3 tasks.py colab-stack [04_convolution ...]              # the chapters on Colab's stack
    python3 tasks.py execute book/chapters/04_convolution.ipynb   # re-execute, store the outputs
    python3 tasks.py setup-cells                                   # write the Colab set-up cells
    python3 tasks.py bench [--quick] [--write] [--only conv ...]    # benchmarks (not a test)

and, for instructors (book/instructors.md):

    python3 tasks.py assign [04_convolution ...] [--out DIR]       # student notebooks and keys
    python3 tasks.py grade SUBMISSIONS [--chapter 04_convolution]  # grade a folder into grades.csv
    python3 tasks.py slides 04_convolution [...] | --all           # lecture slides, _build/slides

and, to re-train the CIFAR-10 models the book ships (cnn_utils/weights; about 20 + 8 minutes on 2 cores):

    python3 tasks.py train cifar10 [cifar5] [--epochs N]

All create the virtual environment .venv and install requirements.txt into it, with the HTML
toolchain pinned by constraints.txt, when it is missing or when requirements.txt, constraints.txt
or pyproject.toml changed since the last install.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import venv
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".requirements.sha256"
REPORTS = ROOT / "_build" / "test-reports"

# TensorFlow's CPU code paths (cnn_utils/cpu_path.py): `test` re-executes every notebook under each,
# because readers' CPUs pick different kernels, and a stored output must hold on all of them.
# "default" is what this CPU picks; "onednn-off" is TensorFlow's Eigen kernels, as on CPUs without
# AVX-512 VNNI/BF16 or AMX; "avx2" keeps oneDNN but limits it (and numpy's own SIMD loops) to AVX2,
# as on an older CPU. OPENBLAS_* stay as the machine has them.
CPU_PATHS = {
    "default": {},
    "onednn-off": {"TF_ENABLE_ONEDNN_OPTS": "0"},
    "avx2": {"ONEDNN_MAX_CPU_ISA": "AVX2", "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"},
}


def run(*command, env=None):
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], cwd=ROOT, env=env, check=True)


# What ensure_environment installs: a change to any of them reinstalls .venv.
REQUIREMENT_FILES = ("requirements.txt", "constraints.txt", "pyproject.toml")


def requirements_hash():
    digest = hashlib.sha256()
    for name in REQUIREMENT_FILES:
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
        # constraints.txt pins the HTML toolchain that requirements.txt pulls in (its comment says why).
        run(PYTHON, "-m", "pip", "install", "--quiet", "-c", ROOT / "constraints.txt",
            "-r", ROOT / "requirements.txt")
        STAMP.write_text(wanted + "\n")
    print(f"[time] environment ready in {time.perf_counter() - started:.1f} s", flush=True)


# The browser test (tests/test_browser.py) drives Debian's chromium; fonts-nanum lets it draw the
# Korean text of the book in its screenshots. Package -> a file it installs.
BROWSER_PACKAGES = {"chromium": "/usr/bin/chromium",
                    "fonts-nanum": "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"}
# The grader's sandbox (course_tools/sandbox.py; tests/test_sandbox.py requires it) is bubblewrap.
SANDBOX_PACKAGES = {"bubblewrap": "/usr/bin/bwrap"}
# The lecture slides (course_tools/slides.py) install reveal.js and MathJax with npm.
SLIDES_PACKAGES = {"npm": "/usr/bin/npm"}


def ensure_browser():
    """Installs chromium (and a Korean font), bubblewrap and npm with apt-get when missing and
    running as root."""
    wanted = {**BROWSER_PACKAGES, **SANDBOX_PACKAGES, **SLIDES_PACKAGES}
    missing = [name for name, path in wanted.items() if not Path(path).exists()
               and not (name == "chromium" and os.environ.get("CNN_BOOK_CHROMIUM"))]
    if not missing:
        return
    if os.name == "posix" and os.geteuid() == 0 and Path("/usr/bin/apt-get").exists():
        apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run("apt-get", "update", "-q", env=apt_env)
        run("apt-get", "install", "-y", "-q", "--no-install-recommends", *missing, env=apt_env)
    else:
        print(f"NOTE: the browser and sandbox tests need {' and '.join(missing)}: install them "
              f"(sudo apt-get install {' '.join(missing)}), or set CNN_BOOK_CHROMIUM to a "
              "Chromium executable.", flush=True)


# The notebook kernels of tests and `execute` forward what Python writes to stderr (warnings), but
# not what C++ libraries write to the process's stderr: TensorFlow prints "oneDNN custom operations
# are on" there on CPUs that pick oneDNN, whatever TF_CPP_MIN_LOG_LEVEL says, and whether a kernel
# forwards it into the cell depends on timing. It is a fact of the machine, not a stored output.
IPYTHON_DIR = ROOT / "_build" / "ipython"
KERNEL_CONFIG = ("# Written by tasks.py (kernel_settings): C-level stderr stays out of cell outputs.\n"
                 "c.IPKernelApp.capture_fd_output = False\n")


def kernel_settings():
    """The IPython directory whose kernel configuration the tests' and `execute`'s kernels use."""
    config = IPYTHON_DIR / "profile_default" / "ipython_kernel_config.py"
    if not config.exists() or config.read_text() != KERNEL_CONFIG:
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(KERNEL_CONFIG)
    return IPYTHON_DIR


# The one place that decides where MNIST comes from and how loud TensorFlow is, for the tests
# (conftest.py applies test_environment to every pytest run), the notebooks' kernels and every
# command below; nothing else sets them.
# cnn_utils.load_mnist reads the mnist.npz this variable names (cnn_utils.data.MNIST_ENV_VAR) ...
MNIST_ENV_VAR = "CNN_UTILS_MNIST_PATH"
# ... and when it is not set, the offline copy beside the project is used. The tests never download.
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist.npz"
# The same for CIFAR-10 (cnn_utils.cifar.CIFAR10_ENV_VAR) and its offline JPEG archive.
CIFAR10_ENV_VAR = "CNN_UTILS_CIFAR10_PATH"
SHARED_CIFAR10 = ROOT.parent / "shared" / "data" / "cifar10-jpeg.tar.gz"
# No TensorFlow C++ start-up log lines in any output.
TF_CPP_MIN_LOG_LEVEL = "3"


def test_environment(tests=False):
    """Environment for tests and notebook execution: quiet TensorFlow, offline data, no display.

    Variables already set win. MNIST: the file MNIST_ENV_VAR names, else SHARED_MNIST when it
    exists (else load_mnist downloads it, as for a reader). For the tests (`tests=True`) the
    variable is always set, to SHARED_MNIST even when it is missing, so that a test fails instead
    of downloading MNIST. CIFAR-10 the same way (CIFAR10_ENV_VAR, SHARED_CIFAR10).
    """
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", TF_CPP_MIN_LOG_LEVEL)
    env.setdefault("IPYTHONDIR", str(kernel_settings()))
    env.setdefault("PYTHONHASHSEED", "0")
    env.setdefault("CNN_UTILS_RECORD_FIGURE_TEXT", "1")  # figures record their smallest text
    # Chapter 12's ImageNet-weights path (keras.applications) downloads; the book's own runs skip it,
    # so that a stored output never depends on the network (a reader online runs it).
    env.setdefault("CNN_UTILS_OFFLINE", "1")
    for variable, shared in ((MNIST_ENV_VAR, SHARED_MNIST), (CIFAR10_ENV_VAR, SHARED_CIFAR10)):
        if variable not in env and (tests or shared.exists()):
            env[variable] = str(shared)
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


# The PDF book (book/instructors.md): Jupyter Book's LaTeX builder, then XeLaTeX with kotex and the
# Nanum fonts (book/_latex/cnnbook.sty). Debian package -> a file it installs. fonts-recommended
# has the ZapfDingbats metrics hyperref loads under XeTeX; DejaVu (core and extra: the italics) is
# the Latin font, whose glyphs cover every character the book prints; poppler-utils has pdfinfo
# and pdftotext (page counts; tests/test_pdf.py reads the text).
PDF_PACKAGES = {
    "texlive-xetex": "/usr/bin/xelatex",
    "texlive-lang-korean": "/usr/share/texlive/texmf-dist/tex/latex/cjk-ko/kotex.sty",
    "texlive-fonts-recommended": "/usr/share/texlive/texmf-dist/fonts/tfm/adobe/zapfding/pzdr.tfm",
    "latexmk": "/usr/bin/latexmk",
    "xindy": "/usr/bin/xindy",
    "fonts-nanum": "/usr/share/fonts/truetype/nanum/NanumMyeongjo.ttf",
    "fonts-dejavu-core": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "fonts-dejavu-extra": "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf",
    "poppler-utils": "/usr/bin/pdfinfo",
}
PDF_DIR = ROOT / "_build" / "pdf"
# student: exercises and check cells' results, no solutions; instructor: with the solutions.
PDF_EDITIONS = ("student", "instructor")
PDF_NAME = "cnn-book"         # _config.yml's latex_documents.targetname, without .tex


def pdf_path(edition):
    return PDF_DIR / f"{PDF_NAME}-{edition}.pdf"


def ensure_pdf_tools():
    """Installs the PDF build's Debian packages with apt-get when missing and running as root;
    returns the packages still missing."""
    missing = [name for name, path in PDF_PACKAGES.items() if not Path(path).exists()]
    if missing and os.name == "posix" and os.geteuid() == 0 and Path("/usr/bin/apt-get").exists():
        apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run("apt-get", "update", "-q", env=apt_env)
        run("apt-get", "install", "-y", "-q", "--no-install-recommends", *missing, env=apt_env)
        missing = [name for name, path in PDF_PACKAGES.items() if not Path(path).exists()]
    return missing


def build_pdf(editions=PDF_EDITIONS):
    """Builds the PDF book's editions into _build/pdf/cnn-book-<edition>.pdf (each one's LaTeX log
    beside it, for tests/test_pdf.py) and writes _build/pdf/summary.json (time, pages, size).

    Sphinx reads the book once: the edition (CNN_BOOK_PDF_EDITION, book/_ext/pdf_book.py) only
    changes what is written, so the second edition's build reuses the first one's environment.
    Each edition is typeset in its own folder, which keeps its .aux files for the next build.
    A Sphinx warning fails the build (-n -W), as the HTML book's; a LaTeX error stops it
    (-halt-on-error) with the log's error lines printed.
    """
    unknown = [edition for edition in editions if edition not in PDF_EDITIONS]
    if unknown:
        sys.exit(f"tasks.py pdf: no edition {', '.join(unknown)}; the editions are "
                 f"{' and '.join(PDF_EDITIONS)} (default: both).")
    missing = ensure_pdf_tools()
    if missing:
        sys.exit(f"The PDF build needs the Debian packages {' '.join(missing)}: install them "
                 f"(sudo apt-get install --no-install-recommends {' '.join(missing)}).")
    sources = PDF_DIR / "sphinx"                   # jupyter-book's --path-output
    for edition in editions:                       # a failed build leaves no old PDF to test
        pdf_path(edition).unlink(missing_ok=True)
    summary = {}
    for index, edition in enumerate(editions):
        started = time.perf_counter()
        env = dict(os.environ, CNN_BOOK_PDF_EDITION=edition)
        run(BIN / "jupyter-book", "build", ROOT, *(["--all"] if index == 0 else []),
            "--builder", "latex", "--path-output", sources, "-n", "-W", "--keep-going", env=env)
        folder = PDF_DIR / edition
        shutil.copytree(sources / "_build" / "latex", folder, dirs_exist_ok=True)
        # As Sphinx's Makefile for the folder (make all-pdf), with xindy for the index.
        env.update(LATEXOPTS="-interaction=nonstopmode -halt-on-error",
                   XINDYOPTS="-L general -C utf8 -M sphinx.xdy")
        latexmk = ["latexmk", "-xelatex", f"{PDF_NAME}.tex"]
        print("+", " ".join(latexmk), f"(in {folder}; output in {edition}-latexmk.txt)", flush=True)
        with open(PDF_DIR / f"{edition}-latexmk.txt", "w", encoding="utf-8") as output:
            code = subprocess.run(latexmk, cwd=folder, env=env, stdout=output,
                                  stderr=subprocess.STDOUT).returncode
        log = folder / f"{PDF_NAME}.log"
        if code != 0:
            errors = [line for line in log.read_text(encoding="utf-8", errors="replace")
                      .splitlines() if line.startswith("!")] if log.exists() else []
            print("\n".join(errors[:20]) or f"see {PDF_DIR / f'{edition}-latexmk.txt'}", flush=True)
            raise subprocess.CalledProcessError(code, latexmk)
        shutil.copyfile(folder / f"{PDF_NAME}.pdf", pdf_path(edition))
        shutil.copyfile(log, PDF_DIR / f"{PDF_NAME}-{edition}.log")
        info = subprocess.run(["pdfinfo", pdf_path(edition)], capture_output=True, text=True,
                              check=True).stdout
        summary[edition] = {"seconds": round(time.perf_counter() - started, 1),
                            "pages": int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)),
                            "bytes": pdf_path(edition).stat().st_size}
        print(f"[time] PDF ({edition}) built in {summary[edition]['seconds']:.1f} s: "
              f"{pdf_path(edition)}, {summary[edition]['pages']} pages, "
              f"{summary[edition]['bytes'] / 1e6:.1f} MB", flush=True)
    (PDF_DIR / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def build_pdf_for_tests():
    """The test command's PDF build. A failure does not stop the other tests: tests/test_pdf.py
    then fails, finding no PDF to read."""
    started = time.perf_counter()
    try:
        build_pdf()
    except (subprocess.CalledProcessError, SystemExit) as error:
        print(f"NOTE: the PDF build failed ({error}); tests/test_pdf.py reports it.", flush=True)
    print(f"[time] PDFs built in {time.perf_counter() - started:.1f} s", flush=True)


def describe_path(name):
    settings = " ".join(f"{key}={value}" for key, value in CPU_PATHS[name].items())
    return f"{name} ({settings or 'as this CPU picks'})"


# The notebooks are tests under nbval: each re-executed and compared with its stored outputs.
NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]
# `test --quick`: the unit tests and doctests only. Without --nbval no notebook is collected, and
# the tests marked `book` (they need the built book or the browser; pyproject.toml) are deselected.
QUICK = ["-m", "not book"]
TEST_TARGETS = ["tests", "cnn_utils", "book"]


def pytest_pass(name, targets, extra, label, selection=NBVAL, report_name=None,
                rerun="python3 tasks.py test --cpu-path {name}"):
    """One pytest run with TensorFlow on CPU path `name`; returns its counts and failed tests."""
    started = time.perf_counter()
    env = dict(test_environment(tests=True), CNN_BOOK_CPU_PATH=describe_path(name), **CPU_PATHS[name])
    REPORTS.mkdir(parents=True, exist_ok=True)
    report = REPORTS / f"{report_name or name}.xml"
    report.unlink(missing_ok=True)
    print(f"\n[pass] {label}: {' '.join(targets)} with TensorFlow's CPU path {describe_path(name)}",
          flush=True)
    # Test files run two at a time (pytest-xdist), each file whole on one worker, in order: a
    # notebook's cells share one kernel. CNN_BOOK_TEST_WORKERS=1 runs them one after another.
    workers = os.environ.get("CNN_BOOK_TEST_WORKERS", "2")
    parallel = ["-n", workers, "--dist", "loadfile"] if workers != "1" else []
    if parallel:
        # Two workers share the cores: numpy's OpenBLAS spinning two threads in each (chapter 9's
        # training) ran five times slower than alone. One BLAS thread per worker (a reader's
        # machine may use any number: the stored outputs print only what survives that).
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
    code = subprocess.run(
        [str(PYTHON), "-m", "pytest", *targets, *selection, f"--junitxml={report}",
         "-o", "junit_family=xunit1", *parallel, *extra], cwd=ROOT, env=env).returncode
    seconds = time.perf_counter() - started
    print(f"[time] pass {report_name or name}: {seconds:.1f} s", flush=True)
    counts, failed = {"passed": 0, "failed": 0, "skipped": 0}, []
    if report.exists():
        for case in ElementTree.parse(report).iter("testcase"):
            outcome = {child.tag for child in case} & {"failure", "error", "skipped"}
            if "skipped" in outcome:
                counts["skipped"] += 1
            elif outcome:
                counts["failed"] += 1
                failed.append(f"{case.get('file') or case.get('classname')}::{case.get('name')}")
            else:
                counts["passed"] += 1
    if code not in (0, 5) and not failed:             # pytest itself failed (usage, collection)
        failed.append(f"pytest exited with code {code}")
        counts["failed"] += 1
    return {"name": f"{label} on CPU path {describe_path(name)}", "seconds": seconds,
            "counts": counts, "failed": failed,
            "rerun": rerun.format(name=name)}


def colab_stack_pass():
    """Every chapter on Colab's stack (tests/colab_stack.py); returns its counts and failures."""
    started = time.perf_counter()
    summary = ROOT / "_build" / "colab-stack" / "summary.json"
    summary.unlink(missing_ok=True)
    print("\n[pass] every chapter on Colab's stack (tests/colab-stack.txt)", flush=True)
    code = subprocess.run([str(PYTHON), "-m", "tests.colab_stack"], cwd=ROOT,
                          env=test_environment(tests=True)).returncode
    result = json.loads(summary.read_text(encoding="utf-8")) if summary.exists() else None
    if result is None:
        failed = [f"the Colab-stack run stopped with exit code {code} before running the chapters"]
    else:
        failed = list(result["failed"]) + ([] if code == 0 or result["failed"] else
                                            [f"exit code {code}"])
    passed = len(result["passed"]) if result else 0
    return {"name": "chapters on Colab's stack", "seconds": time.perf_counter() - started,
            "counts": {"passed": passed, "failed": len(failed), "skipped": 0}, "failed": failed,
            "rerun": "python3 tasks.py colab-stack [CHAPTER ...]"}


def run_tests(extra):
    """The README's test command: every pass runs, then one summary says which failed where."""
    started = time.perf_counter()
    env = test_environment(tests=True)
    for variable, name, file in ((MNIST_ENV_VAR, "MNIST", "an mnist.npz file"),
                                 (CIFAR10_ENV_VAR, "CIFAR-10", "cifar10-jpeg.tar.gz")):
        if not Path(env[variable]).is_file():
            sys.exit(f"No {name} file at {env[variable]}: set {variable} to {file} (the tests "
                     f"never download {name}).")
    options = argparse.ArgumentParser(prog="tasks.py test", add_help=False)
    options.add_argument("--cpu-path", action="append", choices=sorted(CPU_PATHS))
    options.add_argument("--quick", action="store_true")
    chosen, extra = options.parse_known_args(extra)
    if chosen.quick and chosen.cpu_path:
        sys.exit("tasks.py test: --quick runs no notebook; --cpu-path re-runs the notebooks")
    if chosen.quick:                                   # unit tests and doctests, nothing built
        results = [pytest_pass("default", TEST_TARGETS, extra, "unit tests, doctests",
                               selection=QUICK, report_name="quick",
                               rerun="python3 tasks.py test --quick")]
    elif chosen.cpu_path:                              # re-running the notebooks on some paths
        results = [pytest_pass(name, ["book"], extra, "notebooks") for name in chosen.cpu_path]
    else:
        ensure_browser()
        build_book()
        build_pdf_for_tests()
        results = [pytest_pass("default", TEST_TARGETS, extra,
                               "unit tests, doctests, browser, notebooks")]
        results += [pytest_pass(name, ["book"], extra, "notebooks")
                    for name in CPU_PATHS if name != "default"]
        results.append(colab_stack_pass())

    print("\n[summary]", flush=True)
    passed = failed = 0
    for result in results:
        counts = result["counts"]
        passed, failed = passed + counts["passed"], failed + counts["failed"]
        tally = f"{counts['passed']} passed, {counts['failed']} failed"
        print(f"  {result['name']}: {tally} ({result['seconds']:.0f} s)")
        for test in result["failed"]:
            # A notebook cell or a chapter: re-run its pass; a unit test: pytest runs it alone.
            unit = "::" in test and not test.startswith("book/")
            again = f".venv/bin/python -m pytest '{test}'" if unit else result["rerun"]
            print(f"      FAILED {test}\n          re-run alone: {again}")
    print(f"[time] tests ran in {time.perf_counter() - started:.1f} s", flush=True)
    print(f"tests: {passed} passed, {failed} failed", flush=True)
    if any(result["failed"] for result in results):
        sys.exit(1)


def execute(notebooks):
    """Re-executes notebooks in place, top to bottom, in the environment nbval uses.

    tests/execute_notebooks.py does it; a notebook with a failing cell is not written.
    """
    if not notebooks:
        notebooks = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "book").rglob("*.ipynb")
                           if ".ipynb_checkpoints" not in p.parts)
    run(PYTHON, "-m", "tests.execute_notebooks", *notebooks, env=test_environment())


def slides(args):
    """Lecture slides: course_tools/slides.py turns chapters into reveal.js decks in _build/slides."""
    if not shutil.which("npm"):
        ensure_browser()                               # npm installs reveal.js and MathJax
    run(PYTHON, "-m", "course_tools.slides", *args, env=test_environment())


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["book", "pdf", "test", "colab-stack", "execute",
                                            "setup-cells", "bench", "assign", "grade", "slides", "train"])
    parser.add_argument("args", nargs=argparse.REMAINDER,
                        help="test: --quick (unit tests and doctests only) or --cpu-path NAME (one "
                             "of " + ", ".join(CPU_PATHS) + "; repeatable), then extra arguments "
                             "for pytest; pdf: editions (student, instructor; default: both); "
                             "colab-stack: chapters "
                             "(default: all); execute: notebooks (default: all); bench: --quick, --only NAME..., "
                             "--write; assign, grade, slides, train: see --help of each")
    args = parser.parse_args()
    ensure_environment()
    try:
        if args.command == "book":
            build_book()
        elif args.command == "pdf":
            build_pdf(args.args or PDF_EDITIONS)
        elif args.command == "execute":
            execute(args.args)
        elif args.command == "colab-stack":
            run(PYTHON, "-m", "tests.colab_stack", *args.args, env=test_environment(tests=True))
        elif args.command == "setup-cells":
            run(PYTHON, "-m", "tests.colab_sim", "write-setup-cells")
        elif args.command == "bench":
            run(PYTHON, "-m", "benchmarks.run", *args.args, env=test_environment())
        elif args.command == "slides":
            slides(args.args)
        elif args.command == "train":
            run(PYTHON, "-c", "import sys; from cnn_utils.models.cifar_training import main; main(sys.argv[1:])",
                *args.args, env=test_environment())
        elif args.command in ("assign", "grade"):
            run(PYTHON, "-m", "course_tools", args.command, *args.args, env=test_environment())
        else:
            run_tests(args.args)
    except subprocess.CalledProcessError as error:
        sys.exit(error.returncode)


if __name__ == "__main__":
    main()
