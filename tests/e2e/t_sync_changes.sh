#!/bin/sh
# t_sync_changes.sh: incremental sync through the change queues (TAP).
#
# After a full sync, an ERP operator changes things with `oknoerp-sim op`
# (a price, a new individual price, an exchange rate, a block, a deleted
# product, a corrected order line, stock, a shipment, an invoice).  One
# `framuga-sync --due` must bring exactly those changes: the rows whose
# sync_run_id moves, and the rows that disappear, are exactly the records
# in the simulator's change queues, the values are the operator's, the
# queues are acknowledged empty, and a further pass changes nothing.  Then
# the field masters (I4): a product field the portal owns survives an ERP
# change of that product, one the ERP owns follows it.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/sync_lib.sh"

FRAMUGA_SYNC_DOCS_MAX=100000
export FRAMUGA_SYNC_DOCS_MAX
sync_init changes --products 300 --customers 40 --individual-prices 2000 \
    --warehouses 3 --orders 60 --seed 11

T0=$(date +%s)
FRAMUGA_NOW=$T0
export FRAMUGA_NOW
ok "first full sync" sync --due
R=$(pq "SELECT max(id) FROM sync_run")

# ---- the operator's changes ------------------------------------------------------

# what to change: records the first sync brought, picked deterministically
P_PRICE=$(sq "SELECT p.code FROM product p JOIN price c ON c.product = p.uuid
    AND c.kind = 'catalogue' AND c.currency = 'PLN' AND c.langver = ''
    ORDER BY p.uuid LIMIT 1")
P_IND=$(sq "SELECT code FROM product ORDER BY uuid LIMIT 1 OFFSET 3")
C_IND=$(sq "SELECT code FROM customer ORDER BY uuid LIMIT 1 OFFSET 2")
C_BLOCK=$(sq "SELECT code FROM customer WHERE blocked = 0 ORDER BY uuid
    LIMIT 1 OFFSET 5")
P_DEL=$(sq "SELECT code FROM product WHERE uuid IN (SELECT product FROM stock)
    AND code NOT IN ('$P_PRICE', '$P_IND') ORDER BY uuid LIMIT 1 OFFSET 9")
P_DEL_UUID=$(sq "SELECT uuid FROM product WHERE code = '$P_DEL'")
O_CORR=$(sq "SELECT number FROM orders WHERE status IN ('new', 'accepted')
    ORDER BY uuid LIMIT 1")
O_SHIP=$(sq "SELECT number FROM orders WHERE status IN ('released', 'ready')
    AND number <> '$O_CORR' ORDER BY uuid LIMIT 1")
O_INV=$(sq "SELECT o.number FROM orders o WHERE o.uuid NOT IN (SELECT order_uuid
    FROM invoice) AND o.number NOT IN ('$O_CORR', '$O_SHIP')
    AND o.status <> 'cancelled' ORDER BY o.uuid LIMIT 1")
W=$(sq "SELECT code FROM warehouse ORDER BY uuid LIMIT 1")
P_STOCK=$(sq "SELECT p.code FROM product p JOIN stock s ON s.product = p.uuid
    JOIN warehouse w ON w.uuid = s.warehouse AND w.code = '$W'
    WHERE p.code NOT IN ('$P_DEL') ORDER BY p.uuid LIMIT 1")
OLD_REV=$(pq "SELECT revision FROM erp_order WHERE number = '$O_CORR'")
diag "price $P_PRICE, individual $P_IND/$C_IND, block $C_BLOCK, delete $P_DEL"
diag "correct $O_CORR, ship $O_SHIP, invoice $O_INV, stock $W/$P_STOCK"

ok "operator: change a catalogue price" \
    simop set-price --product "$P_PRICE" --amount 123456
ok "operator: a new individual price" simop set-price --product "$P_IND" \
    --amount 4242 --kind customer --customer "$C_IND"
ok "operator: a new EUR rate" simop set-rate --currency EUR --rate 4.5123
ok "operator: block a customer" \
    simop block --customer "$C_BLOCK" --reason "Zaległe płatności > 30 dni"
ok "operator: delete a product" simop delete-product --product "$P_DEL"
ok "operator: correct an order line" simop correct-order-line \
    --order "$O_CORR" --line 1 --quantity 7000 --note "Zmiana ilości"
ok "operator: set stock" simop set-stock --warehouse "$W" \
    --product "$P_STOCK" --quantity 12500
ok "operator: ship an order" simop ship --order "$O_SHIP" --carrier DPD \
    --waybill 0000123456789
ok "operator: invoice an order" simop invoice --order "$O_INV"

# the change queues, as the ERP holds them now: what must arrive
sq "SELECT entity || ' ' || uuid FROM changes ORDER BY 1" >"$E2E_RUNDIR/queued"
diag "$(cut -d' ' -f1 "$E2E_RUNDIR/queued" | sort | uniq -c | tr '\n' ' ')"

# an hour later everything but the daily operations is due
FRAMUGA_NOW=$((T0 + 3601))
ok "one --due pass" sync --due
is "$(sq "SELECT count(*) FROM changes")" 0 "every change queue is acknowledged empty"
is "$(pq "SELECT count(*) FROM sync_run WHERE id > $R AND status <> 'ok'")" 0 \
    "every run was ok"

# ---- exactly those changes ---------------------------------------------------------

# entity -> portal table; a row whose sync_run_id moved, or that is gone,
# is a change; it must be in the ERP's queue, and everything in the queue
# must have arrived
: >"$E2E_RUNDIR/changed"
for pair in category:category product:product price:price currency:currency \
    warehouse:warehouse stock:stock customer:customer ruleset:ruleset \
    order:erp_order invoice:invoice; do
	ent=${pair%%:*} tab=${pair#*:}
	pq "SELECT '$ent ' || erp_uuid FROM $tab WHERE sync_run_id > $R" \
	    >>"$E2E_RUNDIR/changed"
done
# hard deletions: queued uuids of prices and stock the portal no longer has
grep -E '^(price|stock) ' "$E2E_RUNDIR/queued" | while read -r ent u; do
	tab=$ent
	[ "$(pq "SELECT count(*) FROM $tab WHERE erp_uuid = '$u'")" = 0 ] &&
	    echo "$ent $u"
done >>"$E2E_RUNDIR/changed"
sort -u -o "$E2E_RUNDIR/changed" "$E2E_RUNDIR/changed"
if cmp -s "$E2E_RUNDIR/changed" "$E2E_RUNDIR/queued"; then
	pass "the rows written or deleted are exactly the queued changes ($(wc -l <"$E2E_RUNDIR/queued"))"
else
	fail "the rows written or deleted are exactly the queued changes"
	diag "$(diff "$E2E_RUNDIR/changed" "$E2E_RUNDIR/queued" | head -10)"
fi
is "$(pq "SELECT sum(upserted) + sum(deleted) FROM sync_run WHERE id > $R")" \
    "$(wc -l <"$E2E_RUNDIR/queued" | tr -d ' ')" \
    "the runs' counts add up to the same number"

# ---- the values ---------------------------------------------------------------------

is "$(pq "SELECT p.amount FROM price p JOIN product pr ON pr.id = p.product_id
    WHERE pr.code = '$P_PRICE' AND p.kind = 'catalogue' AND p.currency = 'PLN'
    AND p.lang = ''")" 123456 "the catalogue price is the operator's"
is "$(pq "SELECT p.amount FROM price p JOIN product pr ON pr.id = p.product_id
    JOIN customer c ON c.id = p.customer_id WHERE pr.code = '$P_IND'
    AND c.code = '$C_IND' AND p.kind = 'individual'")" 4242 \
    "the new individual price is there"
is "$(pq "SELECT rate_e6 FROM currency WHERE code = 'EUR'")" 4512300 \
    "EUR is at the new rate"
is "$(pq "SELECT count(*) FROM exchange_rate WHERE currency = 'EUR'")" 2 \
    "and the old rate stays in the history"
is "$(pq "SELECT blocked || '|' || blocked_reason FROM customer
    WHERE code = '$C_BLOCK'")" "1|Zaległe płatności > 30 dni" \
    "the customer is blocked, with the reason"
is "$(pq "SELECT deleted_at IS NOT NULL FROM product WHERE code = '$P_DEL'")" 1 \
    "the deleted product is marked deleted"
is "$(pq "SELECT (SELECT count(*) FROM price WHERE product_id = p.id)
    + (SELECT count(*) FROM stock WHERE product_id = p.id)
    FROM product p WHERE code = '$P_DEL'")" 0 "its prices and stock are gone"
is "$(pq "SELECT count(*) FROM product_relation WHERE other_uuid = '$P_DEL_UUID'")" 0 \
    "no product names it as related or substitute any more"
is "$(pq "SELECT revision FROM erp_order WHERE number = '$O_CORR'")" \
    "$((OLD_REV + 1))" "the corrected order has the next revision"
is "$(pq "SELECT corrected_at IS NOT NULL, correction_note FROM erp_order
    WHERE number = '$O_CORR'" | tr '\n' ' ')" "1|Zmiana ilości " \
    "it is marked corrected, with the operator's note"
is "$(pq "SELECT l.qty_milli FROM erp_order_line l JOIN erp_order o
    ON o.id = l.order_id WHERE o.number = '$O_CORR' AND l.line_no = 1")" 7000 \
    "the corrected line has the new quantity"
is "$(pq "SELECT s.qty_milli FROM stock s JOIN product p ON p.id = s.product_id
    JOIN warehouse w ON w.id = s.warehouse_id WHERE p.code = '$P_STOCK'
    AND w.code = '$W'")" 12500 "the stock is the operator's"
is "$(pq "SELECT status || '|' || carrier || '|' || waybill FROM erp_order
    WHERE number = '$O_SHIP'")" "shipped|DPD|0000123456789" \
    "the shipment: status, carrier and waybill"
sim_ksef=$(sq "SELECT ksef FROM invoice i JOIN orders o ON o.uuid = i.order_uuid
    WHERE o.number = '$O_INV'")
is "$(pq "SELECT i.ksef_number || '|' || (i.pdf_sha256 IS NOT NULL) FROM invoice i
    JOIN erp_order o ON o.erp_uuid = i.order_uuid WHERE o.number = '$O_INV'")" \
    "$sim_ksef|1" "the new invoice is there with its KSeF number and PDF"

# ---- and then nothing -----------------------------------------------------------------

R2=$(pq "SELECT max(id) FROM sync_run")
FRAMUGA_NOW=$((T0 + 7300))
ok "another pass" sync --due
is "$(pq "SELECT sum(upserted) + sum(deleted) FROM sync_run WHERE id > $R2")" 0 \
    "with no change in the ERP, nothing is written"

# ---- field masters (I4) ------------------------------------------------------------------

PM=$(sq "SELECT uuid FROM product ORDER BY uuid DESC LIMIT 1")
pq "UPDATE field_master SET master = 'portal' WHERE field = 'product.name';
    UPDATE product_text SET name = 'Nazwa z portalu' WHERE lang = 'pl'
      AND product_id = (SELECT id FROM product WHERE erp_uuid = '$PM');"
# the ERP changes that product's name and unit (no operator verb for it:
# the store is changed and the change registered as the ERP would)
sq "UPDATE product SET name_pl = 'Nazwa z ERP', unit = 'kpl' WHERE uuid = '$PM';
    INSERT OR REPLACE INTO changes (entity, uuid, changed)
    VALUES ('product', '$PM', strftime('%s', 'now'));"
ok "products run with a portal-owned name" sync run products
is "$(pq "SELECT t.name || '|' || p.unit FROM product p JOIN product_text t
    ON t.product_id = p.id AND t.lang = 'pl' WHERE p.erp_uuid = '$PM'")" \
    "Nazwa z portalu|kpl" "the portal's name stays, the ERP's unit arrives"
pq "UPDATE field_master SET master = 'erp' WHERE field = 'product.name'"
ok "a full products pull after the name goes back to the ERP" \
    sync run products --full
is "$(pq "SELECT t.name FROM product p JOIN product_text t ON t.product_id = p.id
    AND t.lang = 'pl' WHERE p.erp_uuid = '$PM'")" "Nazwa z ERP" \
    "now the ERP's name is written"

done_testing
