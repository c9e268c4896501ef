"""Scrapy's TLS modules imported without inspect.stack() (crawler.crawl.tlsimport): the same
classes, named the same, as a plain import makes."""

from __future__ import annotations

from tests.support import python_output

_NAMES = (
    "import inspect\n"
    "import scrapy.core.downloader.contextfactory as c, scrapy.core.downloader.tls as t\n"
    "import scrapy.utils.deprecate as d\n"
    "print(c.ScrapyClientContextFactory.__module__,"
    " c.AcceptableProtocolsContextFactory.__module__, t.ScrapyClientTLSOptions.__module__,"
    " issubclass(c.ScrapyClientContextFactory, c.ScrapyClientContextFactory),"
    " d.inspect is inspect)\n"
)


def test_the_deprecated_classes_are_named_as_a_plain_import_names_them() -> None:
    plain = python_output(_NAMES)
    cheap = python_output("from crawler.crawl.tlsimport import import_tls_modules\n"
                          "import_tls_modules()\n" + _NAMES)
    assert cheap == plain
    assert plain.split() == ["scrapy.core.downloader.contextfactory"] * 2 + [
        "scrapy.core.downloader.tls", "True", "True"]


def test_the_supported_scrapy_is_imported_without_reading_the_stack() -> None:
    out = python_output(
        "import inspect, warnings\nwarnings.simplefilter('error')\n"
        "def refuse(*args, **kwargs):\n    raise AssertionError('inspect.stack')\n"
        "inspect.stack = refuse\n"
        "from crawler.crawl.tlsimport import import_tls_modules\nimport_tls_modules()\n"
        "import scrapy.core.downloader.contextfactory as c\n"
        "print(c.ScrapyClientContextFactory.__module__)\n")
    assert out.split() == ["scrapy.core.downloader.contextfactory"]


def test_a_scrapy_that_reads_inspect_otherwise_gets_a_plain_import() -> None:
    """Where create_deprecated_class does not read inspect's stack (faked here by hiding
    the module's ``inspect``), nothing is swapped and the modules are imported as usual."""
    out = python_output(
        "import scrapy.utils.deprecate as d\nreal = d.inspect\nd.inspect = None\n"
        "from crawler.crawl import tlsimport\n"
        "print(tlsimport._reads_stack(d))\nd.inspect = real\n"
        "print(tlsimport._reads_stack(d))\n"
        "tlsimport.import_tls_modules()\nprint(tlsimport._reads_stack(d))\n"
        "tlsimport.import_tls_modules()\n"
        "import scrapy.core.downloader.contextfactory as c\n"
        "print(c.ScrapyClientContextFactory.__module__)\n")
    assert out.split() == ["False", "True", "False", "scrapy.core.downloader.contextfactory"]
