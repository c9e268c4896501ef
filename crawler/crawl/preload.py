"""What a shared crawl process imports whatever its settings: Scrapy, Twisted, the crawl's
settings, components and spider. :mod:`crawler.crawl.prestart` imports this module while
its owner is still reading its config. None of these imports reads the environment or
installs a reactor (the host installs its own)."""

from crawler.crawl.tlsimport import import_tls_modules

# First, before anything imports them plainly: Scrapy's TLS modules, without the cost of
# their deprecated classes (crawler.crawl.tlsimport).
import_tls_modules()

import scrapy.crawler  # noqa: E402, F401
import scrapy.utils.project  # noqa: E402, F401
import scrapy.utils.reactor  # noqa: E402, F401
import sqlalchemy.dialects.sqlite  # noqa: E402, F401  (the default catalog's)
import twisted.internet.asyncioreactor  # noqa: E402, F401

# Every run's WARC writer makes CDXJ lines as it writes (archive.linesink; surt, with
# tldextract, requests and chardet, only for a URL its fast path does not take).
import archive.linesink  # noqa: E402, F401
import crawler.crawl.extensions  # noqa: E402, F401
import crawler.crawl.host  # noqa: E402, F401
import crawler.crawl.middlewares  # noqa: E402, F401
import crawler.crawl.pipelines  # noqa: E402, F401
import crawler.crawl.settings  # noqa: E402, F401
import crawler.crawl.warccapture  # noqa: E402, F401
import crawler.crawl.workers  # noqa: E402, F401
import spiders.outlet  # noqa: E402, F401
