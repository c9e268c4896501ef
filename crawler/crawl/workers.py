"""Extraction worker processes driven from the crawl's asyncio loop, with no threads.

``concurrent.futures.ProcessPoolExecutor`` moves every task through two helper threads (a
manager and a queue feeder) that compete with the reactor for the GIL; on a crawl of 100 KB
pages they cost the reactor ~1 ms a page. Here each worker has two pipes: the loop writes a
task to an idle worker and is woken by ``add_reader`` when the result is ready. A task is only
sent to a worker with fewer than ``depth`` tasks (default 2): the next task is already in
its pipe when it finishes the current one, so a worker does not sit idle while the loop is
busy (a catalog batch, a WARC write) before it reads the result and sends more. The request
pipe is widened so that such a queued task fits in it and the write never blocks; a task
too large for the pipe's free room waits for an idle worker.

Workers run at a lower priority (``nice``): fetching and WARC writing in the crawl process
come first, extraction takes the CPU that is left.

The processes start with the pool (so their ids are known at once), but each imports its
task's module and runs its initializer only when the pool warms it up: at the first task
(:meth:`WorkerPool.run`) or when its owner asks (:meth:`WorkerPool.warm`). A crawl process
starts its pool at its own start, and its workers' imports (~0.5 s of CPU each) would
otherwise compete on the same cores with the crawl's start and delay its first request.

``func`` and ``initializer`` may be given as ``"module:function"``: the worker imports the
module, the process that starts the pool never does (the crawl process does not import
trafilatura). The worker's own side, its loop, is :mod:`crawler.crawl.workerloop`: a
worker does not import this module (nor asyncio). A crawl process starts its pool before
Scrapy is even imported (:func:`extraction_pool`, called by :mod:`crawler.crawl.crawlproc`
and :mod:`crawler.crawl.host`), so that the workers' imports run beside its own, and hands
it to its crawls in the ``AKHBAR_EXTRACT_POOL`` setting; a pool is shared, never copied
(see :meth:`WorkerPool.__deepcopy__`).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import multiprocessing
import os
import pickle
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from crawler.crawl.workerloop import WARM, Target, serve

logger = logging.getLogger(__name__)

# Linux: make the request pipe hold a typical page (the default is 64 KB).
_PIPE_SIZE = 1 << 20
_F_SETPIPE_SZ = 1031
_DEFAULT_PIPE_SIZE = 1 << 16


class WorkerCrashed(RuntimeError):
    """A worker process died while it held a task."""


class WorkerError(RuntimeError):
    """The task raised in the worker; the message carries the worker's exception."""


@dataclass
class _Worker:
    process: Any  # multiprocessing.context.SpawnProcess
    requests: Connection  # loop -> worker
    results: Connection  # worker -> loop
    pipe_size: int  # bytes the request pipe holds
    #: Tasks sent and not answered yet, oldest first (a worker answers in order).
    futures: deque[asyncio.Future[Any]] = field(default_factory=deque)
    watched: bool = field(default=False)


@dataclass
class _Task:
    """A task waiting for a worker. Its arguments are pickled when it is next to go (see
    :meth:`WorkerPool._next`): a page waiting in the queue is held once (the caller's
    body), not twice (the body and its pickle)."""

    args: tuple[Any, ...]
    future: asyncio.Future[Any]
    payload: bytes | None = None


class WorkerPool:
    """``size`` processes calling ``func``; ``await pool.run(*args)`` from the asyncio loop.

    Tasks beyond the idle workers wait in a queue, unpickled but for the next one; the caller
    bounds how many are in flight (in a crawl, Scrapy's scraper slot does). A worker that
    dies is replaced and its task fails with :class:`WorkerCrashed`.
    """

    def __init__(
        self,
        func: Target,
        size: int,
        *,
        initializer: Target | None = None,
        nice: int = 0,
        depth: int = 2,
    ) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one process")
        if depth < 1:
            raise ValueError("a worker takes at least one task at a time")
        self.func = func
        self.initializer = initializer
        self.nice = nice
        self.depth = depth
        self._context = multiprocessing.get_context("spawn")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._workers: list[_Worker] = []
        self._queue: deque[_Task] = deque()
        self._closed = False
        self._warm = False
        for _ in range(size):
            self._start_worker()

    @property
    def size(self) -> int:
        return len(self._workers)

    @property
    def pids(self) -> list[int]:
        """The worker processes' ids."""
        return [worker.process.pid for worker in self._workers]

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def warmed(self) -> bool:
        """Whether the workers have been told to import their task (see :meth:`warm`)."""
        return self._warm

    def warm(self) -> None:
        """Have every worker import its task's module and run its initializer now, rather
        than at the first task; without waiting for them. Idempotent."""
        if self._warm or self._closed:
            return
        self._warm = True
        for worker in list(self._workers):
            self._send_warm(worker)

    def _send_warm(self, worker: _Worker) -> None:
        try:
            worker.requests.send_bytes(WARM)
        except OSError:
            self._replace(worker)

    # A pool is a handle on running processes, passed around (in Scrapy settings, which are
    # deep-copied for every crawler) but never duplicated.
    def __copy__(self) -> WorkerPool:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> WorkerPool:
        return self

    def _start_worker(self) -> _Worker:
        request_reader, request_writer = self._context.Pipe(duplex=False)
        result_reader, result_writer = self._context.Pipe(duplex=False)
        pipe_size = _widen(request_writer)
        process = self._context.Process(
            target=serve,
            args=(request_reader, result_writer, self.func, self.initializer, self.nice),
            name="akhbar-extract",
            daemon=True,
        )
        process.start()
        request_reader.close()
        result_writer.close()
        worker = _Worker(process, request_writer, result_reader, pipe_size)
        self._workers.append(worker)
        if self._loop is not None:
            self._watch(worker)
        if self._warm:  # a replacement: ready it as its predecessor was
            self._send_warm(worker)
        return worker

    def _watch(self, worker: _Worker) -> None:
        assert self._loop is not None
        # In a context of its own: the loop runs a reader in the context it was added in,
        # and the pool serves every crawl of a shared process, not the one that happened to
        # start it (see crawler.crawl.extensions.CURRENT_RUN). Each caller's task resumes in
        # its own context when its future is set.
        contextvars.Context().run(
            self._loop.add_reader, worker.results.fileno(), self._on_result, worker)
        worker.watched = True

    async def run(self, *args: Any) -> Any:
        """Call ``func(*args)`` in a worker; raises :class:`WorkerError` if it raised there.
        ``args`` are pickled when the task's turn comes, not necessarily now: they must not
        change while it waits (a crawl passes bytes, strings and frozensets)."""
        if self._closed:
            raise RuntimeError("the worker pool is closed")
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            for worker in self._workers:
                self._watch(worker)
        self.warm()
        future: asyncio.Future[Any] = self._loop.create_future()
        self._queue.append(_Task(args, future))
        self._next()
        return await future

    def _least_busy(self, size: int) -> _Worker | None:
        """The worker with the fewest tasks that can take one of ``size`` bytes now."""
        best: _Worker | None = None
        for worker in self._workers:
            busy = len(worker.futures)
            if busy == 0:
                return worker
            # A queued task must fit in the pipe beside the one being read, or the write
            # would block the loop until the worker is done.
            if busy < self.depth and size <= worker.pipe_size // 2:
                if best is None or busy < len(best.futures):
                    best = worker
        return best

    def _send(self, worker: _Worker, payload: bytes, future: asyncio.Future[Any]) -> None:
        worker.futures.append(future)
        try:
            worker.requests.send_bytes(payload)
        except OSError:
            self._replace(worker)

    def _on_result(self, worker: _Worker) -> None:
        try:
            ok, value = pickle.loads(worker.results.recv_bytes())
        except (EOFError, OSError):
            self._replace(worker)
            return
        future = worker.futures.popleft() if worker.futures else None
        if future is not None and not future.done():
            if ok:
                future.set_result(value)
            else:
                future.set_exception(WorkerError(value))
        self._next()

    def _next(self) -> None:
        """Hand queued tasks to workers with room, in order. The task at the head of the
        queue is pickled (once) to learn whether a worker's pipe has room for it; the
        others stay unpickled until their turn."""
        while self._queue:
            task = self._queue[0]
            if task.future.done():  # a cancelled task is skipped
                self._queue.popleft()
                continue
            if task.payload is None:
                try:
                    task.payload = pickle.dumps(task.args, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as exc:  # noqa: BLE001 -- the caller's arguments; its error
                    self._queue.popleft()
                    task.future.set_exception(exc)
                    continue
                task.args = ()
            worker = self._least_busy(len(task.payload))
            if worker is None:
                return
            self._queue.popleft()
            self._send(worker, task.payload, task.future)

    def _replace(self, worker: _Worker) -> None:
        """The worker died: fail its task, start another in its place."""
        self._forget(worker)
        worker.process.join(timeout=1)
        code = worker.process.exitcode
        logger.error(
            "extraction worker %s died (exit code %s); starting another",
            worker.process.pid,
            code,
            extra={"event": "worker_died", "exitcode": code},
        )
        for future in worker.futures:
            if not future.done():
                future.set_exception(WorkerCrashed(f"worker died (exit code {code})"))
        worker.futures.clear()
        if not self._closed:
            self._start_worker()
            self._next()

    def _forget(self, worker: _Worker) -> None:
        if worker.watched and self._loop is not None:
            self._loop.remove_reader(worker.results.fileno())
            worker.watched = False
        if worker in self._workers:
            self._workers.remove(worker)
        worker.requests.close()
        worker.results.close()

    def close(self, timeout: float = 10.0) -> None:
        """Stop the workers (each finishes its current task first) and fail queued tasks."""
        if self._closed:
            return
        self._closed = True
        for task in self._queue:
            if not task.future.done():
                task.future.set_exception(RuntimeError("the worker pool was closed"))
        self._queue.clear()
        workers = list(self._workers)
        for worker in workers:
            try:
                worker.requests.send_bytes(b"")
            except OSError:
                pass
        for worker in workers:
            worker.process.join(timeout=timeout)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(timeout=1)
            for future in worker.futures:
                if not future.done():
                    future.set_exception(RuntimeError("the worker pool was closed"))
            worker.futures.clear()
            self._forget(worker)


#: A crawl's extraction task and the worker's warm-up, by name (see
#: :func:`crawler.crawl.workerloop.resolve`).
PROCESS_PAGE = "crawler.crawl.processing:process_page_and_requisites"
WARM_UP = "crawler.crawl.processing:warm_up"


def pool_size(workers: int) -> int:
    """``AKHBAR_EXTRACT_WORKERS`` as a number of processes: -1 is one per core, 0 none."""
    return (os.cpu_count() or 1) if workers < 0 else workers


def extraction_pool(workers: int, nice: int = 0) -> WorkerPool | None:
    """The pool of extraction workers a crawl process starts (``workers`` as
    ``AKHBAR_EXTRACT_WORKERS`` reads: -1 one per core), or None for extraction on the
    reactor thread. The caller owns it and closes it."""
    size = pool_size(workers)
    if size < 1:
        return None
    return WorkerPool(PROCESS_PAGE, size, initializer=WARM_UP, nice=nice)


def _widen(conn: Connection) -> int:
    """Widen the pipe; return the bytes it holds."""
    try:
        import fcntl

        return int(fcntl.fcntl(conn.fileno(), _F_SETPIPE_SZ, _PIPE_SIZE))
    except (ImportError, OSError):  # not Linux, or above /proc/sys/fs/pipe-max-size
        return _DEFAULT_PIPE_SIZE
