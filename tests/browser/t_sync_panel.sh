#!/bin/sh
# t_sync_panel.sh: framuga-sync's control panel (J5) in Chromium, against
# the real stack (nginx + framuga-fcgi on loopback); sync_panel.mjs's TAP is
# ours.  The panel's pages, as tests/unit/test_sync_panel renders them
# (list, list with a 422, an operation's history and failures, English),
# are checked for valid HTML; then a staff member made with framuga-user
# logs in, changes an interval and runs an operation now (issue 4), and
# the database is read back.  (Where the build has no framuga-user, the
# walk-through is reported as skipped.)  Screenshots go
# to tests/artifacts/browser/.  Without Chromium or the npm modules the
# test is skipped, unless FRAMUGA_REQUIRE_BROWSER=1 (CI).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

bdir=$top_srcdir/tests/browser
if [ ! -x /usr/bin/chromium ] || [ ! -d "$bdir/node_modules/playwright-core" ]; then
	[ "${FRAMUGA_REQUIRE_BROWSER:-0}" = 1 ] &&
	    bail_out "Chromium or playwright-core missing (npm install in tests/browser)"
	skip_all "Chromium or playwright-core not installed"
fi
command -v sqlite3 >/dev/null 2>&1 || skip_all "no sqlite3 command"
e2e_init browser-sync-panel
E2E_EXTRA_CONFIG="test_routes = on"
e2e_start

# The pages as the handlers render them (no login needed for that).
if [ -x "$top_builddir/tests/unit/test_sync_panel" ]; then
	SYNC_PANEL_PAGES=$E2E_RUNDIR/pages
	mkdir -p "$SYNC_PANEL_PAGES"
	SYNC_PANEL_DUMP=$SYNC_PANEL_PAGES top_srcdir=$top_srcdir \
	    top_builddir=$top_builddir "$top_builddir/tests/unit/test_sync_panel" \
	    >"$E2E_RUNDIR/unit.log" 2>&1 ||
	    bail_out "test_sync_panel failed: $(tail -5 "$E2E_RUNDIR/unit.log")"
	export SYNC_PANEL_PAGES
fi

# A staff member with cms.sync (the built-in "sync" role).
unset STAFF_EMAIL STAFF_PASSWORD
if [ -x "$top_builddir/framuga-user" ]; then
	STAFF_EMAIL=sync@framuga.test
	STAFF_PASSWORD=okno-drzwi-parapet
	echo "$STAFF_PASSWORD" | "$top_builddir/framuga-user" -c "$E2E_CONF" add \
	    --email "$STAFF_EMAIL" --name "Sylwia Synchro" --password-stdin \
	    --staff sync >"$E2E_RUNDIR/user.log" 2>&1 ||
	    bail_out "framuga-user add failed: $(tail -3 "$E2E_RUNDIR/user.log")"
	export STAFF_EMAIL STAFF_PASSWORD
fi

SYNC_PANEL_DB=$E2E_DB
ARTIFACTS=$top_builddir/tests/artifacts/browser
export SYNC_PANEL_DB ARTIFACTS
node "$bdir/sync_panel.mjs" "$E2E_URL"
