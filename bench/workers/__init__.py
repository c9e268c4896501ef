"""``python -m bench.workers``: total throughput of the celery executor with one worker and
with two (crawler.runs.cluster)."""
