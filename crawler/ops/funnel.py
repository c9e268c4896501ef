"""A run's coverage funnel: URLs discovered (from feeds, sitemaps, listing pages), matched
by the outlet's article rules, fetched, archived, extracted and language-tagged, and the
articles seen (new + changed + unchanged).

The crawl counts each stage as a Scrapy stats key (:func:`funnel_key`); the owner writes the
final stats into ``Run.stats``; everything else reads them through :class:`RunFunnel`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Stage = Literal["discovered/feed", "discovered/sitemap", "discovered/listing", "matched",
                "fetched", "archived", "extracted", "tagged"]
PREFIX = "akhbar/funnel/"
DISCOVERY_KINDS = ("feed", "sitemap", "listing")


def funnel_key(stage: Stage) -> str:
    """The stats key a crawl counts ``stage`` under."""
    return PREFIX + stage


def _int(stats: dict[str, Any], key: str) -> int:
    value = stats.get(key, 0)
    return int(value) if isinstance(value, (int, float)) else 0


@dataclass(frozen=True)
class RunFunnel:
    """One run's funnel. ``counted`` is False for a run whose crawl kept no funnel (older
    runs, or one that never started): its zeros say nothing."""

    discovered_feed: int = 0
    discovered_sitemap: int = 0
    discovered_listing: int = 0
    matched: int = 0
    fetched: int = 0
    archived: int = 0
    extracted: int = 0
    tagged: int = 0
    articles_new: int = 0
    articles_changed: int = 0
    articles_unchanged: int = 0
    pages: int = 0
    counted: bool = False

    @classmethod
    def from_stats(cls, stats: dict[str, Any] | None) -> RunFunnel:
        stats = stats or {}
        return cls(
            discovered_feed=_int(stats, funnel_key("discovered/feed")),
            discovered_sitemap=_int(stats, funnel_key("discovered/sitemap")),
            discovered_listing=_int(stats, funnel_key("discovered/listing")),
            matched=_int(stats, funnel_key("matched")),
            fetched=_int(stats, funnel_key("fetched")),
            archived=_int(stats, funnel_key("archived")),
            extracted=_int(stats, funnel_key("extracted")),
            tagged=_int(stats, funnel_key("tagged")),
            articles_new=_int(stats, "akhbar/articles/new"),
            articles_changed=_int(stats, "akhbar/articles/changed"),
            articles_unchanged=_int(stats, "akhbar/articles/unchanged"),
            pages=_int(stats, "response_received_count"),
            counted=any(k.startswith(PREFIX) for k in stats),
        )

    @property
    def discovered(self) -> int:
        return self.discovered_feed + self.discovered_sitemap + self.discovered_listing

    @property
    def articles_seen(self) -> int:
        return self.articles_new + self.articles_changed + self.articles_unchanged

    def stages(self) -> list[tuple[str, int]]:
        """The funnel top to bottom, as (stage, count)."""
        return [("discovered", self.discovered), ("matched", self.matched),
                ("fetched", self.fetched), ("archived", self.archived),
                ("extracted", self.extracted), ("tagged", self.tagged),
                ("articles seen", self.articles_seen)]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "discovered": self.discovered,
                "articles_seen": self.articles_seen}
