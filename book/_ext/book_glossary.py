"""The book's glossary (book/glossary.md) as data: one parser for the Sphinx extension and the tests.

Each entry of the ```{glossary}``` block is written as

    합성곱                                   <- preferred Korean term (the first term line)
    convolution                             <- English term (second line; omitted when the first
      정의 한 줄 ...                             line already is the English name, e.g. im2col)

      배우는 곳: {doc}`chapters/04_convolution` · 쓰지 않는 표기: 컨볼루션, 컨벌루션

"배우는 곳" names the chapter that teaches the term ({doc} link), or "N장(준비 중)" for a chapter of
OUTLINE.md not written yet. "쓰지 않는 표기" lists the non-preferred variants that the chapters must
not use outside quotations of the original lecture (tests/test_glossary.py).

No Sphinx import here: the tests use this module without building the book.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

GLOSSARY_DOC = "book/glossary"
HANGUL = re.compile(r"[\uac00-\ud7a3]")

_FENCE = re.compile(r"^(`{3,}|~{3,})\{glossary\}[^\n]*\n(.*?)^\1\s*$", re.M | re.S)
_TAUGHT_IN = re.compile(r"배우는 곳:\s*(?:\{doc\}`(?P<doc>[^`<>]+)`|(?P<planned>\d+)장\s*\(준비 중\))")
_VARIANTS = re.compile(r"쓰지 않는 표기:\s*(?P<variants>[^·\n]+)")


@dataclasses.dataclass(frozen=True)
class GlossaryEntry:
    """One glossary entry.

    Attributes:
        korean: the preferred term the book uses (may be a Latin name such as ``ReLU``).
        english: the English term.
        terms: every term line of the entry (what ``{term}`...``` can link to).
        definition: the definition's first paragraph, as written (MyST).
        chapter: docname of the chapter that teaches the term (``book/chapters/04_convolution``),
            or ``None`` when that chapter is still planned.
        planned_chapter: the chapter number of OUTLINE.md when ``chapter`` is ``None``.
        variants: non-preferred spellings the chapters must not use.
    """

    korean: str
    english: str
    terms: tuple[str, ...]
    definition: str
    chapter: str | None
    planned_chapter: int | None
    variants: tuple[str, ...]


def glossary_path(root: Path | str) -> Path:
    return Path(root) / f"{GLOSSARY_DOC}.md"


def parse_glossary(text: str) -> list[GlossaryEntry]:
    """Parses the ```{glossary}``` block of the glossary page's Markdown.

    Raises:
        ValueError: if there is no glossary block, or an entry has no definition or no
            "배우는 곳" (the chapter that teaches it).
    """
    match = _FENCE.search(text)
    if match is None:
        raise ValueError("no ```{glossary} block found in the glossary page")
    entries: list[GlossaryEntry] = []
    terms: list[str] = []
    body: list[str] = []

    def finish():
        if not terms:
            return
        if not "".join(body).strip():
            raise ValueError(f"glossary entry {terms[0]!r} has no definition (indent it)")
        entries.append(_entry(terms, body))

    for line in match.group(2).splitlines():
        if line.startswith(":") and not entries and not terms:      # directive options (:sorted:)
            continue
        if line.strip() and not line[0].isspace():                  # a term line
            if body:
                finish()
                terms, body = [], []
            terms.append(line.strip())
        elif terms:
            body.append(line.strip())
    finish()
    return entries


def _entry(terms: list[str], body: list[str]) -> GlossaryEntry:
    text = "\n".join(body).strip()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    taught = _TAUGHT_IN.search(text)
    if taught is None:
        raise ValueError(f"glossary entry {terms[0]!r}: add '배우는 곳: {{doc}}`chapters/...`' "
                         "(or 'N장(준비 중)') naming the chapter that teaches it")
    chapter = None
    if taught.group("doc"):
        chapter = str(Path("book") / taught.group("doc")).replace("\\", "/")
    variants_match = _VARIANTS.search(text)
    variants = ()
    if variants_match:
        variants = tuple(v.strip() for v in variants_match.group("variants").split(",")
                         if v.strip())
    planned = int(taught.group("planned")) if taught.group("planned") else None
    return GlossaryEntry(
        korean=terms[0], english=terms[1] if len(terms) > 1 else terms[0], terms=tuple(terms),
        definition=paragraphs[0], chapter=chapter, planned_chapter=planned, variants=variants)


def load_glossary(root: Path | str) -> list[GlossaryEntry]:
    """The entries of ``<root>/book/glossary.md``."""
    return parse_glossary(glossary_path(root).read_text(encoding="utf-8"))


def search_user_words(entries: list[GlossaryEntry]) -> list[str]:
    """Korean words the morphological analyser should know as nouns: the words of the glossary terms.

    Multi-word terms give their words ("특징 맵" gives 특징 and 맵): the search index joins adjacent
    nouns itself. A one-syllable word (맵, 층, 창) may make the analyser split an ordinary word
    (창문 -> 창, 문); the index then holds the parts as well as the whole, which costs little.
    """
    words = set()
    for entry in entries:
        for term in entry.terms:
            words.update(p for p in re.split(r"[\s-]+", term)
                         if p and all(HANGUL.fullmatch(c) for c in p))
    return sorted(words)
