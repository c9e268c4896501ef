"""Run a command as the root of its own process tree, so that nothing it starts escapes.

``python -m bench.crawl.reaper --info FILE -- CMD ...`` makes itself a child subreaper
(Linux ``PR_SET_CHILD_SUBREAPER``): a process of the tree whose parent exits (a crawl started
in its own session, a pool left behind) is re-parented here instead of to init, so it stays in
the tree the benchmark samples, and its CPU time is counted when it is reaped. After CMD ends,
the rest of the tree gets a few seconds to finish; what is still running then is sent SIGTERM
and counted as lingering. FILE gets, as JSON, the time CMD was started (epoch seconds), this
process's own CPU time and the lingering count. The exit code is CMD's.

Kept to the standard library and small, so that its start-up adds little to CMD's.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc; empty where there is no /proc)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    except OSError:
        return []
    return [int(p) for p in text.split()]


def reap_rest(grace: float) -> int:
    """Reap the tree's other processes; after ``grace`` seconds, SIGTERM those left (then
    SIGKILL). Returns how many were still running when the grace ran out."""
    deadline = time.monotonic() + grace
    lingering = 0
    signalled = 0
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return lingering
        if pid:
            continue
        now = time.monotonic()
        if now > deadline:
            left = _children(os.getpid())
            lingering = max(lingering, len(left))
            sig = signal.SIGTERM if signalled < 1 else signal.SIGKILL
            for child in left:
                try:
                    os.kill(child, sig)
                except OSError:
                    pass
            signalled += 1
            deadline = now + 5.0
        time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    info: Path | None = None
    if args[:1] == ["--info"]:
        info, args = Path(args[1]), args[2:]
    grace = 10.0
    if args[:1] == ["--grace"]:
        grace, args = float(args[1]), args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        print("usage: python -m bench.crawl.reaper [--info FILE] [--grace S] -- CMD ...",
              file=sys.stderr)
        return 2
    subreaper = become_subreaper()
    started_at = time.time()
    proc = subprocess.Popen(args)

    def forward(signum: int, _frame: object) -> None:
        proc.send_signal(signum)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, forward)
    code = proc.wait()
    lingering = reap_rest(grace)
    own = resource.getrusage(resource.RUSAGE_SELF)
    if info is not None:
        info.write_text(json.dumps({
            "started_at": started_at, "subreaper": subreaper, "lingering": lingering,
            "own_cpu_s": own.ru_utime + own.ru_stime}), encoding="utf-8")
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
