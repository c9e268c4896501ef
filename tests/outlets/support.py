"""Helpers for the outlet config tests: a good outlet, files written from dicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from crawler.errors import ConfigError
from crawler.outlets import check_outlet_file

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).parent / "config_cases"
EXAMPLES = ROOT / "config" / "outlets" / "examples"


def good(outlet_id: str = "irangate", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": outlet_id,
        "name": "IranGate",
        "homepage": "https://www.example-outlet.com/",
        "languages": ["en", "fa"],
        "schedule": "0 */6 * * *",
        "discovery": {"feeds": ["https://www.example-outlet.com/feed/"]},
    }
    data.update(changes)
    return data


def write(directory: Path, name: str, content: dict[str, Any] | str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def only_error(path: Path) -> ConfigError:
    config, errors = check_outlet_file(path)
    assert config is None
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def assert_names(err: ConfigError, path: Path, field: str | None, *fix: str) -> None:
    """The one-line message names the file and the field and says how to fix it."""
    text = str(err)
    assert "\n" not in text
    assert err.file == path and text.startswith(f"{path}: ")
    assert err.field == field
    if field:
        assert f"field '{field}'" in text
    assert err.hint and err.hint in text
    for words in fix:
        assert words in text, text
