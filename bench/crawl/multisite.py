"""Several outlets of the generated site, served by one process on 127.0.0.1, one port each.

``python -m bench.crawl.multisite --n 2000 --outlets 5`` prints
``serving http://127.0.0.1:P1/ http://127.0.0.1:P2/ ... (5 outlets, 2000 articles)`` and serves
until interrupted. The N articles are split over the outlets; each outlet is a site of its own
(its own seed, so no two outlets share a text), with its own robots.txt, feeds and sitemaps.
All ports share one set of counters: ``/__bench__/stats`` on any of them gives the totals and
the time of the first page request since the last ``/__bench__/mark``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from dataclasses import dataclass

from .model import SiteSpec
from .serving import SiteProcess
from .site import Counters, SiteData, build, open_server, page_count

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutletsSpec:
    """``n`` articles split over ``outlets`` generated sites (seeds ``seed``, ``seed + 1``...)."""

    n: int
    outlets: int = 5
    seed: int = 6

    def sites(self) -> list[SiteSpec]:
        per, extra = divmod(self.n, self.outlets)
        return [SiteSpec(per + (1 if k < extra else 0), seed=self.seed + k)
                for k in range(self.outlets)]

    def urls(self) -> int:
        return sum(page_count(spec) for spec in self.sites())


async def serve_outlets(spec: OutletsSpec, host: str = "127.0.0.1",
                        ready: asyncio.Future[list[str]] | None = None) -> None:
    """Serve every outlet's site until cancelled; ``ready`` gets their base URLs."""
    counters = Counters()
    servers: list[asyncio.Server] = []
    datas: list[SiteData] = []
    bases: list[str] = []
    try:
        for site in spec.sites():
            server, data, base = await open_server(site, counters, host, 0)
            servers.append(server)
            datas.append(data)
            bases.append(base)
        if ready is not None:
            ready.set_result(bases)
        await asyncio.gather(*(server.serve_forever() for server in servers))
    finally:
        for server in servers:
            server.close()
        for data in datas:
            data.close()


class OutletsSiteProcess(SiteProcess):
    """``python -m bench.crawl.multisite`` as a child process; ``base_urls`` has one URL per
    outlet, ``stats()`` and ``mark()`` count every outlet together."""

    def __init__(self, spec: OutletsSpec) -> None:
        super().__init__(spec.sites()[0])
        self.outlets = spec

    def command(self) -> list[str]:
        for site in self.outlets.sites():
            build(site)  # in this process, so that the child starts at once
        return [sys.executable, "-m", "bench.crawl.multisite", "--n", str(self.outlets.n),
                "--outlets", str(self.outlets.outlets), "--seed", str(self.outlets.seed)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl.multisite",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="articles over all outlets")
    parser.add_argument("--outlets", type=int, default=5)
    parser.add_argument("--seed", type=int, default=6, help="the first outlet's seed")
    args = parser.parse_args(argv)
    if args.outlets < 1 or args.n < args.outlets:
        parser.error("need at least one outlet and one article per outlet")
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    spec = OutletsSpec(args.n, args.outlets, args.seed)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[list[str]] = loop.create_future()
        task = asyncio.ensure_future(serve_outlets(spec, "127.0.0.1", ready))
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        bases = await asyncio.wait_for(asyncio.shield(ready), timeout=3600)
        print("serving " + " ".join(f"{b}/" for b in bases)
              + f" ({spec.outlets} outlets, {spec.n} articles, {spec.urls()} URLs)", flush=True)
        try:
            await task
        except asyncio.CancelledError:
            pass

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
