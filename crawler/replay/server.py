"""pywb, the replay server, run beside the service on the archive's own CDXJ index.

pywb is not imported here. Its ``FrontEndApp`` monkey-patches the standard library with
gevent when it is imported (socket, threading, ssl: the service's asyncio loop, SQLAlchemy
pools and crawls would all run on greenlets), and it pins ``werkzeug==2.2.3``,
``redis==2.10.6`` and gevent versions of its own. So it lives in its own virtualenv
(``make install`` makes ``.venv/pywb-venv``; ``AKHBAR_PYWB_VENV`` points elsewhere), and
:class:`PywbServer` starts it on 127.0.0.1 when the first ``/replay`` request comes, with
a collection named ``replay`` whose index is ``<data>/index/`` and whose WARC root is
``<data>/warcs/``: pywb's ``/replay/{timestamp}/{url}`` is then akhbar's. The service
forwards ``/replay`` to it (:mod:`crawler.replay.routes`).
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from crawler.errors import ReplayUnavailable

logger = logging.getLogger(__name__)

__all__ = ["COLLECTION", "PYWB_SPEC", "PywbServer", "pywb_python"]

#: The pywb release tested (Python 3.11 and 3.12; pywb 2.9 does not install on 3.13).
PYWB_SPEC = "pywb==2.9.1"
#: pywb's collection, and so the first segment of every replay URL.
COLLECTION = "replay"
#: How long pywb may take to start (it imports gevent, jinja and its rewriters).
START_TIMEOUT = 60.0
LAUNCHER = Path(__file__).with_name("pywb_main.py")


def pywb_python(environ: dict[str, str] | None = None) -> Path:
    """The Python of pywb's virtualenv."""
    env = os.environ if environ is None else environ
    venv = env.get("AKHBAR_PYWB_VENV") or str(Path(sys.prefix) / "pywb-venv")
    return Path(venv) / "bin" / "python"


def _config(index_dir: Path, warcs_dir: Path) -> str:
    return (
        "# Written by akhbar (crawler/replay/server.py) each time it starts pywb.\n"
        "collections:\n"
        f"  {COLLECTION}:\n"
        f"    index_paths: {index_dir.absolute()}/\n"
        f"    archive_paths: {warcs_dir.absolute()}/\n"
        "framed_replay: true\n"
        "enable_memento: true\n"
        # pywb's own scripts and styles, under /replay too: one prefix to forward
        f"static_prefix: {COLLECTION}/_static\n"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PywbServer:
    """One pywb process for one service, started on first use, stopped by :meth:`close`
    (and, should the service die, by itself: it watches its parent)."""

    def __init__(self, data_dir: Path, *, python: Path | None = None) -> None:
        self.data_dir = data_dir
        self.python = python or pywb_python()
        self.home = data_dir / "replay"
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._base: str | None = None

    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, starting pywb if it is not running."""
        with self._lock:
            if self._proc is not None and self._proc.poll() is None and self._base:
                return self._base
            return self._start()

    def _start(self) -> str:
        if not self.python.exists():
            raise ReplayUnavailable(
                f"replay needs pywb, which is not installed ({self.python} is missing): "
                "`make install` installs it into .venv/pywb-venv, or set AKHBAR_PYWB_VENV to "
                f"a virtualenv with {PYWB_SPEC}")
        self.home.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "index").mkdir(parents=True, exist_ok=True)
        (self.home / "config.yaml").write_text(
            _config(self.data_dir / "index", self.data_dir / "warcs"), encoding="utf-8")
        port = _free_port()
        log = (self.home / "pywb.log").open("ab")
        try:
            self._proc = subprocess.Popen(
                [str(self.python), str(LAUNCHER), str(os.getpid()), str(port)],
                cwd=self.home, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                urllib.request.urlopen(f"{base}/{COLLECTION}/", timeout=2).close()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self._proc.poll() is not None or time.monotonic() > deadline:
                    self._stop()
                    raise ReplayUnavailable(
                        "the replay server (pywb) did not start; its log is "
                        f"{self.home / 'pywb.log'}") from None
                time.sleep(0.1)
        logger.info("pywb replays the archive on %s", base, extra={"event": "replay_started"})
        self._base = base
        return base

    def _stop(self) -> None:
        proc, self._proc, self._base = self._proc, None, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    def close(self) -> None:
        with self._lock:
            self._stop()
