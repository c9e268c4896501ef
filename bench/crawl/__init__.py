"""The crawl benchmark (issue 6): akhbar's full pipeline against wget and a naive Scrapy crawl.

``python -m bench.crawl.site --n 2000 --port 0`` serves a generated site of N heavy article
pages in English, Arabic and Persian; ``python -m bench.crawl [--n 2000]`` crawls it three ways
in one run and prints articles per second, CPU per article, peak memory and the ratios.
``python -m bench.crawl --outlets 5`` serves five outlets at once and runs ``akhbar crawl --all``
with default settings against wget over them (issue 11; :mod:`bench.crawl.outlets`).
"""
