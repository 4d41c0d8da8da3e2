#!/bin/sh
# t_stock_total.sh: stock_total (db/0007_catalog_lists.sql), the per-product
# stock the catalogue's lists read, stays equal to the sum it stands for
# (positive quantities in active warehouses) whatever changes the stock
# (TAP).
#
# The data comes the real way (oknoerp-sim generates, framuga-sync pulls);
# then the ERP changes stock and the sync brings it, and the rows are also
# changed directly (a warehouse switched off and on, a row moved to another
# product, rows and a product deleted), the ways framuga-sync's apply and
# prune code can write them.  After each step the table is compared with
# the sum computed from scratch, row for row.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/sync_lib.sh"

sync_init stock-total --products 60 --customers 2 --individual-prices 0 \
    --warehouses 3 --orders 0 --seed 5
ok "framuga-sync fills the portal" sync --due

# The sum from scratch, and stock_total, as "product qty" lines; products
# whose sum is 0 may have a row of 0 or none.
TRUTH="SELECT p.id, coalesce((SELECT sum(s.qty_milli) FROM stock s
    JOIN warehouse w ON w.id = s.warehouse_id AND w.active = 1
    WHERE s.product_id = p.id AND s.qty_milli > 0), 0) AS q
    FROM product p WHERE q <> 0 ORDER BY p.id"
TOTAL="SELECT product_id, qty_milli FROM stock_total WHERE qty_milli <> 0
    ORDER BY product_id"
agree() {
	pq "$TRUTH" >"$E2E_RUNDIR/truth"
	pq "$TOTAL" >"$E2E_RUNDIR/total"
	if cmp -s "$E2E_RUNDIR/truth" "$E2E_RUNDIR/total" &&
	    [ -s "$E2E_RUNDIR/truth" ]; then
		pass "$1 ($(wc -l <"$E2E_RUNDIR/truth") products with stock)"
	else
		fail "$1"
		diag "$(diff "$E2E_RUNDIR/truth" "$E2E_RUNDIR/total" | head -6)"
	fi
}

agree "after the first sync the totals are the sums"
is "$(pq "SELECT count(*) FROM stock_total WHERE product_id NOT IN (SELECT id FROM product)")" 0 \
    "no total for a product that does not exist"

P=$(pq "SELECT product_id FROM stock GROUP BY product_id HAVING count(*) >= 2 LIMIT 1")
PU=$(pq "SELECT erp_uuid FROM product WHERE id = $P")
W=$(pq "SELECT w.erp_uuid FROM stock s JOIN warehouse w ON w.id = s.warehouse_id WHERE s.product_id = $P LIMIT 1")
ok "the ERP sets a stock level" simop set-stock --warehouse "$W" --product "$PU" --quantity 123456
sync_out run stock >"$E2E_RUNDIR/stock.out" 2>&1; is "$?" 0 "and the sync brings it" || diag "$(tail -5 "$E2E_RUNDIR/stock.out")"
is "$(pq "SELECT qty_milli FROM stock s JOIN warehouse w ON w.id = s.warehouse_id WHERE s.product_id = $P AND w.erp_uuid = '$W'")" 123456 \
    "the stock row has the new level"
agree "after a synced change the totals are the sums"

WID=$(pq "SELECT id FROM warehouse WHERE erp_uuid = '$W'")
pq "UPDATE warehouse SET active = 0 WHERE id = $WID"
agree "a warehouse switched off leaves the totals"
is "$(pq "SELECT qty_milli FROM stock_total WHERE product_id = $P")" \
    "$(pq "SELECT coalesce(sum(qty_milli), 0) FROM stock WHERE product_id = $P AND warehouse_id <> $WID AND qty_milli > 0")" \
    "the product's total is the other warehouses' stock"
pq "UPDATE warehouse SET active = 1 WHERE id = $WID"
agree "switched on again, it counts again"

pq "UPDATE stock SET qty_milli = -5000 WHERE product_id = $P AND warehouse_id = $WID"
agree "a negative quantity counts as none"
Q=$(pq "SELECT product_id FROM stock WHERE product_id <> $P LIMIT 1")
pq "UPDATE stock SET product_id = $Q, qty_milli = 7000 WHERE product_id = $P AND warehouse_id = $WID"
agree "a row moved to another product moves its stock"
pq "DELETE FROM stock WHERE product_id = $Q"
agree "deleted rows leave the totals"
is "$(pq "SELECT coalesce(max(qty_milli), 0) FROM stock_total WHERE product_id = $Q")" 0 \
    "a product without stock rows has no stock"
pq "PRAGMA foreign_keys = ON; DELETE FROM product WHERE id = $P"
is "$(pq "SELECT count(*) FROM stock_total WHERE product_id = $P")" 0 \
    "a deleted product's total goes with it"
agree "and the others stay right"

# what the catalogue shows is the total
is "$(pq "EXPLAIN QUERY PLAN SELECT j.key, k.qty_milli FROM json_each('[1,2]') j
    CROSS JOIN stock_total k ON k.product_id = j.value" | grep -c 'SCAN k')" 0 \
    "the lists read stock_total by its key, no scan"

done_testing
