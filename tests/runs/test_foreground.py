"""A foreground `akhbar crawl` as a person runs it: stopped with SIGINT or SIGTERM, killed
(the parent alone, or the whole tree), cancelled from another terminal, watched while it runs.
Afterwards no run is left `running`, every archived response has its catalog row, and the
next run of the outlet works."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive import iter_records, verify_file
from crawler.catalog import Capture, Run
from crawler.context import AkhbarContext, open_context
from crawler.runs import pid_alive
from tests.scheduler.helpers import SlowSite, outlet_yaml, release_once_closing, wait_for

AKHBAR = Path(sys.executable).with_name("akhbar")


class Terminal:
    """Runs `akhbar` commands with one config and data directory, as a person would."""

    def __init__(self, tmp: Path, site: SlowSite) -> None:
        self.site = site
        self.config, self.home = tmp / "config", tmp / "data"
        (self.config / "outlets").mkdir(parents=True)
        (self.config / "akhbar.yaml").write_text("max_concurrent_crawls: 2\n")
        (self.config / "outlets" / "slow.yaml").write_text(outlet_yaml("slow", site.base_url))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
        self.env.update(AKHBAR_HOME=str(self.home), AKHBAR_CONFIG=str(self.config))
        self.ctx: AkhbarContext = open_context(self.config, self.home, env={})

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([str(AKHBAR), *args], env=self.env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(AKHBAR), *args], env=self.env, capture_output=True,
                              text=True, timeout=180)

    def runs(self) -> list[Run]:
        with self.ctx.catalog.session() as session:
            return list(session.query(Run).order_by(Run.queued_at))

    def fetched(self, run: Run) -> int:
        log = self.home / "runs" / f"{run.id}.log"
        if not log.exists():
            return 0
        return sum('"event": "fetched"' in line for line in log.read_text().splitlines())

    def running_with(self, pages: int) -> Run | None:
        """The running run once it has fetched ``pages`` pages."""
        for run in self.runs():
            if run.status == "running" and run.pid and self.fetched(run) >= pages:
                return run
        return None

    def crawl_until(self, pages: int) -> tuple[subprocess.Popen[str], Run]:
        """`akhbar crawl slow`, once its run has fetched ``pages`` pages (the site then holds
        its next page: the crawl is still running, however slow the machine)."""
        proc = self.start("crawl", "slow")
        assert wait_for(lambda: self.running_with(pages) is not None, 180), proc.args
        run = self.running_with(pages)
        assert run is not None and run.pid is not None
        return proc, run

    def stopped(self, proc: subprocess.Popen[str], run: Run) -> tuple[str, str]:
        """What a command that stops ``run`` printed, once the crawl was told to stop and
        the site answered the page it held (a graceful close waits for it)."""
        release_once_closing(self.site, self.home, run.id)
        return proc.communicate(timeout=180)

    def captures(self, run_id: str) -> int:
        with self.ctx.catalog.session() as session:
            return session.query(Capture).filter(Capture.run_id == run_id).count()


@pytest.fixture
def site() -> Iterator[SlowSite]:
    # Four article pages, then the site holds the next one until the test releases it.
    with SlowSite(delay=0.4, pages=15, held_after=4) as slow:
        yield slow


@pytest.fixture
def term(tmp_path: Path, site: SlowSite) -> Iterator[Terminal]:
    t = Terminal(tmp_path, site)
    yield t
    for run in t.runs():  # a crawl a failed check left behind
        if run.pid and pid_alive(run.pid):
            os.kill(run.pid, signal.SIGKILL)
    t.ctx.close()


def assert_nothing_lost(term: Terminal, run: Run) -> None:
    assert not [r for r in term.runs() if r.status in ("queued", "running")]
    assert run.pid is not None and not pid_alive(run.pid)
    assert not list((term.home / "warcs").rglob("*.open"))
    responses = sum(1 for path in (term.home / "warcs").rglob("*.warc.gz")
                    for _, _, rec in iter_records(path) if rec.rec_type == "response")
    with term.ctx.catalog.session() as session:
        rows = session.query(Capture).filter(Capture.record_type == "response").count()
    assert rows == responses, (rows, responses)


def assert_next_run_works(term: Terminal) -> None:
    again = term.run("crawl", "slow")
    assert again.returncode == 0, again.stdout + again.stderr
    assert term.runs()[-1].status == "succeeded"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stopped_foreground_crawl_records_its_run_cancelled(term: Terminal,
                                                              sig: int) -> None:
    proc, run = term.crawl_until(3)
    proc.send_signal(sig)
    out, err = term.stopped(proc, run)
    assert proc.returncode == 130, out + err
    assert "cancelled" in err
    (done,) = term.runs()
    assert done.status == "cancelled" and done.ended_at is not None, done.reason
    assert done.pages >= 3 and term.captures(done.id) >= 3
    assert_nothing_lost(term, done)
    assert_next_run_works(term)


def test_a_killed_parent_leaves_its_crawl_to_finish_and_be_recorded(term: Terminal) -> None:
    proc, run = term.crawl_until(2)
    crawl_pid = run.pid or 0
    proc.kill()
    proc.communicate(timeout=30)
    assert pid_alive(crawl_pid)  # the crawl goes on by itself
    term.site.release()
    assert wait_for(lambda: not pid_alive(crawl_pid), 180)
    listed = term.run("runs", "list")  # the next one that looks records the end
    assert listed.returncode == 0, listed.stderr
    (done,) = term.runs()
    assert done.status == "succeeded" and done.pages > 2, (done.status, done.reason)
    assert_nothing_lost(term, done)
    assert_next_run_works(term)


def test_a_killed_tree_is_ended_with_its_reason_and_its_warc_closed(term: Terminal) -> None:
    proc, run = term.crawl_until(3)
    crawl_pid = run.pid or 0
    proc.kill()
    os.kill(crawl_pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    term.site.release()
    assert wait_for(lambda: not pid_alive(crawl_pid), 60)
    listed = term.run("runs", "list")
    assert listed.returncode == 0
    (done,) = term.runs()
    assert done.status == "failed" and "killed or crashed" in (done.reason or ""), done.reason
    assert not list((term.home / "warcs").rglob("*.open"))
    for path in (term.home / "warcs").rglob("*.warc.gz"):
        assert verify_file(path) == [], path
    assert_next_run_works(term)


def test_cancel_from_another_terminal_stops_a_foreground_crawl(term: Terminal) -> None:
    proc, run = term.crawl_until(2)
    cancel = term.start("runs", "cancel", run.id)  # waits for the run's end
    said, why = term.stopped(cancel, run)
    assert cancel.returncode == 0 and f"{run.id}: cancelled" in said, said + why
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 1, out + err  # a run that did not succeed
    (done,) = term.runs()
    assert done.status == "cancelled" and done.cancel_requested_at is not None
    assert_nothing_lost(term, done)


def test_runs_show_has_live_figures_while_the_crawl_runs(term: Terminal) -> None:
    proc, run = term.crawl_until(4)
    try:

        def live() -> dict[str, Any] | None:
            shown = term.run("runs", "show", run.id)
            record: dict[str, Any] = json.loads(shown.stdout)
            return record if record["status"] == "running" and record["pages"] >= 2 else None

        assert wait_for(lambda: live() is not None, 120, 0.5)
        record = live()
        assert record is not None and record["progress_at"] and record["bytes_received"] > 0
        assert record["summary"]["warc_files"], record["summary"]
    finally:
        proc.send_signal(signal.SIGINT)
        term.stopped(proc, run)
