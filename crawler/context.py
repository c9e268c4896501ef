"""Where things are: the config and data directories, the service settings, the catalog."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from crawler.catalog import Catalog, sqlite_url
from crawler.outlets import ServiceConfig, load_service_config, resolve_config_dir, resolve_data_dir


@dataclass
class AkhbarContext:
    config_dir: Path
    data_dir: Path
    service: ServiceConfig
    database_url: str
    env: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def catalog(self) -> Catalog:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return Catalog(self.database_url)

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / "runs"

    @property
    def warcs_dir(self) -> Path:
        return self.data_dir / "warcs"

    def close(self) -> None:
        if "catalog" in self.__dict__:
            self.catalog.dispose()


def open_context(config_dir: str | Path | None = None, data_dir: str | Path | None = None,
                 database_url: str | None = None,
                 env: Mapping[str, str] | None = None) -> AkhbarContext:
    """Resolve directories and settings: explicit values, then AKHBAR_CONFIG / AKHBAR_HOME /
    AKHBAR_DATABASE_URL, then config/akhbar.yaml, then defaults."""
    env = dict(os.environ if env is None else env)
    cfg_dir = resolve_config_dir(config_dir, env=env).resolve()
    service = load_service_config(cfg_dir)
    data = resolve_data_dir(data_dir, env=env, service=service).resolve()
    url = (database_url or env.get("AKHBAR_DATABASE_URL") or service.database_url
           or sqlite_url(data / "catalog.sqlite"))
    return AkhbarContext(cfg_dir, data, service, url, env)
