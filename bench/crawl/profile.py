"""Summaries of a py-spy ``--format raw`` profile (collapsed stacks) per process role.

``py-spy record -f raw --subprocesses`` puts the process as the first frame of every stack;
the summary gives, per role (service, crawl, workers), the share of samples spent in each
function itself (self) and anywhere below it (inclusive).
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")
_PROCESS = re.compile(r'^process (\d+):"(.*)"$')


def py_spy() -> str | None:
    from .runners import PROJECT_ROOT

    local = PROJECT_ROOT / ".venv" / "bin" / "py-spy"
    return str(local) if local.exists() else shutil.which("py-spy")


def profile_command(out: Path, rate: int = 200) -> list[str]:
    tool = py_spy()
    if tool is None:
        raise RuntimeError("py-spy is not installed: pip install 'py-spy>=0.3.14'")
    return [tool, "record", "-o", str(out), "-f", "raw", "--subprocesses", "-r", str(rate),
            "--nonblocking", "--"]


def _short(frame: str) -> str:
    match = _FRAME.match(frame)
    if not match:
        return frame
    file = match["file"]
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in file:
            file = file.split(marker, 1)[1]
    return f"{match['func']} ({file})"


def role_of(cmdline: str) -> str:
    if "spawn_main" in cmdline or "multiprocessing" in cmdline:
        return "workers"
    if "scrapy" in cmdline or any(m in cmdline for m in (
            "crawlproc", "crawler.crawl.host", "crawler.crawl.prestart")):
        return "crawl"
    return "service"


def summarize(path: Path, top: int = 15) -> dict[str, Any]:
    self_counts: dict[str, Counter[str]] = {}
    incl_counts: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        role = "service"
        # Leading frames are the process chain (parent first); a command line may itself
        # contain ';', so each is rejoined up to its closing quote.
        while frames and frames[0].startswith("process "):
            end = next((k for k, f in enumerate(frames) if f.endswith('"')), 0)
            head, frames = ";".join(frames[:end + 1]), frames[end + 1:]
            if m := _PROCESS.match(head):
                role = role_of(m[2])
        frames = [f for f in frames if not f.startswith("thread ")]
        if not frames:
            continue
        totals[role] += count
        self_counts.setdefault(role, Counter())[_short(frames[-1])] += count
        seen = {_short(f) for f in frames}
        incl = incl_counts.setdefault(role, Counter())
        for name in seen:
            incl[name] += count
    out: dict[str, Any] = {}
    for role, total in totals.most_common():
        out[role] = {
            "samples": total,
            "self": [(name, round(100 * c / total, 1))
                     for name, c in self_counts[role].most_common(top)],
            "inclusive": [(name, round(100 * c / total, 1))
                          for name, c in incl_counts[role].most_common(top * 3)
                          if not name.startswith(("<module>", "_run_module", "run_module",
                                                  "_run_code", "main ("))][:top],
        }
    return out


def render(summary: dict[str, Any]) -> str:
    lines = []
    for role, data in summary.items():
        lines.append(f"[{role}] {data['samples']} samples")
        lines.append("  self:")
        lines += [f"    {pct:5.1f}%  {name}" for name, pct in data["self"]]
        lines.append("  inclusive:")
        lines += [f"    {pct:5.1f}%  {name}" for name, pct in data["inclusive"]]
    return "\n".join(lines)
