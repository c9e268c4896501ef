"""Which Chromium a browser-rendered outlet uses: Debian's, never a downloaded build (no
Playwright import here: the CLI asks before a crawl starts)."""

from __future__ import annotations

import shutil

CHROMIUM_NAMES = ("chromium", "chromium-browser")


class BrowserUnavailable(RuntimeError):
    """Chromium is missing or could not be started; the message says what to do."""


def find_chromium(configured: str = "") -> str:
    """The Chromium to start: ``configured`` (AKHBAR_BROWSER_EXECUTABLE) or Debian's."""
    if configured:
        found = shutil.which(configured)
        if found is None:
            raise BrowserUnavailable(
                f"AKHBAR_BROWSER_EXECUTABLE is {configured!r}, which is not an executable; "
                "point it at chromium, or unset it to use Debian's")
        return found
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found is not None:
            return found
    raise BrowserUnavailable(
        "chromium is not installed, and outlets with render: browser need it: install "
        "Debian's (apt-get install chromium) or set AKHBAR_BROWSER_EXECUTABLE")
