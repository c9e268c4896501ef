"""A full disk (`make test-faults`): the data directory on a small tmpfs fills up during a crawl.
The run stops with one clear line, is recorded as failed for that reason, and leaves valid
WARC files; nothing is printed as a traceback."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from archive import HttpExchange, RotatingWarcWriter, iter_records, verify_file
from crawler.catalog import Catalog, Run
from crawler.demosite import DemoSite
from crawler.runs.judge import DISK_FULL_VERDICT
from tests.support import write_demo_config

pytestmark = pytest.mark.faults

AKHBAR = Path(sys.executable).with_name("akhbar")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1.5 MB filesystem (root can mount a tmpfs; elsewhere the test is skipped)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip()}); needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize("executor", ["shared", "process"])
def test_a_full_disk_stops_the_run_with_one_clear_line(small_disk: Path, tmp_path: Path,
                                                       executor: str) -> None:
    config = tmp_path / "config"
    database = tmp_path / "catalog.sqlite"
    with DemoSite(port=0) as site:
        write_demo_config(config, site.base_url, ["demo_en", "demo_fa", "demo_ar"])
        # shared: the default, every run in one crawl process, which lives on after one
        # run's disk filled (a file it failed to start must not stay open and locked there).
        (config / "akhbar.yaml").write_text(f"max_concurrent_crawls: 2\nexecutor: {executor}\n")
        # A WARC record per article page is ~3-10 KB; fill most of the disk first.
        (small_disk / "ballast").write_bytes(os.urandom(1_200_000))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
        env.update(AKHBAR_HOME=str(small_disk), AKHBAR_CONFIG=str(config),
                   AKHBAR_DATABASE_URL=f"sqlite:///{database}")
        done = subprocess.run([str(AKHBAR), "crawl", "demo_en", "demo_fa", "demo_ar"],
                              env=env, capture_output=True, text=True, timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "Traceback" not in out, out
    assert "disk holding the data directory is full" in out, out
    for path in small_disk.rglob("*.warc.gz"):
        assert verify_file(path) == [], path
    assert not list(small_disk.rglob("*.warc.gz.open")), out
    catalog = Catalog(f"sqlite:///{database}")
    try:
        with catalog.session() as session:
            runs = list(session.scalars(select(Run)))
    finally:
        catalog.dispose()
    assert {r.status for r in runs} <= {"succeeded", "failed"}, [(r.status, r.reason) for r in runs]
    assert any(r.status == "failed" and r.reason == DISK_FULL_VERDICT for r in runs)


def fill(disk: Path) -> None:
    with (disk / "ballast").open("ab", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def test_a_write_the_full_disk_refuses_leaves_no_open_file(small_disk: Path) -> None:
    """The writer itself: a record that does not fit is cut off and raised as ENOSPC; a file
    whose first record (its warcinfo) does not fit is not left behind, open and locked."""
    writer = RotatingWarcWriter(small_disk / "warcs", "full", run_id="r1", max_size=1_000)
    exchange = HttpExchange(
        url="http://127.0.0.1/full/a/1/", method="GET", request_headers=[], request_body=b"",
        status=200, reason="OK", protocol="HTTP/1.1",
        response_headers=[("Content-Type", "text/html")], body=b"<p>kept</p>" * 200,
        fetched_at=datetime.now(UTC))
    writer.write_exchange(exchange)  # past max_size: the file is closed
    fill(small_disk)
    for _ in range(3):  # each try opens a new file, whose warcinfo does not fit
        with pytest.raises(OSError) as raised:
            writer.write_exchange(exchange)
        assert raised.value.errno == errno.ENOSPC
    writer.close()
    assert not list(small_disk.rglob("*.open"))
    (kept,) = small_disk.rglob("*.warc.gz")
    assert verify_file(kept) == []
    assert [r.rec_type for _, _, r in iter_records(kept)] == ["warcinfo", "response", "request"]
