"""Digests as WARC writes them (``sha1:`` + base32), for comparing a body with a record."""

from __future__ import annotations

import base64
import hashlib
from typing import Protocol

__all__ = ["digest_value", "payload_digest"]


class _Hash(Protocol):
    def digest(self) -> bytes: ...


def digest_value(sha1: _Hash) -> str:
    """``sha1:`` and the base32 of a SHA-1 hash object's digest, as warcio writes it."""
    return "sha1:" + base64.b32encode(sha1.digest()).decode("ascii")


def payload_digest(body: bytes) -> str:
    """The ``WARC-Payload-Digest`` value warcio writes for an HTTP body ``body``."""
    return digest_value(hashlib.sha1(body))
