"""A cluster on one machine for the tests: a config and data directory shared by the service
and the workers (as a mounted directory would be), a PostgreSQL schema, a broker, and
`akhbar worker` processes, each in a session of its own under a host name of its own
(``--hostname``), so that killing one kills its crawls too, as a host that dies would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from crawler.catalog.outlets import sync_outlets
from crawler.context import AkhbarContext
from crawler.outlets import load_outlets
from tests.scheduler.helpers import make_ctx, wait_for

AKHBAR = Path(sys.executable).with_name("akhbar")


@dataclass
class Worker:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def took(self) -> list[str]:
        """The runs this worker took, from its log."""
        return [line.rsplit(" ", 1)[1] for line in self.text().splitlines()
                if "crawler.runs.cluster.worker: took run " in line]

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and every process of its session (its crawls)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(30)

    def stop(self, timeout: float = 60) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)


@dataclass
class Cluster:
    tmp: Path
    database_url: str
    broker_url: str
    queue: str
    workers: list[Worker] = field(default_factory=list)

    def configure(self, outlets: dict[str, str], *, cap: int = 4, dead_after: str = "6s",
                  republish_after: str = "2s", worker_executor: str = "shared") -> None:
        """``outlets``: outlet id -> its YAML."""
        (self.tmp / "config" / "outlets").mkdir(parents=True, exist_ok=True)
        (self.tmp / "config" / "akhbar.yaml").write_text(
            f"executor: celery\nmax_concurrent_crawls: {cap}\n"
            f"celery:\n  queue: {self.queue}\n  worker_executor: {worker_executor}\n"
            f"  dead_after: {dead_after}\n  republish_after: {republish_after}\n",
            encoding="utf-8")
        for oid, text in outlets.items():
            (self.tmp / "config" / "outlets" / f"{oid}.yaml").write_text(text, encoding="utf-8")

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
        env.update(AKHBAR_HOME=str(self.tmp / "data"), AKHBAR_CONFIG=str(self.tmp / "config"),
                   AKHBAR_DATABASE_URL=self.database_url, AKHBAR_BROKER_URL=self.broker_url)
        return env

    def context(self) -> AkhbarContext:
        ctx = make_ctx(self.tmp, self.database_url)
        ctx.env = {**ctx.env, "AKHBAR_BROKER_URL": self.broker_url}
        sync_outlets(ctx.catalog, list(load_outlets(ctx.config_dir).outlets.values()))
        return ctx

    def start_worker(self, name: str, slots: int = 2) -> Worker:
        log = self.tmp / f"worker-{name}.log"
        with log.open("ab") as out:
            proc = subprocess.Popen([str(AKHBAR), "worker", "-c", str(slots), "--hostname", name],
                                    env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        worker = Worker(name, proc, log)
        self.workers.append(worker)
        assert wait_for(lambda: "ready." in worker.text() or proc.poll() is not None, 60, 0.1)
        assert proc.poll() is None, worker.text()
        return worker

    def close(self) -> None:
        for worker in self.workers:
            if worker.proc.poll() is None:
                worker.kill()

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(AKHBAR), *args], env=self.env, capture_output=True,
                              text=True, timeout=120)
