"""One akhbar crawl of the benchmark site, the way the service runs it: ``crawl(ctx, targets)``.

``python -m bench.crawl.akhbar_run --config DIR --home DIR --result FILE`` is started by the
benchmark as a child process (so that its whole process tree can be measured); it writes the
run's outcome and the catalog's counts as JSON to FILE.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .model import ARTICLE_RX

OUTLET_ID = "bench_site"


def outlet_yaml(base_url: str, n: int, concurrency: int = 16, max_depth: int = 2,
                outlet_id: str = OUTLET_ID) -> str:
    """A realistic outlet file for the benchmark site: feeds, the sitemap index, listings."""
    base = base_url.rstrip("/")
    feeds = ", ".join(f"{base}/{lang}/feed.xml" for lang in ("en", "ar", "fa"))
    listings = ", ".join(f"{base}/{lang}/news/" for lang in ("en", "ar", "fa"))
    return (
        f"id: {outlet_id}\n"
        f"name: Benchmark site {outlet_id}\n"
        f"homepage: {base}/\n"
        "languages: [en, ar, fa]\n"
        "discovery:\n"
        f"  feeds: [{feeds}]\n"
        f"  sitemaps: [{base}/sitemap_index.xml]\n"
        f"  listings: [{listings}]\n"
        "articles:\n"
        f"  allow: ['{ARTICLE_RX}']\n"
        "  deny: ['/tag/', '/author/']\n"
        f"limits: {{max_articles: {n}, max_depth: {max_depth}, max_duration: 60m, "
        f"max_pages: {n * 2 + 1000}}}\n"
        f"politeness: {{obey_robots: true, delay: 0, concurrency: {concurrency}}}\n"
    )


def write_config(config_dir: Path, base_url: str, n: int, concurrency: int = 16,
                 max_depth: int = 2) -> Path:
    (config_dir / "outlets").mkdir(parents=True, exist_ok=True)
    (config_dir / "akhbar.yaml").write_text("max_concurrent_crawls: 1\n", encoding="utf-8")
    (config_dir / "outlets" / f"{OUTLET_ID}.yaml").write_text(
        outlet_yaml(base_url, n, concurrency, max_depth), encoding="utf-8")
    return config_dir


def run(config_dir: Path, home: Path) -> dict[str, object]:
    from sqlalchemy import func, select

    from crawler.catalog import Article, Capture
    from crawler.context import open_context
    from crawler.service import crawl, pick_outlets

    ctx = open_context(config_dir=config_dir, data_dir=home)
    try:
        targets, errors = pick_outlets(ctx, [OUTLET_ID])
        if errors:
            raise SystemExit("; ".join(str(e) for e in errors))
        report = crawl(ctx, targets, trigger="bench")
        outcome = report.outcomes[0]
        with ctx.catalog.session() as session:
            articles = session.scalar(select(func.count()).select_from(Article)) or 0
            captures = session.scalar(select(func.count()).select_from(Capture)) or 0
        warc_bytes = sum(p.stat().st_size for p in ctx.warcs_dir.rglob("*.warc.gz*"))
        stats = outcome.stats
        return {
            "status": outcome.status, "reason": outcome.reason, "articles": articles,
            "captures": captures, "pages": int(stats.get("response_received_count", 0)),
            "warc_bytes": warc_bytes, "run_id": outcome.run_id,
            "stats": {k: v for k, v in stats.items() if isinstance(v, (int, float, str))},
        }
    finally:
        ctx.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl.akhbar_run")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args(argv)
    result = run(args.config, args.home)
    args.result.write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0 if result["status"] == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
