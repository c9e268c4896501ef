"""Limits an outlet file cannot get around: linear-time patterns, a size cap, no
credentials, and a crawl that reads its own outlet's file only."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from crawler.errors import ConfigError
from crawler.outlets import check_outlet_file, load_outlets
from crawler.outlets.loader import MAX_CONFIG_BYTES, load_outlet, outlet_file
from crawler.urls import ArticleRules, PatternError, compile_pattern
from tests.outlets.support import assert_names, good, only_error, write


def test_a_catastrophic_pattern_runs_in_linear_time() -> None:
    # Under Python's re, '/(a+)+b' against 40 a's takes hours (2**40 ways to split them).
    rules = ArticleRules(allow=["/(a+)+b"], deny=["(x+x+)+y"])
    url = "http://news.test/" + "a" * 40_000 + "?" + "x" * 40_000
    started = time.perf_counter()
    assert not rules.is_article(url)
    assert not rules.denied(url)
    assert time.perf_counter() - started < 2.0
    assert rules.is_article("http://news.test/aaab")


def test_the_catastrophic_pattern_of_issue_15_is_valid_and_safe(tmp_path: Path) -> None:
    path = write(tmp_path, "irangate.yaml", good(articles={"allow": ["/(a+)+b"]}))
    config, errors = check_outlet_file(path)
    assert errors == [] and config is not None


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"/news/(?=\d)", "look-ahead (?=...) is not supported"),
        (r"/news/(?!video)", "negative look-ahead"),
        (r"(?<=/)\d+", "look-behind"),
        (r"/(\w+)/\1/", "back-references such as \\1 are not supported"),
        (r"/story/(\d+", "missing )"),
        ("a{2000}{2000}", "invalid repetition size"),
    ],
)
def test_a_pattern_re2_cannot_run_names_file_field_and_why(
    tmp_path: Path, pattern: str, words: str
) -> None:
    path = write(tmp_path, "irangate.yaml", good(articles={"deny": ["/tag/", pattern]}))
    assert_names(
        only_error(path), path, "articles.deny[1]", "not a valid regular expression", words,
        "no look-around",
    )
    with pytest.raises(PatternError):
        compile_pattern(pattern)


@pytest.mark.parametrize(
    ("where", "url"),
    [
        ("homepage", "http://user:secret@www.example-outlet.com/"),
        ("discovery.feeds[0]", "https://user@www.example-outlet.com/feed/"),
        ("discovery.feeds[0]", "https://:secret@www.example-outlet.com/feed/"),
    ],
)
def test_a_url_with_credentials_is_refused_without_repeating_them(
    tmp_path: Path, where: str, url: str
) -> None:
    data = good()
    if where == "homepage":
        data["homepage"] = url
    else:
        data["discovery"] = {"feeds": [url]}
    path = write(tmp_path, "irangate.yaml", data)
    err = only_error(path)
    assert_names(err, path, where, "user name or password", "Remove the 'user:password@' part")
    assert "secret" not in str(err)


def test_an_outlet_file_over_the_cap_is_refused_unparsed(tmp_path: Path) -> None:
    feeds = "".join(f"    - https://www.example-outlet.com/feed/{n}\n" for n in range(30_000))
    text = (
        "id: irangate\nname: IranGate\nhomepage: https://www.example-outlet.com/\n"
        "languages: [en]\ndiscovery:\n  feeds:\n" + feeds
    )
    assert len(text.encode()) > MAX_CONFIG_BYTES
    path = write(tmp_path, "irangate.yaml", text)
    started = time.perf_counter()
    err = only_error(path)
    assert time.perf_counter() - started < 1.0  # refused before YAML parsing
    assert err.file == path and err.outlet == "irangate"
    assert "over the limit of 1,048,576" in str(err) and "sitemap" in err.hint
    # The other outlets load; the big one is reported.
    write(tmp_path, "other.yaml", good("other"))
    result = load_outlets(tmp_path)
    assert list(result.outlets) == ["other"]
    assert [e.file for e in result.errors] == [path]


def test_a_crawl_reads_only_its_own_outlet_file(tmp_path: Path) -> None:
    outlets = tmp_path / "outlets"
    own = write(outlets, "irangate.yaml", good())
    others = [write(outlets, f"other_{n}.yaml", good(f"other_{n}")) for n in range(3)]
    opened: list[str] = []
    recording = {"on": True}

    def hook(event: str, args: tuple[object, ...]) -> None:
        # Audit events are how Python itself reports every file it opens.
        if recording["on"] and event == "open" and isinstance(args[0], (str, Path)):
            opened.append(str(args[0]))

    sys.addaudithook(hook)  # cannot be removed; switched off below
    try:
        assert load_outlet(tmp_path, "irangate").id == "irangate"
    finally:
        recording["on"] = False
    assert str(own) in opened
    assert not any(str(other) in opened for other in others)
    assert outlet_file(tmp_path, "irangate") == own
    # Read as an outlets directory itself too, and .yml files.
    write(outlets, "tehran.yml", good("tehran"))
    assert load_outlet(outlets, "tehran").id == "tehran"


@pytest.mark.parametrize("outlet_id", ["nope", "../outlets/irangate", ".hidden", ""])
def test_an_unknown_outlet_or_a_path_is_no_outlet(tmp_path: Path, outlet_id: str) -> None:
    write(tmp_path / "outlets", "irangate.yaml", good())
    with pytest.raises(ConfigError, match="no outlet"):
        load_outlet(tmp_path, outlet_id)


def test_the_outlets_own_errors_are_raised(tmp_path: Path) -> None:
    write(tmp_path / "outlets", "irangate.yaml", good(articles={"allow": ["(?=x)"]}))
    with pytest.raises(ConfigError) as caught:
        load_outlet(tmp_path, "irangate")
    assert caught.value.field == "articles.allow[0]"
