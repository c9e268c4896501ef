"""Serve the demo site in the foreground.

Usage: ``python -m crawler.demosite --port 8765 [--edition N]``; Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import logging
import sys

from .server import DemoSite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.demosite", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--edition", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s %(message)s")
    site = DemoSite(host=args.host, port=args.port, edition=args.edition)
    try:
        site.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
