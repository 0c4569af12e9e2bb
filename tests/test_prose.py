"""Bold text in the book's prose renders, and a Korean particle attaches to it.

Korean writes a particle (조사) straight after its word: "**AlexNet**이", never "**AlexNet** 이". In
CommonMark (MyST) a closing `**` directly followed by a letter closes only when the character before it
is not punctuation, so "**패딩(padding)**은" does not render bold and the reader sees the asterisks.
The book writes "**패딩**(padding)은" and, for links, "**[합성곱](#convolution)**(convolution)은".

Every Markdown cell of the chapters and every page book/*.md is rendered with markdown-it (the parser
under MyST) after unwrapping MyST directive fences (```{exercise} ... ```), whose bodies are prose too.
"""

import json
import re
from pathlib import Path

import markdown_it      # the parser under MyST (jupyter-book depends on it)
import pytest

ROOT = Path(__file__).resolve().parent.parent

# A particle, or a copula ending, that must attach to the word before it.
PARTICLE = (r"(?:은|는|이|가|을|를|의|와|과|도|만|로|으로|에|에서|에게|에는|에도|에서는|처럼|보다|까지|부터|마다|뿐"
            r"|이라[가-힣]*|라고[가-힣]*|이다|입니다|이고|이며|였[가-힣]*|이었[가-힣]*|개)(?![가-힣])")
# In the rendered HTML: a bold span, white space, then a particle.
# A bold sentence ("**...합니다.** 이 장은") is followed by a new sentence, not by a particle.
DETACHED = re.compile(r"(?<![.!?:。])</strong>\s+(" + PARTICLE + ")")
_MD = markdown_it.MarkdownIt("commonmark")


def pages():
    """(path, [(where, markdown)]) for every chapter notebook and every Markdown page of the book."""
    found = []
    for path in sorted((ROOT / "book").rglob("*")):
        if "_build" in path.parts or ".ipynb_checkpoints" in path.parts:
            continue
        if path.suffix == ".md":
            found.append((path, [("page", path.read_text(encoding="utf-8"))]))
        elif path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            found.append((path, [(f"cell {i}", "".join(c["source"])) for i, c in enumerate(cells)
                                 if c["cell_type"] == "markdown"]))
    return found


def unwrap_directives(markdown):
    """The text with MyST directive fences (```{name} / :option: / ```) removed, keeping their bodies.

    Ordinary code fences (```python) stay, so markdown-it still treats their contents as code.
    """
    out, stack, in_options = [], [], False
    for line in markdown.splitlines():
        opening = re.match(r"^\s*(`{3,}|~{3,})\{[^}]+\}", line)
        if opening:
            stack.append(opening.group(1))
            in_options = True
            continue
        if stack and line.strip() == stack[-1]:
            stack.pop()
            in_options = False
            continue
        if in_options and re.match(r"^\s*:[\w-]+:", line):
            continue
        in_options = False
        out.append(line)
    return "\n".join(out)


def render(markdown):
    return _MD.render(unwrap_directives(markdown))


def visible_text(html):
    """The rendered text outside code, the way a reader sees it."""
    html = re.sub(r"<pre>.*?</pre>|<code>.*?</code>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", html)


def bold_problems(markdown):
    """Descriptions of bold spans that do not render or leave their particle detached."""
    html = render(markdown)
    problems = []
    for match in DETACHED.finditer(html):
        bold = re.sub(r"<[^>]+>", "", html[:match.start()].rsplit("<strong>", 1)[-1])
        problems.append(f"particle {match.group(1)!r} detached from **{bold}**: "
                        f"write **{bold}**{match.group(1)}")
    text = visible_text(html)
    for match in re.finditer(r"\*\*", text):
        context = text[max(0, match.start() - 30):match.end() + 20].replace("\n", " ")
        problems.append(f"a ** that renders as asterisks (it does not open or close bold; put the "
                        f"English term in parentheses after the bold, **패딩**(padding)은): ...{context}...")
    return problems


@pytest.mark.parametrize("path,texts", pages(), ids=lambda v: v.stem if isinstance(v, Path) else "")
def test_bold_renders_and_particles_attach(path, texts):
    found = [f"{where}: {problem}" for where, text in texts for problem in bold_problems(text)]
    assert not found, f"{path.relative_to(ROOT)}:\n" + "\n".join(found)


def test_the_checker_flags_detached_particles_and_unclosed_bold():
    assert bold_problems("**AlexNet**이 우승했습니다.") == []
    assert bold_problems("**패딩**(padding)은 테두리를 채웁니다.") == []
    assert bold_problems("**[합성곱](#convolution)**(convolution)은 연산입니다.") == []
    assert bold_problems("**이 장을 마치면 다음을 할 수 있습니다.** 이 장은") == []   # 이: "this"
    assert len(bold_problems("**AlexNet** 이 우승했습니다.")) == 1
    assert len(bold_problems("**서브샘플링**\n  이라고도 부릅니다.")) == 1
    problems = bold_problems("**패딩(padding)**은 테두리를 채웁니다.")
    assert problems and all("asterisks" in problem for problem in problems)
    assert bold_problems("코드 `a**2`와\n\n```python\nx**y\n```\n") == []
    # the body of an exercise (a MyST directive) is prose too
    assert len(bold_problems("````{exercise} 제목\n:label: ex-a\n\n**필터** 를 쓰세요.\n````\n")) == 1
