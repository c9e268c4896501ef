"""Fixtures for the demo-site tests: one running site per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawler.demosite import DemoSite


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(port=0) as running:
        yield running
