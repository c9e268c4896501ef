"""The many-outlets mode: ``akhbar crawl --all`` over K outlets against wget, in one run.

K outlets of the generated site (N articles over all of them, each outlet its own site on its
own port, see :mod:`bench.crawl.multisite`) are crawled by the ``akhbar`` command with its
default settings (a config directory holding K outlet files and an ``akhbar.yaml`` that sets
nothing, or only ``max_concurrent_crawls`` when asked), then by one ``wget --recursive
--warc-file`` over the same K sites. Both run under :mod:`bench.crawl.reaper`, so every process
of their tree is sampled and its CPU counted: the ``akhbar`` parent, each crawl process and its
extraction workers, and anything a crawl leaves behind.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

from .akhbar_run import outlet_yaml
from .measure import Measurement, default_role, run_measured
from .model import Site
from .multisite import OutletsSiteProcess, OutletsSpec
from .runners import PROJECT_ROOT, count_warc, wget_command

logger = logging.getLogger(__name__)

DEFAULT_AKHBAR_YAML = "# bench.crawl --outlets: every setting at its default\n"


@dataclass
class OutletRun:
    """One outlet's run, as the catalog recorded it."""

    outlet: str
    status: str
    pages: int
    articles_new: int
    errors: int
    seconds: float | None
    reason: str | None = None


@dataclass
class Contender:
    """One side of the comparison: what it archived and how it was measured."""

    name: str
    count: int  # articles in the catalog (akhbar), pages in the WARC (wget)
    unit: str
    requests: int  # page requests the site served during the run
    measurement: Measurement
    first_request_s: float | None  # from the command's start to the site's first request
    last_request_s: float | None  # from the command's start to the site's last request
    ok: bool = True
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def wall_s(self) -> float:
        return self.measurement.wall_s

    @property
    def per_second(self) -> float:
        return self.count / self.wall_s if self.wall_s else 0.0

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.wall_s if self.wall_s else 0.0

    @property
    def articles(self) -> int:
        """Articles archived (akhbar: in the catalog; wget: article pages in its WARC)."""
        return self.count if self.unit == "articles" else int(
            self.details.get("articles_archived", 0))

    @property
    def articles_per_second(self) -> float:
        return self.articles / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_ms_per_unit(self) -> float:
        return 1000 * self.measurement.cpu_s / self.count if self.count else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(per_second=round(self.per_second, 2),
                    requests_per_second=round(self.requests_per_second, 2),
                    articles_per_second=round(self.articles_per_second, 2),
                    cpu_ms_per_unit=round(self.cpu_ms_per_unit, 2))
        return data


@dataclass
class OutletsResult:
    outlets: int
    articles: int  # on the site, over all outlets
    urls: int
    concurrent: int | None  # max_concurrent_crawls written to akhbar.yaml; None: the default
    effective_concurrent: int  # what that means on this machine
    concurrency: int  # requests at once per outlet (the outlet files' politeness)
    akhbar: Contender
    wget: Contender | None  # with --page-requisites: the yardstick
    outlet_runs: list[OutletRun] = field(default_factory=list)
    wget_plain: Contender | None = None  # without requisites: the yardstick before 2026-12-06

    @property
    def ratio(self) -> float | None:
        """akhbar's requests/s over wget's with --page-requisites, in the same run: both
        fetch each page and its requisites (like with like)."""
        if self.wget is None or not self.wget.requests_per_second:
            return None
        return round(self.akhbar.requests_per_second / self.wget.requests_per_second, 2)

    @property
    def article_ratio(self) -> float | None:
        """akhbar's articles/s over the articles/s of wget with --page-requisites."""
        if self.wget is None or not self.wget.articles_per_second:
            return None
        return round(self.akhbar.per_second / self.wget.articles_per_second, 2)

    @property
    def old_ratio(self) -> float | None:
        """The yardstick before 2026-12-06 (kept for history): akhbar's articles/s over the
        requests/s of wget *without* requisites (akhbar made ~1.8x its requests)."""
        if self.wget_plain is None or not self.wget_plain.requests_per_second:
            return None
        return round(self.akhbar.per_second / self.wget_plain.requests_per_second, 2)

    def to_dict(self) -> dict[str, Any]:
        return {"outlets": self.outlets, "articles": self.articles, "urls": self.urls,
                "concurrent": self.concurrent, "effective_concurrent": self.effective_concurrent,
                "concurrency": self.concurrency, "ratio_akhbar_wget": self.ratio,
                "ratio_articles_akhbar_wget": self.article_ratio,
                "ratio_old_akhbar_wget_plain": self.old_ratio,
                "akhbar": self.akhbar.to_dict(),
                "wget": self.wget.to_dict() if self.wget else None,
                "wget_plain": self.wget_plain.to_dict() if self.wget_plain else None,
                "outlet_runs": [asdict(r) for r in self.outlet_runs]}


def outlet_ids(count: int) -> list[str]:
    return [f"bench_outlet_{k + 1}" for k in range(count)]


def write_config(config_dir: Path, site: OutletsSiteProcess, concurrent: int | None,
                 concurrency: int) -> list[str]:
    """K outlet files (one per site) and an akhbar.yaml with the defaults; the outlet ids."""
    (config_dir / "outlets").mkdir(parents=True, exist_ok=True)
    yaml = DEFAULT_AKHBAR_YAML
    if concurrent is not None:
        yaml += f"max_concurrent_crawls: {concurrent}\n"
    (config_dir / "akhbar.yaml").write_text(yaml, encoding="utf-8")
    ids = outlet_ids(len(site.base_urls))
    for oid, base, spec in zip(ids, site.base_urls, site.outlets.sites(), strict=True):
        (config_dir / "outlets" / f"{oid}.yaml").write_text(
            outlet_yaml(base, spec.n, concurrency, outlet_id=oid), encoding="utf-8")
    return ids


def akhbar_command() -> list[str]:
    """The ``akhbar`` console script of this environment, as a user would type it."""
    script = Path(sys.executable).parent / "akhbar"
    if script.exists():
        return [sys.executable, str(script), "crawl", "--all"]
    return [sys.executable, "-c", "from crawler.cli import main; main()", "crawl", "--all"]


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    """This environment without any AKHBAR_* tuning (the defaults are what is measured), the
    project importable, no proxy for loopback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    for key in ("http_proxy", "HTTP_PROXY"):
        env.pop(key, None)
    env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost"
    env.update(extra)
    return env


def tree_role(proc: psutil.Process) -> str:
    """The parent ``akhbar`` process apart from the crawls and their workers."""
    role = default_role(proc)
    if role != "service":
        return role
    try:
        cmd = " ".join(proc.cmdline())
    except (psutil.Error, OSError):
        return "other"
    return "akhbar" if ("akhbar" in cmd or "crawler.cli" in cmd) else "other"


def _since(stats: dict[str, object], key: str, started_at: float) -> float | None:
    at = stats.get(key)
    return round(at - started_at, 3) if isinstance(at, (int, float)) else None


def _served(before: dict[str, object], after: dict[str, object]) -> int:
    """Page requests the site served between two looks at its counters."""
    first, last = before.get("requests"), after.get("requests")
    return last - first if isinstance(first, int) and isinstance(last, int) else 0


def read_catalog(home: Path) -> tuple[dict[str, int], list[OutletRun]]:
    """Counts of the catalog's articles and captures, and each run's record."""
    path = home / "catalog.sqlite"
    if not path.exists():
        return {"articles": 0, "captures": 0}, []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        counts = {table: int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                  for table in ("articles", "captures")}
        rows = db.execute(
            "SELECT outlet_id, status, pages, articles_new, errors, started_at, ended_at, reason"
            " FROM runs ORDER BY outlet_id").fetchall()
    except sqlite3.Error as exc:  # no schema: the command failed before making it
        logger.warning("cannot read the catalog %s: %s", path, exc)
        return {"articles": 0, "captures": 0}, []
    finally:
        db.close()
    runs = []
    for outlet, status, pages, new, errors, started, ended, reason in rows:
        seconds = None
        if started and ended:
            from datetime import datetime

            seconds = round((datetime.fromisoformat(str(ended))
                             - datetime.fromisoformat(str(started))).total_seconds(), 1)
        runs.append(OutletRun(outlet, status, int(pages or 0), int(new or 0), int(errors or 0),
                              seconds, reason))
    return counts, runs


def run_akhbar(site: OutletsSiteProcess, workdir: Path, *, concurrent: int | None,
               concurrency: int, timeout: float,
               wrap: list[str] | None = None) -> tuple[Contender, list[OutletRun]]:
    """``wrap`` prefixes the command (a profiler)."""
    config, home = workdir / "config", workdir / "home"
    ids = write_config(config, site, concurrent, concurrency)
    env = clean_env({"AKHBAR_CONFIG": str(config), "AKHBAR_HOME": str(home)})
    before = site.mark()
    m = run_measured([*(wrap or []), *akhbar_command()], env=env, cwd=workdir,
                     stdout_path=workdir / "akhbar.out", timeout=timeout,
                     server_pid=site.pid, role=tree_role, reaper=True)
    after = site.stats()
    counts, runs = read_catalog(home)
    failed = [r for r in runs if r.status != "succeeded"]
    ok = m.returncode == 0 and len(runs) == len(ids) and not failed
    note = "" if ok else (f"exit {m.returncode}; " + "; ".join(
        f"{r.outlet} {r.status}: {r.reason}" for r in failed) + f" (see {workdir})")
    warc_bytes = sum(p.stat().st_size for p in (home / "warcs").rglob("*.warc.gz*"))
    return Contender(
        "akhbar", counts["articles"], "articles",
        _served(before, after), m,
        _since(after, "first_request_at", m.started_at),
        _since(after, "last_request_at", m.started_at), ok, note,
        {"captures": counts["captures"], "warc_bytes": warc_bytes,
         "pages": sum(r.pages for r in runs)}), runs


def lazy_image_urls(site: OutletsSiteProcess) -> list[str]:
    """Each article's lazy-loaded image (``<img data-src="/media/<id>.jpg">``, which the
    site answers with a 404), by outlet: akhbar's requisites finder reads ``data-src`` and
    fetches it; wget reads only ``src`` (here an inline data: pixel), so the benchmark gives
    wget these URLs in an input file to make the same requests."""
    return [f"{base}/media/{ref.id}.jpg"
            for base, spec in zip(site.base_urls, site.outlets.sites(), strict=True)
            for ref in Site(spec).articles]


def run_wget(site: OutletsSiteProcess, workdir: Path, *, timeout: float,
             requisites: bool = True) -> Contender:
    """One wget over every outlet's site (it fetches one page at a time, site after site).
    With ``requisites`` (the yardstick): ``--page-requisites``, and each article's lazy
    image URL in an input file (:func:`lazy_image_urls`), so that it makes the requests
    akhbar's default ``capture.requisites: same-site`` makes."""
    stem = workdir / "wget"
    cmd = (wget_command(site.base_urls[0], stem, requisites=requisites)
           + [f"{b}/" for b in site.base_urls[1:]])
    if requisites:
        urls = workdir / "lazy-images.txt"
        urls.write_text("".join(f"{u}\n" for u in lazy_image_urls(site)), encoding="utf-8")
        cmd[1:1] = ["--input-file", str(urls)]
    before = site.mark()
    m = run_measured(cmd, env=clean_env({}), cwd=workdir, stdout_path=workdir / "wget.out",
                     timeout=timeout, server_pid=site.pid, reaper=True)
    after = site.stats()
    warc = stem.with_suffix(".warc.gz")
    pages, articles = count_warc(warc) if warc.exists() else (0, 0)
    ok = m.returncode in (0, 8) and pages > 0  # 8: some response was an error (lazy links)
    return Contender("wget" if requisites else "wget-plain", pages, "pages",
                     _served(before, after), m,
                     _since(after, "first_request_at", m.started_at),
                     _since(after, "last_request_at", m.started_at), ok,
                     "" if ok else f"wget exited {m.returncode}",
                     {"articles_archived": articles,
                      "warc_bytes": warc.stat().st_size if warc.exists() else 0})


def run_outlets(spec: OutletsSpec, workdir: Path, *, concurrent: int | None = None,
                concurrency: int = 16, wget: bool = True, wget_plain: bool = True,
                timeout: float | None = None, rounds: int = 1,
                profile: Path | None = None) -> list[OutletsResult]:
    """Serve ``spec``'s outlets; then, ``rounds`` times, crawl them with akhbar (into an
    empty data directory each time), then with wget --page-requisites (the yardstick), then
    with wget without requisites (``wget_plain``: the old yardstick), and measure each. With
    ``profile``,
    akhbar crawls once more under py-spy, which writes its raw stacks there."""
    timeout = timeout or max(600.0, spec.n * 0.5)
    results = []
    with OutletsSiteProcess(spec) as site:
        print(f"site: {spec.outlets} outlets at {', '.join(site.base_urls)} "
              f"({spec.urls()} URLs)", flush=True)
        for k in range(1, rounds + 1):
            here = workdir / f"round-{k}" if rounds > 1 else workdir
            label = f"round {k}: " if rounds > 1 else ""
            print(f"{label}running akhbar crawl --all ...", flush=True)
            (here / "akhbar").mkdir(parents=True)
            akhbar, runs = run_akhbar(site, here / "akhbar", concurrent=concurrent,
                                      concurrency=concurrency, timeout=timeout)
            print(f"  {akhbar.count} articles in {akhbar.wall_s:.1f}s"
                  + ("" if akhbar.ok else f"  FAILED: {akhbar.note}"), flush=True)
            other = plain = None
            if wget:
                print(f"{label}running wget --page-requisites ...", flush=True)
                (here / "wget").mkdir()
                other = run_wget(site, here / "wget", timeout=timeout)
                print(f"  {other.count} responses in {other.wall_s:.1f}s"
                      + ("" if other.ok else f"  FAILED: {other.note}"), flush=True)
            if wget and wget_plain:
                print(f"{label}running wget without requisites (the old yardstick) ...",
                      flush=True)
                (here / "wget-plain").mkdir()
                plain = run_wget(site, here / "wget-plain", timeout=timeout, requisites=False)
                print(f"  {plain.count} pages in {plain.wall_s:.1f}s"
                      + ("" if plain.ok else f"  FAILED: {plain.note}"), flush=True)
            results.append(OutletsResult(spec.outlets, spec.n, spec.urls(), concurrent,
                                         concurrent or default_concurrent(), concurrency,
                                         akhbar, other, runs, plain))
        if profile is not None:
            from .profile import profile_command

            print("profiling akhbar crawl --all under py-spy ...", flush=True)
            (workdir / "profile").mkdir(parents=True)
            run_akhbar(site, workdir / "profile", concurrent=concurrent,
                       concurrency=concurrency, timeout=timeout,
                       wrap=profile_command(profile))
    return results


def default_concurrent() -> int:
    """akhbar's default ``max_concurrent_crawls`` on this machine."""
    try:
        from crawler.outlets import ServiceConfig

        return int(ServiceConfig().max_concurrent_crawls)
    except Exception:  # noqa: BLE001 - a reworked config model: fall back to its documented default
        return os.cpu_count() or 1


def save(record: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n",
                    encoding="utf-8")
    return path
