"""`akhbar crawl` and `akhbar export` as a person types them, in a child process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from crawler.demosite import DemoSite, expected_articles
from tests.support import write_demo_config

AKHBAR = Path(sys.executable).with_name("akhbar")
EXPORT_FIELDS = {"url", "outlet", "language", "title", "author", "published", "text",
                 "captured_at", "warc_file", "warc_offset", "warc_length", "version"}


def run(args: list[str], home: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
    env.update(AKHBAR_HOME=str(home), AKHBAR_CONFIG=str(config))
    return subprocess.run([str(AKHBAR), *args], capture_output=True, text=True, env=env,
                          timeout=300)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_crawl_a_dead_outlet_fails_and_the_others_go_on(tmp_path: Path) -> None:
    config, home = tmp_path / "config", tmp_path / "data"
    with DemoSite(port=0) as site:
        write_demo_config(config, site.base_url, ["demo_ar1256"])
        dead = f"http://127.0.0.1:{free_port()}"
        (config / "outlets" / "dead_outlet.yaml").write_text(
            "id: dead_outlet\nname: Dead\nhomepage: " + dead + "/\nlanguages: [en]\n"
            "discovery: {feeds: [" + dead + "/feed.xml]}\n"
            "politeness: {delay: 0}\n", encoding="utf-8")
        result = run(["crawl", "demo_ar1256", "dead_outlet"], home, config)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "succeeded" in lines["demo_ar1256"]
    assert "failed" in lines["dead_outlet"]
    assert "no page could be fetched" in result.stdout

    exported = run(["export", "--format", "jsonl", "--outlet", "demo_ar1256"], home, config)
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    want = [a for a in expected_articles(1) if a.outlet == "demo_ar1256"]
    assert len(records) == len(want)
    for rec in records:
        assert EXPORT_FIELDS <= set(rec)
        assert rec["language"] == "ar" and rec["version"] == 1
        assert (home / "warcs" / rec["warc_file"]).exists()


def test_crawl_unknown_outlet_says_so(tmp_path: Path) -> None:
    config = tmp_path / "config"
    (config / "outlets").mkdir(parents=True)
    result = run(["crawl", "no_such_outlet"], tmp_path / "data", config)
    assert result.returncode == 1
    assert "no outlet 'no_such_outlet'" in result.stderr


def test_export_filters_by_language_and_since(tmp_path: Path) -> None:
    config, home = tmp_path / "config", tmp_path / "data"
    with DemoSite(port=0) as site:
        write_demo_config(config, site.base_url, ["demo_en", "demo_fa"])
        crawl = run(["crawl", "--all"], home, config)
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    fa = run(["export", "--lang", "fa"], home, config)
    fa_records = [json.loads(x) for x in fa.stdout.splitlines()]
    assert fa_records and {r["outlet"] for r in fa_records} == {"demo_fa"}
    assert len(fa_records) == sum(1 for a in expected_articles(1) if a.outlet == "demo_fa")
    later = run(["export", "--since", "2999-01-01"], home, config)
    assert later.returncode == 0 and later.stdout == ""
    bad = run(["export", "--since", "yesterday"], home, config)
    assert bad.returncode != 0 and "not an ISO date" in bad.stderr


def test_foreground_crawl_never_overlaps_a_running_run(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from crawler import service
    from crawler.catalog import Run
    from crawler.context import open_context
    from crawler.runs import OwnerId

    config = write_demo_config(tmp_path / "config", "http://127.0.0.1:9", ["demo_en"])
    ctx = open_context(config, tmp_path / "data", env={})
    with ctx.catalog.session() as session:
        # held by a live owner (this test's process)
        session.add(Run(id="busy-run", outlet_id="demo_en", trigger="schedule",
                        status="running", queued_at=datetime.now(UTC), stats={},
                        owner=str(OwnerId.me()), host=OwnerId.me().host))
    targets, _ = service.pick_outlets(ctx, ["demo_en"])
    report = service.crawl(ctx, targets)
    assert [o.status for o in report.outcomes] == ["skipped"]
    assert "busy-run" in (report.outcomes[0].reason or "") and not report.ok


def test_runs_list_show_and_log(tmp_path: Path) -> None:
    config, home = tmp_path / "config", tmp_path / "data"
    with DemoSite(port=0) as site:
        write_demo_config(config, site.base_url, ["demo_fa"])
        assert run(["crawl", "demo_fa"], home, config).returncode == 0
    listed = run(["runs", "list", "--json"], home, config)
    assert listed.returncode == 0, listed.stderr
    (record,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert record["outlet"] == "demo_fa" and record["status"] == "succeeded"
    shown = json.loads(run(["runs", "show", record["id"]], home, config).stdout)
    assert shown["summary"]["languages"] == {"fa": record["articles_new"]}
    log = run(["runs", "log", record["id"]], home, config)
    assert log.returncode == 0 and "fetched 200" in log.stdout
    raw = run(["runs", "log", "--raw", record["id"]], home, config)
    lines = [json.loads(x) for x in raw.stdout.splitlines()]
    assert {x["run_id"] for x in lines} == {record["id"]}
    missing = run(["runs", "log", "no-such-run"], home, config)
    assert missing.returncode == 1 and "no run 'no-such-run'" in missing.stderr
