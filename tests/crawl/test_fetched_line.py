"""The run log's "fetched" line, written straight to the run's file
(``RunLogExtension._write_fetched``), is the line the handler writes of the log record
(``handler.handle``): same keys in the same order, same values, same message."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import Request, Response

from crawler.crawl.extensions import RunLogExtension
from crawler.crawl.runlog import JsonLinesFormatter
from tests.scrapy_support import bare_crawler

URL_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="#?\x00"), max_size=40)
KIND = st.one_of(st.none(), st.sampled_from(["article", "listing", "requisite", "robots"]))


def _extension(data_dir: Path, run_id: str, *, shared: bool) -> RunLogExtension:
    crawler = bare_crawler(settings={
        "AKHBAR_RUN_ID": run_id, "AKHBAR_DATA_DIR": str(data_dir), "AKHBAR_OUTLET": "o",
        "AKHBAR_SHARED_PROCESS": shared, "LOG_LEVEL": "INFO"})
    return RunLogExtension.from_crawler(crawler)


def _fetched_lines(ext: RunLogExtension, exchanges: list[tuple[str, int, bytes, str | None]],
                   ) -> list[dict[str, object]]:
    try:
        for url, status, body, kind in exchanges:
            request = Request(url, meta={"akhbar_kind": kind} if kind else {})
            ext.response_received(Response(url, status=status, body=body, request=request),
                                  request)
        ext.handler.flush()
        assert isinstance(ext.handler, logging.FileHandler)
        path = Path(ext.handler.baseFilename)
        text = path.read_bytes().decode("utf-8")
        lines = [json.loads(line) for line in text.split("\n") if line]
    finally:
        ext.close()
    for entry in lines:
        entry.pop("ts")
    return lines


def test_the_formatters_line_is_its_format_of_the_record() -> None:
    formatter = JsonLinesFormatter("outlet", "run-1")
    fields = {"event": "fetched", "url": "https://example.org/ä", "status": 200,
              "size": 12, "kind": None, "run_id": "run-1"}
    record = logging.getLogger("crawler.crawl.extensions").makeRecord(
        "crawler.crawl.extensions", logging.INFO, __file__, 0, "fetched %s %s",
        (200, fields["url"]), None, "response_received", fields)
    assert formatter.line(record.created, "INFO", "crawler.crawl.extensions",
                          record.getMessage(), fields) == formatter.format(record)


@settings(max_examples=15, deadline=None)
@given(exchanges=st.lists(st.tuples(URL_TEXT, st.sampled_from([200, 301, 404, 503]),
                                    st.binary(max_size=64), KIND), min_size=1, max_size=4),
       shared=st.booleans())
def test_the_direct_line_is_the_handlers_line(
        tmp_path_factory: object, exchanges: list[tuple[str, int, bytes, str | None]],
        shared: bool) -> None:
    base = tmp_path_factory.mktemp("runs")  # type: ignore[attr-defined]
    urls = [(f"https://example.org/{path}", status, body, kind)
            for path, status, body, kind in exchanges]
    fast = _extension(base / "fast", "run-1", shared=shared)
    slow = _extension(base / "slow", "run-1", shared=shared)
    # Any other filter on the handler sends the line through handle(), as before.
    slow.handler.addFilter(lambda record: True)
    fields = {"event": "fetched", "url": "u", "status": 200, "size": 0, "kind": None,
              "run_id": "run-1"}
    assert not slow._write_fetched(fields)
    assert _fetched_lines(fast, urls) == _fetched_lines(slow, urls)


def test_the_line_counts_in_the_runs_info_count(tmp_path: Path) -> None:
    ext = _extension(tmp_path, "run-2", shared=True)
    stats = ext.crawler.stats
    assert stats is not None
    before = stats.get_value("log_count/INFO", 0)
    assert ext.handler.filters == [ext.filter]  # the direct path is the one taken
    lines = _fetched_lines(ext, [("https://example.org/a", 200, b"abc", "article")])
    assert lines == [{"level": "INFO", "logger": "crawler.crawl.extensions", "outlet": "o",
                      "run_id": "run-2", "msg": "fetched 200 https://example.org/a",
                      "event": "fetched", "url": "https://example.org/a", "status": 200,
                      "size": 3, "kind": "article"}]
    assert stats.get_value("log_count/INFO", 0) == before + 1
