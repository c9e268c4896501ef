"""Service settings (akhbar.yaml), durations, directories and the error type."""

from __future__ import annotations

import pickle
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.errors import AkhbarError, ArchiveLookupError, ConfigError
from crawler.outlets import (
    ServiceConfig,
    load_outlet_file,
    load_service_config,
    parse_duration,
    resolve_config_dir,
    resolve_data_dir,
)
from tests.outlets.support import CASES, good, write

# --- service config ------------------------------------------------------------------------


def test_service_config_defaults_when_missing(tmp_path: Path) -> None:
    service = load_service_config(tmp_path)
    assert service.data_dir == Path("data") and service.database_url is None
    assert service.warc_max_size == 1024**3 and service.misfire_grace_time == timedelta(minutes=10)
    assert service.jitter == 0 and service.log_level == "INFO"
    assert service.max_concurrent_crawls >= 1
    assert service.user_agent.startswith("akhbar/0.1")
    assert service.database_url_for(Path("/srv/akhbar")) == "sqlite:////srv/akhbar/catalog.sqlite"


def test_service_config_values() -> None:
    service = load_service_config(CASES / "mixed")
    assert service.data_dir == Path("archive-data") and service.log_level == "DEBUG"
    assert service.misfire_grace_time == timedelta(minutes=5)


def test_service_config_errors_name_each_field(tmp_path: Path) -> None:
    text = "warc_max_size: lots\nlog_level: loud\nmax_concurent_crawls: 3\n"
    write(tmp_path, "akhbar.yaml", text)
    with pytest.raises(ConfigError) as raised:
        load_service_config(tmp_path)
    fields = {e.field: str(e) for e in raised.value.all}
    assert set(fields) == {"warc_max_size", "log_level", "max_concurent_crawls"}
    assert "Did you mean 'max_concurrent_crawls'?" in fields["max_concurent_crawls"]
    assert '"1GB"' in fields["warc_max_size"] and "WARNING" in fields["log_level"]
    assert all(str(tmp_path / "akhbar.yaml") in text for text in fields.values())


def test_service_config_bad_database_url(tmp_path: Path) -> None:
    write(tmp_path, "akhbar.yaml", "database_url: not a url\n")
    with pytest.raises(ConfigError, match="field 'database_url'.*postgresql"):
        load_service_config(tmp_path)


# --- durations, paths, errors --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d", timedelta(days=1)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        (600, timedelta(seconds=600)),
        ("600", timedelta(seconds=600)),
        (0, timedelta(0)),
    ],
)
def test_parse_duration(value: str | int, expected: timedelta) -> None:
    assert parse_duration(value) == expected


@pytest.mark.parametrize("value", ["", "soon", "30x", "m", "-5", -5, "1.5h", True, 2.5,
                                   10**15, "9999999999d", str(10**20)])
def test_parse_duration_rejects(value: Any) -> None:
    with pytest.raises(ValueError):
        parse_duration(value)


def test_sizes_in_limits(tmp_path: Path) -> None:
    path = write(tmp_path, "irangate.yaml", good(limits={"max_response_size": "512KB"}))
    assert load_outlet_file(path).limits.max_response_size == 512 * 1024


def test_resolve_config_dir() -> None:
    assert resolve_config_dir("/etc/akhbar", env={"AKHBAR_CONFIG": "/x"}) == Path("/etc/akhbar")
    assert resolve_config_dir(env={"AKHBAR_CONFIG": "/x"}) == Path("/x")
    assert resolve_config_dir(env={}) == Path("config")


def test_resolve_data_dir(tmp_path: Path) -> None:
    env = {"AKHBAR_HOME": "/var/akhbar", "AKHBAR_CONFIG": str(CASES / "mixed")}
    assert resolve_data_dir("/explicit", env=env) == Path("/explicit")
    assert resolve_data_dir(env=env) == Path("/var/akhbar")
    assert resolve_data_dir(env={"AKHBAR_CONFIG": str(CASES / "mixed")}) == Path("archive-data")
    assert resolve_data_dir(env={"AKHBAR_CONFIG": str(tmp_path)}) == Path("data")
    service = ServiceConfig(data_dir=Path("/from/service"))
    assert resolve_data_dir(env={}, service=service) == Path("/from/service")


def test_resolve_reads_environ_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AKHBAR_CONFIG", "/late/config")
    monkeypatch.setenv("AKHBAR_HOME", "/late/home")
    assert resolve_config_dir() == Path("/late/config")
    assert resolve_data_dir() == Path("/late/home")


def test_error_hierarchy_and_pickling() -> None:
    err = ConfigError("bad", file=Path("a.yaml"), outlet="a", field="limits.max_depth", hint="Fix")
    assert isinstance(err, AkhbarError)
    assert issubclass(ArchiveLookupError, LookupError)
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) == "a.yaml: outlet 'a', field 'limits.max_depth': bad. Fix"
    assert again.field == "limits.max_depth"
