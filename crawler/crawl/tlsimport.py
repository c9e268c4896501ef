"""Scrapy's TLS modules, imported without the cost of their deprecated classes.

``scrapy.core.downloader.contextfactory`` and ``scrapy.core.downloader.tls`` (which every
run's HTTP/1.1 download handler imports) make three deprecated aliases with
``scrapy.utils.deprecate.create_deprecated_class``. It names each alias's module from
``inspect.stack()[1]``: ``inspect.stack`` reads the source lines of every frame on the stack
(the whole import machinery's), and ``inspect.getmodule`` then walks every loaded module
(``realpath`` of each file): ~50 ms of CPU in a crawl process, for three ``__module__``
strings.

:func:`import_tls_modules` imports them with ``inspect``, as that function sees it, answering
only what it asks: the calling frame and its module (``sys.modules`` by the frame's
``__name__``, checked against its file; anything else goes to :mod:`inspect` itself). The
aliases get the same ``__module__`` as under a plain import. Where the installed Scrapy does
not read ``inspect`` that way (another release), the modules are imported plainly.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from typing import Any

import scrapy.utils.deprecate as deprecate

#: The modules whose import makes Scrapy's deprecated TLS classes (tls first: the other
#: imports it).
TLS_MODULES = ("scrapy.core.downloader.tls", "scrapy.core.downloader.contextfactory")


class _CallerOnly:
    """``inspect`` for ``create_deprecated_class``: ``stack()`` gives only the two frames it
    reads (its own and its caller's, each as a one-item record: it reads ``[0]``, the frame),
    ``getmodule`` finds a frame's module by name; the rest is :mod:`inspect`'s."""

    def __getattr__(self, name: str) -> Any:
        return getattr(inspect, name)

    @staticmethod
    def stack(context: int = 1) -> list[tuple[types.FrameType | None]]:
        frame = sys._getframe(1)  # create_deprecated_class's
        return [(frame,), (frame.f_back,)]

    @staticmethod
    def getmodule(obj: object, _filename: str | None = None) -> types.ModuleType | None:
        if isinstance(obj, types.FrameType):
            module = sys.modules.get(obj.f_globals.get("__name__", ""))
            if module is not None and getattr(module, "__file__", None) == obj.f_code.co_filename:
                return module
        return inspect.getmodule(obj, _filename)


def _reads_stack(deprecate: types.ModuleType) -> bool:
    """Whether this Scrapy's ``create_deprecated_class`` asks :mod:`inspect` (its module's
    global) for the stack and a module, and nothing of it has been made yet."""
    code = getattr(getattr(deprecate, "create_deprecated_class", None), "__code__", None)
    names = set(getattr(code, "co_names", ()))
    return (getattr(deprecate, "inspect", None) is inspect
            and {"inspect", "stack", "getmodule"} <= names
            and not any(name in sys.modules for name in TLS_MODULES))


def import_tls_modules() -> None:
    """Import :data:`TLS_MODULES` (cheaply where this Scrapy allows, see the module's
    docstring)."""
    if not _reads_stack(deprecate):
        for name in TLS_MODULES:
            importlib.import_module(name)
        return
    setattr(deprecate, "inspect", _CallerOnly())  # noqa: B010 -- a module, as mypy sees it
    try:
        for name in TLS_MODULES:
            importlib.import_module(name)
    finally:
        deprecate.inspect = inspect


__all__ = ["TLS_MODULES", "import_tls_modules"]
