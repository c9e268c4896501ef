"""crawler.crawl.crawlproc: the crawl process starts its extraction workers before Scrapy loads,
and hands the pool to its crawl in a setting."""

from __future__ import annotations

from pathlib import Path

from crawler.context import open_context
from crawler.crawl import crawlproc
from crawler.runs import crawl_command
from crawler.runs.local import crawl_env
from tests.support import python_output


def test_settings_are_read_off_the_command_line() -> None:
    argv = ["crawl", "outlet", "-s", "AKHBAR_EXTRACT_WORKERS=3", "--set",
            "AKHBAR_EXTRACT_WORKERS=1", "-s", "AKHBAR_EXTRACT_NICE=x"]
    assert crawlproc._setting(argv, "AKHBAR_EXTRACT_WORKERS", 2) == 1  # the last one wins
    assert crawlproc._setting(argv, "AKHBAR_EXTRACT_NICE", 5) == 5  # not a number: default
    assert crawlproc._setting(argv, "AKHBAR_OTHER", 7) == 7


def test_only_a_crawl_with_workers_gets_a_pool() -> None:
    assert crawlproc.start_workers(["list"]) is None
    assert crawlproc.start_workers(["crawl", "outlet", "-s", "AKHBAR_EXTRACT_WORKERS=0"]) is None
    pool = crawlproc.start_workers(["crawl", "outlet", "-s", "AKHBAR_EXTRACT_WORKERS=1"])
    assert pool is not None
    try:
        assert pool.size == 1
    finally:
        pool.close()


def test_the_pool_reaches_the_pipeline_through_the_settings_uncopied() -> None:
    from scrapy.settings import Settings

    from crawler.crawl.workers import WorkerPool

    pool = WorkerPool("os:getpid", 1)
    try:
        settings = Settings({"AKHBAR_EXTRACT_POOL": pool})
        assert settings.copy().get("AKHBAR_EXTRACT_POOL") is pool
        assert settings.frozencopy().get("AKHBAR_EXTRACT_POOL") is pool
    finally:
        pool.close()


def test_the_crawl_process_imports_neither_trafilatura_nor_langdetect() -> None:
    code = (
        "import sys\n"
        "from crawler.crawl.crawlproc import start_workers\n"
        "pool = start_workers(['crawl', 'outlet', '-s', 'AKHBAR_EXTRACT_WORKERS=1'])\n"
        "import crawler.crawl.pipelines, crawler.crawl.middlewares, spiders.outlet\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('trafilatura', 'langdetect', 'htmldate')))\n"
        "pool.close()\n"
    )
    assert python_output(code).strip() == "[]"


def test_an_extraction_worker_imports_no_database_code() -> None:
    code = (
        "import sys\n"
        "import crawler.crawl.processing\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'scrapy')))\n"
    )
    assert python_output(code).strip() == "[]"


def test_the_database_url_is_not_on_the_crawl_command_line(tmp_path: Path) -> None:
    secret = "postgresql+psycopg://archive:hunter2@127.0.0.1:5432/test"
    ctx = open_context(tmp_path / "config", tmp_path / "data", database_url=secret, env={})
    assert not any("hunter2" in arg for arg in crawl_command(ctx, "demo_en", "run-1"))
    assert crawl_env(ctx)["AKHBAR_DATABASE_URL"] == secret
