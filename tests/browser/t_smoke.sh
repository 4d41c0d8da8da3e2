#!/bin/sh
# t_smoke.sh: start the real stack (nginx + framuga-fcgi on loopback, with
# demo news) and run the browser smoke test against it; its TAP is ours.
# Screenshots go to tests/artifacts/browser/.  Without Chromium or the npm
# modules the test is skipped, unless FRAMUGA_REQUIRE_BROWSER=1 (CI), where
# that is a failure.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

bdir=$top_srcdir/tests/browser
if [ ! -x /usr/bin/chromium ] || [ ! -d "$bdir/node_modules/playwright-core" ]; then
	[ "${FRAMUGA_REQUIRE_BROWSER:-0}" = 1 ] &&
	    bail_out "Chromium or playwright-core missing (npm install in tests/browser)"
	skip_all "Chromium or playwright-core not installed"
fi
e2e_init browser
E2E_EXTRA_CONFIG="test_routes = on"
e2e_start
sqlite3 "$E2E_DB" <"$top_srcdir/db/demo/news.sql" || bail_out "demo news"
ARTIFACTS=$top_builddir/tests/artifacts/browser
export ARTIFACTS
node "$bdir/smoke.mjs" "$E2E_URL"
