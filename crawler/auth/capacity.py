"""A cap on requests in progress, so the process always has threads to spare.

FastAPI runs sync routes (and sync dependencies) in one pool of worker threads (anyio's, 40 by
default). Forty slow requests would take every thread, and ``/healthz`` would wait behind
them. This ASGI middleware lets at most ``slots`` requests run at once; the others wait in
the event loop (costing no thread) for a slot. The paths in ``exempt`` (the health check)
never wait. The scheduler and the dispatcher run in threads of their own and never need a
slot: what this keeps free is the pool the health check answers from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

#: Requests in progress at most: below anyio's 40 worker threads, leaving 8 for the exempt
#: paths and for the sync steps (a dependency, a streamed chunk) of the requests in progress.
DEFAULT_SLOTS = 32


class RequestSlots:
    def __init__(self, app: ASGIApp, slots: int = DEFAULT_SLOTS,
                 exempt: Iterable[str] = ("/healthz",)) -> None:
        self.app = app
        self.exempt = frozenset(exempt)
        self._slots = asyncio.Semaphore(slots)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        async with self._slots:
            await self.app(scope, receive, send)
