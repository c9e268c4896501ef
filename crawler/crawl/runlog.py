"""Run logs: JSON lines, one object per event, each carrying the outlet and the run id.

Scrapy opens every crawl with multi-line dumps (the enabled components, the overridden
settings) and closes it with its stats: the run's record holds the stats, and the
components are the same for every run, so they stay out of the log unless
``AKHBAR_LOG_SETTINGS`` asks for them (:class:`SettingsDumpFilter`).
"""

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

    def line(self, created: float, level: str, name: str, msg: str,
             fields: dict[str, Any]) -> str:
        """What :meth:`format` makes of a record without exception made at ``created`` with
        this level name, logger name and message and ``fields`` as its ``extra`` (keys that
        are not a record's own nor start with ``_``), made without the record: the run's
        "fetched" line, one per response (:class:`crawler.crawl.extensions.RunLogExtension`)."""
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds"),
            "level": level,
            "logger": name,
            "outlet": self.outlet,
            "run_id": self.run_id,
            "msg": msg,
        }
        entry.update(fields)
        return json.dumps(entry, ensure_ascii=False, default=str)


#: (logger, start of the message) of Scrapy's multi-line dumps.
SETTINGS_DUMPS = (
    ("scrapy.middleware", "Enabled "),
    ("scrapy.addons", "Enabled addons"),
    ("scrapy.crawler", "Overridden settings"),
    ("scrapy.statscollectors", "Dumping Scrapy stats"),
)


class SettingsDumpFilter(logging.Filter):
    """Drops Scrapy's dumps of components, settings and stats (see the module docstring):
    a filter of the loggers that write them (:func:`quiet_settings_dumps`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.msg, str):
            return True
        return not any(record.name == name and record.msg.startswith(start)
                       for name, start in SETTINGS_DUMPS)


def quiet_settings_dumps(log_level: str | None = None) -> None:
    """Filter Scrapy's dumps out of every handler of this process (the run log and the
    crawl's stderr alike), unless ``log_level`` is DEBUG. Set on the loggers themselves, once,
    before Scrapy logs its first dump."""
    if str(log_level or "").upper() == "DEBUG":
        return
    for name in {name for name, _ in SETTINGS_DUMPS}:
        found = logging.getLogger(name)
        if not any(isinstance(f, SettingsDumpFilter) for f in found.filters):
            found.addFilter(SettingsDumpFilter())


def open_run_log(
    path: Path, outlet: str, run_id: str, level: int = logging.INFO
) -> logging.Handler:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(level)
    handler.setFormatter(JsonLinesFormatter(outlet, run_id))
    return handler


def append_entry(path: Path, outlet: str, run_id: str, level: int, msg: str,
                 **fields: Any) -> None:
    """One more line at the end of a run's log, written after its crawl ended (by the run's
    owner: how the run ended, in words). A log that cannot be written is left as it is."""
    entry: dict[str, Any] = {
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "level": logging.getLevelName(level), "logger": "crawler.runs", "outlet": outlet,
        "run_id": run_id, "msg": msg, **fields}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
    except OSError:  # a full disk: the catalog row still says how the run ended
        pass


#: Levels a log can be filtered at, lowest first.
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def level_at_least(entry: dict[str, Any], minimum: str | None) -> bool:
    """Whether a log entry is at ``minimum`` (a name of LEVELS, any case) or above; every
    entry passes without a minimum."""
    if not minimum:
        return True
    have = str(entry.get("level") or "INFO").upper()
    rank = LEVELS.index(have) if have in LEVELS else LEVELS.index("INFO")
    return rank >= LEVELS.index(minimum.upper())


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
    return parse_lines(data, offset)


def parse_lines(data: bytes, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """The complete JSON lines of ``data`` (read from byte ``offset`` of a log), and the
    offset after the last of them."""
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
