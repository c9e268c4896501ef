"""`akhbar crawl` and `akhbar demo`: foreground crawls with a progress display and a summary."""

from __future__ import annotations

import sys
import time

import click

from crawler import service
from crawler.cli.main import Obj, cli, fmt_size, pass_obj
from crawler.context import AkhbarContext
from crawler.crawl.runlog import Progress
from crawler.outlets import OutletConfig


class ProgressDisplay:
    """One status line redrawn in place on a terminal; a line every few seconds otherwise."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, progress: dict[str, Progress]) -> None:
        now = time.monotonic()
        if now - self.last < (0.2 if self.tty else 5.0):
            return
        self.last = now
        pages = sum(p.pages for p in progress.values())
        arts = sum(p.articles for p in progress.values())
        errs = sum(p.errors for p in progress.values())
        line = f"crawling {len(progress)} outlet(s): {pages} pages, {arts} articles, {errs} errors"
        if self.tty:
            click.echo("\r" + line.ljust(100)[:120], nl=False, err=True)
        else:
            click.echo(line, err=True)

    def done(self) -> None:
        if self.tty:
            click.echo("", err=True)


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


def run_crawl(ctx: AkhbarContext, targets: list[OutletConfig], trigger: str) -> bool:
    display = ProgressDisplay({o.id: o.name for o in targets})
    try:
        report = service.crawl(ctx, targets, trigger=trigger, on_progress=display)
    finally:
        display.done()
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
    ok = run_crawl(obj.ctx, targets, "manual")
    sys.exit(0 if ok and not errors else 1)


def _crawl_via_service(ctx: AkhbarContext, outlet_ids: tuple[str, ...], all_enabled: bool) -> None:
    from crawler.api import ServiceClient

    client = ServiceClient.of(ctx)
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
    from crawler.demosite import DemoSite

    ctx = obj.ctx
    targets, errors = service.pick_outlets(ctx, [], prefix="demo_")
    for err in errors:
        click.echo(f"error: {err}", err=True)
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
