"""Run logs: JSON lines, one object per event, each carrying the outlet and the run id."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def run_paths(data_dir: str | Path, run_id: str) -> tuple[Path, Path]:
    """The run's log file and stats file."""
    runs = Path(data_dir) / "runs"
    return runs / f"{run_id}.log", runs / f"{run_id}.stats.json"


_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "spider"}


class JsonLinesFormatter(logging.Formatter):
    def __init__(self, outlet: str, run_id: str) -> None:
        super().__init__()
        self.outlet = outlet
        self.run_id = run_id

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "outlet": self.outlet,
            "run_id": self.run_id,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def open_run_log(
    path: Path, outlet: str, run_id: str, level: int = logging.INFO
) -> logging.Handler:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(level)
    handler.setFormatter(JsonLinesFormatter(outlet, run_id))
    return handler


@dataclass
class Progress:
    """Counts read off a run log: what the progress display and summaries show."""

    pages: int = 0
    articles: int = 0
    errors: int = 0
    last_url: str = ""

    def feed(self, entry: dict[str, Any]) -> None:
        event = entry.get("event")
        if event == "fetched":
            self.pages += 1
            self.last_url = str(entry.get("url", ""))
        elif event == "article":
            self.articles += 1
        if entry.get("level") in ("ERROR", "CRITICAL") or event == "request_failed":
            self.errors += 1


def read_log(path: Path, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Complete JSON lines from `offset` on, and the offset after the last complete line."""
    if not path.exists():
        return [], offset
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read()
    end = data.rfind(b"\n") + 1
    entries = []
    for line in data[:end].splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    return entries, offset + end


def iter_log(path: Path) -> Iterator[dict[str, Any]]:
    entries, _ = read_log(path)
    yield from entries
