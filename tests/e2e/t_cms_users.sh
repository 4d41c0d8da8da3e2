#!/bin/sh
# t_cms_users.sh: the CMS pages for accounts end to end, through the real
# nginx and framuga-fcgi: registrations (matches by NIP among synced
# customers, approval linking an ERP card or making a new customer, the
# modules, the customer admin's account and the mails, rejection with a
# reason, no second decision), customers (search, modules, disabling),
# users (search, grants, disable, the impersonation button), staff with
# scoped roles (nobody gives a staff role wider than their own), the audit
# log with its filters, and keyset paging of the lists.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

e2e_init cms_users
. "$top_srcdir/tests/e2e/t_account_lib.sh"

sql "INSERT INTO customer (erp_uuid, code, name, nip, updated_at) VALUES
    ('c-zielinski', 'Z100', 'Zieliński Okna (ERP)', '123-456-32-18', 0),
    ('c-other', 'X200', 'Inna Firma', '5260001246', 0);
    INSERT INTO customer_contact (customer_id, erp_uuid, name, role, email)
    SELECT id, 'cc-1', 'Zofia Zielińska', 'zakupy', 'zofia@zielinscy.pl'
    FROM customer WHERE code = 'Z100';
    INSERT INTO customer_contact (customer_id, erp_uuid, name, email)
    SELECT id, 'cc-2', 'Obcy Kontakt', 'x@inna.pl' FROM customer
    WHERE code = 'X200'"
adduser szef@framuga.pl "Szef" --staff admin || bail_out "framuga-user add failed"
adduser obsluga@framuga.pl "Ola Obsługa" --staff users
adduser sync@framuga.pl "Sam Sync" --staff sync
S=$E2E_RUNDIR/jar-szef U=$E2E_RUNDIR/jar-obsluga Y=$E2E_RUNDIR/jar-sync
login "$S" szef@framuga.pl
is "$HTTP_STATUS" 303 "the staff admin logs in"
login "$U" obsluga@framuga.pl
login "$Y" sync@framuga.pl

# Two registrations from the public form.
R=$E2E_RUNDIR/jar-reg
reg() {	# COMPANY NIP EMAIL [DELIVERY-STREET]
	_t=$(csrf_of /register "$R")
	http_request POST /register -b "$R" -c "$R" --data-urlencode "csrf=$_t" \
	    --data-urlencode "company=$1" --data-urlencode "nip=$2" \
	    --data-urlencode "invoice_kind=invoice" --data-urlencode "street=ul. Leśna 5" \
	    --data-urlencode "postcode=61-001" --data-urlencode "city=Poznań" \
	    --data-urlencode "country=PL" --data-urlencode "delivery_street=${4:-}" \
	    --data-urlencode "delivery_postcode=${4:+62-002}" \
	    --data-urlencode "delivery_city=${4:+Suchy Las}" \
	    --data-urlencode "contact_name=Osoba $1" --data-urlencode "contact_email=$3" \
	    --data-urlencode "contact_phone=600 100 200" --data-urlencode "lang=pl"
}
reg "Zieliński i Syn" 1234563218 zofia@zielinscy.pl
is "$HTTP_STATUS" 303 "a registration that matches an ERP card by NIP"
G1=$(sql "SELECT id FROM registration WHERE contact_email = 'zofia@zielinscy.pl'")
reg "Nowa Stolarka" 7740001454 nowa@stolarka.pl "ul. Budowlana 9"
G2=$(sql "SELECT id FROM registration WHERE contact_email = 'nowa@stolarka.pl'")
reg "Odrzucana" PL1070000017 spam@example.com
G3=$(sql "SELECT id FROM registration WHERE contact_email = 'spam@example.com'")
is "$(sql "SELECT count(*) FROM registration WHERE status = 'pending'")" 3 \
    "three pending registrations"

# --- who may see the pages ---------------------------------------------------------
http_get /cms/registrations -b "$Y"
is "$HTTP_STATUS" 403 "staff with the sync role only: registrations refused (403)"
post "$Y" "/cms/registrations/$G1/approve" --data-urlencode "link=new"
is "$HTTP_STATUS" 403 "and approving refused (403)"
http_get /cms/registrations
is "$HTTP_STATUS" 403 "anonymous: 403"
http_get /cms -b "$U"
like "$(http_body)" 'href="/cms/registrations"' "the CMS menu shows Registrations to cms.users"
unlike "$(http_body)" 'href="/cms/staff"' "but not Staff (cms.staff)"

# --- the list and one registration --------------------------------------------------
http_get /cms/registrations -b "$U"
is "$HTTP_STATUS" 200 "the registrations list"
like "$(http_body)" 'Zieliński i Syn' "shows the pending ones"
http_get '/cms/registrations?q=stolarka' -b "$U"
like "$(http_body)" 'Nowa Stolarka' "search by e-mail or company"
unlike "$(http_body)" 'Zieliński i Syn' "and only the matches"
http_get "/cms/registrations/$G1" -b "$U"
is "$HTTP_STATUS" 200 "a registration's page"
like "$(http_body)" 'Zieliński Okna \(ERP\)' "suggests the ERP card with the same NIP (other spelling)"
unlike "$(http_body)" 'Inna Firma' "and no other"
like "$(http_body)" '<option value="[0-9]+" selected>Zofia Zielińska' \
    "the ERP contact with the same e-mail is preselected"
http_get "/cms/registrations/999999" -b "$U"
is "$HTTP_STATUS" 404 "an unknown registration: 404"

# --- approval linking an ERP card ----------------------------------------------------
Z100=$(sql "SELECT id FROM customer WHERE code = 'Z100'")
CC2=$(sql "SELECT id FROM customer_contact WHERE erp_uuid = 'cc-2'")
post "$U" "/cms/registrations/$G1/approve" --data-urlencode "link=$Z100" \
    --data-urlencode "contact=$CC2" --data-urlencode "role=customer_admin" \
    --data-urlencode "mod_orders=1"
is "$HTTP_STATUS" 422 "a contact person of another customer: 422"
like "$(http_body)" 'id="f-contact-err"' "named at the contact"
like "$(http_body)" 'name="mod_orders" value="1" checked' "the modules ticked are kept"
is "$(sql "SELECT status FROM registration WHERE id = $G1")" pending "still pending"
post "$U" "/cms/registrations/$G1/approve" --data-urlencode "link=" \
    --data-urlencode "code=NOPE" --data-urlencode "role=customer_admin"
is "$HTTP_STATUS" 422 "an unknown ERP code: 422"
CC1=$(sql "SELECT id FROM customer_contact WHERE erp_uuid = 'cc-1'")
nmail=$(sql "SELECT count(*) FROM mail_outbox WHERE to_addr = 'zofia@zielinscy.pl'")
post "$U" "/cms/registrations/$G1/approve" --data-urlencode "link=$Z100" \
    --data-urlencode "contact=$CC1" --data-urlencode "role=customer_admin" \
    --data-urlencode "mod_orders=1" --data-urlencode "mod_invoices=1" \
    --data-urlencode "note=znany klient"
is "$HTTP_STATUS" 303 "approval linked to the ERP card: 303"
is "$(sql "SELECT status || '|' || customer_id || '|' || contact_id || '|' || decided_by FROM registration WHERE id = $G1")" \
    "approved|$Z100|$CC1|$(uid obsluga@framuga.pl)" "the registration records the card, contact and who"
ZU=$(uid zofia@zielinscy.pl)
is "$(sql "SELECT customer_id FROM user WHERE id = $ZU")" "$Z100" \
    "the customer's admin account belongs to the card"
is "$(sql "SELECT group_concat(r.name) FROM user_role ur JOIN role r ON r.id = ur.role_id WHERE ur.user_id = $ZU")" \
    customer_admin "with the chosen role"
is "$(sql "SELECT group_concat(module, ' ') FROM (SELECT module FROM customer_module WHERE customer_id = $Z100 ORDER BY module)")" \
    "invoices orders" "the modules are those ticked"
is "$(sql "SELECT inv_name || '|' || inv_nip FROM customer WHERE id = $Z100")" \
    "Zieliński i Syn|1234563218" "the invoice data starts from the registration"
is "$(sql "SELECT name FROM customer WHERE id = $Z100")" "Zieliński Okna (ERP)" \
    "the ERP's own name is untouched"
is "$(( $(sql "SELECT count(*) FROM mail_outbox WHERE to_addr = 'zofia@zielinscy.pl'") - nmail ))" \
    2 "two mails: the approval and the link to set a password"
is "$(audit_count registration.approve)" 1 "audited"
like "$(sql "SELECT detail FROM audit_log WHERE action = 'registration.approve'")" \
    "linked customer $Z100" "naming the card"
Z=$E2E_RUNDIR/jar-zofia
set_password "$Z" zofia@zielinscy.pl
is "$HTTP_STATUS" 303 "the mailed link sets the password"
login "$Z" zofia@zielinscy.pl
is "$HTTP_STATUS" 303 "the new customer admin logs in"
is "$(sql "SELECT perms & (1 << 2) != 0, perms & (1 << 5) != 0 FROM session WHERE user_id = $ZU ORDER BY id DESC LIMIT 1")" \
    "1|0" "orders.view holds, prices.view does not (catalogue module off)"
post "$U" "/cms/registrations/$G1/approve" --data-urlencode "link=new" \
    --data-urlencode "role=customer_admin"
is "$HTTP_STATUS" 409 "a decided registration is not decided again: 409"
is "$(sql "SELECT count(*) FROM user WHERE email = 'zofia@zielinscy.pl'")" 1 "nothing new"

# --- approval as a new customer --------------------------------------------------------
post "$U" "/cms/registrations/$G2/approve" --data-urlencode "link=new" \
    --data-urlencode "role=customer_admin" --data-urlencode "mod_orders=1" \
    --data-urlencode "mod_catalogue=1"
is "$HTTP_STATUS" 303 "approval as a new customer"
NC=$(sql "SELECT customer_id FROM registration WHERE id = $G2")
like "$(sql "SELECT erp_uuid FROM customer WHERE id = $NC")" '^portal:[0-9a-f]{32}$' \
    "a portal customer until the ERP card exists"
is "$(sql "SELECT name || '|' || nip || '|' || portal_status FROM customer WHERE id = $NC")" \
    "Nowa Stolarka|7740001454|active" "with the registration's data"
is "$(sql "SELECT street || '|' || is_default FROM delivery_address WHERE customer_id = $NC")" \
    "ul. Budowlana 9|1" "the delivery address becomes the default one"

# --- rejection -------------------------------------------------------------------------
post "$U" "/cms/registrations/$G3/reject" --data-urlencode "reason="
is "$HTTP_STATUS" 422 "a rejection needs a reason: 422"
post "$U" "/cms/registrations/$G3/reject" --data-urlencode "reason=Nie prowadzimy sprzedaży do tej branży."
is "$HTTP_STATUS" 303 "rejected with a reason"
is "$(sql "SELECT status FROM registration WHERE id = $G3")" rejected "stored"
like "$(sql "SELECT body_text FROM mail_outbox WHERE to_addr = 'spam@example.com' ORDER BY id DESC LIMIT 1")" \
    "Nie prowadzimy sprzedaży" "the registrant gets the reason by mail"
is "$(audit_count registration.reject)" 1 "audited"
is "$(sql "SELECT count(*) FROM customer WHERE name = 'Odrzucana'")" 0 "no customer made"

# An e-mail that already has an account cannot be approved again.
reg "Drugi Zieliński" DE999999999 zofia@zielinscy.pl
G4=$(sql "SELECT id FROM registration WHERE nip = 'DE999999999'")
http_get "/cms/registrations/$G4" -b "$U"
like "$(http_body)" 'ma już konto w portalu' "the page warns that the e-mail has an account"
post "$U" "/cms/registrations/$G4/approve" --data-urlencode "link=new" \
    --data-urlencode "role=customer_admin"
is "$HTTP_STATUS" 422 "approving it: 422"
is "$(sql "SELECT count(*) FROM customer WHERE name = 'Drugi Zieliński'")" 0 \
    "and the new customer was rolled back"

# --- customers -------------------------------------------------------------------------
http_get '/cms/customers?q=123-456' -b "$U"
is "$HTTP_STATUS" 200 "the customers list"
like "$(http_body)" 'Zieliński Okna' "search by NIP"
http_get '/cms/customers?q=X200' -b "$U"
like "$(http_body)" 'Inna Firma' "search by ERP code"
unlike "$(http_body)" 'Zieliński' "only the match"
http_get "/cms/customers/$Z100" -b "$U"
is "$HTTP_STATUS" 200 "a customer's page"
like "$(http_body)" 'zofia@zielinscy.pl' "lists its users"
like "$(http_body)" 'name="mod_invoices" value="1" checked' "and its modules"
like "$(http_body)" "action=\"/cms/impersonate/$ZU\"" "and a button to log in as each user (cms.impersonate)"
post "$U" "/cms/customers/$Z100/modules" --data-urlencode "mod_orders=1" \
    --data-urlencode "mod_invoices=1" --data-urlencode "mod_catalogue=1"
is "$HTTP_STATUS" 303 "staff switch a module on"
is "$(sql "SELECT count(*) FROM customer_module WHERE customer_id = $Z100")" 3 "stored"
http_get /account/profile -b "$Z"
is "$(sql "SELECT perms & (1 << 5) != 0 FROM session WHERE user_id = $ZU AND revoked_at IS NULL ORDER BY id DESC LIMIT 1")" \
    1 "the customer's admin holds prices.view at the next request"
post "$U" "/cms/customers/$Z100/status" --data-urlencode "status=disabled"
is "$HTTP_STATUS" 303 "staff disable the customer's portal access"
http_get /account/profile -b "$Z"
is "$HTTP_STATUS" 403 "its users' sessions end"
login "$Z" zofia@zielinscy.pl
isnt "$HTTP_STATUS" 303 "and they cannot log in"
post "$U" "/cms/customers/$Z100/status" --data-urlencode "status=active"
login "$Z" zofia@zielinscy.pl
is "$HTTP_STATUS" 303 "enabled again: they can"
http_get /cms/customers/999999 -b "$U"
is "$HTTP_STATUS" 404 "an unknown customer: 404"

# --- users ----------------------------------------------------------------------------
http_get '/cms/users?q=zielinscy' -b "$U"
is "$HTTP_STATUS" 200 "the users list"
like "$(http_body)" 'zofia@zielinscy.pl' "search by e-mail"
http_get '/cms/users?kind=staff' -b "$U"
like "$(http_body)" 'szef@framuga.pl' "filter: staff"
unlike "$(http_body)" 'zielinscy' "without customers' users"
sql "UPDATE customer SET code = 'NC1' WHERE id = $NC"
adduser widz@nowa.pl "Wiktor" --customer NC1 --role viewer
WV=$(uid widz@nowa.pl)
http_get "/cms/users/$WV" -b "$U"
is "$HTTP_STATUS" 200 "a user's page"
like "$(http_body)" "action=\"/cms/impersonate/$WV\"" "with the button to log in as them (cms.impersonate)"
http_get "/cms/users/$WV" -b "$S"
like "$(http_body)" "action=\"/cms/users/$WV/grants\"" "and their grants form"
post "$U" "/cms/users/$WV/grants" --data-urlencode "role_buyer=1"
is "$HTTP_STATUS" 303 "staff with cms.users give a customer role"
is "$(sql "SELECT group_concat(r.name) FROM user_role ur JOIN role r ON r.id = ur.role_id WHERE ur.user_id = $WV")" \
    buyer "stored"
post "$U" "/cms/users/$WV/grants" --data-urlencode "perm_cms.users=1"
is "$HTTP_STATUS" 403 "a staff permission to a customer's user: 403"
is "$(sql "SELECT count(*) FROM user_perm WHERE user_id = $WV")" 0 "nothing given"
V=$E2E_RUNDIR/jar-wv
login "$V" widz@nowa.pl
post "$U" "/cms/users/$WV/disable"
is "$HTTP_STATUS" 303 "staff disable a customer's user"
http_get /account/profile -b "$V"
is "$HTTP_STATUS" 403 "whose session ends at once"
post "$U" "/cms/users/$WV/enable"
is "$(sql "SELECT disabled FROM user WHERE id = $WV")" 0 "enabled again"
post "$U" "/cms/users/$(uid szef@framuga.pl)/disable"
is "$HTTP_STATUS" 403 "cms.users cannot disable a staff admin: 403"
post "$U" "/cms/users/$(uid obsluga@framuga.pl)/disable"
is "$HTTP_STATUS" 403 "nor themselves: 403"
is "$(sql "SELECT count(*) FROM user WHERE disabled = 1")" 0 "nobody is disabled"

# --- staff and scoped roles (A6) ------------------------------------------------------
http_get /cms/staff -b "$U"
is "$HTTP_STATUS" 403 "staff without cms.staff: the staff pages are refused"
http_get /cms/staff -b "$S"
is "$HTTP_STATUS" 200 "the staff list for the admin"
like "$(http_body)" 'sync@framuga.pl' "lists staff"
post "$S" /cms/staff --data-urlencode "name=Kasia Treści" --data-urlencode "email=tresci@framuga.pl" \
    --data-urlencode "lang=pl" --data-urlencode "role_content=1"
is "$HTTP_STATUS" 303 "the admin adds a staff member with the content role"
TC=$(uid tresci@framuga.pl)
is "$(sql "SELECT is_staff || '|' || (SELECT group_concat(r.name) FROM user_role ur JOIN role r ON r.id = ur.role_id WHERE ur.user_id = $TC) FROM user WHERE id = $TC")" \
    "1|content" "a staff account with that role"
like "$(mail_link tresci@framuga.pl)" '^/password/reset/' "invited by mail"
# A personnel officer: staff pages and users, but not sync nor the audit.
sql "INSERT INTO role (name, scope, description) VALUES ('kadry', 'staff', 'staff and users');
    INSERT INTO role_perm (role_id, perm) SELECT id, p FROM role,
    (SELECT 'cms' AS p UNION ALL SELECT 'cms.staff' UNION ALL SELECT 'cms.users'
     UNION ALL SELECT 'cms.content' UNION ALL SELECT 'cms.translations') WHERE name = 'kadry'"
adduser kadry@framuga.pl "Kadry" --staff kadry
H=$E2E_RUNDIR/jar-kadry
login "$H" kadry@framuga.pl
http_get /cms/staff/new -b "$H"
like "$(http_body)" 'name="role_content"' "offered: a role within their rights"
unlike "$(http_body)" 'name="role_admin"' "not offered: admin"
nstaff=$(sql "SELECT count(*) FROM user WHERE is_staff = 1")
post "$H" /cms/staff --data-urlencode "name=X" --data-urlencode "email=x@framuga.pl" \
    --data-urlencode "lang=pl" --data-urlencode "role_admin=1"
is "$HTTP_STATUS" 403 "giving admin without holding all of it: 403"
post "$H" /cms/staff --data-urlencode "name=X" --data-urlencode "email=x@framuga.pl" \
    --data-urlencode "lang=pl" --data-urlencode "role_sync=1"
is "$HTTP_STATUS" 403 "giving sync without holding cms.sync: 403"
is "$(sql "SELECT count(*) FROM user WHERE is_staff = 1")" "$nstaff" "no staff account made"
post "$H" "/cms/staff/$(uid kadry@framuga.pl)" --data-urlencode "role_admin=1"
is "$HTTP_STATUS" 403 "nobody raises their own staff roles: 403"
post "$H" "/cms/staff/$(uid szef@framuga.pl)/disable"
is "$HTTP_STATUS" 403 "nor disables a wider staff member: 403"
post "$H" "/cms/staff/$TC" --data-urlencode "role_content=1" --data-urlencode "role_kadry=1"
is "$HTTP_STATUS" 303 "within their rights they change a staff member's roles"
is "$(audit_count grant.refused)" 3 "every refused grant is in the audit log"

# --- the audit log --------------------------------------------------------------------
http_get /cms/audit -b "$U"
is "$HTTP_STATUS" 200 "the audit log for cms.audit"
like "$(http_body)" 'registration.approve' "shows the approval"
http_get /cms/audit -b "$H"
is "$HTTP_STATUS" 403 "staff without cms.audit: 403"
http_get '/cms/audit?action=registration.reject' -b "$U"
like "$(http_body)" 'Nie prowadzimy' "filter by action"
unlike "$(http_body)" '<td>registration.approve</td>' "only that action"
http_get "/cms/audit?actor=obsluga@framuga.pl&action=perm.grant" -b "$U"
like "$(http_body)" "<td>perm.grant</td>" "filter by actor (e-mail) and action"
http_get "/cms/audit?target_type=registration&target_id=$G3" -b "$U"
like "$(http_body)" 'registration.reject' "filter by target"
unlike "$(http_body)" '<td>registration.approve</td>' "only that target"
today=$(date -u +%Y-%m-%d)
http_get "/cms/audit?from=$today&to=$today" -b "$U"
like "$(http_body)" 'registration.approve' "today's rows in a date range"
http_get "/cms/audit?from=2001-01-01&to=2001-01-31" -b "$U"
like "$(http_body)" 'Brak zdarzeń' "none in a range long ago"
http_get '/cms/audit?from=yesterday' -b "$U"
is "$HTTP_STATUS" 400 "a malformed date: 400"
http_get '/cms/audit?action=drop%20table' -b "$U"
is "$HTTP_STATUS" 400 "an unknown action: 400"
http_get '/cms/audit?before=abc' -b "$U"
is "$HTTP_STATUS" 400 "a malformed cursor: 400"

# --- keyset paging ---------------------------------------------------------------------
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120)
    INSERT INTO audit_log (at, action, target_type, target_id, detail)
    SELECT strftime('%s','now'), 'session.end', 'session', i, 'row ' || i FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 70)
    INSERT INTO user (customer_id, email, name, created_at, updated_at)
    SELECT $NC, 'u' || i || '@nowa.pl', 'Masowy ' || i, 0, 0 FROM n"
http_get '/cms/audit?action=session.end' -b "$U"
is "$(grep -c '<td>session.end</td>' "$HTTP_BODY")" 50 "the audit log: 50 rows a page"
next=$(http_body | sed -n 's/.*rel="next" href="\([^"]*\)".*/\1/p' | sed 's/&amp;/\&/g')
like "$next" '^/cms/audit\?action=session.end&before=[0-9]+$' "the next link keeps the filter and names the last id"
first_ids=$(http_body | grep -o 'row [0-9]*' | sort -u)
http_get "$next" -b "$U"
is "$(grep -c '<td>session.end</td>' "$HTTP_BODY")" 50 "the second page: 50 more"
second_ids=$(http_body | grep -o 'row [0-9]*' | sort -u)
is "$(printf '%s\n%s\n' "$first_ids" "$second_ids" | sort | uniq -d | wc -l)" 0 "no row on both pages"
like "$(http_body)" 'href="/cms/audit\?action=session.end"' "a link back to the first page"
http_get '/cms/users?q=Masowy' -b "$U"
is "$(grep -c '>Masowy ' "$HTTP_BODY")" 50 "the users list: 50 a page"
next=$(http_body | sed -n 's/.*rel="next" href="\([^"]*\)".*/\1/p' | sed 's/&amp;/\&/g')
http_get "$next" -b "$U"
is "$(grep -c '>Masowy ' "$HTTP_BODY")" 20 "and the remaining 20 on the next"
unlike "$(http_body)" 'rel="next"' "with no further page"

done_testing
