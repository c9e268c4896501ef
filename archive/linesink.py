"""CDXJ index lines made while the records are written, instead of by re-reading the WARCs.

A :class:`RotatingWarcWriter` given a :class:`CdxjLineSink` hands it every record it has
written, with its offset and compressed length. The sink makes the line ``cdxj-indexer``
(:func:`archive.cdxj.cdxj_lines`) would make for it and keeps it; every
:data:`CHUNK_LINES` lines are sorted and written to an unnamed temporary file beside the
WARCs (nothing in memory grows with the crawl). When a WARC file is closed its chunks are
merged into one sorted run; at the end of the crawl :meth:`CdxjLineSink.merge_into`
merges the sorted runs into the collection's index, so the only serial work left is a merge.

The lines must equal ``cdxj-indexer``'s byte for byte. They are made from the headers in
memory only when reading those headers back would give the same values (printable ASCII
where the values are taken from, no header line that would parse differently); for any
other record the whole file is read again by ``cdxj-indexer`` at the end, as it was before.
A killed process leaves nothing behind: the temporary files have no name.
"""

from __future__ import annotations

import heapq
import json
import logging
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

from warcio.recordloader import ArcWarcRecord, ArcWarcRecordLoader
from warcio.timeutils import iso_date_to_timestamp

from ._surt import url_key
from .cdxj import INDEX_SUFFIX, INDEXED_RECORDS, index_warc_files, merge_into_index

logger = logging.getLogger(__name__)

__all__ = ["CdxjLineSink", "NotExact", "cdxj_line"]

_HTTP_RECORDS = ("response", "revisit")
_HTTP_SCHEMES = tuple(ArcWarcRecordLoader.HTTP_SCHEMES)
_SPLIT_MIME = re.compile(r"[;\s]")  # CDXJIndexer.RE_SPACE (not imported: ~75 ms, rarely needed)
_DATE_RX = re.compile(r"[12]\d{3}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z\Z", re.ASCII)


class NotExact(Exception):
    """The record's line cannot be made from memory with certainty; index the file instead."""


def _plain(text: str) -> bool:
    """Printable ASCII: one header line, read back as written (tabs and CR/LF excluded)."""
    return text.isascii() and text.isprintable()


def _timestamp(date: str) -> str:
    """``iso_date_to_timestamp``: the 14 digits of a well-formed WARC-Date, else warcio's."""
    if _DATE_RX.match(date):
        y, mo, d, h, mi, s = (date[0:4], date[5:7], date[8:10], date[11:13], date[14:16],
                              date[17:19])
        datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))  # raises as warcio does
        return y + mo + d + h + mi + s
    stamp: str = iso_date_to_timestamp(date)
    return stamp


def _http_mime_and_status(record: ArcWarcRecord) -> tuple[str | None, str]:
    """``http:content-type`` and the status code, as warcio parses them from the HTTP headers
    (:class:`archive._records.VerbatimHeaders`: one line per header, CR/LF replaced)."""
    http = record.http_headers
    protocol, statusline = http.protocol, http.statusline
    # Read back, the status line is split at its first space and stripped: a protocol
    # without blanks and a status line without leading ones give the same first word.
    if not (protocol and _plain(protocol) and " " not in protocol and _plain(statusline)
            and statusline[:1] != " "):
        raise NotExact("status line")
    if not (statusline or http.headers):  # reads back as a false StatusAndHeaders
        raise NotExact("empty HTTP headers")
    # Names with a ':' or a blank would be split or folded into the previous header.
    names = "|".join([name for name, _ in http.headers])
    if not _plain(names) or ":" in names or " " in names:
        raise NotExact("HTTP header names")
    content_type: str | None = http.get_header("Content-Type")
    if content_type is not None:
        if not _plain(content_type):
            raise NotExact("content-type value")
        content_type = content_type.strip()
    return content_type, statusline.split(" ", 1)[0]


def cdxj_line(record: ArcWarcRecord, offset: int, length: int, filename: str) -> str | None:
    """The line ``cdxj-indexer`` makes for a record just written (``None``: not indexed).

    Raises :class:`NotExact` when it cannot be sure to make the same line.
    """
    rec_type = record.rec_type
    if rec_type not in INDEXED_RECORDS:
        return None
    headers = record.rec_headers
    names = "|".join([name for name, _ in headers.headers])
    if not _plain(names) or ":" in names or " " in names:
        raise NotExact("WARC header names")
    if not _plain("".join([value for _, value in headers.headers])):
        raise NotExact("WARC header values")
    url = headers.get_header("WARC-Target-URI")
    date = headers.get_header("WARC-Date")
    digest = headers.get_header("WARC-Payload-Digest")
    # Reading strips '<...>' and escapes spaces; without a digest the indexer hashes the
    # payload. (Printable ASCII, so a value without spaces reads back unstripped.)
    if not url or " " in url or url.startswith("<"):
        raise NotExact("target URI")
    if not date or " " in date or not digest or " " in digest:
        raise NotExact("date or payload digest")
    status: str | None = None
    if rec_type in _HTTP_RECORDS:
        if record.http_headers is None or not url.startswith(_HTTP_SCHEMES):
            raise NotExact("HTTP headers")
        mime, status = _http_mime_and_status(record)
    else:
        mime = headers.get_header("Content-Type")
        mime = mime.strip() if mime is not None else None
    if rec_type == "revisit":
        mime = "warc/revisit"
    elif mime:
        mime = _SPLIT_MIME.split(mime, 1)[0].strip()
    fields = {"url": url, "mime": mime, "status": status, "digest": digest,
              "length": str(length), "offset": str(offset), "filename": filename}
    index = {key: value for key, value in fields.items() if value is not None}
    return f"{url_key(url)} {_timestamp(date)} {json.dumps(index)}\n"


#: Lines of the open WARC held in memory before they are sorted and written out as a chunk
#: (~1 MB): the crawl's memory does not grow with the size of a WARC file.
CHUNK_LINES = 4096


def _temp_file(directory: Path | None) -> IO[str]:
    return tempfile.TemporaryFile("w+", encoding="utf-8", dir=directory)


class _Run:
    """A temporary file of sorted lines and the WARC files they are from."""

    def __init__(self, fh: IO[str], files: list[str], lines: int) -> None:
        self.fh, self.files, self.lines = fh, files, lines

    def __iter__(self) -> Iterator[str]:
        self.fh.seek(0)
        return iter(self.fh)


class CdxjLineSink:
    """Collects the CDXJ lines of a :class:`RotatingWarcWriter`'s records as they are written.

    The writer calls :meth:`open_file`, :meth:`add` and :meth:`close_file` (under its lock);
    the crawl calls :meth:`merge_into` once the writer is closed. Nothing here raises into
    the writer: a file whose lines cannot all be made is left to ``cdxj-indexer``.
    """

    def __init__(self) -> None:
        self._dir: Path | None = None
        self._file: str | None = None
        # The open WARC's lines: the newest in memory, older ones in sorted chunks on disk.
        self._pending: list[str] = []
        self._chunks: list[_Run] = []
        self._lines = 0
        self._runs: list[_Run] = []

    @property
    def covered(self) -> list[str]:
        """Closed WARC files whose lines are all here."""
        return [name for run in self._runs for name in run.files]

    def open_file(self, filename: str, directory: Path) -> None:
        """A new WARC file, ``filename`` relative to the WARC root (the index's ``filename``)."""
        self._drop_current()
        self._dir, self._file, self._lines = directory, filename, 0

    def add(self, record: ArcWarcRecord, offset: int, length: int) -> None:
        """A record just written to the open file, at ``offset``, ``length`` bytes long."""
        if self._file is None:
            return
        try:
            line = cdxj_line(record, offset, length, self._file)
            if line is not None:
                self._pending.append(line)
                self._lines += 1
                if len(self._pending) >= CHUNK_LINES:
                    self._spill()
        except NotExact as exc:
            logger.info("%s will be indexed by reading it (%s)", self._file, exc)
            self._drop_current()
        except Exception:
            logger.warning("cannot keep index lines for %s", self._file, exc_info=True)
            self._drop_current()

    def close_file(self, filename: str) -> None:
        """The open file is closed (renamed to its final name): merge its sorted chunks."""
        name = self._file
        if name is None or name != filename:
            self._drop_current()
            return
        try:
            self._spill()
            chunks, self._chunks = self._chunks, []
            if len(chunks) == 1:
                run = chunks[0]
            else:
                fh = _temp_file(self._dir)
                fh.writelines(heapq.merge(*chunks))
                run = _Run(fh, [], self._lines)
                for chunk in chunks:
                    chunk.fh.close()
            run.files = [name]
            self._runs.append(run)
            self._file = None
            self._compact()
        except Exception:
            logger.warning("cannot keep index lines for %s", name, exc_info=True)
            self._drop_current()
            self.discard()

    def merge_into(self, index_dir: Path, warcs_root: Path, files: Iterable[str]) -> int:
        """Add ``files`` (the writer's, relative to ``warcs_root``) to the index of their
        collection, ``<index_dir>/<first path part>.cdxj``: the lines made here, and the
        lines ``cdxj-indexer`` makes reading the files not covered. Returns its line count."""
        files = list(files)
        collections = {Path(name).parts[0] for name in files}
        try:
            if len(collections) != 1:  # not one writer's files: index them as before
                return sum(index_warc_files(index_dir, warcs_root, files).values())
            wanted = set(files)
            runs = [run for run in self._runs if set(run.files) <= wanted]
            covered = {name for run in runs for name in run.files}
            rest = [name for name in files if name not in covered]
            streams: list[Iterable[str]] = list(runs)
            if rest:
                streams.append(self._read_files(warcs_root, rest))
            index_file = index_dir / (collections.pop() + INDEX_SUFFIX)
            return merge_into_index(index_file, heapq.merge(*streams))
        finally:
            self.discard()

    def discard(self) -> None:
        """Forget every line (their files are then indexed by reading them)."""
        self._drop_current()
        for run in self._runs:
            run.fh.close()
        self._runs = []

    # -- internals --------------------------------------------------------------------
    def _drop_current(self) -> None:
        for chunk in self._chunks:
            chunk.fh.close()
        self._pending, self._chunks, self._file = [], [], None

    def _spill(self) -> None:
        """Write the lines held in memory to disk as one more sorted chunk."""
        fh = _temp_file(self._dir)
        self._pending.sort()
        fh.writelines(self._pending)
        self._chunks.append(_Run(fh, [], len(self._pending)))
        self._pending = []

    def _compact(self) -> None:
        """Merge the newest runs while the older is not more than twice as long: a few
        files stay open however often the writer rotates, each line merged log(n) times."""
        while len(self._runs) > 1 and self._runs[-2].lines <= 2 * self._runs[-1].lines:
            older, newer = self._runs[-2:]
            fh = _temp_file(self._dir)
            fh.writelines(heapq.merge(older, newer))
            self._runs[-2:] = [_Run(fh, older.files + newer.files, older.lines + newer.lines)]
            older.fh.close()
            newer.fh.close()

    def _read_files(self, warcs_root: Path, files: list[str]) -> Iterator[str]:
        from cdxj_indexer.main import CDXJIndexer

        with _temp_file(self._dir) as fh:
            CDXJIndexer(fh, [str(warcs_root / name) for name in files], sort=True,
                        dir_root=str(warcs_root), records=",".join(INDEXED_RECORDS)).process_all()
            fh.seek(0)
            yield from fh
