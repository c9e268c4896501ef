"""The HTTP API of `akhbar serve` (the CLI's client of it is crawler.cli.remote)."""

from crawler.api.app import create_app

__all__ = ["create_app"]
