#!/bin/sh
# t_auth.sh: logging in and out end to end, through the real nginx and
# framuga-fcgi: the session cookie and its rotation at every login, the
# token stored only hashed, logout, idle and absolute expiry (the clock is
# moved with FRAMUGA_CLOCK_SKEW_FILE, honoured only with test_routes = on),
# revocation when a user is disabled, throttling (a burst of wrong
# passwords is slowed down; the right password after the delay works; the
# answer never tells whether an account exists), password reset (same
# answer for unknown addresses, single use, expiry), password change ending
# the other sessions, the sessions page, the second factor (TOTP computed
# here with openssl), re-hashing at login, impersonation limits and their
# audit rows.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
command -v openssl >/dev/null || skip_all "openssl not installed"
e2e_init auth
SKEW=$E2E_RUNDIR/clock-skew
echo "@$(date +%s)" >"$SKEW"
FRAMUGA_CLOCK_SKEW_FILE=$SKEW
export FRAMUGA_CLOCK_SKEW_FILE
E2E_EXTRA_CONFIG="test_routes = on
session_idle_min = 30
session_max_hours = 1
login_free_attempts = 3
login_ip_free_attempts = 25
login_max_delay_s = 8"
e2e_start
USER_TOOL=$top_builddir/framuga-user
PW=okno-drzwi-parapet

sql() { sqlite3 "$E2E_DB" "$1"; }
# The clock is set, not nudged: "@T" stands still at T, so that delays of a
# second or two are measured on the test's clock, not on how fast a loaded
# machine happens to run the requests.
BASE=$(date +%s)
skew() { echo "@$((BASE + $1))" >"$SKEW"; }
now() { sed 's/^@//' "$SKEW"; }
adduser() {	# EMAIL NAME (--staff ROLE | --customer CODE --role ROLE)
	_e=$1 _n=$2; shift 2
	echo "$PW" | "$USER_TOOL" -c "$E2E_CONF" add --email "$_e" --name "$_n" \
	    --password-stdin "$@" >/dev/null
}
sid_of() { awk '$6 == "framuga_sid" { print $7 }' "$1" 2>/dev/null | tail -1; }
# csrf_of PATH JAR: the form token on a page (the session's, when logged in)
csrf_of() {
	http_get "$1" -b "$2" -c "$2"
	http_body | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1
}
# login JAR EMAIL PASSWORD [CODE]: from the login form (or, when JAR holds
# a session, from a page with its token)
login() {
	_j=$1
	_t=$(csrf_of /login "$_j")
	[ -n "$_t" ] || _t=$(csrf_of /account/sessions "$_j")
	http_request POST /login -b "$_j" -c "$_j" --data-urlencode "csrf=$_t" \
	    --data-urlencode "email=$2" --data-urlencode "password=$3" \
	    --data-urlencode "code=${4:-}"
}
# post JAR PATH [DATA...]: a form post with the session's token
post() {
	_j=$1 _p=$2; shift 2
	_t=$(csrf_of /account/sessions "$_j")
	_args=
	http_request POST "$_p" -b "$_j" -c "$_j" --data-urlencode "csrf=$_t" "$@"
}
totp() {	# SECRET TIME: the 6-digit RFC 6238 code
	_key=$(printf '%s' "$1" | base32 -d | od -An -tx1 | tr -d ' \n')
	_mac=$(perl -e 'print pack("H*", sprintf("%016x", $ARGV[0]))' \
	    $(( $2 / 30 )) | openssl dgst -sha1 -mac HMAC -macopt "hexkey:$_key" |
	    sed 's/.*= //')
	_off=$(( 0x$(printf '%s' "$_mac" | cut -c40) ))
	_bin=$(( 0x$(printf '%s' "$_mac" | cut -c$((_off * 2 + 1))-$((_off * 2 + 8))) & 0x7fffffff ))
	printf '%06d' $((_bin % 1000000))
}
# Every Set-Cookie line of the last answer.
set_cookies() { tr -d '\r' <"$HTTP_HEADERS" | sed -n 's/^[Ss]et-[Cc]ookie: //p'; }
audit_count() { sql "SELECT count(*) FROM audit_log WHERE action = '$1'"; }
# keep NAME: the last page, for the HTML check at the end
PAGES=$E2E_RUNDIR/pages
mkdir -p "$PAGES"
keep() { cp "$HTTP_BODY" "$PAGES/$1.html"; }

sql "INSERT INTO customer (erp_uuid, code, name, updated_at) VALUES
    ('c-nowak', 'K1', 'Okna Nowak', 0), ('c-kow', 'K2', 'Drzwi Kowalski', 0)"
adduser anna@nowak.pl "Anna Nowak" --customer K1 --role customer_admin ||
    bail_out "framuga-user add failed"
adduser widz@nowak.pl "Wiktor Widz" --customer K1 --role viewer
adduser kupiec@nowak.pl "Kuba Kupiec" --customer K1 --role buyer
adduser ola@framuga.pl "Ola Obsługa" --staff users
adduser szef@framuga.pl "Szef" --staff admin

# --- login, the cookie, rotation ---------------------------------------------
A=$E2E_RUNDIR/jar-anna
http_get /login -c "$A"
is "$HTTP_STATUS" 200 "the login form answers"
keep login
like "$(http_body)" 'name="password"' "it asks for a password"
login "$A" anna@nowak.pl "$PW"
is "$HTTP_STATUS" 303 "right password: 303"
is "$(http_header Location)" /portal "a customer goes to the portal"
setc=$(http_header Set-Cookie)
like "$setc" '^framuga_sid=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Lax$' \
    "session cookie: 256-bit token, HttpOnly, SameSite=Lax (not HTTPS: no __Host-)"
sid1=$(sid_of "$A")
is "$(sql "SELECT count(*) FROM session WHERE token_hash = '$sid1'")" 0 \
    "the token is not stored as it is"
h1=$(printf '%s' "$sid1" | sha256sum | cut -d' ' -f1)
is "$(sql "SELECT count(*) FROM session WHERE token_hash = '$h1'")" 1 \
    "its SHA-256 is"
http_get /portal -b "$A"
is "$HTTP_STATUS" 200 "the portal with the session"
like "$(http_body)" 'Anna Nowak' "the header names the user"
like "$(http_body)" 'action="/logout"' "a logout button (a POST form)"
keep portal-user
is "$(audit_count login.ok)" 1 "the login is in the audit log"

login "$A" anna@nowak.pl "$PW"
sid2=$(sid_of "$A")
is "$HTTP_STATUS" 303 "logging in again from the same browser"
isnt "$sid2" "$sid1" "a new token at every login (rotation)"
http_get /portal -b "framuga_sid=$sid1"
is "$HTTP_STATUS" 403 "the previous token is dead"
like "$(set_cookies)" '^framuga_sid=; Path=/; Max-Age=0' \
    "and its cookie is cleared"

# --- logout ----------------------------------------------------------------------
anon_tok=$(csrf_of /login "$E2E_RUNDIR/jar-anon")
http_request POST /logout -b "$A" --data-urlencode "csrf=$anon_tok" \
    -b "framuga_csrf=$anon_tok"
is "$HTTP_STATUS" 403 "logout with an anonymous token instead of the session's: 403"
post "$A" /logout
is "$HTTP_STATUS" 303 "logout: 303"
like "$(set_cookies)" '^framuga_sid=; Path=/; Max-Age=0' "logout clears the cookie"
http_get /portal -b "framuga_sid=$sid2"
is "$HTTP_STATUS" 403 "the token is revoked after logout"
is "$(sql "SELECT revoked_at IS NOT NULL FROM session WHERE token_hash = '$(printf '%s' "$sid2" | sha256sum | cut -d' ' -f1)'")" 1 \
    "the session row is marked revoked"

# --- anonymous visitor on a protected page ----------------------------------------
http_get '/account/sessions?x=1'
is "$HTTP_STATUS" 403 "anonymous on a login page: 403"
like "$(http_body)" 'name="next" value="/account/sessions\?x=1"' "with the login form that comes back"
keep login-required
login "$A" anna@nowak.pl "$PW"
http_request POST /login -b "$A" -c "$A" --data-urlencode "csrf=$(csrf_of /account/sessions "$A")" \
    --data-urlencode "email=anna@nowak.pl" --data-urlencode "password=$PW" \
    --data-urlencode "next=/account/sessions?x=1"
is "$(http_header Location)" "/account/sessions?x=1" "after login: back to the page asked for"
http_request POST /login -b "$A" -c "$A" --data-urlencode "csrf=$(csrf_of /account/sessions "$A")" \
    --data-urlencode "email=anna@nowak.pl" --data-urlencode "password=$PW" \
    --data-urlencode "next=//evil.example/x"
is "$(http_header Location)" /portal "next to another host is ignored"

# --- idle and absolute expiry --------------------------------------------------------
skew 1740	# 29 min
http_get /portal -b "$A"
is "$HTTP_STATUS" 200 "29 minutes idle: still logged in"
skew 3540	# another 30 min later: idle 30 min
http_get /portal -b "$A"
is "$HTTP_STATUS" 403 "30 minutes idle: logged out (idle timeout)"
# The clock only moves forward from here (throttling counts attempts in
# a window of time).
T=3540
login "$A" anna@nowak.pl "$PW"
for m in 20 40 59; do
	skew $((T + m * 60))
	http_get /portal -b "$A"
done
is "$HTTP_STATUS" 200 "active for 59 minutes: still logged in"
skew $((T + 3660))
http_get /portal -b "$A"
is "$HTTP_STATUS" 403 "61 minutes after login, active or not: logged out (absolute timeout)"
T=7300
skew $T

# --- disabling a user ends their sessions ---------------------------------------------
K=$E2E_RUNDIR/jar-kuba
K2=$E2E_RUNDIR/jar-kuba2
login "$K" kupiec@nowak.pl "$PW"
login "$K2" kupiec@nowak.pl "$PW"
http_get /portal -b "$K"
is "$HTTP_STATUS" 200 "buyer logged in"
"$USER_TOOL" -c "$E2E_CONF" disable kupiec@nowak.pl >/dev/null
http_get /portal -b "$K"
is "$HTTP_STATUS" 403 "disabled: the session is gone at once"
http_get /portal -b "$K2"
is "$HTTP_STATUS" 403 "and the other one too"
is "$(sql "SELECT count(*) FROM session s JOIN user u ON u.id = s.user_id WHERE u.email = 'kupiec@nowak.pl' AND s.revoked_at IS NULL")" 0 \
    "all the user's sessions are revoked in the database"
login "$K" kupiec@nowak.pl "$PW"
is "$HTTP_STATUS" 403 "a disabled user with the right password: refused"
like "$(http_body)" 'wyłączone' "and told why (only once the password was right)"
"$USER_TOOL" -c "$E2E_CONF" enable kupiec@nowak.pl >/dev/null

# --- throttling ---------------------------------------------------------------------------
W=$E2E_RUNDIR/jar-widz
judged=0
wlogin() {	# a failed attempt for widz, counting those judged (401)
	login "$W" widz@nowak.pl "$1"
	[ "$HTTP_STATUS" = 401 ] && judged=$((judged + 1))
	return 0
}
wlogin wrong-password-1
is "$HTTP_STATUS" 401 "wrong password: 401"
keep login-failed
bad_text=$(http_body | sed -n 's/.*role="alert"[^>]*>\([^<]*\)<.*/\1/p')
login "$W" nikt@nowak.pl wrong-password-1
is "$HTTP_STATUS" 401 "unknown e-mail: the same 401"
is "$(http_body | sed -n 's/.*role="alert"[^>]*>\([^<]*\)<.*/\1/p')" "$bad_text" \
    "and the same words: nothing tells whether the account exists"
wlogin wrong-password-2
wlogin wrong-password-3
is "$HTTP_STATUS" 401 "3 failures (login_free_attempts): no delay yet"
wlogin wrong-password-4
is "$HTTP_STATUS" 401 "the 4th failure is judged"
login "$W" widz@nowak.pl "$PW"
is "$HTTP_STATUS" 429 "right at once after it: 429, slowed down (the password is not even checked)"
keep login-throttled
like "$(http_header Retry-After)" '^[0-9]+$' "with Retry-After"
skew $((T + 2))
wlogin wrong-password-5
is "$HTTP_STATUS" 401 "after the 1 s delay the next attempt is judged again"
wlogin wrong-password-6
is "$HTTP_STATUS" 429 "the delay doubles"
skew $((T + 5))
wlogin wrong-password-6
skew $((T + 10))
wlogin wrong-password-7
skew $((T + 20))
wlogin wrong-password-8
skew $((T + 21))
login "$W" widz@nowak.pl "$PW"
is "$HTTP_STATUS" 429 "after a burst, even the right password waits"
wait_s=$(http_header Retry-After)
ok "but never longer than login_max_delay_s (8): $wait_s s" test "$wait_s" -le 8
skew $((T + 21 + wait_s))
login "$W" widz@nowak.pl "$PW"
is "$HTTP_STATUS" 303 "the real user who waits logs in"
is "$(sql "SELECT count(*) FROM audit_log WHERE action = 'login.fail' AND detail LIKE '%widz@nowak.pl'")" "$judged" \
    "every judged failure is in the audit log"
# Per address: failures against many accounts from one address.
skew $((T + 2000))	# past the 15-minute window
n=0
while [ $n -lt 25 ]; do
	login "$E2E_RUNDIR/jar-spray" "spray$n@nowhere.pl" "wrong-password"
	n=$((n + 1))
done
login "$E2E_RUNDIR/jar-spray" "fresh@nowhere.pl" "wrong-password"
is "$HTTP_STATUS" 401 "25 failures from one address (login_ip_free_attempts): judged"
login "$E2E_RUNDIR/jar-spray" "other@nowhere.pl" "wrong-password"
is "$HTTP_STATUS" 429 "the next one, for yet another account: slowed down (per address)"
T=$((T + 4000))	# past the window again: the address is free
skew $T
login "$A" anna@nowak.pl "$PW"
is "$HTTP_STATUS" 303 "after the window the address logs in again"

# --- re-hash at login -----------------------------------------------------------------------
sed 's/^test_routes.*//' "$E2E_CONF" >"$E2E_RUNDIR/weak.conf"
echo "argon2_iterations = 1" >>"$E2E_RUNDIR/weak.conf"
echo "$PW" | "$USER_TOOL" -c "$E2E_RUNDIR/weak.conf" add --email stary@nowak.pl \
    --name Stary --password-stdin --customer K1 --role viewer >/dev/null
like "$(sql "SELECT password_hash FROM user WHERE email = 'stary@nowak.pl'")" '^\$argon2id\$v=19\$m=19456,t=1,p=1\$' \
    "a hash made with weaker parameters"
login "$E2E_RUNDIR/jar-stary" stary@nowak.pl "$PW"
is "$HTTP_STATUS" 303 "logs in"
like "$(sql "SELECT password_hash FROM user WHERE email = 'stary@nowak.pl'")" '^\$argon2id\$v=19\$m=19456,t=2,p=1\$' \
    "and is re-hashed with the configured ones"

# --- password reset ------------------------------------------------------------------------
R=$E2E_RUNDIR/jar-reset
t=$(csrf_of /password/forgot "$R")
keep forgot
http_request POST /password/forgot -b "$R" --data-urlencode "csrf=$t" --data-urlencode "email=nikt@nowhere.pl"
st_unknown=$HTTP_STATUS
body_unknown=$(http_body | sed -n '/<main/,/<\/main>/p' | grep -v csrf)
http_request POST /password/forgot -b "$R" --data-urlencode "csrf=$t" --data-urlencode "email=widz@nowak.pl"
is "$HTTP_STATUS" "$st_unknown" "forgotten password: the same status for a known and an unknown address"
keep forgot-sent
is "$(http_body | sed -n '/<main/,/<\/main>/p' | grep -v csrf)" "$body_unknown" "and the same page"
is "$(sql "SELECT count(*) FROM mail_outbox WHERE to_addr = 'widz@nowak.pl'")" 1 "a mail is queued for the account"
is "$(sql "SELECT count(*) FROM mail_outbox WHERE to_addr = 'nikt@nowhere.pl'")" 0 "none for the unknown address"
link=$(sql "SELECT body_text FROM mail_outbox WHERE to_addr = 'widz@nowak.pl'" | grep -o '/password/reset/[0-9a-f]*')
like "$link" '^/password/reset/[0-9a-f]{64}$' "the mail holds a single-use link"
http_request POST /password/forgot -b "$R" --data-urlencode "csrf=$t" --data-urlencode "email=widz@nowak.pl"
is "$(sql "SELECT count(*) FROM mail_outbox WHERE to_addr = 'widz@nowak.pl'")" 1 "a second request at once sends no second mail"
login "$W" widz@nowak.pl "$PW"
http_get "$link" -b "$R"
is "$HTTP_STATUS" 200 "the link opens the form"
keep reset
http_request POST "$link" -b "$R" --data-urlencode "csrf=$t" --data-urlencode "password=password1234" --data-urlencode "password2=password1234"
is "$HTTP_STATUS" 422 "a common password is refused"
like "$(http_body)" 'zbyt popularne' "with the reason"
keep reset-refused
http_request POST "$link" -b "$R" --data-urlencode "csrf=$t" --data-urlencode "password=krótkie" --data-urlencode "password2=krótkie"
is "$HTTP_STATUS" 422 "a short one too"
NEWPW=szyba-zawias-klamka
http_request POST "$link" -b "$R" --data-urlencode "csrf=$t" --data-urlencode "password=$NEWPW" --data-urlencode "password2=$NEWPW"
is "$HTTP_STATUS" 303 "a good password is set"
is "$(http_header Location)" "/login?reset=1" "and the user is sent to log in"
http_get /portal -b "$W"
is "$HTTP_STATUS" 403 "the reset ended the sessions the account had"
http_get "$link" -b "$R"
is "$HTTP_STATUS" 410 "the link works once"
keep reset-used
http_request POST "$link" -b "$R" --data-urlencode "csrf=$t" --data-urlencode "password=$NEWPW-2" --data-urlencode "password2=$NEWPW-2"
is "$HTTP_STATUS" 410 "a second post of it is refused"
login "$W" widz@nowak.pl "$PW"
is "$HTTP_STATUS" 401 "the old password no longer works"
login "$W" widz@nowak.pl "$NEWPW"
is "$HTTP_STATUS" 303 "the new one does"
is "$(audit_count password.reset)" 1 "the reset is audited"
skew $((T + 1000))	# a fresh link, then past its hour
http_request POST /password/forgot -b "$R" --data-urlencode "csrf=$t" --data-urlencode "email=widz@nowak.pl"
link2=$(sql "SELECT body_text FROM mail_outbox WHERE to_addr = 'widz@nowak.pl' ORDER BY id DESC LIMIT 1" | grep -o '/password/reset/[0-9a-f]*')
isnt "$link2" "$link" "a new link"
skew $((T + 1000 + 3601))
http_get "$link2" -b "$R"
is "$HTTP_STATUS" 410 "an hour later it has expired"
http_get /password/reset/0123abcd -b "$R"
is "$HTTP_STATUS" 410 "an unknown token: the same answer"
T=$((T + 5000))
skew $T

# --- the sessions page, password change ------------------------------------------------------
A2=$E2E_RUNDIR/jar-anna2
login "$W" widz@nowak.pl "$NEWPW"
login "$A" anna@nowak.pl "$PW"
login "$A2" anna@nowak.pl "$PW"
http_get /account/sessions -b "$A"
is "$(http_body | grep -c 'action="/account/sessions/[0-9]*/end"')" 2 "the sessions page lists both sessions"
like "$(http_body)" 'ta sesja' "and marks this one"
keep sessions
other=$(sql "SELECT s.id FROM session s JOIN user u ON u.id = s.user_id WHERE u.email = 'anna@nowak.pl' AND s.token_hash = '$(printf '%s' "$(sid_of "$A2")" | sha256sum | cut -d' ' -f1)'")
post "$A" "/account/sessions/$other/end"
is "$HTTP_STATUS" 303 "ending the other session"
http_get /portal -b "$A2"
is "$HTTP_STATUS" 403 "it is gone"
someone=$(sql "SELECT s.id FROM session s JOIN user u ON u.id = s.user_id WHERE u.email = 'widz@nowak.pl' AND s.revoked_at IS NULL LIMIT 1")
post "$A" "/account/sessions/$someone/end"
is "$HTTP_STATUS" 404 "another user's session: 404"
http_get /portal -b "$W"
is "$HTTP_STATUS" 200 "and it lives on"
login "$A2" anna@nowak.pl "$PW"
post "$A" /account/password --data-urlencode "current=wrong-password" --data-urlencode "password=$NEWPW" --data-urlencode "password2=$NEWPW" --data-urlencode "end_others=1"
is "$HTTP_STATUS" 422 "password change with a wrong current password: 422"
keep password-refused
post "$A" /account/password --data-urlencode "current=$PW" --data-urlencode "password=$NEWPW" --data-urlencode "password2=$NEWPW-x"
is "$HTTP_STATUS" 422 "with a mismatched repetition: 422"
post "$A" /account/password --data-urlencode "current=$PW" --data-urlencode "password=$NEWPW" --data-urlencode "password2=$NEWPW" --data-urlencode "end_others=1"
is "$HTTP_STATUS" 303 "password changed"
http_get /portal -b "$A"
is "$HTTP_STATUS" 200 "this session goes on"
http_get /portal -b "$A2"
is "$HTTP_STATUS" 403 "the other sessions were ended"
is "$(audit_count password.change)" 1 "the change is audited"

# --- second factor ---------------------------------------------------------------------------
http_get /account/2fa -b "$A"
like "$(http_body)" 'value="begin"' "2FA is off: the page offers to begin"
keep totp-off
post "$A" /account/2fa --data-urlencode "action=begin"
http_get /account/2fa -b "$A"
secret=$(http_body | sed -n 's/.*id="secret" value="\([A-Z2-7]*\)".*/\1/p')
like "$secret" '^[A-Z2-7]{32}$' "a 160-bit secret in base32"
like "$(http_body)" "otpauth://totp/[^\"]*secret=$secret" "and the otpauth URI"
# the same URI as a QR code: drawn back from the page's SVG and read by a
# real QR reader (zbarimg), it must give exactly the URI the page shows
uri=$(http_body | sed -n 's/.*id="uri" value="\([^"]*\)".*/\1/p' | sed 's/&amp;/\&/g')
qsize=$(http_body | sed -n 's/.*viewBox="0 0 \([0-9]*\) [0-9]*".*/\1/p' | head -1)
qpath=$(http_body | sed -n 's/.*id="qr-path" d="\([^"]*\)".*/\1/p')
/usr/bin/python3 "$top_srcdir/tests/e2e/qr_pbm.py" "$qsize" "$qpath" >"$E2E_RUNDIR/qr.pbm"
is "$(zbarimg --quiet --raw "$E2E_RUNDIR/qr.pbm" 2>"$E2E_RUNDIR/zbarimg.err")" "$uri" "and as a QR code an app reads back ($qsize modules)" ||
    diag "$(tail -3 "$E2E_RUNDIR/zbarimg.err")"
keep totp-pending
post "$A" /account/2fa --data-urlencode "action=enable" --data-urlencode "code=000000"
is "$HTTP_STATUS" 422 "a wrong code does not enable it"
code=$(totp "$secret" "$(now)")
post "$A" /account/2fa --data-urlencode "action=enable" --data-urlencode "code=$code"
is "$HTTP_STATUS" 303 "the app's code enables it"
is "$(sql "SELECT totp_enabled FROM user WHERE email = 'anna@nowak.pl'")" 1 "enabled"
is "$(audit_count totp.enable)" 1 "audited"
A3=$E2E_RUNDIR/jar-anna3
login "$A3" anna@nowak.pl "$NEWPW"
is "$HTTP_STATUS" 401 "now the password alone does not log in"
skew $((T + 30))
code=$(totp "$secret" "$(now)")
login "$A3" anna@nowak.pl "$NEWPW" "$code"
is "$HTTP_STATUS" 303 "password + code does"
login "$E2E_RUNDIR/jar-anna4" anna@nowak.pl "$NEWPW" "$code"
is "$HTTP_STATUS" 401 "the same code twice: refused (replay)"

# --- impersonation -----------------------------------------------------------------------------
O=$E2E_RUNDIR/jar-ola
login "$O" ola@framuga.pl "$PW"
is "$(http_header Location)" /cms "staff go to the CMS"
widz_id=$(sql "SELECT id FROM user WHERE email = 'widz@nowak.pl'")
anna_id=$(sql "SELECT id FROM user WHERE email = 'anna@nowak.pl'")
szef_id=$(sql "SELECT id FROM user WHERE email = 'szef@framuga.pl'")
ola_id=$(sql "SELECT id FROM user WHERE email = 'ola@framuga.pl'")
post "$O" "/cms/impersonate/$anna_id"
is "$HTTP_STATUS" 403 "'users' staff may not impersonate a customer admin (rights they lack)"
post "$O" "/cms/impersonate/$szef_id"
is "$HTTP_STATUS" 403 "nor a full admin"
post "$O" "/cms/impersonate/$ola_id"
is "$HTTP_STATUS" 403 "nor themselves"
is "$(audit_count impersonate.refused)" 3 "each refusal is audited"
post "$A" "/cms/impersonate/$widz_id"
is "$HTTP_STATUS" 403 "a customer admin may not impersonate at all"
post "$O" "/cms/impersonate/$widz_id"
is "$HTTP_STATUS" 303 "'users' staff impersonate a viewer"
http_get /portal -b "$O"
is "$HTTP_STATUS" 200 "and see the portal as them"
like "$(http_body)" 'class="impersonation"' "with the banner"
keep impersonation
like "$(http_body)" 'Ola Obsługa' "naming the staff member"
like "$(http_body)" 'action="/impersonation/end"' "and a button back"
http_get /account/password -b "$O"
is "$HTTP_STATUS" 403 "no password change while impersonating"
post "$O" "/cms/impersonate/$widz_id"
is "$HTTP_STATUS" 403 "no impersonation inside an impersonation"
is "$(sql "SELECT actor_user_id || ' ' || target_id FROM audit_log WHERE action = 'impersonate.start'")" "$ola_id $widz_id" \
    "the start is audited: who, whom"
post "$O" /impersonation/end
is "$HTTP_STATUS" 303 "one click back"
is "$(http_header Location)" /cms "to the CMS"
http_get /cms -b "$O"
is "$HTTP_STATUS" 200 "as the staff member again"
unlike "$(http_body)" 'class="impersonation"' "no banner"
is "$(sql "SELECT actor_user_id || ' ' || target_id FROM audit_log WHERE action = 'impersonate.end'")" "$ola_id $widz_id" \
    "the end is audited"
S=$E2E_RUNDIR/jar-szef
login "$S" szef@framuga.pl "$PW"
post "$S" "/cms/impersonate/$anna_id"
is "$HTTP_STATUS" 303 "a full admin may impersonate a customer admin"
"$USER_TOOL" -c "$E2E_CONF" disable szef@framuga.pl >/dev/null
http_get /portal -b "$S"
is "$HTTP_STATUS" 403 "disabling the staff member ends their impersonation too"

# --- staff must use a second factor (totp_required_for_staff) --------------------
e2e_stop_fcgi
echo "totp_required_for_staff = on" >>"$E2E_CONF"
e2e_start_fcgi || bail_out "framuga-fcgi did not restart"
e2e_wait_ready || bail_out "no answer after the restart"
http_get /cms -b "$O"
is "$HTTP_STATUS" 403 "a staff session without TOTP no longer reaches the CMS"
O2=$E2E_RUNDIR/jar-ola2
login "$O2" ola@framuga.pl "$PW"
is "$(http_header Location)" /account/2fa "staff without a second factor are sent to enrol"
http_get /account/2fa -b "$O2"
like "$(http_body)" 'muszą używać weryfikacji' "and told why"
keep totp-required
post "$O2" /account/2fa --data-urlencode "action=begin"
http_get /account/2fa -b "$O2"
secret=$(http_body | sed -n 's/.*id="secret" value="\([A-Z2-7]*\)".*/\1/p')
post "$O2" /account/2fa --data-urlencode "action=enable" --data-urlencode "code=$(totp "$secret" "$(now)")"
is "$HTTP_STATUS" 303 "enrolled"
http_get /cms -b "$O2"
is "$HTTP_STATUS" 200 "then the CMS opens"
post "$O2" /account/2fa --data-urlencode "action=disable" --data-urlencode "password=$PW"
is "$HTTP_STATUS" 403 "and the second factor cannot be switched off"
http_get /portal -b "$A"
is "$HTTP_STATUS" 200 "customers are not affected"
http_get /account/password -b "$A"
keep password
http_get /account/2fa -b "$A"
keep totp-on

# --- every page above is valid HTML (html-validate, as the browser tests) ---
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
	skip "valid HTML of the account pages" "node or html-validate (tests/browser) missing"
fi

done_testing
