"""The catalog database unavailable for a while during a service run (`make test-faults`):
the SQLite file locked by another process for a few seconds, or every PostgreSQL connection
of the service and its crawl terminated. The run and the service go on, the catalog ends with
every article of the crawl, and the wait is logged in words."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest

from crawler.demosite import DemoSite
from tests.faults.pgrelay import PgRelay
from tests.faults.test_kill_points import SLOW, Archive
from tests.scheduler.helpers import Service, free_port, wait_for

pytestmark = pytest.mark.faults

PG_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(port=0) as demo:
        yield demo


def serve(archive: Archive, tmp_path: Path, database_url: str) -> Service:
    service = Service(tmp_path, free_port())
    service.args = ("--port", str(service.port))
    service.env.update(archive.env, AKHBAR_DATABASE_URL=database_url)
    archive.env["AKHBAR_DATABASE_URL"] = database_url
    archive.database_url = database_url
    service.start()
    return service


def run_with_outage(archive: Archive, service: Service, outage: object) -> dict[str, object]:
    """Start a run of demo_en, cause ``outage()`` once it has fetched a few pages, and return
    the run's row when it has ended."""
    run_id = service.call("POST", "/runs", {"outlet": "demo_en"})["id"]
    assert wait_for(lambda: archive.fetched() >= 4, 120, 0.05)
    assert callable(outage)
    outage()
    assert wait_for(lambda: service.runs()[run_id]["status"] not in ("queued", "running"),
                    180, 0.2)
    assert service.proc is not None and service.proc.poll() is None, "the service died"
    assert service.get("/healthz") is not None
    return service.runs()[run_id]


def logged(archive: Archive, service: Service) -> str:
    logs = [service.log, *(archive.home / "runs").glob("*")]
    return "\n".join(p.read_text(errors="replace") for p in logs if p.is_file())


def test_a_locked_sqlite_catalog_is_waited_for(site: DemoSite, tmp_path: Path) -> None:
    archive = Archive(tmp_path, site.base_url)
    assert SLOW in (archive.config / "outlets" / "demo_en.yaml").read_text()
    catalog = tmp_path / "catalog.sqlite"
    service = serve(archive, tmp_path, f"sqlite:///{catalog}")
    try:
        said = "the catalog database is locked by another process"

        def lock() -> None:
            holder = sqlite3.connect(catalog, timeout=30, isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")
            # Held until the crawl has met it and said so (at least 3 s), at most a minute.
            held = time.monotonic()
            waited = wait_for(lambda: said in logged(archive, service), 60, 0.2)
            time.sleep(max(0.0, 3 - (time.monotonic() - held)))
            holder.execute("COMMIT")
            holder.close()
            assert waited, logged(archive, service)[-3000:]

        run = run_with_outage(archive, service, lock)
        assert run["status"] == "succeeded", run
        urls, rows = archive.articles()
        assert len(urls) == 7 and rows == 7
        assert "trying again in" in logged(archive, service)
    finally:
        service.close()


def backends_of(pids: set[int]) -> list[int]:
    """The PostgreSQL client ports of these processes and their children."""
    ports = []
    for pid in pids:
        try:
            procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for proc in procs:
            try:
                conns = proc.net_connections(kind="tcp")
            except psutil.Error:
                continue
            ports += [c.laddr.port for c in conns if c.raddr and c.raddr.port == 5432]
    return ports


@pytest.mark.postgres
def test_terminated_postgresql_connections_are_retried(site: DemoSite, tmp_path: Path,
                                                       pg_url: str) -> None:
    archive = Archive(tmp_path, site.base_url)
    service = serve(archive, tmp_path, pg_url)
    killed: list[int] = []
    try:
        def terminate() -> None:
            assert service.proc is not None
            # Twice, a second apart: connections idle in a pool and ones in use.
            for _ in range(2):
                ports = backends_of({service.proc.pid})
                with psycopg.connect(PG_DSN, autocommit=True) as conn:
                    killed.extend(row[0] for row in conn.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE client_addr = '127.0.0.1' AND client_port = ANY(%s)",
                        (ports,)))
                time.sleep(1)

        run = run_with_outage(archive, service, terminate)
        assert killed and all(killed)
        assert run["status"] == "succeeded", run
        urls, rows = archive.articles()
        assert len(urls) == 7 and rows == 7
        assert "the connection to the catalog database was lost" in logged(archive, service)
    finally:
        service.close()


@pytest.mark.postgres
def test_the_service_rides_out_postgresql_going_away(site: DemoSite, tmp_path: Path,
                                                    pg_url: str) -> None:
    """PostgreSQL away for 10 s or more (every connection cut, new ones refused: a restart),
    with a run in flight: the service's run owner waits it out and says so, an API request
    meanwhile gets a 503 in words, and the run ends recorded with every article."""
    relay = PgRelay()
    archive = Archive(tmp_path, site.base_url)
    service = serve(archive, tmp_path, relay.url(pg_url))
    answers: list[tuple[int, str]] = []
    said = "run owner: the connection to the catalog database was lost"
    try:
        def restart() -> None:
            relay.down()
            away = time.monotonic()
            try:
                service.get("/runs")
                answers.append((200, ""))
            except urllib.error.HTTPError as exc:
                answers.append((exc.code, json.loads(exc.read())["detail"]))
            waited = wait_for(lambda: said in logged(archive, service), 60, 0.2)
            time.sleep(max(0.0, 10 - (time.monotonic() - away)))
            relay.up()
            assert waited, logged(archive, service)[-3000:]

        run = run_with_outage(archive, service, restart)
        assert run["status"] == "succeeded", run
        urls, rows = archive.articles()
        assert len(urls) == 7 and rows == 7
        ((code, detail),) = answers
        assert code == 503 and "the connection to the catalog database was lost" in detail
        assert "try again" in detail
    finally:
        service.close()
        relay.close()
