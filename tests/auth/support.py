"""Credentials for tests that call the HTTP API or the pages: a user of a role in the
service's catalog, and a TestClient that sends its token (to an allowed host)."""

from __future__ import annotations

import secrets

from fastapi import FastAPI
from fastapi.testclient import TestClient

from crawler.auth import Accounts, Role
from crawler.context import AkhbarContext

#: An allowed host by default (auth.allowed_hosts); TestClient's own "testserver" is not.
BASE_URL = "http://127.0.0.1"


def add_user(ctx: AkhbarContext, role: Role | str = Role.ADMIN,
             name: str | None = None) -> tuple[str, str]:
    """A new user of ``role``: (its name, its token)."""
    role = Role(role)
    name = name or f"{role.value}-{secrets.token_hex(3)}"
    user, token = Accounts(ctx.catalog).add_user(name, role)
    return user.name, token


def auth_headers(ctx: AkhbarContext, role: Role | str = Role.ADMIN) -> dict[str, str]:
    """``Authorization: Bearer <token>`` of a new user of ``role``."""
    return {"Authorization": f"Bearer {add_user(ctx, role)[1]}"}


def client_as(app: FastAPI, ctx: AkhbarContext, role: Role | str | None = Role.ADMIN,
              ) -> TestClient:
    """A TestClient for ``app`` acting as a new user of ``role`` (None: no credentials)."""
    headers = auth_headers(ctx, role) if role is not None else {}
    return TestClient(app, base_url=BASE_URL, headers=headers)
