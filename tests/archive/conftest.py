"""Fixtures for the archive tests: a fixed clock, fixed record ids, sample exchanges."""

from __future__ import annotations

import gzip
import itertools
import subprocess
import sys
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _import_real_archive_package() -> None:
    """Make ``import archive`` mean the library, not this test folder.

    With pytest's default import mode ``tests/`` lands on ``sys.path`` (it has a
    conftest.py and no ``__init__.py``), and ``tests/archive`` would then be picked up as a
    namespace package before the editable install's finder is asked. Putting the project
    root first makes the regular package win. (``pythonpath = ["."]`` in the pytest
    options would do the same for every test.)
    """
    if str(PROJECT_ROOT) not in sys.path[:1]:
        sys.path.insert(0, str(PROJECT_ROOT))
    loaded = sys.modules.get("archive")
    if loaded is not None and getattr(loaded, "__file__", None) is None:
        del sys.modules["archive"]


_import_real_archive_package()

from archive import HttpExchange, RotatingWarcWriter, WarcRecordRef  # noqa: E402

FIXED_NOW = datetime(2026, 11, 29, 0, 30, 12, 345678, tzinfo=UTC)
FETCHED = datetime(2026, 11, 29, 0, 31, 5, 123456, tzinfo=UTC)
PERSIAN_HTML = "<html><body><p>خبرهای امروز ایران</p></body></html>"
ARABIC_HTML = (
    '<html><head><meta charset="windows-1256"></head>'
    "<body><p>أخبار اليوم من القاهرة</p></body></html>"
)


def make_ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(counter):012d}>"


def exchange(
    url: str,
    body: bytes,
    *,
    status: int = 200,
    reason: str = "OK",
    headers: list[tuple[str, str]] | None = None,
    fetched_at: datetime = FETCHED,
) -> HttpExchange:
    return HttpExchange(
        url=url,
        method="GET",
        request_headers=[("User-Agent", "akhbar-test/1.0"), ("Accept-Encoding", "gzip")],
        request_body=b"",
        status=status,
        reason=reason,
        protocol="HTTP/1.1",
        response_headers=headers
        if headers is not None
        else [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ],
        body=body,
        fetched_at=fetched_at,
        ip_address="127.0.0.1",
    )


@pytest.fixture
def samples() -> dict[str, HttpExchange]:
    gz_body = gzip.compress(PERSIAN_HTML.encode("utf-8"), mtime=0)
    cp1256 = ARABIC_HTML.encode("windows-1256")
    return {
        "gzip": exchange(
            "https://news.example/fa/1",
            gz_body,
            headers=[
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(gz_body))),
                ("Set-Cookie", "a=1"),
                ("Set-Cookie", "b=2"),
            ],
        ),
        "chunked": exchange(
            "https://news.example/en/2?page=1",
            b"<html>chunked body</html>",
            headers=[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
        ),
        "redirect": exchange(
            "http://news.example/old",
            b"",
            status=301,
            reason="Moved Permanently",
            headers=[("Location", "https://news.example/new"), ("Content-Length", "0")],
        ),
        "error": exchange(
            "https://news.example/broken",
            b"Internal error",
            status=500,
            reason="Internal Server Error",
            headers=[("Content-Type", "text/plain"), ("Content-Length", "14")],
        ),
        "cp1256": exchange(
            "https://news.example/ar/3",
            cp1256,
            reason="",
            headers=[
                ("Content-Type", "text/html; charset=windows-1256"),
                ("Content-Length", str(len(cp1256))),
            ],
        ),
    }


@pytest.fixture
def make_writer(tmp_path: Path) -> Callable[..., RotatingWarcWriter]:
    def factory(root: Path | None = None, **kwargs: object) -> RotatingWarcWriter:
        options: dict[str, object] = {
            "run_id": "run-1",
            "host": "testhost",
            "clock": lambda: FIXED_NOW,
            "id_factory": make_ids(),
        }
        options.update(kwargs)
        return RotatingWarcWriter(root or tmp_path, "demo_fa", **options)  # type: ignore[arg-type]

    return factory


@pytest.fixture
def make_exchange() -> Callable[..., HttpExchange]:
    return exchange


@pytest.fixture
def ids() -> Callable[[], str]:
    return make_ids()


def tamper_payload(path: Path, ref: WarcRecordRef) -> int:
    """Change one payload byte and recompress the member; return the new member length."""
    data = path.read_bytes()
    block = bytearray(gzip.decompress(data[ref.offset : ref.offset + ref.length]))
    block[-5] ^= 0x01
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    member = compressor.compress(bytes(block)) + compressor.flush()
    path.write_bytes(data[: ref.offset] + member + data[ref.offset + ref.length :])
    return len(member)


@pytest.fixture
def tamper() -> Callable[[Path, WarcRecordRef], int]:
    return tamper_payload


def warcio_command() -> list[str]:
    """The ``warcio`` CLI of the running interpreter's environment."""
    script = Path(sys.executable).parent / "warcio"
    return [str(script)] if script.exists() else [sys.executable, "-m", "warcio.cli"]


@pytest.fixture
def project_root() -> Path:
    """Where ``archive/`` lives, so child interpreters import this checkout."""
    return PROJECT_ROOT


@pytest.fixture
def warcio_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*warcio_command(), *args], capture_output=True, text=True, timeout=60
        )

    return run
