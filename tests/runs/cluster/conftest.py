"""Fixtures of the cluster tests: brokers (cleaned up after each test) and a cluster."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.runs.cluster.brokers import (
    TEST_DB,
    RabbitVhost,
    RedisServer,
    clean_redis,
    rabbit_answers,
    redis_answers,
)
from tests.runs.cluster.harness import Cluster


@pytest.fixture(scope="session")
def redis_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The machine's Redis (database 11), or Debian's redis-server on a free port when none
    answers on 6379."""
    if redis_answers(6379):
        yield f"redis://127.0.0.1:6379/{TEST_DB}"
        return
    if not RedisServer.available():
        pytest.fail("no Redis answers on 127.0.0.1:6379 and redis-server is not installed; "
                    "`sh tests/ensure-services.sh` installs it (apt-get install redis-server)")
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server.url
    finally:
        server.stop()


def _queue() -> str:
    return f"akhbar.test.{secrets.token_hex(4)}"


@pytest.fixture
def redis_cluster(tmp_path: Path, pg_url: str, redis_base: str) -> Iterator[Cluster]:
    cluster = Cluster(tmp_path, pg_url, redis_base, _queue())
    try:
        yield cluster
    finally:
        cluster.close()
        clean_redis(redis_base, cluster.queue)


@pytest.fixture
def rabbit_vhost() -> Iterator[RabbitVhost]:
    if not rabbit_answers():
        pytest.skip("no RabbitMQ on 127.0.0.1:5672 (`sh tests/ensure-services.sh` starts an "
                    "installed rabbitmq-server)")
    if not RabbitVhost.can_make():
        pytest.skip("rabbitmqctl cannot reach the RabbitMQ node to make a test vhost")
    vhost = RabbitVhost().create()
    try:
        yield vhost
    finally:
        vhost.delete()


@pytest.fixture
def rabbit_cluster(tmp_path: Path, pg_url: str, rabbit_vhost: RabbitVhost
                   ) -> Iterator[Cluster]:
    cluster = Cluster(tmp_path, pg_url, rabbit_vhost.url, _queue())
    try:
        yield cluster
    finally:
        cluster.close()
