#!/bin/sh
# t_sync_panel.sh: framuga-sync's control panel in the CMS (J5) through the
# real nginx and framuga-fcgi (TAP).
#
# Without a session: every panel route, GET or POST, with or without a
# valid CSRF token, is refused (403), the refusal does not say whether an
# operation exists, and the schedule and the failures are unchanged.
# With a staff session holding cms.sync (framuga-user, /login): the list
# shows every operation; an interval change, valid and invalid (422, the
# typed value re-shown, the database unchanged); run now, after which
# framuga-sync --due (what cron runs) runs exactly that operation against
# oknoerp-sim; run once after a delay; enable and disable; the history
# pages by keyset; retry marks the failure; a missing, wrong or foreign
# CSRF token is refused; a staff member without cms.sync is refused.
#
# The handlers' own logic is also covered without a login by
# tests/unit/test_sync_panel.c.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/sync_lib.sh"

# The panel's clock and framuga-sync's: FRAMUGA_NOW (schedule.h), so the
# times written can be checked exactly.  Sessions keep the real clock.
T0=1900000000
FRAMUGA_NOW=$T0
export FRAMUGA_NOW
SYNC_EXTRA_CONFIG="test_routes = on"
sync_init panel --products 30 --customers 5 --individual-prices 40 \
    --warehouses 1 --orders 3 --seed 5
e2e_start
USER_TOOL=$top_builddir/framuga-user
PW=okno-drzwi-parapet

# Everything the panel may write: the schedule and the failures.
state() {
	pq "SELECT name, enabled, interval_s, next_run_at, ifnull(run_once_at, '-')
	    FROM sync_operation ORDER BY name;
	    SELECT id, next_retry_at, resolved FROM sync_failure ORDER BY id;"
}

pq "UPDATE sync_operation SET next_run_at = $T0 + sort;
    INSERT INTO sync_failure (id, operation, entity, uuid, reason, attempts,
      first_at, last_at, next_retry_at)
    VALUES (7, 'prices', 'price', 'aaaaaaaa-0000-0000-0000-000000000007',
      'unknown product', 2, $T0, $T0, $T0 + 3600);" ||
    bail_out "fixtures"
is "$(pq 'SELECT count(*) FROM sync_operation')" 13 "the schedule has 13 operations"
before=$(state)

# ---- without a session ------------------------------------------------------

jar=$E2E_RUNDIR/anon.cookies
http_get /_test/form -c "$jar"
token=$(http_body | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
like "$token" '^[0-9a-f]{32}$' "an anonymous visitor has a CSRF token (to try with)"

for p in /cms/sync /cms/sync/products /cms/sync/nosuch '/cms/sync/products?before=10'; do
	http_get "$p"
	is "$HTTP_STATUS" 403 "GET $p without a session: 403"
done
http_get /cms/sync
unlike "$(http_body)" 'interval-products|/cms/sync/products/run' \
    "the 403 page shows nothing of the panel"
http_request HEAD /cms/sync --head
is "$HTTP_STATUS" 403 "HEAD /cms/sync without a session: 403"

for a in run once cancel enable disable interval failures/retry failures/7/retry; do
	http_post "/cms/sync/products/$a" "csrf=$token&interval=00:01:00&delay=0" \
	    -b "$jar" -H "Origin: $E2E_URL"
	is "$HTTP_STATUS" 403 "POST $a with a valid token but no session: 403"
	http_post "/cms/sync/products/$a" "interval=00:01:00&delay=0"
	is "$HTTP_STATUS" 403 "POST $a without token or session: 403"
done
http_post /cms/sync/nosuch/run "csrf=$token" -b "$jar"
is "$HTTP_STATUS" 403 "an unknown operation is 403 too: nothing to probe"
http_post /cms/sync/prices/failures/7/retry "csrf=$token" -b "$jar"
is "$HTTP_STATUS" 403 "retry of a real failure without a session: 403"

http_get /cms/sync/products/run
is "$HTTP_STATUS" 405 "GET on an action: 405 (actions are POST only)"
is "$(http_header Allow)" POST "405 names POST"
http_get '/cms/sync/products/interval?interval=00:00:05&csrf='"$token" -b "$jar"
is "$HTTP_STATUS" 405 "an action's values in a GET: 405"

is "$(state)" "$before" "the schedule and the failures are unchanged"

# ---- with a staff session -------------------------------------------------------

adduser() {	# EMAIL NAME ROLE
	echo "$PW" | "$USER_TOOL" -c "$E2E_CONF" add --email "$1" --name "$2" \
	    --password-stdin --staff "$3" >>"$E2E_RUNDIR/users.log" 2>&1
}
# csrf_of PATH JAR: the form token on a page (the session's, when logged in)
csrf_of() {
	http_get "$1" -b "$2" -c "$2"
	http_body | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1
}
login() {	# JAR EMAIL
	_t=$(csrf_of /login "$1")
	http_request POST /login -b "$1" -c "$1" --data-urlencode "csrf=$_t" \
	    --data-urlencode "email=$2" --data-urlencode "password=$PW"
}
S=$E2E_RUNDIR/staff.cookies
post() {	# PATH [CURL-ARGS]: a form post with the staff session's token
	_p=$1; shift
	http_request POST "$_p" -b "$S" -c "$S" --data-urlencode "csrf=$stok" "$@"
}
col() {	# OP COLUMN of sync_operation
	pq "SELECT ifnull($2, 'NULL') FROM sync_operation WHERE name = '$1'"
}

ok "a staff user with the sync role" adduser sync@framuga.test "Sylwia Synchro" sync
ok "a staff user without it" adduser rekl@framuga.test "Reklamacje" complaints
login "$S" sync@framuga.test
is "$HTTP_STATUS" 303 "the sync staff member logs in"

http_get /cms/sync -b "$S" -c "$S"
is "$HTTP_STATUS" 200 "staff: the panel answers 200"
page=$(http_body)
is "$(printf '%s\n' "$page" | grep -c '<tr id="op-')" 13 "staff: the list shows every operation"
n=0
for o in rates warehouses categories products customers prices stock \
    rulesets order_push orders invoices files reconcile; do
	printf '%s\n' "$page" | grep -q "id=\"interval-$o\" name=\"interval\"" &&
	    printf '%s\n' "$page" | grep -q "action=\"/cms/sync/$o/run\"" &&
	    n=$((n + 1))
done
is "$n" 13 "staff: each operation has its run-now button and interval field"
like "$page" 'href="/cms/sync"[^>]*>Synchronizacja z ERP' "staff: the panel is in the CMS navigation"
like "$page" 'framuga-sync' "staff: the page says who talks to the ERP"
stok=$(printf '%s\n' "$page" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
like "$stok" '^[0-9a-f]{32,}$' "staff: the forms carry the session's token"

# interval: valid, then invalid
post /cms/sync/products/interval --data-urlencode "interval=00:10:00"
is "$HTTP_STATUS" 303 "interval 00:10:00: 303"
is "$(http_header Location)" "/cms/sync?done=interval&op=products#op-products" \
    "back to the list with what was done"
is "$(col products interval_s)" 600 "the interval is saved"
http_get '/cms/sync?done=interval&op=products' -b "$S"
like "$(http_body)" 'role="status">Produkty: zmieniono interwał' "the notice is shown"
like "$(http_body)" 'id="interval-products" name="interval" value="00:10:00"' "the list shows 00:10:00"
before=$(state)
for bad in 25:61:00 00:00:00 1000:00:00 abc 00:10 ''; do
	post /cms/sync/products/interval --data-urlencode "interval=$bad"
	is "$HTTP_STATUS" 422 "interval \"$bad\": 422"
done
post /cms/sync/products/interval --data-urlencode 'interval=25:61:00'
like "$(http_body)" 'name="interval" value="25:61:00" [^>]*aria-invalid="true"' \
    "422: the typed value is re-shown, marked invalid"
like "$(http_body)" 'id="interval-products-err">Podaj interwał jako gg:mm:ss' \
    "422: the problem is named next to the field"
post /cms/sync/products/interval --data-urlencode 'interval="><script>x</script>'
unlike "$(http_body)" '<script>x' "422: a typed value never comes back as markup"
is "$(state)" "$before" "invalid intervals write nothing"

# run now, run once after a delay, cancel
post /cms/sync/rates/run
is "$HTTP_STATUS" 303 "run now: 303"
is "$(col rates run_once_at)" "$T0" "run now sets run_once_at to now"
post /cms/sync/stock/once --data-urlencode delay=30
is "$(col stock run_once_at)" $((T0 + 1800)) "run once in 30 minutes"
post /cms/sync/stock/once --data-urlencode delay=01:30:00
is "$(col stock run_once_at)" $((T0 + 5400)) "run once in 01:30:00"
before=$(state)
post /cms/sync/stock/once --data-urlencode delay=soon
is "$HTTP_STATUS" 422 "a delay that is neither minutes nor hh:mm:ss: 422"
like "$(http_body)" 'name="delay" value="soon"' "the typed delay is re-shown"
is "$(state)" "$before" "and nothing is written"
post /cms/sync/stock/cancel
is "$(col stock run_once_at)" NULL "cancel drops the run-once"

# cron's next tick runs exactly what was asked for, against the ERP
R=$(pq "SELECT ifnull(max(id), 0) FROM sync_run")
ok "framuga-sync --due (what cron runs)" sync --due
is "$(pq "SELECT group_concat(operation || ':' || status) FROM sync_run WHERE id > $R")" \
    "rates:ok" "it ran the operation asked for, and only that one"
is "$(col rates run_once_at)" NULL "the run-once is used up"
http_get /cms/sync/rates -b "$S"
like "$(http_body)" 'class="run-status status-ok">poprawnie' "the history page shows the run"

# enable, disable
post /cms/sync/invoices/disable
is "$(col invoices enabled)" 0 "disable"
http_get /cms/sync -b "$S"
like "$(http_body)" 'formaction="/cms/sync/invoices/enable"' "a disabled operation offers enable"
post /cms/sync/invoices/enable
is "$(col invoices enabled)" 1 "enable"

# unknown operation and failure, with a session: 404, nothing written
before=$(state)
post /cms/sync/nosuch/run
is "$HTTP_STATUS" 404 "an unknown operation: 404"
http_get /cms/sync/nosuch -b "$S"
is "$HTTP_STATUS" 404 "an unknown operation's page: 404"
post /cms/sync/stock/failures/7/retry
is "$HTTP_STATUS" 404 "another operation's failure: 404"
is "$(state)" "$before" "404s write nothing"

# history: keyset paging, 50 a page, newest first
pq "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
    INSERT INTO sync_run (operation, started_at, finished_at, duration_ms,
      status, mode, fetched) SELECT 'customers', $T0 - 6000 + i * 60,
      $T0 - 6000 + i * 60 + 1, 1500, 'ok', 'changes', i FROM n"
newest=$(pq "SELECT max(id) FROM sync_run WHERE operation = 'customers'")
http_get /cms/sync/customers -b "$S"
is "$(http_body | grep -c '<tr id="run-')" 50 "history page 1: 50 runs"
like "$(http_body)" "<tr id=\"run-$newest\"" "page 1 starts with the newest"
cursor=$(http_body | sed -n 's/.*rel="next" href="\/cms\/sync\/customers?before=\([0-9]*\)#runs".*/\1/p')
is "$cursor" $((newest - 49)) "the cursor is the id of the last run shown"
http_get "/cms/sync/customers?before=$cursor" -b "$S"
is "$(http_body | grep -c '<tr id="run-')" 10 "history page 2: the other 10"
unlike "$(http_body)" 'rel="next"' "and no further page"
http_get '/cms/sync/customers?before=x' -b "$S"
is "$HTTP_STATUS" 400 "a malformed cursor: 400"

# retry a failed record
http_get /cms/sync/prices -b "$S"
like "$(http_body)" 'aaaaaaaa-0000-0000-0000-000000000007' "the open failure is listed"
post /cms/sync/prices/failures/7/retry
is "$HTTP_STATUS" 303 "retry: 303"
is "$(http_header Location)" "/cms/sync/prices?done=retry&op=prices" "back to the operation"
is "$(pq 'SELECT next_retry_at FROM sync_failure WHERE id = 7')" 0 \
    "retry marks the failure for the next run (next_retry_at = 0)"
is "$(col prices run_once_at)" "$T0" "and asks for that run now"

# CSRF with a session
before=$(state)
http_request POST /cms/sync/orders/disable -b "$S"
is "$HTTP_STATUS" 403 "no token: 403"
http_request POST /cms/sync/orders/disable -b "$S" --data-urlencode "csrf=0123456789abcdef0123456789abcdef"
is "$HTTP_STATUS" 403 "a wrong token: 403"
http_request POST /cms/sync/orders/disable -b "$S" --data-urlencode "csrf=$token"
is "$HTTP_STATUS" 403 "an anonymous token with a session: 403"
http_request POST /cms/sync/orders/disable -b "$S" --data-urlencode "csrf=$stok" -H 'Origin: https://evil.example'
is "$HTTP_STATUS" 403 "the right token from another origin: 403"
is "$(state)" "$before" "refused forms write nothing"

# a staff member without cms.sync
R2=$E2E_RUNDIR/rekl.cookies
login "$R2" rekl@framuga.test
http_get /cms/sync -b "$R2"
is "$HTTP_STATUS" 403 "staff without cms.sync: the panel is 403"
rtok=$(csrf_of /account/sessions "$R2")
http_request POST /cms/sync/orders/disable -b "$R2" --data-urlencode "csrf=$rtok"
is "$HTTP_STATUS" 403 "and so is every action"
is "$(state)" "$before" "nothing written"

done_testing
