"""`akhbar alerts` (open and past alerts, or a check now) and `akhbar runs funnel`."""

from __future__ import annotations

import json

import click

from crawler.cli.main import Obj, cli, pass_obj
from crawler.cli.runs import runs
from crawler.ops.alerts import KINDS
from crawler.service import ops


@cli.command("alerts")
@click.option("--all", "show_all", is_flag=True, help="Cleared alerts too (default: open ones).")
@click.option("--kind", type=click.Choice(KINDS))
@click.option("--outlet")
@click.option("--limit", default=200, show_default=True)
@click.option("--check", is_flag=True,
              help="Evaluate the conditions now (raise and clear) before listing; the running "
              "service's webhooks send what it raised.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@pass_obj
def alerts(obj: Obj, show_all: bool, kind: str | None, outlet: str | None, limit: int,
           check: bool, as_json: bool) -> None:
    """Alerts: failed runs, outlets whose article rules match nothing, yield drops, outlets
    with no recent success, stalled runs, low disk. Open ones unless --all."""
    if check:
        ops.check_alerts(obj.ctx)
    found = ops.alerts(obj.ctx, open_only=not show_all, kind=kind, outlet=outlet, limit=limit)
    if as_json:
        for rec in found:
            click.echo(json.dumps(rec.to_dict(), ensure_ascii=False))
        return
    if not found:
        click.echo("no open alerts" if not show_all else "no alerts")
        return
    for rec in found:
        state = "OPEN" if rec.open else f"cleared {rec.cleared_at:%Y-%m-%d %H:%M:%S}"
        click.echo(f"{rec.raised_at:%Y-%m-%d %H:%M:%S}  {rec.severity:<8} {rec.kind:<19} "
                   f"{rec.subject or '-':<16} {state}")
        click.echo(f"    {rec.summary}")


@runs.command("funnel")
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True)
@pass_obj
def runs_funnel(obj: Obj, run_id: str, as_json: bool) -> None:
    """What a run covered: URLs discovered, matched as articles, fetched, archived, extracted,
    tagged, and the articles seen."""
    funnel = ops.run_funnel(obj.ctx, run_id)
    if as_json:
        click.echo(json.dumps(funnel.to_dict()))
        return
    if not funnel.counted:
        click.echo("(this run's crawl kept no funnel)")
    click.echo(f"discovered: {funnel.discovered} (feeds {funnel.discovered_feed}, sitemaps "
               f"{funnel.discovered_sitemap}, listings {funnel.discovered_listing})")
    for stage, n in funnel.stages()[1:]:
        click.echo(f"{stage}: {n}")
