#!/bin/sh
# t_catalog_cache.sh: the catalogue pages through a worker's cache
# (cgi-src/lib/qcache.h, db/0010_catalog_generation.sql; TAP).
#
# One worker, so that every request meets the same cache.  A page is
# viewed first (so its rows are cached), then the ERP changes something
# and framuga-sync brings it, or the database is changed directly the way
# a writer other than the sync would; the next view must show the change:
# a group price, the stock, a product deleted in the ERP, a renamed and a
# hidden product.  And the cache never mixes customers: two customers of
# different groups alternate on the same page and each sees their own
# price, and an individual price is one customer's only.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/sync_lib.sh"

E2E_WORKERS=1
sync_init catalog-cache --products 120 --customers 6 \
    --individual-prices 100 --warehouses 2 --orders 0 --seed 5
ok "framuga-sync fills the portal" sync --due
e2e_start
PW=okno-drzwi-parapet
USER_TOOL=$top_builddir/framuga-user

# ---- data ----------------------------------------------------------------------------
A=$(pq "SELECT id FROM customer ORDER BY id LIMIT 1")
B=$(pq "SELECT id FROM customer ORDER BY id LIMIT 1 OFFSET 1")
pq "UPDATE customer SET grp = 'A', currency = 'PLN' WHERE id = $A;
    UPDATE customer SET grp = 'B', currency = 'PLN' WHERE id = $B;
    INSERT INTO meta (key, value) VALUES ('catalog.stock.', 'exact')
      ON CONFLICT (key) DO UPDATE SET value = 'exact'"
vis="p.deleted_at IS NULL AND p.active = 1 AND EXISTS (SELECT 1 FROM
    product_visibility v WHERE v.product_id = p.id AND v.lang = 'pl')"
CAT_UUID=$(pq "SELECT p.category_uuid FROM product p WHERE $vis
    GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
CAT=$(pq "SELECT id FROM category WHERE erp_uuid = '$CAT_UUID'")
# P1 and P2: the first two by name, so on the first page
P1=$(pq "SELECT p.id FROM product p JOIN product_text t ON t.product_id = p.id
    AND t.lang = 'pl' WHERE $vis AND p.category_uuid = '$CAT_UUID'
    ORDER BY t.name, p.id LIMIT 1")
P2=$(pq "SELECT p.id FROM product p JOIN product_text t ON t.product_id = p.id
    AND t.lang = 'pl' WHERE $vis AND p.category_uuid = '$CAT_UUID'
    AND p.id <> $P1 ORDER BY t.name, p.id LIMIT 1")
[ -n "$P2" ] || bail_out "no category with two products"
P1U=$(pq "SELECT erp_uuid FROM product WHERE id = $P1")
P1CODE=$(pq "SELECT code FROM product WHERE id = $P1")
P2U=$(pq "SELECT erp_uuid FROM product WHERE id = $P2")
# P1's prices in the ERP, by hand: catalogue 100,00, group A 80,00, group
# B 90,00, and no individual price for A or B; the sync brings them.
sq "DELETE FROM price WHERE product = '$P1U'"
ok "the ERP prices P1 for the catalogue" simop set-price --product "$P1U" \
    --amount 10000
ok "for group A" simop set-price --product "$P1U" --amount 8000 \
    --kind group --group A
ok "for group B" simop set-price --product "$P1U" --amount 9000 \
    --kind group --group B
ok "the sync brings the prices" sync run prices --full
pq "DELETE FROM price WHERE product_id = $P1 AND customer_id IS NOT NULL"

adduser() {	# EMAIL CUSTOMER-ID
	_code=$(pq "SELECT code FROM customer WHERE id = $2")
	echo "$PW" | "$USER_TOOL" -c "$E2E_CONF" add --email "$1" --name "Kupiec" \
	    --password-stdin --customer "$_code" --role buyer >>"$E2E_RUNDIR/users.log" 2>&1
}
login() {	# JAR EMAIL
	http_get /login -b "$1" -c "$1"
	_t=$(http_body | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
	http_request POST /login -b "$1" -c "$1" --data-urlencode "csrf=$_t" \
	    --data-urlencode "email=$2" --data-urlencode "password=$PW"
	[ "$HTTP_STATUS" = 303 ] || bail_out "login as $2 failed ($HTTP_STATUS)"
}
adduser kupiec@a.test "$A" && adduser kupiec@b.test "$B" ||
    bail_out "cannot add the users"
JA=$E2E_RUNDIR/a.jar JB=$E2E_RUNDIR/b.jar
login "$JA" kupiec@a.test
login "$JB" kupiec@b.test

# The row of product id on the page: one line, from its link on.
row() { tr -d '\n' <"$HTTP_BODY" | sed 's/<tr>/\n<tr>/g' | grep "href=\"/catalog/p/$1\"" | head -1; }
# Its net price and stock, digits only.
net() { row "$1" | sed -n 's/.*class="num price-net">\([^<]*\)<.*/\1/p' | tr -cd '0-9'; }
stock() { row "$1" | sed -n 's/.*class="stock[^"]*">\([^<]*\)<.*/\1/p' | tr -cd '0-9'; }
list() { http_get "/catalog/c/$CAT" -b "$1"; }
find_p1() { http_get "/catalog/search?q=$P1CODE" -b "$1"; }

# ---- customers do not mix -------------------------------------------------------------
for i in 1 2 3; do
	list "$JA"; a=$(net "$P1")
	list "$JB"; b=$(net "$P1")
	find_p1 "$JA"; sa=$(net "$P1")
	find_p1 "$JB"; sb=$(net "$P1")
	[ "$a$b$sa$sb" = "8000900080009000" ] || break
done
is "$a" 8000 "A sees group A's price on the list, view after view"
is "$b" 9000 "B, on the same page of the same worker, group B's"
is "$sa/$sb" "8000/9000" "and so in search"

# ---- what the sync brings ---------------------------------------------------------------
ok "the ERP changes group A's price" simop set-price --product "$P1U" \
    --amount 7700 --kind group --group A
ok "the sync brings it" sync run prices
list "$JA"
is "$(net "$P1")" 7700 "A's list shows the new group price"
find_p1 "$JA"
is "$(net "$P1")" 7700 "and search"
list "$JB"
is "$(net "$P1")" 9000 "B's stays"

W=$(pq "SELECT w.erp_uuid FROM warehouse w WHERE w.active = 1 ORDER BY w.id LIMIT 1")
list "$JA"
before=$(stock "$P1")
ok "the ERP sets P1's stock in one warehouse" simop set-stock --warehouse "$W" \
    --product "$P1U" --quantity 4321000
ok "the sync brings it" sync run stock
want=$(pq "SELECT qty_milli / 1000 FROM stock_total WHERE product_id = $P1")
list "$JA"
is "$(stock "$P1")" "$want" "the list shows the new stock ($before -> $want)"

ok "an individual price for A only" simop set-price --product "$P1U" \
    --amount 6100 --kind customer --customer "$(pq "SELECT erp_uuid FROM customer WHERE id = $A")"
ok "the sync brings it" sync run prices
list "$JA"
is "$(net "$P1")" 6100 "A sees it at once (individual prices are never cached)"
list "$JB"
is "$(net "$P1")" 9000 "B does not"

list "$JA"
like "$(row "$P2")" "catalog/p/$P2" "P2 is listed"
ok "the ERP deletes P2" simop delete-product --product "$P2U"
ok "the sync brings it" sync run products
list "$JA"
is "$(row "$P2")" "" "P2 is gone from the list"

# ---- other writers ------------------------------------------------------------------
find_p1 "$JA"
pq "UPDATE product_text SET name = 'Parapet przemianowany' WHERE product_id = $P1 AND lang = 'pl'"
list "$JA"
like "$(row "$P1")" "Parapet przemianowany" "a renamed product shows its new name"
find_p1 "$JA"
like "$(row "$P1")" "Parapet przemianowany" "in search too"
pq "DELETE FROM product_visibility WHERE product_id = $P1 AND lang = 'pl'"
list "$JA"
is "$(row "$P1")" "" "a product hidden in Polish leaves the list"
find_p1 "$JA"
is "$(row "$P1")" "" "and search"
http_get "/catalog/p/$P1" -b "$JA"
is "$HTTP_STATUS" 404 "and its page"

# ---- the worker's log --------------------------------------------------------------
unlike "$(cat "$E2E_FCGI_LOG")" "qcache: .*not cached" \
    "every catalogue statement could be cached"
# the pages above were answered from the cache, not only correctly: the
# worker says so when it ends
e2e_stop_fcgi
hits=$(sed -n 's/.*result cache: \([0-9]*\) hits.*/\1/p' "$E2E_FCGI_LOG" | tail -1)
ok "the worker's cache answered ($hits hits, by its exit line)" test "${hits:-0}" -gt 10

done_testing
