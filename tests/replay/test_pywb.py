"""pywb, the standard replay tool, replays akhbar's WARC files from akhbar's CDXJ index.

pywb pins old versions of several packages, so it lives in its own virtualenv, made with the
same Python and kept beside the project's (``.venv/pywb-venv``) so later runs reuse it.
"""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler import service
from crawler.context import AkhbarContext, open_context
from crawler.demosite import DemoSite, expected_articles
from crawler.urls import canonicalize
from tests.support import write_demo_config

PYWB_SPEC = "pywb>=2.9,<3"
PYWB_VENV = Path(os.environ.get("AKHBAR_PYWB_VENV", Path(sys.prefix) / "pywb-venv"))


def pywb_bin() -> Path:
    """The `wayback` script, installing pywb into its virtualenv on first use."""
    wayback = PYWB_VENV / "bin" / "wayback"
    if wayback.exists():
        return wayback
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(PYWB_VENV)], check=True)
    pip = subprocess.run([str(PYWB_VENV / "bin" / "python"), "-m", "pip", "install", "-q",
                          PYWB_SPEC], capture_output=True, text=True)
    if pip.returncode != 0 or not wayback.exists():
        pytest.skip(f"pywb cannot be installed from PyPI here: {pip.stderr.strip()[-500:]}")
    return wayback


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[AkhbarContext, str]:
    root = tmp_path_factory.mktemp("replay")
    with DemoSite(port=0) as site:
        write_demo_config(root / "config", site.base_url, ["demo_ar1256", "demo_fa"])
        ctx = open_context(root / "config", root / "data",
                           database_url=f"sqlite:///{root / 'catalog.sqlite'}", env={})
        targets, _ = service.pick_outlets(ctx, [], prefix="demo_")
        assert service.crawl(ctx, targets).ok
        return ctx, site.base_url


@pytest.fixture(scope="module")
def wayback(crawled: tuple[AkhbarContext, str],
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ctx, _ = crawled
    started = time.monotonic()
    binary = pywb_bin()
    print(f"\npywb ready in {time.monotonic() - started:.1f}s")
    home = tmp_path_factory.mktemp("pywb")
    (home / "config.yaml").write_text(
        "collections:\n"
        "  akhbar:\n"
        f"    index_paths: {ctx.data_dir / 'index'}/\n"
        f"    archive_paths: {ctx.warcs_dir}/\n", encoding="utf-8")
    port = free_port()
    log = (home / "wayback.log").open("wb")
    proc = subprocess.Popen([str(binary), "-b", "127.0.0.1", "-p", str(port)], cwd=home,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("wayback did not start: "
                                + (home / "wayback.log").read_text("utf-8", "replace")[-2000:])
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {}, err.read()


def test_pywb_replays_archived_articles_with_their_original_bytes(
        crawled: tuple[AkhbarContext, str], wayback: str) -> None:
    ctx, base = crawled
    articles = [a for a in expected_articles(1) if a.outlet in ("demo_ar1256", "demo_fa")]
    assert any(a.encoding == "windows-1256" for a in articles)
    for art in articles:
        url = canonicalize(base + art.path)
        shown = service.show_capture(ctx, url)
        original = shown.payload_record.decoded_payload()
        status, headers, body = fetch(f"{wayback}/akhbar/{shown.capture.timestamp}id_/{url}")
        assert status == 200, (url, body[:300])
        if headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        assert body == original, url
        if art.encoding == "windows-1256":
            assert art.title in body.decode("cp1256")


def test_pywb_lists_the_captures_from_our_index(
        crawled: tuple[AkhbarContext, str], wayback: str) -> None:
    ctx, base = crawled
    url = canonicalize(base + next(a.path for a in expected_articles(1)
                                   if a.outlet == "demo_ar1256"))
    status, _, body = fetch(f"{wayback}/akhbar/cdx?url={url}&output=json")
    ours = service.find_captures(ctx, service.CaptureQuery(url))
    assert status == 200
    assert len(body.decode("utf-8").strip().splitlines()) == len(ours) >= 1
