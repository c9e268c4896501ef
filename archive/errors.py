"""Exceptions raised by :mod:`archive`.

Hierarchy::

    ArchiveError            any problem reading or writing a WARC file
    ├── RecordNotFound      missing file, or offset/length that do not frame one record
    ├── DigestMismatch      a record whose block or payload digest does not match its bytes
    └── WarcWriteError      a record the file system refused (also an OSError: its errno
                            says why, ENOSPC for a full disk); the file keeps whole records

Bad arguments (a naive ``fetched_at``, an unusable outlet id) raise ``ValueError``.
"""

from __future__ import annotations


class ArchiveError(Exception):
    """A WARC file could not be read or written as asked."""


class RecordNotFound(ArchiveError):
    """The file is missing, or the offset/length do not frame exactly one record."""


class DigestMismatch(ArchiveError):
    """A record's stored digest does not match its bytes."""


class WarcWriteError(ArchiveError, OSError):
    """The file system refused a record (``errno`` says why: ``ENOSPC`` for a full disk).
    The partial record was cut off, so the file still holds only whole records."""
