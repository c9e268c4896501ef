"""The WACZ of a search result: every matching version across outlets, its pages carrying
their text and metadata, the collection described in full, and `wacz validate` passing."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from archive.wacz import validate_wacz
from crawler import service
from crawler.errors import ArchiveLookupError, QueryError
from tests.web.conftest import WebArchive


def test_a_search_result_across_outlets_as_a_wacz(web_archive: WebArchive,
                                                   tmp_path: Path) -> None:
    fa, ar = web_archive.revised("demo_fa"), web_archive.revised("demo_ar")
    words = [max(a.title.split(), key=len) for a in (fa, ar)]
    query = f"{words[0]} OR {words[1]}"
    out = tmp_path / "found.wacz"
    result = service.export_wacz(web_archive.ctx, out, query=query)
    assert validate_wacz(out)
    with zipfile.ZipFile(out) as zf:
        lines = zf.read("pages/pages.jsonl").decode("utf-8").splitlines()
        package = json.loads(zf.read("datapackage.json"))
    header, pages = json.loads(lines[0]), [json.loads(line) for line in lines[1:]]
    assert header["format"] == "json-pages-1.0"  # py-wacz writes its own header
    assert len(pages) == result.pages >= 4  # two versions of each revised article
    assert {p["outlet"] for p in pages} >= {"demo_fa", "demo_ar"}
    by_url = {p["url"]: p for p in pages}
    page = by_url[web_archive.url(fa)]
    assert page["title"] == fa.title and fa.text.split("\n")[0] in page["text"]
    assert page["language"] == "fa" and page["ts"].endswith("Z")
    assert package["title"].startswith("akhbar: all outlets")
    assert package["description"].endswith("archived by akhbar")
    assert query in package["description"] and "–" not in package["description"]
    assert package["software"] and package["created"]


def test_nothing_found_or_a_bad_query_says_so(web_archive: WebArchive, tmp_path: Path) -> None:
    with pytest.raises(ArchiveLookupError, match="matching the search"):
        service.export_wacz(web_archive.ctx, tmp_path / "x.wacz", query="zzzqqqxxx")
    with pytest.raises(QueryError):
        service.export_wacz(web_archive.ctx, tmp_path / "x.wacz", outlets=["nope"])
