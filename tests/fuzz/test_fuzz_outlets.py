"""Fuzzing the outlet loader: any document gives an outlet or ConfigErrors, never another
exception. Documents are random YAML text, random data dumped as YAML, and a good outlet
with one field swapped for random data."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from crawler.errors import ConfigError
from crawler.outlets import check_outlet_file
from tests.fuzz.strategies import FUZZ, MIXED_TEXT

GOOD: dict[str, Any] = {
    "id": "fuzzed",
    "name": "Fuzzed",
    "homepage": "https://www.example-outlet.com/",
    "languages": ["en", "fa"],
    "schedule": "0 */6 * * *",
    "discovery": {
        "feeds": ["https://www.example-outlet.com/feed/"],
        "listings": ["https://www.example-outlet.com/news/"],
    },
    "articles": {"allow": [r"/\d{4}/"], "deny": ["/tag/"]},
    "limits": {"max_articles": 10, "max_depth": 2, "max_duration": "30m"},
    "politeness": {"obey_robots": True, "delay": 1.0, "concurrency": 2},
}
PATHS = [
    ("id",), ("name",), ("homepage",), ("languages",), ("schedule",), ("timezone",),
    ("discovery",), ("discovery", "feeds"), ("discovery", "sitemaps"), ("articles",),
    ("articles", "allow"), ("articles", "deny"), ("limits",), ("limits", "max_duration"),
    ("limits", "max_articles"), ("politeness",), ("politeness", "delay"),
    ("politeness", "concurrency"), ("unknown",),
]
SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True), MIXED_TEXT,
    st.sampled_from(["(a+)+b", "[", r"\p{L}", "(?P<x>", "*", "http://u:p@h/", "ftp://x/",
                     "1e999", "99999999999999999999d", "-5s", "0 0 31 2 *", "Mars/Olympus",
                     "https://exa mple.com/", "http://[::1", "x" * 5000]),
)
DATA = st.recursive(
    SCALAR,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=10), st.integers()), children, max_size=4),
    ),
    max_leaves=12,
)


def _swapped(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def _check(text: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzzed.yaml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "replace"))
        config, errors = check_outlet_file(path)
    assert (config is None) == bool(errors)
    for err in errors:
        assert isinstance(err, ConfigError)
        message = str(err)
        assert message and "Traceback" not in message


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True)


def test_the_good_outlet_is_valid() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzzed.yaml"
        path.write_text(_dump(GOOD), encoding="utf-8")
        config, errors = check_outlet_file(path)
    assert errors == [] and config is not None


@FUZZ
@given(st.sampled_from(PATHS), DATA)
@example(("articles", "allow"), ["(a+)+b"])
@example(("limits", "max_duration"), "1e999")
@example(("discovery", "feeds"), ["http://user:pass@example.com/feed"])
def test_a_good_outlet_with_one_field_swapped(path: tuple[str, ...], value: Any) -> None:
    _check(_dump(_swapped(path, value)))


@FUZZ
@given(DATA)
def test_random_data_as_yaml(data: Any) -> None:
    _check(_dump(data))


@FUZZ
@given(st.one_of(MIXED_TEXT, st.binary(max_size=500)))
@example("a: &x [*x]")
@example("!!python/object/apply:os.system ['true']")
@example("a: 1\na: 2\n")
@example("? [a, b]\n: c\n")
@example("{[1]: 2}")
@example(b"\xef\xbb\xbf\xff\xfe")
def test_random_text_and_bytes(text: str | bytes) -> None:
    _check(text)
