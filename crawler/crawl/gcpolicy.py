"""The cyclic garbage collector's settings in a crawl process.

At CPython's defaults (a young collection every 700 net new container objects, a full one
when the older generations have grown by a quarter) the shared crawl process spent ~6% of
its CPU collecting: ~1.3 s of 20-23 s in a bench crawl of 2,000 articles (bench/README.md,
issue 11, round 6), most of it in 8 full collections of ~85 ms each that walked every
object the imports made (Scrapy, Twisted, SQLAlchemy, the crawl's modules) and every
request waiting in the schedulers, and in young collections that promoted each page's
short-lived objects (requests, responses, items in flight) to older generations.

:func:`tune` is called once the process has imported everything it runs (a pre-started
process calls it while it waits for its owner, with a full collection first unless the owner's
boot line is there already: crawler.crawl.prestart): :func:`gc.freeze`
(those objects are never collected again, nor walked), and a young collection every
:data:`YOUNG_THRESHOLD` objects: 0.53 s of collection in the same crawl.
Memory is not affected: reference counting frees all but cycles, and a cycle now waits at
most a few thousand allocations longer.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["YOUNG_THRESHOLD", "collector_off", "tune"]

#: Net new container objects between young collections (CPython's default: 700).
YOUNG_THRESHOLD = 10_000


def tune(*, collect: bool = False) -> None:
    """Freeze what is alive now (``collect``: after a full collection, ~0.05 s of CPU that
    only a process waiting for work should spend) and collect the young generation less
    often."""
    if collect:
        gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)


@contextmanager
def collector_off() -> Iterator[None]:
    """The collector off while a process imports what it keeps for its whole life (the
    collector, left on, would walk it again and again on the way), on again after."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
