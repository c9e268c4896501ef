"""What differs between the Scrapy releases akhbar supports (see ``scrapy`` in pyproject.toml).

Scrapy 2.13 passes ``spider`` to every downloader-middleware method and its own middlewares
require it; later releases deprecate the argument and warn when it is given. akhbar's
subclasses take it optionally and hand it on only to a parent method that still requires it.
The check reads the parent's signature (not a version number), so a release in between is
handled by what it actually declares.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


def needs_spider(method: Callable[..., Any]) -> bool:
    """Whether ``method`` (a Scrapy middleware method) requires its ``spider`` argument."""
    try:
        parameter = inspect.signature(method).parameters.get("spider")
    except (TypeError, ValueError):  # no signature to read: pass it, as old Scrapy did
        return True
    return parameter is not None and parameter.default is inspect.Parameter.empty

