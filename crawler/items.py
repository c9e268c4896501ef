"""What flows between the crawl's components."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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


@dataclass
class PageItem:
    """A fetched page handed to the pipelines: raw (decompressed) body plus its capture."""

    url: str
    outlet: str
    status: int
    content_type: str | None
    body: bytes
    capture: CaptureInfo | None
    hints: tuple[str, ...] = ()
    extracted: dict[str, Any] = field(default_factory=dict)
    #: The page repeats its last capture (304 or same payload): nothing to extract.
    unchanged: bool = False
