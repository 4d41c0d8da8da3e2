#!/bin/sh
# t_content.sh: content staff publish, end to end through the real nginx and
# framuga-fcgi (issue 5: B1-B3): the dashboard shows only the modules the
# customer has and the user may use, and the credit figures from the
# database; marketing materials are isolated by customer group and
# language (list, item and download), files are limited in size (413) and
# type (415), downloads through nginx (X-Accel-Redirect) give back the
# uploaded bytes, forms without the token are refused; news made in the
# CMS appear on / and /news in their language only; the public catalogue
# setting is stored.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

e2e_init content
. "$top_srcdir/tests/e2e/t_account_lib.sh"

sql "INSERT INTO customer (erp_uuid, code, name, grp, currency, credit_limit,
    credit_used, overdue, blocked, blocked_reason, updated_at) VALUES
    ('c-a', 'KA', 'Okna Alfa', 'A', 'EUR', 1000000, 250000, 12345, 1,
     'Przekroczony termin płatności', 0),
    ('c-b', 'KB', 'Drzwi Beta', 'B', 'PLN', 500000, 0, 0, 0, '', 0),
    ('c-c', 'KC', 'Okna Gamma', 'A', 'PLN', 0, 0, 0, 0, '', 0)"
sql "DELETE FROM customer_module WHERE module = 'marketing' AND
    customer_id = (SELECT id FROM customer WHERE code = 'KC')"
adduser anna@alfa.pl "Anna Alfa" --customer KA --role customer_admin || bail_out "framuga-user add failed"
adduser widz@alfa.pl "Wiktor Widz" --customer KA --role viewer
adduser bob@beta.pl "Bob Beta" --customer KB --role customer_admin
adduser cez@gamma.pl "Cezary Gamma" --customer KC --role customer_admin
adduser tresc@framuga.pl "Tomasz Treść" --staff content
sql "UPDATE user SET lang = 'pl' WHERE email IN ('anna@alfa.pl', 'bob@beta.pl', 'cez@gamma.pl');
    UPDATE user SET lang = 'en' WHERE email = 'widz@alfa.pl'"
A=$E2E_RUNDIR/jar-a W=$E2E_RUNDIR/jar-w B=$E2E_RUNDIR/jar-b C=$E2E_RUNDIR/jar-c
T=$E2E_RUNDIR/jar-t
for p in "$A anna@alfa.pl" "$W widz@alfa.pl" "$B bob@beta.pl" "$C cez@gamma.pl" "$T tresc@framuga.pl"; do
	set -- $p
	login "$1" "$2"
	[ "$HTTP_STATUS" = 303 ] || bail_out "login $2: $HTTP_STATUS"
done
modules() { sed -n '/id="mod-h"/,/<\/section>/p' "$HTTP_BODY"; }
cell() { sed -n "s/.*id=\"credit-$1\">\\([^<]*\\)<.*/\\1/p" "$HTTP_BODY"; }
# The token of a CMS page (staff have no /account/profile form).
cms_post() {	# PATH [CURL-ARGS...]
	_p=$1; shift
	_t=$(csrf_of /cms/marketing/new "$T")
	http_request POST "$_p" -b "$T" -c "$T" -F "csrf=$_t" "$@"
}
cms_form() {	# PATH [CURL-ARGS...] urlencoded
	_p=$1; shift
	_t=$(csrf_of /cms/news/new "$T")
	http_request POST "$_p" -b "$T" -c "$T" --data-urlencode "csrf=$_t" "$@"
}

# (Of the modules with a permission of their own, orders, quotes,
# complaints, mail and tasks, none has pages yet: the dashboard offers
# none of them to anyone.)
# ---- the dashboard (B1) -----------------------------------------------------------
http_get /portal -b "$A"
is "$HTTP_STATUS" 200 "dashboard: the customer admin's answers"
m=$(modules)
like "$m" 'href="/catalog"' "dashboard: the admin reaches the catalogue"
like "$m" 'href="/portal/marketing"' "dashboard: and marketing materials"
like "$(cell limit)" '^10[^0-9]+000,00' "dashboard: credit limit 10 000,00 from the ERP row"
like "$(cell used)" '^2[^0-9]+500,00' "dashboard: credit used 2 500,00"
like "$(cell available)" '^7[^0-9]+500,00' "dashboard: available 7 500,00 (limit - used)"
like "$(cell overdue)" '^123,45' "dashboard: overdue 123,45"
like "$(cell limit)" 'EUR|€' "dashboard: money in the customer's currency (EUR)"
like "$(cell blocked)" 'Przekroczony termin płatności' "dashboard: blocked, with the ERP's reason"
ok "dashboard: the block is under 'needs attention'" body_has 'id="attn-h"'
http_get /portal -b "$W"
like "$(modules)" 'href="/catalog"' "dashboard: the viewer reaches the catalogue"
unlike "$(modules)" 'href="/(orders|quotes|complaints|mail|tasks)' "dashboard: no module that has no pages yet"
http_get /portal -b "$C"
unlike "$(modules)" 'href="/portal/marketing"' "dashboard: no marketing for a customer without the module"
unlike "$(cell blocked)" 'tak' "dashboard: customer C is not blocked"
unlike "$(http_body)" 'Okna Alfa|Przekroczony' "dashboard: nothing of customer A on C's"
http_get /portal/marketing -b "$C"
is "$HTTP_STATUS" 403 "marketing: 403 for a customer without the module"

# ---- the marketing menu entry follows marketing.view (B1, B2) -------------------------
# marketing.view belongs to the 'marketing' module: every user of a
# customer holds it while the customer has the module, and no grant
# gives it (cgi-src/lib/perm.h); the menu, the dashboard and the routes
# all ask for it.
menu() { sed -n '/class="main-nav"/,/<\/nav>/p' "$HTTP_BODY"; }
is "$(sql "SELECT (SELECT count(*) FROM role_perm WHERE perm = 'marketing.view') +
    (SELECT count(*) FROM user_perm WHERE perm = 'marketing.view')")" 0 \
    "marketing.view: no role or user grant names it (db/0009)"
for page in /portal /account/profile /catalog; do
	http_get "$page" -b "$C"
	unlike "$(menu)" 'href="/portal/marketing"' "menu on $page: no marketing entry without the module"
	http_get "$page" -b "$A"
	like "$(menu)" 'href="/portal/marketing"' "menu on $page: the entry with the module"
done
http_get /portal -b "$A"
like "$(modules)" 'href="/portal/marketing"' "dashboard: the tile with the module"
# The module switched off while A's admin is logged in: the next request
# has neither the entry, nor the tile, nor the page; switched on: back.
sql "DELETE FROM customer_module WHERE module = 'marketing' AND
    customer_id = (SELECT id FROM customer WHERE code = 'KA')"
http_get /portal -b "$A"
unlike "$(menu)" 'href="/portal/marketing"' "module off: the menu entry goes at the next request"
unlike "$(modules)" 'href="/portal/marketing"' "module off: and the dashboard tile"
http_get /portal/marketing -b "$A"
is "$HTTP_STATUS" 403 "module off: the page is 403"
sql "INSERT INTO customer_module (customer_id, module)
    SELECT id, 'marketing' FROM customer WHERE code = 'KA'"
http_get /portal -b "$A"
like "$(menu)" 'href="/portal/marketing"' "module on again: the menu entry is back"
like "$(modules)" 'href="/portal/marketing"' "module on again: and the tile"
# Delegation in a customer without the module (C): no role carries
# marketing.view, so C's admin still gives whole roles (a role is given
# only within the admin's effective set, cgi-src/account/users.c), and
# the co-worker gets the entry with the module like everyone else.
newuser() {	# JAR EMAIL NAME [CURL-ARGS...]
	_j=$1 _e=$2 _n=$3; shift 3
	post "$_j" /account/users --data-urlencode "name=$_n" --data-urlencode "email=$_e" \
	    --data-urlencode "phone=" --data-urlencode "branch=" --data-urlencode "lang=pl" "$@"
}
http_get /account/users/new -b "$C"
like "$(http_body)" 'name="role_viewer"' "no module: C's admin is offered the viewer role"
like "$(http_body)" 'name="role_buyer"' "and the buyer role"
newuser "$C" wiola@gamma.pl "Wiola Gamma" --data-urlencode "role_viewer=1"
is "$HTTP_STATUS" 303 "no module: C's admin gives a co-worker the viewer role"
sql "UPDATE user SET password_hash = (SELECT password_hash FROM user WHERE email = 'cez@gamma.pl')
    WHERE email = 'wiola@gamma.pl'"
CW=$E2E_RUNDIR/jar-cw
login "$CW" wiola@gamma.pl
http_get /portal -b "$CW"
unlike "$(menu)" 'href="/portal/marketing"' "no module: C's co-worker has no marketing entry"
sql "INSERT INTO customer_module (customer_id, module)
    SELECT id, 'marketing' FROM customer WHERE code = 'KC'"
http_get /portal -b "$CW"
like "$(menu)" 'href="/portal/marketing"' "module on: C's co-worker has the entry"
http_get /portal -b "$C"
like "$(menu)" 'href="/portal/marketing"' "and so has C's admin"
sql "DELETE FROM customer_module WHERE module = 'marketing' AND
    customer_id = (SELECT id FROM customer WHERE code = 'KC')"
# Nobody gives it: not offered as a box, and a forged box is refused.
http_get /account/users/new -b "$A"
unlike "$(http_body)" 'name="perm_marketing.view"' "marketing.view is not offered to give"
newuser "$A" zbyszek@alfa.pl "Zbyszek Alfa" --data-urlencode "role_viewer=1" \
    --data-urlencode "perm_marketing.view=1"
is "$HTTP_STATUS" 403 "a forged marketing.view box is refused"
is "$(sql "SELECT count(*) FROM user WHERE email = 'zbyszek@alfa.pl'")" 0 "and no user is made"
http_get /portal/marketing -b "$T"
is "$HTTP_STATUS" 403 "marketing: staff have no customer's list"

# ---- marketing materials (B2) --------------------------------------------------------
head -c 150000 /dev/urandom >"$E2E_RUNDIR/folder.pdf"
printf 'English price list\n' >"$E2E_RUNDIR/list-en.txt"
head -c $((21 * 1024 * 1024)) /dev/zero >"$E2E_RUNDIR/big.pdf"
printf 'MZ' >"$E2E_RUNDIR/tool.exe"
cms_post /cms/marketing -F kind=file -F "title=Folder A PL" -F grp=A -F lang=pl \
    -F "file=@$E2E_RUNDIR/folder.pdf"
is "$HTTP_STATUS" 303 "cms: a file for group A in Polish is published"
ID_APL=$(sql "SELECT id FROM marketing_item WHERE title = 'Folder A PL'")
cms_post /cms/marketing -F kind=page -F "title=Strona dla B" -F "body=Tylko grupa B" -F grp=B -F lang=
is "$HTTP_STATUS" 303 "cms: a page for group B, every language"
ID_B=$(sql "SELECT id FROM marketing_item WHERE title = 'Strona dla B'")
cms_post /cms/marketing -F kind=file -F "title=Price list EN" -F grp= -F lang=en \
    -F "file=@$E2E_RUNDIR/list-en.txt"
ID_EN=$(sql "SELECT id FROM marketing_item WHERE title = 'Price list EN'")
ok "cms: a file for every group in English" test -n "$ID_EN"
cms_post /cms/marketing -F kind=file -F "title=Za duży" -F "file=@$E2E_RUNDIR/big.pdf"
is "$HTTP_STATUS" 413 "cms: a file over 20 MiB: 413"
cms_post /cms/marketing -F kind=file -F "title=Program" -F "file=@$E2E_RUNDIR/tool.exe"
is "$HTTP_STATUS" 415 "cms: an .exe: 415"
http_request POST /cms/marketing -b "$T" -F kind=page -F "title=Bez tokenu"
is "$HTTP_STATUS" 403 "cms: a form without the token is refused"
is "$(sql "SELECT count(*) FROM marketing_item WHERE title IN ('Za duży', 'Program', 'Bez tokenu')")" 0 \
    "cms: nothing refused was stored"
sha=$(sha256sum "$E2E_RUNDIR/folder.pdf" | cut -c1-64)
ok "cms: the file is kept by its hash in data_dir, outside the web root" \
    cmp -s "$E2E_RUNDIR/folder.pdf" "$E2E_DATADIR/marketing/$(echo "$sha" | cut -c1-2)/$sha"
is "$(audit_count marketing.create)" 3 "cms: each publication is audited"
http_get /cms/marketing -b "$T"
like "$(http_body)" 'Folder A PL' "cms: the list shows the items"

http_get /portal -b "$A"
like "$(http_body)" 'class="count">1<' "dashboard: one new material for A's admin (group A, Polish)"
http_get /portal/marketing -b "$A"
is "$HTTP_STATUS" 200 "marketing: A's admin sees the list"
like "$(http_body)" 'Folder A PL' "marketing: group A's Polish file is listed"
unlike "$(http_body)" 'Strona dla B|Price list EN' "marketing: not group B's, not the English one"
http_get /portal -b "$A"
unlike "$(http_body)" 'class="count">' "dashboard: nothing new after the list was opened"
http_get "/portal/marketing/$ID_APL/file" -b "$A"
is "$HTTP_STATUS" 200 "download: A's admin gets the file"
got=$(sha256sum "$HTTP_BODY" | cut -c1-64)
is "$got" "$sha" "download: the bytes through nginx equal the upload"
like "$(http_header Content-Disposition)" 'attachment' "download: as an attachment"
http_get "/portal/marketing/$ID_B" -b "$A"
is "$HTTP_STATUS" 404 "marketing: group B's page is 404 for group A"
http_get "/portal/marketing/$ID_APL/file" -b "$B"
is "$HTTP_STATUS" 404 "download: group A's file is 404 for group B"
http_get /portal/marketing -b "$B"
like "$(http_body)" 'Strona dla B' "marketing: group B sees its page"
unlike "$(http_body)" 'Folder A PL' "marketing: and not group A's file"
http_get "/portal/marketing/$ID_B" -b "$B"
like "$(http_body)" 'Tylko grupa B' "marketing: group B reads its page"
http_get /portal/marketing -b "$W"
like "$(http_body)" 'Price list EN' "marketing: an English-speaking user sees the English file"
unlike "$(http_body)" 'Folder A PL' "marketing: and not the Polish one"
http_get "/portal/marketing/$ID_APL/file" -b "$W"
is "$HTTP_STATUS" 404 "download: the Polish file is 404 for the English user"
http_get "/portal/marketing/$ID_EN/file" -b "$W"
is "$(http_body)" "English price list" "download: the English file's bytes"
http_get "/_accel/marketing/$(echo "$sha" | cut -c1-2)/$sha" -b "$A"
is "$HTTP_STATUS" 404 "download: nginx's internal location is not reachable directly"
cms_post "/cms/marketing/$ID_APL" -F "title=Folder A PL v2" -F grp=A -F lang=pl
is "$HTTP_STATUS" 303 "cms: an item is edited"
http_request POST "/cms/marketing/$ID_APL/unpublish" -b "$T"
is "$HTTP_STATUS" 403 "cms: unpublish without the token is refused"
cms_post "/cms/marketing/$ID_APL/unpublish"
is "$HTTP_STATUS" 303 "cms: the item is unpublished"
http_get "/portal/marketing/$ID_APL/file" -b "$A"
is "$HTTP_STATUS" 404 "download: an unpublished file is 404"

# ---- news (B3) --------------------------------------------------------------------------
cms_form /cms/news --data-urlencode "title=Nowa linia okien" --data-urlencode slug=nowa-linia \
    --data-urlencode lang=pl --data-urlencode "summary=Okna PVC 2027" --data-urlencode "body=Treść"
is "$HTTP_STATUS" 303 "news: an entry in Polish is created"
http_get "/?lang=pl"
like "$(http_body)" 'Nowa linia okien' "news: on the landing page in Polish"
http_get "/news?lang=pl"
like "$(http_body)" 'Nowa linia okien' "news: on /news in Polish"
http_get "/?lang=en"
unlike "$(http_body)" 'Nowa linia okien' "news: not on the English landing page"
http_get "/news/nowa-linia?lang=en"
is "$HTTP_STATUS" 404 "news: the Polish entry is 404 in English"
http_request POST /cms/news -b "$T" --data-urlencode "title=X" --data-urlencode slug=x --data-urlencode lang=pl
is "$HTTP_STATUS" 403 "news: a form without the token is refused"
cms_form /cms/news --data-urlencode "title=Później" --data-urlencode slug=pozniej \
    --data-urlencode lang=pl --data-urlencode "published_at=2099-01-01T10:00"
http_get "/news?lang=pl"
unlike "$(http_body)" 'Później' "news: an entry scheduled for later is not shown yet"
NID=$(sql "SELECT id FROM news WHERE slug = 'nowa-linia'")
cms_form "/cms/news/$NID/unpublish"
is "$HTTP_STATUS" 303 "news: unpublished"
http_get "/news/nowa-linia?lang=pl"
is "$HTTP_STATUS" 404 "news: an unpublished entry is gone from the public pages"
cms_form /cms/news/settings --data-urlencode catalog_public=1
is "$(sql "SELECT value FROM meta WHERE key = 'catalog_public'")" 1 "setting: the catalogue is made public without prices"
is "$(audit_count news.create)" 2 "news: creations are audited"

done_testing
