"""The `akhbar` command line. Commands only parse input, call crawler.service, and print."""

from crawler.cli.main import cli, main

__all__ = ["cli", "main"]
