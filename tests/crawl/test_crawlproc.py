"""crawler.crawl.crawlproc: the crawl process starts its extraction workers before Scrapy loads."""

from __future__ import annotations

from crawler.crawl import crawlproc, settings, workers
from tests.support import python_output


def test_settings_are_read_off_the_command_line() -> None:
    argv = ["crawl", "outlet", "-s", "AKHBAR_EXTRACT_WORKERS=3", "--set",
            "AKHBAR_EXTRACT_WORKERS=1", "-s", "AKHBAR_EXTRACT_NICE=x"]
    assert crawlproc._setting(argv, "AKHBAR_EXTRACT_WORKERS", 2) == 1  # the last one wins
    assert crawlproc._setting(argv, "AKHBAR_EXTRACT_NICE", 5) == 5  # not a number: default
    assert crawlproc._setting(argv, "AKHBAR_OTHER", 7) == 7


def test_only_a_crawl_gets_workers() -> None:
    crawlproc.prestart_workers(["list"])
    assert workers._prestarted is None
    crawlproc.prestart_workers(["crawl", "outlet", "-s", "AKHBAR_EXTRACT_WORKERS=0"])
    assert workers._prestarted is None
    crawlproc.prestart_workers(["crawl", "outlet", "-s", "AKHBAR_EXTRACT_WORKERS=1"])
    pool = workers.adopt(workers.PROCESS_PAGE, 1, initializer=workers.WARM_UP,
                         nice=settings.AKHBAR_EXTRACT_NICE)
    assert pool is not None
    pool.close()


def test_the_crawl_process_imports_neither_trafilatura_nor_langdetect() -> None:
    code = (
        "import sys\n"
        "from crawler.crawl.crawlproc import prestart_workers\n"
        "prestart_workers(['crawl', 'outlet', '-s', 'AKHBAR_EXTRACT_WORKERS=1'])\n"
        "import crawler.crawl.pipelines, crawler.crawl.middlewares, spiders.outlet\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('trafilatura', 'langdetect', 'htmldate')))\n"
    )
    assert python_output(code).strip() == "[]"
