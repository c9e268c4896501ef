"""CDXJ indexes of WARC files, in the format pywb reads, and lookups over them.

Lines are made by webrecorder's ``cdxj-indexer`` (the indexer pywb and ``wacz`` use), so the
keys, timestamps and JSON fields are exactly pywb's::

    <surt urlkey> <14-digit timestamp> {"url": ..., "mime": ..., "status": ..., "digest": ...,
                                        "length": ..., "offset": ..., "filename": ...}

A crawl makes the same lines as it writes its records (:mod:`archive.linesink`) and only
merges them here; what it cannot make exactly is read by ``cdxj-indexer`` as above.

``filename`` is the WARC path relative to the WARC root (``<outlet>/<YYYY>/<MM>/<name>``),
so a pywb collection whose ``archive_paths`` is that root finds every file.

One sorted file per collection (akhbar uses one per outlet): :func:`add_to_index` merges the
lines of newly closed WARC files into it under an exclusive lock and replaces it atomically,
so pywb and the CLI always read a whole, sorted file. :func:`iter_index` binary-searches the
sorted files of a directory and merges what they hold, like pywb's directory index source.
"""

from __future__ import annotations

import heapq
import io
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

try:
    import fcntl
except ImportError:  # pragma: no cover - non-POSIX
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

__all__ = [
    "INDEXED_RECORDS",
    "MATCH_TYPES",
    "CdxjLine",
    "add_to_index",
    "cdxj_lines",
    "index_unindexed_files",
    "index_warc_files",
    "indexed_files",
    "iter_index",
    "merge_into_index",
    "search_range",
    "url_key",
    "write_index",
]

#: Records an index line is made for. ``metadata`` records stay out: pywb would offer the
#: extracted-text JSON as a capture of the article's URL.
INDEXED_RECORDS = ("response", "revisit", "resource")
MATCH_TYPES = ("exact", "prefix", "host", "domain")
INDEX_SUFFIX = ".cdxj"
WARC_SUFFIX = ".warc.gz"
_FILENAME_KEY = '"filename": '
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class CdxjLine:
    """One parsed index line."""

    urlkey: str
    timestamp: str
    fields: dict[str, Any]

    @classmethod
    def parse(cls, line: str) -> CdxjLine:
        key, ts, data = line.rstrip("\n").split(" ", 2)
        return cls(key, ts, json.loads(data))

    @property
    def url(self) -> str:
        return str(self.fields.get("url", ""))

    @property
    def filename(self) -> str:
        return str(self.fields["filename"])

    @property
    def offset(self) -> int:
        return int(self.fields["offset"])

    @property
    def length(self) -> int:
        return int(self.fields["length"])

    @property
    def status(self) -> int | None:
        value = self.fields.get("status")
        return int(value) if value and str(value).isdigit() else None

    @property
    def mime(self) -> str:
        return str(self.fields.get("mime", ""))

    @property
    def digest(self) -> str:
        return str(self.fields.get("digest", ""))

    @property
    def is_revisit(self) -> bool:
        return self.mime == "warc/revisit"

    def to_line(self) -> str:
        return f"{self.urlkey} {self.timestamp} {json.dumps(self.fields)}\n"


def url_key(url: str) -> str:
    """The SURT key pywb sorts and looks up by. ValueError for what is not a URL at all
    (``surt`` itself fails with an AttributeError on a blank one)."""
    # surt brings tldextract and requests (~0.09 s of CPU, ~7 MB): imported by the first
    # key made, not by every reader of an index (the owner of a run checks its files
    # against the index when it ends, and seldom has one to index).
    import surt

    if not url.strip():
        raise ValueError(f"not a URL: {url!r}")
    try:
        key: str = surt.surt(url)
    except (AttributeError, TypeError, ValueError) as exc:
        raise ValueError(f"not a URL: {url!r}") from exc
    return key


def search_range(url: str, match_type: str = "exact") -> tuple[str, str]:
    """Start (inclusive) and end (exclusive) keys for a CDX API ``matchType``.

    The same ranges as pywb's ``calc_search_range``: ``exact`` one URL, ``prefix`` every URL
    starting with it, ``host`` every URL of its host, ``domain`` its host and subdomains.
    """
    if match_type not in MATCH_TYPES:
        raise ValueError(f"match type must be one of {', '.join(MATCH_TYPES)} (got {match_type!r})")
    start = url_key(url)
    if match_type == "exact":
        return start + " ", start + "!"
    if match_type == "prefix":
        if url.endswith("/") and not start.endswith("/"):
            start += "/"
        if url.endswith("?") and not start.endswith("?"):
            start += "?"
        return start, start[:-1] + chr(ord(start[-1]) + 1)
    host = start.split(")/")[0]
    if match_type == "host":
        return host + ")/", host + "*"
    # domain: the host itself sorts as "host)", its subdomains as "host,sub)"
    if "," not in host:
        return host + ",", host + "-"
    return host + ")/", host + "-"


# -- writing ------------------------------------------------------------------------------
def cdxj_lines(paths: Iterable[Path], root: Path) -> list[str]:
    """Sorted index lines for WARC files; ``filename`` is each path relative to ``root``."""
    from cdxj_indexer.main import CDXJIndexer  # ~75 ms to import; a crawl may never need it

    inputs = [str(Path(p)) for p in paths]
    if not inputs:
        return []
    out = io.StringIO()
    indexer = CDXJIndexer(
        out,
        inputs,
        sort=True,
        dir_root=str(root),
        records=",".join(INDEXED_RECORDS),
    )
    indexer.process_all()
    return out.getvalue().splitlines(keepends=True)


def add_to_index(index_file: Path, lines: Iterable[str]) -> int:
    """Merge sorted ``lines`` into a sorted index file; returns its line count.

    Runs under an exclusive lock on ``<index_file>.lock`` (crawls of one outlet can close
    files at the same time) and replaces the file atomically. Merging is idempotent:
    indexing a WARC twice leaves one copy of each line.
    """
    return merge_into_index(index_file, sorted(lines))


def merge_into_index(index_file: Path, sorted_lines: Iterable[str]) -> int:
    """:func:`add_to_index` for lines already sorted: they are streamed, never held."""
    index_file.parent.mkdir(parents=True, exist_ok=True)
    with _locked(index_file):
        if index_file.exists():
            with index_file.open("r", encoding="utf-8") as old:
                return _replace(index_file, heapq.merge(old, sorted_lines))
        return _replace(index_file, iter(sorted_lines))


def write_index(index_file: Path, lines: Iterable[str]) -> int:
    """Replace an index file with ``lines`` (sorted here), under the same lock."""
    index_file.parent.mkdir(parents=True, exist_ok=True)
    with _locked(index_file):
        return _replace(index_file, iter(sorted(lines)))


@contextmanager
def _locked(index_file: Path) -> Iterator[None]:
    with open(index_file.with_name(index_file.name + ".lock"), "a") as lock:
        if fcntl is not None:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _replace(index_file: Path, lines: Iterator[str]) -> int:
    fd, tmp = tempfile.mkstemp(dir=index_file.parent, prefix=index_file.name, suffix=".tmp")
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            last = None
            for line in lines:
                if line != last and line.strip():
                    out.write(line)
                    count += 1
                last = line
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; replay tools may run as another user
        os.replace(tmp, index_file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


# -- reading ------------------------------------------------------------------------------
def iter_index(index: Path, start: str, end: str) -> Iterator[CdxjLine]:
    """Lines with ``start <= line < end`` from an index file or every ``*.cdxj`` of a
    directory, merged in key order."""
    files = sorted(index.glob("*" + INDEX_SUFFIX)) if index.is_dir() else [index]
    streams = [_iter_file(path, start, end) for path in files if path.exists()]
    for line in heapq.merge(*streams):
        yield CdxjLine.parse(line)


def _iter_file(path: Path, start: str, end: str) -> Iterator[str]:
    with path.open("rb") as fh:
        fh.seek(_first_at_or_after(fh, start.encode("utf-8")))
        for raw in fh:
            line = raw.decode("utf-8")
            if line >= end:
                return
            if line >= start:
                yield line


def _first_at_or_after(fh: BinaryIO, key: bytes) -> int:
    """Byte offset of a line start at or before the first line ``>= key`` (binary search)."""
    lo, hi = 0, fh.seek(0, os.SEEK_END)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        fh.seek(mid)
        fh.readline()  # skip to the next line start
        pos = fh.tell()
        line = fh.readline()
        if not line or line >= key:
            hi = mid
        else:
            lo = pos
    return lo


def index_warc_files(index_dir: Path, warcs_root: Path, files: Iterable[str]) -> dict[str, int]:
    """Add closed WARC files (paths relative to ``warcs_root``) to the sorted index of their
    collection, ``<index_dir>/<first path part>.cdxj``; returns lines per index file."""
    groups: dict[str, list[Path]] = {}
    for rel in files:
        groups.setdefault(Path(rel).parts[0], []).append(warcs_root / rel)
    counts: dict[str, int] = {}
    for collection, paths in sorted(groups.items()):
        lines = cdxj_lines(paths, warcs_root)
        counts[collection] = add_to_index(index_dir / (collection + INDEX_SUFFIX), lines)
    return counts


def indexed_files(index_file: Path) -> set[str]:
    """The WARC files (``filename``) an index file has lines of; empty if it does not exist."""
    names: set[str] = set()
    try:
        fh = index_file.open("r", encoding="utf-8")
    except FileNotFoundError:
        return names
    with fh:
        for line in fh:
            # Inside a JSON string every '"' is escaped: the key is found only as a key.
            at = line.rfind(_FILENAME_KEY)
            if at >= 0:
                names.add(str(_DECODER.raw_decode(line, at + len(_FILENAME_KEY))[0]))
            elif line.strip():
                names.add(str(CdxjLine.parse(line).fields.get("filename", "")))
    return names


def index_unindexed_files(index_dir: Path, warcs_root: Path, collection: str, *,
                          check: bool = False) -> list[str]:
    """Add to ``<index_dir>/<collection>.cdxj`` the closed WARC files of the collection
    (``<warcs_root>/<collection>/**/*.warc.gz``) that it has no line of; returns them.

    A crawl indexes its files when it ends: one that was killed leaves every file it had
    rotated (closed) unindexed. The index is read for the names it holds only when
    ``check`` is set or some file is not older than the index (a crawl that ended
    normally merged its files into the index after closing them), so a file is never
    indexed twice. A file without a record to index is read again at the next check.
    """
    folder = warcs_root / collection
    paths = sorted(folder.rglob("*" + WARC_SUFFIX)) if folder.is_dir() else []
    if not paths:
        return []
    index_file = index_dir / (collection + INDEX_SUFFIX)
    if not check and index_file.exists():
        since = index_file.stat().st_mtime_ns
        if all(path.stat().st_mtime_ns < since for path in paths):
            return []
    have = indexed_files(index_file)
    missing = [rel for rel in (path.relative_to(warcs_root).as_posix() for path in paths)
               if rel not in have]
    if not missing:
        return []
    logger.warning("indexing %d WARC file(s) the index of %s lacks: %s", len(missing),
                   collection, ", ".join(missing))
    lines: list[str] = []
    done = []
    for rel in missing:  # one unreadable file must not keep the others out
        try:
            lines += cdxj_lines([warcs_root / rel], warcs_root)
        except Exception:
            logger.exception("cannot index %s; `akhbar verify` tells what is wrong", rel)
            continue
        done.append(rel)
    add_to_index(index_file, lines)
    return done
