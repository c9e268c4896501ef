"""archive/ is a standalone WARC library: it must not pull in Scrapy or Twisted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_importing_archive_does_not_import_scrapy(project_root: Path) -> None:
    code = (
        "import sys, archive\n"
        "archive.RotatingWarcWriter, archive.read_record, archive.verify_file\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted'))\n"
        "print(','.join(bad))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=project_root
    )
    assert result.returncode == 0, f"archive imported: {result.stdout} {result.stderr}"


def test_public_api() -> None:
    import archive

    assert set(archive.__all__) >= {
        "HttpExchange",
        "WarcRecordRef",
        "RotatingWarcWriter",
        "read_record",
        "iter_records",
        "ArchiveError",
        "recover_open_files",
        "verify_file",
    }
