"""Instructions a pre-started crawl process spends before its first request, under callgrind.

``python -m bench.crawl.startcost [--tree DIR] [--port P]`` starts ``python -m
crawler.crawl.prestart`` (from ``DIR``, this checkout by default) under
``valgrind --tool=callgrind``, and prints two counts:

- (a) from the interpreter's start until it waits for its owner's boot line (its preload,
  the components its settings name, its garbage collection);
- (b) from the boot line (with one ``StartRun`` of the demo outlet ``demo_en``, against a
  site on 127.0.0.1:P) until that site receives the run's first request (robots.txt), which
  it answers only once the count is taken.

Instruction counts hold under load, unlike times; they undercount what waits on memory (a
full garbage collection: ~40 M instructions, ~80 ms). Needs valgrind (``callgrind_control``
talks to the process by its pid).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class _FirstRequest(BaseHTTPRequestHandler):
    """Holds the first request until ``released``; 404 for every request."""

    seen = threading.Event()
    released = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 -- http.server's name
        if not self.seen.is_set():
            self.seen.set()
            self.released.wait(600)
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _waiting_on_stdin(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/syscall").read_text().split()
    except OSError:
        return False
    return fields[:2] == ["0", "0x0"]  # read(0, ...)


def _total(path: Path) -> int:
    match = re.search(rb"^(?:summary|totals): (\d+)", path.read_bytes(), re.M)
    if match is None:
        raise RuntimeError(f"no total in {path}")
    return int(match.group(1))


def measure(tree: Path, port: int, work: Path) -> tuple[int, int]:
    sys.path.insert(0, str(tree))
    from crawler.catalog import Catalog, sqlite_url
    from crawler.crawl.hostboot import Boot
    from crawler.crawl.hostproto import StartRun
    from crawler.demosite import OUTLETS, outlet_yaml

    config, data = work / "config", work / "data"
    (config / "outlets").mkdir(parents=True)
    data.mkdir()
    outlet = next(o for o in OUTLETS if o["id"] == "demo_en")
    (config / "outlets" / "demo_en.yaml").write_text(
        outlet_yaml(outlet["id"], f"http://127.0.0.1:{port}"), encoding="utf-8")
    db = sqlite_url(data / "catalog.sqlite")
    Catalog(db).dispose()
    server = ThreadingHTTPServer(("127.0.0.1", port), _FirstRequest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONUNBUFFERED="1")
    env.pop("AKHBAR_EXTRACT_WORKERS", None)
    out = work / "callgrind.out"
    process = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, "-m",
         "crawler.crawl.prestart"], env=env, cwd=str(tree), stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL, stderr=(work / "valgrind.log").open("wb"))
    assert process.stdin is not None
    try:
        steady = 0
        while steady < 3:  # blocked on its boot line for three looks in a row
            steady = steady + 1 if _waiting_on_stdin(process.pid) else 0
            time.sleep(0.3)
        subprocess.run(["callgrind_control", "-d", str(process.pid)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        settings = {"AKHBAR_RUN_ID": "r1", "AKHBAR_CONFIG_DIR": str(config),
                    "AKHBAR_DATA_DIR": str(data), "AKHBAR_DATABASE_URL": db,
                    "AKHBAR_HOST": "bench", "USER_AGENT": "akhbar-bench", "LOG_LEVEL": "INFO"}
        boot_env = dict(env, SCRAPY_SETTINGS_MODULE="crawler.crawl.settings",
                        AKHBAR_DATABASE_URL=db)
        process.stdin.write(Boot(env=boot_env, cwd=str(data), stderr=str(data / "host.stderr"),
                                 argv=["--log-level", "INFO"]).to_line())
        process.stdin.write(StartRun(run_id="r1", outlet="demo_en", settings=settings).to_line())
        process.stdin.flush()
        if not _FirstRequest.seen.wait(600):
            raise RuntimeError("no request came: " + (data / "host.stderr").read_text()[-2000:])
        subprocess.run(["callgrind_control", "-d", str(process.pid)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        process.kill()
        process.wait()
        _FirstRequest.released.set()
        server.shutdown()
    return _total(Path(f"{out}.1")), _total(Path(f"{out}.2"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl.startcost",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=PROJECT_ROOT,
                        help="the checkout whose crawl process is measured")
    parser.add_argument("--port", type=int, default=18299, help="of the local site")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="akhbar-startcost-") as work:
        preload, start = measure(args.tree.resolve(), args.port, Path(work))
    print(f"(a) start -> waiting for the boot line: {preload / 1e9:.3f} G instructions")
    print(f"(b) boot line -> first request:         {start / 1e9:.3f} G instructions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
