"""Boilerplate an outlet repeats in its article bodies, worded its own way (no rule knows it),
is learned from what repeats across its articles and removed, in a real crawl: from the
run's own articles as they come, then from the catalog on the next run."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from pathlib import Path

from sqlalchemy import select

from crawler.catalog import Article, ArticleVersion, Catalog, sqlite_url
from crawler.extraction._repeats import MIN_PAGES
from tests.spiders.sites import Site, outlet_file, reply, run_crawl

PROMO = "Get the Ledger app: breaking alerts from Tabriz, free on every phone and tablet."
BLURB = "Ledger Weekly has reported from Tabriz since 1998, supported by the Tabriz Press Trust."
TOPICS = ("bridge", "market", "school", "river", "railway", "hospital", "library", "stadium",
          "airport", "factory")


def _article(n: int) -> bytes:
    topic = TOPICS[n]
    paragraphs = [f"The city council voted on the new {topic} after a long debate that ran past "
                  f"midnight, story {n} part {i}, and residents waited outside for the result."
                  for i in range(4)]
    body = "".join(f"<p>{p}</p>" for p in paragraphs[:2]) + f"<p><b>{PROMO}</b></p>" + "".join(
        f"<p>{p}</p>" for p in paragraphs[2:]) + f"<p><i>{BLURB}</i></p>"
    return (f"<html><head><title>Council and the {topic}</title></head><body><article>"
            f"<h1>Council and the {topic}</h1>{body}</article></body></html>").encode()


def _texts(db: Path) -> dict[str, tuple[str, list[str]]]:
    catalog = Catalog(sqlite_url(db))
    try:
        with catalog.session() as session:
            rows = session.execute(
                select(Article.url, ArticleVersion.text, ArticleVersion.boilerplate)
                .join(ArticleVersion, ArticleVersion.article_id == Article.id))
            return {url: (text, removed or []) for url, text, removed in rows}
    finally:
        catalog.dispose()


def test_repeated_blocks_are_learned_removed_and_recorded(tmp_path: Path) -> None:
    shown = {"articles": 6}

    def handle(handler: BaseHTTPRequestHandler) -> None:
        if handler.path == "/list/":
            links = "".join(f'<a href="/a/{n}/">story {n}</a>' for n in range(shown["articles"]))
            reply(handler, 200, f"<html><body>{links}</body></html>".encode(),
                  Content_Type="text/html")
        elif handler.path.startswith("/a/"):
            reply(handler, 200, _article(int(handler.path.split("/")[2])),
                  Content_Type="text/html; charset=utf-8")
        else:
            reply(handler, 404, b"")

    db = tmp_path / "catalog.sqlite"
    with Site(handle) as site:
        outlet_file(tmp_path / "config", "ledger", site.base_url,
                    "politeness: {delay: 0, concurrency: 1}\n")
        first = run_crawl(tmp_path, "ledger", AKHBAR_DATABASE_URL=sqlite_url(db))
        assert first.returncode == 0, first.log[-3000:]
        texts = _texts(db)
        assert len(texts) == 6, first.log[-3000:]
        # Pages are extracted one at a time (no workers): the first MIN_PAGES articles are
        # extracted before the blocks have repeated often enough; every later one is clean.
        kept = [url for url, (text, _) in texts.items() if PROMO in text]
        assert len(kept) == MIN_PAGES and all(BLURB in texts[url][0] for url in kept)
        for url, (text, removed) in texts.items():
            if url not in kept:
                assert BLURB not in text and removed == [PROMO, BLURB]
                assert "story" in text and text.count("\n") == 3  # the four paragraphs
        assert "now removed as boilerplate" in first.log

        shown["articles"] = 9  # the next run finds three new articles
        second = run_crawl(tmp_path, "ledger", AKHBAR_DATABASE_URL=sqlite_url(db))
        assert second.returncode == 0, second.log[-3000:]
    new = {url: value for url, value in _texts(db).items() if url not in texts}
    assert len(new) == 3
    # Learned from the catalog before the first page of the run.
    assert all(PROMO not in text and removed == [PROMO, BLURB]
               for text, removed in new.values())
