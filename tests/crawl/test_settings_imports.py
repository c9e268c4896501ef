"""What the crawl process's settings make Scrapy import."""

from __future__ import annotations

from tests.support import python_output


def test_the_remote_control_extension_is_never_imported() -> None:
    code = (
        "import sys\n"
        "from scrapy.settings import Settings\n"
        "from crawler.crawl import settings\n"
        "s = Settings(); s.setmodule(settings, priority='project')\n"
        "names = list(s.getwithbase('EXTENSIONS'))\n"
        "print('aiohttp' in sys.modules, any('RemoteControl' in n for n in names),"
        " 'crawler.crawl.extensions.RunLogExtension' in names)\n"
    )
    assert python_output(code).split() == ["False", "False", "True"]


def test_components_that_are_off_are_not_named() -> None:
    """Scrapy imports every component its settings name, enabled or not: the cookie
    middleware (tldextract, requests) and the telnet console are left out while they are
    off, and the components a crawl uses are still there."""
    code = (
        "import sys\n"
        "from scrapy.settings import Settings\n"
        "from scrapy.utils.conf import build_component_list\n"
        "from crawler.crawl import settings\n"
        "s = Settings(); s.setmodule(settings, priority='project')\n"
        "mws = build_component_list(s.getwithbase('DOWNLOADER_MIDDLEWARES'))\n"
        "exts = build_component_list(s.getwithbase('EXTENSIONS'))\n"
        "print(any('Cookies' in m for m in mws), any('Telnet' in e for e in exts),"
        " 'scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware' in mws,"
        " 'scrapy.extensions.corestats.CoreStats' in exts, 'tldextract' in sys.modules)\n"
    )
    assert python_output(code).split() == ["False", "False", "True", "True", "False"]


def test_a_run_that_turns_an_off_component_on_gets_it_back() -> None:
    """`-s COOKIES_ENABLED=True` (or the telnet console) for one run: the add-on the settings
    name puts the component left out of the base list back, at Scrapy's order."""
    code = (
        "from scrapy.settings import Settings\n"
        "from scrapy.utils.conf import build_component_list\n"
        "from scrapy.utils.misc import load_object\n"
        "from crawler.crawl import settings\n"
        "for on in (False, True):\n"
        "    s = Settings(); s.setmodule(settings, priority='project')\n"
        "    s.set('COOKIES_ENABLED', on, priority='cmdline')\n"
        "    for path in s.getdict('ADDONS'):\n"
        "        load_object(path)().update_settings(s)\n"
        "    mws = build_component_list(s.getwithbase('DOWNLOADER_MIDDLEWARES'))\n"
        "    exts = build_component_list(s.getwithbase('EXTENSIONS'))\n"
        "    cookies = 'scrapy.downloadermiddlewares.cookies.CookiesMiddleware'\n"
        "    print(cookies in mws, any('Telnet' in e for e in exts),\n"
        "          mws.index(cookies) if cookies in mws else -1,\n"
        "          mws.index('crawler.crawl.deadline.DeadlineMiddleware'))\n"
    )
    off, on = python_output(code).splitlines()[-2:]
    assert off.split()[:3] == ["False", "False", "-1"]
    cookies_at, deadline_at = map(int, on.split()[2:])
    assert on.split()[:2] == ["True", "False"]
    assert cookies_at > deadline_at  # Scrapy's 700, after the deadline middleware's 300


def test_a_prestarted_process_installs_no_reactor_before_its_own() -> None:
    """A pre-started crawl process imports the components before its owner's boot line,
    before the host installs the asyncio reactor: none of those imports may install Twisted's
    default one (Scrapy 2.13's FTP download handler did, through twisted.protocols.ftp; the
    host's install was then skipped and every run of `akhbar crawl` failed). What could not
    be imported then is imported once the host's reactor is in."""
    code = (
        "import sys\n"
        "import crawler.crawl.preload\n"
        "from crawler.crawl import host\n"
        "host.preload_components()\n"
        "print('twisted.internet.reactor' in sys.modules)\n"
        "from scrapy.utils.reactor import install_reactor\n"
        "install_reactor('twisted.internet.asyncioreactor.AsyncioSelectorReactor')\n"
        "from twisted.internet import reactor\n"
        "from scrapy.utils.misc import load_object\n"
        "load_object('scrapy.core.downloader.handlers.ftp.FTPDownloadHandler')\n"
        "print(type(reactor).__name__)\n"
    )
    assert python_output(code).split() == ["False", "AsyncioSelectorReactor"]
