"""Accounts in a real catalog (SQLite and PostgreSQL): tokens are checked against argon2
hashes and never stored; a new token retires the old ones; disabling ends sessions; the
login limiter counts failures over a window; `akhbar users` prints a token once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from crawler.auth import Accounts, Permission, Role
from crawler.auth.limiter import LoginLimiter
from crawler.auth.roles import anonymous_permissions
from crawler.catalog import Catalog, sqlite_url
from crawler.catalog.users import ApiToken
from crawler.cli import commands  # noqa: F401  (registers `akhbar users`)
from crawler.cli.main import cli
from crawler.errors import InvalidParameter, TooManyAttempts


def _accounts_flow(catalog: Catalog) -> None:
    accounts = Accounts(catalog)
    user, token = accounts.add_user("Shirin", Role.ARCHIVIST)
    assert user.name == "shirin" and user.role is Role.ARCHIVIST
    assert token.startswith("akh_")
    checked = accounts.check_token(token)
    assert checked is not None and checked.name == "shirin"
    assert accounts.check_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert accounts.check_token("akh_0000000000000000_" + "x" * 43) is None
    assert accounts.check_token("not a token") is None
    with catalog.session() as session:
        stored = session.scalars(select(ApiToken)).one()
        assert token not in stored.secret_hash and stored.secret_hash.startswith("$argon2id$")
    with pytest.raises(InvalidParameter, match="exists already"):
        accounts.add_user("shirin", Role.OPS)
    second = accounts.new_token("shirin")
    assert accounts.check_token(token) is None, "a new token retires the old one"
    assert accounts.check_token(second) is not None
    cookie, session_info = accounts.open_session(checked, timedelta(hours=1))
    assert accounts.session_of(cookie) == session_info
    assert accounts.session_of(cookie + "x") is None
    accounts.set_disabled("shirin")
    assert accounts.check_token(second) is None and accounts.session_of(cookie) is None
    accounts.set_disabled("shirin", False)
    assert accounts.check_token(second) is not None
    assert accounts.session_of(cookie) is None, "disabling ended the session for good"
    expired, _ = accounts.open_session(checked, timedelta(seconds=-1))
    assert accounts.session_of(expired) is None
    listed = {u.name: u for u in accounts.list_users()}
    assert listed["shirin"].tokens == 1 and not listed["shirin"].disabled


def test_accounts_on_sqlite(tmp_path: Path) -> None:
    catalog = Catalog(sqlite_url(tmp_path / "catalog.sqlite"))
    try:
        _accounts_flow(catalog)
    finally:
        catalog.dispose()


@pytest.mark.postgres
def test_accounts_on_postgresql(pg_url: str) -> None:
    catalog = Catalog(pg_url)
    try:
        _accounts_flow(catalog)
    finally:
        catalog.dispose()


def test_roles_grant_what_the_issue_lists() -> None:
    assert Role.ADMIN.permissions == frozenset(Permission)
    assert Permission.RUNS_START in Role.ARCHIVIST.permissions
    assert Permission.SCHEDULES_WRITE in Role.ARCHIVIST.permissions
    assert Permission.METRICS_READ not in Role.ARCHIVIST.permissions
    assert Role.RESEARCHER.permissions == {Permission.ARCHIVE_READ, Permission.OUTLETS_READ,
                                           Permission.HEALTH_READ}
    assert {Permission.RUNS_READ, Permission.RUNS_CANCEL,
            Permission.METRICS_READ} <= Role.OPS.permissions
    assert Permission.RUNS_START not in Role.OPS.permissions
    assert not any(Permission.USERS_ADMIN in r.permissions for r in Role if r is not Role.ADMIN)
    assert anonymous_permissions(anonymous_read=False, open_metrics=False,
                                 open_healthz=False) == frozenset()
    read_only = anonymous_permissions(anonymous_read=True, open_metrics=False,
                                      open_healthz=True)
    assert Permission.ARCHIVE_READ in read_only and Permission.HEALTH_READ in read_only
    assert not read_only & {Permission.RUNS_START, Permission.RUNS_CANCEL,
                            Permission.SCHEDULES_WRITE, Permission.METRICS_READ}


def test_login_limiter_counts_failures_per_key_over_a_window() -> None:
    now = [1000.0]
    limiter = LoginLimiter(3, window=60, clock=lambda: now[0])
    keys = ("name:amir", "address:127.0.0.1")
    for _ in range(3):
        limiter.check(keys)
        limiter.failed(keys)
    with pytest.raises(TooManyAttempts, match="try again in"):
        limiter.check(keys)
    with pytest.raises(TooManyAttempts):
        limiter.check(["address:127.0.0.1"])  # the address is spent whatever the name
    limiter.check(["name:other", "address:10.0.0.1"])
    now[0] += 61
    limiter.check(keys)


def test_users_commands_print_a_token_once(tmp_path: Path) -> None:
    env = {"AKHBAR_HOME": str(tmp_path / "data"), "AKHBAR_CONFIG": str(tmp_path / "config")}
    (tmp_path / "config" / "outlets").mkdir(parents=True)
    runner = CliRunner()
    added = runner.invoke(cli, ["users", "add", "Admin", "--role", "admin"], env=env)
    assert added.exit_code == 0, added.output
    token = added.stdout.strip()
    assert token.startswith("akh_") and "printed above, once" in added.stderr
    catalog = Catalog(sqlite_url(tmp_path / "data" / "catalog.sqlite"), create=False)
    try:
        assert Accounts(catalog).check_token(token) is not None
        assert token.encode() not in (tmp_path / "data" / "catalog.sqlite").read_bytes()
        listed = runner.invoke(cli, ["users", "list"], env=env)
        assert "admin" in listed.stdout and token not in listed.output
        bad = runner.invoke(cli, ["users", "add", "x", "--role", "boss"], env=env)
        assert bad.exit_code == 2 and "admin, archivist, researcher, ops" in bad.output
        renewed = runner.invoke(cli, ["users", "token", "admin"], env=env)
        assert renewed.exit_code == 0 and Accounts(catalog).check_token(token) is None
        assert Accounts(catalog).check_token(renewed.stdout.strip()) is not None
        assert runner.invoke(cli, ["users", "disable", "admin"], env=env).exit_code == 0
        assert Accounts(catalog).check_token(renewed.stdout.strip()) is None
        missing = runner.invoke(cli, ["users", "token", "nobody"], env=env)
        assert missing.exit_code == 2 and "no user 'nobody'" in missing.output
    finally:
        catalog.dispose()
