#!/bin/sh
# t_journey_accounts.sh: start the real stack (nginx + framuga-fcgi on
# loopback) with one synced ERP customer card and a staff admin, and run
# the accounts journey in Chromium (journey_accounts.mjs): registration ->
# staff approval and linking -> the customer admin's first login -> a
# co-worker with limited rights -> what the co-worker sees.  Its TAP is
# ours; screenshots go to tests/artifacts/browser/.  Without Chromium or
# the npm modules the test is skipped, unless FRAMUGA_REQUIRE_BROWSER=1
# (CI), where that is a failure.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

bdir=$top_srcdir/tests/browser
if [ ! -x /usr/bin/chromium ] || [ ! -d "$bdir/node_modules/playwright-core" ]; then
	[ "${FRAMUGA_REQUIRE_BROWSER:-0}" = 1 ] &&
	    bail_out "Chromium or playwright-core missing (npm install in tests/browser)"
	skip_all "Chromium or playwright-core not installed"
fi
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
e2e_init journey_accounts
E2E_EXTRA_CONFIG="login_ip_free_attempts = 100"
e2e_start
sqlite3 "$E2E_DB" "INSERT INTO customer (erp_uuid, code, name, nip, updated_at)
    VALUES ('c-zielinski', 'Z100', 'Zieliński Okna (ERP)', '123-456-32-18', 0),
    ('c-other', 'X200', 'Inna Firma', '5260001246', 0)" || bail_out "customers"
PW=okno-drzwi-parapet
echo "$PW" | "$top_builddir/framuga-user" -c "$E2E_CONF" add \
    --email szef@framuga.pl --name "Szef Admin" --password-stdin \
    --staff admin >/dev/null || bail_out "framuga-user add failed"
ARTIFACTS=$top_builddir/tests/artifacts/browser
DB=$E2E_DB STAFF=szef@framuga.pl
export ARTIFACTS DB PW STAFF
node "$bdir/journey_accounts.mjs" "$E2E_URL"
