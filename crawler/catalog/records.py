"""What the catalog is given to record: a capture (a WARC record's location and HTTP facts)
and the previous capture a recrawl compares against. The crawl builds these; the catalog
owns their shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CaptureInfo:
    """A response as archived: its WARC location and HTTP facts."""

    url: str
    status: int
    content_type: str | None
    captured_at: datetime
    warc_file: str
    warc_offset: int
    warc_length: int
    payload_digest: str
    record_id: str
    record_type: str = "response"
    etag: str | None = None
    last_modified: str | None = None
    #: For a revisit: the capture whose payload it repeats.
    refers_to: PreviousCapture | None = None


@dataclass(frozen=True)
class PreviousCapture:
    """The last full capture of a URL, as a recrawl needs it."""

    url: str
    record_id: str
    captured_at: datetime
    payload_digest: str
    etag: str | None
    last_modified: str | None
