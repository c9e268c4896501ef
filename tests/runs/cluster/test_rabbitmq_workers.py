"""The celery executor over RabbitMQ (a vhost of the test's own): a run goes through a real
worker, and runs whose messages the broker lost (its vhost deleted and made again) are
published again from the catalog and run once each."""

from __future__ import annotations

from crawler.runs import FINAL_STATES
from crawler.runs.cluster import RunDispatcher
from tests.runs.cluster.brokers import RabbitVhost
from tests.runs.cluster.harness import Cluster
from tests.scheduler.helpers import SlowSite, outlet_yaml, runs_of, wait_for


def test_runs_through_rabbitmq_and_none_lost_with_the_broker_s_queue(
        rabbit_cluster: Cluster, rabbit_vhost: RabbitVhost) -> None:
    with SlowSite(delay=0.05, pages=4) as site:
        rabbit_cluster.configure({o: outlet_yaml(o, site.base_url) for o in ("one", "two")})
        ctx = rabbit_cluster.context()
        dispatcher = RunDispatcher(ctx)
        try:
            runs = [dispatcher.enqueue(o, "service") for o in ("one", "two")]
            dispatcher.tick()
            assert set(dispatcher.published) == {r.id for r in runs}
            assert dispatcher.publisher.waiting() == 2
            rabbit_vhost.lose()  # the queue and its two messages are gone
            assert dispatcher.publisher.waiting() == 0
            worker = rabbit_cluster.start_worker("host-r")
            assert wait_for(lambda: all(r.status in FINAL_STATES for r in runs_of(ctx)), 120,
                            0.2, dispatcher.tick), worker.text()[-3000:]
            assert [r.status for r in runs_of(ctx)] == ["succeeded", "succeeded"]
            assert [r.host for r in runs_of(ctx)] == ["host-r", "host-r"]
            assert sorted(worker.took()) == sorted(r.id for r in runs)
            assert "amqp://guest:**@127.0.0.1:5672" in worker.text()
        finally:
            dispatcher.stop()
            ctx.close()
