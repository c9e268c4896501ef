"""The broker side of the ``celery`` executor: the Celery app (Redis by default, RabbitMQ
too), publishing a run as a task, and how many runs wait in the queue.

A message carries only a run id. The catalog is the record of every run: a message lost (a
broker restarted without persistence) is published again from the catalog, and one delivered
twice is harmless, since a worker takes a run with one conditional write
(:meth:`crawler.runs.records.RunBook.take`).

**Acknowledgement.** A run's task is acknowledged when it starts (``acks_late`` off), and the
first thing it does is take the run in the catalog. So a long crawl never holds an unacked
message: Redis's visibility timeout and RabbitMQ's ``consumer_timeout`` (30 min by default)
cannot hand a running crawl to a second worker. A worker that dies mid-run leaves a run whose
heartbeat stops: the service fails it (crawler.runs.reaper), and the outlet runs again at its
next trigger. Only a message a worker reserved but has not started yet is unacked; with a
prefetch of one per slot and the service publishing no more runs than its cap, that is a
message waiting for a worker's slot to free.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from celery import Celery
from kombu.exceptions import OperationalError

from crawler.catalog.db import redact_url
from crawler.context import AkhbarContext
from crawler.errors import ConfigError, RunError

logger = logging.getLogger(__name__)

#: The task a run becomes; its one argument is the run id.
RUN_TASK = "akhbar.run"


def broker_url(ctx: AkhbarContext) -> str:
    """``AKHBAR_BROKER_URL`` (it may hold a password), else ``celery.broker_url``."""
    return ctx.env.get("AKHBAR_BROKER_URL") or ctx.service.celery.broker_url


def shown_broker(ctx: AkhbarContext) -> str:
    return redact_url(broker_url(ctx))


def require_shared_catalog(ctx: AkhbarContext, who: str) -> None:
    """Workers on other hosts share the catalog: a SQLite file cannot be shared."""
    if ctx.database_url.startswith("sqlite"):
        raise ConfigError(
            f"{who} needs the catalog in PostgreSQL, shared by the service and every worker, "
            f"and this catalog is a SQLite file ({redact_url(ctx.database_url)})",
            field="database_url",
            hint="Set database_url in config/akhbar.yaml (or AKHBAR_DATABASE_URL) to e.g. "
            "postgresql+psycopg://akhbar:PASSWORD@db-host:5432/akhbar on every host, or use "
            "executor: shared on one host")


def celery_app(ctx: AkhbarContext) -> Celery:
    """The Celery app of the service and of every worker; the same settings on both sides."""
    cfg = ctx.service.celery
    app = Celery("akhbar", broker=broker_url(ctx), set_as_current=False)
    app.conf.update(
        task_default_queue=cfg.queue,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=False,
        worker_prefetch_multiplier=1,
        # Redis: a worker reserves no message beyond its free slots, so a run waits in the
        # queue for whichever worker frees a slot first (RabbitMQ: one per slot).
        worker_disable_prefetch=broker_url(ctx).startswith(("redis", "rediss")),
        # Runs are steered through the catalog (cancel is its flag), not Celery's remote
        # control: no broadcast queue per worker.
        worker_enable_remote_control=False,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=5,
        broker_transport_options={
            "visibility_timeout": int(cfg.visibility_timeout.total_seconds())},
        # A run published while the broker is down fails fast: the service publishes it
        # again on its next round, from the catalog.
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0.5,
                                   "interval_step": 0.5, "interval_max": 1},
    )
    return app


@dataclass
class Publisher:
    """Publishes runs to the queue and reads its length."""

    app: Celery
    queue: str
    shown: str  # the broker URL without its password, for messages

    @classmethod
    def of(cls, ctx: AkhbarContext) -> Publisher:
        return cls(celery_app(ctx), ctx.service.celery.queue, shown_broker(ctx))

    def publish(self, run_id: str) -> None:
        try:
            self.app.send_task(RUN_TASK, args=[run_id], queue=self.queue)
        except (OperationalError, OSError) as exc:
            raise RunError(f"cannot publish run {run_id} to the broker at {self.shown}: "
                           f"{exc}") from exc

    def waiting(self) -> int | None:
        """How many runs wait in the queue (not counting those workers reserved); None when
        the broker cannot be asked."""
        try:
            with self.app.connection_for_read() as conn:
                conn.ensure_connection(max_retries=1)
                try:
                    ok = conn.default_channel.queue_declare(queue=self.queue, passive=True)
                except Exception as exc:  # the queue does not exist (yet, or any more)
                    logger.debug("queue %s: %s", self.queue, exc)
                    return 0
                return int(ok.message_count)
        except (OperationalError, OSError) as exc:
            logger.warning("cannot read the queue %s at %s: %s", self.queue, self.shown, exc)
            return None

    def close(self) -> None:
        self.app.close()
