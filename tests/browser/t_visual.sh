#!/bin/sh
# t_visual.sh: start the real stack (nginx + framuga-fcgi on loopback) with
# demo news, one ERP customer with a customer admin and a co-worker, a
# staff admin and a narrower staff member, and run visual.mjs: every page
# a person sees (public, the customer's account pages, the CMS, both
# layouts with the impersonation banner) at 1280 and 390 px, checked for
# valid HTML, console errors, sideways scrolling and unlabelled controls.
# Its TAP is ours; screenshots go to tests/artifacts/browser/visual/.
# Without Chromium or the npm modules the test is skipped, unless
# FRAMUGA_REQUIRE_BROWSER=1 (CI), where that is a failure.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

bdir=$top_srcdir/tests/browser
if [ ! -x /usr/bin/chromium ] || [ ! -d "$bdir/node_modules/playwright-core" ]; then
	[ "${FRAMUGA_REQUIRE_BROWSER:-0}" = 1 ] &&
	    bail_out "Chromium or playwright-core missing (npm install in tests/browser)"
	skip_all "Chromium or playwright-core not installed"
fi
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
e2e_init visual
E2E_EXTRA_CONFIG="login_ip_free_attempts = 100"
e2e_start
sqlite3 "$E2E_DB" <"$top_srcdir/db/demo/news.sql" || bail_out "demo news"
sqlite3 "$E2E_DB" "INSERT INTO customer (erp_uuid, code, name, nip, grp,
    currency, payment_days, credit_limit, credit_used, email, phone,
    updated_at) VALUES
    ('c-nowak', 'K1', 'Okna Nowak Sp. z o.o.', '526-000-12-46', 'B', 'PLN',
     30, 5000000, 1234500, 'biuro@oknanowak.pl', '+48 61 100 20 30', 0),
    ('c-kow', 'K2', 'Drzwi Kowalski', '', 'A', 'PLN', 14, 0, 0, '', '', 0)" ||
    bail_out "customers"
PW=okno-drzwi-parapet
adduser() {
	_e=$1 _n=$2; shift 2
	echo "$PW" | "$top_builddir/framuga-user" -c "$E2E_CONF" add \
	    --email "$_e" --name "$_n" --password-stdin "$@" >/dev/null ||
	    bail_out "framuga-user add $_e failed"
}
adduser szef@framuga.pl "Szef Admin" --staff admin
adduser ula@framuga.pl "Urszula Obsługa" --staff users
adduser anna@oknanowak.pl "Anna Nowak" --customer K1 --role customer_admin
adduser wiktor@oknanowak.pl "Wiktor Widz" --customer K1 --role viewer
ARTIFACTS=$top_builddir/tests/artifacts/browser/visual
DB=$E2E_DB STAFF=szef@framuga.pl STAFF2=ula@framuga.pl DEALER=anna@oknanowak.pl
export ARTIFACTS DB PW STAFF STAFF2 DEALER
node "$bdir/visual.mjs" "$E2E_URL"
