"""The ``celery`` executor: runs go through a broker (Redis or RabbitMQ) to `akhbar worker`
processes on any number of hosts, sharing one PostgreSQL catalog and one data directory.

- :mod:`.broker`: the Celery app, publishing a run, the queue's length; why a task is
  acknowledged when it starts.
- :mod:`.dispatch`: the service's side (:class:`RunDispatcher`): publishes queued runs under
  the global cap, publishes again what a broker lost, fails the runs of dead workers.
- :mod:`.worker`: `akhbar worker` (:class:`CrawlWorker`): takes a run in the catalog, runs it
  through a run owner of its own, polls cancels, beats its heartbeat.
"""

from crawler.runs.cluster.broker import (
    RUN_TASK,
    Publisher,
    broker_url,
    celery_app,
    require_shared_catalog,
)
from crawler.runs.cluster.dispatch import RunDispatcher, cluster_timings
from crawler.runs.cluster.worker import CrawlWorker, RunTaskResult, slots_default

__all__ = [
    "RUN_TASK",
    "CrawlWorker",
    "Publisher",
    "RunDispatcher",
    "RunTaskResult",
    "broker_url",
    "celery_app",
    "cluster_timings",
    "require_shared_catalog",
    "slots_default",
]
