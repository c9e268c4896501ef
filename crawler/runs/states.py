"""A run's states. ``queued`` and ``running`` are active; the rest are final.

A trigger that did not become a run is recorded too: ``skipped`` (the outlet had an active
run) or ``missed`` (the schedule fired later than the misfire grace time allows).
"""

from __future__ import annotations

QUEUED, RUNNING = "queued", "running"
SUCCEEDED, FAILED, CANCELLED, TIMED_OUT = "succeeded", "failed", "cancelled", "timed_out"
SKIPPED, MISSED = "skipped", "missed"
ACTIVE_STATES = (QUEUED, RUNNING)
FINAL_STATES = (SUCCEEDED, FAILED, CANCELLED, TIMED_OUT)

# Runs `akhbar serve` takes from the queue; a foreground `akhbar crawl` (manual, demo, test)
# owns the runs it queues from the moment it queues them.
SERVICE_TRIGGERS = ("schedule", "service")

# Scrapy finish reasons akhbar's own components close a crawl with.
DISK_FULL = "disk_full"
