"""`akhbar worker`: a crawl worker taking runs from the broker (``executor: celery``)."""

from __future__ import annotations

import logging
import os
import sys

import click

from crawler.cli.main import Obj, cli, pass_obj


@cli.command()
@click.option("--concurrency", "-c", type=click.IntRange(min=1),
              help="How many runs this worker crawls at once (default: max_concurrent_crawls "
                   "in this host's akhbar.yaml, i.e. its cores).")
@click.option("--queue", "-Q", help="The broker queue to take runs from (default: "
              "celery.queue in akhbar.yaml).")
@click.option("--hostname", help="This host's name in run records and WARC file names "
              "(default: AKHBAR_HOST, else the machine's host name).")
@pass_obj
def worker(obj: Obj, concurrency: int | None, queue: str | None, hostname: str | None) -> None:
    """Take runs from the broker and crawl them here, until SIGTERM or Ctrl-C (the runs it
    holds are then stopped gracefully and recorded cancelled). Needs the PostgreSQL catalog
    and the shared data directory of the service."""
    from crawler.runs.cluster import CrawlWorker, slots_default

    if hostname:
        os.environ["AKHBAR_HOST"] = hostname  # the crawls this worker starts inherit it
    ctx = obj.ctx
    level = getattr(logging, ctx.service.log_level, logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    crawl_worker = CrawlWorker(ctx, concurrency or slots_default(ctx))
    click.echo(f"akhbar worker: {crawl_worker.slots} slot(s), taking runs from "
               f"{queue or ctx.service.celery.queue}", err=True)
    sys.exit(crawl_worker.start(queue=queue, loglevel=ctx.service.log_level))
