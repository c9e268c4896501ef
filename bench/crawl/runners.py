"""The three contenders, each run to completion against the same site and measured alike."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .akhbar_run import write_config
from .measure import Measurement, run_measured
from .model import ARTICLE_PATH
from .serving import SiteProcess

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RunnerResult:
    runner: str
    unit: str  # what `count` counts: "articles" (archived, extracted, tagged) or "pages"
    count: int
    pages: int
    measurement: Measurement
    ok: bool = True
    note: str = ""
    server_requests: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        wall = self.measurement.wall_s
        return self.count / wall if wall else 0.0

    @property
    def cpu_ms_per_unit(self) -> float:
        return 1000 * self.measurement.cpu_s / self.count if self.count else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["per_second"] = round(self.per_second, 2)
        data["cpu_ms_per_unit"] = round(self.cpu_ms_per_unit, 2)
        return data


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env.pop("http_proxy", None)
    env.pop("HTTP_PROXY", None)
    env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost"
    env.update(extra or {})
    return env


def _requests(site: SiteProcess) -> int:
    return int(site.stats()["requests"])  # type: ignore[call-overload]


def run_akhbar(site: SiteProcess, workdir: Path, *, concurrency: int = 16,
               workers: int | None = None, timeout: float | None = None,
               wrap: list[str] | None = None) -> RunnerResult:
    """``crawler.service.crawl`` in a child process, with a temp config dir, AKHBAR_HOME and
    SQLite catalog. ``wrap`` prefixes the command (a profiler)."""
    config = write_config(workdir / "config", site.base_url, site.spec.n, concurrency)
    home, result_path = workdir / "home", workdir / "akhbar.json"
    extra = {"AKHBAR_HOME": str(home), "AKHBAR_CONFIG": str(config)}
    extra.pop("AKHBAR_DATABASE_URL", None)
    if workers is not None:
        extra["AKHBAR_EXTRACT_WORKERS"] = str(workers)
    env = _env(extra)
    env.pop("AKHBAR_DATABASE_URL", None)
    cmd = [*(wrap or []), sys.executable, "-m", "bench.crawl.akhbar_run", "--config",
           str(config), "--home", str(home), "--result", str(result_path)]
    before = _requests(site)
    m = run_measured(cmd, env=env, cwd=PROJECT_ROOT, stdout_path=workdir / "akhbar.out",
                     timeout=timeout, server_pid=site.pid)
    data: dict[str, Any] = {}
    if result_path.exists():
        data = json.loads(result_path.read_text(encoding="utf-8"))
    ok = m.returncode == 0 and data.get("status") == "succeeded"
    note = "" if ok else f"status {data.get('status')}: {data.get('reason')}"
    return RunnerResult("akhbar", "articles", int(data.get("articles", 0)),
                        int(data.get("pages", 0)), m, ok, note, _requests(site) - before,
                        {"warc_bytes": data.get("warc_bytes"), "captures": data.get("captures"),
                         "workers": workers, "concurrency": concurrency})


def run_naive(site: SiteProcess, workdir: Path, *, concurrency: int = 16,
              timeout: float | None = None) -> RunnerResult:
    cmd = [sys.executable, "-m", "bench.crawl.naive", "--base", site.base_url, "--out",
           str(workdir), "--concurrency", str(concurrency)]
    before = _requests(site)
    m = run_measured(cmd, env=_env(), cwd=PROJECT_ROOT, stdout_path=workdir / "naive.out",
                     timeout=timeout, server_pid=site.pid)
    result_path = workdir / "result.json"
    data = json.loads(result_path.read_text(encoding="utf-8")) if result_path.exists() else {}
    ok = m.returncode == 0 and bool(data)
    warc_bytes = sum(p.stat().st_size for p in (workdir / "warcs").rglob("*.warc.gz*"))
    return RunnerResult("naive", "articles", int(data.get("articles", 0)),
                        int(data.get("pages", 0)), m, ok, "" if ok else "crawl failed",
                        _requests(site) - before, {"warc_bytes": warc_bytes,
                                                   "concurrency": concurrency})


def wget_command(base_url: str, warc_stem: Path, *, requisites: bool = False) -> list[str]:
    """wget over the site, one request at a time, robots.txt obeyed (wget's default when
    recursive), no delay (akhbar's outlet files in the benchmark set none). ``requisites``
    adds ``--page-requisites`` (images, stylesheets, scripts of each page, on the page's own
    host: wget does not span hosts without ``-H``), as akhbar's default
    ``capture.requisites: same-site`` fetches them."""
    wget = shutil.which("wget") or "/usr/bin/wget"
    return [wget, "--recursive", "--level=inf", "--no-parent",
            *(["--page-requisites"] if requisites else []), f"--warc-file={warc_stem}",
            "--delete-after", "-q", "--no-proxy", f"{base_url}/"]


def count_warc(path: Path) -> tuple[int, int]:
    """Response records in a WARC, and those that are article pages fetched with 200."""
    from warcio.archiveiterator import ArchiveIterator

    responses = articles = 0
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type != "response":
                continue
            responses += 1
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            status = record.http_headers.get_statuscode() if record.http_headers else ""
            path_part = "/" + uri.split("/", 3)[-1] if uri.count("/") >= 3 else uri
            if status == "200" and ARTICLE_PATH.match(path_part.split("?", 1)[0]):
                articles += 1
    return responses, articles


def run_wget(site: SiteProcess, workdir: Path, *, timeout: float | None = None) -> RunnerResult:
    """wget archives pages: its rate is WARC response records (every page) per second."""
    stem = workdir / "wget"
    before = _requests(site)
    m = run_measured(wget_command(site.base_url, stem), env=_env(), cwd=workdir,
                     stdout_path=workdir / "wget.out", timeout=timeout, server_pid=site.pid)
    warc = stem.with_suffix(".warc.gz")
    pages, articles = count_warc(warc) if warc.exists() else (0, 0)
    # wget exits 8 when any response was an error (e.g. the 404s of lazy links); not fatal.
    ok = m.returncode in (0, 8) and pages > 0
    return RunnerResult("wget", "pages", pages, pages, m, ok,
                        "" if ok else f"wget exited {m.returncode}", _requests(site) - before,
                        {"articles_archived": articles,
                         "warc_bytes": warc.stat().st_size if warc.exists() else 0})
