"""Scheduled crawls: APScheduler jobs per outlet (``crawl:<outlet>``) that queue runs, and the
service that runs them through its run owner (crawler.runs) within the concurrency cap.

The service itself is :mod:`crawler.scheduler.service` (``SchedulerService``); it is not
imported here, so finding a running service (:mod:`crawler.scheduler.lock`, which every CLI
command may do) does not import APScheduler's schedulers, the search index or celery.
"""

from crawler.scheduler.jobs import crawl_job, job_id, job_signature, make_trigger
from crawler.scheduler.lock import ServiceAddress, ServiceLock, locate

__all__ = [
    "ServiceAddress",
    "ServiceLock",
    "crawl_job",
    "job_id",
    "job_signature",
    "locate",
    "make_trigger",
]
