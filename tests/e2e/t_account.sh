#!/bin/sh
# t_account.sh: the customer's own account pages end to end, through the
# real nginx and framuga-fcgi: registration (NIP checksum, input kept on a
# problem, the confirmation mail, the audit row, one pending per NIP),
# the company profile (ERP fields read-only, invoice data with NIP check,
# the user's language), branches and delivery addresses, co-workers with
# delegation (the invitation mail and its link, roles and permissions no
# wider than the admin's: an escalation is refused and nothing changes;
# nobody edits their own rights), disabling (sessions end at once), and
# isolation (another customer's users, branches and addresses: 404).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

e2e_init account
. "$top_srcdir/tests/e2e/t_account_lib.sh"

sql "INSERT INTO customer (erp_uuid, code, name, nip, currency, payment_days,
    credit_limit, updated_at) VALUES
    ('c-nowak', 'K1', 'Okna Nowak', '526-000-12-46', 'PLN', 30, 5000000, 0),
    ('c-kow', 'K2', 'Drzwi Kowalski', '', 'PLN', 14, 0, 0)"
adduser anna@nowak.pl "Anna Nowak" --customer K1 --role customer_admin ||
    bail_out "framuga-user add failed"
adduser widz@nowak.pl "Wiktor Widz" --customer K1 --role viewer
adduser piotr@kowalski.pl "Piotr Kowalski" --customer K2 --role customer_admin
A=$E2E_RUNDIR/jar-anna W=$E2E_RUNDIR/jar-widz P=$E2E_RUNDIR/jar-piotr
login "$A" anna@nowak.pl
is "$HTTP_STATUS" 303 "the customer admin logs in"
login "$W" widz@nowak.pl
login "$P" piotr@kowalski.pl
is "$HTTP_STATUS" 303 "another customer's admin logs in"

# --- registration (A5) ---------------------------------------------------------
R=$E2E_RUNDIR/jar-reg
http_get /register -c "$R"
is "$HTTP_STATUS" 200 "the registration form answers without a login"
like "$(http_body)" '<label for="f-nip">' "every field has a label (NIP)"
tok=$(http_body | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
reg() {	# NIP EMAIL [POSTCODE]
	http_request POST /register -b "$R" -c "$R" --data-urlencode "csrf=$tok" \
	    --data-urlencode "company=Okna <Zielińscy> & Syn" \
	    --data-urlencode "nip=$1" --data-urlencode "invoice_kind=invoice" \
	    --data-urlencode "street=ul. Leśna 5" \
	    --data-urlencode "postcode=${3:-61-001}" --data-urlencode "city=Poznań" \
	    --data-urlencode "country=PL" --data-urlencode "delivery_street=" \
	    --data-urlencode "delivery_postcode=" --data-urlencode "delivery_city=" \
	    --data-urlencode "contact_name=Zofia Zielińska" \
	    --data-urlencode "contact_email=$2" --data-urlencode "contact_phone=+48 600 100 200" \
	    --data-urlencode "lang=pl" --data-urlencode "message=Prosimy o konto."
}
reg 1234567890 zofia@zielinscy.pl
is "$HTTP_STATUS" 422 "a NIP with a wrong check digit: 422"
like "$(http_body)" 'id="f-nip-err"' "the problem is named next to the NIP"
like "$(http_body)" 'aria-invalid="true" aria-describedby="f-nip-err"' "and tied to the field"
like "$(http_body)" 'value="Okna &lt;Zielińscy&gt; &amp; Syn"' "the company typed is kept (and escaped)"
like "$(http_body)" 'value="1234567890"' "the NIP typed is kept"
like "$(http_body)" 'Prosimy o konto.</textarea>' "the message typed is kept"
like "$(http_body)" 'role="alert"' "a summary of the problems"
is "$(sql 'SELECT count(*) FROM registration')" 0 "nothing stored"
reg 1234563218 zofia@zielinscy.pl 61001
is "$HTTP_STATUS" 422 "a Polish post code without the dash: 422"
like "$(http_body)" 'id="f-postcode-err"' "named at the post code"
reg "123-456-32-18" zofia@zielinscy.pl
is "$HTTP_STATUS" 303 "a valid registration: 303"
is "$(http_header Location)" /register/sent "to the thank-you page"
is "$(sql "SELECT company || '|' || nip || '|' || status FROM registration")" \
    "Okna <Zielińscy> & Syn|1234563218|pending" "stored pending, NIP normalized"
is "$(sql "SELECT count(*) FROM mail_outbox WHERE to_addr = 'zofia@zielinscy.pl'")" 1 \
    "a confirmation mail is queued"
is "$(audit_count registration.submit)" 1 "and the audit log has it"
reg "PL 1234563218" other@zielinscy.pl
is "$HTTP_STATUS" 422 "a second pending registration for the same NIP: 422"
reg "DE123456789" zofia@zielinscy.pl
is "$HTTP_STATUS" 422 "a second pending one for the same e-mail: 422"
reg "DE 123 456 789" hans@fenster.de
is "$HTTP_STATUS" 303 "an EU VAT number is accepted without a checksum"
is "$(sql "SELECT nip FROM registration WHERE contact_email = 'hans@fenster.de'")" \
    DE123456789 "stored as country code + number"
http_request POST /register -b "$R" --data-urlencode "csrf=bad" --data "company=x"
is "$HTTP_STATUS" 403 "a registration without the form's token: 403"
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3)
    INSERT INTO registration (created_at, company, contact_name, contact_email, ip)
    SELECT strftime('%s','now'), 'Seria ' || i, 'X', 'seria' || i || '@x.pl',
    '127.0.0.1' FROM n"
nreg=$(sql 'SELECT count(*) FROM registration')
reg 7740001454 nowa@firma.pl
is "$HTTP_STATUS" 429 "a sixth registration from one address within the hour: 429"
like "$(http_body)" 'value="7740001454"' "with the form kept"
is "$(sql 'SELECT count(*) FROM registration')" "$nreg" "and nothing stored"

# --- profile (A7) ---------------------------------------------------------------
http_get /account/profile -b "$A"
is "$HTTP_STATUS" 200 "the profile page"
like "$(http_body)" '526-000-12-46' "shows the ERP's tax id (read-only)"
like "$(http_body)" 'action="/account/profile"' "the admin may edit the invoice data"
http_get /account/profile -b "$W"
is "$HTTP_STATUS" 200 "a co-worker sees the profile"
unlike "$(http_body)" 'action="/account/profile"' "but without the company form"
# what the user may use, by module: marketing.view is held by every user
# of a customer with the module (not granted), so it shows, and goes with
# the module
like "$(http_body)" 'data-module="orders"' "the profile lists the co-worker's modules"
like "$(http_body)" 'data-module="marketing"' "with the marketing materials they hold"
K1M=$(sql "SELECT id FROM customer WHERE code = 'K1'")
sql "DELETE FROM customer_module WHERE customer_id = $K1M AND module = 'marketing'"
http_get /account/profile -b "$W"
unlike "$(http_body)" 'data-module="marketing"' "not once the customer lacks the module"
sql "INSERT INTO customer_module (customer_id, module) VALUES ($K1M, 'marketing')"
prof() {	# JAR NIP
	post "$1" /account/profile --data-urlencode "invoice_kind=invoice" \
	    --data-urlencode "inv_name=Okna Nowak sp. z o.o." \
	    --data-urlencode "inv_nip=$2" --data-urlencode "inv_street=ul. Polna 1" \
	    --data-urlencode "inv_postcode=00-950" --data-urlencode "inv_city=Warszawa" \
	    --data-urlencode "inv_country=PL" --data-urlencode "inv_email=faktury@nowak.pl" \
	    --data-urlencode "inv_phone="
}
prof "$A" 5260001247
is "$HTTP_STATUS" 422 "invoice data with a bad NIP: 422"
like "$(http_body)" 'value="Okna Nowak sp. z o.o."' "what was typed is kept"
like "$(http_body)" 'id="f-inv_nip-err"' "the NIP problem is named"
prof "$A" 526-000-12-46
is "$HTTP_STATUS" 303 "valid invoice data: saved"
is "$(sql "SELECT inv_name || '|' || inv_nip FROM customer WHERE code = 'K1'")" \
    "Okna Nowak sp. z o.o.|5260001246" "stored for the session's customer"
is "$(sql "SELECT nip FROM customer WHERE code = 'K1'")" 526-000-12-46 \
    "the ERP's own field is untouched"
is "$(sql "SELECT inv_name FROM customer WHERE code = 'K2'")" "" \
    "the other customer is untouched"
prof "$W" 526-000-12-46
is "$HTTP_STATUS" 403 "a co-worker without users.manage cannot edit it: 403"
post "$W" /account/language --data-urlencode "lang=en"
is "$HTTP_STATUS" 303 "a user sets their own language"
is "$(sql "SELECT lang FROM user WHERE email = 'widz@nowak.pl'")" en "stored"
http_get /account/profile -b "$W"
like "$(http_body)" '<html lang="en">' "and the next page is in it"
post "$W" /account/language --data-urlencode "lang=xx"
is "$HTTP_STATUS" 422 "a language not on the list: 422"

# --- branches and delivery addresses (A4) ----------------------------------------
branch() {	# JAR PATH NAME
	post "$1" "$2" --data-urlencode "name=$3" --data-urlencode "street=ul. Fabryczna 2" \
	    --data-urlencode "postcode=60-100" --data-urlencode "city=Poznań" \
	    --data-urlencode "country=PL" --data-urlencode "phone=61 100 20 30"
}
branch "$A" /account/branches "Oddział Poznań"
is "$HTTP_STATUS" 303 "the admin adds a branch"
B1=$(sql "SELECT id FROM branch WHERE name = 'Oddział Poznań'")
is "$(sql "SELECT c.code FROM branch b JOIN customer c ON c.id = b.customer_id WHERE b.id = $B1")" \
    K1 "for their own customer"
branch "$A" /account/branches ""
is "$HTTP_STATUS" 422 "a branch without a name: 422"
http_get /account/branches -b "$A"
like "$(http_body)" "Oddział Poznań" "the list shows it"
http_get /account/branches -b "$P"
unlike "$(http_body)" "Oddział Poznań" "another customer's list does not"
http_get "/account/branches/$B1" -b "$P"
is "$HTTP_STATUS" 404 "another customer's admin: the branch is not found (404)"
branch "$P" "/account/branches/$B1" "Przejęty"
is "$HTTP_STATUS" 404 "nor can they change it (404)"
post "$P" "/account/branches/$B1/delete"
is "$HTTP_STATUS" 404 "nor remove it (404)"
is "$(sql "SELECT name FROM branch WHERE id = $B1")" "Oddział Poznań" "it is unchanged"
http_get /account/branches -b "$W"
is "$HTTP_STATUS" 403 "a co-worker without users.manage: 403"
branch "$A" "/account/branches/$B1" "Oddział Poznań-Rataje"
is "$HTTP_STATUS" 303 "the admin renames it"
addr() {	# JAR PATH LABEL BRANCH [DEFAULT]
	post "$1" "$2" --data-urlencode "label=$3" --data-urlencode "name=Okna Nowak" \
	    --data-urlencode "street=ul. Magazynowa 7" --data-urlencode "postcode=60-200" \
	    --data-urlencode "city=Poznań" --data-urlencode "country=PL" \
	    --data-urlencode "contact=Jan" --data-urlencode "phone=600 200 300" \
	    --data-urlencode "branch=$4" --data-urlencode "is_default=${5:-}"
}
addr "$A" /account/addresses "Magazyn" "$B1" 1
is "$HTTP_STATUS" 303 "the admin adds a delivery address for the branch"
D1=$(sql "SELECT id FROM delivery_address WHERE label = 'Magazyn'")
addr "$A" /account/addresses "Budowa" "" 1
is "$(sql "SELECT count(*) FROM delivery_address WHERE customer_id = (SELECT id FROM customer WHERE code = 'K1')")" \
    2 "and one for the whole company"
B2=$(sql "INSERT INTO branch (customer_id, name, created_at, updated_at) SELECT id, 'Obcy', 0, 0 FROM customer WHERE code = 'K2'; SELECT last_insert_rowid()")
addr "$A" /account/addresses "Cudzy" "$B2"
is "$HTTP_STATUS" 422 "an address in another customer's branch: refused (422)"
like "$(http_body)" 'id="f-branch-err"' "named at the branch"
http_get "/account/addresses/$D1" -b "$P"
is "$HTTP_STATUS" 404 "another customer's address: 404"
addr "$P" "/account/addresses/$D1" "Przejęty" ""
is "$HTTP_STATUS" 404 "not changed by them (404)"
post "$P" "/account/addresses/$D1/delete"
is "$HTTP_STATUS" 404 "not removed by them (404)"
is "$(sql "SELECT label FROM delivery_address WHERE id = $D1")" Magazyn "unchanged"
post "$A" "/account/branches/$B1/delete"
is "$HTTP_STATUS" 303 "a branch without users can be removed"
is "$(sql "SELECT count(*) FROM delivery_address WHERE id = $D1")" 0 \
    "its delivery addresses go with it"
is "$(sql "SELECT count(*) FROM audit_log WHERE action LIKE 'branch.%' OR action LIKE 'address.%'")" \
    5 "every change is audited"

# --- co-workers and delegation (A2) ------------------------------------------------
http_get /account/users -b "$A"
is "$HTTP_STATUS" 200 "the co-workers list"
like "$(http_body)" 'widz@nowak.pl' "lists the customer's users"
unlike "$(http_body)" 'piotr@kowalski.pl' "and no other customer's"
http_get /account/users/new -b "$A"
like "$(http_body)" 'name="perm_users.manage"' "the admin may give what they hold"
newuser() {	# JAR EMAIL NAME [CURL-ARGS...]
	_j=$1 _e=$2 _n=$3; shift 3
	post "$_j" /account/users --data-urlencode "name=$_n" --data-urlencode "email=$_e" \
	    --data-urlencode "phone=" --data-urlencode "branch=" --data-urlencode "lang=pl" "$@"
}
newuser "$A" "not-an-address" "Jan" --data-urlencode "role_viewer=1"
is "$HTTP_STATUS" 422 "a co-worker with a malformed e-mail: 422"
like "$(http_body)" 'name="role_viewer" value="1" checked' "the roles ticked are kept"
newuser "$A" ola@nowak.pl "Ola Nowak" --data-urlencode "perm_users.manage=1" \
    --data-urlencode "perm_orders.view=1"
is "$HTTP_STATUS" 303 "the admin adds a co-worker who manages users and views orders"
OLA=$(uid ola@nowak.pl)
is "$(sql "SELECT c.code FROM user u JOIN customer c ON c.id = u.customer_id WHERE u.id = $OLA")" \
    K1 "in the admin's company"
is "$(sql "SELECT group_concat(perm, ' ') FROM (SELECT perm FROM user_perm WHERE user_id = $OLA ORDER BY perm)")" \
    "orders.view users.manage" "with exactly those permissions"
like "$(mail_link ola@nowak.pl)" '^/password/reset/[0-9a-f]{64}$' \
    "an invitation with a link to set a password is queued"
is "$(sql "SELECT password_hash FROM user WHERE id = $OLA")" "" "no password until then"
O=$E2E_RUNDIR/jar-ola
set_password "$O" ola@nowak.pl
is "$HTTP_STATUS" 303 "the link sets the password"
login "$O" ola@nowak.pl
is "$HTTP_STATUS" 303 "the co-worker logs in"
newuser "$A" ola@nowak.pl "Ola Druga" --data-urlencode "role_viewer=1"
is "$HTTP_STATUS" 422 "an e-mail that has an account already: 422"

# Escalation: Ola holds users.manage + orders.view only.
nusers=$(sql "SELECT count(*) FROM user")
newuser "$O" kuba@nowak.pl "Kuba" --data-urlencode "role_buyer=1"
is "$HTTP_STATUS" 403 "a role wider than the admin (buyer: places orders, prices): 403"
newuser "$O" kuba@nowak.pl "Kuba" --data-urlencode "perm_invoices.view=1"
is "$HTTP_STATUS" 403 "a permission the admin lacks (invoices.view): 403"
newuser "$O" kuba@nowak.pl "Kuba" --data-urlencode "perm_cms.users=1"
is "$HTTP_STATUS" 403 "a staff permission: 403"
newuser "$O" kuba@nowak.pl "Kuba" --data-urlencode "perm_no.such=1"
is "$HTTP_STATUS" 403 "an unknown permission: 403"
is "$(sql "SELECT count(*) FROM user")" "$nusers" "nothing was created"
is "$(sql "SELECT count(*) FROM audit_log WHERE action = 'grant.refused' AND actor_user_id = $OLA")" \
    4 "each refusal is in the audit log"
post "$O" "/account/users/$OLA" --data-urlencode "name=Ola" --data-urlencode "lang=pl" \
    --data-urlencode "branch=" --data-urlencode "perm_users.manage=1" \
    --data-urlencode "perm_orders.view=1" --data-urlencode "perm_invoices.view=1"
is "$HTTP_STATUS" 403 "nobody raises their own rights: 403"
post "$O" "/account/users/$OLA" --data-urlencode "name=Ola" --data-urlencode "lang=pl" \
    --data-urlencode "branch=" --data-urlencode "perm_users.manage=1"
is "$HTTP_STATUS" 403 "nor edits their own grants at all: 403"
ANNA=$(uid anna@nowak.pl)
post "$O" "/account/users/$ANNA/disable"
is "$HTTP_STATUS" 403 "a narrower admin cannot disable a wider one: 403"
is "$(sql "SELECT group_concat(perm, ' ') FROM (SELECT perm FROM user_perm WHERE user_id = $OLA ORDER BY perm)")" \
    "orders.view users.manage" "Ola's rights are unchanged"
newuser "$O" kuba@nowak.pl "Kuba" --data-urlencode "perm_orders.view=1"
is "$HTTP_STATUS" 303 "within her own rights she may add a co-worker"
KUBA=$(uid kuba@nowak.pl)
http_get "/account/users/new" -b "$O"
unlike "$(http_body)" 'name="perm_invoices.view"' "the form offers only what she holds"

# A role is given only whole: with the catalogue module off, the admin
# lacks prices.view, so "buyer" (which has it) is neither offered nor
# accepted; switching the module on later must not hand it out.
K1ID=$(sql "SELECT id FROM customer WHERE code = 'K1'")
sql "DELETE FROM customer_module WHERE customer_id = $K1ID AND module = 'catalogue'"
http_get /account/users/new -b "$A"
unlike "$(http_body)" 'name="role_buyer"' "a role with a right of a module the customer lacks: not offered"
like "$(http_body)" 'name="role_viewer"' "a role within the admin's rights: offered"
newuser "$A" kuba2@nowak.pl "Kuba Drugi" --data-urlencode "role_buyer=1"
is "$HTTP_STATUS" 403 "and not accepted (403)"
is "$(sql "SELECT count(*) FROM user WHERE email = 'kuba2@nowak.pl'")" 0 "nothing created"
sql "INSERT INTO customer_module (customer_id, module) VALUES ($K1ID, 'catalogue')"

# Edits and isolation.
WIDZ=$(uid widz@nowak.pl)
post "$A" "/account/users/$WIDZ" --data-urlencode "name=Wiktor Widz" --data-urlencode "lang=en" \
    --data-urlencode "branch=" --data-urlencode "role_accountant=1"
is "$HTTP_STATUS" 303 "the admin changes a co-worker's role"
is "$(sql "SELECT group_concat(r.name) FROM user_role ur JOIN role r ON r.id = ur.role_id WHERE ur.user_id = $WIDZ")" \
    accountant "viewer replaced by accountant"
http_get "/account/users/$KUBA" -b "$P"
is "$HTTP_STATUS" 404 "another customer's admin: the user is not found (404)"
post "$P" "/account/users/$KUBA" --data-urlencode "name=X" --data-urlencode "lang=pl" \
    --data-urlencode "branch=" --data-urlencode "perm_orders.view=1"
is "$HTTP_STATUS" 404 "cannot change them (404)"
post "$P" "/account/users/$KUBA/disable"
is "$HTTP_STATUS" 404 "cannot disable them (404)"
is "$(sql "SELECT disabled FROM user WHERE id = $KUBA")" 0 "Kuba is untouched"

# Disabling ends the sessions at once.
K=$E2E_RUNDIR/jar-kuba
set_password "$K" kuba@nowak.pl
login "$K" kuba@nowak.pl
http_get /account/profile -b "$K"
is "$HTTP_STATUS" 200 "the new co-worker is logged in"
post "$A" "/account/users/$KUBA/disable"
is "$HTTP_STATUS" 303 "the admin disables him"
http_get /account/profile -b "$K"
is "$HTTP_STATUS" 403 "his session ended at once"
is "$(audit_count user.disable)" 1 "audited"
post "$A" "/account/users/$KUBA/enable"
is "$(sql "SELECT disabled FROM user WHERE id = $KUBA")" 0 "and enabled again"
# An admin limited to one branch sees and manages only that branch.
branch "$A" /account/branches "Oddział Kraków"
BK=$(sql "SELECT id FROM branch WHERE name = 'Oddział Kraków'")
branch "$A" /account/branches "Oddział Gdynia"
BG=$(sql "SELECT id FROM branch WHERE name = 'Oddział Gdynia'")
adduser basia@nowak.pl "Basia Kraków" --customer K1 --role customer_admin
sql "UPDATE user SET branch_id = $BK WHERE email = 'basia@nowak.pl'"
BB=$E2E_RUNDIR/jar-basia
login "$BB" basia@nowak.pl
http_get /account/branches -b "$BB"
like "$(http_body)" 'Oddział Kraków' "a branch admin sees her branch"
unlike "$(http_body)" 'Oddział Gdynia' "and not the others"
http_get "/account/branches/$BG" -b "$BB"
is "$HTTP_STATUS" 404 "another branch: 404"
branch "$BB" /account/branches "Oddział Własny"
is "$HTTP_STATUS" 403 "she cannot add branches: 403"
addr "$A" /account/addresses "Gdynia plac" "$BG"
DG=$(sql "SELECT id FROM delivery_address WHERE label = 'Gdynia plac'")
http_get "/account/addresses/$DG" -b "$BB"
is "$HTTP_STATUS" 404 "another branch's address: 404"
addr "$BB" /account/addresses "Kraków plac" ""
is "$HTTP_STATUS" 422 "an address for the whole company: refused to her (422)"
addr "$BB" /account/addresses "Kraków plac" "$BK"
is "$HTTP_STATUS" 303 "one for her branch: added"
post "$BB" /account/users --data-urlencode "name=Ewa" --data-urlencode "email=ewa@nowak.pl" \
    --data-urlencode "lang=pl" --data-urlencode "branch=" --data-urlencode "role_viewer=1"
is "$HTTP_STATUS" 422 "a co-worker for the whole company: refused to her (422)"
post "$BB" /account/users --data-urlencode "name=Ewa" --data-urlencode "email=ewa@nowak.pl" \
    --data-urlencode "lang=pl" --data-urlencode "branch=$BK" --data-urlencode "role_viewer=1"
is "$HTTP_STATUS" 303 "a co-worker of her branch: added"
is "$(sql "SELECT branch_id FROM user WHERE email = 'ewa@nowak.pl'")" "$BK" "in her branch"
http_get /account/users -b "$BB"
like "$(http_body)" 'ewa@nowak.pl' "her list shows her branch's users"
unlike "$(http_body)" 'widz@nowak.pl' "and not the company's others"
http_get "/account/users/$WIDZ" -b "$BB"
is "$HTTP_STATUS" 404 "a user outside her branch: 404"
prof "$BB" 526-000-12-46
is "$HTTP_STATUS" 403 "the company's invoice data is not hers to change: 403"

post "$A" "/account/users/$ANNA" --data-urlencode "name=Anna" --data-urlencode "lang=pl" \
    --data-urlencode "branch=" --data-urlencode "role_customer_admin=1"
is "$HTTP_STATUS" 403 "the admin cannot edit her own account either"
http_get /account/users -b "$P"
unlike "$(http_body)" 'nowak.pl' "no user of another customer on the list"

done_testing
