"""`akhbar crawl` and `akhbar demo`: foreground crawls with a progress display and a summary."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING

import click

from crawler import service
from crawler.catalog import Run
from crawler.cli.main import Obj, cli, fmt_size, pass_obj
from crawler.context import AkhbarContext
from crawler.crawl.hostboot import Prestarted
from crawler.outlets import OutletConfig
from crawler.runs import make_executor

if TYPE_CHECKING:
    from crawler.cli.progress import ProgressDisplay


class Progress:
    """A foreground crawl's progress display (:mod:`crawler.cli.progress`), made at the run
    owner's first round, once the first crawls were started: it shows nothing before that
    round anyway, and importing rich cost ~85 M instructions before the first request."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.display: ProgressDisplay | None = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.display is not None:
            self.display.__exit__(*exc)

    def __call__(self, runs: list[Run]) -> None:
        if self.display is None:
            # Imported here, after the first crawls started (see above).
            from crawler.cli.progress import ProgressDisplay

            self.display = ProgressDisplay(self.names).__enter__()
        self.display(runs)


def print_summary(ctx: AkhbarContext, report: service.CrawlReport) -> None:
    click.echo("")
    click.echo(
        f"{'outlet':<14} {'run':<36} {'status':<10} {'pages':>5} {'new':>4} "
        f"{'chg':>4} {'same':>4} {'err':>4}  languages"
    )
    total_bytes = 0
    for outcome in report.outcomes:
        s = service.run_summary(ctx, outcome.run_id)
        langs = ", ".join(f"{k}:{v}" for k, v in sorted(s.languages.items())) or "-"
        click.echo(
            f"{s.outlet:<14} {s.run_id:<36} {s.status:<10} {s.pages:>5} "
            f"{s.articles_new:>4} {s.articles_changed:>4} {s.articles_unchanged:>4} "
            f"{s.errors:>4}  {langs}"
        )
        for name, size in s.warc_files:
            total_bytes += max(size, 0)
            click.echo(f"{'':<14} warc: {name} ({fmt_size(size)})")
        if s.status != "succeeded":
            click.echo(f"{'':<14} reason: {s.reason}")
    click.echo(
        f"\nWARC files under {ctx.warcs_dir} ({fmt_size(total_bytes)} this crawl); "
        f"run logs under {ctx.runs_dir}"
    )


class StopSignals:
    """SIGINT (Ctrl-C) and SIGTERM noted as a request to stop, which the run owner reads
    between two of its rounds.

    Python's own SIGINT handling raises KeyboardInterrupt wherever the main thread is at
    that moment: inside ``threading.Event.wait`` between a lock's acquire and the ``with``
    that releases it (the run's handle then stays locked, and the thread that reads the
    crawl process's events hangs on it), inside a catalog transaction, or in the progress
    display. Under load that left a foreground crawl neither stopped nor recorded; a noted
    request is acted on at one safe point."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopSignals:
        for signum in self.SIGNALS:
            self._previous[signum] = signal.signal(signum, self._note)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]

    def _note(self, signum: int, _frame: FrameType | None) -> None:
        if self.signum is None:
            self.signum = signum

    def requested(self) -> bool:
        return self.signum is not None


def run_crawl(ctx: AkhbarContext, targets: list[OutletConfig], trigger: str,
              prestarted: Prestarted | None = None,
              started: Callable[[], None] | None = None) -> bool:
    """Crawl in the foreground. SIGTERM, like Ctrl-C, stops every crawl gracefully and
    records each run as cancelled, with what it archived; the command then exits 130.
    ``prestarted``: the shared crawl process the console script started
    (crawler.cli.entry), if any; ``started``: called at the run owner's first round, once
    the first crawls were started."""
    with StopSignals() as signals, Progress({o.id: o.name for o in targets}) as display:
        def on_round(runs: list[Run]) -> None:
            nonlocal started
            if started is not None:
                first = started
                started = None
                first()
            display(runs)

        executor = make_executor(ctx, detach=True, prestarted=prestarted)
        report = service.crawl(ctx, targets, trigger=trigger, on_progress=on_round,
                               executor=executor, stop=signals.requested)
    if report.stopped:
        click.echo("\nstopped: the crawls were cancelled and recorded; `akhbar runs list` "
                   "shows what they archived", err=True)
        sys.exit(130)
    print_summary(ctx, report)
    return report.ok


@cli.command()
@click.argument("outlet_ids", nargs=-1)
@click.option("--all", "all_enabled", is_flag=True, help="Every enabled outlet.")
@click.option(
    "--via-service",
    is_flag=True,
    help="Queue the runs in the running `akhbar serve` (its concurrency cap and "
    "overlap rule apply) and return at once.",
)
@pass_obj
def crawl(obj: Obj, outlet_ids: tuple[str, ...], all_enabled: bool, via_service: bool) -> None:
    """Crawl outlets now, in the foreground; exit 1 if a run failed."""
    if not outlet_ids and not all_enabled:
        raise click.UsageError("name one or more outlets, or use --all")
    if via_service:
        _crawl_via_service(obj.ctx, outlet_ids, all_enabled)
        return
    targets, errors = service.pick_outlets(obj.ctx, outlet_ids, all_enabled=all_enabled)
    for err in errors:
        click.echo(f"error: {err}", err=True)
    if not targets:
        sys.exit(1)
    ok = run_crawl(obj.ctx, targets, "manual", obj.prestarted, obj.started)
    sys.exit(0 if ok and not errors else 1)


def _crawl_via_service(ctx: AkhbarContext, outlet_ids: tuple[str, ...], all_enabled: bool) -> None:
    # Only this way needs the service's client (and the scheduler's lock file): ~35 M
    # instructions a foreground crawl need not spend before its first request.
    from crawler.cli.remote import client_for, route

    way = route(ctx)
    click.echo(way.why, err=True)
    client = client_for(ctx, way)
    ids = list(outlet_ids)
    if all_enabled:
        ids += [o["id"] for o in client.request("GET", "/outlets")["outlets"] if o["enabled"]]
    failed = False
    for oid in dict.fromkeys(ids):
        run = client.request("POST", "/runs", {"outlet": oid})
        if run["status"] == "queued":
            click.echo(f"{oid:<16} queued   {run['id']}")
        else:
            failed = True
            click.echo(f"{oid:<16} {run['status']:<8} {run['id']}: {run['reason']}")
    sys.exit(1 if failed else 0)


@cli.command()
@click.option("--port", default=8765, show_default=True, help="Port of the demo site.")
@click.option(
    "--serve/--no-serve",
    default=False,
    help="Keep serving the demo site after the crawl (Ctrl-C to stop).",
)
@pass_obj
def demo(obj: Obj, port: int, serve: bool) -> None:
    """Start the bundled demo outlets on 127.0.0.1, crawl them, print what was archived."""
    # The demo's own modules: `akhbar crawl` (the same module) needs neither.
    from crawler.crawl.browser.chromium import BrowserUnavailable, find_chromium
    from crawler.demosite import DemoSite

    ctx = obj.ctx
    targets, errors = service.pick_outlets(ctx, [], prefix="demo_")
    for err in errors:
        click.echo(f"error: {err}", err=True)
    try:
        find_chromium()
    except BrowserUnavailable as exc:
        for skipped in [t for t in targets if t.render == "browser"]:
            click.echo(f"skipping {skipped.id}: {exc}", err=True)
        targets = [t for t in targets if t.render != "browser"]
    if not targets:
        click.echo(f"no demo outlets (demo_*.yaml) in {ctx.config_dir / 'outlets'}", err=True)
        sys.exit(1)
    try:
        site = DemoSite(host="127.0.0.1", port=port).start()
    except OSError as exc:
        click.echo(
            f"cannot start the demo site on 127.0.0.1:{port}: {exc.strerror}. "
            "Free the port or pass --port (and change config/outlets/demo_*.yaml).",
            err=True,
        )
        sys.exit(1)
    click.echo(f"demo site serving {len(targets)} outlets at {site.base_url}")
    try:
        ok = run_crawl(ctx, targets, "demo")
        _print_articles(ctx)
        if serve:
            click.echo(f"serving {site.base_url} until Ctrl-C")
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        ok = False
    finally:
        site.stop()
    sys.exit(0 if ok else 1)


def _print_articles(ctx: AkhbarContext) -> None:
    click.echo("\nArchived articles (latest version):")
    for rec in service.iter_articles(ctx, service.ArticleQuery(outlet=None)):
        if not rec["outlet"].startswith("demo_"):
            continue
        title = (rec["title"] or "")[:60]
        click.echo(f"  [{rec['language'] or '?':>3}] {rec['outlet']:<12} {title}")
    click.echo(
        "\nNext, after `. .venv/bin/activate`:"
        "\n  akhbar export --format jsonl --lang fa | head -c 600"
        "\n  akhbar runs list · akhbar captures URL · akhbar serve (then http://127.0.0.1:8631/)"
    )
