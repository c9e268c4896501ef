"""What a shared crawl process imports whatever its settings: Scrapy, Twisted, the crawl's
settings, components and spider. :mod:`crawler.crawl.prestart` imports this module while
its owner is still reading its config. None of these imports reads the environment or
installs a reactor (the host installs its own)."""

# First, while few modules are loaded: Scrapy's TLS modules make deprecated classes with
# inspect.stack(), whose cost grows with the modules loaded (~0.07 s of CPU less than when
# the HTTP/1.1 download handler imports them after everything else).
import scrapy.core.downloader.contextfactory  # noqa: F401
import scrapy.crawler  # noqa: F401
import scrapy.utils.project  # noqa: F401
import scrapy.utils.reactor  # noqa: F401
import sqlalchemy.dialects.sqlite  # noqa: F401  (the default catalog's)
import twisted.internet.asyncioreactor  # noqa: F401

# Every run's WARC writer makes CDXJ lines as it writes (archive.linesink; surt, with
# tldextract, requests and chardet, only for a URL its fast path does not take).
import archive.linesink  # noqa: F401
import crawler.crawl.extensions  # noqa: F401
import crawler.crawl.host  # noqa: F401
import crawler.crawl.middlewares  # noqa: F401
import crawler.crawl.pipelines  # noqa: F401
import crawler.crawl.settings  # noqa: F401
import crawler.crawl.warccapture  # noqa: F401
import crawler.crawl.workers  # noqa: F401
import spiders.outlet  # noqa: F401
