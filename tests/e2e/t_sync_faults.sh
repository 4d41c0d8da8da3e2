#!/bin/sh
# t_sync_faults.sh: the ERP misbehaves; nothing is half-written (TAP).
#
# With the simulator's fault knobs, each kind of failure hits the change
# queue while an operator's price change waits in it: an HTTP 503, SOAP
# faults (BUSY with retry_after, INTERNAL), malformed XML, a truncated
# answer, a dropped connection, an answer slower than erp_timeout_s.  Each
# time the run fails and logs the reason, the portal's rows are untouched
# and the change stays queued; the next run completes.  A lost
# acknowledgement makes the ERP deliver the same change twice: the second
# delivery writes nothing.  A fault in the middle of a full pull leaves
# whole pages only.  A record that cannot be applied is kept as a failure,
# does not stop its page, and is retried once it can be.  Wrong credentials
# (AUTH) stop a whole --due pass; an unreachable ERP backs off.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/sync_lib.sh"

SYNC_TIMEOUT=2
sync_init faults --products 200 --customers 30 --individual-prices 1500 \
    --warehouses 2 --orders 20 --seed 5

T0=$(date +%s)
FRAMUGA_NOW=$T0
export FRAMUGA_NOW
ok "first full sync" sync --due

P=$(sq "SELECT p.code FROM product p JOIN price c ON c.product = p.uuid
    AND c.kind = 'catalogue' AND c.currency = 'PLN' AND c.langver = ''
    ORDER BY p.uuid LIMIT 1 OFFSET 4")
PRICE_Q="SELECT p.amount FROM price p JOIN product pr ON pr.id = p.product_id
    WHERE pr.code = '$P' AND p.kind = 'catalogue' AND p.currency = 'PLN'
    AND p.lang = ''"
amount=$(pq "$PRICE_Q")

# one fault kind: KIND-ARGS..., the error the run must log (ERE)
fault_case() {
	_want=$1; shift
	_name="$*"
	amount=$((amount + 1))
	simop set-price --product "$P" --amount "$amount"
	_before=$(pq "$PRICE_Q")
	_rid=$(pq "SELECT max(id) FROM sync_run")
	simfault "$@" --op GetChanges
	sync run prices
	is "$SYNC_STATUS" 1 "$_name: the run fails"
	like "$(last_run prices status) $(last_run prices error)" "^failed .*$_want" \
	    "$_name: the run log says why"
	is "$(pq "$PRICE_Q")" "$_before" "$_name: the price is untouched"
	is "$(pq "SELECT (SELECT count(*) FROM price WHERE sync_run_id > $_rid)
	    + (SELECT count(*) FROM sync_failure)")" 0 \
	    "$_name: no row written, no record failed"
	is "$(sq "SELECT count(*) FROM changes WHERE entity = 'price'")" 1 \
	    "$_name: the change is still queued"
	simfault clear
	sync run prices
	is "$SYNC_STATUS" 0 "$_name: the next run completes"
	is "$(pq "$PRICE_Q")" "$amount" "$_name: and brings the change"
}

fault_case 'HTTP: HTTP status 503' http5xx --status 503 --count 1
fault_case 'BUSY' soapfault --code BUSY --count 1
fault_case 'INTERNAL' soapfault --code INTERNAL --count 1
fault_case 'MALFORMED_XML' malformed --count 1
fault_case 'TRUNCATED' truncated --count 1
# libcurl re-sends a read once, on a fresh connection, when a reused one
# died without an answer (safe: reads change nothing); a second drop is
# the failure
fault_case 'DROPPED' drop --count 2
fault_case 'TIMEOUT' latency --ms 3500 --count 1

# BUSY carries retry_after: the schedule honours it
simop set-price --product "$P" --amount 777
simfault soapfault --code BUSY --count 1 --op GetChanges
sync run prices
retry=$(pq "SELECT next_run_at - $T0 FROM sync_operation WHERE name = 'prices'")
ok "after BUSY the next run waits at least the back-off ($retry s)" \
    test "$retry" -ge 30
simfault clear
sync run prices
amount=777

# ---- the same change delivered twice ---------------------------------------------

# the acknowledgement does not reach the ERP (503, nothing done there)
amount=$((amount + 1))
simop set-price --product "$P" --amount "$amount"
simfault http5xx --status 503 --count 1 --op AckChanges
sync run prices
is "$SYNC_STATUS" 1 "a failed acknowledgement fails the run"
like "$(last_run prices error)" 'AckChanges.*HTTP' "and says the ack failed"
is "$(pq "$PRICE_Q")" "$amount" "but the change was committed first"
rid=$(pq "SELECT p.sync_run_id FROM price p JOIN product pr ON pr.id = p.product_id
    WHERE pr.code = '$P' AND p.kind = 'catalogue' AND p.currency = 'PLN'
    AND p.lang = ''")
is "$(sq "SELECT count(*) FROM changes WHERE entity = 'price'")" 1 \
    "the ERP still has it queued"
simfault clear
sync run prices
is "$SYNC_STATUS" 0 "the next run takes the same change again"
is "$(last_run prices fetched)/$(last_run prices upserted)/$(last_run prices acked)" \
    "1/0/1" "fetched once more, written zero times, acknowledged"
is "$(pq "SELECT p.sync_run_id FROM price p JOIN product pr ON pr.id = p.product_id
    WHERE pr.code = '$P' AND p.kind = 'catalogue' AND p.currency = 'PLN'
    AND p.lang = ''")" "$rid" "the row was not rewritten"
is "$(sq "SELECT count(*) FROM changes")" 0 "the queue is empty"

# the ERP removes the entries, then the answer is lost (twice, so that
# libcurl's one silent re-send is used up)
amount=$((amount + 1))
simop set-price --product "$P" --amount "$amount"
simfault drop --count 2 --op AckChanges
sync run prices
is "$SYNC_STATUS" 1 "a dropped acknowledgement fails the run"
like "$(last_run prices error)" 'AckChanges.*DROPPED' "and says so"
is "$(pq "$PRICE_Q")" "$amount" "the change was committed"
simfault clear
sync run prices
is "$SYNC_STATUS.$(last_run prices upserted)" "0.0" \
    "the next run completes and writes nothing"

# ---- a fault in the middle of a full pull --------------------------------------------

# prices changed behind the queue's back, so the full pull has work to do
sq "UPDATE price SET amount = amount + 1 WHERE kind = 'customer'" >/dev/null
rid=$(pq "SELECT max(id) FROM sync_run")
simfault truncated --count 1 --rate 0.4 --op GetPrices
FRAMUGA_SYNC_PAGE=100 sync run prices --full
st1=$SYNC_STATUS
written=$(pq "SELECT count(*) FROM price WHERE sync_run_id > $rid")
is "$st1" 1 "a truncated page fails the walk ($written rows written before it)"
# pages commit in uuid order: every changed row below the highest one
# written must be written too (whole pages, no gaps)
is "$(pq "SELECT count(*) FROM price WHERE kind = 'individual'
    AND sync_run_id <= $rid AND erp_uuid < (SELECT ifnull(max(erp_uuid), '')
    FROM price WHERE sync_run_id > $rid)")" 0 \
    "what was written is whole pages, in order"
like "$(last_run prices error)" 'TRUNCATED' "the run log says TRUNCATED"
simfault clear
FRAMUGA_SYNC_PAGE=100 sync run prices --full
is "$SYNC_STATUS" 0 "the full pull runs again to the end"
same "and the prices match the ERP's" \
    "SELECT p.erp_uuid, p.amount FROM price p ORDER BY 1" \
    "SELECT uuid, amount FROM price ORDER BY 1"

# ---- a record that cannot be applied ------------------------------------------------

# a new product and its price appear in the ERP; prices runs first
NEWP=0c41a1e2-7e57-4000-8000-00000000beef
NEWPRICE=0c41a1e2-7e57-4000-8000-00000000cafe
P2=$(sq "SELECT code FROM product ORDER BY uuid LIMIT 1 OFFSET 20")
sq "INSERT INTO product SELECT '$NEWP', 'NEW-0001', category, unit, vat,
      name_pl, name_en, name_de, desc_pl, desc_en, desc_de, vis,
      default_warehouse, ruleset_code, active FROM product
      ORDER BY uuid LIMIT 1;
    INSERT INTO price (uuid, kind, product, currency, amount)
      VALUES ('$NEWPRICE', 'catalogue', '$NEWP', 'PLN', 99900);
    INSERT OR REPLACE INTO changes (entity, uuid, changed) VALUES
      ('product', '$NEWP', strftime('%s', 'now')),
      ('price', '$NEWPRICE', strftime('%s', 'now'));" >/dev/null
simop set-price --product "$P2" --amount 31337
sync run prices
is "$SYNC_STATUS" 0 "a batch with an unappliable record still completes"
is "$(last_run prices status)" partial "the run is marked partial"
is "$(pq "SELECT p.amount FROM price p JOIN product pr ON pr.id = p.product_id
    WHERE pr.code = '$P2' AND p.kind = 'catalogue' AND p.currency = 'PLN'
    AND p.lang = ''")" 31337 "the other change in the batch was applied"
like "$(pq "SELECT entity || ' ' || uuid || ' ' || reason || ' ' ||
    (payload IS NOT NULL) FROM sync_failure WHERE resolved = 0")" \
    "^price $NEWPRICE unknown product $NEWP 1$" \
    "the failure is kept with its reason and the record"
is "$(sq "SELECT count(*) FROM changes WHERE entity = 'price'")" 0 \
    "and acknowledged (contract 8.3)"
like "$(sync_out failures prices)" "$NEWPRICE +1 " "framuga-sync failures lists it"
sync run products
FRAMUGA_NOW=$((T0 + 200))
sync run prices
is "$(pq "SELECT count(*) FROM sync_failure WHERE resolved = 0")" 0 \
    "once the product has arrived, the retry resolves the failure"
is "$(pq "SELECT amount FROM price WHERE erp_uuid = '$NEWPRICE'")" 99900 \
    "and the price is there"

# ---- wrong credentials stop the pass ----------------------------------------------------

sed "s/^erp_password = .*/erp_password = wrong/" "$E2E_CONF" >"$E2E_RUNDIR/bad.conf"
rid=$(pq "SELECT max(id) FROM sync_run")
FRAMUGA_NOW=$((T0 + 10 * 86400))
"$SYNC" -c "$E2E_RUNDIR/bad.conf" --due >>"$SYNC_LOG" 2>&1
is "$?" 1 "--due with a wrong password fails"
is "$(pq "SELECT count(*) FROM sync_run WHERE id > $rid")" 1 \
    "AUTH stops the pass after the first operation"
like "$(pq "SELECT error FROM sync_run WHERE id > $rid")" 'AUTH' \
    "and the run log says AUTH"
like "$(tail -5 "$SYNC_LOG")" 'credentials' "the log tells the admin to check them"

# ---- an unreachable ERP: back-off ------------------------------------------------------

sim_stop
FRAMUGA_NOW=$((T0 + 20 * 86400))
sync run stock
is "$SYNC_STATUS" 1 "no ERP: the run fails"
like "$(last_run stock error)" 'CONNECT' "with CONNECT"
is "$(pq "SELECT failures || ' ' || (next_run_at - $FRAMUGA_NOW)
    FROM sync_operation WHERE name = 'stock'")" "1 30" \
    "first failure: the next try in 30 s"
sync run stock
is "$(pq "SELECT failures || ' ' || (next_run_at - $FRAMUGA_NOW)
    FROM sync_operation WHERE name = 'stock'")" "2 60" "second: 60 s"
sim_start
sync run stock
is "$SYNC_STATUS" 0 "the ERP is back: the run succeeds"
is "$(pq "SELECT failures || ' ' || (next_run_at - $FRAMUGA_NOW)
    FROM sync_operation WHERE name = 'stock'")" "0 300" \
    "and the normal interval applies again"

done_testing
