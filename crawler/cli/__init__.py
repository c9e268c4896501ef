"""The `akhbar` command line. Commands only parse input, call crawler.service, and print.

The click group is :data:`crawler.cli.main.cli`; the console script's entry,
:func:`crawler.cli.entry.main`, imports it only after starting what a foreground crawl needs
first (see that module)."""

from crawler.cli.entry import main

__all__ = ["main"]
