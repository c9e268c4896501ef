"""The generated site's content: articles, sections, tags and authors, derived from a seed.

Everything here is cheap metadata computed per article id without rendering a page, so that
listings, feeds, sitemaps and related links can refer to any article.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

from . import text

ARTICLE_RX = r"/(?:en|ar|fa)/\d{4}/\d{2}/[^/]+/$"
ARTICLE_PATH = re.compile(r"^/(en|ar|fa)/\d{4}/\d{2}/[^/]+/$")
NEWEST = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
STATIC_PAGES = ("about", "contact", "privacy", "terms", "advertise", "careers")

UI: dict[str, dict[str, str]] = {
    "en": {"home": "Home", "news": "Latest news", "related": "Related stories",
           "most_read": "Most read", "comments": "Comments", "share": "Share", "by": "By",
           "newsletter": "Morning briefing", "subscribe": "Subscribe", "next": "Next page",
           "trending": "Trending", "tags": "Topics", "authors": "Our writers",
           "read_also": "Read also", "search": "Search", "rights": "All rights reserved.",
           "sections": "politics economy world culture sport science"},
    "ar": {"home": "الرئيسية", "news": "آخر الأخبار", "related": "أخبار ذات صلة",
           "most_read": "الأكثر قراءة", "comments": "التعليقات", "share": "شارك", "by": "بقلم",
           "newsletter": "النشرة الصباحية", "subscribe": "اشترك", "next": "الصفحة التالية",
           "trending": "الأكثر تداولاً", "tags": "مواضيع", "authors": "كتّابنا",
           "read_also": "اقرأ أيضاً", "search": "بحث", "rights": "جميع الحقوق محفوظة.",
           "sections": "سياسة اقتصاد عالم ثقافة رياضة علوم"},
    "fa": {"home": "صفحه‌ی اصلی", "news": "تازه‌ترین خبرها", "related": "خبرهای مرتبط",
           "most_read": "پربازدیدترین‌ها", "comments": "دیدگاه‌ها", "share": "هم‌رسانی",
           "by": "نویسنده:", "newsletter": "خبرنامه‌ی صبحگاهی", "subscribe": "عضویت",
           "next": "صفحه‌ی بعد", "trending": "داغ‌ترین‌ها", "tags": "موضوع‌ها",
           "authors": "نویسندگان", "read_also": "بیشتر بخوانید", "search": "جست‌وجو",
           "rights": "همه‌ی حقوق محفوظ است.", "sections": "سیاست اقتصاد جهان فرهنگ ورزش علم"},
}
SECTION_KEYS = ("politics", "economy", "world", "culture", "sport", "science")
SITE_NAMES = {"en": "The Bench Herald", "ar": "صحيفة المقياس", "fa": "روزنامه‌ی سنجه"}


@dataclass(frozen=True)
class SiteSpec:
    """What to generate: ``n`` articles split over the three languages."""

    n: int
    seed: int = 6
    page_size: int = 20
    feed_size: int = 50
    sitemap_size: int = 1000
    min_kb: int = 40
    max_kb: int = 150

    def key(self) -> str:
        return f"n{self.n}-s{self.seed}-p{self.page_size}-k{self.min_kb}_{self.max_kb}"


@dataclass(frozen=True)
class ArticleRef:
    id: int
    lang: str
    path: str
    title: str
    author: str
    section: str
    tags: tuple[str, ...]
    published: datetime
    size: int  # bytes the rendered page aims at


@dataclass
class LangIndex:
    lang: str
    ids: list[int] = field(default_factory=list)  # newest first
    tags: dict[str, str] = field(default_factory=dict)
    authors: dict[str, str] = field(default_factory=dict)


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(f"{seed}:" + ":".join(map(str, parts)))


class Site:
    """All article metadata of one :class:`SiteSpec`."""

    def __init__(self, spec: SiteSpec) -> None:
        self.spec = spec
        self.langs: dict[str, LangIndex] = {}
        for lang in text.LANGS:
            rng = _rng(spec.seed, "lang", lang)
            idx = LangIndex(lang)
            for k in range(12):
                idx.tags[f"topic-{k}"] = " ".join(rng.choice(text.vocabulary(lang))
                                                  for _ in range(rng.randint(1, 2)))
            for k in range(8):
                idx.authors[f"writer-{k}"] = text.name(rng, lang)
            self.langs[lang] = idx
        self.articles = [self._make(i) for i in range(spec.n)]
        for ref in self.articles:
            self.langs[ref.lang].ids.append(ref.id)

    def _make(self, i: int) -> ArticleRef:
        spec = self.spec
        rng = _rng(spec.seed, "article", i)
        lang = text.LANGS[i % len(text.LANGS)]
        idx = self.langs[lang]
        published = NEWEST - timedelta(minutes=7 * i + rng.randint(0, 5))
        title = text.title(rng, lang)
        slug = "-".join(title.lower().split()[:6]) if lang == "en" else f"news-{lang}"
        slug = re.sub(r"[^a-z0-9-]+", "", slug) or "story"
        path = f"/{lang}/{published:%Y/%m}/{slug}-{i}/"
        tags = tuple(rng.sample(sorted(idx.tags), rng.randint(2, 4)))
        return ArticleRef(i, lang, path, title, rng.choice(sorted(idx.authors)),
                          rng.choice(SECTION_KEYS), tags, published,
                          rng.randint(spec.min_kb * 1024, spec.max_kb * 1024))

    # -- lists ------------------------------------------------------------------------------
    def latest(self, lang: str, count: int, *, where: str | None = None,
               value: str | None = None) -> list[ArticleRef]:
        out: list[ArticleRef] = []
        for i in self.langs[lang].ids:
            ref = self.articles[i]
            if where == "section" and ref.section != value:
                continue
            if where == "tag" and value not in ref.tags:
                continue
            if where == "author" and ref.author != value:
                continue
            out.append(ref)
            if len(out) >= count:
                break
        return out

    def listing_pages(self, lang: str) -> int:
        return max(1, -(-len(self.langs[lang].ids) // self.spec.page_size))

    def listing_chunk(self, lang: str, page: int) -> list[ArticleRef]:
        size = self.spec.page_size
        ids = self.langs[lang].ids[(page - 1) * size: page * size]
        return [self.articles[i] for i in ids]

    def neighbours(self, ref: ArticleRef, count: int, salt: str) -> list[ArticleRef]:
        """Other articles of the same language, picked deterministically."""
        ids = self.langs[ref.lang].ids
        if len(ids) <= 1:
            return []
        rng = _rng(self.spec.seed, salt, ref.id)
        picks = {rng.choice(ids) for _ in range(count * 2)} - {ref.id}
        return [self.articles[i] for i in sorted(picks)[:count]]

    @cached_property
    def section_labels(self) -> dict[str, dict[str, str]]:
        return {lang: dict(zip(SECTION_KEYS, UI[lang]["sections"].split(), strict=True))
                for lang in text.LANGS}

    # -- every HTML page --------------------------------------------------------------------
    def html_paths(self) -> list[str]:
        """Every HTML page of the site, by path (articles last)."""
        paths = ["/"]
        for lang, idx in self.langs.items():
            paths += [f"/{lang}/", f"/{lang}/news/"]
            paths += [f"/{lang}/news/page/{p}/" for p in range(2, self.listing_pages(lang) + 1)]
            paths += [f"/{lang}/section/{k}/" for k in SECTION_KEYS]
            paths += [f"/{lang}/tag/{k}/" for k in idx.tags]
            paths += [f"/{lang}/author/{k}/" for k in idx.authors]
            paths += [f"/{lang}/page/{k}/" for k in STATIC_PAGES]
        return paths + [a.path for a in self.articles]
