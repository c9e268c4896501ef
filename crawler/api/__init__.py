"""The HTTP API of `akhbar serve`, and a client of it for the CLI."""

from crawler.api.app import create_app
from crawler.api.client import ServiceClient, ServiceUnavailable

__all__ = ["ServiceClient", "ServiceUnavailable", "create_app"]
