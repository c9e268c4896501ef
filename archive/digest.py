"""Digests as WARC writes them (``sha1:`` + base32), for comparing a body with a record."""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import _Hash


def sha1_digest(sha1: _Hash) -> str:
    """``sha1:`` + base32 of a finished ``hashlib.sha1`` object, as warcio writes digests."""
    return "sha1:" + base64.b32encode(sha1.digest()).decode("ascii")


def payload_digest(body: bytes) -> str:
    """The ``WARC-Payload-Digest`` value warcio writes for an HTTP body ``body``."""
    return sha1_digest(hashlib.sha1(body))
