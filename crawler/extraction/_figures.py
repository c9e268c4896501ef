"""Image captions in the Markdown.

trafilatura deletes every ``<figure>`` unless images are asked for, and with images it keeps
the picture but not always its caption. Here the captions (``<figcaption>``) are read from the
page before extraction and put back into the Markdown beside the paragraph they stood next
to, as Pandoc writes a figure: an image alone in its paragraph, its alt text the caption
(``![caption](image URL)``; ``*caption*`` when the figure has no image). A figure inside an
aside, a nav or a footer, or whose neighbouring paragraphs are not in the extracted text, is
not the article's and is left out. The plain text keeps no caption: it is the prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml.html import HtmlElement

from ._boilerplate import fold_blank_lines

# Figures read on one page at most (a gallery page has hundreds).
MAX_FIGURES = 40
MAX_CAPTION = 1000
# Lines are matched on their first characters: trafilatura may change a paragraph's end
# (trailing links, whitespace).
_MATCH_CHARS = 80
# Figures inside these are not the article's (trafilatura drops them whole).
_OUTSIDE = ("aside", "nav", "footer", "form", "menu")
_MARKS = re.compile(r"^(?:[#>*\-+]+\s*|\d+[.)]\s+)+")


@dataclass(frozen=True)
class Figure:
    caption: str
    image: str | None
    #: The text of the first paragraph after the figure and of the last one before it.
    next_text: str
    previous_text: str


def _norm(text: str) -> str:
    # Normalised, a prefix of the text agrees with the whole text's normalisation as far as
    # its own length (its last word may be cut): a long paragraph is not split whole.
    head = " ".join(text[: _MATCH_CHARS * 4].split())
    if len(head) > _MATCH_CHARS or len(text) <= _MATCH_CHARS * 4:
        return head[:_MATCH_CHARS]
    return " ".join(text.split())[:_MATCH_CHARS]


def _image(figure: HtmlElement, url: str) -> str | None:
    for img in figure.iter("img"):
        for name in ("src", "data-src", "data-lazy-src"):
            src = (img.get(name) or "").strip()
            if src and not src.startswith("data:"):
                return urljoin(url, src)
    return None


def _paragraph_text(found: list[HtmlElement]) -> str:
    return _norm(found[0].text_content()) if found else ""


def find_figures(tree: HtmlElement, url: str) -> list[Figure]:
    """The page's captioned figures, in document order (read before trafilatura cleans the
    tree)."""
    figures = []
    for caption_elem in tree.iter("figcaption"):
        caption = " ".join(caption_elem.text_content().split())
        if not caption or len(caption) > MAX_CAPTION:
            continue
        figure = next(caption_elem.iterancestors("figure"), caption_elem.getparent())
        if figure is None or next(figure.iterancestors(*_OUTSIDE), None) is not None:
            continue
        figures.append(Figure(
            caption=caption, image=_image(figure, url),
            next_text=_paragraph_text(figure.xpath("following::p[1]")),
            previous_text=_paragraph_text(figure.xpath("preceding::p[1]"))))
        if len(figures) >= MAX_FIGURES:
            break
    return figures


def _escape(caption: str) -> str:
    return re.sub(r"([\\\[\]*_`<>])", r"\\\1", caption)


def figure_markdown(figure: Figure) -> str:
    if figure.image:
        return f"![{_escape(figure.caption)}](<{figure.image.replace('>', '%3E')}>)"
    return f"*{_escape(figure.caption)}*"


def _line_keyed(text: str, lines: list[str], keys: dict[int, str]) -> int | None:
    """The first of ``lines`` whose key (:func:`_norm` without list and heading marks) is
    ``text``, or None (None for ""). Only a line holding ``text``'s first word can have it as
    its key (each word of a key is a piece of a word of the line), so only those are keyed
    (``keys``: the keys made so far, by line): on a page whose figures' paragraphs are not
    in the text, no line is."""
    words = text.split(None, 1)
    if not words:
        return None
    for index, line in enumerate(lines):
        if words[0] in line:
            key = keys.get(index)
            if key is None:
                key = keys[index] = _norm(_MARKS.sub("", line.strip()))
            if key == text:
                return index
    return None


def with_figures(markdown: str, figures: list[Figure]) -> str:
    """``markdown`` with each figure's caption before the paragraph that followed the figure
    on the page (or after the one that preceded it); figures with neither in the text are
    left out, and so is a caption the text already holds."""
    if not figures or not markdown:
        return markdown
    flat = " ".join(markdown.split())
    missing = [figure for figure in figures if figure.caption not in flat]
    if not missing:
        return markdown  # every caption is in the text already (the lines are not keyed)
    lines = markdown.split("\n")
    keys: dict[int, str] = {}
    before: dict[int, list[str]] = {}
    after: dict[int, list[str]] = {}
    for figure in missing:
        if (index := _line_keyed(figure.next_text, lines, keys)) is not None:
            before.setdefault(index, []).append(figure_markdown(figure))
        elif (index := _line_keyed(figure.previous_text, lines, keys)) is not None:
            after.setdefault(index, []).append(figure_markdown(figure))
    if not before and not after:
        return markdown
    out: list[str] = []
    for index, line in enumerate(lines):
        for block in before.get(index, ()):
            out.extend(("", block, ""))
        out.append(line)
        for block in after.get(index, ()):
            out.extend(("", block, ""))
    return fold_blank_lines("\n".join(out)).strip("\n")
