"""Fixtures for the scheduler tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.context import AkhbarContext
from tests.scheduler.helpers import make_ctx


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AkhbarContext]:
    (tmp_path / "config" / "outlets").mkdir(parents=True)
    (tmp_path / "config" / "akhbar.yaml").write_text(
        "max_concurrent_crawls: 2\nmisfire_grace_time: 10m\n", encoding="utf-8")
    context = make_ctx(tmp_path)
    yield context
    context.close()
