"""The submissions: finding and reading them safely, and the copy of each that the grader executes.

Used by the grader (`course_tools.grade`); no chapter uses it.

Every file is read once, by the grader, before any student code runs (so no submission can change
another one); a symlink that leads out of the submissions folder is refused, never followed. A
notebook is read tolerantly (Colab's nbformat 4.0 without ids, sources as lists of lines, a v3
notebook upgraded). `prepare` makes the copy to execute: outputs removed, the book's check cells
put back in place.
"""

import copy
import json
import os
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import exercises as fmt

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024


@dataclass
class Submission:
    """One file found in the submissions folder."""
    path: str              # as found (for the report)
    relative: str          # relative to the folder: the `file` column
    student: str
    data: bytes = b""
    refused: str = ""      # why it is not graded (a symlink out of the folder, too large, unreadable)


def student_name(path, root):
    """The folder directly under `root` when submissions are in one folder per student, else the
    file name without its extension."""
    relative = Path(path).relative_to(root)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _inside(path, root):
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(root))
        return True
    except ValueError:
        return False


def find_submissions(folder):
    """Every .ipynb under `folder` (a folder or one file) as `Submission`s, read into memory.

    Symlinks are never followed out of the folder: a linked file that leads outside is refused
    with the reason, a linked folder is not entered."""
    folder = Path(folder)
    if folder.is_file() or folder.is_symlink() and not folder.is_dir():
        root, paths = folder.parent, [folder]
    else:
        root, paths = folder, []
        for parent, dirs, files in os.walk(folder, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
            paths += [Path(parent) / f for f in sorted(files) if f.endswith(".ipynb")]
        paths.sort()
    found = []
    for path in paths:
        relative = str(path.relative_to(root))
        item = Submission(str(path), relative, student_name(path, root))
        if path.is_symlink() and not _inside(path, root):
            item.refused = "제출 폴더 밖을 가리키는 심볼릭 링크(symlink)라 채점하지 않았습니다."
        else:
            item.data, item.refused = _read(path)
        found.append(item)
    return found


def _read(path):
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(os.path.realpath(path), flags)
    except OSError as error:
        return b"", f"파일을 열 수 없습니다({type(error).__name__})."
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_NOTEBOOK_BYTES + 1)
    if len(data) > MAX_NOTEBOOK_BYTES:
        return b"", f"파일이 너무 큽니다({MAX_NOTEBOOK_BYTES // (1024 * 1024)} MB 넘음)."
    return data, ""


def parse(data):
    """The notebook in `data` (bytes) as a NotebookNode; raises ValueError with the reason."""
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(str(error)[:120]) from None
    if isinstance(parsed, dict) and parsed.get("nbformat") == 3 and isinstance(parsed.get("worksheets"), list):
        try:   # an old (v3) notebook: nbformat upgrades it
            parsed = json.loads(nbformat.writes(nbformat.reads(json.dumps(parsed), as_version=4)))
        except Exception as error:
            raise ValueError(f"v3 노트북을 변환하지 못했습니다: {str(error)[:100]}") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("cells"), list):
        raise ValueError("cells 목록이 없습니다")
    return _notebook_from_json(parsed)


def _notebook_from_json(data):
    """A NotebookNode from parsed JSON, tolerant of what editors and students do to files: sources
    as lists of lines, missing metadata, nbformat 4.0 without cell ids, unknown cell types."""
    data = dict(data)
    data.setdefault("nbformat", 4)
    data.setdefault("nbformat_minor", 5)
    if not isinstance(data.get("metadata"), dict):
        data["metadata"] = {}
    cells = []
    for cell in data["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        cell = dict(cell)
        source = cell.get("source", "")
        cell["source"] = "".join(source) if isinstance(source, list) else str(source)
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = {}
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
    data["cells"] = cells
    return nbformat.from_dict(data)


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _cell_ids(cell):
    """A cell's id as nbformat 4.5 stores it, and as Colab stores it (metadata.id)."""
    ids = {cell.get("id")}
    meta = cell.get("metadata", {})
    if isinstance(meta, dict):
        ids.add(meta.get("id"))
    return ids - {None, ""}


def prepare(submission, reference):
    """The notebook to execute: the submission's cells with outputs removed and the reference's
    check cells put back in place. Returns (notebook, [(cell index, check metadata)], notes)."""
    ref_checks = [c for c in reference.cells if fmt.is_check_cell(c)]
    by_id = {c.get("id"): fmt.course_meta(c).get("check") for c in ref_checks if c.get("id")}
    by_source = {_source(c).strip(): fmt.course_meta(c).get("check") for c in ref_checks}
    notes = []
    kept = []
    found_checks = set()
    for cell in submission.cells:
        if not isinstance(cell, dict) or "cell_type" not in cell:
            continue
        same_id = [by_id[cid] for cid in _cell_ids(cell) if cid in by_id]
        same_source = cell.get("cell_type") == "code" and _source(cell).strip() in by_source
        if fmt.is_check_cell(cell) or same_id or same_source:
            # a check cell, possibly edited: the reference's one replaces it
            found_checks.add(fmt.course_meta(cell).get("check") or (same_id[0] if same_id else None)
                             or (by_source.get(_source(cell).strip()) if same_source else None))
            continue
        cell = copy.deepcopy(cell)
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        kept.append(cell)
    # Where each reference cell is in the submission: by id, else by unchanged source.
    sources = {}
    for index, cell in enumerate(reference.cells):
        sources.setdefault(_source(cell).strip(), []).append(index)
    position = {}
    for index, cell in enumerate(kept):
        for cid in _cell_ids(cell):
            position.setdefault(("id", cid), index)
        position.setdefault(("source", _source(cell).strip()), index)

    def locate(ref_index):
        cell = reference.cells[ref_index]
        for cid in _cell_ids(cell):
            if ("id", cid) in position:
                return position[("id", cid)]
        text = _source(cell).strip()
        if text and len(sources.get(text, [])) == 1 and ("source", text) in position:
            return position[("source", text)]
        return None

    inserts = []   # (position in `kept` before which to insert, order, check cell)
    for order, (ref_index, cell) in enumerate((i, c) for i, c in enumerate(reference.cells)
                                             if fmt.is_check_cell(c)):
        anchor = None
        for later in range(ref_index + 1, len(reference.cells)):
            if fmt.is_check_cell(reference.cells[later]):
                continue
            anchor = locate(later)
            if anchor is not None:
                break
        if anchor is None:
            anchor = len(kept)
        meta = fmt.course_meta(cell)
        if meta.get("check") not in found_checks:
            notes.append(f"확인 셀 {meta.get('check')}을(를) 찾지 못해(지웠거나 고쳤음) 책의 확인 셀을 원래 "
                         f"자리에 되돌려 채점했습니다.")
        inserts.append((anchor, order, cell))
    cells, checks = [], []
    inserts.sort(key=lambda item: (item[0], item[1]))
    pending = list(inserts)
    for index in range(len(kept) + 1):
        while pending and pending[0][0] == index:
            _, _, cell = pending.pop(0)
            new = copy.deepcopy(cell)
            new["outputs"], new["execution_count"] = [], None
            checks.append((len(cells), fmt.course_meta(cell)))
            cells.append(new)
        if index < len(kept):
            cells.append(kept[index])
    nb = nbformat.v4.new_notebook(cells=[nbformat.from_dict(c) for c in cells])
    nb.metadata = copy.deepcopy(reference.metadata)
    for cell in nb.cells:   # cells copied from a Colab (nbformat 4.0) file may lack ids
        if "id" not in cell or not cell["id"]:
            cell["id"] = nbformat.v4.new_code_cell().id
    return nb, checks, notes
