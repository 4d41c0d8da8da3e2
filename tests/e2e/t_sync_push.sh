#!/bin/sh
# t_sync_push.sh: the order outbox under faults (TAP).
#
# 1000 orders are queued in order_outbox (as the ordering pages will do)
# and pushed to the simulator while it drops answers after committing,
# answers 5xx, half answers, malformed XML, SOAP faults and too slowly, on
# CreateOrder and on FindOrderByRef.  framuga-sync runs until the outbox
# is empty (the injectable clock moves past each back-off).  In the end
# the ERP holds each order exactly once (0 duplicates, 0 missing), every
# outbox row knows its ERP order, and no CreateOrder was ever sent for an
# order the ERP already had (the look-up before a re-send worked).  Also:
# a rejected order is failed for staff and re-sent on demand; a pusher
# that died mid-send is recovered by a look-up; a bad payload is refused.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/sync_lib.sh"

N=${SYNC_PUSH_ORDERS:-1000}
SYNC_TIMEOUT=2
sync_init push --products 200 --customers 40 --individual-prices 500 \
    --warehouses 2 --orders 10 --seed 3

T=$(date +%s)
FRAMUGA_NOW=$T
export FRAMUGA_NOW

# N orders of active customers and plain (not configured) products
pq "ATTACH '$SIM_DB' AS s;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N),
    c AS (SELECT uuid, row_number() OVER (ORDER BY uuid) - 1 AS k
      FROM s.customer WHERE active = 1 AND blocked = 0),
    p AS (SELECT uuid, row_number() OVER (ORDER BY uuid) - 1 AS k
      FROM s.product WHERE active = 1 AND ruleset_code = '')
    INSERT INTO order_outbox (order_no, created_at, payload, updated_at)
    SELECT printf('WEB/%06d', i), $T, json_object(
      'customer', (SELECT uuid FROM c WHERE k = i % (SELECT count(*) FROM c)),
      'currency', 'PLN', 'notes', 'order ' || i,
      'delivery_address', json_object('name', 'Budowa ' || i,
        'street', 'Polna ' || i, 'postcode', '00-950', 'city', 'Warszawa',
        'country', 'PL'),
      'lines', json_array(
        json_object('line_no', 1, 'quantity', 1000 * (1 + i % 5),
          'unit_net', 35400,
          'product', (SELECT uuid FROM p WHERE k = i % (SELECT count(*) FROM p))),
        json_object('line_no', 2, 'quantity', 2500, 'unit_net', 1999,
          'product', (SELECT uuid FROM p
            WHERE k = (i * 7) % (SELECT count(*) FROM p))))), $T
    FROM n;"
is "$(pq "SELECT count(*) FROM order_outbox WHERE state = 'queued'")" "$N" \
    "$N orders are queued"
before=$(sq "SELECT count(*) FROM orders")

# faults on the writes and on the look-ups, fired at random
simfault drop --rate 0.08 --op CreateOrder
simfault truncated --rate 0.04 --op CreateOrder
simfault malformed --rate 0.03 --op CreateOrder
simfault http5xx --status 502 --rate 0.04 --op CreateOrder
simfault soapfault --code INTERNAL --rate 0.03 --op CreateOrder
simfault soapfault --code BUSY --rate 0.02 --op CreateOrder
simfault latency --ms 2600 --rate 0.01 --count 4 --op CreateOrder
simfault drop --rate 0.05 --op FindOrderByRef
simfault http5xx --status 503 --rate 0.05 --op FindOrderByRef

runs=0
while [ "$(pq "SELECT count(*) FROM order_outbox WHERE state IN
    ('queued', 'sending')")" -gt 0 ] && [ $runs -lt 40 ]; do
	sync run order_push
	runs=$((runs + 1))
	FRAMUGA_NOW=$((FRAMUGA_NOW + 7200))	# past every back-off
done
diag "$runs runs; faults fired: $(sq "SELECT group_concat(kind || '/' || op ||
    '=' || fired, ' ') FROM faults")"
ok "faults did fire (at least 10 % of the requests)" \
    test "$(sq "SELECT sum(fired) FROM faults")" -ge $((N / 10))
is "$(pq "SELECT state, count(*) FROM order_outbox GROUP BY state")" "sent|$N" \
    "every order is sent"
is "$(sq "SELECT count(*) FROM orders") " "$((before + N)) " \
    "the ERP holds exactly $N new orders"
is "$(sq "SELECT count(*) FROM orders WHERE external_ref LIKE 'WEB/%'")" "$N" \
    "0 missing: every portal order number is in the ERP"
is "$(sq "SELECT count(*) FROM (SELECT external_ref FROM orders
    WHERE external_ref IS NOT NULL GROUP BY external_ref HAVING count(*) > 1)")" 0 \
    "0 duplicates"
same "each outbox row knows its ERP order (uuid and number)" \
    "SELECT order_no, erp_uuid, erp_number FROM order_outbox ORDER BY 1" \
    "SELECT external_ref, uuid, number FROM orders
     WHERE external_ref LIKE 'WEB/%' ORDER BY 1"
same "the ERP has the lines as the portal sent them" \
    "SELECT order_no, json_extract(payload, '\$.lines[0].quantity'),
       json_extract(payload, '\$.lines[1].unit_net') FROM order_outbox ORDER BY 1" \
    "SELECT o.external_ref, l1.quantity, l2.unit_net FROM orders o
     JOIN order_line l1 ON l1.order_uuid = o.uuid AND l1.line_no = 1
     JOIN order_line l2 ON l2.order_uuid = o.uuid AND l2.line_no = 2
     WHERE o.external_ref LIKE 'WEB/%' ORDER BY 1"
looked=$(grep -c 'was already in the ERP' "$SYNC_LOG")
ok "unknown outcomes were resolved by looking the order up ($looked times)" \
    test "$looked" -gt 0
is "$(grep -c 'existed in the ERP' "$SYNC_LOG")" 0 \
    "no CreateOrder was ever sent for an order the ERP already had"
diag "rows that needed more than one attempt: $(pq "SELECT count(*)
    FROM order_outbox WHERE attempts > 1")"
simfault clear

# ---- a pusher died in the middle of a send ----------------------------------------

pq "UPDATE order_outbox SET state = 'sending', erp_uuid = NULL,
    erp_number = NULL, sent_at = NULL, lookup_first = 0,
    lease_until = $((FRAMUGA_NOW - 1)) WHERE order_no = 'WEB/000007'"
lines=$(wc -l <"$SYNC_LOG")
sync run order_push
is "$(pq "SELECT state FROM order_outbox WHERE order_no = 'WEB/000007'")" sent \
    "a row left 'sending' past its lease is taken up again"
like "$(tail -n +"$lines" "$SYNC_LOG")" 'WEB/000007 was already in the ERP' \
    "by looking it up first, not by sending it again"
is "$(sq "SELECT count(*) FROM orders WHERE external_ref = 'WEB/000007'")" 1 \
    "the ERP still has it once"

# ---- rejected by the ERP, re-sent on demand ---------------------------------------

CU=$(sq "SELECT uuid FROM customer WHERE active = 1 ORDER BY uuid LIMIT 1")
pq "INSERT INTO order_outbox (order_no, created_at, payload, updated_at)
    VALUES ('WEB/BAD1', $FRAMUGA_NOW, '{\"customer\": \"$CU\", \"currency\":
    \"PLN\", \"lines\": [{\"line_no\": 1, \"product\":
    \"0c41a1e2-dead-4000-8000-000000000000\", \"quantity\": 1000,
    \"unit_net\": 100}]}', $FRAMUGA_NOW),
    ('WEB/BAD2', $FRAMUGA_NOW, 'this is not JSON', $FRAMUGA_NOW)"
sync run order_push
is "$(pq "SELECT state FROM order_outbox WHERE order_no = 'WEB/BAD1'")" failed \
    "an order the ERP refuses (VALIDATION) is failed, not retried"
like "$(pq "SELECT last_error FROM order_outbox WHERE order_no = 'WEB/BAD1'")" \
    '^VALIDATION: .*field line' "with the ERP's message and the field"
like "$(pq "SELECT state || ' ' || last_error FROM order_outbox
    WHERE order_no = 'WEB/BAD2'")" '^failed payload is not JSON' \
    "a payload that is not JSON is refused before the ERP sees it"
is "$(last_run order_push status)" partial "the run is partial"
ok "framuga-sync resend puts a failed order back" sync resend WEB/BAD1
is "$(pq "SELECT state || lookup_first FROM order_outbox
    WHERE order_no = 'WEB/BAD1'")" queued1 "queued again, to be looked up first"
like "$(pq "SELECT run_once_at IS NOT NULL FROM sync_operation
    WHERE name = 'order_push'")" 1 "and order_push is asked to run"
sync resend WEB/000001
is "$SYNC_STATUS" 1 "a sent order cannot be re-sent"
is "$(sq "SELECT count(*) FROM orders WHERE external_ref LIKE 'WEB/BAD%'")" 0 \
    "the ERP has none of the bad orders"

done_testing
