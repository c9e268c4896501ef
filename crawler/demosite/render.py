"""Rendering of demo pages, feeds and sitemaps with the Jinja2 templates beside this module."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from persiantools.jdatetime import JalaliDate

from .model import Article, Outlet, pick_comments, related

PAGE_SIZE = 3
FEED_SIZE = 5
NEWS_SITEMAP_SIZE = 4
UTM_FEED = "?utm_source=rss&utm_medium=feed"
UTM_SOCIAL = "?utm_source=twitter&utm_campaign=x#comments"

_DIGITS = {
    "latin": "0123456789",
    "arabic": "٠١٢٣٤٥٦٧٨٩",
    "persian": "۰۱۲۳۴۵۶۷۸۹",
}
_MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "ar": ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس",
           "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"],
}

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html", "xml"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _digits(text: str, style: str) -> str:
    return text.translate(str.maketrans("0123456789", _DIGITS[style]))


def display_date(outlet: Outlet, when: datetime) -> str:
    """The date as a reader of the outlet sees it in a byline."""
    style = outlet.ui.get("digits", "latin")
    if outlet.language == "fa":
        jalali = JalaliDate(when.date())
        text = f"{jalali.year:04d}/{jalali.month:02d}/{jalali.day:02d} - {when:%H:%M}"
        return _digits(text, style)
    month = _MONTHS["ar" if outlet.language == "ar" else "en"][when.month - 1]
    if outlet.language == "en":
        return f"{month} {when.day}, {when.year}"
    return _digits(f"{when.day} {month} {when.year}", style)


class Renderer:
    """Renders one outlet's pages for a given server address."""

    def __init__(self, outlet: Outlet, base_url: str) -> None:
        self.outlet = outlet
        self.base_url = base_url.rstrip("/")
        self.root = f"{self.base_url}/{outlet.id}"

    # -- helpers ---------------------------------------------------------------------------
    def url(self, article: Article) -> str:
        return self.base_url + self.outlet.article_path(article)

    def _teaser(self, article: Article, edition: int) -> dict[str, Any]:
        first = article.body(edition)[0]
        words = first.split()
        summary = " ".join(words[:24]) + (" …" if len(words) > 24 else "")
        return {
            "article": article,
            "url": self.url(article),
            "summary": summary,
            "author_name": self.outlet.authors.get(article.author or "", ""),
            "date": display_date(self.outlet, article.published),
        }

    def _common(self, title: str, canonical: str) -> dict[str, Any]:
        o = self.outlet
        return {
            "outlet": o,
            "ui": o.ui,
            "root": self.root,
            "base_url": self.base_url,
            "page_title": title,
            "canonical": canonical,
            "nav_tags": list(o.tags.items())[:4],
            "year": 2026,
        }

    def _sidebar(self, articles: list[Article]) -> dict[str, Any]:
        """Links to the deliberately broken and tricky URLs, so a crawler finds them."""
        target = articles[-1]
        return {
            "social_link": self.url(target) + UTM_SOCIAL,
            "social_title": target.title,
            "old_link": f"{self.root}/old/{target.slug}",
        }

    # -- pages -----------------------------------------------------------------------------
    def article(self, article: Article, edition: int) -> str:
        o = self.outlet
        author_name = o.authors[article.author] if article.author else None
        canonical = self.url(article)
        body = article.body(edition)
        modified = article.modified(edition)
        json_ld = None
        if article.date_style == "jsonld":
            data: dict[str, Any] = {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": article.title,
                "inLanguage": o.language,
                "datePublished": article.published.isoformat(),
                "dateModified": modified.isoformat(),
                "mainEntityOfPage": canonical,
                "publisher": {"@type": "Organization", "name": o.name},
            }
            if author_name:
                data["author"] = {"@type": "Person", "name": author_name}
            json_ld = json.dumps(data, ensure_ascii=False, indent=2)
        context = self._common(f"{article.title} | {o.name}", canonical)
        context.update(
            article=article,
            paragraphs=body,
            author_name=author_name,
            author_url=f"{self.root}/author/{article.author}/" if article.author else None,
            date_text=display_date(o, article.published),
            machine_date=article.date_style != "hijri",
            published_iso=article.published.isoformat(),
            json_ld=json_ld,
            description=body[0][:160],
            tags=[(t, o.tags[t]) for t in article.tags],
            related=[(a.title, self.url(a)) for a in related(o, article)],
            comments=pick_comments(o, article),
        )
        return _env.get_template("article.html").render(context)

    def home(self, edition: int) -> str:
        articles = self.outlet.live_articles(edition)
        context = self._common(self.outlet.name, f"{self.root}/")
        context.update(
            lead=self._teaser(articles[0], edition),
            teasers=[self._teaser(a, edition) for a in articles[1:4]],
            sidebar=self._sidebar(articles),
            all_tags=list(self.outlet.tags.items()),
            authors=list(self.outlet.authors.items()),
        )
        return _env.get_template("home.html").render(context)

    def page_count(self, edition: int) -> int:
        count = len(self.outlet.live_articles(edition))
        return max(1, -(-count // PAGE_SIZE))

    def listing(self, edition: int, page: int) -> str:
        articles = self.outlet.live_articles(edition)
        pages = self.page_count(edition)
        chunk = articles[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        base = f"{self.root}/category/news/"
        canonical = base if page == 1 else f"{base}?page={page}"
        context = self._common(f"{self.outlet.ui['news']} | {self.outlet.name}", canonical)
        context.update(
            heading=self.outlet.ui["news"],
            teasers=[self._teaser(a, edition) for a in chunk],
            page=page,
            pages=[(n, base if n == 1 else f"{base}?page={n}") for n in range(1, pages + 1)],
            sidebar=self._sidebar(articles),
        )
        return _env.get_template("listing.html").render(context)

    def tag(self, key: str, edition: int) -> str | None:
        if key not in self.outlet.tags:
            return None
        chosen = [a for a in self.outlet.live_articles(edition) if key in a.tags]
        heading = self.outlet.tags[key]
        return self._simple_listing(heading, f"{self.root}/tag/{key}/", chosen, edition)

    def author(self, key: str, edition: int) -> str | None:
        if key not in self.outlet.authors:
            return None
        chosen = [a for a in self.outlet.live_articles(edition) if a.author == key]
        name = self.outlet.authors[key]
        return self._simple_listing(name, f"{self.root}/author/{key}/", chosen, edition)

    def _simple_listing(
        self, heading: str, canonical: str, chosen: list[Article], edition: int
    ) -> str:
        context = self._common(f"{heading} | {self.outlet.name}", canonical)
        context.update(heading=heading, teasers=[self._teaser(a, edition) for a in chosen],
                       page=1, pages=[], sidebar=None)
        return _env.get_template("listing.html").render(context)

    def private(self, path: str) -> str:
        context = self._common(self.outlet.ui["private"], self.base_url + path)
        return _env.get_template("private.html").render(context)

    def error(self, status: int) -> str:
        context = self._common(f"{status} | {self.outlet.name}", f"{self.root}/")
        context.update(status=status)
        return _env.get_template("error.html").render(context)

    # -- machine-readable ------------------------------------------------------------------
    def feed(self, edition: int) -> str:
        articles = self.outlet.live_articles(edition)[:FEED_SIZE]
        items = []
        for n, article in enumerate(articles):
            body = article.body(edition)
            items.append({
                "title": article.title,
                # Every other item carries tracking parameters, as real feeds often do.
                "link": self.url(article) + (UTM_FEED if n % 2 == 0 else ""),
                "guid": self.url(article),
                "summary": body[0],
                "author": self.outlet.authors.get(article.author or "", ""),
                "rfc822": format_datetime(article.published),
                "iso": article.published.isoformat(),
                "updated": article.modified(edition).isoformat(),
            })
        updated = max(a.modified(edition) for a in articles)
        template = "feed_atom.xml" if self.outlet.feed_format == "atom" else "feed_rss.xml"
        context = self._common(self.outlet.name, f"{self.root}/feed.xml")
        context.update(items=items, updated_iso=updated.isoformat(),
                       updated_rfc822=format_datetime(updated))
        return _env.get_template(template).render(context)

    def sitemap_index(self, edition: int) -> str:
        latest = max(a.modified(edition) for a in self.outlet.live_articles(edition))
        return _env.get_template("sitemap_index.xml").render(
            root=self.root, lastmod=latest.astimezone(UTC).isoformat())

    def sitemap_articles(self, edition: int) -> str:
        entries = [(self.url(a), a.modified(edition).isoformat())
                   for a in self.outlet.live_articles(edition)]
        return _env.get_template("sitemap_articles.xml").render(entries=entries)

    def sitemap_news(self, edition: int) -> str:
        entries = [(self.url(a), a.published.isoformat(), a.title)
                   for a in self.outlet.live_articles(edition)[:NEWS_SITEMAP_SIZE]]
        return _env.get_template("sitemap_news.xml").render(
            entries=entries, outlet=self.outlet)
