"""``serve.lock`` in the data directory: one service per data directory, and where it listens.

The running service holds an exclusive lock on the file and writes its address into it (host,
port, pid, machine) once it listens, so the CLI finds it whatever port it was given. A file
whose lock nobody holds is left over from a service that stopped: no service runs.
"""

from __future__ import annotations

import fcntl
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from crawler.errors import ServiceAlreadyRunning

logger = logging.getLogger(__name__)

LOCK_NAME = "serve.lock"


@dataclass(frozen=True)
class ServiceAddress:
    host: str
    port: int
    pid: int
    machine: str
    started_at: str

    @property
    def url(self) -> str:
        # A service listening on every address is reached on loopback from this machine.
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"


class ServiceLock:
    """Held by the running service from start to stop."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_NAME
        self._fh: IO[str] | None = None

    def take(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.close()
            found = locate(self.path.parent)
            where = f" at {found.url} (pid {found.pid})" if found else ""
            raise ServiceAlreadyRunning(
                f"another `akhbar serve` is running{where} with the data directory "
                f"{self.path.parent}; stop it first (two services would start the same runs "
                "twice)") from exc
        fh.seek(0)
        fh.truncate()
        fh.flush()
        self._fh = fh

    def record(self, address: ServiceAddress) -> None:
        """Write where the service listens (after it has bound its port)."""
        if self._fh is None:
            return
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.write(json.dumps(asdict(address)))
        self._fh.flush()

    def release(self) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            self._fh.close()
            self._fh = None


def locate(data_dir: Path) -> ServiceAddress | None:
    """The address of the service running with this data directory, or None when none is
    (nobody holds the lock) or it has not bound its port yet."""
    path = Path(data_dir) / LOCK_NAME
    try:
        fh = path.open("r", encoding="utf-8")
    except OSError:
        return None
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # held: a service runs
        else:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            return None
        try:
            data = json.loads(fh.read() or "null")
            return ServiceAddress(**data) if isinstance(data, dict) else None
        except (ValueError, TypeError):
            logger.warning("%s holds no readable address", path)
            return None
