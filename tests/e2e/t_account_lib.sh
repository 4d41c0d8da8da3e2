# t_account_lib.sh: what the account tests (t_account.sh, t_cms_users.sh)
# share, sourced after tests/e2e/lib.sh: the stack with a movable clock,
# SQL, users made with framuga-user, logging in, form posts with the
# session's token, and the link to set a password read from mail_outbox.

command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
SKEW=$E2E_RUNDIR/clock-skew
echo 0 >"$SKEW"
FRAMUGA_CLOCK_SKEW_FILE=$SKEW
export FRAMUGA_CLOCK_SKEW_FILE
E2E_EXTRA_CONFIG="test_routes = on
login_free_attempts = 50
login_ip_free_attempts = 500"
e2e_start
USER_TOOL=$top_builddir/framuga-user
PW=okno-drzwi-parapet

sql() { sqlite3 "$E2E_DB" "$1"; }
# adduser EMAIL NAME (--staff ROLE | --customer CODE --role ROLE)
adduser() {
	_e=$1 _n=$2; shift 2
	echo "$PW" | "$USER_TOOL" -c "$E2E_CONF" add --email "$_e" --name "$_n" \
	    --password-stdin "$@" >/dev/null
}
uid() { sql "SELECT id FROM user WHERE email = '$1'"; }
# csrf_of PATH JAR: the form token on a page (the session's when logged in)
csrf_of() {
	http_get "$1" -b "$2" -c "$2"
	http_body | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1
}
# login JAR EMAIL [PASSWORD]: a fresh jar, logged in (303 expected)
login() {
	rm -f "$1"
	_t=$(csrf_of /login "$1")
	http_request POST /login -b "$1" -c "$1" --data-urlencode "csrf=$_t" \
	    --data-urlencode "email=$2" --data-urlencode "password=${3:-$PW}"
}
# post JAR PATH [CURL-ARGS...]: a form post with the session's token
post() {
	_j=$1 _p=$2; shift 2
	_t=$(csrf_of /account/profile "$_j")
	[ -n "$_t" ] || _t=$(csrf_of /login "$_j")
	http_request POST "$_p" -b "$_j" -c "$_j" --data-urlencode "csrf=$_t" "$@"
}
# The last link to set a password mailed to EMAIL (path only).
mail_link() {
	sql "SELECT body_text FROM mail_outbox WHERE to_addr = '$1' ORDER BY id DESC LIMIT 1" |
	    grep -o '/password/reset/[0-9a-f]*' | head -1
}
# set_password JAR EMAIL: follow the mailed link and set $PW (303 expected)
set_password() {
	_l=$(mail_link "$2")
	[ -n "$_l" ] || { HTTP_STATUS=none; return 1; }
	rm -f "$1"
	_t=$(csrf_of "$_l" "$1")
	http_request POST "$_l" -b "$1" -c "$1" --data-urlencode "csrf=$_t" \
	    --data-urlencode "password=$PW" --data-urlencode "password2=$PW"
}
audit_count() { sql "SELECT count(*) FROM audit_log WHERE action = '$1'"; }
# body_has REGEX: the last answer's body matches (for ok)
body_has() { grep -Eq -- "$1" "$HTTP_BODY"; }
