"""The ``akhbar`` console script (``crawler.cli:main``).

A foreground ``akhbar crawl`` starts its shared crawl process before anything else (see
:mod:`crawler.crawl.hostboot`): the process imports Scrapy while this one imports the
command line, so the first request goes out about a second sooner. Only then is the command
line itself (:data:`COMMAND_LINE`: click, SQLAlchemy, pydantic) imported, by name:
importing it first is exactly what this module exists to avoid. A foreground crawl then
registers only its own command (:data:`CRAWL_COMMANDS`): the other commands' modules (the
scheduler's, the archive's, the users'...) cost ~0.14 s of CPU before its first request.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from crawler.crawl.gcpolicy import collector_off
from crawler.crawl.hostboot import Prestarted, wants_shared_process

#: The module that holds the ``akhbar`` click group and its ``main(argv, prestarted=...)``.
COMMAND_LINE = "crawler.cli.main"
#: The module of the ``crawl`` command: all a foreground crawl registers.
CRAWL_COMMANDS = "crawler.cli.crawl"


def main(argv: list[str] | None = None) -> Any:
    args = sys.argv[1:] if argv is None else list(argv)
    if not wants_shared_process(args):
        return importlib.import_module(COMMAND_LINE).main(args)
    prestarted = Prestarted.start()
    try:
        # What these imports make lives as long as the command: the collector, left on,
        # walked it again and again on the way (~0.1 s of CPU, beside the crawl process's
        # own start-up on the same cores).
        with collector_off():
            command_line = importlib.import_module(COMMAND_LINE)
            importlib.import_module(CRAWL_COMMANDS)
        return command_line.main(args, prestarted=prestarted, commands=CRAWL_COMMANDS)
    finally:
        prestarted.discard()
