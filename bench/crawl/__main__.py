"""``python -m bench.crawl [--n 2000] [--only akhbar,wget,naive]``: the crawl benchmark.

Builds (once, cached) and serves a site of N article pages on 127.0.0.1, checks the server
alone, then crawls it with akhbar's full pipeline, wget and a naive single-process Scrapy
crawl, one after the other; prints articles per second, CPU per article, peak memory and the
ratios, then CPU per article by stage. Results go to bench/crawl/results/latest.json.

``python -m bench.crawl --outlets 5 [--n 2000] [--concurrent 8]``: the many-outlets mode
(:mod:`bench.crawl.outlets`): N articles over K outlets, ``akhbar crawl --all`` with default
settings against wget in the same run. Results go to
bench/crawl/results/outlets-<K>x<N>-<default|cC>.json.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import report, runners
from .model import SiteSpec
from .serving import SiteProcess, load_check
from .site import build, page_count

RUNNERS = ("akhbar", "wget", "naive")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.crawl", description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=2000, help="articles on the site (default 2000)")
    p.add_argument("--seed", type=int, default=6)
    p.add_argument("--only", default=",".join(RUNNERS),
                   help="comma-separated runners to run (default: akhbar,wget,naive)")
    p.add_argument("--concurrency", type=int, default=16,
                   help="parallel requests for akhbar and naive (default 16)")
    p.add_argument("--workers", type=int, default=None,
                   help="AKHBAR_EXTRACT_WORKERS for akhbar (default: its setting)")
    p.add_argument("--sample", type=int, default=200,
                   help="pages for the per-stage timings; 0 skips them (default 200)")
    p.add_argument("--server-check", type=float, default=2.0,
                   help="seconds of the loopback check of the site alone; 0 skips it")
    p.add_argument("--profile", action="store_true",
                   help="afterwards, crawl once more with akhbar under py-spy and summarise")
    p.add_argument("--timeout", type=float, default=None, help="seconds per runner")
    p.add_argument("--keep", action="store_true", help="keep the runners' work directories")
    p.add_argument("--output", type=Path, default=None,
                   help="JSON results (default bench/crawl/results/latest.json)")
    many = p.add_argument_group("many outlets (akhbar crawl --all against wget)")
    many.add_argument("--outlets", type=int, default=None, metavar="K",
                      help="crawl K outlets (N articles over all of them) instead of one")
    many.add_argument("--concurrent", type=int, default=None, metavar="C",
                      help="max_concurrent_crawls in akhbar.yaml (default: akhbar's default)")
    many.add_argument("--no-wget", action="store_true", help="only akhbar")
    many.add_argument("--no-wget-plain", action="store_true",
                      help="skip wget without requisites (the yardstick before 2026-12-06)")
    many.add_argument("--rounds", type=int, default=1,
                      help="crawl with akhbar then wget this many times (default 1)")
    args = p.parse_args(argv)
    if args.outlets is not None and (args.outlets < 1 or args.n < args.outlets):
        p.error("--outlets needs 1 or more outlets and at least one article per outlet")
    if args.concurrent is not None and (args.outlets is None or args.concurrent < 1):
        p.error("--concurrent goes with --outlets and is 1 or more")
    args.only = [r.strip() for r in args.only.split(",") if r.strip()]
    unknown = set(args.only) - set(RUNNERS)
    if unknown:
        p.error(f"unknown runner(s) {', '.join(sorted(unknown))}; choose from {', '.join(RUNNERS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.outlets is not None:
        return main_outlets(args)
    spec = SiteSpec(args.n, seed=args.seed)
    timeout = args.timeout or max(600.0, args.n * 0.5)
    started = time.monotonic()
    print(f"building the site ({args.n} articles; cached after the first time) ...", flush=True)
    build(spec)
    work = Path(tempfile.mkdtemp(prefix="akhbar-bench-"))
    results: list[runners.RunnerResult] = []
    record: dict[str, Any] = {"machine": report.machine(), "args": {
        "n": args.n, "seed": args.seed, "only": args.only, "concurrency": args.concurrency,
        "workers": args.workers}}
    profile_text = ""
    try:
        with SiteProcess(spec) as site:
            print(f"site: {site.base_url}/ ({page_count(spec)} URLs)", flush=True)
            if args.server_check > 0:
                record["server_check"] = load_check(site, args.server_check).to_dict()
            for name in args.only:
                print(f"running {name} ...", flush=True)
                workdir = work / name
                workdir.mkdir()
                if name == "akhbar":
                    result = runners.run_akhbar(site, workdir, concurrency=args.concurrency,
                                                workers=args.workers, timeout=timeout)
                elif name == "naive":
                    result = runners.run_naive(site, workdir, concurrency=args.concurrency,
                                               timeout=timeout)
                else:
                    result = runners.run_wget(site, workdir, timeout=timeout)
                results.append(result)
                print(f"  {result.count} {result.unit} in {result.measurement.wall_s:.1f}s"
                      + ("" if result.ok else f"  FAILED: {result.note} (see {workdir})"),
                      flush=True)
            if args.profile:
                profile_text = _profile(site, work, args, record)
        if args.sample > 0:
            from .stages import measure_stages

            print(f"timing stages on {args.sample} pages ...", flush=True)
            record["stages"] = measure_stages(spec, args.sample)
    finally:
        if args.keep:
            print(f"work directories kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    site_pages = results[0].pages if results else 0
    record.update({
        "finished_at": report.now(), "duration_s": round(time.monotonic() - started, 1),
        "site": {"articles": args.n, "urls": page_count(spec), "seed": args.seed,
                 "page_kb_mean": record.get("stages", {}).get("page_kb_mean", "~90"),
                 "pages_fetched_first_runner": site_pages},
        "runners": [r.to_dict() for r in results], "ratios": report.ratios(results),
    })
    text = report.render_text(record, results)
    if profile_text:
        text += "\n\nprofile of akhbar's crawl (py-spy, % of each process's samples):\n"
        text += profile_text
    record["text"] = text
    path = report.save(record, args.output)
    print()
    print(text)
    print(f"\nresults: {path}")
    return 0 if all(r.ok for r in results) else 1


def main_outlets(args: argparse.Namespace) -> int:
    from .multisite import OutletsSpec
    from .outlets import run_outlets, save
    from .outlets_report import render_text, rounds_summary

    spec = OutletsSpec(args.n, args.outlets, args.seed)
    started = time.monotonic()
    print(f"building {args.outlets} sites ({args.n} articles in all; cached after the first "
          "time) ...", flush=True)
    work = Path(tempfile.mkdtemp(prefix="akhbar-bench-outlets-"))
    raw = _profile_path() if args.profile else None
    try:
        results = run_outlets(spec, work, concurrent=args.concurrent,
                              concurrency=args.concurrency, wget=not args.no_wget,
                              wget_plain=not args.no_wget_plain,
                              timeout=args.timeout, rounds=args.rounds, profile=raw)
    finally:
        if args.keep:
            print(f"work directories kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    record: dict[str, Any] = {
        "mode": "outlets", "machine": report.machine(), "finished_at": report.now(),
        "duration_s": round(time.monotonic() - started, 1),
        "args": {"n": args.n, "outlets": args.outlets, "concurrent": args.concurrent,
                 "concurrency": args.concurrency, "seed": args.seed, "rounds": args.rounds},
        **results[0].to_dict()}
    texts = [render_text(r, record) for r in results]
    if len(results) > 1:
        record["rounds"] = [r.to_dict() for r in results]
        summary, record["summary"] = rounds_summary(results)
        texts = [f"round {k}: {t}" for k, t in enumerate(texts, 1)] + [summary]
    text = "\n\n".join(texts)
    if raw is not None:
        text += "\n\n" + _profile_summary(raw, record)
    record["text"] = text
    name = f"outlets-{args.outlets}x{args.n}-" + (
        f"c{args.concurrent}" if args.concurrent else "default") + ".json"
    path = save(record, args.output or report.RESULTS_DIR / name)
    print()
    print(text)
    print(f"\nresults: {path}")
    ok = all(r.akhbar.ok and all(w is None or w.ok for w in (r.wget, r.wget_plain))
             for r in results)
    return 0 if ok else 1


def _profile(site: SiteProcess, work: Path, args: argparse.Namespace,
             record: dict[str, Any]) -> str:
    from . import profile

    workdir = work / "akhbar-profile"
    workdir.mkdir()
    raw = _profile_path()
    print("profiling akhbar under py-spy ...", flush=True)
    result = runners.run_akhbar(site, workdir, concurrency=args.concurrency,
                                workers=args.workers, wrap=profile.profile_command(raw),
                                timeout=max(600.0, args.n * 0.5))
    if not raw.exists():
        return f"(no profile written; akhbar {'ok' if result.ok else 'failed'})"
    summary = profile.summarize(raw)
    record["profile"] = {"raw": str(raw), "wall_s": result.measurement.wall_s,
                         "articles": result.count, "summary": summary}
    return profile.render(summary)


def _profile_path() -> Path:
    """Where py-spy writes: megabytes of collapsed stacks, kept beside the site cache, not
    in the results."""
    raw = Path(tempfile.gettempdir()) / "akhbar-bench" / "profile-akhbar.txt"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.unlink(missing_ok=True)
    return raw


def _profile_summary(raw: Path, record: dict[str, Any]) -> str:
    from . import profile

    if not raw.exists():
        return "(no profile written)"
    summary = profile.summarize(raw)
    record["profile"] = {"raw": str(raw), "summary": summary}
    return ("profile of akhbar crawl --all, once more under py-spy (% of each role's "
            "samples):\n" + profile.render(summary))


if __name__ == "__main__":
    sys.exit(main())
