"""An extraction worker's side of :class:`crawler.crawl.workers.WorkerPool`: its loop, and
how it finds the function it calls.

A worker imports this module (the pool hands it :func:`serve` by reference), not the pool's:
the standard library only, so a worker holds no asyncio (which brings ssl and
concurrent.futures: ~2 MB and ~20 ms of CPU a worker), only what its task imports.

A worker imports its task's module and runs its initializer when its first message comes
(:data:`WARM` or a task), not when it starts: a pool can be started with its crawl process
and its workers' imports (trafilatura, lxml, the language profiles: ~0.5 s of CPU each) left
until the crawl has work for them, instead of competing with the crawl's own start on the
same cores.
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

Target = Callable[..., Any] | str

#: A message that only warms the worker up (imports, initializer); it gets no reply. A task
#: is a pickle, which never starts with this byte; the empty message stops the worker.
WARM = b"w"


def resolve(target: Target) -> Callable[..., Any]:
    """A callable, or the function a ``"module:function"`` reference names."""
    if not isinstance(target, str):
        return target
    module, _, name = target.partition(":")
    func = getattr(importlib.import_module(module), name)
    if not callable(func):
        raise TypeError(f"{target} is not callable")
    return func  # type: ignore[no-any-return]


def serve(
    requests: Connection,
    results: Connection,
    target: Target,
    initializer: Target | None,
    nice: int,
) -> None:
    """A worker's loop: read pickled argument tuples, call ``func``, write ``(ok, value)``."""
    # The crawl process handles SIGINT (a graceful stop); the worker ends when its pipe closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if nice:
        os.nice(nice)
    func: Callable[..., Any] | None = None
    while True:
        try:
            data = requests.recv_bytes()
        except (EOFError, OSError):
            return
        if not data:
            return
        if func is None:
            func = resolve(target)
            if initializer is not None:
                resolve(initializer)()
        if data == WARM:
            continue
        try:
            reply: tuple[bool, Any] = (True, func(*pickle.loads(data)))
        except Exception as exc:  # noqa: BLE001 -- reported to the caller, the worker goes on
            reply = (False, f"{type(exc).__name__}: {exc}")
        results.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


__all__ = ["WARM", "Target", "resolve", "serve"]
