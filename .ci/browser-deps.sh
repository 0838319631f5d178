#!/usr/bin/env bash
# Debian's chromium for the browser tests (tests/test_explorer_browser.py,
# tests/test_offline_browser.py). Installs it only when /usr/bin/chromium is
# missing and we are root; any failure is reported and tolerated (the
# browser tests then skip).
# Playwright's Python client drives this executable; never run
# `playwright install` (it downloads browsers).
set -u
if [ -x /usr/bin/chromium ]; then
    echo "browser-deps: /usr/bin/chromium present"
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "browser-deps: /usr/bin/chromium missing and not root; the browser test will skip"
    exit 0
fi
if command -v apt-get >/dev/null 2>&1 \
    && apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; then
    echo "browser-deps: installed $(/usr/bin/chromium --version 2>/dev/null)"
else
    echo "browser-deps: could not install chromium; the browser test will skip"
fi
exit 0
