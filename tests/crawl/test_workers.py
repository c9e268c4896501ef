"""WorkerPool: worker processes driven from the asyncio loop."""

from __future__ import annotations

import asyncio
import operator
import os
import time
from pathlib import Path
from typing import Any

import pytest

from crawler.crawl.workers import WorkerCrashed, WorkerError, WorkerPool


def test_tasks_run_in_worker_processes_in_parallel() -> None:
    async def main() -> list[int]:
        pool = WorkerPool(os.getpid, 2)
        try:
            return list(await asyncio.gather(*(pool.run() for _ in range(20))))
        finally:
            pool.close()

    pids = asyncio.run(main())
    assert os.getpid() not in pids and 1 <= len(set(pids)) <= 2


def test_results_come_back_in_order_of_their_tasks() -> None:
    async def main() -> list[int]:
        pool = WorkerPool(operator.mul, 2)
        try:
            return list(await asyncio.gather(*(pool.run(n, n) for n in range(50))))
        finally:
            pool.close()

    assert asyncio.run(main()) == [n * n for n in range(50)]


def test_an_exception_in_the_worker_fails_only_its_task() -> None:
    async def main() -> tuple[object, int]:
        pool = WorkerPool(int, 1)
        try:
            failed = await asyncio.gather(pool.run("not a number"), return_exceptions=True)
            return failed[0], await pool.run("42")
        finally:
            pool.close()

    error, value = asyncio.run(main())
    assert isinstance(error, WorkerError) and "ValueError" in str(error)
    assert value == 42


def test_a_dead_worker_is_replaced_and_its_task_fails() -> None:
    async def main() -> tuple[object, int, int]:
        pool = WorkerPool(os._exit, 1)
        try:
            crashed = await asyncio.gather(pool.run(3), return_exceptions=True)
            size = pool.size
        finally:
            pool.close()
        pool = WorkerPool(os.getpid, 1)
        try:
            return crashed[0], size, await pool.run()
        finally:
            pool.close()

    crashed, size, pid = asyncio.run(main())
    assert isinstance(crashed, WorkerCrashed) and size == 1 and pid != os.getpid()


def test_a_closed_pool_refuses_tasks() -> None:
    async def main() -> None:
        pool = WorkerPool(os.getpid, 1)
        pool.close()
        await pool.run()

    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(main())


def test_a_function_named_by_module_is_imported_in_the_worker_only() -> None:
    import sys

    async def main() -> str:
        pool = WorkerPool("colorsys:rgb_to_hsv", 1, initializer="gc:collect")
        try:
            return str(await pool.run(1.0, 0.0, 0.0))
        finally:
            pool.close()

    sys.modules.pop("colorsys", None)
    hsv = asyncio.run(main())
    assert hsv == "(0.0, 1.0, 1.0)"
    assert "colorsys" not in sys.modules


def test_a_worker_imports_neither_the_pool_nor_asyncio() -> None:
    """A worker runs crawler.crawl.workerloop only: the pool's module (asyncio, ssl) would
    cost every worker ~2 MB."""
    async def main() -> list[str]:
        # The worker evaluates this; the caller cannot see the worker's modules otherwise.
        pool = WorkerPool("builtins:eval", 1)
        try:
            names = ("asyncio", "crawler.crawl.workers", "crawler.crawl.workerloop")
            return list(await pool.run(f"[m for m in {names!r} if m in __import__('sys').modules]"))
        finally:
            pool.close()

    assert asyncio.run(main()) == ["crawler.crawl.workerloop"]


def test_a_bad_reference_fails_the_worker_not_the_caller() -> None:
    from crawler.crawl.workerloop import resolve

    with pytest.raises(AttributeError):
        resolve("os:no_such_function")
    assert resolve("os.path:join") is os.path.join
    assert resolve(len) is len


def test_extraction_pool_reads_workers_as_the_setting_does() -> None:
    from crawler.crawl.workers import extraction_pool, pool_size

    assert extraction_pool(0) is None
    assert pool_size(-1) == (os.cpu_count() or 1) and pool_size(3) == 3
    pool = extraction_pool(1, nice=1)
    assert pool is not None
    try:
        assert pool.size == 1 and pool.nice == 1 and len(pool.pids) == 1
    finally:
        pool.close()
    assert pool.closed


def test_a_pool_is_shared_never_copied() -> None:
    import copy

    pool = WorkerPool("os:getpid", 1)
    try:
        assert copy.copy(pool) is pool and copy.deepcopy({"pool": pool})["pool"] is pool
        pids = asyncio.run(_pids(pool))
        assert os.getpid() not in pids
    finally:
        pool.close()


async def _pids(pool: WorkerPool) -> set[int]:
    return set(await asyncio.gather(*(pool.run() for _ in range(6))))


def test_results_are_read_in_no_callers_context() -> None:
    """In a shared crawl process the pool serves every run: what it logs while reading a
    result belongs to none of them (not to the run that first used it)."""
    from contextvars import ContextVar

    run: ContextVar[str | None] = ContextVar("run", default=None)
    seen: list[str | None] = []

    async def main() -> list[str | None]:
        pool = WorkerPool(os.getpid, 1)
        read = pool._on_result

        def spy(worker: Any) -> None:
            seen.append(run.get())
            read(worker)

        pool._on_result = spy  # type: ignore[method-assign]

        async def caller(name: str) -> str | None:
            run.set(name)
            await pool.run()
            return run.get()

        try:
            return list(await asyncio.gather(caller("a"), caller("b"), caller("c")))
        finally:
            pool.close()

    assert asyncio.run(main()) == ["a", "b", "c"]  # each caller resumes in its own context
    assert seen and set(seen) == {None}


def _touch_marker() -> None:
    """An initializer whose run the test can see (the worker inherits the environment)."""
    Path(os.environ["AKHBAR_TEST_WORKER_MARKER"]).touch()


def test_workers_import_their_task_when_warmed_not_when_started(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crawl process starts its pool with itself; the workers' imports wait for work (or
    warm()), so they do not compete with the crawl's start for the cores."""
    marker = tmp_path / "warmed"
    monkeypatch.setenv("AKHBAR_TEST_WORKER_MARKER", str(marker))
    pool = WorkerPool("os:getpid", 1, initializer=f"{__name__}:_touch_marker")
    try:
        assert len(pool.pids) == 1 and not pool.warmed
        assert not marker.exists()
        pool.warm()
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists() and pool.warmed
        # The warm-up got no reply: the first task's answer is the task's.
        assert asyncio.run(pool.run()) == pool.pids[0]
    finally:
        pool.close()


def test_the_first_task_warms_the_pool() -> None:
    async def main() -> tuple[bool, int]:
        pool = WorkerPool(operator.add, 2)
        try:
            before = pool.warmed
            return before, await pool.run(40, 2)
        finally:
            pool.close()

    assert asyncio.run(main()) == (False, 42)


def test_queued_tasks_wait_unpickled_and_keep_their_order() -> None:
    """A page waiting for a worker is held once (its body), not also as a pickle; the
    next task to go is pickled to see whether a pipe has room for it."""
    async def main() -> tuple[list[int], int]:
        pool = WorkerPool(operator.mul, 1, depth=1)
        try:
            tasks = [asyncio.ensure_future(pool.run(n, 2)) for n in range(8)]
            await asyncio.sleep(0)  # every task queued, none answered yet
            pickled = sum(1 for task in pool._queue if task.payload is not None)
            return list(await asyncio.gather(*tasks)), pickled
        finally:
            pool.close()

    results, pickled = asyncio.run(main())
    assert results == [n * 2 for n in range(8)] and pickled <= 1


def test_arguments_that_cannot_be_pickled_fail_their_task_only() -> None:
    async def main() -> tuple[object, int]:
        pool = WorkerPool(operator.add, 1)
        try:
            failed = await asyncio.gather(pool.run(lambda: 0, 1), return_exceptions=True)
            return failed[0], await pool.run(1, 2)
        finally:
            pool.close()

    error, value = asyncio.run(main())
    assert isinstance(error, Exception) and value == 3
