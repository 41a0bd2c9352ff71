#!/usr/bin/env bash
# The web app's end-to-end tests, in headless Chromium, and the published
# test vectors through its WebAssembly build:
#
#   web/tests/run.sh
#
# Builds what is missing (the app with web/build.sh, the attesta binary and
# the camera-video generator with cargo), installs the npm packages
# (puppeteer-core, axe-core) and runs `node --test`. Needs Node.js >= 18 and
# Debian's chromium (/usr/bin/chromium, or $CHROMIUM); .ci/run installs both.
# Screenshots of the verdict screens go to target/web-screenshots/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

# ATTESTA_WEB_BUILT=1: the app in target/web/app is current (.ci/run built it).
[ "${ATTESTA_WEB_BUILT:-}" = 1 ] || web/build.sh
# The attesta binary and the camera-video example, as `cargo test
# --workspace` builds them (same features, so nothing is compiled twice;
# after the test suite this is a no-op).
cargo test --workspace --locked --no-run -q

cd "$here"
if [ ! -d node_modules/puppeteer-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# One browser test at a time (Node 20+ has the flag; 18 runs files one by
# one on two cores anyway).
opts=(--test-reporter=spec)
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' && opts+=(--test-concurrency=1)
node --test "${opts[@]}" e2e.test.mjs vectors.test.mjs
