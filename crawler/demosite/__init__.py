"""The bundled demo news site: four outlets (English, Arabic, Arabic in windows-1256, Persian)
served on 127.0.0.1, with the ground truth a crawl of it should archive.

``DemoSite`` serves it; ``expected_articles(edition)`` is what a crawl should find;
``outlet_yaml(outlet_id, base_url)`` is the outlet configuration pointing at a running site.
The content lives in ``content/<outlet>.json``; ``scaled_content`` builds a bigger site.
"""

from __future__ import annotations

from .config import outlet_yaml
from .model import (
    ExpectedArticle,
    SiteContent,
    expected_articles,
    load_content,
    outlets_summary,
    scaled_content,
)
from .server import ROBOTS_TXT, DemoSite

OUTLETS: list[dict[str, object]] = outlets_summary()

__all__ = [
    "OUTLETS",
    "ROBOTS_TXT",
    "DemoSite",
    "ExpectedArticle",
    "SiteContent",
    "expected_articles",
    "load_content",
    "outlet_yaml",
    "scaled_content",
]
