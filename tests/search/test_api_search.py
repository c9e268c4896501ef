"""GET /search and GET /export over the demo catalog, on SQLite and PostgreSQL, as a
researcher would call them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from crawler.api import create_app
from crawler.catalog import Catalog
from crawler.scheduler.service import SchedulerService
from tests.auth.support import client_as
from tests.scheduler.helpers import make_ctx, manual_scheduler


@pytest.fixture
def api(catalog: Catalog, tmp_path: Path) -> Iterator[TestClient]:
    (tmp_path / "config" / "outlets").mkdir(parents=True)
    ctx = make_ctx(tmp_path, catalog.url)
    sched = SchedulerService(ctx, scheduler=manual_scheduler(ctx))
    sched.start(dispatch=False)
    try:
        with client_as(create_app(sched), ctx, "researcher") as client:
            yield client
    finally:
        sched.stop()
        ctx.close()


def test_search_finds_each_spelling_ranked_and_paged(api: TestClient) -> None:
    for typed in ("مسكن", "آبان ماه", "٦٠", "عمان", "الاعمار", "ايران"):
        page = api.get("/search", params={"q": typed})
        assert page.status_code == 200 and page.json()["total"] >= 1, typed
    first = api.get("/search", params={"q": "ايران", "limit": 2}).json()
    rest = api.get("/search", params={"q": "ايران", "limit": 2, "offset": 2}).json()
    assert first["total"] == rest["total"] == 3
    assert len(first["hits"]) == 2 and len(rest["hits"]) == 1 and rest["next_offset"] is None
    scores = [h["score"] for h in first["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert api.get("/search", params={"q": "ايران", "lang": "fa",
                                      "from": "2999-01-01"}).json()["total"] == 0


@pytest.mark.parametrize(("params", "parameter"), [
    ({"q": '"open'}, "q"), ({"q": "-alone"}, "q"), ({"q": "x", "outlet": "nope"}, "outlet"),
    ({"q": "x", "lang": "xx"}, "lang"), ({"q": "x", "from": "soon"}, "from"),
])
def test_a_bad_query_is_a_422_naming_the_parameter(api: TestClient, params: dict[str, str],
                                                   parameter: str) -> None:
    answer = api.get("/search", params=params)
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith(f"{parameter}: ")


def test_export_csv_for_spreadsheets_and_parquet(api: TestClient) -> None:
    answer = api.get("/export", params={"format": "csv", "excel": "true", "q": "ایران"})
    assert answer.status_code == 200 and answer.headers["X-Akhbar-Count"] == "3"
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert len(rows) == 3 and all(r["text"] and r["language"] == "fa" for r in rows)
    parquet = api.get("/export", params={"format": "parquet", "outlet": "demo_ar"})
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.num_rows == int(parquet.headers["X-Akhbar-Count"]) > 0
    assert set(table.column("outlet").to_pylist()) == {"demo_ar"}
    assert api.get("/export", params={"outlet": "nope"}).status_code == 422


def test_search_page_marks_every_match_right_to_left(api: TestClient) -> None:
    answer = api.get("/ui/search", params={"q": "آبان ماه"})
    assert answer.status_code == 200
    doc = lxml.html.fromstring(answer.text)
    snippet = doc.xpath("//ol[@class='results']/li/p[@class='snippet']")[0]
    assert snippet.get("dir") == "rtl"
    assert [m.text for m in snippet.xpath("./mark")][:2] == ["آبان‌ماه", "ماه"]
    assert "1 match, best first" in answer.text
    bad = api.get("/ui/search", params={"q": '"open'})
    assert bad.status_code == 422 and "q: the phrase opened by" in bad.text
