"""Runs: one package owns a run's whole life — queue, start, watch, progress, finish, cancel
and recovery. See :mod:`crawler.runs.owner` for the loop, :mod:`crawler.runs.records` for
the run's row, :mod:`crawler.runs.executor` for where a run executes."""

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
