"""Storage saved by revisit records on a recrawl of the demo outlets.

Crawls the four demo outlets, switches the site to edition 2 (3 of the 26 articles changed,
about 11.5%, and one new article per outlet) and crawls again; prints the bytes of the
article records of both crawls, and of everything each crawl wrote.

    python -m bench.recrawl
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import func, select

from crawler import service
from crawler.catalog import Capture
from crawler.context import AkhbarContext, open_context
from crawler.demosite import DemoSite, expected_articles
from crawler.urls import canonicalize
from tests.support import write_demo_config


def bytes_of(ctx: AkhbarContext, run_ids: list[str], urls: set[str] | None) -> tuple[int, int]:
    """(records, bytes) of the runs' captures, only of `urls` when given."""
    stmt = select(func.count(), func.coalesce(func.sum(Capture.warc_length), 0)).where(
        Capture.run_id.in_(run_ids), Capture.status.in_((200, 304)))
    if urls is not None:
        stmt = stmt.where(Capture.url.in_(urls))
    with ctx.catalog.session() as session:
        n, total = session.execute(stmt).one()
    return int(n), int(total)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, DemoSite(port=0) as site:
        root = Path(tmp)
        write_demo_config(root / "config", site.base_url)
        ctx = open_context(root / "config", root / "data", env={})
        targets, _ = service.pick_outlets(ctx, [], prefix="demo_")
        first = [o.run_id for o in service.crawl(ctx, targets).outcomes]
        site.set_edition(2)
        second = [o.run_id for o in service.crawl(ctx, targets).outcomes]
        old = {canonicalize(site.base_url + a.path) for a in expected_articles(1)}
        changed = {canonicalize(site.base_url + a.path) for a in expected_articles(2)
                   if a.since == 1 and a.revised == 2}
        n1, b1 = bytes_of(ctx, first, old)
        n2, b2 = bytes_of(ctx, second, old)
        t1 = bytes_of(ctx, first, None)[1]
        t2 = bytes_of(ctx, second, None)[1]
        ctx.close()
    print(f"articles in both crawls: {len(old)}, changed: {len(changed)} "
          f"({len(changed) / len(old):.1%})")
    print(f"{'':32} {'first crawl':>12} {'recrawl':>12} {'saved':>8}")
    print(f"{'their records (bytes)':32} {b1:>12,} {b2:>12,} {1 - b2 / b1:>8.1%}")
    print(f"{'their records (count)':32} {n1:>12,} {n2:>12,}")
    print(f"{'all 200/304 records (bytes)':32} {t1:>12,} {t2:>12,} {1 - t2 / t1:>8.1%}")
    print("(all records include feeds, sitemaps and listings, fetched in full each time, and "
          "the new articles)")


if __name__ == "__main__":
    main()
