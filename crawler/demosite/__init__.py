"""The bundled demo news site: four outlets (English, Arabic, Arabic in windows-1256, Persian)
served on 127.0.0.1, with the ground truth a crawl of it should archive, and a fifth,
``demo_js`` (:mod:`.jsnews`), whose articles only a browser sees.

``DemoSite`` serves it; ``expected_articles(edition)`` is what a crawl should find;
``outlet_yaml(outlet_id, base_url)`` is the outlet configuration pointing at a running site.
The content lives in ``content/<outlet>.json``; ``scaled_content`` builds a bigger site.
"""

from __future__ import annotations

from .config import outlet_yaml
from .jsnews import JS_OUTLET_ID, js_outlet_yaml, load_js_outlet
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
    "JS_OUTLET_ID",
    "SiteContent",
    "expected_articles",
    "js_outlet_yaml",
    "load_content",
    "load_js_outlet",
    "outlet_yaml",
    "scaled_content",
]
