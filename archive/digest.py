"""Digests as WARC writes them (``sha1:`` + base32), for comparing a body with a record."""

from __future__ import annotations

import base64
import hashlib


def payload_digest(body: bytes) -> str:
    """The ``WARC-Payload-Digest`` value warcio writes for an HTTP body ``body``."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")
