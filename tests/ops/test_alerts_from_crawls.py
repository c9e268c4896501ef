"""Alerts from real crawls of the demo site and a slow site on 127.0.0.1: a dead host, a
"redesign" that leaves the article rules matching nothing, a yield drop, an outlet with no
success in a day (and one that never succeeded). Each is seen in `akhbar alerts`, once on a
webhook, in /metrics, and then seen to clear. The watcher is driven by hand, with ``now``
given where a day must pass."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from crawler.context import AkhbarContext
from crawler.demosite import DemoSite, outlet_yaml
from crawler.ops.funnel import RunFunnel
from crawler.ops.watcher import AlertWatcher
from crawler.outlets import load_outlets
from crawler.service.crawls import crawl
from crawler.service.metrics import metrics_text
from tests.ops.support import DeadHost, NewsSite, Receiver
from tests.scheduler.helpers import AKHBAR, make_ctx, runs_of
from tests.scheduler.helpers import outlet_yaml as news_yaml


def write(config: Path, name: str, text: str) -> None:
    (config / "outlets").mkdir(parents=True, exist_ok=True)
    (config / "outlets" / f"{name}.yaml").write_text(text, encoding="utf-8")


def crawl_now(ctx: AkhbarContext, *outlets: str) -> None:
    loaded = load_outlets(ctx.config_dir).outlets
    report = crawl(ctx, [loaded[o] for o in outlets], max_parallel=2)
    assert report is not None


def env(tmp: Path) -> dict[str, str]:
    found = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
    found.update(AKHBAR_HOME=str(tmp / "data"), AKHBAR_CONFIG=str(tmp / "config"))
    return found


def cli_alerts(tmp: Path, *args: str) -> list[dict[str, object]]:
    done = subprocess.run([str(AKHBAR), "alerts", "--json", *args], env=env(tmp),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def open_in_metrics(ctx: AkhbarContext) -> set[tuple[str, str]]:
    """(kind, outlet) of the akhbar_alert_open samples; parsing fails on a bad exposition."""
    found = set()
    for family in text_string_to_metric_families(metrics_text(ctx).decode()):
        for sample in family.samples:
            if sample.name == "akhbar_alert_open" and sample.value == 1:
                found.add((sample.labels["kind"], sample.labels["outlet"]))
    return found


def errors_in_metrics(ctx: AkhbarContext) -> dict[tuple[str, str], float]:
    """akhbar_errors_total by (outlet, kind)."""
    return {(s.labels["outlet"], s.labels["kind"]): s.value
            for family in text_string_to_metric_families(metrics_text(ctx).decode())
            for s in family.samples if s.name == "akhbar_errors_total"}


def keys(ctx: AkhbarContext) -> set[tuple[str, str]]:
    return {(a["kind"], a["outlet"] or "") for a in cli_alerts(ctx.config_dir.parent)}


def test_alerts_from_real_crawls_raise_once_reach_the_webhook_and_clear(tmp_path: Path) -> None:
    config = tmp_path / "config"
    with DemoSite(port=0) as demo, NewsSite(pages=12) as news, Receiver() as hook, \
            DeadHost() as dead:
        config.mkdir(parents=True)
        (config / "akhbar.yaml").write_text(
            "max_concurrent_crawls: 2\nalerts:\n"
            f"  webhooks: [{hook.url}]\n  yield_min_runs: 1\n  no_success_after: 1d\n"
            "  disk_free_min: 1MB\n", encoding="utf-8")
        write(config, "demo_en", outlet_yaml("demo_en", demo.base_url))
        moved = news_yaml("moved_en", news.base_url)
        write(config, "moved_en", moved)
        write(config, "slow_en", news_yaml("slow_en", news.base_url,
                                           extra="alerts: {yield_drop: 0.4}\n"))
        write(config, "dead_fa", outlet_yaml("demo_fa", dead.base_url)
              .replace("id: demo_fa", "id: dead_fa"))
        ctx = make_ctx(tmp_path)
        watcher = AlertWatcher(ctx)

        # 1. Everything crawls once: the demo outlet's funnel is full; the dead host fails.
        crawl_now(ctx, "demo_en", "moved_en", "slow_en", "dead_fa")
        en = runs_of(ctx, "demo_en")[-1]
        assert en.status == "succeeded", en.reason
        funnel = RunFunnel.from_stats(en.stats)
        assert funnel.counted and funnel.discovered_feed and funnel.discovered_sitemap
        assert funnel.discovered_listing and funnel.matched
        assert funnel.matched >= funnel.fetched >= funnel.archived > 0
        assert funnel.archived >= funnel.extracted >= funnel.tagged > 0
        assert funnel.articles_seen == en.articles_new > 0
        dead_run = runs_of(ctx, "dead_fa")[-1]
        assert dead_run.status == "failed"
        # Its log ends with why, at WARNING, in words (no Scrapy stats key).
        last = json.loads(Path(dead_run.log_path or "").read_text("utf-8").splitlines()[-1])
        assert (last["event"], last["level"]) == ("run_ended", "WARNING")
        host = dead.base_url.removeprefix("http://")
        assert f"connection refused by {host} (robots.txt and " in last["msg"]
        assert "/" not in last["reason"][:20]
        # /metrics counts the same final failures, by the kind the verdict names (not by
        # exception class, not each retry): the dead host's robots.txt and its pages.
        errors = errors_in_metrics(ctx)
        dead_kinds = {kind for outlet, kind in errors if outlet == "dead_fa"}
        assert "refused" in dead_kinds
        assert not any("Error" in kind for kind in dead_kinds), dead_kinds
        refused = sum(v for k, v in dead_run.stats.items()
                      if k.startswith("akhbar/fetch_failed/refused/"))
        assert errors[("dead_fa", "refused")] == refused >= 2
        assert errors.get(("demo_en", "http_4xx"), 0) >= 1  # the demo's 404
        shown = subprocess.run([str(AKHBAR), "runs", "funnel", en.id, "--json"], env=env(tmp_path),
                               capture_output=True, text=True, timeout=120)
        assert json.loads(shown.stdout) == funnel.to_dict(), shown.stderr

        # The foreground crawl judged the alerts itself (the service's watcher, woken as
        # each run ended): raised, and sent to the webhook, before anyone looked.
        assert keys(ctx) == {("run_failed", "dead_fa")}
        assert hook.events() == {("run_failed", "dead_fa", "raised"): 1}
        watcher.evaluate()
        assert keys(ctx) == {("run_failed", "dead_fa")}
        assert hook.events() == {("run_failed", "dead_fa", "raised"): 1}
        assert open_in_metrics(ctx) == {("run_failed", "dead_fa")}

        # Two days later with no crawl: no success in a day, and one outlet never succeeded.
        later = watcher.evaluate(datetime.now(UTC) + timedelta(days=2))
        raised = {r.key: r.summary for r in later.changes.raised}
        assert set(raised) == {f"no_success:{o}" for o in ("demo_en", "moved_en", "slow_en",
                                                          "dead_fa")}
        assert "no run has ever succeeded" in raised["no_success:dead_fa"]
        assert ("no_success", "dead_fa") in open_in_metrics(ctx)
        watcher.evaluate()  # back to now: each clears
        assert keys(ctx) == {("run_failed", "dead_fa")}

        # 2. A "redesign": moved_en's article rules match nothing any more.
        news.edition += 1
        write(config, "moved_en", moved.replace("/moved_en/a/", "/moved_en/story/"))
        crawl_now(ctx, "moved_en", "slow_en")
        broken = runs_of(ctx, "moved_en")[-1]
        assert broken.status == "succeeded" and broken.pages > 0
        assert RunFunnel.from_stats(broken.stats).matched == 0
        watcher.evaluate()
        watcher.evaluate()  # again: nothing is raised twice
        assert keys(ctx) == {("run_failed", "dead_fa"), ("no_articles_matched", "moved_en"),
                             ("yield_drop", "moved_en")}
        assert ("no_articles_matched", "moved_en") in open_in_metrics(ctx)

        # 3. The rules are fixed, the dead host's outlet moves to a live one, and slow_en
        # yields far less (2 of a usual 12: below its own threshold of 0.4).
        news.edition += 1
        write(config, "moved_en", moved)
        write(config, "dead_fa", outlet_yaml("demo_fa", demo.base_url)
              .replace("id: demo_fa", "id: dead_fa"))
        news.pages = 2
        crawl_now(ctx, "moved_en", "slow_en", "dead_fa")
        news.pages = 12
        watcher.evaluate()
        assert keys(ctx) == {("yield_drop", "slow_en"), ("yield_drop", "moved_en")}
        assert open_in_metrics(ctx) == keys(ctx)

        # 4. Both back to their usual yield.
        news.edition += 1
        crawl_now(ctx, "slow_en", "moved_en")
        watcher.evaluate()
        assert keys(ctx) == set()
        assert open_in_metrics(ctx) == set()

        past = {(a["kind"], a["outlet"]) for a in cli_alerts(tmp_path, "--all")}
        assert ("no_articles_matched", "moved_en") in past and ("run_failed", "dead_fa") in past

        # Each alert reached the webhook once when raised and once when cleared.
        expected = {(k, o, e) for k, o in [
            ("run_failed", "dead_fa"), ("no_success", "demo_en"), ("no_success", "moved_en"),
            ("no_success", "slow_en"), ("no_success", "dead_fa"),
            ("no_articles_matched", "moved_en"), ("yield_drop", "moved_en"),
            ("yield_drop", "slow_en")] for e in ("raised", "cleared")}
        assert hook.events() == dict.fromkeys(expected, 1)
        assert set(hook.ids().values()) == {1}
        ctx.close()
