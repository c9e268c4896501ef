"""akhbar's own Scrapy signals (sent with ``crawler.signals.send_catch_log``)."""

#: A response (or revisit) was written to a WARC file.
#: Arguments: ``capture`` (crawler.crawl.items.CaptureInfo).
capture_written = object()

#: An article was extracted and tagged. Arguments: ``article``
#: (crawler.catalog.records.TaggedArticle), ``capture`` (CaptureInfo).
article_extracted = object()
