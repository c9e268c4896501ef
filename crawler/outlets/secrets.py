"""An outlet's credentials, kept out of its file: the file names a secret (``auth: {basic:
IRANGATE_LOGIN}``) and the crawl process looks its value up when the crawl starts, in
``AKHBAR_SECRET_<NAME>`` of its environment, else in the secrets file (``secrets_file`` in
``config/akhbar.yaml``), which only its owner may read.

A value never enters an :class:`~crawler.outlets.OutletConfig` (which the catalog, the API and
the pages show), a message or a log line: errors name the secret and where it was looked for.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import yaml  # type: ignore[import-untyped]  # types-PyYAML is not in the venv
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from crawler.errors import ConfigError
from crawler.outlets.values import invalid

if TYPE_CHECKING:
    from crawler.outlets.schema import OutletConfig

ENV_PREFIX = "AKHBAR_SECRET_"
#: Largest secrets file read: a few dozen logins, never a data file.
MAX_FILE_BYTES = 64 * 1024


SECRET_NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
HEADER_NAME_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def _check_secret_name(value: str) -> str:
    if not SECRET_NAME_RE.match(value):
        # Not shown: it may be the password itself, written here by mistake.
        invalid("this is not a secret's name (UPPER_SNAKE, up to 64 characters)",
                "Name the secret, never give its value here: e.g. IRANGATE_LOGIN, set as "
                "AKHBAR_SECRET_IRANGATE_LOGIN in the environment or in the secrets file")
    return value


def _check_header_name(value: str) -> str:
    if not HEADER_NAME_RE.match(value) or value.lower() in ("host", "cookie", "content-length"):
        invalid(f"'{value[:70]}' cannot be a header sent with the outlet's credentials",
                "Use a header name of letters, digits and '-', e.g. X-Api-Key")
    return value


SecretName = Annotated[str, AfterValidator(_check_secret_name)]


class OutletAuth(BaseModel):
    """Credentials for an outlet that needs a login, by the names of secrets kept outside the
    outlet files; sent to the home page's host only."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    basic: SecretName | None = Field(
        default=None, description='the name of a secret holding "user:password", sent as '
        "HTTP basic auth, e.g. IRANGATE_LOGIN")
    headers: dict[Annotated[str, AfterValidator(_check_header_name)], SecretName] = Field(
        default={}, description="a mapping of header names to the names of secrets holding "
        "their values, e.g. {X-Api-Key: IRANGATE_KEY}")

    @model_validator(mode="after")
    def _something(self) -> OutletAuth:
        if not self.basic and not self.headers:
            invalid("auth names no secret", "Give basic: NAME and/or headers: {Header: NAME}")
        if self.basic and any(h.lower() == "authorization" for h in self.headers):
            invalid("auth gives basic and an Authorization header",
                    "Keep one of them: both would set the same header")
        return self


@dataclass(frozen=True)
class OutletCredentials:
    """What a crawl of one outlet sends to ``domain`` (and its subdomains) only.

    ``redactions`` maps each header that carries a secret (lower case) to the text the WARC
    request record holds instead of its value.
    """

    domain: str
    basic: tuple[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    redactions: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # a stray log line or traceback must not show the values
        return f"OutletCredentials(domain={self.domain!r}, headers={sorted(self.headers)})"


def _file_error(path: Path, problem: str, hint: str) -> ConfigError:
    return ConfigError(problem, file=path, hint=hint)


def read_secrets_file(path: Path) -> dict[str, str]:
    """The ``NAME: value`` mapping of a secrets file, refused unless only its owner can read
    it (as ssh does with a private key)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise _file_error(path, f"the secrets file cannot be read: {exc.strerror or exc}",
                          "Create it, or correct secrets_file in config/akhbar.yaml") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise _file_error(
            path, f"the secrets file can be read by others (mode {stat.filemode(info.st_mode)})",
            f"Let only its owner read it: chmod 600 {path}")
    if info.st_size > MAX_FILE_BYTES:
        raise _file_error(path, f"the secrets file is {info.st_size:,} bytes, over "
                          f"{MAX_FILE_BYTES:,}", "It holds NAME: value lines, one per secret")
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        # Not the parser's message: it may quote the line, and the line holds a secret.
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise _file_error(path, f"the secrets file is not readable YAML{where}",
                          "Write one NAME: value per line, quoting values with ':' or '#' "
                          "in them, e.g. IRANGATE_LOGIN: 'reader:s3cret'") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str | int) for k, v in data.items()):
        raise _file_error(path, "the secrets file is not a mapping of names to text values",
                          "Write one NAME: value per line, e.g. IRANGATE_LOGIN: 'reader:s3cret'")
    return {k: str(v) for k, v in data.items()}


@dataclass
class SecretSource:
    """Where a crawl process finds secrets: its environment, then the secrets file (read
    once, when first needed)."""

    environ: Mapping[str, str]
    file: Path | None = None
    _from_file: dict[str, str] | None = None

    def get(self, name: str, outlet: str, where: str) -> str:
        value = self.environ.get(ENV_PREFIX + name)
        if value:
            return value
        if self.file is not None:
            if self._from_file is None:
                self._from_file = read_secrets_file(self.file)
            if self._from_file.get(name):
                return self._from_file[name]
        in_file = f" or as {name}: in {self.file}" if self.file else (
            " or in a secrets file (secrets_file in config/akhbar.yaml)")
        raise ConfigError(f"the secret {name} is not set", outlet=outlet, field=where,
                          hint=f"Set {ENV_PREFIX}{name} in the service's environment{in_file}")


def outlet_credentials(outlet: OutletConfig, source: SecretSource) -> OutletCredentials | None:
    """The outlet's credentials with their values, or None when it needs none."""
    auth = outlet.auth
    if auth is None:
        return None
    basic = None
    redactions: dict[str, str] = {}
    if auth.basic:
        value = source.get(auth.basic, outlet.id, "auth.basic")
        user, sep, password = value.partition(":")
        if not sep:
            raise ConfigError(f"the secret {auth.basic} is not of the form user:password",
                              outlet=outlet.id, field="auth.basic",
                              hint="Give it as the user name, a colon, then the password")
        basic = (user, password)
        redactions["authorization"] = f"[redacted by akhbar: secret {auth.basic}]"
    headers = {}
    for header, name in auth.headers.items():
        headers[header] = source.get(name, outlet.id, f"auth.headers.{header}")
        redactions[header.lower()] = f"[redacted by akhbar: secret {name}]"
    return OutletCredentials(domain=outlet.auth_domain, basic=basic, headers=headers,
                             redactions=redactions)
