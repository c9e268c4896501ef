"""The benchmark's tables (plain text) and its JSON record."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .runners import RunnerResult

RESULTS_DIR = Path(__file__).parent / "results"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    last = len(headers) - 1
    line = "  ".join(h.ljust(w) if i in (0, last) else h.rjust(w)
                     for i, (h, w) in enumerate(zip(headers, widths, strict=True))).rstrip()
    out = [line, "-" * len(line)]
    for row in rows:
        out.append("  ".join(c.ljust(w) if i in (0, last) else c.rjust(w)
                             for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip())
    return "\n".join(out)


def ratios(results: list[RunnerResult]) -> dict[str, float | None]:
    by = {r.runner: r for r in results}
    akhbar = by.get("akhbar")
    out: dict[str, float | None] = {}
    for other in ("wget", "naive"):
        if akhbar and other in by and by[other].per_second:
            out[f"akhbar/{other}"] = round(akhbar.per_second / by[other].per_second, 2)
    return out


def runners_table(results: list[RunnerResult]) -> str:
    rows = []
    for r in results:
        m = r.measurement
        roles = ", ".join(f"{k} {1000 * v / r.count:.1f}"
                          for k, v in sorted(m.cpu_by_role.items())) if r.count else ""
        rows.append([
            r.runner + ("" if r.ok else " (FAILED)"), f"{r.count} {r.unit}", str(r.pages),
            f"{m.wall_s:.1f}", f"{r.per_second:.1f}", f"{r.cpu_ms_per_unit:.1f}",
            f"{m.cpu_s / m.wall_s:.2f}" if m.wall_s else "-",
            f"{m.peak_rss_mb:.0f}" + (" (" + "+".join(
                f"{v:.0f}" for _, v in sorted(m.peak_rss_mb_by_role.items())) + ")"
                if len(m.peak_rss_mb_by_role) > 1 else ""),
            f"{1000 * m.server_cpu_s / max(r.server_requests, 1):.2f}",
            f"{m.other_load_cores:.2f}",
            roles,
        ])
    return _table(["runner", "archived", "pages", "wall s", "per s", "CPU ms/each", "cores",
                   "peak RSS MB", "site ms/req", "other load",
                   "CPU ms/each by process (RSS in that order)"], rows)


# Stages timed per page but not run on article pages by akhbar's crawl (not in the sum).
NOT_PER_ARTICLE = {
    "html_parse": "done once, inside extraction, in a worker",
    "link_extraction": "listing pages only: articles are leaves with a sitemap",
}


def stages_table(stages: dict[str, Any], akhbar: RunnerResult | None) -> str:
    rows = []
    counted = {k: v for k, v in stages["stages"].items() if k not in NOT_PER_ARTICLE}
    total = sum(v["ms_mean"] or 0 for v in counted.values())
    for name, v in stages["stages"].items():
        if v["ms_mean"] is None:
            continue
        share = f"{100 * v['ms_mean'] / total:.0f}%" if name in counted else "-"
        what = v["what"] + (f" [{NOT_PER_ARTICLE[name]}]" if name in NOT_PER_ARTICLE else "")
        rows.append([name, f"{v['ms_mean']:.2f}", f"{v['ms_p90']:.2f}", share, what])
    rows.append(["sum of stages", f"{total:.2f}", "", "100%", ""])
    if akhbar and akhbar.count:
        crawl_ms = akhbar.cpu_ms_per_unit
        rows.append(["akhbar crawl, all CPU", f"{crawl_ms:.2f}", "", "",
                     f"rest ~{crawl_ms - total:.1f} ms: Scrapy, scheduling, IPC, catalog, "
                     "listings, start-up"])
    return _table(["stage", "ms/article", "p90", "share", "what"], rows)


def render_text(record: dict[str, Any], results: list[RunnerResult]) -> str:
    site = record["site"]
    load = record.get("server_check") or {}
    parts = [
        f"akhbar crawl benchmark — {site['articles']} articles, {site['urls']} URLs, "
        f"{site['page_kb_mean']} KB/article page (40-150), {record['machine']['cpus']} CPUs, "
        f"{record['finished_at']}",
    ]
    if load:
        parts.append(f"site alone: {load['requests_per_s']:.0f} req/s over {load['connections']}"
                     f" keep-alive connections (gzip), {load['server_cpu_ms_per_request']:.3f} "
                     "ms server CPU/request")
    args = record.get("args") or {}
    if any(x.runner in ("akhbar", "naive") for x in results):
        parts.append(f"akhbar and naive: {args.get('concurrency', 16)} concurrent requests, no "
                     f"delay, robots.txt obeyed; akhbar: {akhbar_workers(args)} extraction "
                     "worker process(es), SQLite catalog")
    parts += ["", runners_table(results), ""]
    r = record["ratios"]
    if any(x.measurement.other_load_cores > 0.15 for x in results):
        parts.append("WARNING: other processes used CPU during the run ('other load', in cores);"
                     " wall-clock figures are slower than on an idle machine.")
    parts.append("ratios (per second): " + (", ".join(f"{k} = {v:.2f}x" for k, v in r.items())
                                            or "n/a"))
    akhbar = next((x for x in results if x.runner == "akhbar"), None)
    wget = next((x for x in results if x.runner == "wget"), None)
    if akhbar and wget:
        parts.append(f"(akhbar counts articles archived+extracted+tagged+cataloged; wget counts "
                     f"every page archived, {wget.details.get('articles_archived')} of them "
                     "articles)")
    if akhbar and akhbar.ok:
        parts.append(targets_line(akhbar, wget))
    quarters = memory_line(results)
    if quarters:
        parts.append(quarters)
    if record.get("stages"):
        st = record["stages"]
        parts += ["", f"CPU per article by stage (in-process, {st['sample']} pages, "
                      f"{st['page_kb_mean']} KB, {st['text_chars_mean']} chars of text):",
                  stages_table(st, akhbar)]
    return "\n".join(parts)


# Issue 6's targets, printed (not asserted): articles/s end to end on this machine's cores,
# beating wget's pages/s in the same run, and peak memory of the whole process tree.
TARGET_ARTICLES_PER_S = 60.0
TARGET_PEAK_RSS_MB = 400.0


def akhbar_workers(args: dict[str, Any]) -> int:
    workers = args.get("workers")
    if workers is None:
        from crawler.crawl import settings

        workers = int(settings.AKHBAR_EXTRACT_WORKERS)
    return workers


def targets_line(akhbar: RunnerResult, wget: RunnerResult | None) -> str:
    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    rate, peak = akhbar.per_second, akhbar.measurement.peak_rss_mb
    parts = [f">= {TARGET_ARTICLES_PER_S:.0f} articles/s: {rate:.1f} "
             f"{verdict(rate >= TARGET_ARTICLES_PER_S)}"]
    if wget is not None and wget.ok:
        parts.append(f"beat wget: {rate:.1f} articles/s vs {wget.per_second:.1f} pages/s "
                     f"{verdict(rate > wget.per_second)}")
    parts.append(f"peak RSS < {TARGET_PEAK_RSS_MB:.0f} MB: {peak:.0f} "
                 f"{verdict(peak < TARGET_PEAK_RSS_MB)}")
    return "targets: " + "; ".join(parts)


def memory_line(results: list[RunnerResult]) -> str:
    """The crawl processes' RSS over each run, by quarter of its wall time."""
    rows = []
    for r in results:
        for role in ("crawl", "workers"):
            q = r.measurement.rss_mb_by_quarter.get(role)
            if q:
                rows.append(f"{r.runner} {role} " + "/".join(f"{v:.0f}" for v in q))
    if not rows:
        return ""
    return "peak RSS MB in each quarter of the run: " + ", ".join(rows)


def machine() -> dict[str, Any]:
    import os

    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform()}


def save(record: dict[str, Any], path: Path | None = None) -> Path:
    path = path or RESULTS_DIR / "latest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n",
                    encoding="utf-8")
    return path


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
