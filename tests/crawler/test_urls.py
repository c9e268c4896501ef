from crawler.urls import ArticleRules, canonicalize, is_tracking_param, same_site


def test_canonical_form_drops_tracking_and_fragment() -> None:
    a = canonicalize("HTTP://Example.COM:80/2026/11/x/?utm_source=t&b=2&a=1&fbclid=z#comments")
    assert a == "http://example.com/2026/11/x/?a=1&b=2"


def test_canonical_form_keeps_meaningful_query_and_port() -> None:
    assert canonicalize("http://127.0.0.1:8765/list/?page=2") == "http://127.0.0.1:8765/list/?page=2"
    assert canonicalize("https://h.com:443/a") == "https://h.com/a"


def test_canonical_form_normalises_percent_encoding() -> None:
    assert canonicalize("http://h.com/fa/%d8%b3/") == canonicalize("http://h.com/fa/س/")


def test_tracking_params() -> None:
    assert is_tracking_param("utm_campaign") and is_tracking_param("GCLID")
    assert not is_tracking_param("page") and not is_tracking_param("id")


def test_article_rules_allow_and_deny() -> None:
    rules = ArticleRules(allow=[r"/\d{4}/\d{2}/[^/]+/$"], deny=["/tag/"])
    assert rules.is_article("http://h.com/2026/11/slug/")
    assert not rules.is_article("http://h.com/2026/11/slug/extra/")
    assert not rules.is_article("http://h.com/tag/2026/11/slug/")
    assert ArticleRules().is_article("http://h.com/anything")


def test_same_site_matches_subdomains_only() -> None:
    assert same_site("http://www.h.com/a", ["h.com"])
    assert same_site("http://h.com:8080/a", ["h.com"])
    assert not same_site("http://evilh.com/a", ["h.com"])
