"""The brokers the cluster tests use: Redis (the machine's on 6379, a database number of our
own; else Debian's redis-server started on a free port) and RabbitMQ (a vhost of our own,
else unique queue names on the default vhost), each cleaned up after the test."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

#: The Redis database the tests use on a shared server, so they touch nobody else's keys.
TEST_DB = 11


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_answers(port: int) -> bool:
    try:
        return bool(redis.Redis(host="127.0.0.1", port=port, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@dataclass
class RedisServer:
    """Debian's redis-server on a port of its own, keeping nothing on disk (as the machine's
    does): a restart loses every queued message."""

    workdir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/{TEST_DB}"

    def start(self) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 20
        while not redis_answers(self.port):
            assert self.proc.poll() is None, "redis-server exited at start"
            assert time.monotonic() < end, f"redis-server did not answer on {self.port}"
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()


def clean_redis(url: str, queue: str) -> None:
    """Remove the keys of ``queue`` (kombu's list, bindings and unacked entries)."""
    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
        for member in client.zrange("_kombu.binding_deadlines", 0, -1):
            if queue.encode() in member:
                client.zrem("_kombu.binding_deadlines", member)
    except redis.RedisError:
        pass  # a server the test stopped


@dataclass
class RabbitVhost:
    """A vhost of the test's own on the machine's RabbitMQ (guest/guest), deleted afterwards;
    ``lose()`` deletes and re-creates it, as a broker that lost its queues."""

    name: str = field(default_factory=lambda: f"akhbar-test-{secrets.token_hex(4)}")

    @staticmethod
    def rabbitmqctl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True,
                              timeout=60)

    @classmethod
    def can_make(cls) -> bool:
        return shutil.which("rabbitmqctl") is not None and \
            cls.rabbitmqctl("list_vhosts").returncode == 0

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:5672/{self.name}"

    def create(self) -> RabbitVhost:
        for args in (("add_vhost", self.name),
                     ("set_permissions", "-p", self.name, "guest", ".*", ".*", ".*")):
            done = self.rabbitmqctl(*args)
            assert done.returncode == 0, done.stderr
        return self

    def delete(self) -> None:
        self.rabbitmqctl("delete_vhost", self.name)

    def lose(self) -> None:
        self.delete()
        self.create()


def rabbit_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=2):
            return True
    except OSError:
        return False
