"""The Korean search language (book/_ext/ko_search.py), without a browser.

tests/test_browser.py searches the built book; these tests pin down what gets indexed.
"""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import ko_search  # noqa: E402
from book_glossary import load_glossary  # noqa: E402
from ko_search import PARTICLES, SearchKorean, strip_particles  # noqa: E402

NOUNS = ["합성곱", "패딩", "풀링", "스트라이드", "필터", "커널", "채널", "특징", "에지", "배치",
         "편향", "텐서", "소프트맥스", "평탄화", "파라미터", "가중치", "모델", "데이터", "이미지",
         "넓이", "정의", "결과", "고양이", "정확도"]


@pytest.fixture(scope="module")
def korean():
    ko_search.use_glossary(load_glossary(ROOT))
    return SearchKorean({})


def _indexed(language, text):
    """What Sphinx would store for `text`: split, stem, filter (IndexBuilder.feed)."""
    words = set()
    for word in language.split(text):
        stemmed = language.stem(word).lower()
        if language.word_filter(stemmed):
            words.add(stemmed)
    return words


def test_strip_particles_examples():
    assert strip_particles("패딩을") == "패딩"
    assert strip_particles("패딩은") == "패딩"
    assert strip_particles("스트라이드에서는") == "스트라이드"
    assert strip_particles("합성곱으로") == "합성곱"
    assert strip_particles("풀링이다") == "풀링"
    assert strip_particles("정의") == "정의"              # never shorter than two syllables


@pytest.mark.parametrize("noun", NOUNS)
def test_a_word_with_a_particle_stems_like_the_bare_word(noun):
    stem = strip_particles(noun)
    assert strip_particles(stem) == stem                    # idempotent
    for particle in PARTICLES:
        assert strip_particles(noun + particle) == stem, (noun, particle)


def test_particles_are_longest_first():
    assert list(PARTICLES) == sorted(PARTICLES, key=lambda p: (-len(p), p))


def test_index_holds_the_bare_word_for_every_inflected_form(korean):
    words = _indexed(korean, "패딩을 하면 특징 맵이 작아지지 않는다. 스트라이드는 2이고, 풀링은 최대 풀링이다.")
    assert {"패딩", "특징", "맵", "스트라이드", "풀링", "최대"} <= words
    assert not {"패딩을", "스트라이드는", "을", "는", "이고"} & words


def test_compounds_are_split_and_joined(korean):
    words = _indexed(korean, "합성곱층의 출력에 제로패딩을 더한다. 특징 맵을 모은다.")
    assert {"합성곱", "층", "합성곱층", "제로", "패딩", "제로패딩", "특징맵"} <= words


def test_latin_words_keep_english_stemming_and_lose_attached_particles(korean):
    words = _indexed(korean, "conv2d는 tf.nn.conv2d와 같고, ReLU를 padding으로 쓴다.")
    assert {"conv2d", "tf", "nn", "relu", "pad"} <= words
    assert not {"는", "와", "를", "으로"} & words


def test_javascript_side_is_generated_from_the_same_particles():
    code = SearchKorean.js_stemmer_code
    assert "var PorterStemmer = function" in code and "var Stemmer = function" in code
    assert '"에서는"' in code and f"KO_MIN_STEM = {ko_search.MIN_STEM}" in code
    assert "var splitQuery = function" in code
