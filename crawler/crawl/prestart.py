"""``python -m crawler.crawl.prestart``: a shared crawl process started before its owner
knows its settings (see :mod:`crawler.crawl.hostboot`).

It imports what every shared crawl process needs (:data:`PRELOAD`, then the components the
project's settings name), reads one :class:`~crawler.crawl.hostboot.Boot` line from its
stdin, takes that environment, working directory and stderr file, and runs the host
(:data:`HOST`) with those arguments. If its stdin closes first (the owner did not need it,
or is gone), it exits at once.

This module is the process's ``__main__``, and every extraction worker (a *spawned*
process) imports the parent's ``__main__`` again: so at its top it imports only the standard
library, :mod:`~crawler.crawl.hostboot` and :mod:`~crawler.crawl.gcpolicy`, and the preload
and the host are imported by name when it runs as the program (a worker then stays as small as under
``python -m crawler.crawl.host``, ~90 MB, not ~140 with Scrapy and the catalog in it).
"""

from __future__ import annotations

import importlib
import os
import select
import sys

from crawler.crawl import gcpolicy
from crawler.crawl.hostboot import Boot

#: Imported before waiting for the owner's settings.
PRELOAD = "crawler.crawl.preload"
#: The shared crawl process this one becomes (its ``main(argv)``).
HOST = "crawler.crawl.host"


def read_line(fd: int) -> bytes:
    """One line from ``fd``, read a byte at a time: nothing past it is consumed (the host
    reads its commands from the same descriptor). Empty at end of input."""
    line = bytearray()
    while True:
        byte = os.read(fd, 1)
        if not byte:
            return b""
        if byte == b"\n":
            return bytes(line)
        line += byte


def boot(line: bytes) -> list[str]:
    """Take the owner's settings; the host's arguments."""
    settings = Boot.from_line(line)
    os.environ.clear()
    os.environ.update(settings.env)
    os.chdir(settings.cwd)
    fd = os.open(settings.stderr, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    return settings.argv


def boot_line_waiting(fd: int) -> bool:
    """Whether the owner has written its boot line (or closed its end) already."""
    readable, _, _ = select.select([fd], [], [], 0)
    return bool(readable)


def main() -> int:
    # What the imports make lives as long as the process: the collector, left on, walked it
    # in ~250 young and 2 full collections on the way (~0.1 s of CPU before the first
    # request); one full collection after them is enough (gcpolicy.tune). It takes ~0.08 s
    # of CPU (its ~110,000 objects walked; only ~1,800 of them, ~0.4 MB, are garbage): spent
    # while the owner is still readying its runs, never once its boot line is here (the
    # owner's first request would wait on it; the garbage is then frozen with the rest).
    with gcpolicy.collector_off():
        importlib.import_module(PRELOAD)
        importlib.import_module(HOST).preload_components()
        gcpolicy.tune(collect=not boot_line_waiting(sys.stdin.fileno()))
    line = read_line(sys.stdin.fileno())
    if not line.strip():
        return 0
    return int(importlib.import_module(HOST).main(boot(line)))


if __name__ == "__main__":
    sys.exit(main())
