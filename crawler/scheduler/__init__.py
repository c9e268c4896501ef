"""Scheduled crawls: APScheduler jobs per outlet (``crawl:<outlet>``) that queue runs, and the
dispatcher that starts queued runs as child processes within the concurrency cap."""

from crawler.scheduler.dispatcher import RunDispatcher
from crawler.scheduler.jobs import crawl_job, job_id, job_signature, make_trigger
from crawler.scheduler.service import SchedulerService, ServiceAlreadyRunning, make_scheduler

__all__ = [
    "RunDispatcher",
    "SchedulerService",
    "ServiceAlreadyRunning",
    "crawl_job",
    "job_id",
    "job_signature",
    "make_scheduler",
    "make_trigger",
]
