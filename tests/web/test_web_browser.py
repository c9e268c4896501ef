"""The pages in a real browser: Debian's chromium, headless, against uvicorn on 127.0.0.1.
The rendered DOM of a Persian and an Arabic article keeps the text right to left, and two
screenshots (an article, the dashboard) are taken for a person to look at."""

from __future__ import annotations

import logging
import shutil
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import lxml.html
import pytest
import uvicorn

from crawler.api import create_app
from tests.web.conftest import WebArchive

logger = logging.getLogger(__name__)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed and could not be: tests/ensure-services.sh"
    " installs it (apt-get install chromium) when run as root with the Debian archive reachable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


@pytest.fixture(scope="module")
def server(web_archive: WebArchive) -> Iterator[str]:
    """uvicorn serving create_app on a free port of 127.0.0.1, in a thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(web_archive.scheduler), log_level="warning",
                            lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(10)
        sock.close()


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("outlet, lang", [("demo_fa", "fa"), ("demo_ar", "ar")])
def test_rendered_article_is_right_to_left(server: str, web_archive: WebArchive,
                                           tmp_path: Path, outlet: str, lang: str) -> None:
    art = web_archive.revised(outlet)
    query = urlencode({"url": web_archive.url(art)})
    dom = chromium(tmp_path, "--dump-dom", f"{server}/ui/article?{query}").stdout
    doc = lxml.html.fromstring(dom)
    article = doc.xpath("//article")[0]
    assert article.get("dir") == "rtl" and article.get("lang") == lang
    assert " ".join(article.xpath("string(./h1)").split()) == art.title
    first = art.text.split("\n")[0]
    assert any(first == " ".join(p.text_content().split()) for p in article.xpath(".//p"))
    assert doc.xpath("//aside[@class='sidebar']")  # the stylesheet's layout was served too


def test_screenshots_of_an_article_and_the_dashboard(server: str, web_archive: WebArchive,
                                                     tmp_path: Path) -> None:
    query = urlencode({"url": web_archive.url(web_archive.revised("demo_fa"))})
    shots = {"article": f"{server}/ui/article?{query}", "dashboard": f"{server}/ui/"}
    for name, url in shots.items():
        out = tmp_path / f"{name}.png"
        chromium(tmp_path, f"--screenshot={out}", "--window-size=1280,900", url)
        assert png_size(out) == (1280, 900)
        assert out.stat().st_size > 20_000, "a blank page compresses to almost nothing"
        logger.info("screenshot of the %s: %s", name, out)
