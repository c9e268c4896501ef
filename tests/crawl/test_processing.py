"""process_page: extraction and tagging of one page, as run in a worker process."""

from __future__ import annotations

import gzip

import pytest

from crawler.crawl.processing import BodyTooLarge, gunzip_body, process_page

PAGE = (
    "<html lang='en'><head><title>Rain falls on the city</title></head><body><article>"
    + "".join(
        f"<p>Paragraph {i}: the city council met on Monday to discuss the heavy rain and the "
        "flooding of several streets near the river, which closed schools.</p>"
        for i in range(20)
    )
    + "</article></body></html>"
).encode()


def test_a_gzipped_body_gives_the_same_article() -> None:
    url = "http://news.test/2026/11/rain/"
    plain = process_page(PAGE, url, "text/html; charset=utf-8", ("en",))
    zipped = process_page(gzip.compress(PAGE), url, "text/html; charset=utf-8", ("en",))
    assert plain is not None and zipped == plain


def test_gunzip_body_reads_all_members_and_keeps_to_the_limit() -> None:
    assert gunzip_body(gzip.compress(b"ab") + gzip.compress(b"cd")) == b"abcd"
    with pytest.raises(BodyTooLarge):
        gunzip_body(gzip.compress(b"x" * 10_000), max_size=1_000)


def test_warm_up_loads_the_latin_and_arabic_script_profiles() -> None:
    from crawler.crawl.processing import warm_up
    from crawler.language.profiles import loaded_profile_sets

    warm_up()
    assert {"latin", "arabic"} <= set(loaded_profile_sets())
