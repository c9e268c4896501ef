"""Runs: one package owns a run's whole life — queue, start, watch, progress, finish, cancel
and recovery. See :mod:`crawler.runs.owner` for the loop, :mod:`crawler.runs.records` for
the run's row, :mod:`crawler.runs.executor` for where a run executes.

The names below are imported from their modules on first use: a crawl process imports
:mod:`crawler.runs.states`, :mod:`~crawler.runs.judge` and :mod:`~crawler.runs.logstore`
(through this package) and none of the owner's modules (executors, the shared process's
handle, the run book, the reaper: ~0.1 s of CPU before its first request).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.runs.control import (
        AdoptedHandle,
        pid_alive,
        read_stats,
        recover_warcs,
        run_process_alive,
        signal_run,
    )
    from crawler.runs.executor import Executor, RunHandle
    from crawler.runs.executors import make_executor
    from crawler.runs.local import (
        CommandFor,
        ProcessExecutor,
        ProcessHandle,
        crawl_command,
        crawl_settings,
    )
    from crawler.runs.owner import OwnerTimings, RunOwner
    from crawler.runs.reaper import Reaped, reap
    from crawler.runs.records import OwnerId, RunBook, RunOutcome, new_run_id, this_host
    from crawler.runs.states import (
        ACTIVE_STATES,
        CANCELLED,
        FAILED,
        FINAL_STATES,
        MISSED,
        QUEUED,
        RUNNING,
        SERVICE_TRIGGERS,
        SKIPPED,
        SUCCEEDED,
        TIMED_OUT,
    )

#: Each name this package exports, and the module of this package that defines it.
_MODULE_OF = {
    "AdoptedHandle": "control", "pid_alive": "control", "read_stats": "control",
    "recover_warcs": "control", "run_process_alive": "control", "signal_run": "control",
    "Executor": "executor", "RunHandle": "executor",
    "make_executor": "executors",
    "CommandFor": "local", "ProcessExecutor": "local", "ProcessHandle": "local",
    "crawl_command": "local", "crawl_settings": "local",
    "OwnerTimings": "owner", "RunOwner": "owner",
    "Reaped": "reaper", "reap": "reaper",
    "OwnerId": "records", "RunBook": "records", "RunOutcome": "records",
    "new_run_id": "records", "this_host": "records",
    "ACTIVE_STATES": "states", "CANCELLED": "states", "FAILED": "states",
    "FINAL_STATES": "states", "MISSED": "states", "QUEUED": "states", "RUNNING": "states",
    "SERVICE_TRIGGERS": "states", "SKIPPED": "states", "SUCCEEDED": "states",
    "TIMED_OUT": "states",
}

__all__ = [
    "ACTIVE_STATES",
    "CANCELLED",
    "FAILED",
    "FINAL_STATES",
    "MISSED",
    "QUEUED",
    "RUNNING",
    "SERVICE_TRIGGERS",
    "SKIPPED",
    "SUCCEEDED",
    "TIMED_OUT",
    "AdoptedHandle",
    "CommandFor",
    "Executor",
    "OwnerId",
    "OwnerTimings",
    "ProcessExecutor",
    "ProcessHandle",
    "Reaped",
    "RunBook",
    "RunHandle",
    "RunOutcome",
    "RunOwner",
    "crawl_command",
    "crawl_settings",
    "make_executor",
    "new_run_id",
    "pid_alive",
    "read_stats",
    "reap",
    "recover_warcs",
    "run_process_alive",
    "signal_run",
    "this_host",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
