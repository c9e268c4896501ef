"""Scrapy settings for akhbar's crawl processes.

Per-outlet values (delay, concurrency, robots, limits) are applied by the outlet spider from its
config file; the run manager passes run-wide values (`AKHBAR_*`) with `-s` on the command line.
"""

from scrapy.settings import default_settings as _scrapy_defaults

from crawler.crawl.offcomponents import left_out as _left_out

BOT_NAME = "akhbar"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = "akhbar/0.1 (news archiving; +https://example.org/akhbar)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
REDIRECT_MAX_TIMES = 5
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Scrapy's "Gave up retrying <GET ...> (failed 4 times): " line often ends with an empty
# reason; the spider logs every failure once, with its reason in words
# (crawler/crawl/reasons.py), and the run counts it once. Releases without this setting
# (2.13, 2.14) still log that line as an error.
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"
# Seconds before the first retry; doubled for each further one.
AKHBAR_RETRY_BACKOFF = 0.5
# The longest a retry (or a host slowed by a run of 5xx answers) waits, whatever a server's
# Retry-After asks (crawler/crawl/retry.py).
AKHBAR_RETRY_AFTER_MAX = 60.0
# Seconds after limits.max_duration for pages in flight to finish; then every request still
# pending is dropped (crawler/crawl/deadline.py).
AKHBAR_CLOSE_GRACE = 10.0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
# Scrapy runs each callback's output through CONCURRENT_ITEMS asyncio tasks, created anew for
# every response (default 100): an article page yields one item, so 100 tasks a page were
# ~10% of the crawl process's CPU, and 8 still ~4%. Pages are processed in parallel with
# each other anyway; the spider yields a page's requests before its item.
CONCURRENT_ITEMS = 1
# Scrapy checks every callback for a generator that returns a value (a warning for spider
# authors) by parsing its source with ast; its cache is keyed weakly by the bound method,
# which each request holds its own of, so the check ran again for most responses (~0.6% of
# the shared crawl process). The outlet spider's callbacks return no value (tests/spiders).
WARN_ON_GENERATOR_RETURN_VALUE = False

# Scrapy's, without making the "Crawled (200) <GET ...>" record of each response when the
# engine's logger would drop it (below DEBUG).
LOG_FORMATTER = "crawler.crawl.logformat.QuietLogFormatter"

# Scrapy's duplicate filter, remembering 8-byte digests in one array instead of a set of
# fingerprints: a set's per-entry objects made the crawl process grow with every URL.
DUPEFILTER_CLASS = "crawler.crawl.seen.CompactDupeFilter"

# Scrapy's in-memory stats without 2.19's per-attribute wrapper (crawler/crawl/stats.py).
STATS_CLASS = "crawler.crawl.stats.PlainStatsCollector"

# Scrapy's cookie middleware is left out of the base list while cookies are off (it would
# only raise NotConfigured, after importing http.cookiejar and tldextract). As with the remote
# control below, `: None` in DOWNLOADER_MIDDLEWARES would still import it. Turning cookies on
# here, or for one run (`-s COOKIES_ENABLED=True`, through the add-on below), puts it back.
_LEFT_OUT = _left_out(globals())  # crawler.crawl.offcomponents.OFF_COMPONENTS whose flag is off
DOWNLOADER_MIDDLEWARES_BASE = {
    path: order
    for path, order in _scrapy_defaults.DOWNLOADER_MIDDLEWARES_BASE.items()
    if path not in _LEFT_OUT
}
DOWNLOADER_MIDDLEWARES = {
    # Replaced by a subclass that waits before retrying.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.crawl.retry.BackoffRetryMiddleware": 550,
    # After robots.txt (100: a page waits there for its robots.txt, which comes through here
    # too) and before DownloadTimeoutMiddleware (350): every request is bounded by
    # limits.max_duration (crawler/crawl/deadline.py).
    "crawler.crawl.deadline.DeadlineMiddleware": 300,
    # Leaves gzip bodies the spider never reads for the extraction worker to decode.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.crawl.middlewares.LazyHttpCompressionMiddleware": 590,
    # Reads the head of a page for <meta http-equiv=refresh>, not the whole decoded body.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.crawl.refresh.HeadMetaRefreshMiddleware": 580,
    # After Scrapy's HttpAuthMiddleware (300): the outlet's secret headers, on its host only.
    "crawler.crawl.credentials.OutletHeadersMiddleware": 310,
    # Scrapy's, without a "no" proxy made of no_proxy (crawler/crawl/middlewares.py).
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": None,
    "crawler.crawl.middlewares.NoProxyHttpProxyMiddleware": 750,
    # Below the redirect middleware (600) on the downloader side: a run-log line per redirect.
    "crawler.crawl.fetchlog.RedirectLogMiddleware": 610,
    # Just below the retry middleware (550): each request's last outcome, by host, for the
    # run's verdict in words (crawler/crawl/outcomes.py).
    "crawler.crawl.outcomes.FetchOutcomeMiddleware": 540,
    # Above HttpCacheMiddleware (900): sees every response, redirects included, as received.
    "crawler.crawl.warccapture.WarcCaptureMiddleware": 950,
}

SPIDER_MIDDLEWARES = {
    # The outlet spider counts its own hops (limits.max_depth) and builds every request's
    # meta afresh; these two would only add a layer of per-output processing to each page.
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}

ITEM_PIPELINES = {
    "crawler.crawl.pipelines.ExtractionPipeline": 300,
    "crawler.crawl.pipelines.CatalogPipeline": 800,
}

# Scrapy's HTTP control server is left out of the base list: the service stops a crawl with
# signals, and importing it (aiohttp) cost ~0.15 s of every crawl's start-up. Disabling it
# in EXTENSIONS (`: None`) is not enough: Scrapy imports every class named there. So is the
# telnet console while it is off (it would only raise NotConfigured).
EXTENSIONS_BASE = {
    path: order
    for path, order in _scrapy_defaults.EXTENSIONS_BASE.items()
    if path != "scrapy.extensions.remote_control.RemoteControl"
    and path not in _LEFT_OUT
}
# Puts back a component left out above for a run that turns it on (the cookie middleware,
# the telnet console).
ADDONS = {"crawler.crawl.offcomponents.RestoreOffComponents": 0}
EXTENSIONS = {
    "crawler.crawl.extensions.RunLogExtension": 100,
    "crawler.crawl.extensions.RunStatsExtension": 200,
    "crawler.crawl.progress.RunProgressExtension": 300,
}
# Seconds between writes of a run's live figures to its catalog row (0: none).
AKHBAR_PROGRESS_INTERVAL = 2.0

# Filled by the run manager (crawler/runs) for each run.
AKHBAR_RUN_ID = ""
AKHBAR_CONFIG_DIR = ""
AKHBAR_DATA_DIR = ""
AKHBAR_DATABASE_URL = ""
AKHBAR_WARC_MAX_SIZE = 1_000_000_000
# The secrets file (secrets_file in akhbar.yaml): its path, never a value.
AKHBAR_SECRETS_FILE = ""
# Processes for extraction and language tagging; 0 runs them on the reactor thread, -1 starts
# one per core. Two keep both cores of a small machine busy (one worker left them idle a third
# of the time: bench/crawl); each costs ~75 MB. A crawl process of one run (crawlproc) starts
# them; the shared crawl process (crawler.crawl.host) starts one pool for all its runs, one
# worker per core unless AKHBAR_EXTRACT_WORKERS is in its environment.
AKHBAR_EXTRACT_WORKERS = 2
# The pool itself (crawler.crawl.workers.WorkerPool), when the crawl process started it: set
# by crawlproc and the host, never on the command line. The pipeline uses it and leaves it
# to them.
AKHBAR_EXTRACT_POOL = None
# True in the shared crawl process: each run's log (and log_count stats) keep to its records.
AKHBAR_SHARED_PROCESS = False
# Niceness of those processes: the crawl process (fetching, WARC writing) comes first.
AKHBAR_EXTRACT_NICE = 5
# Catalog rows are committed in batches of this many captures or articles, or when the oldest
# has waited this many seconds (and at the end of the crawl).
AKHBAR_CATALOG_BATCH_SIZE = 100
AKHBAR_CATALOG_BATCH_DELAY = 5.0
