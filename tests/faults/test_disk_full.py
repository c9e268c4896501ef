"""A full disk (`make test-faults`): the data directory on a small tmpfs fills up during a crawl.
The run stops with one clear line, is recorded as failed for that reason, and leaves valid
WARC files; nothing is printed as a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import verify_file
from crawler.demosite import DemoSite
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


def test_a_full_disk_stops_the_run_with_one_clear_line(small_disk: Path,
                                                       tmp_path: Path) -> None:
    config = tmp_path / "config"
    with DemoSite(port=0) as site:
        write_demo_config(config, site.base_url, ["demo_en", "demo_fa", "demo_ar"])
        # A run in a process of its own. In the shared crawl process (the default executor)
        # this passes on an idle machine but, with both cores busy, leaves `.warc.gz.open`
        # files behind (a rotation after a failed write): a known gap, see issue 15.
        (config / "akhbar.yaml").write_text("max_concurrent_crawls: 2\nexecutor: process\n")
        # A WARC record per article page is ~3-10 KB; fill most of the disk first.
        (small_disk / "ballast").write_bytes(os.urandom(1_200_000))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
        env.update(AKHBAR_HOME=str(small_disk), AKHBAR_CONFIG=str(config),
                   AKHBAR_DATABASE_URL=f"sqlite:///{tmp_path / 'catalog.sqlite'}")
        done = subprocess.run([str(AKHBAR), "crawl", "demo_en", "demo_fa", "demo_ar"],
                              env=env, capture_output=True, text=True, timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "Traceback" not in out, out
    assert "disk holding the data directory is full" in out, out
    for path in small_disk.rglob("*.warc.gz"):
        assert verify_file(path) == [], path
    assert not list(small_disk.rglob("*.warc.gz.open"))
