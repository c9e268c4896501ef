"""``python -m bench.workers [--outlets 12] [--pages 20] [--delay 0.2] [--slots 2]``.

K outlets, each its own site on 127.0.0.1 answering each article after ``delay`` seconds (a
remote news site's latency; politeness: one request at a time per outlet, as configured
outlets are). One round per worker count: a fresh PostgreSQL schema and data directory, the
service's dispatcher publishing every run at once (``max_concurrent_crawls`` = all slots), N
`akhbar worker` processes of ``slots`` each (each under its own host name), Redis database 12
of 127.0.0.1:6379 with a queue of its own. Prints wall time from the first publish to the last
end, runs, articles and articles per second for 1 and 2 workers, and the ratio.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import redis
from sqlalchemy import select

from crawler.catalog import Run
from crawler.catalog.outlets import sync_outlets
from crawler.context import open_context
from crawler.outlets import load_outlets
from crawler.runs import FINAL_STATES
from crawler.runs.cluster import RunDispatcher

AKHBAR = Path(sys.executable).with_name("akhbar")
PG_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/12"


class Site:
    """Listing ``/<outlet>/`` links to ``pages`` articles, each answered after ``delay`` s."""

    def __init__(self, pages: int, delay: float) -> None:
        words = " ".join(["Every page the archive fetched is kept as it was received."] * 40)

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                parts = self.path.strip("/").split("/")
                if len(parts) == 1 and parts[0] and parts[0] != "robots.txt":
                    body = "".join(f'<a href="/{parts[0]}/a/{i}/">story {i}</a>\n'
                                   for i in range(pages))
                elif len(parts) >= 3 and parts[1] == "a":
                    time.sleep(delay)
                    body = f"<article><h1>Story {parts[2]}</h1><p>{words}</p></article>"
                else:
                    self.send_error(404)
                    return
                data = f"<html><head><title>t</title></head><body>{body}</body></html>".encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Round:
    workers: int
    seconds: float
    runs: int
    succeeded: int
    articles: int

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


def outlet_yaml(oid: str, url: str) -> str:
    return (f"id: {oid}\nname: {oid}\nhomepage: {url}/{oid}/\nlanguages: [en]\n"
            f'schedule: "0 */6 * * *"\ndiscovery: {{listings: [{url}/{oid}/]}}\n'
            f"articles: {{allow: ['/{oid}/a/']}}\nlimits: {{max_depth: 1}}\n"
            "politeness: {obey_robots: false, delay: 0, concurrency: 1}\n")


def one_round(n_workers: int, args: argparse.Namespace, site: Site, work: Path) -> Round:
    tmp = work / f"w{n_workers}"
    schema = f"akhbar_bench_{secrets.token_hex(4)}"
    queue = f"akhbar.bench.{secrets.token_hex(4)}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    (tmp / "config" / "outlets").mkdir(parents=True)
    (tmp / "config" / "akhbar.yaml").write_text(
        f"executor: celery\nmax_concurrent_crawls: {n_workers * args.slots}\n"
        f"celery:\n  queue: {queue}\n", encoding="utf-8")
    outlets = [f"o{i:03d}" for i in range(args.outlets)]
    for oid in outlets:
        (tmp / "config" / "outlets" / f"{oid}.yaml").write_text(outlet_yaml(oid, site.url))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
    env.update(AKHBAR_CONFIG=str(tmp / "config"), AKHBAR_HOME=str(tmp / "data"),
               AKHBAR_DATABASE_URL=url, AKHBAR_BROKER_URL=REDIS)
    ctx = open_context(env=env)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        sync_outlets(ctx.catalog, list(load_outlets(ctx.config_dir).outlets.values()))
        for i in range(n_workers):
            log = (tmp / f"worker-{i}.log").open("wb")
            procs.append(subprocess.Popen(
                [str(AKHBAR), "worker", "-c", str(args.slots), "--hostname", f"bench-{i}"],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        for i in range(n_workers):  # every worker ready (and its shared process warm-up
            log_path = tmp / f"worker-{i}.log"  # counted in the round, as in service)
            while "ready." not in log_path.read_text(errors="replace"):
                time.sleep(0.1)
        dispatcher = RunDispatcher(ctx)
        start = time.monotonic()
        ids = [dispatcher.enqueue(o, "service").id for o in outlets]
        while True:
            dispatcher.tick()
            with ctx.catalog.session() as s:
                rows = list(s.scalars(select(Run).where(Run.id.in_(ids))))
            if all(r.status in FINAL_STATES for r in rows):
                break
            time.sleep(0.2)
        seconds = time.monotonic() - start
        dispatcher.stop()
        return Round(n_workers, seconds, len(rows),
                     sum(r.status == "succeeded" for r in rows),
                     sum(r.articles_new for r in rows))
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(60)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(p.pid, signal.SIGKILL)
        ctx.close()
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
        client = redis.Redis.from_url(REDIS)
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__.split("\n")[0])
    p.add_argument("--outlets", type=int, default=12)
    p.add_argument("--pages", type=int, default=20, help="articles per outlet")
    p.add_argument("--delay", type=float, default=0.2, help="seconds before each article")
    p.add_argument("--slots", type=int, default=2, help="runs at once per worker")
    args = p.parse_args(argv)
    site = Site(args.pages, args.delay)
    rounds = []
    try:
        with tempfile.TemporaryDirectory(prefix="akhbar-bench-workers-") as work:
            for n in (1, 2):
                rounds.append(one_round(n, args, site, Path(work)))
                r = rounds[-1]
                print(f"{n} worker(s) x {args.slots} slot(s): {r.runs} runs "
                      f"({r.succeeded} succeeded), {r.articles} articles in {r.seconds:.1f} s: "
                      f"{r.rate:.1f} articles/s", flush=True)
    finally:
        site.close()
    if rounds[0].rate:
        print(f"two workers / one: {rounds[1].rate / rounds[0].rate:.2f}x "
              f"({args.outlets} outlets x {args.pages} articles, {args.delay}s per article)")


if __name__ == "__main__":
    main()
