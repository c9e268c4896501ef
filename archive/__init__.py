"""akhbar's WARC library: write, read back, verify and repair WARC/1.1 files.

It never imports Scrapy; a notebook can use it alone::

    from archive import RotatingWarcWriter, HttpExchange, read_record

Public names are listed in ``__all__``; the exception tree is in :mod:`archive.errors`.
"""

from ._gzip import CompressedBlock, compress_block
from .digest import payload_digest
from .errors import ArchiveError, DigestMismatch, RecordNotFound, WarcWriteError
from .integrity import recover_open_files, verify_file
from .model import ArchiveRecord, HttpExchange, Problem, WarcRecordRef
from .reader import iter_records, read_record
from .writer import RotatingWarcWriter

__all__ = [
    "ArchiveError",
    "ArchiveRecord",
    "CompressedBlock",
    "DigestMismatch",
    "HttpExchange",
    "Problem",
    "RecordNotFound",
    "RotatingWarcWriter",
    "WarcRecordRef",
    "WarcWriteError",
    "compress_block",
    "iter_records",
    "payload_digest",
    "read_record",
    "recover_open_files",
    "verify_file",
]
