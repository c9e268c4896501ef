"""Starting the shared crawl process before its owner knows its settings.

A foreground ``akhbar crawl`` spends its first second importing its own modules (click,
SQLAlchemy, pydantic, the catalog) and reading its config; the shared crawl process then
spends another importing Scrapy and Twisted. The console script's entry
(:mod:`crawler.cli.entry`) therefore starts ``python -m crawler.crawl.prestart`` first, with
nothing but this module (the standard library) imported: that process imports what every
shared crawl process needs while its owner imports and reads its config, then waits for one
:class:`Boot` line on its stdin (the environment, working directory, stderr file and
arguments the owner would have started it with), and becomes ``python -m
crawler.crawl.host`` (the same stdin and stdout, the same protocol).

:class:`crawler.runs.hosted.SharedProcess` takes a :class:`Prestarted` in place of starting
a process; one nobody takes is let go (:meth:`Prestarted.discard`), and one whose owner
exits first sees its stdin close and exits without doing anything.

The standard library only: this module is imported before anything else of akhbar.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass

#: ``python -m`` this for a pre-started shared crawl process.
PRESTART_MODULE = "crawler.crawl.prestart"


@dataclass(frozen=True)
class Boot:
    """What makes a pre-started process the owner's shared crawl process: its whole
    environment (the database URL included: it goes over the pipe, never on a command
    line), its working directory, the file its stderr goes to, and the arguments of
    ``python -m crawler.crawl.host``."""

    env: dict[str, str]
    cwd: str
    stderr: str
    argv: list[str]

    def to_line(self) -> bytes:
        return json.dumps(asdict(self)).encode("utf-8") + b"\n"

    @classmethod
    def from_line(cls, line: bytes) -> Boot:
        data = json.loads(line)
        return cls(dict(data["env"]), str(data["cwd"]), str(data["stderr"]),
                   [str(a) for a in data["argv"]])


class Prestarted:
    """A pre-started shared crawl process, not yet booted."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.taken = False

    @classmethod
    def start(cls) -> Prestarted:
        """Start it (in its own session, as the owner's detached crawls are: a Ctrl-C
        reaches it through its owner, which stops its runs gracefully)."""
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        process = subprocess.Popen(
            [sys.executable, "-m", PRESTART_MODULE], env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=None, start_new_session=True)
        return cls(process)

    def boot(self, boot: Boot) -> subprocess.Popen[bytes]:
        """Hand it its settings; it is then the shared crawl process (the caller owns the
        process and its pipes from here on). Raises OSError if it is gone."""
        assert self.process.stdin is not None
        self.taken = True
        self.process.stdin.write(boot.to_line())
        self.process.stdin.flush()
        return self.process

    def discard(self) -> None:
        """Not needed after all: end it (it has done nothing but import) and reap it. Had
        this process died first, its closed stdin would have ended it as well."""
        if self.taken:
            return
        self.taken = True
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


def wants_shared_process(argv: list[str]) -> bool:
    """Whether ``akhbar`` with these arguments is a foreground crawl (``akhbar crawl``, not
    ``--via-service``, not ``--help``): the command a pre-started crawl process serves.
    Only the group's own options (``--config``, ``--home``) may come before the command."""
    args = iter(argv)
    for arg in args:
        if arg in ("--config", "--home"):
            next(args, None)
            continue
        if arg.startswith(("--config=", "--home=")):
            continue
        if arg != "crawl":
            return False
        rest = list(args)
        return not any(a in ("--via-service", "--help", "-h") for a in rest) and bool(rest)
    return False


__all__ = ["PRESTART_MODULE", "Boot", "Prestarted", "wants_shared_process"]
