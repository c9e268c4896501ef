"""The ``akhbar`` console script (``crawler.cli:main``).

A foreground ``akhbar crawl`` starts its shared crawl process before anything else (see
:mod:`crawler.crawl.hostboot`): the process imports Scrapy while this one imports the
command line, so the first request goes out about a second sooner. Only then is the command
line itself (:data:`COMMAND_LINE`: click, SQLAlchemy, pydantic) imported, by name:
importing it first is exactly what this module exists to avoid. A foreground crawl then
registers only its own command (:data:`CRAWL_COMMANDS`): the other commands' modules (the
scheduler's, the archive's, the users'...) cost ~0.14 s of CPU before its first request.
The cyclic collector stays off until the first crawls were started (:class:`StartupCollector`).
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Any

from crawler.crawl.hostboot import Prestarted, wants_shared_process

#: The module that holds the ``akhbar`` click group and its ``main(argv, prestarted=...)``.
COMMAND_LINE = "crawler.cli.main"
#: The module of the ``crawl`` command: all a foreground crawl registers.
CRAWL_COMMANDS = "crawler.cli.crawl"


class StartupCollector:
    """The cyclic collector off from a foreground crawl's start until its first crawls were
    started (:meth:`release`, called at the run owner's first round).

    What the command line imports, and what it makes before that round (the catalog's
    engine, the ORM's mappers and compiled statements, the outlets), lives as long as the
    command: the collector, on again after the imports, walked all of it as young objects
    and again as they aged, ~65 M instructions before the first request. At the first round
    it is frozen (:func:`gc.freeze`: never walked again, for the whole crawl) and the
    collector turns on. The few cycles the start-up left unreachable (~700 objects) stay:
    the full collection that would free them costs ~53 M instructions."""

    def __init__(self) -> None:
        self.held = gc.isenabled()
        gc.disable()

    def release(self) -> None:
        """The first crawls were started: freeze what the start-up made, collector on."""
        if self.held:
            self.held = False
            gc.freeze()
            gc.enable()

    def close(self) -> None:
        """The command ends (before its first round, perhaps): the collector on again."""
        if self.held:
            self.held = False
            gc.enable()


def main(argv: list[str] | None = None) -> Any:
    args = sys.argv[1:] if argv is None else list(argv)
    if not wants_shared_process(args):
        return importlib.import_module(COMMAND_LINE).main(args)
    prestarted = Prestarted.start()
    collector = StartupCollector()
    try:
        command_line = importlib.import_module(COMMAND_LINE)
        importlib.import_module(CRAWL_COMMANDS)
        return command_line.main(args, prestarted=prestarted, started=collector.release,
                                 commands=CRAWL_COMMANDS)
    finally:
        collector.close()
        prestarted.discard()
