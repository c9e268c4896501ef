"""Every failure explained in words, in one real crawl of a hostile site on 127.0.0.1:
truncated, reset and close-delimited over-size responses, a redirect loop, a page whose
meta refresh points at javascript: (ignored; the page kept), and a meta refresh followed
(logged as a redirect)."""

from __future__ import annotations

import json
import socket
import struct
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.settings import Settings

from tests.spiders.sites import Site, outlet_file, reply, run_crawl

ARTICLES = ["trunc", "reset", "big", "loop", "jsrefresh", "refresh", "ok"]
TEXT = b"<p>" + b"An ordinary article about ordinary things, told at length. " * 30 + b"</p>"


def _hostile(h: BaseHTTPRequestHandler) -> None:
    path = h.path
    if path == "/list/":
        links = "".join(f'<a href="/a/{name}/">{name}</a>' for name in ARTICLES)
        reply(h, 200, f"<html><body>{links}</body></html>".encode(), Content_Type="text/html")
    elif path == "/a/trunc/":  # Content-Length says 5000; 106 bytes come, then the close
        h.send_response(200)
        h.send_header("Content-Length", "5000")
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        h.wfile.write(b"<html>" + b"x" * 100)
        h.wfile.flush()
        h.close_connection = True
        h.connection.shutdown(socket.SHUT_RDWR)
    elif path == "/a/reset/":  # a TCP reset instead of an answer
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
        h.close_connection = True
    elif path == "/a/big/":  # no Content-Length: the body ends when the connection closes
        h.protocol_version = "HTTP/1.0"
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Connection", "close")
        h.end_headers()
        try:
            for _ in range(200):
                h.wfile.write(b"y" * 10_000)
        except OSError:
            pass  # the crawler hung up once past the limit
        h.close_connection = True
    elif path == "/a/loop/":
        reply(h, 302, b"", Location="/a/loop2/")
    elif path == "/a/loop2/":
        reply(h, 302, b"", Location="/a/loop/")
    elif path == "/a/jsrefresh/":
        head = b'<head><meta http-equiv="refresh" content="0;url=javascript:void(0)"></head>'
        reply(h, 200, b"<html>" + head + b"<body>" + TEXT + b"</body></html>",
              Content_Type="text/html")
    elif path == "/a/refresh/":  # a meta refresh to another article: a redirect like a 301
        head = b'<head><meta http-equiv="refresh" content="0;url=/a/ok/"></head>'
        reply(h, 200, b"<html>" + head + b"<body>moved</body></html>", Content_Type="text/html")
    elif path == "/robots.txt":
        reply(h, 404, b"")
    else:
        reply(h, 200, b"<html><body>" + TEXT + b"</body></html>", Content_Type="text/html")


@pytest.fixture(scope="module")
def entries(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("hostile")
    with Site(_hostile) as site:
        outlet_file(tmp / "config", "hostile", site.base_url,
                    "limits: {max_duration: 60s, max_response_size: 512KB}\n"
                    "politeness: {delay: 0}\n")
        result = run_crawl(tmp, "hostile", RETRY_TIMES=1)
    assert result.returncode == 0, result.log[-3000:]
    found = []
    for line in result.log.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            found.append(entry)
    return found


def _failed(entries: list[dict[str, Any]], name: str) -> str:
    reasons = [e.get("reason") or "" for e in entries
               if e.get("event") == "request_failed" and f"/a/{name}/" in e.get("url", "")]
    assert len(reasons) == 1, [e.get("msg") for e in entries]
    assert reasons[0].strip(), "an empty reason"
    return reasons[0]


def test_a_truncated_response_is_called_cut_short(entries: list[dict[str, Any]]) -> None:
    assert "cut short" in _failed(entries, "trunc")


def test_a_reset_connection_is_called_so(entries: list[dict[str, Any]]) -> None:
    assert "closed or reset the connection" in _failed(entries, "reset")


def test_an_over_size_close_delimited_body_names_the_limit(
    entries: list[dict[str, Any]]
) -> None:
    reason = _failed(entries, "big")
    assert "limits.max_response_size = 512 KB" in reason and "raise" in reason


def test_a_redirect_loop_gets_a_log_line(entries: list[dict[str, Any]]) -> None:
    loops = [e for e in entries if e.get("event") == "redirect_loop"]
    assert len(loops) == 1
    assert loops[0]["chain"][0].endswith("/a/loop/") and loops[0]["chain"][-1].endswith(
        "/a/loop/")


def test_a_javascript_refresh_is_ignored_and_the_page_kept(
    entries: list[dict[str, Any]]
) -> None:
    ignored = [e for e in entries if e.get("event") == "refresh_ignored"]
    assert [e["target"] for e in ignored] == ["javascript:void(0)"]
    fetched = [e for e in entries if e.get("event") == "fetched"
               and e.get("url", "").endswith("/a/jsrefresh/")]
    assert fetched and not [e for e in entries if e.get("event") == "request_failed"
                            and e.get("url", "").endswith("/a/jsrefresh/")]


def test_a_meta_refresh_gets_a_redirect_line(entries: list[dict[str, Any]]) -> None:
    (line,) = [e for e in entries if e.get("event") == "redirect" and e.get("url", "")
               .endswith("/a/refresh/")]
    assert line["to"].endswith("/a/ok/") and line["status"] == 200
    assert line["via"] == "meta refresh" and line["msg"].startswith("redirect (meta refresh) ")
    assert line["msg"].endswith("/a/refresh/ -> " + line["to"])


def test_every_failure_line_says_why(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        if entry.get("event") == "request_failed":
            assert entry["reason"] and "()" not in entry["msg"], entry["msg"]
    if not hasattr(RetryMiddleware(Settings()), "give_up_log_level"):
        return  # Scrapy 2.13 and 2.14 log "Gave up retrying" as an error whatever is set
    gave_up = [e["msg"] for e in entries if e["msg"].startswith("Gave up retrying")
               and e["level"] in ("WARNING", "ERROR")]
    assert not gave_up, gave_up
