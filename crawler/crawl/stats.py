"""The crawl's stats collector: Scrapy's in-memory one, without its per-access wrapper.

Scrapy 2.19's ``StatsCollector.__getattribute__`` looks every attribute up twice (first as
``_cached_<name>``, which raises ``AttributeError`` for all but its ten methods) and wraps
those methods in a check that warns spider authors who still pass a ``spider`` argument.
``inc_value`` alone reads ``self._stats`` through it: a raised and caught exception per
counter bump, ~20 bumps a request (Scrapy's downloader stats, its log counter, akhbar's
WARC counters), was 2.5% of the shared crawl process's samples and the wrapper ~1% more.
The methods and their signatures are Scrapy's (a ``spider`` argument is accepted and
ignored, as before 2.19's warning); only the warning is gone.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class PlainStatsCollector(MemoryStatsCollector):
    """:class:`scrapy.statscollectors.MemoryStatsCollector` with plain attribute access."""

    __getattribute__ = object.__getattribute__
