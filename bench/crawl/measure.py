"""Measuring a child process tree: wall time, CPU time, peak RSS, CPU by role.

CPU comes from ``getrusage(RUSAGE_CHILDREN)`` around the run (exact: every descendant that was
waited for is counted, worker processes included); peak memory is the largest sum of RSS over
the whole tree, sampled every 0.2 s with psutil. CPU per process role (service, crawl, workers)
comes from the same samples: the last CPU time seen for each process.

With ``reaper=True`` the command runs under :mod:`bench.crawl.reaper`, a child subreaper: a
process of the tree whose parent exits first (a crawl started in its own session) stays in the
tree, is sampled and has its CPU counted; the reaper itself is left out of the figures.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

logger = logging.getLogger(__name__)

SAMPLE_INTERVAL = 0.2


@dataclass
class Measurement:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int
    cpu_by_role: dict[str, float] = field(default_factory=dict)
    peak_rss_mb_by_role: dict[str, float] = field(default_factory=dict)
    peak_processes: int = 0
    server_cpu_s: float = 0.0
    # CPU the rest of the machine used meanwhile, in cores: anything above ~0.1 means the
    # wall-clock figures of this run were slowed by other work.
    other_load_cores: float = 0.0
    # Per role, the largest RSS sampled in each quarter of the run's wall time: memory that
    # grows with the crawl shows as rising quarters.
    rss_mb_by_quarter: dict[str, list[float]] = field(default_factory=dict)
    # Peak of the tree's summed PSS: RSS with shared pages (libraries, copy-on-write) divided
    # among the processes sharing them, so the sum is the memory the tree really holds.
    peak_pss_mb: float = 0.0
    # The largest single process seen (MB) and its role; how many processes the tree had in all.
    largest_process_mb: float = 0.0
    largest_process_role: str = ""
    processes_seen: int = 0
    # When the command was started (epoch seconds), for start-up times measured elsewhere.
    started_at: float = 0.0
    # Processes of the tree still running a few seconds after the command ended (reaper only).
    lingering: int = 0


def default_role(proc: psutil.Process) -> str:
    try:
        cmd = " ".join(proc.cmdline())
    except (psutil.Error, OSError):
        return "other"
    if "multiprocessing" in cmd or "spawn_main" in cmd:
        return "workers"
    if "scrapy" in cmd or any(f"crawler.crawl.{m}" in cmd for m in ("crawlproc", "host",
                                                                      "prestart")):
        return "crawl"
    if "bench.crawl.naive" in cmd:
        return "crawl"
    if "wget" in cmd:
        return "wget"
    return "service"


class TreeSampler:
    """Samples a process and its descendants in a background thread."""

    def __init__(self, pid: int, role: Callable[[psutil.Process], str] = default_role,
                 watch: psutil.Process | None = None, *, include_root: bool = True) -> None:
        self.root = psutil.Process(pid)
        self.include_root = include_root
        self.largest: tuple[int, str] = (0, "")
        self.role = role
        self.watch = watch
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_processes = 0
        self.peak_by_role: dict[str, int] = {}
        self.cpu: dict[int, tuple[str, float]] = {}
        self.timeline: list[tuple[float, dict[str, int]]] = []  # (seconds in, RSS by role)
        self._started = time.monotonic()
        self._roles: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tree-sampler", daemon=True)

    def start(self) -> TreeSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(SAMPLE_INTERVAL)

    def sample(self) -> None:
        try:
            procs = self.root.children(recursive=True)
        except psutil.Error:
            return
        if self.include_root:
            procs.insert(0, self.root)
        rss = pss = 0
        alive = 0
        by_role: dict[str, int] = {}
        for proc in procs:
            try:
                with proc.oneshot():
                    if proc.status() == psutil.STATUS_ZOMBIE:  # ended, not reaped yet
                        continue
                    mem, shared_out = self._memory(proc)
                    rss += mem
                    pss += shared_out
                    times = proc.cpu_times()
                    if proc.pid not in self._roles:
                        self._roles[proc.pid] = self.role(proc)
                    by_role[self._roles[proc.pid]] = by_role.get(self._roles[proc.pid], 0) + mem
                    self.cpu[proc.pid] = (self._roles[proc.pid], times.user + times.system)
                    self.largest = max(self.largest, (mem, self._roles[proc.pid]))
                    alive += 1
            except psutil.Error:
                continue
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_pss = max(self.peak_pss, pss)
        if by_role:
            by_role["all"] = rss
        self.timeline.append((time.monotonic() - self._started, by_role))
        for role, mem in by_role.items():
            if role != "all":
                self.peak_by_role[role] = max(self.peak_by_role.get(role, 0), mem)
        self.peak_processes = max(self.peak_processes, alive)

    @staticmethod
    def _memory(proc: psutil.Process) -> tuple[int, int]:
        """RSS, and PSS (pages shared with other processes counted in proportion; from
        smaps_rollup, well under a millisecond a process); PSS is RSS where unreadable."""
        try:
            full = proc.memory_full_info()
            return full.rss, getattr(full, "pss", full.rss)
        except psutil.AccessDenied:
            rss = proc.memory_info().rss
            return rss, rss

    def rss_by_quarter(self) -> dict[str, list[float]]:
        """Per role (and "all": the whole tree), the largest RSS (MB) sampled in each quarter
        of the sampled time."""
        if not self.timeline:
            return {}
        end = self.timeline[-1][0] or 1.0
        out: dict[str, list[float]] = {}
        for at, by_role in self.timeline:
            quarter = min(3, int(4 * at / end))
            for role, mem in by_role.items():
                row = out.setdefault(role, [0.0] * 4)
                row[quarter] = max(row[quarter], round(mem / 2**20, 1))
        return out

    def cpu_by_role(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for role, seconds in self.cpu.values():
            out[role] = round(out.get(role, 0.0) + seconds, 3)
        return out


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _machine_busy() -> float:
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def process_cpu(pid: int | None) -> float:
    if pid is None:
        return 0.0
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


def run_measured(cmd: Sequence[str], *, env: Mapping[str, str] | None = None,
                 cwd: Path | None = None, stdout_path: Path | None = None,
                 timeout: float | None = None, server_pid: int | None = None,
                 role: Callable[[psutil.Process], str] = default_role,
                 reaper: bool = False) -> Measurement:
    """Run ``cmd`` to completion and measure it (and the server's CPU meanwhile)."""
    # The previous runner's files are still being written back (the kernel flushes dirty
    # pages ~30 s after they were written, on the same two cores): flush them now, so
    # that each runner is measured on a quiet disk and not charged for the last one's.
    os.sync()
    info = _reaper_info_path() if reaper else None
    if info is not None:
        cmd = [sys.executable, "-m", "bench.crawl.reaper", "--info", str(info), "--", *cmd]
    cpu_before = _children_cpu()
    server_before = process_cpu(server_pid)
    busy_before = _machine_busy()
    started_at = time.time()
    started = time.monotonic()
    out = stdout_path.open("wb") if stdout_path else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(list(cmd), env=dict(env) if env is not None else None,
                                cwd=str(cwd) if cwd else None, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid, role, include_root=info is None).start()
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            logger.warning("timed out after %ss: %s", timeout, " ".join(cmd))
            proc.terminate()
            code = proc.wait()
        finally:
            sampler.stop()
    finally:
        if stdout_path and not isinstance(out, int):
            out.close()
    wall = time.monotonic() - started
    cpu = _children_cpu() - cpu_before
    reaped: dict[str, Any] = {}
    if info is not None:
        reaped = _read_info(info)
        cpu -= float(reaped.get("own_cpu_s", 0.0))
        started_at = float(reaped.get("started_at", started_at))
    server = process_cpu(server_pid) - server_before
    other = max(0.0, _machine_busy() - busy_before - cpu - server)
    return Measurement(
        wall_s=round(wall, 3),
        cpu_s=round(cpu, 3),
        peak_rss_mb=round(sampler.peak_rss / 2**20, 1),
        peak_pss_mb=round(sampler.peak_pss / 2**20, 1),
        returncode=code,
        cpu_by_role=sampler.cpu_by_role(),
        peak_rss_mb_by_role={k: round(v / 2**20, 1) for k, v in sampler.peak_by_role.items()},
        peak_processes=sampler.peak_processes,
        server_cpu_s=round(server, 3),
        other_load_cores=round(other / wall, 2) if wall else 0.0,
        rss_mb_by_quarter=sampler.rss_by_quarter(),
        largest_process_mb=round(sampler.largest[0] / 2**20, 1),
        largest_process_role=sampler.largest[1],
        processes_seen=len(sampler.cpu),
        started_at=started_at,
        lingering=int(reaped.get("lingering", 0)),
    )


def _reaper_info_path() -> Path:
    fd, name = tempfile.mkstemp(prefix="akhbar-bench-reaper-", suffix=".json")
    os.close(fd)
    return Path(name)


def _read_info(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        data = {}
    path.unlink(missing_ok=True)
    return data


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
