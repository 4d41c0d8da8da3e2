#!/bin/sh
# t_authz.sh: the authorization matrix and the CSRF sweep, end to end.
#
# The route table is read from the sources exactly as routes.c assembles
# it (the routes-*.inc files it includes).  Every route must have a line in
# EXPECT below, naming the permission it must require, whether it is
# customer data (scope "cust": only a customer's own users reach it, staff
# get 403 even with the permission) and the kind of object its {param}
# names.  A route without a line fails the test, and so does a route whose
# permission differs from its line: adding or loosening a route means
# saying here who may use it.
#
# Then every route is walked as every role: anonymous, a co-worker with
# limited grants (viewer + invoices.view), the customer's admin (whose
# customer lacks the rfq module), staff of each scope (complaints, sync,
# content, users) and a full admin:
#  - GET: allowed -> not 401/403/5xx; denied -> 403 (anonymous: with the
#    login form that comes back);
#  - POST: probed without a form token, which changes nothing: allowed ->
#    the CSRF refusal; denied -> the permission refusal (the permission is
#    checked first, so the two are told apart by their words);
#  - routes whose {param} names a customer's object are called with the
#    object of ANOTHER customer (with a valid token for POST): 403 or 404;
#  - no answer to a user of customer A contains customer B's data.
# CSRF sweep: every state-changing route refuses a missing token, a wrong
# token, a cross-site Origin, Sec-Fetch-Site: cross-site, and GET.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
command -v perl >/dev/null || skip_all "perl not installed"

# name  permission  scope(any|cust)  param-kind(-|user|staffuser|session|
#   branch|address|slug|token|op|failure|cmsid).  user, branch, address
#   and session are a customer's objects: the test also tries another
#   customer's.  Add a line here with every new route.
EXPECT='
home			public		any	-
healthz			public		any	-
news.list		public		any	-
news.show		public		any	slug
portal.dashboard	login		any	-
portal.marketing	marketing.view	cust	-
portal.marketing.show	marketing.view	cust	cmsid
portal.marketing.file	marketing.view	cust	cmsid
catalog.tree		catalog		any	-
catalog.search		catalog		any	-
catalog.category	catalog		any	-
catalog.product		catalog		any	-
catalog.file		catalog		any	-
catalog.thumb		catalog		any	-
auth.login		public		any	-
auth.login.post		public		any	-
auth.logout		login		any	-
auth.forgot		public		any	-
auth.forgot.post	public		any	-
auth.reset		public		any	token
auth.reset.post		public		any	token
auth.password		login		any	-
auth.password.post	login		any	-
auth.totp		login		any	-
auth.totp.post		login		any	-
auth.sessions		login		any	-
auth.sessions.end	login		any	session
auth.impersonate	cms.impersonate	any	staffuser
auth.impersonate.end	login		any	-
register.form		public		any	-
register.submit		public		any	-
register.sent		public		any	-
account.profile		login		any	-
account.profile.save	users.manage	cust	-
account.language	login		any	-
account.branches	users.manage	cust	-
account.branches.create	users.manage	cust	-
account.branches.edit	users.manage	cust	branch
account.branches.update	users.manage	cust	branch
account.branches.delete	users.manage	cust	branch
account.addresses	users.manage	cust	-
account.addresses.create users.manage	cust	-
account.addresses.edit	users.manage	cust	address
account.addresses.update users.manage	cust	address
account.addresses.delete users.manage	cust	address
account.users		users.manage	cust	-
account.users.new	users.manage	cust	-
account.users.create	users.manage	cust	-
account.users.edit	users.manage	cust	user
account.users.update	users.manage	cust	user
account.users.disable	users.manage	cust	user
account.users.enable	users.manage	cust	user
account.users.invite	users.manage	cust	user
cms.home		cms		any	-
cms.registrations	cms.users	any	-
cms.registrations.show	cms.users	any	cmsid
cms.registrations.approve cms.users	any	cmsid
cms.registrations.reject cms.users	any	cmsid
cms.customers		cms.users	any	-
cms.customers.show	cms.users	any	cmsid
cms.customers.modules	cms.users	any	cmsid
cms.customers.status	cms.users	any	cmsid
cms.users		cms.users	any	-
cms.users.show		cms.users	any	cmsid
cms.users.disable	cms.users	any	cmsid
cms.users.enable	cms.users	any	cmsid
cms.users.invite	cms.users	any	cmsid
cms.users.grants	cms.users	any	cmsid
cms.staff		cms.staff	any	-
cms.staff.new		cms.staff	any	-
cms.staff.create	cms.staff	any	-
cms.staff.show		cms.staff	any	cmsid
cms.staff.update	cms.staff	any	cmsid
cms.staff.disable	cms.staff	any	cmsid
cms.staff.enable	cms.staff	any	cmsid
cms.audit		cms.audit	any	-
cms.marketing		cms.content	any	-
cms.marketing.new	cms.content	any	-
cms.marketing.create	cms.content	any	-
cms.marketing.edit	cms.content	any	cmsid
cms.marketing.update	cms.content	any	cmsid
cms.marketing.unpublish	cms.content	any	cmsid
cms.news		cms.content	any	-
cms.news.new		cms.content	any	-
cms.news.create		cms.content	any	-
cms.news.edit		cms.content	any	cmsid
cms.news.update		cms.content	any	cmsid
cms.news.unpublish	cms.content	any	cmsid
cms.news.settings	cms.content	any	-
cms.stock_rules		cms.content	any	-
cms.stock_rules.save	cms.content	any	-
cms.sync		cms.sync	any	-
cms.sync.show		cms.sync	any	op
cms.sync.run		cms.sync	any	op
cms.sync.once		cms.sync	any	op
cms.sync.cancel		cms.sync	any	op
cms.sync.enable		cms.sync	any	op
cms.sync.disable	cms.sync	any	op
cms.sync.interval	cms.sync	any	op
cms.sync.retry_all	cms.sync	any	op
cms.sync.retry		cms.sync	any	failure
test.upload		public		any	-
test.form		public		any	-
test.form.post		public		any	-
'

# What each role holds (the oracle, written out, not read from the code).
CUST_ALL="orders.view orders.place orders.approve prices.view invoices.view complaints.file rfq.create mail.use tasks.use users.manage"
STAFF_ALL="cms cms.sync cms.users cms.content cms.translations cms.complaints cms.orders cms.staff cms.audit cms.impersonate"
ROLES="anon coworker custadmin complaints sync content users admin"
perms_of() {
	case $1 in
	# the catalogue (PERM_CATALOG) is closed here (the default): any
	# login, no visitor (t_catalog.sh opens it)
	anon) echo "public" ;;
	# marketing.view: held by every logged-in user (a customer's while it
	# has the marketing module; A has it), never granted (perm.h)
	coworker) echo "public login catalog marketing.view orders.view invoices.view" ;;
	# customer A has every module but rfq
	custadmin) echo "public login catalog marketing.view $CUST_ALL" | sed 's/ rfq.create//' ;;
	complaints) echo "public login catalog marketing.view cms cms.complaints" ;;
	sync) echo "public login catalog marketing.view cms cms.sync" ;;
	content) echo "public login catalog marketing.view cms cms.content cms.translations" ;;
	users) echo "public login catalog marketing.view cms cms.users cms.audit cms.impersonate orders.view invoices.view" ;;
	admin) echo "public login catalog marketing.view $CUST_ALL $STAFF_ALL" ;;
	esac
}
is_staff() { case $1 in complaints|sync|content|users|admin) return 0 ;; esac; return 1; }
is_customer() { case $1 in coworker|custadmin) return 0 ;; esac; return 1; }

e2e_init authz
E2E_EXTRA_CONFIG="test_routes = on
login_ip_free_attempts = 1000"
e2e_start
PW=okno-drzwi-parapet
sql() { sqlite3 "$E2E_DB" "$1"; }
adduser() {
	_e=$1 _n=$2; shift 2
	echo "$PW" | "$top_builddir/framuga-user" -c "$E2E_CONF" add --email "$_e" \
	    --name "$_n" --password-stdin "$@" >/dev/null || bail_out "cannot add $_e"
}
csrf_of() {
	http_get "$1" -b "$2" -c "$2"
	http_body | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1
}
jar() { echo "$E2E_RUNDIR/jar-$1"; }

# Two customers; B's data must never reach A's users.
sql "INSERT INTO customer (erp_uuid, code, name, nip, updated_at) VALUES
    ('c-a', 'KA', 'Okna Nowak', '', 0),
    ('c-b', 'KB', 'Drzwi Kowalski Tajne', '7740001454', 0)"
sql "DELETE FROM customer_module WHERE customer_id = 1 AND module = 'rfq'"
adduser anna@nowak.pl "Anna Nowak" --customer KA --role customer_admin
adduser widz@nowak.pl "Wiktor Widz" --customer KA --role viewer
sql "INSERT INTO user_perm (user_id, perm) SELECT id, 'invoices.view' FROM user WHERE email = 'widz@nowak.pl'"
adduser szef@kowalski-tajne.pl "Szef Kowalski Tajny" --customer KB --role customer_admin
adduser kupiec@kowalski-tajne.pl "Kupiec Kowalski Tajny" --customer KB --role buyer
adduser reklamacje@framuga.pl "Rena Reklamacje" --staff complaints
adduser sync@framuga.pl "Sylwia Sync" --staff sync
adduser tresc@framuga.pl "Tomasz Treść" --staff content
adduser obsluga@framuga.pl "Ola Obsługa" --staff users
adduser szef@framuga.pl "Szef Admin" --staff admin
sql "INSERT INTO branch (customer_id, name, city, created_at, updated_at) VALUES
    (1, 'Oddział Kraków', 'Kraków', 0, 0), (2, 'Oddział Tajny Gdańsk', 'Gdańsk', 0, 0)"
sql "INSERT INTO delivery_address (customer_id, street, city, created_at, updated_at) VALUES
    (1, 'Długa 1', 'Kraków', 0, 0), (2, 'Tajna 7', 'Gdańsk', 0, 0)"
# Markers of customer B that no page for customer A may show.
B_MARKERS='Kowalski Tajn|kowalski-tajne|7740001454|Tajna 7|Tajny Gdańsk'

emails="coworker=widz@nowak.pl custadmin=anna@nowak.pl complaints=reklamacje@framuga.pl sync=sync@framuga.pl content=tresc@framuga.pl users=obsluga@framuga.pl admin=szef@framuga.pl"
for pair in $emails; do
	role=${pair%%=*} email=${pair#*=}
	t=$(csrf_of /login "$(jar "$role")")
	http_request POST /login -b "$(jar "$role")" -c "$(jar "$role")" \
	    --data-urlencode "csrf=$t" --data-urlencode "email=$email" \
	    --data-urlencode "password=$PW"
	[ "$HTTP_STATUS" = 303 ] || bail_out "login as $role failed ($HTTP_STATUS)"
done
http_get /login -c "$(jar anon)" >/dev/null
# B's admin, for a foreign session.
t=$(csrf_of /login "$(jar bsession)")
http_request POST /login -b "$(jar bsession)" -c "$(jar bsession)" --data-urlencode "csrf=$t" \
    --data-urlencode "email=szef@kowalski-tajne.pl" --data-urlencode "password=$PW"

# Objects: A's (own) and B's (foreign).
own_user=$(sql "SELECT id FROM user WHERE email = 'widz@nowak.pl'")
foreign_user=$(sql "SELECT id FROM user WHERE email = 'kupiec@kowalski-tajne.pl'")
own_branch=1 foreign_branch=2 own_address=1 foreign_address=2
foreign_session=$(sql "SELECT s.id FROM session s JOIN user u ON u.id = s.user_id WHERE u.email = 'szef@kowalski-tajne.pl' AND s.revoked_at IS NULL")
staff_target=$(sql "SELECT id FROM user WHERE email = 'widz@nowak.pl'")

# ---- the route table, from the sources -------------------------------------------
ROUTES=$E2E_RUNDIR/routes.tsv
incs=$(sed -n 's/^#include "\(.*routes-[a-z]*\.inc\)"$/\1/p' "$top_srcdir/cgi-src/fcgi/routes.c")
[ -n "$incs" ] || bail_out "no routes-*.inc in routes.c"
(cd "$top_srcdir/cgi-src/fcgi" && cat $incs) |
    perl -0777 -ne 's{/\*.*?\*/}{}gs; while (/\{\s*([^,]+?)\s*,\s*"([^"]*)"\s*,\s*(\w+)\s*,\s*(PERM_\w+)\s*,\s*(CSRF_\w+)\s*,\s*"([^"]+)"\s*\}/g) { my ($m,$p,$h,$perm,$c,$n)=($1,$2,$3,$4,$5,$6); $perm =~ s/^PERM_//; $perm = lc $perm; $perm =~ s/_/./; $m =~ s/\s//g; print "$n\t$m\t$p\t$perm\t$c\n" }' >"$ROUTES"
nroutes=$(wc -l <"$ROUTES")
ok "the route table has routes ($nroutes)" test "$nroutes" -gt 20

# Every route has an expectation, with the same permission.
missing=
while IFS='	' read -r name methods pattern perm csrf; do
	line=$(printf '%s\n' "$EXPECT" | awk -v n="$name" '$1 == n')
	if [ -z "$line" ]; then
		missing="$missing $name"
		continue
	fi
	want=$(printf '%s\n' "$line" | awk '{ print $2 }')
	[ "$want" = "$perm" ] || fail "route $name requires '$perm', the authorization table says '$want'"
done <"$ROUTES"
is "${missing# }" "" "every route has a line in the authorization table"
for n in $(printf '%s\n' "$EXPECT" | awk 'NF { print $1 }'); do
	awk -v n="$n" -F'\t' '$1 == n { f = 1 } END { exit !f }' "$ROUTES" ||
	    diag "authorization table: no route $n (yet)"
done

# ---- the matrix -------------------------------------------------------------------------
holds() { case " $(perms_of "$1") " in *" $2 "*) return 0 ;; esac; return 1; }
# allowed ROLE PERM SCOPE: passes the permission check (and the customer
# scope, for GET answers)
perm_ok() { holds "$1" "$2"; }
param_value() {	# KIND own|foreign
	case $1:$2 in
	user:own) echo "$own_user" ;; user:foreign) echo "$foreign_user" ;;
	branch:own) echo "$own_branch" ;; branch:foreign) echo "$foreign_branch" ;;
	address:own) echo "$own_address" ;; address:foreign) echo "$foreign_address" ;;
	session:*) echo "$foreign_session" ;;
	staffuser:*) echo "$staff_target" ;;
	slug:*) echo "no-such-news" ;;
	token:*) echo "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" ;;
	op:*) echo "products" ;;
	failure:*) echo "999999" ;;
	*) echo 1 ;;
	esac
}
path_for() {	# PATTERN KIND own|foreign
	_v=$(param_value "$2" "$3")
	printf '%s\n' "$1" | sed -E "s/\{[a-z]+:[a-z]+\}/$_v/g"
}
PERM_WORDS='Nie masz uprawnień'
CSRF_WORDS='Formularz wygasł'
leak_check() {	# ROLE DESC
	is_customer "$1" || return 0
	if grep -Eq "$B_MARKERS" "$HTTP_BODY"; then
		fail "$2: the answer to customer A's $1 shows customer B's data"
		return 1
	fi
	leaks_checked=$((leaks_checked + 1))
}

checks=0 bad=0 leaks_checked=0
check() {	# COND DESC
	checks=$((checks + 1))
	if ! eval "$1"; then
		bad=$((bad + 1))
		fail "$2 (status $HTTP_STATUS)"
	fi
}
while IFS='	' read -r name methods pattern perm csrf; do
	line=$(printf '%s\n' "$EXPECT" | awk -v n="$name" '$1 == n')
	[ -n "$line" ] || continue
	scope=$(printf '%s\n' "$line" | awk '{ print $3 }')
	kind=$(printf '%s\n' "$line" | awk '{ print $4 }')
	path=$(path_for "$pattern" "$kind" own)
	fpath=$(path_for "$pattern" "$kind" foreign)
	for role in $ROLES; do
		J=$(jar "$role")
		allowed=0
		if [ "$perm" = public ] || { [ "$role" != anon ] &&
		    { [ "$perm" = login ] || holds "$role" "$perm"; }; }; then
			allowed=1
		fi
		case $methods in
		*M_GET*)
			http_get "$path" -b "$J"
			leak_check "$role" "GET $path"
			if [ $allowed = 1 ] && ! { [ "$scope" = cust ] && is_staff "$role"; }; then
				check 'case $HTTP_STATUS in 401|403|5??|000) false ;; esac' \
				    "$name: $role may GET $path"
			elif [ "$role" = anon ]; then
				check '[ "$HTTP_STATUS" = 403 ] && grep -q "name=\"next\"" "$HTTP_BODY"' \
				    "$name: anonymous GET $path gets 403 with the login form"
			else
				check '[ "$HTTP_STATUS" = 403 ] && grep -q "$PERM_WORDS" "$HTTP_BODY"' \
				    "$name: $role may not GET $path"
			fi
			# Another customer's object: never shown.
			case $kind in user|branch|address)
				if [ $allowed = 1 ]; then
					http_get "$fpath" -b "$J"
					leak_check "$role" "GET $fpath"
					check 'case $HTTP_STATUS in 403|404) true ;; *) false ;; esac' \
					    "$name: $role GET of another customer's object $fpath: 403/404"
				fi ;;
			esac
			;;
		*M_POST*)
			# No token: changes nothing whoever asks.
			http_request POST "$path" -b "$J" --data-urlencode "x=1"
			leak_check "$role" "POST $path"
			if [ $allowed = 1 ]; then
				check '[ "$HTTP_STATUS" = 403 ] && grep -q "$CSRF_WORDS" "$HTTP_BODY"' \
				    "$name: $role passes the permission check of POST $path"
			else
				check '[ "$HTTP_STATUS" = 403 ] && grep -q "$PERM_WORDS" "$HTTP_BODY"' \
				    "$name: $role may not POST $path"
			fi
			# Another customer's object, with a valid token.
			case $kind in user|branch|address|session)
				if [ $allowed = 1 ] && [ "$role" != anon ]; then
					t=$(csrf_of /account/sessions "$J")
					http_request POST "$fpath" -b "$J" --data-urlencode "csrf=$t" \
					    --data-urlencode "name=Przejęte" --data-urlencode "email=x@x.pl"
					leak_check "$role" "POST $fpath"
					check 'case $HTTP_STATUS in 403|404) true ;; *) false ;; esac' \
					    "$name: $role POST on another customer's object $fpath: 403/404"
				fi ;;
			esac
			# Customer data through a staff account, with a valid token.
			if [ "$scope" = cust ] && is_staff "$role" && [ $allowed = 1 ]; then
				t=$(csrf_of /account/sessions "$J")
				http_request POST "$path" -b "$J" --data-urlencode "csrf=$t"
				check '[ "$HTTP_STATUS" = 403 ]' \
				    "$name: staff ($role) POST $path: 403 (customer data needs a customer's user)"
			fi
			;;
		esac
	done
done <"$ROUTES"
ok "matrix: $checks answers checked, $bad wrong" test "$bad" -eq 0
ok "no answer to customer A's users showed customer B's data ($leaks_checked checked)" \
    test "$leaks_checked" -gt 50
# Nothing of B changed through the probes above.
is "$(sql "SELECT name || '|' || city FROM branch WHERE id = 2")" "Oddział Tajny Gdańsk|Gdańsk" \
    "B's branch unchanged"
is "$(sql "SELECT disabled || '|' || name FROM user WHERE id = $foreign_user")" "0|Kupiec Kowalski Tajny" \
    "B's user unchanged"
is "$(sql "SELECT revoked_at IS NULL FROM session WHERE id = $foreign_session")" 1 \
    "B's session unchanged"

# ---- CSRF sweep ------------------------------------------------------------------------------
# A role that passes each route's permission check, so that the refusal
# seen is the CSRF check's.
sweeper() {	# PERM SCOPE
	case $1 in
	public) echo anon ;;
	login) echo custadmin ;;
	*) if [ "$2" = cust ]; then echo custadmin; else echo admin; fi ;;
	esac
}
swept=0
while IFS='	' read -r name methods pattern perm csrf; do
	line=$(printf '%s\n' "$EXPECT" | awk -v n="$name" '$1 == n')
	[ -n "$line" ] || continue
	case $methods in *M_POST*|*M_PUT*|*M_DELETE*|*M_PATCH*) ;; *) continue ;; esac
	is "$csrf" CSRF_CHECK "$name: a state-changing route is CSRF-checked"
	scope=$(printf '%s\n' "$line" | awk '{ print $3 }')
	kind=$(printf '%s\n' "$line" | awk '{ print $4 }')
	path=$(path_for "$pattern" "$kind" own)
	role=$(sweeper "$perm" "$scope")
	J=$(jar "$role")
	if [ "$role" = anon ]; then t=$(csrf_of /login "$J"); else t=$(csrf_of /account/sessions "$J"); fi
	http_request POST "$path" -b "$J"
	r1=$HTTP_STATUS$(grep -c "$CSRF_WORDS" "$HTTP_BODY")
	http_request POST "$path" -b "$J" --data-urlencode "csrf=0123456789abcdef0123456789abcdef"
	r2=$HTTP_STATUS$(grep -c "$CSRF_WORDS" "$HTTP_BODY")
	http_request POST "$path" -b "$J" --data-urlencode "csrf=$t" -H "Origin: https://evil.example"
	r3=$HTTP_STATUS$(grep -c "$CSRF_WORDS" "$HTTP_BODY")
	http_request POST "$path" -b "$J" --data-urlencode "csrf=$t" -H "Sec-Fetch-Site: cross-site"
	r4=$HTTP_STATUS$(grep -c "$CSRF_WORDS" "$HTTP_BODY")
	is "$r1 $r2 $r3 $r4" "4031 4031 4031 4031" \
	    "$name: refuses no token, a wrong token, a cross-site Origin, Sec-Fetch-Site cross-site"
	# GET never reaches the POST handler: 405, or the page's own
	# read-only GET route.
	if ! awk -v p="$pattern" -F'\t' '$3 == p && $2 ~ /M_GET/ { f = 1 } END { exit !f }' "$ROUTES"; then
		http_get "$path?csrf=$t" -b "$J"
		is "$HTTP_STATUS" 405 "$name: GET is refused (405)"
	fi
	swept=$((swept + 1))
done <"$ROUTES"
ok "CSRF sweep covered every state-changing route ($swept)" test "$swept" -gt 10

done_testing
