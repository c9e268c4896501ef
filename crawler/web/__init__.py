"""The web pages (server-rendered, right to left where the text is Arabic or Persian) for
archivists, researchers and ops, under ``/ui/``."""

from crawler.web.router import web_router

__all__ = ["web_router"]
