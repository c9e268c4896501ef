"""Runs pywb's ``wayback`` for akhbar: started by :mod:`crawler.replay.server` with the Python
of pywb's own virtualenv (pywb pins gevent, werkzeug and redis versions of its own, and
monkey-patches the standard library with gevent on import), never imported by akhbar.

``python pywb_main.py PARENT_PID PORT``, in the directory of its ``config.yaml``. It exits
when its parent does, so a killed ``akhbar serve`` leaves no replay server behind.

An article that answered 304 on a recrawl is archived as the ``server-not-modified`` revisit
it was; pywb 2.9 replays such a revisit as the empty 304 it recorded, so a capture its
calendar offers would show nothing. Here it replays as OpenWayback does: the original's
status, headers and payload (found by URL and digest, as for any revisit), at the revisit's
own date (``_replay_not_modified_as_original``).
"""

from gevent.monkey import patch_all

patch_all()

import os  # noqa: E402 (after patch_all, as pywb's own entry points do)
import sys  # noqa: E402

import gevent  # noqa: E402
import tldextract  # noqa: E402
from pywb.apps.cli import wayback  # noqa: E402
from pywb.warcserver.resource.resolvingloader import ResolvingLoader  # noqa: E402

_LOAD = ResolvingLoader.load_headers_and_payload


def _load_headers_and_payload(self, cdx, failed_files, cdx_loader):  # type: ignore[no-untyped-def]
    if cdx.get("mime") != "warc/revisit" or cdx.get("status") != "304":
        return _LOAD(self, cdx, failed_files, cdx_loader)
    revisit = self._resolve_path_load(cdx, False, failed_files)
    original = self._load_different_url_payload(cdx, revisit, failed_files, cdx_loader)
    if original is revisit:  # an empty payload: nothing else to show
        return revisit, revisit
    revisit.http_headers = original.http_headers
    return revisit, original


def _replay_not_modified_as_original() -> None:
    ResolvingLoader.load_headers_and_payload = _load_headers_and_payload


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        gevent.sleep(1)
    os._exit(0)


def main() -> None:
    parent, port = int(sys.argv[1]), sys.argv[2]
    # pywb's cookie rewriting asks tldextract for public suffixes, which by default fetches
    # the list from the live web: replay fetches nothing live, so the bundled copy is used.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())  # type: ignore[assignment]
    _replay_not_modified_as_original()
    gevent.spawn(_watch_parent, parent)
    wayback(["-b", "127.0.0.1", "-p", port])


if __name__ == "__main__":
    main()
