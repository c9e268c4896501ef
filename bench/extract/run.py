"""Benchmark akhbar's extraction against plain trafilatura on the labelled pages of
:mod:`bench.extract.pages`.

Run from the project root: ``python -m bench.extract [--per-set N] [--errors] [--dump DIR]``.
Prints the body's precision, recall and F1 (bag of words, averaged over pages) per language and
page design, the accuracy of each metadata field, the pages that came back empty and the
extraction paths akhbar took. A set is ``ok`` when akhbar's F1 is at least plain trafilatura's.

akhbar runs as a crawl runs it: each outlet's repeated boilerplate learned
(:class:`crawler.extraction.RepeatedLines`) from as many other articles of the outlet (a
previous crawl), then from its pages as they come; a last line gives the F1 of a first crawl,
learning from nothing. Each extractor is timed from cold caches (trafilatura's
``reset_caches``): the pages share paragraphs, which trafilatura's line caches would remember.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trafilatura import bare_extraction
from trafilatura.meta import reset_caches

if __package__ in (None, ""):  # run as a script: make the project root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.extract.other import DESIGNS as OTHER_DESIGNS
    from bench.extract.other import build_other_pages
    from bench.extract.pages import DESIGNS as ARTICLE_DESIGNS
    from bench.extract.pages import LANGS, Expected, Page, build_pages, dump
else:
    from .other import DESIGNS as OTHER_DESIGNS
    from .other import build_other_pages
    from .pages import DESIGNS as ARTICLE_DESIGNS
    from .pages import LANGS, Expected, Page, build_pages, dump

from crawler.extraction import extract_article  # noqa: E402

try:  # the same benchmark measures akhbar before outlets' boilerplate was learned
    from crawler.extraction import RepeatedLines  # noqa: E402
except ImportError:
    RepeatedLines = None

SEED = 18
DESIGNS = (*ARTICLE_DESIGNS, *OTHER_DESIGNS)
# Rows over several designs: each one's pages, by design.
GROUPS = {"all": DESIGNS, "articles": ARTICLE_DESIGNS, "other": OTHER_DESIGNS}
FIELDS = ("title", "authors", "published", "published_time", "modified", "lead_image",
          "section", "tags", "canonical", "description")
_WORD = re.compile(r"\w+")


@dataclass
class Got:
    """What one extractor gave for one page, in the benchmark's terms."""

    text: str = ""
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    lead_image: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    canonical: str | None = None
    description: str | None = None
    path: str = "-"
    seconds: float = 0.0


@dataclass
class Score:
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    f1: list[float] = field(default_factory=list)

    def add(self, got: str, want: str) -> float:
        p, r, f = prf(got, want)
        self.precision.append(p)
        self.recall.append(r)
        self.f1.append(f)
        return f

    def row(self) -> str:
        n = max(len(self.f1), 1)
        return (f"{sum(self.precision) / n:.3f} {sum(self.recall) / n:.3f} "
                f"{sum(self.f1) / n:.3f}")

    @property
    def mean_f1(self) -> float:
        return sum(self.f1) / max(len(self.f1), 1)


def prf(got: str, want: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the words of ``got`` against those of ``want``."""
    got_words = Counter(_WORD.findall(got.casefold()))
    want_words = Counter(_WORD.findall(want.casefold()))
    common = sum((got_words & want_words).values())
    if not got_words or not want_words:
        same = float(not got_words and not want_words)
        return same, same, same
    precision = common / sum(got_words.values())
    recall = common / sum(want_words.values())
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return precision, recall, f1


def _outlet(page: Page) -> tuple[str, str]:
    return page.lang, page.design


def run_akhbar_learning(pages: Sequence[Page], earlier: Sequence[Page] = ()) -> list[Got]:
    """akhbar on each page as a crawl extracts it (crawler.crawl.pipelines): with the
    boilerplate its outlet has learned from the ``earlier`` pages of each outlet (a previous
    crawl: other articles, so no page is in a cache when it is timed) and from its pages
    extracted before this one."""
    outlets: dict[tuple[str, str], Any] = {}

    def learner(page: Page) -> Any:
        return outlets.setdefault(_outlet(page), RepeatedLines())

    def learn(page: Page, lines: list[str]) -> None:
        if outlets:
            learner(page).add(page.url, lines)

    if RepeatedLines is None:
        return [run_akhbar(page)[0] for page in pages]
    for page in earlier:
        learn(page, run_akhbar(page, learner(page).learned)[1])
    reset_caches()  # the earlier pages share paragraphs with these: time them from cold
    results = []
    for page in pages:
        got, lines = run_akhbar(page, learner(page).learned)
        learn(page, lines)
        results.append(got)
    return results


def run_akhbar(page: Page, learned: frozenset[str] = frozenset()) -> tuple[Got, list[str]]:
    """What akhbar gave, and the lines to learn the outlet's boilerplate from."""
    start = time.perf_counter()
    article = (extract_article(page.body, page.url, page.content_type, learned) if learned
               else extract_article(page.body, page.url, page.content_type))
    seconds = time.perf_counter() - start
    if article is None:
        return Got(seconds=seconds, path="none"), []
    # getattr: the same benchmark measures akhbar before these fields existed.
    authors = getattr(article, "authors", None)
    if authors is None:
        authors = [a.strip() for a in (article.author or "").split(",") if a.strip()]
    tags = [*getattr(article, "keywords", []), *getattr(article, "tags", [])]
    return Got(
        text=article.text, title=article.title, authors=tuple(authors),
        published=article.published, modified=article.modified,
        lead_image=getattr(article, "lead_image", None), section=getattr(article, "section", None),
        tags=tuple(dict.fromkeys(tags)), canonical=article.canonical_url,
        description=article.description, path=getattr(article, "extractor", "-"),
        seconds=seconds), [*article.text.split("\n"), *getattr(article, "boilerplate", [])]


def run_trafilatura(page: Page) -> Got:
    start = time.perf_counter()
    doc = bare_extraction(page.body, url=page.url, with_metadata=True)
    seconds = time.perf_counter() - start
    if doc is None:
        return Got(seconds=seconds, path="none")
    authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
    return Got(
        text=doc.text or "", title=doc.title, authors=authors, published=doc.date,
        lead_image=doc.image, section=(doc.categories or [None])[0],
        tags=tuple(doc.tags or ()), canonical=doc.url, description=doc.description,
        path="trafilatura", seconds=seconds)


def _norm(value: str | None) -> str | None:
    return " ".join(value.split()) if value else None


def _instant(value: str | None) -> Any:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10:
        return value
    return (moment, moment.utcoffset())


def field_right(name: str, got: Got, want: Expected, url: str) -> bool:
    if name == "title":
        return _norm(got.title) == _norm(want.title)
    if name == "authors":
        return {a.casefold() for a in got.authors} == {a.casefold() for a in want.authors}
    if name == "published":  # the calendar day
        return (got.published or "")[:10] == (want.published or "")[:10]
    if name == "published_time":  # the day, the time and the zone the page gave
        return _instant(got.published) == _instant(want.published)
    if name == "modified":
        return _instant(got.modified) == _instant(want.modified)
    if name == "tags":
        return {t.casefold() for t in got.tags} == {t.casefold() for t in want.tags}
    if name == "canonical":
        # A page that declares none: its own URL or nothing are both right.
        allowed = {want.canonical} if want.canonical else {None, url}
        return got.canonical in allowed
    if name == "description":
        return _norm(got.description) == _norm(want.description)
    value: str | None = getattr(got, name)
    return value == getattr(want, name)


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def run(pages: Sequence[Page], show_errors: bool, per_set: int) -> bool:
    runners = ("akhbar", "trafilatura")
    # akhbar on outlets crawled before (as many other articles of each): their repeated
    # boilerplate learned from those, and from the pages as they come.
    results = {"akhbar": run_akhbar_learning(pages, all_pages(per_set, SEED + 1))}
    reset_caches()  # trafilatura's line caches, filled by akhbar's run, would time it warm
    results["trafilatura"] = [run_trafilatura(page) for page in pages]
    all_ok = True
    errors: list[str] = []

    print("Body text: precision recall F1 (bag of words, mean over pages)")
    print(f"{'set':<16}{'pages':>6}   {'akhbar P/R/F1':<19}   {'trafilatura P/R/F1':<19}  beat")
    for lang in (*LANGS, "all"):
        for design in (*DESIGNS, *GROUPS):
            if lang == "all" and design not in GROUPS:
                continue
            designs = GROUPS.get(design, (design,))
            chosen = [i for i, p in enumerate(pages)
                      if lang in ("all", p.lang) and p.design in designs]
            scores = {name: Score() for name in runners}
            for i in chosen:
                for name in runners:
                    f1 = scores[name].add(results[name][i].text, pages[i].expected.text)
                    if name == "akhbar" and f1 < 0.9 and design not in GROUPS and lang != "all":
                        errors.append(f"{pages[i].url}: body F1 {f1:.3f} "
                                      f"(path {results[name][i].path})")
            ok = scores["akhbar"].mean_f1 >= scores["trafilatura"].mean_f1
            all_ok &= ok
            print(f"{lang + ' ' + design:<16}{len(chosen):>6}   {scores['akhbar'].row():<19}   "
                  f"{scores['trafilatura'].row():<19}  {_mark(ok)}")

    print("\nMetadata: share of pages where the field is right (absent when the page has none "
          "counts as right)")
    print(f"{'field':<16}" + "".join(f"{'akhbar ' + lang:>11}" for lang in LANGS)
          + f"{'akhbar':>10}{'trafilatura':>13}  beat")
    for name in FIELDS:
        row = f"{name:<16}"
        totals = {}
        for runner in runners:
            right = [field_right(name, results[runner][i], p.expected, p.url)
                     for i, p in enumerate(pages)]
            totals[runner] = sum(right) / len(pages)
            if runner == "akhbar":
                for lang in LANGS:
                    subset = [r for r, p in zip(right, pages, strict=True) if p.lang == lang]
                    row += f"{sum(subset) / max(len(subset), 1):>11.1%}"
                errors.extend(f"{p.url}: {name} got {getattr(results[runner][i], name, None)!r}"
                              for i, p in enumerate(pages)
                              if not right[i] and name != "published_time")
        ok = totals["akhbar"] >= totals["trafilatura"]
        all_ok &= ok
        print(row + f"{totals['akhbar']:>10.1%}{totals['trafilatura']:>13.1%}  {_mark(ok)}")

    print()
    for name in runners:
        empty = sum(not got.text.strip() for got in results[name])
        ms = 1000 * sum(got.seconds for got in results[name]) / len(pages)
        print(f"{name}: empty text on {empty}/{len(pages)} pages; {ms:.1f} ms/page")
    fresh = Score()
    for page, got in zip(pages, run_akhbar_learning(pages), strict=True):
        fresh.add(got.text, page.expected.text)
    print(f"akhbar on a first crawl (boilerplate learned from the pages as they come): body "
          f"F1 {fresh.mean_f1:.3f}")
    paths = Counter(got.path for got in results["akhbar"])
    print("akhbar extraction paths: " + ", ".join(f"{k} {v}" for k, v in paths.most_common()))
    if show_errors:
        print("\nErrors:")
        for line in errors:
            print("  " + line)
    return all_ok


def all_pages(per_set: int, seed: int) -> list[Page]:
    """The article pages, then the others, ``per_set`` of each language and design."""
    return [*build_pages(per_set, seed), *build_other_pages(per_set, seed)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extract", description=__doc__)
    parser.add_argument("--per-set", type=int, default=8,
                        help="pages per language and design (default 8)")
    parser.add_argument("--errors", action="store_true", help="list what went wrong")
    parser.add_argument("--dump", type=Path, help="write the pages and their labels here")
    parser.add_argument("--check", action="store_true", help="exit 1 if a set is not beaten")
    args = parser.parse_args(argv)
    pages = all_pages(args.per_set, SEED)
    if args.dump:
        dump(pages, args.dump)
    print(f"bench.extract: {len(pages)} labelled pages ({', '.join(LANGS)} x "
          f"{', '.join(DESIGNS)}; {args.per_set} each), {dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%MZ}")
    extract_article(pages[0].body, pages[0].url, pages[0].content_type)  # warm up imports
    ok = run(pages, args.errors, args.per_set)
    return 1 if args.check and not ok else 0
