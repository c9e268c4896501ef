"""The many-outlets mode's table, issue 11's targets and its memory lines (plain text)."""

from __future__ import annotations

from typing import Any

from .outlets import Contender, OutletsResult
from .report import _table

# Issue 11's targets, printed (not asserted): akhbar's requests/s against those of wget
# --page-requisites in the same run (both fetch pages and their requisites), CPU per
# article, peak RSS summed over the tree (400 MB with two crawls at once, 600 MB with
# eight), and the first request within a second of the command's start.
TARGET_RATIO = 1.0
STRETCH_RATIO = 1.3
TARGET_CPU_MS = 12.0
TARGET_FIRST_REQUEST_S = 1.0


def target_rss_mb(concurrent: int) -> float:
    return 400.0 if concurrent <= 2 else 600.0


def _s(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "-"


def contenders_table(result: OutletsResult) -> str:
    rows = []
    for c in (result.akhbar, result.wget, result.wget_plain):
        if c is None:
            continue
        m = c.measurement
        roles = sorted(m.peak_rss_mb_by_role.items())
        rss = f"{m.peak_rss_mb:.0f}"
        if len(roles) > 1:
            rss += " (" + " + ".join(f"{k} {v:.0f}" for k, v in roles) + ")"
        cpu_roles = ", ".join(f"{k} {1000 * v / c.count:.1f}"
                              for k, v in sorted(m.cpu_by_role.items())) if c.count else ""
        rows.append([
            c.name + ("" if c.ok else " (FAILED)"), f"{c.count} {c.unit}", str(c.requests),
            f"{c.wall_s:.1f}", f"{c.articles_per_second:.1f}", f"{c.requests_per_second:.1f}",
            f"{c.cpu_ms_per_unit:.1f}", f"{m.cpu_s / m.wall_s:.2f}" if m.wall_s else "-",
            rss, f"{m.peak_pss_mb:.0f}", f"{m.largest_process_mb:.0f} {m.largest_process_role}",
            str(m.processes_seen), _s(c.first_request_s), f"{m.other_load_cores:.2f}",
            cpu_roles,
        ])
    return _table(["runner", "archived", "requests", "wall s", "articles/s", "req/s", "CPU ms/each",
                   "cores", "peak RSS MB (by role)", "PSS MB", "largest MB", "procs", "1st req s",
                   "other load", "CPU ms/each by role"], rows)


def runs_table(result: OutletsResult) -> str:
    rows = [[r.outlet, r.status, str(r.pages), str(r.articles_new), str(r.errors),
             f"{r.seconds:.1f}" if r.seconds is not None else "-",
             f"{r.articles_new / r.seconds:.1f}" if r.seconds else "-"]
            for r in result.outlet_runs]
    return _table(["outlet", "status", "pages", "new", "errors", "run s", "articles/s"], rows)


def targets_line(result: OutletsResult) -> str:
    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    a = result.akhbar
    parts = []
    ratio = result.ratio
    if ratio is not None:
        stretch = " (stretch 1.3x: " + ("ok" if ratio >= STRETCH_RATIO else "not yet") + ")"
        parts.append(f">= {TARGET_RATIO:.1f}x wget -p's req/s: {ratio:.2f}x "
                     f"{verdict(ratio >= TARGET_RATIO)}{stretch}")
    cpu = a.cpu_ms_per_unit
    parts.append(f"<= {TARGET_CPU_MS:.0f} CPU ms/article: {cpu:.1f} "
                 f"{verdict(cpu <= TARGET_CPU_MS)}")
    limit = target_rss_mb(result.effective_concurrent)
    peak = a.measurement.peak_rss_mb
    parts.append(f"peak RSS <= {limit:.0f} MB ({result.effective_concurrent} crawls at once): "
                 f"{peak:.0f} {verdict(peak <= limit)}")
    first = a.first_request_s
    if first is not None:
        parts.append(f"first request <= {TARGET_FIRST_REQUEST_S:.0f} s: {first:.2f} "
                     f"{verdict(first <= TARGET_FIRST_REQUEST_S)}")
    return "targets (issue 11): " + "; ".join(parts)


def memory_line(c: Contender) -> str:
    q = c.measurement.rss_mb_by_quarter
    rows = [f"{role} " + "/".join(f"{v:.0f}" for v in q[role])
            for role in ("all", "akhbar", "crawl", "workers", "other") if max(q.get(role, [0]))]
    return "akhbar peak RSS MB in each quarter of the run: " + ", ".join(rows) if rows else ""


def timing_line(c: Contender) -> str:
    """Where the wall time went: start-up before the first request, fetching, the tail."""
    if c.first_request_s is None or c.last_request_s is None:
        return ""
    fetching = c.last_request_s - c.first_request_s
    tail = c.wall_s - c.last_request_s
    return (f"akhbar wall {c.wall_s:.1f}s = start-up {c.first_request_s:.2f}s (command to the "
            f"site's first request) + fetching {fetching:.1f}s + tail {tail:.2f}s (last "
            "request to exit)")


def render_text(result: OutletsResult, record: dict[str, Any]) -> str:
    machine = record["machine"]
    conc = (f"max_concurrent_crawls: {result.concurrent}" if result.concurrent is not None
            else f"default settings (max_concurrent_crawls: {result.effective_concurrent}, "
                 "the number of cores)")
    parts = [
        f"akhbar many-outlets benchmark — {result.outlets} outlets, {result.articles} articles, "
        f"{result.urls} URLs, {machine['cpus']} CPUs, {record['finished_at']}",
        f"akhbar crawl --all, {conc}; each outlet file: {result.concurrency} requests at once, "
        "no delay, robots.txt obeyed; " + (
            "then wget --recursive --page-requisites --warc-file over the same sites, given "
            "each article's lazy image URL too (robots.txt obeyed, no delay, one request at a "
            "time)" if result.wget else "no wget (--no-wget)")
        + ("; then wget without requisites (wget-plain, the old yardstick)"
           if result.wget_plain else ""),
        "", contenders_table(result), "",
    ]
    a, w, plain = result.akhbar, result.wget, result.wget_plain
    if any(c is not None and c.measurement.other_load_cores > 0.15 for c in (a, w, plain)):
        parts.append("WARNING: other processes used CPU during the run ('other load', in cores);"
                     " wall-clock figures are slower than on an idle machine.")
    if result.ratio is not None and w is not None:
        parts.append(f"akhbar/wget = {result.ratio:.2f}x requests/s ({a.requests_per_second:.1f}"
                     f" against wget --page-requisites' {w.requests_per_second:.1f}); "
                     f"{result.article_ratio or 0:.2f}x articles/s ({a.per_second:.1f} against "
                     f"{w.articles_per_second:.1f}; wget archived {w.articles} articles)")
    if result.old_ratio is not None and plain is not None:
        parts.append(f"old yardstick (before 2026-12-06): akhbar articles/s over wget-plain's "
                     f"requests/s = {result.old_ratio:.2f}x ({a.per_second:.1f} against "
                     f"{plain.requests_per_second:.1f})")
    if a.ok:
        parts.append(targets_line(result))
    for line in (memory_line(a), timing_line(a)):
        if line:
            parts.append(line)
    if a.measurement.lingering:
        parts.append(f"{a.measurement.lingering} process(es) of akhbar's tree were still running"
                     " 10 s after the command ended (stopped by the benchmark)")
    if result.outlet_runs:
        parts += ["", "runs (the catalog's records):", runs_table(result)]
    return "\n".join(parts)


def rounds_summary(results: list[OutletsResult]) -> tuple[str, dict[str, list[float]]]:
    """The figures of every round side by side (the machine's speed drifts between runs)."""
    figures: dict[str, list[float]] = {
        "akhbar_articles_per_s": [round(r.akhbar.per_second, 1) for r in results],
        "wget_requests_per_s": [round(r.wget.requests_per_second, 1) for r in results
                                if r.wget is not None],
        "ratio": [r.ratio for r in results if r.ratio is not None],
        "old_ratio": [r.old_ratio for r in results if r.old_ratio is not None],
        "cpu_ms_per_article": [round(r.akhbar.cpu_ms_per_unit, 1) for r in results],
        "peak_rss_mb": [r.akhbar.measurement.peak_rss_mb for r in results],
        "first_request_s": [r.akhbar.first_request_s for r in results
                            if r.akhbar.first_request_s is not None],
    }
    line = f"over {len(results)} rounds: " + "; ".join(
        f"{name} " + " / ".join(f"{v:g}" for v in values)
        for name, values in figures.items() if values)
    return line, figures
