"""``python -m crawler.crawl.prestart``: a shared crawl process started before its owner
knows its settings (see :mod:`crawler.crawl.hostboot`).

It imports what :mod:`crawler.crawl.host` imports whatever the settings (Scrapy, Twisted,
the crawl's settings module), reads one :class:`~crawler.crawl.hostboot.Boot` line from its
stdin, takes that environment, working directory and stderr file, and runs the host with
those arguments. If its stdin closes first (the owner did not need it, or is gone), it exits
at once. Nothing it imports reads the environment at import time, and no reactor is
installed before the host installs its own.
"""

from __future__ import annotations

import os
import sys

# What the shared crawl process imports whatever its settings; now, while its owner imports
# its own modules and reads its config. None of them installs a reactor.
import scrapy.crawler  # noqa: F401
import scrapy.utils.project  # noqa: F401
import scrapy.utils.reactor  # noqa: F401
import twisted.internet.asyncioreactor  # noqa: F401

import crawler.crawl.extensions  # noqa: F401
import crawler.crawl.middlewares  # noqa: F401
import crawler.crawl.pipelines  # noqa: F401
import crawler.crawl.settings  # noqa: F401
import crawler.crawl.workers  # noqa: F401
import spiders.outlet  # noqa: F401
from crawler.crawl import host
from crawler.crawl.hostboot import Boot


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


def main() -> int:
    line = read_line(sys.stdin.fileno())
    if not line.strip():
        return 0
    return host.main(boot(line))


if __name__ == "__main__":
    sys.exit(main())
