#!/bin/sh
# t_stock_rules.sh: the CMS page of the catalogue's stock rules (C4;
# cgi-src/cms/stock_rules.c) end to end, through the real nginx (TAP).
#
# A small catalogue comes from oknoerp-sim through framuga-sync
# (sync_lib.sh); two customers are put in the price groups X and Y, and
# one product of the biggest category is given 12 units.  Then:
#  - only staff with cms.content reach the page: a customer's user and a
#    staff member of another scope (sync) get 403 on GET and POST;
#  - the page lists the groups that exist (X, Y) and "all groups";
#  - content staff set X to "exact" and the default to "hidden": X's
#    dealer sees "12 szt" on the category page, Y's dealer (no rule of
#    their own) sees no stock at all;
#  - a bad threshold is refused (422) with the value as typed and the
#    problem named at its row, and nothing is saved, not even the rows
#    that were right;
#  - a threshold with decimals is read in the user's language ("2,5" in
#    Polish, "2.5" in English; the other spelling refused);
#  - every change is in the audit log, with who made it;
#  - the page, as shown and as sent back with a problem, is valid HTML
#    (html-validate, as the browser tests; skipped without it).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/sync_lib.sh"

sync_init stockrules --products 40 --customers 4 --individual-prices 0 \
    --warehouses 2 --orders 0 --seed 7
ok "framuga-sync fills the portal" sync --due
e2e_start
PW=okno-drzwi-parapet
USER_TOOL=$top_builddir/framuga-user

# ---- data ------------------------------------------------------------------------
X=$(pq "SELECT id FROM customer ORDER BY id LIMIT 1")
Y=$(pq "SELECT id FROM customer ORDER BY id LIMIT 1 OFFSET 1")
pq "UPDATE customer SET grp = 'X' WHERE id = $X;
    UPDATE customer SET grp = 'Y' WHERE id = $Y;
    UPDATE customer SET grp = '' WHERE id NOT IN ($X, $Y);
    DELETE FROM meta WHERE key LIKE 'catalog.stock.%'"
vis="p.deleted_at IS NULL AND p.active = 1 AND EXISTS (SELECT 1 FROM
    product_visibility v WHERE v.product_id = p.id AND v.lang = 'pl')"
CAT_UUID=$(pq "SELECT p.category_uuid FROM product p WHERE $vis
    GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
CAT=$(pq "SELECT id FROM category WHERE erp_uuid = '$CAT_UUID'")
P1=$(pq "SELECT p.id FROM product p WHERE $vis AND p.category_uuid = '$CAT_UUID' ORDER BY p.id LIMIT 1")
[ -n "$P1" ] || bail_out "no visible product"
pq "DELETE FROM stock WHERE product_id = $P1;
    INSERT INTO stock (erp_uuid, product_id, warehouse_id, qty_milli, updated_at)
    VALUES ('t-s1', $P1, (SELECT id FROM warehouse WHERE active = 1 ORDER BY id LIMIT 1), 12000, 0)"

adduser() {	# EMAIL NAME ARGS...
	_e=$1 _n=$2; shift 2
	echo "$PW" | "$USER_TOOL" -c "$E2E_CONF" add --email "$_e" --name "$_n" \
	    --password-stdin "$@" >>"$E2E_RUNDIR/users.log" 2>&1
}
code_of() { pq "SELECT code FROM customer WHERE id = $1"; }
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
ok "a dealer of group X" adduser kupiec@x.test "Kupiec X" --customer "$(code_of "$X")" --role buyer
ok "a dealer of group Y" adduser kupiec@y.test "Kupiec Y" --customer "$(code_of "$Y")" --role buyer
ok "content staff" adduser tresc@framuga.test "Tomasz Treść" --staff content
ok "content staff who reads English" adduser content@framuga.test "Connie Content" --staff content
ok "sync staff (no cms.content)" adduser sync@framuga.test "Sylwia Sync" --staff sync
pq "UPDATE user SET lang = 'en' WHERE email = 'content@framuga.test'"
JX=$E2E_RUNDIR/x.jar JY=$E2E_RUNDIR/y.jar JC=$E2E_RUNDIR/c.jar
JE=$E2E_RUNDIR/e.jar JS=$E2E_RUNDIR/s.jar
login "$JX" kupiec@x.test
login "$JY" kupiec@y.test
login "$JC" tresc@framuga.test
login "$JE" content@framuga.test
login "$JS" sync@framuga.test
STAFF=$(pq "SELECT id FROM user WHERE email = 'tresc@framuga.test'")

PAGES=$E2E_RUNDIR/pages
mkdir -p "$PAGES"
keep() { cp "$HTTP_BODY" "$PAGES/$1.html"; }
rules() { pq "SELECT key || '=' || value FROM meta WHERE key LIKE 'catalog.stock.%' ORDER BY key" | tr '\n' ' '; }
# The category list's stock cell of P1, "LEVEL TEXT"
stock_row() {
	tr -d '\n' <"$HTTP_BODY" | grep -o "href=\"/catalog/p/$P1\">.*" |
	    grep -o '<td class="stock stock-[a-z]*">[^<]*<' |
	    sed 's/.*stock-\([a-z]*\)">\(.*\)<$/\1 \2/' | head -1
}
# post JAR FIELD=VALUE...: the form with the session's token
post() {
	_j=$1; shift
	_t=$(csrf_of /account/sessions "$_j")
	set -- --data-urlencode "csrf=$_t" $(for f in "$@"; do printf -- '--data-urlencode %s ' "$f"; done)
	http_request POST /cms/stock-rules -b "$_j" "$@"
}

# ---- who may ----------------------------------------------------------------------------
http_get /cms/stock-rules -b "$JX"
is "$HTTP_STATUS" 403 "a customer's user may not open the page"
http_get /cms/stock-rules -b "$JS"
is "$HTTP_STATUS" 403 "nor staff without cms.content"
post "$JS" rule_=exact
is "$HTTP_STATUS" 403 "staff without cms.content may not save (with a valid token)"
post "$JX" rule_=exact
is "$HTTP_STATUS" 403 "nor a customer's user"
is "$(rules)" "" "nothing was saved by them"
http_get /cms -b "$JS"
unlike "$(http_body)" 'href="/cms/stock-rules"' "the CMS menu has no entry for them"

# ---- the page ---------------------------------------------------------------------------------
http_get /cms -b "$JC"
like "$(http_body)" 'href="/cms/stock-rules"' "the CMS menu has the entry for content staff"
http_get /cms/stock-rules -b "$JC"
is "$HTTP_STATUS" 200 "content staff open the page"
keep stock-rules
like "$(http_body)" 'name="rule_X"' "a row for group X"
like "$(http_body)" 'name="rule_Y"' "a row for group Y"
like "$(http_body)" 'Wszystkie grupy' "and one for all groups"
like "$(tr -d '\n' <"$HTTP_BODY" | grep -o 'name="rule_".*name="low_"[^>]*>' | head -1)" 'value="level" selected' \
    "nothing set: the default row shows the built-in rule (levels)"
like "$(http_body)" 'name="low_" value="10"' "with its threshold of 10 units"

http_get "/catalog/c/$CAT?sort=code" -b "$JX"
is "$(stock_row)" "available dostępny" "before: X's dealer sees the level only"

# ---- set X exact, the default hidden ----------------------------------------------------------
post "$JC" rule_X=exact low_X=10 rule_Y=inherit low_Y=10 rule_=hidden low_=10
is "$HTTP_STATUS" 303 "saved"
is "$(http_header Location)" "/cms/stock-rules?saved=1" "back to the page"
is "$(rules)" "catalog.stock.=hidden catalog.stock.X=exact " "the rules as the catalogue reads them"
http_get "/catalog/c/$CAT?sort=code" -b "$JX"
is "$(stock_row)" "available 12 szt" "X's dealer sees the exact quantity on the category page"
http_get "/catalog/c/$CAT?sort=code" -b "$JY"
is "$HTTP_STATUS" 200 "Y's dealer opens the category"
unlike "$(http_body)" 'class="stock|Dostępność' "Y (no rule of its own: the default, hidden) sees no stock"
is "$(pq "SELECT count(*) FROM audit_log WHERE action = 'setting.catalog_stock' AND actor_user_id = $STAFF")" 2 \
    "two changes, two audit rows by the staff member"
is "$(pq "SELECT detail FROM audit_log WHERE action = 'setting.catalog_stock' ORDER BY id" | tr '\n' '|')" \
    "catalog.stock.: - -> hidden|catalog.stock.X: - -> exact|" "each says what changed"
http_get "/cms/stock-rules?saved=1" -b "$JC"
like "$(http_body)" 'role="status"' "the page says it saved"

# ---- a bad threshold --------------------------------------------------------------------------
before=$(pq "SELECT count(*) FROM audit_log")
post "$JC" rule_X=inherit low_X=10 rule_Y=level "low_Y=2,5x" rule_=exact low_=10
is "$HTTP_STATUS" 422 "a bad threshold sends the form back (422)"
keep stock-rules-422
like "$(http_body)" 'name="low_Y" value="2,5x"' "with the value as typed"
like "$(http_body)" 'aria-invalid="true"' "the field marked"
like "$(http_body)" 'Podaj próg w jednostkach' "the problem named"
like "$(http_body)" 'role="alert"' "and summed up above the form"
like "$(tr -d '\n' <"$HTTP_BODY" | grep -o 'name="rule_X".*name="low_X"' | head -1)" 'value="inherit" selected' \
    "the other rows as they were typed too"
is "$(rules)" "catalog.stock.=hidden catalog.stock.X=exact " "nothing saved, not even the right rows"
is "$(pq "SELECT count(*) FROM audit_log")" "$before" "nor audited"
post "$JC" rule_Y=level low_Y=
is "$HTTP_STATUS" 422 "an empty threshold for the level rule is refused"
post "$JC" rule_Y=level low_Y=1000001
is "$HTTP_STATUS" 422 "so is one above a million units"
post "$JC" rule_Y=level low_Y=1,2345
is "$HTTP_STATUS" 422 "and one with four decimals"
post "$JC" rule_Y=everything
is "$HTTP_STATUS" 400 "a rule that was not offered: 400"
post "$JC" rule_=inherit
is "$HTTP_STATUS" 400 "the default cannot inherit"

# ---- decimals in the user's language ----------------------------------------------------------
post "$JC" rule_Y=level "low_Y=2,5"
is "$HTTP_STATUS" 303 "Polish: 2,5 is accepted"
is "$(rules)" "catalog.stock.=hidden catalog.stock.X=exact catalog.stock.Y=level:2500 " \
    "as 2500 thousandths; the rows not sent keep their rule"
http_get /cms/stock-rules -b "$JC"
like "$(http_body)" 'name="low_Y" value="2,5"' "shown back as 2,5"
post "$JE" rule_Y=level "low_Y=0,75"
is "$HTTP_STATUS" 422 "English: 0,75 is refused"
like "$(http_body)" 'name="low_Y" value="0,75"' "kept as typed"
post "$JE" rule_Y=level "low_Y=0.75"
is "$HTTP_STATUS" 303 "English: 0.75 is accepted"
is "$(pq "SELECT value FROM meta WHERE key = 'catalog.stock.Y'")" "level:750" "as 750 thousandths"
http_get /cms/stock-rules -b "$JE"
like "$(http_body)" 'name="low_Y" value="0.75"' "shown back as 0.75 in English"
keep stock-rules-en
pq "UPDATE stock SET qty_milli = 500 WHERE product_id = $P1"
http_get "/catalog/c/$CAT?sort=code" -b "$JY"
is "$(stock_row)" "low mało" "Y's dealer: 0,5 units below 0,75: 'low'"

# ---- back to inherit --------------------------------------------------------------------------
post "$JC" rule_Y=inherit
is "$HTTP_STATUS" 303 "Y back to the default"
is "$(rules)" "catalog.stock.=hidden catalog.stock.X=exact " "its row is gone"
is "$(pq "SELECT detail FROM audit_log WHERE action = 'setting.catalog_stock' ORDER BY id DESC LIMIT 1")" \
    "catalog.stock.Y: level:750 -> -" "and the audit log says so"

# ---- every page kept above is valid HTML -------------------------------------------------
lib=$top_srcdir/tests/browser/lib.mjs
if command -v node >/dev/null && [ -d "$top_srcdir/tests/browser/node_modules/html-validate" ]; then
	node --input-type=module -e "
	    import { validateHtml } from '$lib';
	    import { readFileSync, readdirSync } from 'node:fs';
	    for (const f of readdirSync('$PAGES').sort()) {
	      const v = await validateHtml(readFileSync('$PAGES/' + f, 'utf8'), f);
	      console.log(v.valid ? 'VALID ' + f : 'INVALID ' + f + '\\n' + v.msgs);
	    }" >"$E2E_RUNDIR/validate.out" 2>&1
	for f in $(ls "$PAGES"); do
		if grep -q "^VALID $f\$" "$E2E_RUNDIR/validate.out"; then
			pass "valid HTML: $f"
		else
			fail "valid HTML: $f"
			diag "$(grep -A5 "$f" "$E2E_RUNDIR/validate.out" | head -8)"
		fi
	done
else
	skip "valid HTML of the stock rules page" "node or html-validate (tests/browser) missing"
fi

done_testing
