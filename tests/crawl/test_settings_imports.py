"""What the crawl process's settings make Scrapy import."""

from __future__ import annotations

from tests.support import python_output


def test_the_remote_control_extension_is_never_imported() -> None:
    code = (
        "import sys\n"
        "from scrapy.settings import Settings\n"
        "from crawler.crawl import settings\n"
        "s = Settings(); s.setmodule(settings, priority='project')\n"
        "names = list(s.get_component_priority_dict_with_base('EXTENSIONS'))\n"
        "print('aiohttp' in sys.modules, any('RemoteControl' in n for n in names),"
        " 'crawler.crawl.extensions.RunLogExtension' in names)\n"
    )
    assert python_output(code).split() == ["False", "False", "True"]
