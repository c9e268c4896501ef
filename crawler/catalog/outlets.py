"""The outlets table: a mirror of the valid outlet files, for joins and the pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from crawler.catalog.db import Catalog
from crawler.catalog.models import Outlet
from crawler.outlets import OutletConfig


def sync_outlets(catalog: Catalog, configs: Iterable[OutletConfig]) -> None:
    """Mirror the outlet configs into the catalog's outlets table."""
    stamp = datetime.now(UTC)
    with catalog.session() as session:
        for cfg in configs:
            row = session.get(Outlet, cfg.id) or Outlet(id=cfg.id)
            row.name, row.homepage, row.languages = cfg.name, str(cfg.homepage), list(cfg.languages)
            row.enabled, row.config_hash, row.updated_at = cfg.enabled, cfg.config_hash, stamp
            session.add(row)
