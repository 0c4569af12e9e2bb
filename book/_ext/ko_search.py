"""Korean full-text search for the HTML book (``html_search_language: ko``).

Sphinx has no Korean search language: its default splits text at spaces and looks words up whole,
so a search for 패딩 misses a page that only says 패딩을 or 패딩은 (Korean attaches particles to the
word), and words shorter than three letters get no partial matching at all. This extension registers
a search language for ``ko`` that

- **indexes** every Korean word (어절) in three forms: as written, with its trailing particles
  stripped (패딩을 -> 패딩, 스트라이드에서는 -> 스트라이드), and as analysed by the Korean
  morphological analyser Kiwi (kiwipiepy, from PyPI), which also splits compounds (합성곱층 ->
  합성곱, 층; 제로패딩 -> 제로, 패딩). The glossary's terms are added to Kiwi's dictionary, so the
  book's technical words (풀링, 스트라이드 ...) come out as nouns;
- **searches** with the same particle stripping in the browser (the JavaScript ``Stemmer`` below
  implements exactly :func:`strip_particles`, and the query matched against titles and index
  entries is stripped too), so a query typed with a particle (패딩을) finds the same pages, in the
  same order, as the bare word. Latin words keep Sphinx's English (Porter) stemming, and a token
  like ``conv2d는`` is split into ``conv2d`` and the particle ``는`` on both sides.

It also adds, from the glossary (book/glossary.md), a *main* index entry for each term in the chapter
that teaches it ("배우는 곳"), at the first section whose title names the term. Sphinx's search lists
exact index-entry matches first, so a search for 패딩 opens with the padding chapter, and the
general index (genindex) marks that chapter in bold. The glossary page's own entries for its terms
become ordinary (non-main) entries, listed after the chapters.
"""

from __future__ import annotations

import functools
import json
import re

import snowballstemmer
from docutils import nodes
from sphinx import addnodes
from sphinx.search import SearchLanguage
from sphinx.search.en import english_stopwords, js_porter_stemmer
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

import book_glossary

logger = logging.getLogger(__name__)

HANGUL = re.compile(r"[\uac00-\ud7a3]")
_SCRIPT_RUNS = re.compile(r"[\uac00-\ud7a3]+|[^\uac00-\ud7a3]+")
_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")

#: Particles (조사) and copula endings stripped from the end of a Korean word, longest first.
PARTICLES = tuple(sorted({
    "은", "는", "이", "가", "을", "를", "의", "에", "와", "과", "도", "로", "으로", "만", "께",
    "에서", "에게", "한테", "까지", "부터", "보다", "처럼", "마다", "만큼", "이나", "나", "이랑",
    "랑", "라고", "이라고", "이란", "란", "라는", "이라는", "이다", "입니다", "이고", "이며",
    "이면", "인", "인지", "에서는", "에서도", "으로는", "으로도", "로는", "로도", "에는", "에도",
    "과의", "와의", "에서의", "으로의", "로의", "이라", "이든", "이라도", "조차", "마저", "밖에",
}, key=lambda p: (-len(p), p)))
#: A word keeps at least this many syllables (so 정의, 결과, 넓이 are never cut).
MIN_STEM = 2
KOREAN_STOPWORDS = frozenset(PARTICLES) | {"및", "등", "것", "또는", "그리고", "곧", "수"}
_NOUN_TAGS = {"NNG", "NNP", "XR"}
_SUFFIX_TAGS = {"XSN"}                     # 층 in 합성곱층, 화 in 평탄화: part of a compound


def strip_particles(word: str) -> str:
    """Strips trailing particles until none is left, keeping at least MIN_STEM syllables.

    Idempotent (``strip_particles(strip_particles(w)) == strip_particles(w)``), which keeps the
    index side and the query side in step whatever form each starts from.

    >>> [strip_particles(w) for w in ["패딩을", "스트라이드에서는", "합성곱의", "정의", "풀링"]]
    ['패딩', '스트라이드', '합성곱', '정의', '풀링']
    """
    changed = True
    while changed:
        changed = False
        for particle in PARTICLES:
            if len(word) - len(particle) >= MIN_STEM and word.endswith(particle):
                word = word[:-len(particle)]
                changed = True
                break
    return word


_JS_KOREAN = """
/**
 * Korean search (book/_ext/ko_search.py): particle stripping for Hangul words, Sphinx's Porter
 * stemmer for the rest, and a query splitter that separates Hangul from Latin (conv2d는).
 */
var KO_PARTICLES = %(particles)s;
var KO_MIN_STEM = %(min_stem)d;
var koStripParticles = function(word) {
  var changed = true;
  while (changed) {
    changed = false;
    for (var i = 0; i < KO_PARTICLES.length; i++) {
      var p = KO_PARTICLES[i];
      if (word.length - p.length >= KO_MIN_STEM && word.endsWith(p)) {
        word = word.slice(0, word.length - p.length);
        changed = true;
        break;
      }
    }
  }
  return word;
};
var Stemmer = function() {
  var porter = new PorterStemmer();
  this.stemWord = function(w) {
    return /[\\uac00-\\ud7a3]/.test(w) ? koStripParticles(w) : porter.stemWord(w);
  };
};
// Sphinx matches the whole query against page titles and index entries before the word search;
// strip the particles there too, so that 합성곱의 finds the index entry 합성곱.
if (typeof Search !== "undefined" && Search._parseQuery) {
  var koParseQuery = Search._parseQuery;
  Search._parseQuery = function(query) {
    var parsed = koParseQuery(query);
    parsed[0] = query.replace(/[\uac00-\ud7a3]+/g, koStripParticles);
    return parsed;
  };
}
var splitQuery = function(query) {
  return query
    .split(/[^\\p{Letter}\\p{Number}_\\p{Emoji_Presentation}]+/gu)
    .flatMap(function(token) { return token.match(/[\\uac00-\\ud7a3]+|[^\\uac00-\\ud7a3]+/g) || []; })
    .filter(function(term) { return term; });
};
"""


def _js_code() -> str:
    porter = js_porter_stemmer.replace("var Stemmer = function", "var PorterStemmer = function", 1)
    if "var PorterStemmer = function" not in porter:
        raise RuntimeError("Sphinx's Porter stemmer JS changed: update ko_search._js_code")
    return porter + _JS_KOREAN % {"particles": json.dumps(PARTICLES, ensure_ascii=False),
                                  "min_stem": MIN_STEM}


# Set when the builder starts (from the glossary), read when Sphinx makes the search language.
_USER_WORDS: tuple[str, ...] = ()
_MULTIWORD_TERMS: tuple[tuple[re.Pattern, str], ...] = ()


@functools.lru_cache(maxsize=2)
def _analyser(user_words: tuple[str, ...]):
    from kiwipiepy import Kiwi

    kiwi = Kiwi()
    for word in user_words:
        kiwi.add_user_word(word, "NNG", 0)
    return kiwi


class SearchKorean(SearchLanguage):
    """Search language ``ko``: Kiwi analysis plus particle stripping (see the module docstring)."""

    lang = "ko"
    language_name = "Korean"
    stopwords = set(english_stopwords) | set(KOREAN_STOPWORDS)
    js_stemmer_code = _js_code()

    def init(self, options: dict[str, str]) -> None:
        self.porter = snowballstemmer.stemmer("porter")
        self.kiwi = _analyser(_USER_WORDS)

    def split(self, input: str) -> list[str]:
        words = []
        for token in self._word_re.findall(input):
            words.extend(_SCRIPT_RUNS.findall(token))
        if HANGUL.search(input):
            words.extend(self._analysed_forms(input))
            words.extend(joined for pattern, joined in _MULTIWORD_TERMS if pattern.search(input))
        return words

    def _analysed_forms(self, text: str) -> list[str]:
        """Kiwi's nouns, and the compounds that adjacent nouns form inside one word."""
        forms: list[str] = []
        run: list[tuple[int, str]] = []          # (end offset, surface) of adjacent noun parts

        def flush():
            if len(run) > 1:
                forms.append("".join(surface for _, surface in run))
            run.clear()

        for token in self.kiwi.tokenize(text):
            start, end = token.start, token.start + token.len
            surface = text[start:end]
            adjacent = bool(run) and run[-1][0] == start
            if not _HANGUL_WORD.fullmatch(surface):
                flush()
            elif token.tag in _NOUN_TAGS:
                forms.append(surface)
                if not adjacent:
                    flush()
                run.append((end, surface))
            elif token.tag in _SUFFIX_TAGS and adjacent:
                run.append((end, surface))
            else:
                flush()
        flush()
        return forms

    def stem(self, word: str) -> str:
        if HANGUL.search(word):
            return strip_particles(word)
        return self.porter.stemWord(word.lower())

    def word_filter(self, word: str) -> bool:
        return bool(word) and not word.isdigit() and word not in self.stopwords


# ---------------------------------------------------------------------------------------------
# The glossary: user words for Kiwi, and main index entries in the chapter that teaches each term

def _glossary(app) -> list[book_glossary.GlossaryEntry]:
    path = book_glossary.glossary_path(app.srcdir)
    return book_glossary.load_glossary(app.srcdir) if path.is_file() else []


def use_glossary(entries: list[book_glossary.GlossaryEntry]) -> None:
    """Feeds the glossary to the search language: Kiwi's user words, and the multi-word terms
    (특징 맵) that are also indexed written together (특징맵)."""
    global _USER_WORDS, _MULTIWORD_TERMS
    _USER_WORDS = tuple(book_glossary.search_user_words(entries))
    multi = set()
    for entry in entries:
        for term in entry.terms:
            parts = term.split()
            if len(parts) > 1 and all(HANGUL.search(p) for p in parts):
                multi.add((re.compile(r"\s*".join(map(re.escape, parts))), "".join(parts)))
    _MULTIWORD_TERMS = tuple(sorted(multi, key=lambda item: item[1]))


def _on_builder_inited(app) -> None:
    entries = _glossary(app)
    app.env.ko_search_glossary = entries
    use_glossary(entries)


def _section_title(section: nodes.section) -> str:
    title = next(iter(section.findall(nodes.title)), None)
    return title.astext() if title is not None else ""


def _teaching_section(doctree: nodes.document, entry) -> nodes.section | None:
    """The first section whose title names the term; else the one where the text first does."""
    sections = list(doctree.findall(nodes.section))
    for name in dict.fromkeys((entry.korean, entry.english)):
        for section in sections:
            if name.lower() in _section_title(section).lower():
                return section
    for name in dict.fromkeys((entry.korean, entry.english)):
        for paragraph in doctree.findall(nodes.paragraph):
            if name.lower() in paragraph.astext().lower():
                parent = paragraph.parent
                while parent is not None and not isinstance(parent, nodes.section):
                    parent = parent.parent
                if parent is not None:
                    return parent
    return sections[0] if sections else None


class TeachingIndexEntries(SphinxTransform):
    """Adds the glossary's main index entries; runs before Sphinx collects index entries (850)."""

    default_priority = 840

    def apply(self, **kwargs) -> None:
        docname = self.env.docname
        if docname == book_glossary.GLOSSARY_DOC:
            for glossary in self.document.findall(addnodes.glossary):
                for index in glossary.findall(addnodes.index):
                    index["entries"] = [(kind, value, target, "", key)
                                        for kind, value, target, _main, key in index["entries"]]
            return
        for entry in getattr(self.env, "ko_search_glossary", []):
            if entry.chapter != docname:
                continue
            section = _teaching_section(self.document, entry)
            if section is None or not section["ids"]:
                logger.warning("glossary term %r: no section in %s to index", entry.korean, docname,
                               location=docname)
                continue
            names = dict.fromkeys((entry.korean, entry.english))
            index = addnodes.index(entries=[("single", name, section["ids"][0], "main", None)
                                            for name in names], inline=False)
            has_title = len(section) and isinstance(section[0], nodes.title)
            section.insert(1 if has_title else 0, index)


def setup(app):
    # The book is always built whole (tasks.py build_book: --all, a fresh environment), so nothing
    # here has to carry state from one build to the next.
    app.add_search_language(SearchKorean)
    app.connect("builder-inited", _on_builder_inited)
    app.add_transform(TeachingIndexEntries)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
