"""Helpers the tests share (not fixtures)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def python_output(code: str, stdin: str | None = None) -> str:
    """What ``python -c code`` prints, run in a fresh interpreter from the project root (what
    a fresh process imports, or answers); a failure raises with its stderr."""
    return subprocess.run([sys.executable, "-c", code], input=stdin, capture_output=True,
                          text=True, timeout=60, check=True, cwd=PROJECT_ROOT).stdout


def write_demo_config(config_dir: Path, base_url: str, outlet_ids: list[str] | None = None) -> Path:
    from crawler.demosite import OUTLETS, outlet_yaml

    (config_dir / "outlets").mkdir(parents=True, exist_ok=True)
    (config_dir / "akhbar.yaml").write_text("max_concurrent_crawls: 2\n", encoding="utf-8")
    for outlet in OUTLETS:
        if outlet_ids is None or outlet["id"] in outlet_ids:
            (config_dir / "outlets" / f"{outlet['id']}.yaml").write_text(
                outlet_yaml(outlet["id"], base_url), encoding="utf-8")
    return config_dir


# A crawl's WARC writer (with its index line sink) that writes `count` exchanges under
# argv[1] and is then killed (argv[4] == "kill") or closes and indexes its files.
_WRITER = """
import os, sys
from datetime import datetime, timezone
from pathlib import Path
from archive import HttpExchange, RotatingWarcWriter
from archive.linesink import CdxjLineSink
root, run_id, count, end = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
w = RotatingWarcWriter(root, "demo_fa", run_id=run_id, host="testhost", max_size=5000,
                       line_sink=CdxjLineSink())
for i in range(count):
    w.write_exchange(HttpExchange(
        url=f"https://news.example/{run_id}/{i}", method="GET", request_headers=[],
        request_body=b"", status=200, reason="OK", protocol="HTTP/1.1",
        response_headers=[("Content-Type", "text/plain")], body=os.urandom(3000),
        fetched_at=datetime.now(timezone.utc)))
if end == "kill":
    os.kill(os.getpid(), 9)
w.line_sink.merge_into(root.parent / "index", root, w.close())
"""


def run_writer(root: Path, run_id: str, count: int, end: str = "kill") -> None:
    """Run the writer above in its own process: ``end`` "kill" (SIGKILL after the last
    exchange, leaving a ``.warc.gz.open`` file) or "close" (closed and indexed)."""
    subprocess.run([sys.executable, "-c", _WRITER, str(root), run_id, str(count), end],
                   check=False, timeout=60, cwd=PROJECT_ROOT)
