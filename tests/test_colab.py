"""Colab: the launch buttons and every chapter's set-up cell agree with `_config.yml`, and a chapter
notebook runs as a new Colab user would meet it.

The simulation (`test_chapter_runs_in_a_simulated_colab`):

- the chapter notebook is copied *alone* into an empty folder (no checkout next to it);
- a fresh virtual environment is made with the same interpreter as `.venv`. It sees `.venv`'s
  packages (TensorFlow, numpy, matplotlib, Jupyter: what Colab has) through a folder of links that
  leaves out `cnn_utils` and its editable-install hooks, so `import cnn_utils` fails there at first;
- a stand-in `google.colab` package is imported when the kernel starts (Colab does the same), so the
  set-up cell sees `"google.colab" in sys.modules`;
- `CNN_UTILS_SOURCE=file://...` makes the set-up cell's `%pip install` take `cnn_utils` from a copy
  of this checkout instead of the web (pip builds a local folder in place, writing `build/` and
  `*.egg-info`, hence the copy). pip runs with no index and no build isolation: nothing is
  downloaded, and the only thing that may appear in the new environment is `cnn_utils` itself
  (TensorFlow is never reinstalled);
- the notebook then runs to the end. The executed copy is kept in `_build/colab-sim/` to look at.
"""

import json
import os
import re
import shutil
import subprocess
import sysconfig
import textwrap
import time
import venv
from pathlib import Path

import nbformat
import pytest
import yaml

from tests.colab_sim import (chapters, checkout_copy, kernel_environment, make_kernel,
                             package_version, repository_url, setup_cell)

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "_build" / "colab-sim"
# The chapter the simulation runs: small, no MNIST, but imports TensorFlow and uses cnn_utils.
SIMULATED_CHAPTER = os.environ.get("CNN_BOOK_COLAB_CHAPTER", "04_convolution")

def _config():
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def _first_code_cell(path):
    nb = json.loads((ROOT / path).read_text(encoding="utf-8"))
    return next("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def _expected_colab_url(chapter):
    config = _config()
    owner_repo = config["repository"]["url"].removeprefix("https://github.com/").strip("/")
    colab = config["launch_buttons"]["colab_url"].rstrip("/")
    return f"{colab}/github/{owner_repo}/blob/{config['repository']['branch']}/{chapter}"


def test_repository_url_is_one_public_github_setting():
    config = _config()
    url = config["repository"]["url"]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url), url
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert config["repository"]["branch"]


def test_toc_lists_thechapters():
    assert len(chapters()) >= 7


@pytest.mark.parametrize("chapter", chapters(), ids=lambda p: Path(p).stem)
def test_setup_cell_installs_the_pinned_release(chapter):
    """The first code cell is the set-up cell, character for character: _config.yml's repository
    at the tag of pyproject.toml's version."""
    expected = setup_cell()
    assert _first_code_cell(chapter).strip() == expected, (
        f"{chapter}: the first code cell must be the Colab set-up cell installing "
        f"git+{repository_url()}@v{package_version()} (repository.url in _config.yml, version in "
        "pyproject.toml); `python3 tasks.py setup-cells` writes it into every chapter")
    assert "tensorflow" not in expected.lower()


def test_setup_cell_names_one_release():
    assert re.fullmatch(r"\d+\.\d+\.\d+", package_version()), package_version()
    assert f"@v{package_version()}\"" in setup_cell()
    assert repository_url() == _config()["repository"]["url"]


def test_every_documented_install_names_the_release():
    """Instructions for readers and instructors install the same tagged release as the chapters."""
    for path in [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "book").glob("*.md"))]:
        for url in re.findall(r"cnn_utils @ (git\+\S+?)[\"\s]", path.read_text(encoding="utf-8")):
            assert url == f"git+{repository_url()}@v{package_version()}", (
                f"{path.name} installs {url}; write git+{repository_url()}@v{package_version()}")


def test_package_reports_the_pyproject_version():
    import cnn_utils

    assert cnn_utils.__version__ == package_version(), (
        "cnn_utils/__init__.py's __version__ and pyproject.toml's version must be the same release")


def _built_page(chapter):
    page = HTML / Path(chapter).with_suffix(".html")
    if not HTML.is_dir():
        pytest.fail(f"{HTML} is missing: build the book first (`python3 tasks.py book`; "
                    "`python3 tasks.py test` builds it before running the tests)")
    assert page.is_file(), f"{page} was not built"
    return page.read_text(encoding="utf-8")


@pytest.mark.book                  # reads _build/html: not in `tasks.py test --quick`
@pytest.mark.parametrize("chapter", chapters(), ids=lambda p: Path(p).stem)
def test_launch_button_opens_the_chapter_in_colab(chapter):
    html = _built_page(chapter)
    colab_links = set(re.findall(r'href="(https://colab\.research\.google\.com/[^"]*)"', html))
    assert colab_links == {_expected_colab_url(chapter)}, colab_links
    assert f'href="{_config()["repository"]["url"]}"' in html     # the repository button


# ---------------------------------------------------------------------------------------------
# The simulation

CHECK_CELL = textwrap.dedent("""\
    # (added by test_colab) where did everything come from?
    import json, sys, matplotlib, cnn_utils
    print(json.dumps({"colab": "google.colab" in sys.modules,
                      "cnn_utils": cnn_utils.__file__,
                      "tensorflow": getattr(sys.modules.get("tensorflow"), "__file__", None),
                      "font_family": list(matplotlib.rcParams["font.family"])}))
    """)

RUNNER = textwrap.dedent("""\
    import sys, nbformat
    from nbclient import NotebookClient
    source, target, kernel = sys.argv[1:4]
    nb = nbformat.read(source, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(sys.stdin.read()))
    client = NotebookClient(nb, kernel_name=kernel, timeout=900, record_timing=False,
                            resources={"metadata": {"path": sys.argv[4]}})
    try:
        client.execute()
    finally:
        nbformat.write(nb, target)
    """)


def _site_packages(prefix):
    return Path(sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)}))


def _is_cnn_utils_entry(entry):
    """`.venv` entries that would let the simulation import cnn_utils without installing it."""
    name = entry.name.lower()
    if "cnn_utils" in name or "cnn-utils" in name:
        return True
    if entry.suffix == ".pth":
        text = entry.read_text(encoding="utf-8", errors="replace")
        return str(ROOT) in text or "cnn_utils" in text
    return False


def _make_environment(tmp):
    """A new venv seeing `.venv`'s packages except cnn_utils; returns (python, its site-packages)."""
    here = Path(sysconfig.get_path("purelib"))     # the site-packages of the .venv running pytest
    shadow = tmp / "colab-packages"
    shadow.mkdir()
    for entry in here.iterdir():
        if not _is_cnn_utils_entry(entry):
            (shadow / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    env_dir = tmp / "colab-venv"
    venv.create(env_dir, with_pip=False, symlinks=os.name != "nt")
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = _site_packages(env_dir)
    # Processed as a site dir, so the .pth files of the other packages still work.
    pth = f"import site; site.addsitedir({str(shadow)!r})\n"
    (site / "_colab_sim_packages.pth").write_text(pth)
    return python, site


def test_chapter_runs_in_a_simulated_colab(tmp_path):
    started = time.perf_counter()
    notebook = ROOT / "book" / "chapters" / f"{SIMULATED_CHAPTER}.ipynb"
    python, site = _make_environment(tmp_path)
    before = {p.name for p in site.iterdir()}

    # A new Colab user's session: an empty folder with the notebook alone.
    work = tmp_path / "content"
    work.mkdir()
    shutil.copy(notebook, work / notebook.name)
    make_kernel(tmp_path, python, "colab-sim")
    env = kernel_environment(
        tmp_path, checkout_copy(tmp_path),
        PIP_NO_INDEX="1",                   # nothing from the web
        PIP_NO_BUILD_ISOLATION="0")         # (sic: "0" turns isolation off) build with the
                                            # setuptools the environment has, offline

    # Before the set-up cell, cnn_utils is not there.
    probe = subprocess.run([str(python), "-c", "import cnn_utils"], cwd=work, env=env,
                           capture_output=True, text=True)
    assert probe.returncode != 0 and "No module named 'cnn_utils'" in probe.stderr, (
        "the simulated Colab environment must not see cnn_utils before the set-up cell:\n"
        + probe.stdout + probe.stderr)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    executed = ARTIFACTS / notebook.name
    run = subprocess.run([str(python), "-c", RUNNER, str(work / notebook.name), str(executed),
                          "colab-sim", str(work)],
                         input=CHECK_CELL, cwd=work, env=env, capture_output=True, text=True)
    assert run.returncode == 0, (f"{notebook.name} failed in the simulated Colab (executed copy: "
                                 f"{executed}):\n{run.stdout[-3000:]}\n{run.stderr[-6000:]}")

    nb = nbformat.read(executed, as_version=4)
    setup_outputs = nb.cells[_setup_index(nb)].outputs
    setup_text = "".join(o.get("text", "") for o in setup_outputs if o.output_type == "stream")
    assert setup_outputs and "error" not in setup_text.lower(), setup_outputs   # %pip did run
    # The kernel may send one print in pieces (the JSON, then its newline) when the machine is busy.
    report = json.loads("".join(o.get("text", "") for o in nb.cells[-1].outputs
                                if o.output_type == "stream"))
    assert report["colab"] is True
    assert Path(report["cnn_utils"]).is_relative_to(site), report       # installed by the cell
    assert not Path(report["tensorflow"] or ".").is_relative_to(site), report
    assert report["font_family"][-1] == "NanumGothic", report
    added = {p.name for p in site.iterdir()} - before
    assert added and all(name.lower().startswith(("cnn_utils", "__pycache__")) for name in added), (
        f"the set-up cell may install cnn_utils only, but these appeared: {sorted(added)}")
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert not re.search(r"Glyph \d+.*?missing", outputs), "a figure text lacks a glyph"
    print(f"[time] {notebook.name} in the simulated Colab: {time.perf_counter() - started:.1f} s; "
          f"installed {sorted(added)}")


def _setup_index(nb):
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")


def test_simulation_hides_cnn_utils_from_the_new_environment(tmp_path):
    """The guard of the simulation itself: the shadow folder has no way to import cnn_utils."""
    python, _ = _make_environment(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = subprocess.run([str(python), "-c",
                          "import importlib.util, sys, numpy, matplotlib, nbclient;"
                          "print(importlib.util.find_spec('cnn_utils'), sys.prefix)"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "None", out.stdout
