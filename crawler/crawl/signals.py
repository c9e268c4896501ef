"""akhbar's own Scrapy signals (sent with ``crawler.signals.send_catch_log``)."""

#: A response (or revisit) was written to a WARC file.
#: Arguments: ``capture`` (crawler.crawl.items.CaptureInfo).
capture_written = object()

#: An article was extracted and tagged. Arguments: ``article``
#: (crawler.catalog.records.TaggedArticle), ``capture`` (CaptureInfo).
article_extracted = object()

#: An extraction worker found the requisites of a page whose item asked for them
#: (``PageItem.find_requisites``). Arguments: ``url`` (the page's), ``urls`` (list[str] in
#: page order, or None when the worker could not read the page: the spider reads it then),
#: ``item`` (the PageItem, its body still there).
requisites_found = object()
