"""A shared crawl process started before its owner knows its settings
(crawler.crawl.hostboot): booted, it runs the owner's runs with the owner's environment and
files; let go, it exits without crawling; and the `akhbar` command that starts it does not
import what a foreground crawl never uses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crawler.context import open_context
from crawler.crawl import prestart
from crawler.crawl.hostboot import Prestarted, wants_shared_process
from crawler.demosite import DemoSite
from crawler.runs import RunOwner
from crawler.runs.hosted import HostedExecutor
from crawler.runs.states import SUCCEEDED
from tests.crawl.host_support import free_port
from tests.support import python_output, write_demo_config


@pytest.mark.parametrize(("argv", "wanted"), [
    (["crawl", "--all"], True),
    (["--config", "c", "--home=h", "crawl", "demo_en"], True),
    (["crawl", "--via-service", "--all"], False),
    (["crawl", "--help"], False),
    (["crawl"], False),
    (["runs", "list"], False),
    (["--home", "crawl", "runs"], False),
    ([], False),
])
def test_only_a_foreground_crawl_prestarts_its_process(argv: list[str], wanted: bool) -> None:
    assert wants_shared_process(argv) is wanted


def test_a_prestarted_process_runs_the_owners_runs(tmp_path: Path) -> None:
    prestarted = Prestarted.start()
    with DemoSite(port=free_port()) as site:
        write_demo_config(tmp_path / "config", site.base_url, ["demo_en"])
        ctx = open_context(tmp_path / "config", tmp_path / "data", env={})
        executor = HostedExecutor(ctx, prestarted=prestarted)
        owner = RunOwner(ctx, executor, serves_queue=False)
        run = owner.enqueue("demo_en", "manual")
        try:
            owner.run_until_done([run.id])
        finally:
            owner.stop()
            executor.close(30)
    process = executor.process
    assert process is None or not process.alive()
    assert prestarted.taken and prestarted.process.returncode == 0
    outcome = owner.outcomes[0]
    assert outcome.status == SUCCEEDED, outcome.reason
    with ctx.catalog.session() as session:
        row = session.get(type(run), run.id)
        assert row is not None and row.pid == prestarted.process.pid
        assert row.articles_new > 0 and (ctx.warcs_dir / (row.warc_file or "")).exists()
    # Its own lines went to the owner's stderr file for it, under the owner's data directory.
    assert list((ctx.data_dir / "runs").glob("shared-*.stderr"))
    ctx.close()


def test_a_prestarted_process_nobody_takes_exits_without_crawling() -> None:
    prestarted = Prestarted.start()
    prestarted.discard()
    assert prestarted.process.returncode is not None


def test_the_command_line_imports_neither_celery_nor_the_scheduler_service() -> None:
    out = python_output("import sys\nfrom crawler.cli import commands\nimport crawler.service\n"
                        "print(*(m in sys.modules for m in ('celery', 'crawler.runs.cluster',"
                        " 'crawler.scheduler.service', 'scrapy')))\n")
    assert out.split() == ["False", "False", "False", "False"]


def test_a_prestarted_process_keeps_its_workers_small() -> None:
    """A spawned worker imports its parent's ``__main__`` again: the prestart module must
    not bring Scrapy or the catalog into every extraction worker."""
    out = python_output("import sys\nimport crawler.crawl.prestart\n"
                        "print(*(m in sys.modules for m in ('scrapy', 'sqlalchemy', "
                        "'twisted')))\n")
    assert out.split() == ["False", "False", "False"]


def test_a_foreground_crawl_imports_only_its_own_command() -> None:
    """`akhbar crawl` registers the crawl command alone, and does not import surt (with
    tldextract and requests) until it makes a CDXJ key, which a run's owner seldom does."""
    out = python_output(  # no outlet named: a usage error, before any config is read
        "import sys\nfrom crawler.cli.main import cli, main\n"
        "try:\n    main(['crawl'], commands='crawler.cli.crawl')\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(cli.commands))\n"
        "print(*(m in sys.modules for m in ('crawler.cli.schedule', 'crawler.cli.serve', "
        "'crawler.cli.archive', 'surt', 'tldextract', 'requests')))\n")
    commands, imported = out.splitlines()[-2:]
    assert commands == "['crawl', 'demo']"
    assert imported.split() == ["False"] * 6


def test_every_other_command_line_registers_every_command() -> None:
    out = python_output("from crawler.cli.main import cli, main\n"
                        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
                        "print(len(cli.commands))\n")
    assert int(out.splitlines()[-1]) > 10


def test_malloc_trim_is_found_without_a_subprocess() -> None:
    """The crawl's pipeline trims the heap with glibc's malloc_trim, looked up in the
    process's own symbols (ctypes.util.find_library runs `ldconfig` in a subprocess)."""
    out = python_output("import subprocess, sys\n"
                        "calls = []\n"
                        "real = subprocess.Popen.__init__\n"
                        "def spy(self, *a, **k):\n    calls.append(a)\n    real(self, *a, **k)\n"
                        "subprocess.Popen.__init__ = spy\n"
                        "from crawler.crawl.pipelines import _malloc_trim\n"
                        "trim = _malloc_trim()\n"
                        "print(trim is not None and trim() in (0, 1), len(calls))\n")
    assert out.split() == ["True", "0"]


def test_a_prestarted_process_imports_none_of_the_owners_modules() -> None:
    """What a shared crawl process imports before its boot line (its preload and the
    components the settings name): the run modules a crawl writes with (states, judge,
    logstore), not its owner's (executors, the run book, the reaper...), nor Scrapy's
    cookie middleware and telnet console while they are off; and what a run's start would
    import otherwise (the WARC writer's CDXJ lines, the robots.txt parser, the spider
    middlewares set to None). surt (with tldextract, requests and chardet) waits for a URL
    the CDXJ key's fast path does not take."""
    out = python_output(
        "import sys\nimport crawler.crawl.preload\nimport crawler.crawl.host as host\n"
        "host.preload_components()\n"
        "print(*(m in sys.modules for m in ('crawler.runs.states', 'crawler.runs.logstore',"
        " 'crawler.runs.owner', 'crawler.runs.records', 'crawler.runs.hosted',"
        " 'crawler.runs.executors', 'scrapy.downloadermiddlewares.cookies',"
        " 'scrapy.extensions.telnet', 'surt', 'tldextract', 'requests',"
        " 'archive.linesink', 'protego', 'scrapy.spidermiddlewares.depth')))\n")
    assert out.split() == ["True", "True"] + ["False"] * 9 + ["True"] * 3


def test_the_runs_package_names_what_its_modules_define() -> None:
    """crawler.runs imports each of its names from its module on first use."""
    out = python_output(
        "import sys\nimport crawler.runs as runs\n"
        "print('crawler.runs.owner' in sys.modules)\n"
        "from crawler.runs import RunOwner, FINAL_STATES, make_executor\n"
        "from crawler.runs.owner import RunOwner as Owner\n"
        "print(RunOwner is Owner, all(getattr(runs, n) is not None for n in runs.__all__))\n"
        "try:\n    runs.nothing_of_that_name\nexcept AttributeError:\n    print('missing')\n")
    assert out.split() == ["False", "True", "True", "missing"]


@pytest.mark.parametrize(("waiting", "collections"), [(False, "[2]"), (True, "[]")])
def test_a_prestarted_process_collects_once_after_its_imports_unless_its_owner_waits(
        waiting: bool, collections: str) -> None:
    """Its imports run with the collector off (what they make lives as long as the
    process); it is on again, and what they made frozen, when it waits for its owner: after
    one full collection if the owner's boot line is not there yet, at once if it is."""
    out = python_output(
        "import gc, sys\nimport crawler.crawl.prestart as prestart\n"
        "seen = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' and seen.append(info))\n"
        f"prestart.boot_line_waiting = lambda fd: {waiting}\n"
        "prestart.read_line = lambda fd: (seen.append(None), b'')[1]\n"
        "code = prestart.main()\n"
        "i = seen.index(None)\n"
        "print(code, gc.isenabled(), gc.get_freeze_count() > 100000,"
        " str([c['generation'] for c in seen[:i]]).replace(' ', ''))\n")
    assert out.split() == ["0", "True", "True", collections]


def test_a_boot_line_is_seen_waiting_without_being_read() -> None:
    read_end, write_end = os.pipe()
    try:
        assert not prestart.boot_line_waiting(read_end)
        os.write(write_end, b'{"env": {}}\n')
        assert prestart.boot_line_waiting(read_end)
        assert prestart.boot_line_waiting(read_end)  # still there: nothing was read
        assert prestart.read_line(read_end) == b'{"env": {}}'
        os.close(write_end)
        write_end = -1
        assert prestart.boot_line_waiting(read_end)  # its owner is gone: nothing to wait for
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)


def test_the_console_script_imports_a_crawl_with_the_collector_off() -> None:
    """`akhbar crawl` imports its command line with the collector off, and turns it on at
    its first round (tests/runs/test_first_start.py) or when the command ends first (here:
    a usage error, before any config is read)."""
    out = python_output(
        "import gc, sys\nfrom crawler.cli import entry\n"
        "during = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start'"
        " and during.append('crawler.cli.crawl' not in sys.modules))\n"
        "gc.collect()\n"
        "try:\n    entry.main(['crawl', '--all', '--no-such-option'])\n"
        "except SystemExit as exc:\n    code = exc.code\n"
        "print(code, gc.isenabled(), 'crawler.cli.crawl' in sys.modules,"
        " any(during[1:]))\n")
    assert out.split()[-4:] == ["2", "True", "True", "False"]
