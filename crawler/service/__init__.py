"""The service functions. The CLI, the HTTP API, the web pages and the scheduler call these;
none of them has logic of its own. One module per job; this package re-exports them."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.scheduler.schedules import (
        ScheduleEntry,
        SyncReport,
        offline_scheduler,
        pause_schedule,
        resume_schedule,
        schedule_entries,
        sync_schedules,
    )
    from crawler.service.archive import (
        CaptureQuery,
        ShownCapture,
        VersionDiff,
        article_for_record,
        diff_versions,
        find_captures,
        iter_captures,
        parse_timestamp,
        rendered_views,
        show_capture,
    )
    from crawler.service.articles import (
        ArticleQuery,
        SearchPage,
        article_history,
        article_record,
        iter_articles,
        parse_day,
        parse_since,
        reindex_search,
        search_articles,
    )
    from crawler.service.crawls import (
        CrawlReport,
        crawl,
        outlets,
        pick_outlets,
        sync_outlets,
    )
    from crawler.service.exports import export_articles
    from crawler.service.rebuild import (
        ReindexReport,
        VerifyProblem,
        VerifyReport,
        rebuild_index,
        reindex,
        verify,
    )
    from crawler.service.repair import RepairReport, repair
    from crawler.service.runs import (
        RunSummary,
        active_runs,
        cancel_run,
        get_run,
        list_runs,
        reap_dead,
        run_log_file,
        run_record,
        run_summary,
    )
    from crawler.service.wacz import WaczExport, export_wacz

# Re-exports are imported on first use: a process that only starts and watches crawls (the
# CLI's `crawl`, the benchmark) should not load the archive, WACZ and scheduler modules.
_EXPORTS: dict[str, str] = {
    "CaptureQuery": "crawler.service.archive",
    "ShownCapture": "crawler.service.archive",
    "VersionDiff": "crawler.service.archive",
    "WaczExport": "crawler.service.wacz",
    "article_for_record": "crawler.service.archive",
    "diff_versions": "crawler.service.archive",
    "export_wacz": "crawler.service.wacz",
    "find_captures": "crawler.service.archive",
    "iter_captures": "crawler.service.archive",
    "parse_timestamp": "crawler.service.archive",
    "show_capture": "crawler.service.archive",
    "rendered_views": "crawler.service.archive",
    "ArticleQuery": "crawler.service.articles",
    "article_history": "crawler.service.articles",
    "article_record": "crawler.service.articles",
    "iter_articles": "crawler.service.articles",
    "parse_since": "crawler.service.articles",
    "SearchPage": "crawler.service.articles",
    "parse_day": "crawler.service.articles",
    "reindex_search": "crawler.service.articles",
    "search_articles": "crawler.service.articles",
    "export_articles": "crawler.service.exports",
    "CrawlReport": "crawler.service.crawls",
    "RunSummary": "crawler.service.runs",
    "crawl": "crawler.service.crawls",
    "get_run": "crawler.service.runs",
    "list_runs": "crawler.service.runs",
    "outlets": "crawler.service.crawls",
    "pick_outlets": "crawler.service.crawls",
    "run_log_file": "crawler.service.runs",
    "run_record": "crawler.service.runs",
    "run_summary": "crawler.service.runs",
    "sync_outlets": "crawler.service.crawls",
    "ReindexReport": "crawler.service.rebuild",
    "VerifyProblem": "crawler.service.rebuild",
    "VerifyReport": "crawler.service.rebuild",
    "rebuild_index": "crawler.service.rebuild",
    "reindex": "crawler.service.rebuild",
    "verify": "crawler.service.rebuild",
    "active_runs": "crawler.service.runs",
    "cancel_run": "crawler.service.runs",
    "RepairReport": "crawler.service.repair",
    "repair": "crawler.service.repair",
    "reap_dead": "crawler.service.runs",
    "ScheduleEntry": "crawler.scheduler.schedules",
    "SyncReport": "crawler.scheduler.schedules",
    "offline_scheduler": "crawler.scheduler.schedules",
    "pause_schedule": "crawler.scheduler.schedules",
    "resume_schedule": "crawler.scheduler.schedules",
    "schedule_entries": "crawler.scheduler.schedules",
    "sync_schedules": "crawler.scheduler.schedules",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "RepairReport",
    "active_runs",
    "repair",
    "CaptureQuery",
    "ShownCapture",
    "VersionDiff",
    "WaczExport",
    "article_for_record",
    "article_history",
    "diff_versions",
    "export_wacz",
    "find_captures",
    "iter_captures",
    "parse_timestamp",
    "show_capture",
    "rendered_views",
    "ReindexReport",
    "VerifyProblem",
    "VerifyReport",
    "rebuild_index",
    "reindex",
    "verify",
    "ArticleQuery",
    "CrawlReport",
    "RunSummary",
    "ScheduleEntry",
    "SyncReport",
    "article_record",
    "cancel_run",
    "crawl",
    "get_run",
    "iter_articles",
    "list_runs",
    "offline_scheduler",
    "outlets",
    "parse_since",
    "SearchPage",
    "parse_day",
    "reindex_search",
    "search_articles",
    "export_articles",
    "reap_dead",
    "pause_schedule",
    "pick_outlets",
    "resume_schedule",
    "run_log_file",
    "run_record",
    "run_summary",
    "schedule_entries",
    "sync_outlets",
    "sync_schedules",
]
