#!/bin/sh
# Debian's chromium, for outlets with `render: browser` (the demo's demo_js) and the browser
# tests. Installed once when missing and we are root; Playwright never downloads a browser.
# Never fails: without it, demo_js is skipped and the browser tests are skipped, saying why.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium (for ${1:-outlets rendered in a browser})"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
    >/dev/null 2>&1 || echo "could not install chromium; ${1:-they} will be skipped, saying why"
fi
exit 0
