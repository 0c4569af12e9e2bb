"""The book's words in the labels that extensions translate: 풀이, not sphinx-exercise's 해답.

sphinx-exercise's Korean catalog titles a solution "해답"; the book and its glossary call it 풀이
(book/glossary.md, "풀이"). This puts the book's words in front of that catalog, which stays the
fallback for every other message.
"""

import gettext

from sphinx import locale

# sphinx-exercise's message catalog ("exercise") -> the book's Korean word for each message.
BOOK_WORDS = {"exercise": {"Solution": "풀이", "Solution to": "풀이"}}


class _BookWords(gettext.NullTranslations):
    def __init__(self, words, fallback):
        super().__init__()
        self._words = words
        if fallback is not None:
            self.add_fallback(fallback)

    def gettext(self, message):
        if message in self._words:
            return self._words[message]
        return super().gettext(message)


def _use_book_words(app, config):
    if config.language != "ko":
        return
    for catalog, words in BOOK_WORDS.items():
        key = ("general", catalog)
        current = locale.translators.get(key)
        if isinstance(current, _BookWords):
            continue
        locale.translators[key] = _BookWords(words, current)


def setup(app):
    # config-inited runs after every extension's setup, so sphinx-exercise's catalog is loaded.
    app.connect("config-inited", _use_book_words, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
