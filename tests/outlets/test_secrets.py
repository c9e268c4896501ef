"""An outlet's credentials by name (crawler.outlets.secrets): the file names a secret, the
environment or a secrets file only its owner can read holds it, and no message repeats it."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.errors import ConfigError
from crawler.outlets import OutletConfig, check_outlet_file
from crawler.outlets.secrets import SecretSource, outlet_credentials, read_secrets_file
from tests.outlets.support import assert_names, good, only_error, write

PASSWORD = "hunter2-not-shown"


def _outlet(tmp_path: Path, auth: object) -> OutletConfig:
    config, errors = check_outlet_file(write(tmp_path, "irangate.yaml", good(auth=auth)))
    assert errors == [] and config is not None
    return config


def _secrets(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "secrets.yaml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_a_secrets_file_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    path = _secrets(tmp_path, f"LOGIN: 'reader:{PASSWORD}'\n", mode)
    with pytest.raises(ConfigError) as caught:
        read_secrets_file(path)
    message = str(caught.value)
    assert str(path) in message and "can be read by others" in message
    assert f"chmod 600 {path}" in message and PASSWORD not in message


def test_a_broken_secrets_file_is_named_without_quoting_it(tmp_path: Path) -> None:
    path = _secrets(tmp_path, f"LOGIN: reader:{PASSWORD}: [\n")
    with pytest.raises(ConfigError) as caught:
        read_secrets_file(path)
    assert "not readable YAML (line 1)" in str(caught.value)
    assert PASSWORD not in str(caught.value)
    assert read_secrets_file(_secrets(tmp_path, "")) == {}


def test_the_environment_comes_before_the_file(tmp_path: Path) -> None:
    outlet = _outlet(tmp_path, {"basic": "LOGIN", "headers": {"X-Api-Key": "KEY"}})
    path = _secrets(tmp_path, f"LOGIN: 'file:{PASSWORD}'\nKEY: k-1\n")
    creds = outlet_credentials(outlet, SecretSource({"AKHBAR_SECRET_LOGIN": "env:pw"}, path))
    assert creds is not None
    assert creds.basic == ("env", "pw") and creds.headers == {"X-Api-Key": "k-1"}
    assert creds.domain == "www.example-outlet.com"
    assert creds.redactions == {"authorization": "[redacted by akhbar: secret LOGIN]",
                                "x-api-key": "[redacted by akhbar: secret KEY]"}
    assert "k-1" not in repr(creds) and "pw" not in repr(creds)
    creds = outlet_credentials(outlet, SecretSource({}, path))
    assert creds is not None and creds.basic == ("file", PASSWORD)
    assert outlet_credentials(_outlet(tmp_path, None), SecretSource({})) is None


def test_a_missing_or_malformed_secret_says_where_to_set_it(tmp_path: Path) -> None:
    outlet = _outlet(tmp_path, {"basic": "LOGIN"})
    with pytest.raises(ConfigError) as caught:
        outlet_credentials(outlet, SecretSource({}))
    text = str(caught.value)
    assert caught.value.field == "auth.basic" and "outlet 'irangate'" in text
    for words in ("the secret LOGIN is not set", "AKHBAR_SECRET_LOGIN", "secrets_file"):
        assert words in text, text
    with pytest.raises(ConfigError) as caught:
        outlet_credentials(outlet, SecretSource({"AKHBAR_SECRET_LOGIN": PASSWORD}))
    assert "not of the form user:password" in str(caught.value)
    assert PASSWORD not in str(caught.value)


@pytest.mark.parametrize(
    ("auth", "where", "words"),
    [
        ({"basic": f"reader:{PASSWORD}"}, "auth.basic", "not a secret's name"),
        ({"headers": {"X-Api-Key": PASSWORD}}, "auth.headers.X-Api-Key", "not a secret's name"),
        ({"headers": {"Host": "KEY"}}, "auth.headers.Host.[key]", "cannot be a header"),
        ({}, "auth", "names no secret"),
        ({"basic": "A", "headers": {"authorization": "B"}}, "auth", "basic and an Authorization"),
    ],
)
def test_an_auth_section_that_could_leak_or_clash_is_refused(
        tmp_path: Path, auth: object, where: str, words: str) -> None:
    path = write(tmp_path, "irangate.yaml", good(auth=auth))
    err = only_error(path)
    assert_names(err, path, where, words)
    assert PASSWORD not in str(err)
