"""akhbar's own Scrapy signals, and :class:`SignalSender`, which sends them.

Receivers connect with ``crawler.signals.connect`` as to any Scrapy signal; the akhbar
component that owns a signal sends it through a :class:`SignalSender`, which calls them
as Scrapy's ``send_catch_log`` would, without its per-call look-ups. It repeats
PyDispatcher's ``robustApply`` argument matching: only under the releases it was checked
against (:data:`CHECKED_PYDISPATCHER`); under any other it sends through ``send_catch_log``.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from importlib import metadata
from typing import TYPE_CHECKING, Any

from pydispatch.dispatcher import getReceivers
from pydispatch.robustapply import function
from pydispatch.saferef import BoundMethodWeakref

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["SignalSender", "article_extracted", "capture_written", "requisites_found"]

logger = logging.getLogger(__name__)

#: A response (or revisit) was written to a WARC file.
#: Arguments: ``capture`` (crawler.crawl.items.CaptureInfo).
capture_written = object()

#: An article was extracted and tagged. Arguments: ``article``
#: (crawler.catalog.records.TaggedArticle), ``capture`` (CaptureInfo), ``metadata`` (the
#: article's ``to_json()`` as archive.CompressedBlock when the worker made it, else None).
article_extracted = object()

#: An extraction worker found the requisites of a page whose item asked for them
#: (``PageItem.find_requisites``). Arguments: ``url`` (the page's), ``urls`` (list[str] in
#: page order, or None when the worker could not read the page: the spider reads it then),
#: ``item`` (the PageItem, its body still there).
requisites_found = object()

#: PyDispatcher releases whose receiver look-up and ``robustApply`` argument matching
#: :class:`SignalSender` was checked against (tests/crawl/test_signals.py).
CHECKED_PYDISPATCHER = ("2.0.7",)


def _matching_checked() -> bool:
    try:
        return metadata.version("PyDispatcher") in CHECKED_PYDISPATCHER
    except metadata.PackageNotFoundError:
        return False


_DIRECT = _matching_checked()

_WEAKREFS = (weakref.ReferenceType, BoundMethodWeakref)
#: A receiver as connected (a weak reference, or the callable itself) and the names of the
#: arguments it takes (None: any, it has ``**kwargs``).
_Call = tuple[Any, frozenset[str] | None]


def _accepted(receiver: Callable[..., Any]) -> frozenset[str] | None:
    """The keyword arguments pydispatch's ``robustApply`` would pass ``receiver``."""
    _, code, start = function(receiver)
    if code.co_flags & 8:  # CO_VARKEYWORDS
        return None
    return frozenset(code.co_varnames[start:code.co_argcount])


class SignalSender:
    """Sends ``signal`` to the receivers connected to it on ``crawler.signals``, as
    ``crawler.signals.send_catch_log(signal, **kwargs)`` does (each receiver given the
    arguments it takes, ``signal`` and ``sender`` among them; an error logged, not raised),
    for a tenth of its cost: the receivers and their arguments are worked out again only
    when the receivers connected change. Sent once or more for every page, Scrapy's
    look-ups (every receiver's signature, every time) cost ~1% of a crawl process."""

    def __init__(self, crawler: Crawler, signal: object, *, direct: bool = _DIRECT) -> None:
        self.signals = crawler.signals
        self.sender = crawler.signals.sender
        self.signal = signal
        #: False: every send goes through Scrapy's send_catch_log (a PyDispatcher release
        #: not checked).
        self.direct = direct
        self._connected: tuple[Any, ...] = ()
        self._calls: list[_Call] = []

    def _receivers(self) -> list[_Call]:
        connected = tuple(getReceivers(self.sender, self.signal))
        if connected != self._connected:
            calls = []
            for ref in connected:
                receiver = ref() if isinstance(ref, _WEAKREFS) else ref
                if receiver is not None:
                    calls.append((ref, _accepted(receiver)))
            self._connected, self._calls = connected, calls
        return self._calls

    def send(self, **kwargs: Any) -> None:
        if not self.direct:
            self.signals.send_catch_log(self.signal, **kwargs)
            return
        named = {"signal": self.signal, "sender": self.sender, **kwargs}
        for ref, accepted in self._receivers():
            receiver = ref() if isinstance(ref, _WEAKREFS) else ref
            if receiver is None:
                continue
            try:
                if accepted is None:
                    receiver(**named)
                else:
                    receiver(**{k: v for k, v in named.items() if k in accepted})
            except Exception:
                logger.error("Error caught on signal handler: %(receiver)s",
                             {"receiver": receiver}, exc_info=True)
