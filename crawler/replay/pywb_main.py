"""Runs pywb's ``wayback`` for akhbar: started by :mod:`crawler.replay.server` with the Python
of pywb's own virtualenv (pywb pins gevent, werkzeug and redis versions of its own, and
monkey-patches the standard library with gevent on import), never imported by akhbar.

``python pywb_main.py PARENT_PID PORT``, in the directory of its ``config.yaml``. It exits
when its parent does, so a killed ``akhbar serve`` leaves no replay server behind.
"""

from gevent.monkey import patch_all

patch_all()

import os  # noqa: E402 (after patch_all, as pywb's own entry points do)
import sys  # noqa: E402

import gevent  # noqa: E402
import tldextract  # noqa: E402
from pywb.apps.cli import wayback  # noqa: E402


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        gevent.sleep(1)
    os._exit(0)


def main() -> None:
    parent, port = int(sys.argv[1]), sys.argv[2]
    # pywb's cookie rewriting asks tldextract for public suffixes, which by default fetches
    # the list from the live web: replay fetches nothing live, so the bundled copy is used.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())  # type: ignore[assignment]
    gevent.spawn(_watch_parent, parent)
    wayback(["-b", "127.0.0.1", "-p", port])


if __name__ == "__main__":
    main()
