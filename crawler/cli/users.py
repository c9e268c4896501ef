"""`akhbar users add|list|disable|enable|token`: the accounts of `akhbar serve`, kept in the
catalog. A token is printed once, when it is made; only its hash is stored."""

from __future__ import annotations

import click

from crawler.auth import Accounts, Role, parse_role
from crawler.cli.main import Obj, cli, echo_err, pass_obj
from crawler.errors import InvalidParameter

ROLE_HELP = "; ".join(f"{r.value}: {r.summary}" for r in Role)


def _role(_ctx: click.Context, _param: click.Parameter, value: str) -> Role:
    try:
        return parse_role(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _show_token(name: str, token: str) -> None:
    click.echo(token)
    echo_err(f"The token of '{name}' is printed above, once: it is not stored and cannot be "
             "shown again. Log in on /ui/login with the name and this token, or give it to "
             "the CLI in AKHBAR_TOKEN or ~/.config/akhbar/token (mode 0600).")


@cli.group()
def users() -> None:
    """Accounts of the service and their roles (admin, archivist, researcher, ops)."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, callback=_role, help=ROLE_HELP)
@pass_obj
def users_add(obj: Obj, name: str, role: Role) -> None:
    """Add a user; its first token is printed once."""
    user, token = Accounts(obj.ctx.catalog).add_user(name, role)
    echo_err(f"added user '{user.name}' ({user.role.value}: {user.role.summary})")
    _show_token(user.name, token)


@users.command("list")
@pass_obj
def users_list(obj: Obj) -> None:
    """One line per user: name, role, live tokens, state, created."""
    found = Accounts(obj.ctx.catalog).list_users()
    if not found:
        echo_err("no users yet: `akhbar users add NAME --role admin` makes the first one")
    for u in found:
        state = "disabled" if u.disabled else "active"
        click.echo(f"{u.name:<24} {u.role.value:<11} {u.tokens} token(s)  {state:<8} "
                   f"since {u.created_at:%Y-%m-%d %H:%M}")


@users.command("disable")
@click.argument("name")
@pass_obj
def users_disable(obj: Obj, name: str) -> None:
    """Disable a user: its tokens and logins stop working at once."""
    user = Accounts(obj.ctx.catalog).set_disabled(name, True)
    echo_err(f"disabled '{user.name}'; `akhbar users enable {user.name}` undoes it")


@users.command("enable")
@click.argument("name")
@pass_obj
def users_enable(obj: Obj, name: str) -> None:
    """Enable a disabled user again (with the tokens it had)."""
    user = Accounts(obj.ctx.catalog).set_disabled(name, False)
    echo_err(f"enabled '{user.name}'")


@users.command("token")
@click.argument("name")
@pass_obj
def users_token(obj: Obj, name: str) -> None:
    """A new token for a user, printed once; its earlier tokens stop working."""
    try:
        token = Accounts(obj.ctx.catalog).new_token(name)
    except InvalidParameter as exc:
        raise click.UsageError(exc.problem) from None
    _show_token(name.strip().lower(), token)
