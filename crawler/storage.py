"""Where the archive's files live, behind one small interface: today a data directory (on one
host, or mounted on every host of a cluster of workers); an object store (S3-compatible) can
be added behind the same three calls.

A crawl writes its WARC files under :meth:`ArchiveStorage.warcs_dir` (``*.warc.gz.open`` while
written, renamed when closed) and hands every closed file to :meth:`ArchiveStorage.stored`:
a shared directory has nothing more to do; an object store would upload the file there and
keep it in the catalog's ``warc_file`` by the same relative name. :meth:`check` runs when a
worker starts, so that a host without the shared directory mounted says so at once.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from crawler.context import AkhbarContext
from crawler.errors import ConfigError


class ArchiveStorage(Protocol):
    @property
    def name(self) -> str:
        """What kind of storage this is, for messages (``shared_dir``)."""
        ...

    @property
    def warcs_dir(self) -> Path:
        """Where a crawl on this host writes its WARC files (``<outlet>/<YYYY>/<MM>/...``)."""
        ...

    def stored(self, outlet: str, files: list[str]) -> None:
        """These closed WARC files (relative to :attr:`warcs_dir`) are complete: make them
        readable by every host."""
        ...

    def check(self) -> None:
        """Raise :class:`ConfigError` when this host cannot write the archive."""
        ...


@dataclass(frozen=True)
class SharedDirectory:
    """The data directory: ``warcs/`` under it. With workers on several hosts, every host
    mounts the same directory (NFS, CephFS...) at the path its ``AKHBAR_HOME`` names; each
    host's WARC file names end with its host name, so two hosts never write one file."""

    data_dir: Path
    name: str = "shared_dir"

    @property
    def warcs_dir(self) -> Path:
        return self.data_dir / "warcs"

    def stored(self, outlet: str, files: list[str]) -> None:
        """Nothing to do: a closed file in the shared directory is readable everywhere."""

    def check(self) -> None:
        probe = self.data_dir / f".write-check-{secrets.token_hex(4)}"
        try:
            self.warcs_dir.mkdir(parents=True, exist_ok=True)
            (self.data_dir / "runs").mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"")
            os.unlink(probe)
        except OSError as exc:
            raise ConfigError(
                f"cannot write the data directory {self.data_dir}: "
                f"{exc.strerror or exc}", field="data_dir",
                hint="Every worker writes WARC files and run logs there: mount the shared "
                "data directory on this host and point AKHBAR_HOME at it") from exc


def storage_at(data_dir: Path) -> ArchiveStorage:
    return SharedDirectory(Path(data_dir))


def storage_for(ctx: AkhbarContext) -> ArchiveStorage:
    return storage_at(ctx.data_dir)
