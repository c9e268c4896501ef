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
