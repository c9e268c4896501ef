"""What the crawl process's settings make Scrapy import."""

from __future__ import annotations

import subprocess
import sys


def test_the_remote_control_extension_is_never_imported() -> None:
    code = (
        "import sys\n"
        "from scrapy.settings import Settings\n"
        "from crawler import settings\n"
        "s = Settings(); s.setmodule(settings, priority='project')\n"
        "names = list(s.get_component_priority_dict_with_base('EXTENSIONS'))\n"
        "print('aiohttp' in sys.modules, any('RemoteControl' in n for n in names),"
        " 'crawler.extensions.RunLogExtension' in names)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.split() == ["False", "False", "True"]
