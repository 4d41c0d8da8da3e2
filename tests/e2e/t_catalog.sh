#!/bin/sh
# t_catalog.sh: the catalogue pages end to end (issue 5: C1-C3, C5; TAP).
#
# The portal database is filled the real way: oknoerp-sim generates a small
# catalogue and framuga-sync pulls it (sync_lib.sh).  On top, a hand-made
# price list for one product (catalogue, group A, an individual price for
# customer A and one for customer B) gives hand-checked figures:
#  - customer A (group A, PLN): their own 70.00 net, 86.10 gross;
#  - customer E (group A, EUR at the ERP's 4.2713): group A's 80.00 PLN
#    converted, 8000 x 10^6 / 4271300 = 1872.97 -> 18.73 net, 23.04 gross;
#  - a user of A without prices.view sees no price at all;
#  - on every list page A's user sees, each price shown equals the one the
#    database gives for A (individual, else group, else catalogue), so B's
#    individual prices never show; B's marker price never appears anywhere;
#  - a product hidden in the Polish version is absent from the list and
#    from search, and its URL answers 404;
#  - search: "okno" finds "Okno", "zolty" finds "żółty", an exact code
#    comes first.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/sync_lib.sh"

sync_init catalog --products 150 --customers 6 --individual-prices 200 \
    --warehouses 2 --orders 0 --seed 11
ok "framuga-sync fills the portal" sync --due
e2e_start
PW=okno-drzwi-parapet
USER_TOOL=$top_builddir/framuga-user

# ---- data ------------------------------------------------------------------------
# Three customers: A (group A, PLN), E (group A, EUR), B (the other one).
A=$(pq "SELECT id FROM customer ORDER BY id LIMIT 1")
E=$(pq "SELECT id FROM customer ORDER BY id LIMIT 1 OFFSET 1")
B=$(pq "SELECT id FROM customer ORDER BY id LIMIT 1 OFFSET 2")
pq "UPDATE customer SET grp = 'A', currency = 'PLN' WHERE id = $A;
    UPDATE customer SET grp = 'A', currency = 'EUR' WHERE id = $E;
    UPDATE customer SET grp = 'B', currency = 'PLN' WHERE id = $B"
is "$(pq "SELECT rate_e6 FROM currency WHERE code = 'EUR'")" 4271300 \
    "the ERP's EUR rate is 4.2713"
# Products visible in Polish with a Polish text, by category.
vis="p.deleted_at IS NULL AND p.active = 1 AND EXISTS (SELECT 1 FROM
    product_visibility v WHERE v.product_id = p.id AND v.lang = 'pl')"
CAT_UUID=$(pq "SELECT p.category_uuid FROM product p WHERE $vis
    GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
CAT=$(pq "SELECT id FROM category WHERE erp_uuid = '$CAT_UUID'")
P1=$(pq "SELECT p.id FROM product p WHERE $vis AND p.category_uuid = '$CAT_UUID' ORDER BY p.id LIMIT 1")
P2=$(pq "SELECT p.id FROM product p WHERE $vis AND p.category_uuid = '$CAT_UUID' ORDER BY p.id LIMIT 1 OFFSET 1")
P3=$(pq "SELECT p.id FROM product p WHERE $vis AND p.category_uuid = '$CAT_UUID' ORDER BY p.id LIMIT 1 OFFSET 2")
P4=$(pq "SELECT p.id FROM product p WHERE $vis AND p.category_uuid = '$CAT_UUID' ORDER BY p.id LIMIT 1 OFFSET 3")
[ -n "$P4" ] || bail_out "no category with four products"
pq "UPDATE product SET vat_bp = 2300 WHERE id = $P1;
    DELETE FROM price WHERE product_id = $P1;
    INSERT INTO price (erp_uuid, product_id, kind, customer_id, grp, currency,
      lang, amount, updated_at) VALUES
    ('t-cat', $P1, 'catalogue', NULL, '', 'PLN', '', 10000, 0),
    ('t-grp', $P1, 'group', NULL, 'A', 'PLN', '', 8000, 0),
    ('t-ind-a', $P1, 'individual', $A, '', 'PLN', '', 7000, 0),
    ('t-ind-b', $P1, 'individual', $B, '', 'PLN', '', 6543, 0)"
# Search fixtures: a name with "Okno" and "żółty"; P4's code, written
# into P3's description too, so that both match it.
P4CODE=$(pq "SELECT code FROM product WHERE id = $P4")
pq "UPDATE product_text SET name = 'Okno testowe żółty kolor' WHERE product_id = $P2 AND lang = 'pl';
    UPDATE product_text SET name = name || ' $P4CODE $P4CODE',
      description = 'Zamiennik $P4CODE, $P4CODE.' WHERE product_id = $P3 AND lang = 'pl'"

adduser() {	# EMAIL NAME CUSTOMER-ID ROLE
	_code=$(pq "SELECT code FROM customer WHERE id = $3")
	echo "$PW" | "$USER_TOOL" -c "$E2E_CONF" add --email "$1" --name "$2" \
	    --password-stdin --customer "$_code" --role "$4" >>"$E2E_RUNDIR/users.log" 2>&1
}
csrf_of() {
	http_get "$1" -b "$2" -c "$2"
	http_body | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1
}
login() {	# JAR EMAIL
	_t=$(csrf_of /login "$1")
	http_request POST /login -b "$1" -c "$1" --data-urlencode "csrf=$_t" \
	    --data-urlencode "email=$2" --data-urlencode "password=$PW"
	[ "$HTTP_STATUS" = 303 ] || bail_out "login as $2 failed ($HTTP_STATUS)"
}
ok "a buyer of A" adduser kupiec@a.test "Kupiec A" "$A" buyer
ok "a viewer of A (no prices.view)" adduser widz@a.test "Widz A" "$A" viewer
ok "a buyer of E (EUR)" adduser kupiec@e.test "Kupiec E" "$E" buyer
JA=$E2E_RUNDIR/a.jar JV=$E2E_RUNDIR/v.jar JE=$E2E_RUNDIR/e.jar
login "$JA" kupiec@a.test
login "$JV" widz@a.test
login "$JE" kupiec@e.test

# The text of a cell class on the page, digits only (minor units).
cell() { tr -d '\n' <"$HTTP_BODY" | grep -o "class=\"[a-z ]*$1\">[^<]*<" | sed 's/.*">//; s/<$//' | head -1; }
digits() { printf '%s' "$1" | tr -cd '0-9'; }

# ---- pages answer ---------------------------------------------------------------------
http_get /catalog -b "$JA"
is "$HTTP_STATUS" 200 "the category tree answers"
like "$(http_body)" "href=\"/catalog/c/$CAT\"" "it links the category"
http_get /catalog
is "$HTTP_STATUS" 403 "the catalogue needs a login"

# ---- prices: precedence and conversion ------------------------------------------------------
http_get "/catalog/p/$P1" -b "$JA"
is "$HTTP_STATUS" 200 "A's buyer opens the product"
is "$(digits "$(cell price-net)")" 7000 "A sees their individual price, 70,00 net"
is "$(digits "$(cell price-gross)" | cut -c1-4)" 8610 "and 86,10 gross (23 % VAT)"
like "$(cell price-net)" "zł" "in złoty"
http_get "/catalog/p/$P1" -b "$JE"
is "$(digits "$(cell price-net)")" 1873 "E (EUR) sees group A's 80,00 PLN as 18,73"
is "$(digits "$(cell price-gross)" | cut -c1-4)" 2304 "and 23,04 gross"
like "$(cell price-net)" "€|EUR" "in euro"
http_get "/catalog/p/$P1" -b "$JV"
is "$HTTP_STATUS" 200 "A's viewer opens the product"
unlike "$(http_body)" "70,00|86,10|Cena netto|price-net" "without prices.view: no price at all"
http_get "/catalog/c/$CAT" -b "$JV"
unlike "$(http_body)" "Cena netto|price-net" "nor in the list"

# ---- isolation: every price on A's list is A's own --------------------------------------------
expected_prices() {	# CUSTOMER SORT-COLUMN: the DB's price of each listed product
	pq "SELECT coalesce(
	  (SELECT amount FROM price WHERE product_id = p.id AND kind = 'individual'
	     AND customer_id = $1 AND currency = 'PLN' AND lang IN ('pl', '') ORDER BY lang DESC LIMIT 1),
	  (SELECT amount FROM price WHERE product_id = p.id AND kind = 'group' AND grp = 'A'
	     AND customer_id IS NULL AND currency = 'PLN' AND lang IN ('pl', '') ORDER BY lang DESC LIMIT 1),
	  (SELECT amount FROM price WHERE product_id = p.id AND kind = 'catalogue'
	     AND customer_id IS NULL AND currency = 'PLN' AND lang IN ('pl', '') ORDER BY lang DESC LIMIT 1), '-')
	 FROM product p JOIN product_text t ON t.product_id = p.id AND t.lang = 'pl'
	 WHERE $vis AND p.category_uuid = '$CAT_UUID' ORDER BY $2, p.id LIMIT 50"
}
shown_prices() {
	tr -d '\n' <"$HTTP_BODY" | grep -o 'class="num price-net">[^<]*<' |
	    sed 's/.*">//; s/<$//' | while read -r v; do
		d=$(digits "$v"); echo "${d:--}"; done
}
http_get "/catalog/c/$CAT?sort=code" -b "$JA"
is "$HTTP_STATUS" 200 "A's buyer lists the category by code"
shown_prices >"$E2E_RUNDIR/shown"
expected_prices "$A" p.code >"$E2E_RUNDIR/expected"
if cmp -s "$E2E_RUNDIR/shown" "$E2E_RUNDIR/expected" && [ -s "$E2E_RUNDIR/shown" ]; then
	pass "every price on A's list is A's own, as the database gives it ($(wc -l <"$E2E_RUNDIR/shown") rows)"
else
	fail "every price on A's list is A's own"
	diag "$(diff "$E2E_RUNDIR/shown" "$E2E_RUNDIR/expected" | head -8)"
fi
http_get "/catalog/c/$CAT" -b "$JA"
shown_prices >"$E2E_RUNDIR/shown"
expected_prices "$A" t.name >"$E2E_RUNDIR/expected"
ok "the same sorted by name" cmp -s "$E2E_RUNDIR/shown" "$E2E_RUNDIR/expected"
leaks=0
for page in "/catalog/c/$CAT" "/catalog/c/$CAT?sort=code" "/catalog/p/$P1" \
    "/catalog/search?q=$(pq "SELECT code FROM product WHERE id = $P1")"; do
	for j in "$JA" "$JE" "$JV"; do
		http_get "$page" -b "$j"
		grep -q '65,43' "$HTTP_BODY" && { leaks=$((leaks + 1)); diag "B's price on $page"; }
	done
done
is "$leaks" 0 "B's individual price (65,43) appears on no page of A or E"
# B's other individual prices: A's page of each such product shows A's.
others=$(pq "SELECT p.id FROM price x JOIN product p ON p.id = x.product_id
    WHERE x.customer_id = $B AND $vis AND NOT EXISTS (SELECT 1 FROM price y
    WHERE y.product_id = p.id AND y.customer_id = $A) LIMIT 5")
bad=0
for p in $others; do
	http_get "/catalog/p/$p" -b "$JA"
	want=$(pq "SELECT coalesce((SELECT amount FROM price WHERE product_id = $p AND kind = 'group' AND grp = 'A' AND currency = 'PLN' AND lang IN ('pl','') ORDER BY lang DESC LIMIT 1),
	    (SELECT amount FROM price WHERE product_id = $p AND kind = 'catalogue' AND currency = 'PLN' AND lang IN ('pl','') ORDER BY lang DESC LIMIT 1), '')")
	got=$(digits "$(cell price-net)")
	[ "$got" = "$want" ] || { bad=$((bad + 1)); diag "product $p: shown '$got', A's '$want'"; }
done
is "$bad" 0 "products with B's individual prices show A's price to A ($(echo $others | wc -w) checked)"

# ---- stock (C4): the rule of the customer's group, the default warehouse -------------
W1=$(pq "SELECT erp_uuid FROM warehouse WHERE active = 1 ORDER BY id LIMIT 1")
W2=$(pq "SELECT erp_uuid FROM warehouse WHERE active = 1 ORDER BY id LIMIT 1 OFFSET 1")
[ -n "$W2" ] || bail_out "no two warehouses"
W1NAME=$(pq "SELECT name FROM warehouse WHERE erp_uuid = '$W1'")
W2NAME=$(pq "SELECT name FROM warehouse WHERE erp_uuid = '$W2'")
pq "DELETE FROM stock WHERE product_id IN ($P1, $P2);
    INSERT INTO stock (erp_uuid, product_id, warehouse_id, qty_milli, updated_at) VALUES
    ('t-s1', $P1, (SELECT id FROM warehouse WHERE erp_uuid = '$W1'), 5000, 0),
    ('t-s2', $P1, (SELECT id FROM warehouse WHERE erp_uuid = '$W2'), 7000, 0);
    UPDATE product SET default_warehouse_uuid = '$W2' WHERE id = $P1;
    UPDATE customer SET default_warehouse_uuid = '' WHERE id = $A;
    DELETE FROM meta WHERE key LIKE 'catalog.stock.%'"
# "LEVEL TEXT" of the total (dd) and of the default warehouse (span)
stock_total() { tr -d '\n' <"$HTTP_BODY" | grep -o '<dd class="stock stock-[a-z]*">[^<]*<' | sed 's/.*stock-\([a-z]*\)">\(.*\)<$/\1 \2/' | head -1; }
stock_wh() { tr -d '\n' <"$HTTP_BODY" | grep -o '<dd class="warehouse">[^<]*<span class="stock stock-[a-z]*">[^<]*<' | sed 's/<dd class="warehouse">\(.*\): <span class="stock stock-\([a-z]*\)">\(.*\)<$/\1|\2 \3/' | head -1; }
stock_row() {	# PRODUCT-ID: the list row's stock cell, "LEVEL TEXT"
	tr -d '\n' <"$HTTP_BODY" | grep -o "href=\"/catalog/p/$1\">.*" | grep -o '<td class="stock stock-[a-z]*">[^<]*<' | sed 's/.*stock-\([a-z]*\)">\(.*\)<$/\1 \2/' | head -1
}
http_get "/catalog/p/$P1" -b "$JA"
is "$(stock_total)" "available dostępny" "no rule set: 12 units are 'available' (the default: level, low below 10)"
is "$(stock_wh)" "$W2NAME|low mało" "the product's default warehouse with its 7 units: 'low'"
unlike "$(http_body)" "(12|7) szt" "and no exact quantity"
pq "UPDATE customer SET default_warehouse_uuid = '$W1' WHERE id = $A"
http_get "/catalog/p/$P1" -b "$JA"
is "$(stock_wh)" "$W1NAME|low mało" "the customer's default warehouse wins over the product's"
http_get "/catalog/p/$P2" -b "$JA"
is "$(stock_total)" "none brak" "a product without stock: 'none'"
http_get "/catalog/c/$CAT?sort=code" -b "$JA"
is "$(stock_row "$P1")" "available dostępny" "the list shows the level too"
is "$(stock_row "$P2")" "none brak" "and 'none' for the product without stock"
pq "INSERT INTO meta (key, value) VALUES ('catalog.stock.A', 'exact')"
http_get "/catalog/p/$P1" -b "$JA"
is "$(stock_total)" "available 12 szt" "group A set to 'exact': A sees 12 units (whole units without decimals)"
is "$(stock_wh)" "$W1NAME|available 5 szt" "and 5 in their warehouse"
http_get "/catalog/p/$P1?lang=en" -b "$JA"
is "$(stock_total)" "available 12 pcs" "in English the unit is translated (szt: pcs)"
http_get "/catalog/p/$P1?lang=de" -b "$JA"
is "$(stock_total)" "available 12 Stk." "and in German (Stk.)"
pq "INSERT INTO meta (key, value) VALUES ('catalog.stock.', 'level:20000');
    INSERT INTO meta (key, value) VALUES ('catalog.stock.B', 'hidden')"
http_get "/catalog/p/$P1" -b "$JE"
is "$(stock_total)" "available 12 szt" "E (group A too) sees the same exact figure"
pq "UPDATE customer SET grp = 'C' WHERE id = $E"
http_get "/catalog/p/$P1" -b "$JE"
is "$(stock_total)" "low mało" "a group without a rule of its own takes the default rule (low below 20 units)"
pq "UPDATE customer SET grp = 'B' WHERE id = $E"
http_get "/catalog/p/$P1" -b "$JE"
unlike "$(http_body)" "Dostępność|class=\"stock|Magazyn domyślny" "group B 'hidden': no stock on the product page"
http_get "/catalog/c/$CAT?sort=code" -b "$JE"
unlike "$(http_body)" "Dostępność|class=\"stock" "nor a stock column in the list"
pq "UPDATE customer SET grp = 'A' WHERE id = $E;
    DELETE FROM meta WHERE key LIKE 'catalog.stock.%'"

# ---- search ------------------------------------------------------------------------------------------
first_hit() { grep -o 'href="/catalog/p/[0-9]*"' "$HTTP_BODY" | head -1 | tr -cd '0-9'; }
hits() { grep -o 'href="/catalog/p/[0-9]*"' "$HTTP_BODY" | tr -cd '0-9\n'; }
http_get "/catalog/search?q=okno" -b "$JA"
is "$HTTP_STATUS" 200 "search answers"
ok "'okno' finds 'Okno testowe'" sh -c "grep -o 'href=\"/catalog/p/[0-9]*\"' '$HTTP_BODY' | grep -qx 'href=\"/catalog/p/$P2\"'"
http_get "/catalog/search?q=zolty" -b "$JA"
ok "'zolty' finds 'żółty'" sh -c "grep -qx '$P2' <<EOT
$(hits)
EOT"
http_get "/catalog/search?q=%C5%BB%C3%93%C5%81TY" -b "$JA"
ok "'ŻÓŁTY' finds it too" sh -c "grep -qx '$P2' <<EOT
$(hits)
EOT"
lc=$(printf '%s' "$P4CODE" | tr 'A-Z' 'a-z')
http_get "/catalog/search?q=$lc" -b "$JA"
ok "the code '$lc' also matches a product that names it twice" sh -c "grep -qx '$P3' <<EOT
$(hits)
EOT"
is "$(first_hit)" "$P4" "the product with that exact code comes first"
is "$(hits | grep -cx "$P4")" "$(hits | grep -cx "$P3")" \
    "and only once (found by its code, not again among the full-text matches)"
http_get "/catalog/search?q=%22%29%20OR%20*" -b "$JA"
is "$HTTP_STATUS" 200 "FTS syntax in the query is only text"

# ---- visibility per language version ---------------------------------------------------------------
http_get "/catalog/c/$CAT?sort=code" -b "$JA"
like "$(http_body)" "/catalog/p/$P4\"" "before hiding, product $P4 is listed"
pq "DELETE FROM product_visibility WHERE product_id = $P4 AND lang = 'pl'"
http_get "/catalog/c/$CAT?sort=code" -b "$JA"
unlike "$(http_body)" "/catalog/p/$P4\"" "hidden in Polish: absent from the list by code"
http_get "/catalog/c/$CAT" -b "$JA"
unlike "$(http_body)" "/catalog/p/$P4\"" "and by name"
http_get "/catalog/search?q=$lc" -b "$JA"
unlike "$(http_body)" "/catalog/p/$P4\"" "and from search by its code"
http_get "/catalog/p/$P4" -b "$JA"
is "$HTTP_STATUS" 404 "its URL answers 404"
http_get "/catalog/p/$P3" -b "$JA"
unlike "$(http_body)" "/catalog/p/$P4\"" "and no related list links it"

# ---- files and photos: authorised by the app, sent by nginx (X-Accel-Redirect) --------
[ "$(pq "SELECT count(*) FROM product_file WHERE stored = 1")" -gt 0 ] || sync run files
FP=$(pq "SELECT f.product_id FROM product_file f JOIN product p ON p.id = f.product_id
    WHERE f.stored = 1 AND f.kind = 'file' AND $vis ORDER BY f.product_id LIMIT 1")
[ -n "$FP" ] || bail_out "no stored product file after the sync"
FSHA=$(pq "SELECT sha256 FROM product_file WHERE product_id = $FP AND stored = 1 AND kind = 'file' LIMIT 1")
http_get "/catalog/p/$FP" -b "$JA"
like "$(http_body)" "href=\"/catalog/p/$FP/f/$FSHA\"" "the product page links its file"
http_get "/catalog/p/$FP/f/$FSHA" -b "$JA"
is "$HTTP_STATUS" 200 "the download answers 200"
is "$(sha256sum <"$HTTP_BODY" | cut -d' ' -f1)" "$FSHA" "with the stored bytes (nginx sends them from the store)"
is "$(wc -c <"$HTTP_BODY" | tr -d ' ')" "$(pq "SELECT size FROM product_file WHERE product_id = $FP AND sha256 = '$FSHA' LIMIT 1")" "all of them"
like "$(http_header Content-Disposition)" "^attachment" "as an attachment"
PP=$(pq "SELECT f.product_id FROM product_file f JOIN product p ON p.id = f.product_id
    WHERE f.stored = 1 AND f.kind = 'photo' AND f.mime LIKE 'image/%' AND $vis ORDER BY f.product_id LIMIT 1")
PSHA=$(pq "SELECT sha256 FROM product_file WHERE product_id = $PP AND stored = 1 AND kind = 'photo' LIMIT 1")
http_get "/catalog/p/$PP" -b "$JA"
like "$(http_body)" "<img class=\"product-photo\" src=\"/catalog/p/$PP/f/$PSHA\"" "a photo is shown (the original, scaled by the browser)"
http_get "/catalog/p/$PP/f/$PSHA" -b "$JA"
PMIME=$(pq "SELECT mime FROM product_file WHERE product_id = $PP AND sha256 = '$PSHA' LIMIT 1")
like "$HTTP_STATUS $(http_header Content-Type)" "^200 $(printf '%s' "$PMIME" | sed 's/[+.]/\\&/g')(;|$)" "the photo answers with its image type ($PMIME)"
http_get "/catalog/p/$FP/f/$FSHA"
is "$HTTP_STATUS" 403 "no download without a login"
http_get "/_accel/store/$(printf '%s' "$FSHA" | cut -c1-2)/$FSHA" -b "$JA"
is "$HTTP_STATUS" 404 "the store's internal location is not reachable from outside"
# P4 is hidden in Polish: give it a stored file (the same content)
pq "INSERT INTO product_file (product_id, erp_uuid, kind, name, mime, size, sha256, sort, stored)
    VALUES ($P4, 't-file', 'file', 'ukryty.pdf', 'application/pdf', 1, '$FSHA', 0, 1)"
http_get "/catalog/p/$P4/f/$FSHA" -b "$JA"
is "$HTTP_STATUS" 404 "the file of a product hidden in the user's language: 404"
http_get "/catalog/p/$FP/f/$(printf '%064d' 0)" -b "$JA"
is "$HTTP_STATUS" 404 "a file the product does not have: 404"
http_get "/catalog/p/$FP/f/abc" -b "$JA"
is "$HTTP_STATUS" 404 "a malformed name: 404"

# ---- attribute filters (catalog_facet, regrouped by the sync) ---------------------------------------
nfacet=$(pq "SELECT count(*) FROM catalog_facet WHERE category_uuid = '$CAT_UUID' AND lang = 'pl'")
ok "the sync grouped the category's attributes ($nfacet values)" test "$nfacet" -gt 0
# the attribute of the category with the most values, and its most common value
FC=$(pq "SELECT code FROM catalog_facet WHERE category_uuid = '$CAT_UUID' AND lang = 'pl'
    GROUP BY code ORDER BY count(*) DESC, code LIMIT 1")
FV=$(pq "SELECT value FROM catalog_facet WHERE category_uuid = '$CAT_UUID' AND lang = 'pl'
    AND code = '$FC' ORDER BY n DESC, value LIMIT 1")
FN=$(pq "SELECT n FROM catalog_facet WHERE category_uuid = '$CAT_UUID' AND lang = 'pl'
    AND code = '$FC' AND value = '$FV'")
FNAME=$(pq "SELECT name FROM catalog_facet WHERE category_uuid = '$CAT_UUID' AND lang = 'pl' AND code = '$FC' LIMIT 1")
is "$FN" "$(pq "SELECT count(DISTINCT p.id) FROM product p JOIN product_attr a ON a.product_id = p.id
    AND a.lang IN ('pl', '') WHERE $vis AND p.category_uuid = '$CAT_UUID' AND a.code = '$FC' AND a.value = '$FV'")" \
    "the facet's count is the visible products with that value ($FC = $FV)"
http_get "/catalog/c/$CAT" -b "$JA"
like "$(http_body)" "<label for=\"f_$FC\">$FNAME</label>" "the category page offers the attribute as a filter"
like "$(http_body)" "<option value=\"$FV\">$FV[^<]* \($FN\)</option>" "with its values and counts"
FVQ=$(printf '%s' "$FV" | jq -sRr @uri 2>/dev/null || printf '%s' "$FV" | sed 's/ /%20/g')
http_get "/catalog/c/$CAT?sort=code&f_$FC=$FVQ" -b "$JA"
is "$HTTP_STATUS" 200 "a filtered list answers"
hits | sort -u >"$E2E_RUNDIR/filtered"
is "$(grep -c . "$E2E_RUNDIR/filtered")" "$(( FN > 50 ? 50 : FN ))" "it lists the products with that value (a page of them)"
bad=0
for id in $(cat "$E2E_RUNDIR/filtered"); do
	[ "$(pq "SELECT count(*) FROM product_attr WHERE product_id = $id AND code = '$FC'
	    AND lang IN ('pl', '') AND value = '$FV'")" -ge 1 ] || bad=$((bad + 1))
done
is "$bad" 0 "every product listed has the chosen value"
like "$(http_body)" "<option value=\"$FV\" selected>" "the chosen value stays selected"
like "$(http_body)" "href=\"/catalog/c/$CAT\\?sort=name&amp;f_$FC=" "the sort link keeps the filter"
if [ "$FN" -gt 50 ]; then
	like "$(http_body)" "rel=\"next\" href=\"/catalog/c/$CAT\\?sort=code&amp;f_$FC=" "the next page keeps the filter"
else
	pass "the next page keeps the filter (one page only: $FN)"
fi
# the counts follow the choice: another attribute's values count the
# products that pass the filter; the chosen attribute's other values count
# as if they replaced it (the category's count, with one filter)
with() {	# CODE VALUE [CODE VALUE]: visible products of the category with them
	_w="EXISTS (SELECT 1 FROM product_attr x WHERE x.product_id = p.id AND x.lang IN ('pl', '') AND x.code = '$1' AND x.value = '$2')"
	[ $# -ge 4 ] && _w="$_w AND EXISTS (SELECT 1 FROM product_attr y WHERE y.product_id = p.id AND y.lang IN ('pl', '') AND y.code = '$3' AND y.value = '$4')"
	pq "SELECT count(*) FROM product p WHERE $vis AND p.category_uuid = '$CAT_UUID' AND $_w"
}
FC2=$(pq "SELECT code FROM catalog_facet WHERE category_uuid = '$CAT_UUID' AND lang = 'pl'
    AND code <> '$FC' ORDER BY code LIMIT 1")
FV2=$(pq "SELECT value FROM catalog_facet WHERE category_uuid = '$CAT_UUID' AND lang = 'pl'
    AND code = '$FC2' ORDER BY n DESC, value LIMIT 1")
# another value of FC, where the second filter changes its count if any
# does (so that the two-filter check tells narrowed counts from plain)
FVX=
for v in $(pq "SELECT replace(value, ' ', '%20') FROM catalog_facet WHERE category_uuid = '$CAT_UUID'
    AND lang = 'pl' AND code = '$FC' AND value <> '$FV' ORDER BY value"); do
	v=$(printf '%s' "$v" | sed 's/%20/ /g')
	[ -z "$FVX" ] && FVX=$v
	if [ -n "$FC2" ] && [ "$(with "$FC" "$v")" != "$(with "$FC" "$v" "$FC2" "$FV2")" ]; then
		FVX=$v
		break
	fi
done
if [ -n "$FC2" ] && [ -n "$FVX" ]; then
	http_get "/catalog/c/$CAT?sort=code&f_$FC=$FVQ" -b "$JA"
	n2=$(with "$FC" "$FV" "$FC2" "$FV2")
	like "$(http_body)" "<option value=\"$FV2\">$FV2[^<]* \($n2\)</option>" \
	    "another attribute's value counts the products the filter leaves ($FC2 = $FV2: $n2)"
	like "$(http_body)" "<option value=\"$FVX\">$FVX[^<]* \($(with "$FC" "$FVX")\)</option>" \
	    "the chosen attribute's other values count as its replacement"
	FV2Q=$(printf '%s' "$FV2" | jq -sRr @uri)
	http_get "/catalog/c/$CAT?f_$FC=$FVQ&f_$FC2=$FV2Q" -b "$JA"
	like "$(http_body)" "<option value=\"$FVX\">$FVX[^<]* \($(with "$FC" "$FVX" "$FC2" "$FV2")\)</option>" \
	    "with two filters, each attribute counts under the other's"
	is "$(hits | grep -c .)" "$(( n2 > 50 ? 50 : n2 ))" "and the list has the products with both"
else
	skip "narrowed counts" "the category has a single attribute"
	skip "narrowed counts" "the category has a single attribute"
	skip "narrowed counts" "the category has a single attribute"
	skip "narrowed counts" "the category has a single attribute"
fi
ncat0=$(pq "SELECT count(*) FROM product p WHERE $vis AND p.category_uuid = '$CAT_UUID'")
http_get "/catalog/c/$CAT?f_$FC=no-such-value" -b "$JA"
is "$(hits | grep -c .)" "$(( ncat0 > 50 ? 50 : ncat0 ))" "a value the facet does not offer filters nothing"
http_get "/catalog/c/$CAT?f_$FC=$FVQ&f_no_such_attr=x" -b "$JA"
is "$(hits | sort -u | grep -c .)" "$(grep -c . "$E2E_RUNDIR/filtered")" "an attribute the category does not have is ignored"
# the sync keeps the facets: a reconcile regroups every category
pq "DELETE FROM catalog_facet"
ok "a reconcile runs" sync run reconcile
is "$(pq "SELECT count(*) FROM catalog_facet WHERE category_uuid = '$CAT_UUID' AND lang = 'pl'")" "$nfacet" \
    "and regroups the facets"
is "$(pq "SELECT count(*) FROM (SELECT 1 FROM catalog_facet GROUP BY category_uuid, lang, code HAVING count(*) > 20)")" 0 \
    "no attribute offers more than 20 values"
# a product that moves to another category takes its values along at the
# next products run (0011), not only at a reconcile
facet_n() { pq "SELECT coalesce(max(n), 0) FROM catalog_facet WHERE category_uuid = '$1' AND lang = 'pl' AND code = '$FC' AND value = '$FV'"; }
PM=$(head -1 "$E2E_RUNDIR/filtered")
PMU=$(pq "SELECT erp_uuid FROM product WHERE id = $PM")
CAT2_UUID=$(pq "SELECT erp_uuid FROM category WHERE erp_uuid <> '$CAT_UUID' AND active = 1 ORDER BY id LIMIT 1")
n_old=$(facet_n "$CAT_UUID") n_new=$(facet_n "$CAT2_UUID")
ok "the ERP moves a product with $FC = $FV to another category" \
    simop move-product --product "$PMU" --category "$CAT2_UUID"
ok "a products run brings it" sync run products
is "$(pq "SELECT category_uuid FROM product WHERE id = $PM")" "$CAT2_UUID" "the product is in the new category"
is "$(facet_n "$CAT_UUID")" "$((n_old - 1))" "the old category's filter counts one product fewer"
is "$(facet_n "$CAT2_UUID")" "$((n_new + 1))" "the new category's one more"
is "$(pq "SELECT count(*) FROM catalog_facet_stale")" 0 "nothing is left to regroup"
http_get "/catalog/c/$CAT" -b "$JA"
if [ "$n_old" -gt 1 ]; then
	like "$(http_body)" "<option value=\"$FV\">$FV[^<]* \($((n_old - 1))\)</option>" "the page shows the new count"
else
	unlike "$(http_body)" "<option value=\"$FV\">" "the page no longer offers the value"
fi

# ---- the public catalogue (B3): a setting; without prices or stock ---------------------------------
http_get "/" 
unlike "$(http_body)" 'href="/catalog"' "while closed, the public menu has no catalogue"
# the CMS's setting (content staff, with its form token)
echo "$PW" | "$USER_TOOL" -c "$E2E_CONF" add --email tresc@framuga.test --name "Tomasz Treść" \
    --password-stdin --staff content >/dev/null || bail_out "framuga-user add staff"
JS=$E2E_RUNDIR/s.jar
login "$JS" tresc@framuga.test
t=$(csrf_of /cms/news "$JS")
http_request POST /cms/news/settings -b "$JS" --data-urlencode "csrf=$t" --data-urlencode "catalog_public=1"
like "$HTTP_STATUS" '^30[37]$' "content staff make the catalogue public"
is "$(pq "SELECT value FROM meta WHERE key = 'catalog_public'")" 1 "the setting is stored"
http_get "/"
like "$(http_body)" 'href="/catalog"' "the public menu links the catalogue"
http_get "/catalog"
is "$HTTP_STATUS" 200 "a visitor opens the catalogue"
http_get "/catalog/c/$CAT"
is "$HTTP_STATUS" 200 "and a category"
ncat1=$(pq "SELECT count(*) FROM product p WHERE $vis AND p.category_uuid = '$CAT_UUID'")
is "$(hits | grep -c .)" "$(( ncat1 > 50 ? 50 : ncat1 ))" "with its products"
unlike "$(http_body)" 'price-net|price-gross|Cena netto' "but no price"
unlike "$(http_body)" 'class="stock|Dostępność' "and no stock"
unlike "$(http_body)" 'Wyloguj' "in the public layout"
http_get "/catalog/p/$P1"
is "$HTTP_STATUS" 200 "a visitor opens a product"
unlike "$(http_body)" '70,00|86,10|price-net' "without a price"
http_get "/catalog/search?q=okno"
is "$HTTP_STATUS" 200 "a visitor searches"
unlike "$(http_body)" 'price-net' "without prices"
http_get "/catalog/p/$P4"
is "$HTTP_STATUS" 404 "a product hidden in Polish stays hidden from visitors"
http_get "/catalog/c/$CAT" -b "$JA"
like "$(http_body)" 'price-net' "a logged-in dealer still sees prices"
t=$(csrf_of /cms/news "$JS")
http_request POST /cms/news/settings -b "$JS" --data-urlencode "csrf=$t" --data-urlencode "catalog_public=0"
like "$HTTP_STATUS" '^30[37]$' "content staff close the catalogue again"
http_get "/catalog/c/$CAT"
is "$HTTP_STATUS" 403 "closed again, a visitor gets the login form"
like "$(http_body)" 'name="password"' "(the login form)"

# ---- paging and the sort allow-list ---------------------------------------------------------------------
http_get "/catalog/c/$CAT?sort=price" -b "$JA"
is "$HTTP_STATUS" 400 "a sort key outside the allow-list is refused"
http_get "/catalog/c/999999" -b "$JA"
is "$HTTP_STATUS" 404 "an unknown category: 404"
ncat=$(pq "SELECT count(*) FROM product p WHERE $vis AND p.category_uuid = '$CAT_UUID'")
http_get "/catalog/c/$CAT?sort=code&k=&a=0" -b "$JA"
first=$(hits | head -1)
http_get "/catalog/c/$CAT?sort=code&k=$(pq "SELECT code FROM product WHERE id = $first")&a=$first" -b "$JA"
is "$(hits | grep -c .)" "$(( ncat - 1 > 50 ? 50 : ncat - 1 ))" "the keyset cursor starts after the row it names"

done_testing
