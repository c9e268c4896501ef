"""WorkerPool: worker processes driven from the asyncio loop."""

from __future__ import annotations

import asyncio
import operator
import os

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


def test_a_bad_reference_fails_the_worker_not_the_caller() -> None:
    from crawler.crawl.workers import resolve

    with pytest.raises(AttributeError):
        resolve("os:no_such_function")
    assert resolve("os.path:join") is os.path.join
    assert resolve(len) is len


def test_a_prestarted_pool_is_adopted_only_by_who_asks_for_it() -> None:
    from crawler.crawl.workers import adopt, prestart

    pool = prestart("os:getpid", 1, nice=1)
    assert adopt("os:getpid", 2, nice=1) is None  # another size: closed, not handed out
    assert pool._closed
    assert adopt("os:getpid", 2, nice=1) is None  # nothing left to adopt

    pool = prestart("os:getpid", 2)
    adopted = adopt("os:getpid", 2)
    assert adopted is pool
    try:
        pids = asyncio.run(_pids(adopted))
        assert os.getpid() not in pids
    finally:
        adopted.close()


async def _pids(pool: WorkerPool) -> set[int]:
    return set(await asyncio.gather(*(pool.run() for _ in range(6))))
