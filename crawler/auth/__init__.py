"""Who may do what on `akhbar serve`: accounts (users, API tokens, web sessions) in the
catalog, roles and their permissions, and the guards every request passes (allowed hosts,
same-origin changes, CSRF tokens, security headers)."""

from crawler.auth.accounts import Accounts, SessionInfo, UserInfo
from crawler.auth.roles import Permission, Role, parse_role

__all__ = ["Accounts", "Permission", "Role", "SessionInfo", "UserInfo", "parse_role"]
