"""A foreground crawl's progress display (rich), imported once its first crawls started
(:class:`crawler.cli.crawl.Progress`)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from rich.console import Console
from rich.live import Live
from rich.table import Table

from crawler.catalog import Run
from crawler.cli.main import fmt_size


class ProgressDisplay:
    """Each outlet's live figures (read from its run's row in the catalog: the same numbers
    as `akhbar runs`, the API and the pages), with rate and elapsed time. On a terminal a
    table redrawn in place (rich); otherwise a line per outlet every few seconds."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.console = Console(stderr=True)
        self.live: Live | None = None
        self.last = float("-inf")

    def __enter__(self) -> ProgressDisplay:
        if self.console.is_terminal:
            self.live = Live(console=self.console, refresh_per_second=4, transient=False)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)

    def __call__(self, runs: list[Run]) -> None:
        now = time.monotonic()
        if self.live is not None:
            self.live.update(self.table(runs))
        elif now - self.last >= 5.0:
            self.last = now
            for run in runs:
                self.console.print(self.line(run), highlight=False, soft_wrap=True)

    def table(self, runs: list[Run]) -> Table:
        table = Table(box=None, pad_edge=False)
        for col in ("outlet", "status", "pages", "new", "chg", "same", "err", "received",
                    "pages/s", "elapsed"):
            table.add_column(col, justify="left" if col in ("outlet", "status") else "right")
        for run in runs:
            elapsed, rate = _elapsed(run)
            table.add_row(run.outlet_id, run.status, str(run.pages), str(run.articles_new),
                          str(run.articles_changed), str(run.articles_unchanged),
                          str(run.errors), fmt_size(run.bytes_received or 0), rate, elapsed)
        return table

    def line(self, run: Run) -> str:
        elapsed, rate = _elapsed(run)
        return (f"{run.outlet_id}: {run.status}, {run.pages} pages, {run.articles_new} new, "
                f"{run.articles_changed} changed, {run.articles_unchanged} unchanged, "
                f"{run.errors} errors, {fmt_size(run.bytes_received or 0)}, {rate} pages/s, "
                f"{elapsed}")


def _elapsed(run: Run) -> tuple[str, str]:
    if run.started_at is None:
        return "-", "-"
    end = run.ended_at or datetime.now(UTC)
    seconds = max((end - run.started_at).total_seconds(), 0.001)
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}", f"{run.pages / seconds:.1f}"
