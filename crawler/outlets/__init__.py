"""Outlet and service configuration: one schema, validated in one place.

``load_outlets(config_dir)`` reads ``config_dir/outlets/*.yaml``; every mistake becomes a
:class:`crawler.errors.ConfigError` naming the file, the outlet, the field, what is wrong and
what is allowed, and a bad file never stops the others.
"""

from crawler.outlets.loader import (
    LoadResult,
    check_outlet_file,
    load_outlet_file,
    load_outlets,
    load_service_config,
)
from crawler.outlets.paths import resolve_config_dir, resolve_data_dir
from crawler.outlets.schema import (
    Articles,
    Discovery,
    Limits,
    OutletConfig,
    Politeness,
)
from crawler.outlets.service import ServiceConfig
from crawler.outlets.values import KNOWN_LANGUAGES, parse_duration, parse_size

__all__ = [
    "KNOWN_LANGUAGES",
    "Articles",
    "Discovery",
    "Limits",
    "LoadResult",
    "OutletConfig",
    "Politeness",
    "ServiceConfig",
    "check_outlet_file",
    "load_outlet_file",
    "load_outlets",
    "load_service_config",
    "parse_duration",
    "parse_size",
    "resolve_config_dir",
    "resolve_data_dir",
]
