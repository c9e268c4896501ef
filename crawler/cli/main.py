"""`akhbar` command group and its shared options."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from crawler.context import AkhbarContext, open_context
from crawler.crawl.hostboot import Prestarted
from crawler.errors import AkhbarError


@dataclass(frozen=True)
class Readied:
    """What the console script readied for a foreground ``akhbar crawl`` before importing
    the command line (crawler.cli.entry): the shared crawl process it started, and what to
    call once the first crawls were started (None: nothing)."""

    prestarted: Prestarted
    started: Callable[[], None] | None = None


class Obj:
    """Lazily opened context, so `akhbar --help` and config errors don't touch the catalog."""

    def __init__(self, config: str | None, home: str | None,
                 readied: Readied | None = None) -> None:
        self.config, self.home = config, home
        self._ctx: AkhbarContext | None = None
        self.readied = readied

    @property
    def prestarted(self) -> Prestarted | None:
        """The shared crawl process the console script started, if it did."""
        return self.readied.prestarted if self.readied is not None else None

    @property
    def started(self) -> Callable[[], None] | None:
        """To call once a foreground crawl's first crawls were started, if anything."""
        return self.readied.started if self.readied is not None else None

    @property
    def ctx(self) -> AkhbarContext:
        if self._ctx is None:
            self._ctx = open_context(self.config, self.home)
        return self._ctx


pass_obj = click.make_pass_decorator(Obj)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    type=click.Path(file_okay=False, path_type=str),
    envvar="AKHBAR_CONFIG",
    help="Config directory (default ./config).",
)
@click.option(
    "--home",
    "home",
    type=click.Path(file_okay=False, path_type=str),
    envvar="AKHBAR_HOME",
    help="Data directory (default ./data).",
)
@click.pass_context
def cli(click_ctx: click.Context, config: str | None, home: str | None) -> None:
    """akhbar: archive news outlets in English, Arabic and Persian."""
    given = click_ctx.obj
    click_ctx.obj = Obj(config, home, given if isinstance(given, Readied) else None)


#: The module that registers every command (each group lives in a module of its own).
ALL_COMMANDS = "crawler.cli.commands"


def main(argv: list[str] | None = None, *, prestarted: Prestarted | None = None,
         started: Callable[[], None] | None = None, commands: str = ALL_COMMANDS) -> Any:
    """Run the command line. ``commands``: the module that registers the commands it may
    run (imported by name: it imports this module); a foreground crawl names only its own,
    :mod:`crawler.cli.crawl` (see :mod:`crawler.cli.entry`), with the shared crawl process
    the console script started (``prestarted``) and what to call once its first crawls
    were started (``started``)."""
    importlib.import_module(commands)
    readied = Readied(prestarted, started) if prestarted is not None else None
    try:
        return cli.main(args=argv, prog_name="akhbar", standalone_mode=True, obj=readied)
    except AkhbarError as exc:
        click.echo(f"akhbar: {exc}", err=True)
        sys.exit(2)


def echo_err(message: str) -> None:
    click.echo(message, err=True)


def fmt_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def rel(path: str | Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
