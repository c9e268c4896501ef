"""`akhbar serve`: the scheduler, the run dispatcher and the HTTP API in one process."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

import click

from crawler.cli.main import Obj, cli, pass_obj

logger = logging.getLogger(__name__)


@cli.command()
@click.option("--host", help="Address to listen on (default: api_host in akhbar.yaml).")
@click.option("--port", type=int, help="Port to listen on (default: api_port in akhbar.yaml).")
@click.option("--stop-crawls/--keep-crawls", default=False, show_default=True,
              help="On exit, stop running crawls (they are cancelled), or leave them running "
                   "for the next start of the service to adopt.")
@pass_obj
def serve(obj: Obj, host: str | None, port: int | None, stop_crawls: bool) -> None:
    """Run scheduled crawls and the HTTP API until SIGTERM or Ctrl-C; SIGHUP reloads the
    outlet files."""
    import uvicorn

    from crawler.api import create_app
    from crawler.scheduler.service import SchedulerService

    ctx = obj.ctx
    level = getattr(logging, ctx.service.log_level, logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host = host or ctx.service.api_host
    port = port or ctx.service.api_port
    scheduler = SchedulerService(ctx)
    report = scheduler.start()
    for err in report.errors:
        click.echo(f"error: {err} (previous schedule kept)", err=True)

    def _reload(_signum: int, _frame: FrameType | None) -> None:
        # Not in the handler itself: a reload takes locks the interrupted code may hold.
        threading.Thread(target=scheduler.reload, name="akhbar-reload", daemon=True).start()

    def _terminate(_signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGHUP, _reload)
    # uvicorn handles SIGTERM and SIGINT itself, then restores the previous handlers and raises
    # the signal again once it has shut down: these turn that into a clean exit via `finally`.
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    app = create_app(scheduler)
    config = uvicorn.Config(app, host=host, port=port,
                            log_level=ctx.service.log_level.lower(), lifespan="off")
    server = uvicorn.Server(config)
    try:
        sock = config.bind_socket()
    except SystemExit:  # uvicorn has logged why (address in use, not permitted...)
        scheduler.stop(stop_runs=stop_crawls)
        click.echo(f"could not listen on {host}:{port}", err=True)
        sys.exit(1)
    bound_port = sock.getsockname()[1]
    scheduler.listening(host, bound_port)
    click.echo(f"akhbar serve: {len(scheduler.outlets)} outlet(s), API at "
               f"http://{host}:{bound_port}/ (docs at /docs), at most "
               f"{scheduler.runs.max_running} crawl(s) at once", err=True)
    try:
        server.run(sockets=[sock])
    finally:
        app.state.replay.close()
        scheduler.stop(stop_runs=stop_crawls)
