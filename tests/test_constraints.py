"""constraints.txt pins the HTML toolchain: requirements.txt agrees with it, .venv has exactly it,
and `tasks.py` installs with it and reinstalls when it changes."""

import importlib.metadata as metadata
import shutil

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import tasks


def _requirements(name):
    """{canonical name: Requirement} of a requirements file (options such as `-e .` left out)."""
    found = {}
    for line in (tasks.ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            found.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    return found


def _pins():
    pins = {}
    for name, (requirement, *more) in _requirements("constraints.txt").items():
        (spec,) = requirement.specifier
        assert not more and spec.operator == "==" and requirement.marker is None, (
            f"constraints.txt: pin {name} once, exactly (name==version), for every platform")
        pins[name] = spec.version
    return pins


def test_the_toolchain_is_pinned():
    pins = _pins()
    assert pins["sphinx"] == "7.4.7"
    assert {"docutils", "myst-nb", "myst-parser", "sphinx-book-theme", "pydata-sphinx-theme",
            "sphinx-jupyterbook-latex", "sphinx-design", "jinja2", "pygments"} <= set(pins)


def test_requirements_do_not_contradict_the_constraints():
    pins = _pins()
    for name, requirements in _requirements("requirements.txt").items():
        for requirement in requirements:
            if name in pins:
                assert requirement.specifier.contains(pins[name], prereleases=True), (
                    f"requirements.txt asks for {requirement}, constraints.txt pins "
                    f"{name}=={pins[name]}: change both together")


def test_the_environment_has_the_pinned_toolchain():
    wrong = {name: (version, metadata.version(name)) for name, version in _pins().items()
             if metadata.version(name) != version}
    assert not wrong, ("installed versions differ from constraints.txt (pinned, installed): "
                       f"{wrong}; `python3 tasks.py book` reinstalls after constraints.txt changes")


def test_install_uses_the_constraints_and_a_change_reinstalls(tmp_path, monkeypatch):
    for name in tasks.REQUIREMENT_FILES:
        shutil.copy(tasks.ROOT / name, tmp_path / name)
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.setattr(tasks, "PYTHON", tmp_path / "python")     # exists: no venv is created
    monkeypatch.setattr(tasks, "STAMP", tmp_path / "stamp")
    (tmp_path / "python").touch()
    commands = []
    monkeypatch.setattr(tasks, "run", lambda *command, env=None: commands.append(command))

    tasks.ensure_environment()
    install = commands[-1]
    assert install[install.index("-c") + 1] == tmp_path / "constraints.txt"
    assert install[install.index("-r") + 1] == tmp_path / "requirements.txt"
    commands.clear()
    tasks.ensure_environment()
    assert commands == []                                           # up to date: nothing to do

    with open(tmp_path / "constraints.txt", "a", encoding="utf-8") as constraints:
        constraints.write("# changed\n")
    tasks.ensure_environment()
    assert commands and "-c" in commands[-1]
