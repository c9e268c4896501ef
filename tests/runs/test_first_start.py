"""What a foreground `akhbar crawl` does before its first crawl is sent on its way (the
StartRun command to its shared crawl process), and what waits until after it: Alembic (a
new catalog is made from crawler.catalog.headschema), the alert watcher, rich, the WARC
library, the service's client, the article tables, and the cyclic collector."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.cli import crawl as crawl_cli
from crawler.context import open_context
from crawler.service.crawls import CrawlReport
from tests.support import python_output, write_demo_config

#: Imported only after the first StartRun, if at all.
LATER = ("alembic", "rich", "crawler.ops.watcher", "crawler.ops.store", "archive", "warcio",
         "crawler.cli.remote", "crawler.cli.progress", "crawler.catalog.archived",
         "sqlalchemy.dialects.postgresql")

_UP_TO_FIRST_START = """
import gc, json, os, sys
collections = []
gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(info))
import crawler.runs.hosted as hosted
from crawler.cli import entry
send = hosted.SharedProcess.send
def spy(self, command):
    send(self, command)
    if isinstance(command, hosted.StartRun):
        print(json.dumps({"imported": [m for m in LATER if m in sys.modules],
                          "collections": len(collections), "collector_on": gc.isenabled(),
                          "run": command.run_id}), flush=True)
        self.process.kill()
        os._exit(0)
hosted.SharedProcess.send = spy
collections.clear()
entry.main(["--config", CONFIG, "--home", HOME, "crawl", "--all"])
"""


@pytest.mark.parametrize("catalog", ["new", "existing"])
def test_a_foreground_crawl_sends_its_first_run_before_what_it_needs_later(
        tmp_path: Path, catalog: str) -> None:
    # Nothing listens on port 9 of the loopback: the crawl never gets that far anyway.
    config = write_demo_config(tmp_path / "config", "http://127.0.0.1:9/", ["demo_en"])
    home = tmp_path / "data"
    if catalog == "existing":
        open_context(config, home, env={}).catalog.dispose()
    code = (f"LATER = {LATER!r}\nCONFIG = {str(config)!r}\nHOME = {str(home)!r}\n"
            + _UP_TO_FIRST_START)
    seen = json.loads(python_output(code).splitlines()[-1])
    assert seen["imported"] == []
    assert seen["run"].split("-")[1] == "demo_en"
    # The collector was off from the command's start to its first StartRun.
    assert seen["collections"] == 0 and seen["collector_on"] is False


def test_the_startup_collector_freezes_the_start_up_at_the_first_round() -> None:
    out = python_output(
        "import gc\nfrom crawler.cli.entry import StartupCollector\n"
        "held = StartupCollector()\noff = not gc.isenabled()\n"
        "held.release()\nheld.close()\n"
        "print(off, gc.isenabled(), gc.get_freeze_count() > 1000)\n"
        "gc.unfreeze()\nended = StartupCollector()\nended.close()\n"
        "print(gc.isenabled(), gc.get_freeze_count())\n")
    assert out.split() == ["True", "True", "True", "True", "0"]


def test_run_crawl_calls_started_once_at_the_first_round(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.service as service

    rounds: list[int] = []

    def crawl(ctx: object, targets: object, **kw: object) -> CrawlReport:
        on_progress = kw["on_progress"]
        assert callable(on_progress)
        assert rounds == []  # nothing before the owner's first round
        on_progress([])
        on_progress([])
        return CrawlReport()

    monkeypatch.setattr(service, "crawl", crawl, raising=False)
    monkeypatch.setattr(crawl_cli, "make_executor", lambda *a, **k: None)
    ctx = open_context(write_demo_config(tmp_path / "config", "http://127.0.0.1:9/"),
                       tmp_path / "data", env={})
    assert crawl_cli.run_crawl(ctx, [], "manual", None, lambda: rounds.append(1))
    assert rounds == [1]
