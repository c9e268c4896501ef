"""The garbage collector's settings in a crawl process (crawler.crawl.gcpolicy)."""

from __future__ import annotations

import json

from crawler.crawl import gcpolicy
from tests.support import python_output


def test_a_tuned_process_freezes_its_imports_and_collects_the_young_less_often() -> None:
    """In a fresh interpreter (the test process's collector is left alone): what is alive
    at the call is frozen, never walked again; older generations keep their thresholds."""
    out = json.loads(python_output(
        "import gc, json\n"
        "import crawler.crawl.preload\n"
        "from crawler.crawl import gcpolicy\n"
        "before = gc.get_threshold()\n"
        "gcpolicy.tune(collect=True)\n"
        "print(json.dumps({'before': before, 'after': gc.get_threshold(),\n"
        "                  'frozen': gc.get_freeze_count(), 'alive': len(gc.get_objects())}))\n"))
    assert out["after"] == [gcpolicy.YOUNG_THRESHOLD, *out["before"][1:]]
    assert out["frozen"] > 50_000 and out["alive"] < 1_000
