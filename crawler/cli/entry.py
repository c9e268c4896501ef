"""The ``akhbar`` console script (``crawler.cli:main``).

A foreground ``akhbar crawl`` starts its shared crawl process before anything else (see
:mod:`crawler.crawl.hostboot`): the process imports Scrapy while this one imports the
command line, so the first request goes out about a second sooner. Only then is the command
line itself (:data:`COMMAND_LINE`: click, SQLAlchemy, pydantic, every command) imported, by
name: importing it first is exactly what this module exists to avoid.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from crawler.crawl.hostboot import Prestarted, wants_shared_process

#: The module that holds the ``akhbar`` click group and its ``main(argv, prestarted=...)``.
COMMAND_LINE = "crawler.cli.main"


def main(argv: list[str] | None = None) -> Any:
    args = sys.argv[1:] if argv is None else list(argv)
    prestarted = Prestarted.start() if wants_shared_process(args) else None
    try:
        return importlib.import_module(COMMAND_LINE).main(args, prestarted=prestarted)
    finally:
        if prestarted is not None:
            prestarted.discard()
