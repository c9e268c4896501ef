"""What page requisites add to a crawl of the demo site.

Crawls the four server-rendered demo outlets (26 articles) with ``capture.requisites: none``
and with ``same-site`` (the default), ``--runs`` times each, alternating, each in a fresh
data directory; then recrawls the site's edition 2 (3 articles changed, 4 new). Prints the
median of each: wall time of the crawl (4 outlets, 2 at a time, as ``akhbar crawl`` runs
them), requests the site answered, bytes received, and WARC bytes written.

    python -m bench.requisites [--runs 2]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from crawler import service
from crawler.context import AkhbarContext, open_context
from crawler.demosite import DemoSite
from tests.support import write_demo_config

OUTLETS = ["demo_en", "demo_ar", "demo_ar1256", "demo_fa"]
MODES = ("none", "same-site")


@dataclass
class Crawl:
    seconds: float
    requests: int
    received: int
    warc: int
    requisites: int


def _warc_bytes(data: Path, before: int) -> int:
    return sum(p.stat().st_size for p in (data / "warcs").rglob("*.warc.gz")) - before


def _crawl(ctx: AkhbarContext, site: DemoSite, data: Path) -> Crawl:
    targets, _ = service.pick_outlets(ctx, OUTLETS)
    asked, before = len(site.requests), _warc_bytes(data, 0) if (data / "warcs").exists() else 0
    started = time.perf_counter()
    report = service.crawl(ctx, targets, max_parallel=2)
    seconds = time.perf_counter() - started
    assert report.ok, report
    stats = [o.stats for o in report.outcomes]
    return Crawl(seconds, len(site.requests) - asked,
                 sum(int(s.get("downloader/response_bytes", 0)) for s in stats),
                 _warc_bytes(data, before),
                 sum(int(s.get("akhbar/requisites/fetched", 0)) for s in stats))


def run(mode: str) -> tuple[Crawl, Crawl]:
    with tempfile.TemporaryDirectory() as tmp, DemoSite(port=0) as site:
        root = Path(tmp)
        write_demo_config(root / "config", site.base_url, OUTLETS)
        for path in (root / "config" / "outlets").glob("*.yaml"):
            path.write_text(path.read_text(encoding="utf-8")
                            + f"capture: {{requisites: {mode}}}\n", encoding="utf-8")
        ctx = open_context(root / "config", root / "data", env={})
        try:
            first = _crawl(ctx, site, root / "data")
            site.set_edition(2)
            again = _crawl(ctx, site, root / "data")
        finally:
            ctx.close()
    return first, again


def _median(crawls: list[Crawl], field: str) -> float:
    return statistics.median(getattr(c, field) for c in crawls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    runs = parser.parse_args().runs
    got: dict[str, list[tuple[Crawl, Crawl]]] = {m: [] for m in MODES}
    for _ in range(runs):
        for mode in MODES:
            got[mode].append(run(mode))
    for label, index in (("first crawl", 0), ("recrawl (edition 2)", 1)):
        print(f"{label}, median of {runs}:")
        print(f"  {'requisites':12} {'seconds':>8} {'requests':>9} {'received':>10} "
              f"{'WARC bytes':>11} {'requisites fetched':>19}")
        for mode in MODES:
            crawls = [pair[index] for pair in got[mode]]
            print(f"  {mode:12} {_median(crawls, 'seconds'):>8.1f} "
                  f"{_median(crawls, 'requests'):>9,.0f} {_median(crawls, 'received'):>10,.0f} "
                  f"{_median(crawls, 'warc'):>11,.0f} {_median(crawls, 'requisites'):>19,.0f}")
        print("  each crawl: " + "; ".join(
            f"{m} " + ", ".join(f"{pair[index].seconds:.1f} s" for pair in got[m]) for m in MODES))


if __name__ == "__main__":
    main()
