"""CPU milliseconds per article for each stage of the work, measured in-process.

A cheap instrument next to the crawl figures: the same functions the crawl runs, called on a
sample of generated article pages (gzip bodies as served), each timed with ``process_time``.
"""

from __future__ import annotations

import gzip
import json
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .model import Site, SiteSpec
from .render import article_html

logger = logging.getLogger(__name__)

HINTS = ("en", "ar", "fa")
STAGES = ("gunzip", "warc_write", "html_parse", "link_extraction", "extraction",
          "language", "warc_metadata")
DESCRIPTIONS = {
    "gunzip": "gzip decoding of the body (in a worker for leaf articles)",
    "warc_write": "request+response records (archive.RotatingWarcWriter)",
    "html_parse": "lxml parse of the page (Selector / link extraction)",
    "link_extraction": "crawler.crawl.links.page_links on an HtmlResponse (parse included)",
    "extraction": "crawler.extraction.extract_article (decode, parse, trafilatura)",
    "language": "crawler.language.tag_languages on the extracted text",
    "warc_metadata": "JSON of the result + metadata record",
}


def _timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.process_time()
    value = fn(*args, **kwargs)
    return time.process_time() - start, value


def measure_stages(spec: SiteSpec, sample: int = 200, base: str = "http://127.0.0.1:8000"
                   ) -> dict[str, Any]:
    """Stage timings over ``sample`` articles spread over the site."""
    import lxml.html
    from scrapy.http import HtmlResponse

    from archive import HttpExchange, RotatingWarcWriter
    from crawler.crawl.links import page_links
    from crawler.extraction import extract_article

    from .naive import language_tagger

    tag_languages: Callable[..., Any] | None
    try:
        from crawler.language import tag_languages
    except ImportError:
        tag_languages = None
    tag = language_tagger()

    site = Site(spec)
    step = max(1, len(site.articles) // sample)
    refs = site.articles[::step][:sample]
    times: dict[str, list[float]] = {stage: [] for stage in STAGES}
    sizes, text_chars = [], []
    tag("warm up the language profiles once", HINTS, None)
    with tempfile.TemporaryDirectory() as tmp:
        writer = RotatingWarcWriter(Path(tmp), "stages", run_id="stages", host="bench")
        for ref in refs:
            raw = article_html(site, ref)
            packed = gzip.compress(raw, 6, mtime=0)
            url = base + ref.path
            sizes.append(len(raw))
            dt, body = _timed(gzip.decompress, packed)
            times["gunzip"].append(dt)
            ex = HttpExchange(url=url, method="GET", request_headers=[("Host", "127.0.0.1")],
                              request_body=b"", status=200, reason="OK", protocol="HTTP/1.1",
                              response_headers=[("Content-Type", "text/html; charset=utf-8"),
                                                ("Content-Encoding", "gzip")],
                              body=packed, fetched_at=datetime.now(UTC), ip_address="127.0.0.1")
            dt, record = _timed(writer.write_exchange, ex)
            times["warc_write"].append(dt)
            dt, _ = _timed(lxml.html.document_fromstring, body)
            times["html_parse"].append(dt)
            response = HtmlResponse(url, body=body, headers={"Content-Type": "text/html; "
                                                              "charset=utf-8"})
            dt, _ = _timed(page_links, response)
            times["link_extraction"].append(dt)
            dt, article = _timed(extract_article, body, url, "text/html; charset=utf-8")
            times["extraction"].append(dt)
            if article is None:
                continue
            text_chars.append(len(article.text))
            if tag_languages is not None:
                dt, result = _timed(tag_languages, article.text, hints=HINTS,
                                    html_lang=article.html_lang)
                data = {**article.to_dict(), "languages": result.to_dict()}
            else:
                dt, _ = _timed(tag, article.text, HINTS, article.html_lang)
                data = article.to_dict()
            times["language"].append(dt)
            dt, _ = _timed(
                writer.write_metadata, target_uri=url, concurrent_to=record.record_id,
                content=json.dumps(data, ensure_ascii=False, sort_keys=True).encode())
            times["warc_metadata"].append(dt)
        writer.close()
    per_stage = {
        stage: {"ms_mean": round(1000 * statistics.fmean(v), 3) if v else None,
                "ms_p90": round(1000 * sorted(v)[int(0.9 * (len(v) - 1))], 3) if v else None,
                "what": DESCRIPTIONS[stage]}
        for stage, v in times.items()
    }
    return {"sample": len(refs), "page_kb_mean": round(statistics.fmean(sizes) / 1024, 1),
            "text_chars_mean": round(statistics.fmean(text_chars)) if text_chars else 0,
            "stages": per_stage}
