"""The crawl process: the Scrapy project module (settings, middlewares, pipelines, extensions),
the extraction workers and the per-run log. Everything here runs inside a crawl process;
the service around it (runs, scheduler, catalog, API) lives beside this package."""
