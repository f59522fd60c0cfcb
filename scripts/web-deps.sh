#!/usr/bin/env bash
# Installs the browser-test driver (playwright-core, npm) beside the web tests, once.
# The browser itself is Debian's chromium (scripts/deps.sh test); nothing is downloaded at run time.
set -euo pipefail
cd "$(dirname "$0")/../tests/web"
[ -f package.json ] || exit 0
[ -d node_modules/playwright-core ] && exit 0
command -v npm >/dev/null 2>&1 || { echo "web-deps: npm not found; browser tests will skip" >&2; exit 0; }
npm ci --silent --no-audit --no-fund >/dev/null 2>&1 || npm install --silent --no-audit --no-fund >/dev/null
