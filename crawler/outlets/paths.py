"""Where the configuration and the data live: explicit value, then environment, then default."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from crawler.outlets.loader import load_service_config
from crawler.outlets.service import ServiceConfig

CONFIG_ENV = "AKHBAR_CONFIG"
HOME_ENV = "AKHBAR_HOME"


def resolve_config_dir(
    explicit: str | Path | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """``explicit``, else ``$AKHBAR_CONFIG``, else ``./config``.

    ``env`` defaults to ``os.environ`` as it is when called (never read at import).
    """
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit).expanduser()
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser()
    return Path("config")


def resolve_data_dir(
    explicit: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    service: ServiceConfig | None = None,
) -> Path:
    """``explicit``, else ``$AKHBAR_HOME``, else the service config's ``data_dir``, else ./data.

    Without ``service`` the service config is read from :func:`resolve_config_dir` (with the
    same ``env``); a broken ``akhbar.yaml`` raises its ConfigError rather than being ignored.
    """
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit).expanduser()
    if env.get(HOME_ENV):
        return Path(env[HOME_ENV]).expanduser()
    if service is None:
        service = load_service_config(resolve_config_dir(env=env))
    return service.data_dir.expanduser()
