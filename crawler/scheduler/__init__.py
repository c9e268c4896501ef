"""Scheduled crawls: APScheduler jobs per outlet (``crawl:<outlet>``) that queue runs, and the
service that runs them through its run owner (crawler.runs) within the concurrency cap."""

from crawler.scheduler.jobs import crawl_job, job_id, job_signature, make_trigger
from crawler.scheduler.lock import ServiceAddress, ServiceLock, locate
from crawler.scheduler.service import SchedulerService, make_scheduler

__all__ = [
    "SchedulerService",
    "ServiceAddress",
    "ServiceLock",
    "crawl_job",
    "job_id",
    "job_signature",
    "locate",
    "make_scheduler",
    "make_trigger",
]
