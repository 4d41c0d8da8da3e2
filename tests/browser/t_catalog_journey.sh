#!/bin/sh
# t_catalog_journey.sh: the catalogue journey in Chromium (issue 5): the
# real stack (nginx + framuga-fcgi) on a small catalogue that oknoerp-sim
# generates and framuga-sync pulls, a dealer (a buyer of one customer) with
# a hand-made individual price on one product and exact stock for their
# group; catalog_journey.mjs logs in, browses, sorts, searches, opens the
# product and checks the price and stock are the dealer's own.  Its TAP is
# ours; screenshots go to tests/artifacts/browser/.  Without Chromium or
# the npm modules the test is skipped, unless FRAMUGA_REQUIRE_BROWSER=1
# (CI), where that is a failure.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/lib.sh"

bdir=$top_srcdir/tests/browser
if [ ! -x /usr/bin/chromium ] || [ ! -d "$bdir/node_modules/playwright-core" ]; then
	[ "${FRAMUGA_REQUIRE_BROWSER:-0}" = 1 ] &&
	    bail_out "Chromium or playwright-core missing (npm install in tests/browser)"
	skip_all "Chromium or playwright-core not installed"
fi
. "$top_srcdir/tests/e2e/sync_lib.sh"
sync_init catalog-journey --products 120 --customers 4 --individual-prices 100 \
    --warehouses 2 --orders 0 --seed 5
sync --due || bail_out "framuga-sync failed: $(tail -3 "$SYNC_LOG")"
e2e_start
PW=okno-drzwi-parapet

# The dealer's customer (group J, PLN) and another one (group K).
CUST=$(pq "SELECT id FROM customer ORDER BY id LIMIT 1")
OTHER=$(pq "SELECT id FROM customer ORDER BY id LIMIT 1 OFFSET 1")
vis="p.deleted_at IS NULL AND p.active = 1 AND EXISTS (SELECT 1 FROM
    product_visibility v WHERE v.product_id = p.id AND v.lang = 'pl')"
CAT_UUID=$(pq "SELECT p.category_uuid FROM product p WHERE $vis
    GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
CAT=$(pq "SELECT id FROM category WHERE erp_uuid = '$CAT_UUID'")
PROD=$(pq "SELECT p.id FROM product p WHERE $vis AND p.category_uuid = '$CAT_UUID' ORDER BY p.code LIMIT 1")
[ -n "$PROD" ] || bail_out "no product"
WH=$(pq "SELECT id FROM warehouse WHERE active = 1 ORDER BY id LIMIT 1")
pq "UPDATE customer SET grp = 'J', currency = 'PLN', default_warehouse_uuid =
      (SELECT erp_uuid FROM warehouse WHERE id = $WH) WHERE id = $CUST;
    UPDATE customer SET grp = 'K', currency = 'PLN' WHERE id = $OTHER;
    UPDATE product SET vat_bp = 2300 WHERE id = $PROD;
    UPDATE product_text SET name = 'Okno dachowe żółte testowe' WHERE product_id = $PROD AND lang = 'pl';
    DELETE FROM price WHERE product_id = $PROD;
    INSERT INTO price (erp_uuid, product_id, kind, customer_id, grp, currency,
      lang, amount, updated_at) VALUES
    ('j-cat', $PROD, 'catalogue', NULL, '', 'PLN', '', 20000, 0),
    ('j-ind', $PROD, 'individual', $CUST, '', 'PLN', '', 12345, 0),
    ('j-oth', $PROD, 'individual', $OTHER, '', 'PLN', '', 9876, 0);
    DELETE FROM stock WHERE product_id = $PROD;
    INSERT INTO stock (erp_uuid, product_id, warehouse_id, qty_milli, updated_at)
      VALUES ('j-s', $PROD, $WH, 7000, 0);
    INSERT INTO meta (key, value) VALUES ('catalog.stock.J', 'exact')" ||
    bail_out "test data"
code=$(pq "SELECT code FROM customer WHERE id = $CUST")
echo "$PW" | "$top_builddir/framuga-user" -c "$E2E_CONF" add \
    --email handlowiec@dealer.pl --name "Henryk Handlowiec" --password-stdin \
    --customer "$code" --role buyer >/dev/null || bail_out "framuga-user add failed"
# An attribute filter the product passes: one of its values the
# category's facets offer (grouped by the sync), and how many have it.
F=$(pq "SELECT f.name || char(9) || f.value || char(9) || f.n FROM catalog_facet f
    JOIN product_attr a ON a.product_id = $PROD AND a.code = f.code
    AND a.value = f.value AND a.lang IN ('pl', '')
    WHERE f.category_uuid = '$CAT_UUID' AND f.lang = 'pl' ORDER BY f.n LIMIT 1")
[ -n "$F" ] || bail_out "the product has no attribute to filter by"
FNAME=$(printf '%s' "$F" | cut -f1)
FVALUE=$(printf '%s' "$F" | cut -f2)
FN=$(printf '%s' "$F" | cut -f3)
ARTIFACTS=$top_builddir/tests/artifacts/browser
EMAIL=handlowiec@dealer.pl
export ARTIFACTS PW EMAIL CAT PROD FNAME FVALUE FN
node "$bdir/catalog_journey.mjs" "$E2E_URL"
