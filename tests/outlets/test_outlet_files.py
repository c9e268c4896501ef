"""Outlet files: loading, validation and the messages people read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger

from crawler.errors import ConfigError
from crawler.outlets import (
    LoadResult,
    OutletConfig,
    ServiceConfig,
    check_outlet_file,
    load_outlet_file,
    load_outlets,
    load_service_config,
)
from tests.outlets.support import CASES, EXAMPLES, ROOT, assert_names, good, only_error, write

# --- a good file -------------------------------------------------------------------------


def test_good_file_gets_defaults(tmp_path: Path) -> None:
    config = load_outlet_file(write(tmp_path, "irangate.yaml", good()))
    assert isinstance(config, OutletConfig)
    assert config.enabled is True and config.timezone == "UTC"
    assert config.limits.max_articles == 500 and config.limits.max_depth == 2
    assert config.limits.max_duration == timedelta(minutes=30)
    assert config.limits.max_pages == 5000 and config.limits.max_response_size == 10 * 1024**2
    assert config.politeness.obey_robots and config.politeness.delay == 1.0
    assert config.politeness.concurrency == 2 and config.politeness.user_agent is None
    assert config.articles.allow == [] and config.discovery.sitemaps == []


def test_allowed_domains_hash_and_article_candidates(tmp_path: Path) -> None:
    data = good(
        discovery={
            "feeds": ["https://feeds.example.net/x.rss"],
            "sitemaps": ["https://www.example-outlet.com/sitemap.xml"],
        },
        articles={"allow": [r"/\d{4}/"], "deny": ["/tag/"]},
    )
    config = load_outlet_file(write(tmp_path, "irangate.yaml", data))
    assert config.allowed_domains == ["feeds.example.net", "www.example-outlet.com"]
    assert config.is_article_candidate("https://www.example-outlet.com/2024/05/a-story/")
    assert not config.is_article_candidate("https://www.example-outlet.com/tag/2024/")
    assert not config.is_article_candidate("https://elsewhere.org/2024/05/a-story/")
    assert not config.is_article_candidate("https://www.example-outlet.com/about/")

    reordered = dict(reversed(data.items()))
    same = load_outlet_file(write(tmp_path / "again", "irangate.yaml", reordered))
    assert same.config_hash == config.config_hash and len(config.config_hash) == 64
    changed = load_outlet_file(write(tmp_path / "b", "irangate.yaml", {**data, "enabled": False}))
    assert changed.config_hash != config.config_hash


# --- one test per kind of mistake ----------------------------------------------------------


def test_unknown_key_suggests_the_close_one(tmp_path: Path) -> None:
    path = write(tmp_path, "irangate.yaml", good(politness={"delay": 2}))
    err = only_error(path)
    assert_names(
        err,
        path,
        "politness",
        "unknown key 'politness'",
        "Did you mean 'politeness'?",
        "Allowed keys: id, name, homepage",
    )
    assert err.outlet == "irangate"


def test_unknown_nested_key_lists_that_sections_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "irangate.yaml", good(limits={"max_artcles": 10}))
    assert_names(
        only_error(path),
        path,
        "limits.max_artcles",
        "Did you mean 'max_articles'?",
        "Allowed keys under 'limits': max_articles, max_depth",
    )


def test_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, "irangate.yaml", good(politeness={"delay": "fast"}))
    assert_names(
        only_error(path),
        path,
        "politeness.delay",
        "'fast'",
        "valid number",
        "seconds between requests",
    )


def test_list_where_a_mapping_belongs(tmp_path: Path) -> None:
    path = write(tmp_path, "irangate.yaml", good(languages="en"))
    assert_names(only_error(path), path, "languages", "expected a list", "e.g. [en, fa]")


def test_bad_regex_names_its_index(tmp_path: Path) -> None:
    path = write(tmp_path, "irangate.yaml", good(articles={"allow": ["/news/", r"/story/(\d+"]}))
    assert_names(
        only_error(path),
        path,
        "articles.allow[1]",
        "not a valid regular expression",
        "missing )",
        "escape literal",
    )


def test_bad_cron_message_is_exact(tmp_path: Path) -> None:
    path = write(tmp_path / "config" / "outlets", "irangate.yaml", good(schedule="0 */6 * *"))
    err = only_error(path)
    assert str(err) == (
        f"{path}: outlet 'irangate', field 'schedule': '0 */6 * *' is not a valid cron "
        'expression (5 fields: minute hour day month weekday). Example: "0 */6 * * *"'
    )


def test_cron_value_out_of_range(tmp_path: Path) -> None:
    path = write(tmp_path, "irangate.yaml", good(schedule="61 * * * *"))
    assert_names(only_error(path), path, "schedule", "higher than the maximum", "Example:")


@pytest.mark.parametrize(
    ("schedule", "stored", "weekday"),
    [
        ("0 0 * * 0", "0 0 * * sun", "Sunday"),
        ("0 0 * * 7", "0 0 * * sun", "Sunday"),
        ("0 9 * * 1-5", "0 9 * * mon,tue,wed,thu,fri", "Wednesday"),
        ("0 0 * * */2", "0 0 * * sun,tue,thu,sat", "Thursday"),
        ("0 0 * * fri", "0 0 * * fri", "Friday"),
        ("0  */6 * * *", "0 */6 * * *", "Tuesday"),
    ],
)
def test_weekday_numbers_mean_what_cron_means(
    tmp_path: Path, schedule: str, stored: str, weekday: str
) -> None:
    config = load_outlet_file(write(tmp_path, "irangate.yaml", good(schedule=schedule)))
    assert config.schedule == stored
    trigger = CronTrigger.from_crontab(config.schedule, timezone="UTC")
    tuesday_noon = datetime(2025, 1, 7, 12, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, tuesday_noon).strftime("%A") == weekday


def test_no_schedule_means_not_scheduled(tmp_path: Path) -> None:
    data = good(schedule=None)
    assert load_outlet_file(write(tmp_path, "irangate.yaml", data)).schedule is None
    del data["schedule"]
    assert load_outlet_file(write(tmp_path, "irangate.yaml", data)).schedule is None


def test_bad_timezone_suggests_a_real_one(tmp_path: Path) -> None:
    path = write(tmp_path, "irangate.yaml", good(timezone="Asia/Tehren"))
    assert_names(
        only_error(path),
        path,
        "timezone",
        "not a known time zone",
        "Did you mean 'Asia/Tehran'?",
        "IANA",
    )


def test_unknown_language_code(tmp_path: Path) -> None:
    path = write(tmp_path, "irangate.yaml", good(languages=["en", "farsi"]))
    assert_names(only_error(path), path, "languages[1]", "Did you mean 'fa'?")


@pytest.mark.parametrize("url", ["ftp://www.example-outlet.com/", "www.example-outlet.com"])
def test_non_http_url(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, "irangate.yaml", good(homepage=url))
    assert_names(only_error(path), path, "homepage", f"'{url}'", "only http(s) URLs", "https://")


def test_non_http_discovery_url_names_its_index(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "irangate.yaml",
        good(discovery={"feeds": ["https://ok.example.org/rss", "mailto:news@example.org"]}),
    )
    assert_names(only_error(path), path, "discovery.feeds[1]", "only http(s) URLs")


def test_duplicate_id_names_both_files(tmp_path: Path) -> None:
    first = write(tmp_path / "outlets", "irangate.yaml", good())
    second = write(tmp_path / "outlets", "irangate.yml", good())
    result = load_outlets(tmp_path)
    assert list(result.outlets) == ["irangate"]
    (err,) = result.errors
    assert_names(err, second, "id", "already defined in", str(first), "remove")


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "iran_gate.yaml", good("irangate"))
    assert_names(
        only_error(path),
        path,
        "id",
        "does not match the file name",
        "Rename the file to irangate.yaml or set id: iran_gate",
    )


def test_id_must_be_lower_snake(tmp_path: Path) -> None:
    path = write(tmp_path, "Iran-Gate.yaml", good("Iran-Gate"))
    config, errors = check_outlet_file(path)
    assert config is None
    assert any(e.field == "id" and "'iran_gate'" in str(e) for e in errors)


def test_yaml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "irangate.yaml",
        "id: irangate\nname: IranGate\nlanguages: [en\nhomepage: https://x.org/\n",
    )
    err = only_error(path)
    assert err.line is not None and err.line >= 3
    assert_names(err, path, None, f"line {err.line}", "YAML syntax error", "indentation")


def test_unquoted_cron_star_is_explained(tmp_path: Path) -> None:
    path = write(tmp_path, "irangate.yaml", "id: irangate\nschedule: */5 * * * *\n")
    err = only_error(path)
    assert err.line == 2
    assert '"*/5 * * * *"' in str(err)


def test_key_given_twice(tmp_path: Path) -> None:
    path = write(tmp_path, "irangate.yaml", "id: irangate\nname: A\nname: B\n")
    err = only_error(path)
    assert err.line == 3
    assert_names(err, path, None, "found key 'name' twice", "delete")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("- a\n- b\n", "found a list"),
    ],
)
def test_empty_or_not_a_mapping(tmp_path: Path, text: str, words: str) -> None:
    path = write(tmp_path, "irangate.yaml", text)
    assert_names(only_error(path), path, None, words, "config/outlets/examples/")


def test_missing_required_field(tmp_path: Path) -> None:
    data = good()
    del data["homepage"]
    path = write(tmp_path, "irangate.yaml", data)
    assert_names(
        only_error(path),
        path,
        "homepage",
        "required field is missing",
        "Add 'homepage:'",
        "http(s) home page URL",
    )


def test_empty_discovery(tmp_path: Path) -> None:
    path = write(tmp_path, "irangate.yaml", good(discovery={"feeds": [], "sitemaps": []}))
    assert_names(
        only_error(path),
        path,
        "discovery",
        "feeds, sitemaps and listings are all empty",
        "feeds: [https://",
    )


def test_every_wrong_field_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "irangate.yaml",
        good(
            schedule="0 */6 * *",
            timezone="Mars/Base",
            politness={},
            limits={"max_articles": 0, "max_duration": "soon"},
            politeness={"concurrency": 64},
        ),
    )
    _, errors = check_outlet_file(path)
    assert {e.field for e in errors} == {
        "schedule",
        "timezone",
        "politness",
        "limits.max_articles",
        "limits.max_duration",
        "politeness.concurrency",
    }
    with pytest.raises(ConfigError) as raised:
        load_outlet_file(path)
    assert len(raised.value.all) == 6
    assert "and 5 more problems" in str(raised.value)
    assert len(raised.value.render_all().splitlines()) == 6


# --- a directory with good and bad files ---------------------------------------------------


def test_mixed_directory_loads_good_and_reports_every_bad() -> None:
    config_dir = CASES / "mixed"
    result = load_outlets(config_dir)
    assert isinstance(result, LoadResult) and not result.ok
    assert list(result.outlets) == ["irangate", "khabar_fa"]
    outlets = config_dir / "outlets"
    by_file = {e.file: e for e in result.errors}
    assert set(by_file) == {
        outlets / f"{n}.yaml" for n in ("bad_cron", "bad_regex", "typo_key", "broken_yaml", "empty")
    }
    assert by_file[outlets / "bad_cron.yaml"].field == "schedule"
    assert by_file[outlets / "bad_regex.yaml"].field == "articles.allow[1]"
    assert by_file[outlets / "typo_key.yaml"].field == "politness"
    assert by_file[outlets / "broken_yaml.yaml"].line is not None
    assert "not_loaded" not in result.outlets  # subdirectories are not read
    fa = result.outlets["khabar_fa"]
    assert fa.name == "خبر" and fa.schedule is None and fa.allowed_domains == ["127.0.0.1"]


def test_missing_outlets_dir_is_empty(tmp_path: Path) -> None:
    result = load_outlets(tmp_path / "nowhere")
    assert result.outlets == {} and result.errors == []


def test_examples_validate() -> None:
    result = load_outlets(EXAMPLES)
    assert result.errors == []
    assert set(result.outlets) == {"tehran_times", "aljazeera_ar", "bbc_persian"}
    for path in EXAMPLES.glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == (
            "# EXAMPLE — needs the internet; not crawled by the demo or tests. "
            "Copy into config/outlets/ to use."
        )


def test_shipped_config_dir_has_no_errors() -> None:
    assert load_outlets(ROOT / "config").errors == []
    assert load_service_config(ROOT / "config") == ServiceConfig()
