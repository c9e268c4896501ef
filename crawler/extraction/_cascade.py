"""The main text of a page, from the first extractor in this cascade that gives enough of it.
The one that gave it is recorded as the article's ``extractor``:

``fast``
    akhbar's replica of trafilatura's fast path (:mod:`._fast`): most news pages stop here.
``trafilatura-fast``
    trafilatura's ``bare_extraction(fast=True)``, where the replica declines a page.
``trafilatura``
    trafilatura's full cascade (its own extractor compared with its readability fork and
    jusText, then its baseline), run when the fast result is short or looks deficient.
``readability``
    readability-lxml, when trafilatura gives nothing, fails, or gives far less than the page's
    visible text (:data:`VISIBLE_SHARE`) and readability gives much more.
``baseline``
    the page's visible text (its body's text outside scripts and styles), when nothing above
    gives any: a page with a body never comes back without text.

Beside the plain text, the Markdown of the same extraction keeps its structure: headings,
lists, block quotes and tables (trafilatura's own Markdown of its result).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml.html import HtmlElement
from readability import Document
from trafilatura import bare_extraction

from ._fast import ENABLED as FAST_PATH
from ._fast import fast_main_text
from ._markdown import markdown as trafilatura_markdown

logger = logging.getLogger(__name__)

# Below this many characters of main text, trafilatura's full cascade (its own extractor
# compared with readability and justext) is run as well: that is where the comparison can
# change the result. Above it, the fast path alone gives the same text at ~2/3 of the cost.
FULL_CASCADE_BELOW = 1500
# trafilatura's text under this share of the page's visible text is "far less" than the page
# holds: readability is asked too, and its text is taken when it is READABILITY_GAIN times
# longer. A short article on a page heavy with menus stays trafilatura's.
VISIBLE_SHARE = 0.2
READABILITY_GAIN = 2.0

_BLOCK_TAGS = frozenset(
    "p div section article main header footer aside h1 h2 h3 h4 h5 h6 li ul ol dl dt dd "
    "blockquote pre table tr td th caption figure figcaption br hr".split()
)


@dataclass(frozen=True)
class MainText:
    text: str
    markdown: str
    extractor: str


def main_text(
    tree: HtmlElement, url: str, fresh: Callable[[], HtmlElement] | None = None
) -> MainText | None:
    """The page's main text, or None when the page has no visible text at all.

    Without ``fresh``, ``tree`` stays usable afterwards (every extractor works on a copy).
    With it, ``tree`` may be used up, and ``fresh()`` parses the page again when it is needed
    once more (a short page): one copy fewer a page."""
    if not FAST_PATH:
        fresh = None  # bare_extraction alone, on copies
    try:
        found, tree_or_none = _trafilatura(tree, url, fresh)
    except Exception:  # noqa: BLE001 -- a trafilatura bug on one page: the fallbacks take it
        logger.warning("trafilatura failed on %s; trying the fallbacks", url, exc_info=True)
        found, tree_or_none = None, (tree if fresh is None else fresh())
    if found is not None and found.extractor != "trafilatura" and found.text.strip():
        return found  # long enough on the fast path: nothing to fall back from
    page = tree_or_none if tree_or_none is not None else (fresh() if fresh else tree)
    return _fallbacks(page, url, found)


def _trafilatura(
    tree: HtmlElement, url: str, fresh: Callable[[], HtmlElement] | None
) -> tuple[MainText | None, HtmlElement | None]:
    """trafilatura's text, and the tree when it is still whole (None when used up)."""
    document: Any = fast_main_text(tree, url, fresh)
    path = "fast"
    usable: HtmlElement | None = tree
    if fresh is not None:
        usable = tree = fresh() if document is None else None  # used up
    if document is None:
        path = "trafilatura-fast"
        document = bare_extraction(
            tree, url=url, include_comments=False, with_metadata=False, fast=True
        )
    if document is not None and not _needs_full_cascade(document):
        return _of(document, path), usable
    if usable is None and fresh is not None:
        usable = tree = fresh()
    document = bare_extraction(tree, url=url, include_comments=False, with_metadata=False)
    return (_of(document, "trafilatura") if document is not None else None), usable


def _of(document: Any, path: str) -> MainText:
    text = getattr(document, "text", None) or ""
    body = getattr(document, "body", None)
    markdown = trafilatura_markdown(body) if body is not None and len(body) else text
    if body is not None and markdown:
        markdown = _quoted(markdown, body)
    return MainText(text, markdown or text, path)


def _quoted(markdown: str, body: Any) -> str:
    """Block quotes marked ``> ``: trafilatura keeps a <blockquote> as a plain paragraph."""
    quotes = {" ".join("".join(q.itertext()).split()) for q in body.iter("quote")}
    quotes.discard("")
    if not quotes:
        return markdown
    return "\n".join(f"> {line}" if " ".join(line.split()) in quotes else line
                     for line in markdown.split("\n"))


def _needs_full_cascade(document: Any) -> bool:
    text = document.text or ""
    body = document.body
    if len(text) < FULL_CASCADE_BELOW or body is None:
        return True
    paragraphs = len(body.findall(".//p"))
    return paragraphs == 0 or len(body.findall(".//table")) > paragraphs


def _fallbacks(tree: HtmlElement, url: str, found: MainText | None) -> MainText | None:
    """trafilatura's short or missing text, or readability's, or the visible text."""
    text = found.text.strip() if found is not None else ""
    visible = visible_text(tree)
    if not visible:
        return found if text else None
    if not text or len(text) < VISIBLE_SHARE * len(visible):
        other = readability_text(tree, url)
        if other and len(other) >= max(READABILITY_GAIN * len(text), 1):
            logger.debug("readability gave %d characters at %s (trafilatura %d)",
                         len(other), url, len(text))
            return MainText(other, other.replace("\n", "\n\n"), "readability")
    if text and found is not None:
        return found
    logger.info("no extractor found main text at %s; keeping its visible text", url)
    return MainText(visible, visible, "baseline")


# The text a browser would show: not scripts, styles, templates or what only shows when
# scripts are off. (trafilatura's html2txt also drops <aside>, <nav>, <footer>... where a
# badly marked-up page may keep its whole article.)
_VISIBLE_XPATH = (
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template)]"
)


def visible_text(tree: HtmlElement) -> str:
    """The page body's visible text, one line per block of text."""
    lines = (" ".join(str(t).split()) for t in tree.xpath(_VISIBLE_XPATH))
    return "\n".join(line for line in lines if line)


def readability_text(tree: HtmlElement, url: str) -> str:
    """readability-lxml's main text of the page, one line per block; "" when it finds none."""
    try:
        summary = Document(lxml.html.tostring(tree, encoding="unicode"), url=url).summary(
            html_partial=True
        )
        root = lxml.html.fragment_fromstring(summary, create_parent="div")
    except Exception:  # noqa: BLE001 -- readability is the safety net, not a reason to fail
        logger.debug("readability failed on %s", url, exc_info=True)
        return ""
    for elem in root.iter():
        if isinstance(elem.tag, str) and elem.tag in _BLOCK_TAGS:
            elem.tail = "\n" + (elem.tail or "")
            elem.text = "\n" + (elem.text or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)
