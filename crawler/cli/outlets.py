"""`akhbar outlets list|validate|show`."""

from __future__ import annotations

import json
import sys

import click

from crawler import service
from crawler.cli.main import Obj, cli, pass_obj


@cli.group()
def outlets() -> None:
    """The configured outlets (config/outlets/*.yaml)."""


@outlets.command("list")
@pass_obj
def outlets_list(obj: Obj) -> None:
    """One line per outlet: id, languages, schedule, name."""
    result = service.outlets(obj.ctx)
    for o in result.outlets.values():
        state = "" if o.enabled else "  (disabled)"
        click.echo(
            f"{o.id:<20} {','.join(o.languages):<8} {o.schedule or '-':<16} "
            f"{o.timezone:<14} {o.name}{state}"
        )
    for err in result.errors:
        click.echo(f"error: {err}", err=True)
    if result.errors:
        sys.exit(1)


@outlets.command("validate")
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False))
@pass_obj
def outlets_validate(obj: Obj, directory: str | None) -> None:
    """Check every outlet file; exit 1 if any is wrong."""
    from pathlib import Path

    from crawler.outlets import load_outlets

    config_dir = Path(directory) if directory else obj.ctx.config_dir
    result = load_outlets(config_dir)
    for oid in result.outlets:
        click.echo(f"ok     {oid}")
    for err in result.errors:
        click.echo(f"error  {err}", err=True)
    click.echo(f"{len(result.outlets)} valid, {len(result.errors)} error(s)")
    if result.errors:
        sys.exit(1)


@outlets.command("show")
@click.argument("outlet")
@pass_obj
def outlets_show(obj: Obj, outlet: str) -> None:
    """An outlet's full, validated config as JSON."""
    chosen, errors = service.pick_outlets(obj.ctx, [outlet])
    for err in errors:
        click.echo(f"error: {err}", err=True)
    if errors:
        sys.exit(1)
    click.echo(json.dumps(chosen[0].model_dump(mode="json"), indent=2, ensure_ascii=False))
