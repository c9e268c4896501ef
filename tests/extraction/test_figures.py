"""with_figures puts each caption beside the same line as when every line was keyed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crawler.extraction._boilerplate import fold_blank_lines
from crawler.extraction._figures import _MARKS, Figure, _norm, figure_markdown, with_figures
from tests.fuzz.strategies import FUZZ

_WORDS = ["Rain", "rain", "fell", "on", "Tehran", "باران", "در", "تهران", "a", "ab", "—", "",
          "# ", "## ", "> ", "* ", "- ", "1. ", "2) ", "  ", "\t", "x" * 90]
_LINE = st.lists(st.sampled_from(_WORDS), max_size=12).map(" ".join) | st.sampled_from(_WORDS)


def _reference(markdown: str, figures: list[Figure]) -> str:
    """with_figures as it was: every line keyed, then looked up."""
    if not figures or not markdown:
        return markdown
    flat = " ".join(markdown.split())
    missing = [figure for figure in figures if figure.caption not in flat]
    if not missing:
        return markdown
    lines = markdown.split("\n")
    keys = [_norm(_MARKS.sub("", line.strip())) for line in lines]
    before: dict[int, list[str]] = {}
    after: dict[int, list[str]] = {}
    for figure in missing:
        if figure.next_text and figure.next_text in keys:
            before.setdefault(keys.index(figure.next_text), []).append(figure_markdown(figure))
        elif figure.previous_text and figure.previous_text in keys:
            after.setdefault(keys.index(figure.previous_text), []).append(
                figure_markdown(figure))
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


@st.composite
def _case(draw: st.DrawFn) -> tuple[str, list[Figure]]:
    lines = draw(st.lists(_LINE, min_size=1, max_size=8))
    # A figure's paragraph text is a _norm of a page paragraph: often one of these lines.
    texts = st.one_of(st.just(""), _LINE.map(_norm),
                      st.sampled_from(lines).map(lambda line: _norm(_MARKS.sub("", line.strip()))))
    figures = draw(st.lists(st.builds(
        Figure, caption=st.sampled_from(["Rain over Tehran", "باران", "fell"]),
        image=st.sampled_from([None, "https://x.example/i.jpg"]),
        next_text=texts, previous_text=texts), max_size=4))
    return "\n".join(lines), figures


@FUZZ
@given(_case())
def test_captions_go_where_they_went_with_every_line_keyed(case: tuple[str, list[Figure]]
                                                           ) -> None:
    markdown, figures = case
    assert with_figures(markdown, figures) == _reference(markdown, figures)
