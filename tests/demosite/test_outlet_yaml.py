"""The outlet configuration produced for each demo outlet."""

from __future__ import annotations

import re

import pytest
import yaml

from crawler.demosite import OUTLETS, expected_articles, outlet_yaml

BASE = "http://127.0.0.1:8765"
ZONES = {"en": "UTC", "ar": "Asia/Riyadh", "fa": "Asia/Tehran"}


@pytest.mark.parametrize("outlet", OUTLETS, ids=lambda o: o["id"])
def test_yaml_parses_with_exact_keys(outlet: dict[str, object]) -> None:
    text = outlet_yaml(str(outlet["id"]), BASE)
    assert text.startswith("# demo outlet: served by `akhbar demo` on 127.0.0.1\n")
    config = yaml.safe_load(text)
    root = f"{BASE}/{outlet['id']}"
    assert config == {
        "id": outlet["id"],
        "name": outlet["name"],
        "homepage": f"{root}/",
        "languages": outlet["languages"],
        "schedule": "0 */6 * * *",
        "timezone": ZONES[outlet["languages"][0]],  # type: ignore[index]
        "discovery": {
            "feeds": [f"{root}/feed.xml"],
            "sitemaps": [f"{root}/sitemap_index.xml"],
            "listings": [f"{root}/category/news/"],
        },
        "articles": {"allow": [f"/{outlet['id']}/\\d{{4}}/\\d{{2}}/[^/]+/$"],
                     "deny": ["/tag/", "/author/"]},
        "limits": {"max_articles": 200, "max_depth": 3, "max_duration": "10m"},
        "politeness": {"obey_robots": True, "delay": 0, "concurrency": 4},
    }


def test_allow_rule_matches_articles_only() -> None:
    config = yaml.safe_load(outlet_yaml("demo_fa", BASE))
    allow = re.compile(config["articles"]["allow"][0])
    for article in expected_articles(2):
        assert bool(allow.search(article.path)) == (article.outlet == "demo_fa")
    for path in ("/demo_fa/", "/demo_fa/tag/sport/", "/demo_fa/category/news/",
                 "/demo_fa/private/2026/11/secret/", "/demo_fa/old/x"):
        assert not allow.search(path)


def test_unknown_outlet() -> None:
    with pytest.raises(KeyError):
        outlet_yaml("nope", BASE)
