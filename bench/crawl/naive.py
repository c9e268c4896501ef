"""The baseline: one Scrapy process doing everything inline on the reactor thread.

Same discovery as akhbar (feeds, sitemaps, listings, then links), WARC writing of every
exchange through ``archive.RotatingWarcWriter`` in a downloader middleware, and a pipeline that
extracts (``crawler.extraction.extract_article``), tags the language
(``crawler.language.tag_languages``, or langdetect when that is missing) and inserts a row into
a plain SQLite table. ``python -m bench.crawl.naive --base URL --out DIR`` writes
``DIR/result.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import scrapy
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.http import Request, Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.sitemap import Sitemap

from archive import RotatingWarcWriter

from .model import ARTICLE_RX

_ARTICLE = re.compile(ARTICLE_RX)


def language_tagger() -> Callable[[str, tuple[str, ...], str | None], str]:
    """``tag_languages`` when the project has it, else langdetect on the text."""
    try:
        from crawler.language import tag_languages
    except ImportError:
        from langdetect import DetectorFactory, detect

        DetectorFactory.seed = 0
        return lambda text, hints, html_lang: str(detect(text))
    return lambda text, hints, html_lang: tag_languages(text, hints=hints,
                                                        html_lang=html_lang).lang


class NaiveWarcMiddleware:
    def __init__(self, writer: RotatingWarcWriter) -> None:
        self.writer = writer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        out = Path(crawler.settings["NAIVE_OUT"])
        mw = cls(RotatingWarcWriter(out / "warcs", "naive", run_id="naive"))
        crawler.signals.connect(mw.writer.close, signal=scrapy.signals.spider_closed)
        return mw

    def process_response(self, request: Request, response: Response,
                         spider: Any = None) -> Response:
        from crawler.crawl.warccapture import exchange_from

        self.writer.write_exchange(exchange_from(request, response, datetime.now(UTC)))
        return response


class NaivePipeline:
    def __init__(self, db_path: Path) -> None:
        from crawler.extraction import extract_article

        self.extract = extract_article
        self.tag = language_tagger()
        self.db = sqlite3.connect(db_path)
        self.db.execute("CREATE TABLE IF NOT EXISTS articles (url TEXT PRIMARY KEY, title TEXT,"
                        " language TEXT, published TEXT, text TEXT)")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipe = cls(Path(crawler.settings["NAIVE_OUT"]) / "naive.sqlite")
        crawler.signals.connect(pipe.close, signal=scrapy.signals.spider_closed)
        return pipe

    def process_item(self, item: dict[str, Any], spider: Any = None) -> dict[str, Any]:
        article = self.extract(item["body"], item["url"], item["content_type"])
        if article is None:
            return {"url": item["url"], "dropped": True}
        lang = self.tag(article.text, ("en", "ar", "fa"), article.html_lang)
        self.db.execute("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?)",
                        (item["url"], article.title, lang, article.published, article.text))
        return {"url": item["url"], "language": lang}

    def close(self) -> None:
        self.db.commit()
        self.db.close()


class NaiveSpider(scrapy.Spider):
    name = "naive"

    def __init__(self, base: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base.rstrip("/")
        self.links = LinkExtractor(unique=True)

    async def start(self) -> Any:
        for lang in ("en", "ar", "fa"):
            yield Request(f"{self.base}/{lang}/feed.xml", callback=self.parse_feed)
            yield Request(f"{self.base}/{lang}/news/", callback=self.parse_page)
        yield Request(f"{self.base}/sitemap_index.xml", callback=self.parse_sitemap)

    def _follow(self, url: str) -> Request | None:
        url = url.split("#", 1)[0].split("?", 1)[0]
        if not url.startswith(self.base + "/"):
            return None
        return Request(url, callback=self.parse_page)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        for link in response.xpath("//item/link/text()").getall():
            if (req := self._follow(link.strip())) is not None:
                yield req

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        sitemap = Sitemap(response.body)
        for entry in sitemap:
            if sitemap.type == "sitemapindex":
                yield Request(entry["loc"], callback=self.parse_sitemap)
            elif (req := self._follow(entry["loc"])) is not None:
                yield req

    def parse_page(self, response: Response) -> Iterator[Request | dict[str, Any]]:
        if not isinstance(response, TextResponse):
            return
        if _ARTICLE.search(response.url):
            yield {"url": response.url, "body": response.body,
                   "content_type": (response.headers.get("Content-Type") or b"").decode("latin-1")}
        for link in self.links.extract_links(response):
            if (req := self._follow(link.url)) is not None:
                yield req


def crawl(base: str, out: Path, concurrency: int = 16) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    process = CrawlerProcess({
        "ROBOTSTXT_OBEY": True, "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "DOWNLOAD_DELAY": 0,
        "COOKIES_ENABLED": False, "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "INFO",
        "DOWNLOADER_MIDDLEWARES": {f"{__name__}.NaiveWarcMiddleware": 950},
        "ITEM_PIPELINES": {f"{__name__}.NaivePipeline": 300},
        "NAIVE_OUT": str(out), "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    })
    crawler = process.create_crawler(NaiveSpider)
    process.crawl(crawler, base=base)
    process.start()
    with sqlite3.connect(out / "naive.sqlite") as db:
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return {"articles": articles, "pages": int(stats.get("response_received_count", 0)),
            "started": started.isoformat(),
            "stats": {k: v for k, v in stats.items() if isinstance(v, (int, float, str))}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl.naive")
    parser.add_argument("--base", required=True, help="the benchmark site's base URL")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    if not args.base.startswith(("http://127.0.0.1", "http://localhost")):
        parser.error("the naive crawl only fetches from the local benchmark site")
    result = crawl(args.base, args.out, args.concurrency)
    (args.out / "result.json").write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
