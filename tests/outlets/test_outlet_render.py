"""``render: browser`` and its ``browser:`` section: validated with the rest of the outlet
file, one line per mistake naming the field; limits turned into what a page may do."""

from __future__ import annotations

from pathlib import Path

from crawler.crawl.browser.page import PageBudget, PageLimits
from crawler.outlets import load_outlets

BASE = ("id: {id}\nname: X\nhomepage: http://127.0.0.1:9/\nlanguages: [fa]\n"
        "discovery: {{feeds: ['http://127.0.0.1:9/feed']}}\n")


def load(tmp_path: Path, files: dict[str, str]) -> tuple[dict, list[str]]:
    (tmp_path / "outlets").mkdir()
    for oid, extra in files.items():
        (tmp_path / "outlets" / f"{oid}.yaml").write_text(BASE.format(id=oid) + extra)
    result = load_outlets(tmp_path)
    return dict(result.outlets), [str(e) for e in result.errors]


def test_browser_outlets_and_their_mistakes(tmp_path: Path) -> None:
    outlets, errors = load(tmp_path, {
        "plain": "",
        "good": "render: browser\nbrowser: {max_time: 10s, allow_hosts: [CDN.example.org]}\n",
        "no_render": "browser: {max_time: 10s}\n",
        "bad_values": "render: chrome\nbrowser: {max_requests: 0, allow_hosts: ['http://x/'],"
                      " max_bytes: lots, third_parties: some}\n",
    })
    assert set(outlets) == {"plain", "good"}
    assert outlets["plain"].render == "http" and outlets["plain"].browser is None
    good = outlets["good"].browser_settings
    assert good.max_time.total_seconds() == 10 and good.allow_hosts == ["cdn.example.org"]
    assert good.max_requests == 200 and good.third_parties == "block"
    text = "\n".join(errors)
    assert "outlet 'no_render', field 'browser': browser settings are given but render is " \
           "http. Add render: browser" in text
    for field in ("'render': 'chrome' should be 'http' or 'browser'",
                  "'browser.max_requests'", "'browser.max_bytes': 'lots' is not a size",
                  "'browser.allow_hosts[0]': 'http://x/' is not a host name",
                  "'browser.third_parties'"):
        assert field in text, (field, text)


def test_only_the_outlets_hosts_and_allowed_ones_are_fetched(tmp_path: Path) -> None:
    outlets, _ = load(tmp_path, {"cdn": "render: browser\nbrowser: {allow_hosts: [cdn.test]}\n",
                                 "open": "render: browser\nbrowser: {third_parties: allow}\n"})
    limits = PageLimits.of(outlets["cdn"].browser_settings, outlets["cdn"].allowed_domains)
    assert limits.allows("http://127.0.0.1:9/a.css")
    assert limits.allows("https://img.cdn.test/x.png")
    assert not limits.allows("http://localhost:9/tracker.js")
    assert not limits.allows("https://cdn.test.evil.example/x.js")
    assert not limits.allows("ftp://127.0.0.1/x")
    assert limits.allows("data:image/png;base64,AAAA")
    wide = PageLimits.of(outlets["open"].browser_settings, outlets["open"].allowed_domains)
    assert wide.allows("http://tracker.example/t.js")


def test_a_page_budget_names_the_limit_it_passed(tmp_path: Path) -> None:
    outlets, _ = load(tmp_path, {"tight": "render: browser\n"
                                          "browser: {max_requests: 2, max_bytes: 100}\n"})
    settings = outlets["tight"].browser_settings
    requests = PageBudget(PageLimits.of(settings, ["127.0.0.1"]))
    assert requests.admit() and requests.admit() and not requests.admit()
    assert requests.reason == "the page asked for more than 2 requests (browser.max_requests)"
    size = PageBudget(PageLimits.of(settings, ["127.0.0.1"]))
    assert size.took(60) and not size.took(60)
    assert size.reason == "the page fetched more than 100 bytes (browser.max_bytes)"
