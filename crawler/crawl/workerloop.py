"""An extraction worker's side of :class:`crawler.crawl.workers.WorkerPool`: its loop, and
how it finds the function it calls.

A worker imports this module (the pool hands it :func:`serve` by reference), not the pool's:
the standard library only, so a worker holds no asyncio (which brings ssl and
concurrent.futures: ~2 MB and ~20 ms of CPU a worker), only what its task imports.
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
    func = resolve(target)
    if initializer is not None:
        resolve(initializer)()
    while True:
        try:
            data = requests.recv_bytes()
        except (EOFError, OSError):
            return
        if not data:
            return
        try:
            reply: tuple[bool, Any] = (True, func(*pickle.loads(data)))
        except Exception as exc:  # noqa: BLE001 -- reported to the caller, the worker goes on
            reply = (False, f"{type(exc).__name__}: {exc}")
        results.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


__all__ = ["Target", "resolve", "serve"]
