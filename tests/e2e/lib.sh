# tests/e2e/lib.sh: the rig every end-to-end test sources (POSIX sh).
#
# It makes a fresh run directory, writes a framuga configuration, starts
# the real framuga-fcgi and a real nginx (nginx/local.conf.in) on a free
# loopback port, and stops both when the test exits.  It also holds the TAP
# helpers and curl wrappers the tests are written with.
#
#	. "$top_srcdir/tests/e2e/lib.sh"
#	e2e_init news			# run dir, port, file names
#	E2E_WORKERS=3			# settings, before e2e_start
#	e2e_start			# config, migrate, framuga-fcgi, nginx
#	http_get /news
#	is "$HTTP_STATUS" 200 "the news page answers"
#	like "$(http_body)" "<h1>" "it has a heading"
#	done_testing
#
# Settings (environment or shell variables, before e2e_start):
#   top_srcdir, top_builddir  set by make check; else the tree around this
#   FRAMUGA_FCGI / E2E_FCGI   the pool binary (default: framuga-fcgi of the
#                             build tree); the pool tests use the echo app
#   E2E_FCGI_ARGS             more arguments for it ("-t 2")
#   E2E_WORKERS               `workers` (default 2)
#   E2E_EXTRA_CONFIG          lines for the config file; a key given here
#                             replaces the one lib.sh would write
#   E2E_READY_PATH            what e2e_start waits for (default /healthz;
#                             any answer but 502/503/504 counts)
#   E2E_NGINX_WORKERS         nginx worker_processes (default 1)
#   E2E_ACCESS_LOG            1: write RUNDIR/access.log (default off)
#   E2E_KEEP                  1: keep the run directory even on success
#   E2E_FIXED_RUNDIR, E2E_FIXED_PORT  a set run directory and port instead
#                             of fresh ones (the demo: run/demo, 8080)
#   NGINX                     the nginx binary (configure finds it)
# Set by e2e_init:
#   E2E_NAME E2E_RUNDIR E2E_PORT E2E_URL E2E_SOCKET E2E_CONF E2E_DB
#   E2E_DATADIR E2E_NGINX_CONF E2E_FCGI_LOG
# Set by the start functions: E2E_FCGI_PID, E2E_NGINX_PID; by
# e2e_wait_exit: E2E_EXIT_STATUS.
#
# Functions: e2e_init NAME; e2e_start; e2e_write_config; e2e_migrate;
# e2e_start_fcgi [ARGS]; e2e_stop_fcgi [SIGNAL]; e2e_start_nginx;
# e2e_stop_nginx; e2e_wait_ready [PATH] [SECONDS]; e2e_wait_for SECONDS
# CMD...; e2e_wait_exit PID SECONDS; e2e_alive PID; e2e_children PID;
# e2e_track PID (a helper process of the test, killed at exit).
# HTTP: http_get PATH [CURL-ARGS], http_post PATH DATA [CURL-ARGS],
# http_request METHOD PATH [CURL-ARGS] set HTTP_STATUS ("000": no answer)
# and leave the answer in the files $HTTP_HEADERS and $HTTP_BODY (also
# RUNDIR/http.status); http_body prints the body, http_header NAME one
# header's value.  http_get_bg NAME PATH [CURL-ARGS] starts a request in
# the background, http_wait_bg NAME waits for it and sets the same
# variables.  Call these directly, not in $(...): they set variables.
# nginx and the pool are background jobs of the test's shell: wait for a
# job of your own by its pid (wait $!), never with a bare `wait`.
# TAP: plan N, ok DESC CMD..., pass DESC, fail DESC, is GOT WANT DESC,
# isnt GOT UNWANTED DESC, like GOT ERE DESC, unlike GOT ERE DESC, diag
# TEXT, skip DESC WHY, skip_all WHY, bail_out WHY, done_testing (prints
# the plan if none was given and the count; the script's exit status).
# On failure the run directory is kept and the tail of the logs is shown.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${E2E_WORKERS:=2}"
: "${E2E_READY_PATH:=/healthz}"
: "${E2E_NGINX_WORKERS:=1}"
: "${E2E_FCGI:=${FRAMUGA_FCGI:-$top_builddir/framuga-fcgi}}"
if [ -z "${NGINX:-}" ]; then
	NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
fi

_tap_n=0
_tap_failed=0
_tap_planned=
E2E_RUNDIR=
E2E_FCGI_PID=
E2E_NGINX_PID=
_e2e_bg_pids=

# ---- TAP ----------------------------------------------------------------

plan() { _tap_planned=$1; echo "1..$1"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
pass() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1"; }
fail() {
	_tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $1"
	return 1
}
ok() {
	_ok_desc=$1; shift
	if "$@"; then pass "$_ok_desc"; return 0; fi
	fail "$_ok_desc"; diag "command failed: $*"; return 1
}
is() {
	if [ "$1" = "$2" ]; then pass "$3"; return 0; fi
	fail "$3"; diag "got:      '$1'" "expected: '$2'"; return 1
}
isnt() {
	if [ "$1" != "$2" ]; then pass "$3"; return 0; fi
	fail "$3"; diag "got '$1', which it should not be"; return 1
}
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then pass "$3"; return 0; fi
	fail "$3"; diag "got:      '$1'" "expected to match: $2"; return 1
}
unlike() {
	if ! printf '%s\n' "$1" | grep -Eq -- "$2"; then pass "$3"; return 0; fi
	fail "$3"; diag "got:      '$1'" "expected not to match: $2"; return 1
}
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1 # SKIP $2"; }
skip_all() { echo "1..0 # SKIP $*"; _tap_planned=0; exit 0; }
bail_out() { echo "Bail out! $*"; _tap_failed=$((_tap_failed + 1)); exit 1; }
done_testing() {
	[ -n "$_tap_planned" ] || echo "1..$_tap_n"
	echo "# $((_tap_n - _tap_failed)) passed, $_tap_failed failed"
	[ "$_tap_failed" -eq 0 ] && { [ -z "$_tap_planned" ] ||
	    [ "$_tap_planned" -eq "$_tap_n" ]; }
	exit $?
}

# ---- processes -------------------------------------------------------------

# True while PID runs (a zombie does not count).
e2e_alive() {
	if [ -r "/proc/$1/stat" ]; then
		_st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
		[ -n "$_st" ] && [ "$_st" != Z ] && [ "$_st" != X ]
	else
		kill -0 "$1" 2>/dev/null
	fi
}

# The pids of PID's children, one a line.
e2e_children() {
	if [ -r "/proc/$1/task/$1/children" ]; then
		tr ' ' '\n' <"/proc/$1/task/$1/children" | sed '/^$/d'
	else
		ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' '
	fi
}

# Run CMD every 0.1 s until it succeeds (0) or SECONDS pass (1).
e2e_wait_for() {
	_wf_left=$(($1 * 10)); shift
	while ! "$@"; do
		_wf_left=$((_wf_left - 1))
		[ "$_wf_left" -gt 0 ] || return 1
		sleep 0.1
	done
	return 0
}

_e2e_gone() { ! e2e_alive "$1"; }

e2e_track() { _e2e_bg_pids="$_e2e_bg_pids $1"; }

# Wait up to SECONDS for our child PID to end; E2E_EXIT_STATUS is its exit
# status, or empty if it still runs (then 1 is returned).
e2e_wait_exit() {
	E2E_EXIT_STATUS=
	e2e_wait_for "$2" _e2e_gone "$1" || return 1
	wait "$1" 2>/dev/null
	E2E_EXIT_STATUS=$?
	return 0
}

# ---- the run directory and the configuration --------------------------------

_e2e_port_free() {
	curl -s -o /dev/null --connect-timeout 1 "http://127.0.0.1:$1/" 2>/dev/null
	[ $? -eq 7 ]
}

_e2e_pick_port() {
	_i=0
	while [ $_i -lt 50 ]; do
		E2E_PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
		_e2e_port_free "$E2E_PORT" && break
		_i=$((_i + 1))
	done
	E2E_URL=http://127.0.0.1:$E2E_PORT
}

# e2e_init NAME: the run directory and the names of everything in it.
e2e_init() {
	E2E_NAME=$1
	E2E_RUNDIR=${E2E_FIXED_RUNDIR:-$top_builddir/run/e2e-$1-$$}
	rm -rf "$E2E_RUNDIR"
	mkdir -p "$E2E_RUNDIR/tmp" "$E2E_RUNDIR/data" || bail_out "cannot make $E2E_RUNDIR"
	E2E_RUNDIR=$(cd "$E2E_RUNDIR" && pwd)
	E2E_CONF=$E2E_RUNDIR/framuga.conf
	E2E_DB=$E2E_RUNDIR/framuga.db
	E2E_DATADIR=$E2E_RUNDIR/data
	E2E_NGINX_CONF=$E2E_RUNDIR/nginx.conf
	E2E_FCGI_LOG=$E2E_RUNDIR/framuga-fcgi.log
	E2E_SOCKET=$E2E_RUNDIR/fcgi.sock
	# sun_path holds 107 bytes: a deep build tree gets a socket in /tmp
	if [ ${#E2E_SOCKET} -gt 100 ]; then
		_d=$(mktemp -d "${TMPDIR:-/tmp}/framuga-e2e.XXXXXX") || bail_out "mktemp"
		E2E_SOCKET=$_d/fcgi.sock
		_e2e_sockdir=$_d
	fi
	if [ -n "${E2E_FIXED_PORT:-}" ]; then
		E2E_PORT=$E2E_FIXED_PORT
		E2E_URL=http://127.0.0.1:$E2E_PORT
		_e2e_port_free "$E2E_PORT" ||
		    bail_out "port $E2E_PORT is taken (another demo running?)"
	else
		_e2e_pick_port
	fi
	trap _e2e_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# Print "key = value" unless E2E_EXTRA_CONFIG sets key itself.
_e2e_key() {
	printf '%s\n' "${E2E_EXTRA_CONFIG:-}" |
	    grep -Eq "^[[:space:]]*$1[[:space:]]*=" && return 0
	printf '%s = %s\n' "$1" "$2"
}

e2e_write_config() {
	{
		echo "# written by tests/e2e/lib.sh for the test $E2E_NAME"
		_e2e_key db_path "$E2E_DB"
		_e2e_key data_dir "$E2E_DATADIR"
		_e2e_key tmp_dir "$E2E_RUNDIR/tmp"
		_e2e_key template_dir "$top_srcdir/www/templates"
		_e2e_key locale_dir "$top_builddir/locale"
		_e2e_key listen "unix:$E2E_SOCKET"
		_e2e_key workers "$E2E_WORKERS"
		# No public_origin: the app then checks Origin against the Host
		# the request came to, which stays right when nginx has to retry
		# on another port after framuga-fcgi has started.
		[ -z "${E2E_EXTRA_CONFIG:-}" ] || printf '%s\n' "$E2E_EXTRA_CONFIG"
	} >"$E2E_CONF"
}

# framuga-admin migrate, when the build has framuga-admin.
e2e_migrate() {
	[ -x "$top_builddir/framuga-admin" ] || return 0
	"$top_builddir/framuga-admin" -c "$E2E_CONF" migrate \
	    >>"$E2E_RUNDIR/admin.log" 2>&1 ||
	    bail_out "framuga-admin migrate failed: $(tail -3 "$E2E_RUNDIR/admin.log")"
}

# ---- framuga-fcgi ------------------------------------------------------------

# Start the pool in the background (its log: E2E_FCGI_LOG) and wait for its
# socket; 1 if it did not come up (it may have exited: see e2e_wait_exit).
e2e_start_fcgi() {
	[ -x "$E2E_FCGI" ] || bail_out "no pool binary $E2E_FCGI (make check builds it)"
	# shellcheck disable=SC2086
	"$E2E_FCGI" -f -c "$E2E_CONF" ${E2E_FCGI_ARGS:-} "$@" \
	    >>"$E2E_FCGI_LOG" 2>&1 &
	E2E_FCGI_PID=$!
	e2e_wait_for 10 _e2e_fcgi_up
}

_e2e_fcgi_up() { [ -S "$E2E_SOCKET" ] || ! e2e_alive "$E2E_FCGI_PID"; }

# Stop the pool with SIGNAL (default TERM) and wait up to 20 s.
e2e_stop_fcgi() {
	[ -n "$E2E_FCGI_PID" ] || return 0
	kill -"${1:-TERM}" "$E2E_FCGI_PID" 2>/dev/null
	if ! e2e_wait_exit "$E2E_FCGI_PID" 20; then
		kill -KILL "$E2E_FCGI_PID" 2>/dev/null
		e2e_wait_exit "$E2E_FCGI_PID" 5
	fi
	E2E_FCGI_PID=
}

# ---- nginx --------------------------------------------------------------------

_e2e_fill() {
	_log=off
	[ "${E2E_ACCESS_LOG:-0}" = 1 ] && _log=$E2E_RUNDIR/access.log
	sed -e "s|@PORT@|$E2E_PORT|g" -e "s|@RUNDIR@|$E2E_RUNDIR|g" \
	    -e "s|@SRCDIR@|$top_srcdir|g" -e "s|@SOCKET@|$E2E_SOCKET|g" \
	    -e "s|@DATADIR@|$E2E_DATADIR|g" \
	    -e "s|@STATIC_ROOT@|$top_srcdir/www/static|g" \
	    -e "s|@NGINX_WORKERS@|$E2E_NGINX_WORKERS|g" \
	    -e "s|@ACCESS_LOG@|$_log|g" \
	    "$top_srcdir/nginx/local.conf.in" >"$E2E_NGINX_CONF"
}

_e2e_nginx_up() {
	! e2e_alive "$E2E_NGINX_PID" || ! _e2e_port_free "$E2E_PORT"
}

# Start nginx in the foreground (daemon off) in the background of this
# shell; a port taken meanwhile is retried with another.
e2e_start_nginx() {
	[ -x "$NGINX" ] || bail_out "nginx not found (NGINX=$NGINX)"
	mkdir -p "$E2E_RUNDIR/tmp"
	# As root nginx would run its workers as nobody, who cannot reach
	# the 0660 socket: CI runs the tests as root.
	_glob='daemon off;'
	[ "$(id -u)" = 0 ] && _glob="$_glob user root root;"
	_try=0
	while :; do
		_e2e_fill
		"$NGINX" -p "$E2E_RUNDIR/" -c "$E2E_NGINX_CONF" \
		    -e "$E2E_RUNDIR/error.log" -g "$_glob" \
		    >>"$E2E_RUNDIR/nginx.out" 2>&1 &
		E2E_NGINX_PID=$!
		e2e_wait_for 10 _e2e_nginx_up
		e2e_alive "$E2E_NGINX_PID" && return 0
		wait "$E2E_NGINX_PID" 2>/dev/null
		_try=$((_try + 1))
		if [ $_try -ge 5 ] || ! grep -q 'Address already in use' \
		    "$E2E_RUNDIR/error.log" "$E2E_RUNDIR/nginx.out" 2>/dev/null; then
			diag "nginx did not start:"
			diag "$(tail -5 "$E2E_RUNDIR/error.log" "$E2E_RUNDIR/nginx.out" 2>/dev/null)"
			E2E_NGINX_PID=
			return 1
		fi
		_e2e_pick_port
		[ -f "$E2E_CONF" ] && e2e_write_config
	done
}

e2e_stop_nginx() {
	[ -n "$E2E_NGINX_PID" ] || return 0
	kill -TERM "$E2E_NGINX_PID" 2>/dev/null
	e2e_wait_exit "$E2E_NGINX_PID" 10 || {
		kill -KILL "$E2E_NGINX_PID" 2>/dev/null
		e2e_wait_exit "$E2E_NGINX_PID" 5
	}
	E2E_NGINX_PID=
}

_e2e_answers() {
	http_get "$1"
	case $HTTP_STATUS in 000|502|503|504) return 1 ;; esac
	return 0
}

# Wait until nginx and the pool answer PATH (default E2E_READY_PATH).
e2e_wait_ready() {
	e2e_wait_for "${2:-20}" _e2e_answers "${1:-$E2E_READY_PATH}"
}

# Everything: config, migrations, pool, nginx, first answer.  Bails out on
# failure with the log's tail.
e2e_start() {
	[ -n "$E2E_RUNDIR" ] || e2e_init "$(basename "$0" .sh)"
	e2e_write_config
	e2e_migrate
	e2e_start_fcgi || bail_out "framuga-fcgi did not start: $(tail -5 "$E2E_FCGI_LOG")"
	e2e_alive "$E2E_FCGI_PID" || bail_out "framuga-fcgi exited: $(tail -5 "$E2E_FCGI_LOG")"
	e2e_start_nginx || bail_out "nginx did not start"
	e2e_wait_ready || bail_out "no answer on $E2E_READY_PATH (status $HTTP_STATUS): $(tail -5 "$E2E_FCGI_LOG")"
}

_e2e_cleanup() {
	_rc=$?
	trap - EXIT INT TERM
	for _p in $_e2e_bg_pids; do kill "$_p" 2>/dev/null; done
	e2e_stop_nginx
	e2e_stop_fcgi
	if [ "$_tap_failed" -gt 0 ] || [ "$_rc" -ne 0 ]; then
		for _f in "$E2E_FCGI_LOG" "$E2E_RUNDIR/error.log"; do
			[ -s "$_f" ] || continue
			diag "--- last lines of $_f"
			diag "$(tail -15 "$_f")"
		done
		[ -n "$E2E_RUNDIR" ] && diag "run directory kept: $E2E_RUNDIR"
	elif [ "${E2E_KEEP:-0}" != 1 ] && [ -n "$E2E_RUNDIR" ]; then
		rm -rf "$E2E_RUNDIR"
	fi
	[ -n "${_e2e_sockdir:-}" ] && rm -rf "$_e2e_sockdir"
	exit "$_rc"
}

# ---- HTTP ---------------------------------------------------------------------

http_request() {
	_m=$1 _p=$2; shift 2
	HTTP_HEADERS=$E2E_RUNDIR/http.headers
	HTTP_BODY=$E2E_RUNDIR/http.body
	: >"$HTTP_HEADERS"; : >"$HTTP_BODY"
	HTTP_STATUS=$(curl -s -o "$HTTP_BODY" -D "$HTTP_HEADERS" \
	    -w '%{http_code}' --max-time "${E2E_HTTP_TIMEOUT:-30}" \
	    -X "$_m" "$@" "$E2E_URL$_p" 2>/dev/null)
	[ -n "$HTTP_STATUS" ] || HTTP_STATUS=000
	echo "$HTTP_STATUS" >"$E2E_RUNDIR/http.status"
	[ "$HTTP_STATUS" != 000 ]
}
http_get() { _p=$1; shift; http_request GET "$_p" "$@"; }
http_post() { _p=$1 _data=$2; shift 2; http_request POST "$_p" --data-binary "$_data" "$@"; }
http_body() { cat "$HTTP_BODY"; }
http_header() {
	tr -d '\r' <"$HTTP_HEADERS" |
	    awk -v n="$1" 'BEGIN { n = tolower(n) ":" }
		tolower(substr($0, 1, length(n))) == n {
		    v = substr($0, length(n) + 1); sub(/^[ \t]+/, "", v); print v; exit }'
}

# http_get_bg NAME PATH [CURL-ARGS]: NAME is a word ([A-Za-z0-9_]).
http_get_bg() {
	_n=$1 _p=$2; shift 2
	: >"$E2E_RUNDIR/bg-$_n.status"
	curl -s -o "$E2E_RUNDIR/bg-$_n.body" -D "$E2E_RUNDIR/bg-$_n.headers" \
	    -w '%{http_code}' --max-time "${E2E_HTTP_TIMEOUT:-30}" "$@" \
	    "$E2E_URL$_p" >"$E2E_RUNDIR/bg-$_n.status" 2>/dev/null &
	eval "_e2e_bg_$_n=\$!"
	_e2e_bg_pids="$_e2e_bg_pids $!"
}
http_wait_bg() {
	eval "_pid=\${_e2e_bg_$1:-}"
	[ -n "$_pid" ] && wait "$_pid" 2>/dev/null
	HTTP_STATUS=$(cat "$E2E_RUNDIR/bg-$1.status" 2>/dev/null)
	[ -n "$HTTP_STATUS" ] || HTTP_STATUS=000
	HTTP_HEADERS=$E2E_RUNDIR/bg-$1.headers
	HTTP_BODY=$E2E_RUNDIR/bg-$1.body
	[ "$HTTP_STATUS" != 000 ]
}
