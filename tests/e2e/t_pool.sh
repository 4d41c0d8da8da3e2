#!/bin/sh
# t_pool.sh: the framuga-fcgi worker pool behind a real nginx, driven with
# curl.  The pool runs the echo app (tests/e2e/echo_app.c), whose answers
# say which worker (pid) and which configuration (brand) served them.
#
# Covered: N workers serve; a worker killed with -9 or crashing mid-request
# is replaced; SIGHUP reload keeps serving, lets a long request finish and
# moves new requests to new workers with the new configuration; a broken
# reload (bad file, app_init failing) leaves the old workers serving;
# SIGTERM lets the request in hand finish, then the master exits and the
# socket is gone; a stale socket is taken over, a live one is not;
# max_requests recycles workers; a stop timeout kills a stuck request;
# app_init failing stops the pool (status 78, no fork loop); workers dying
# at start are restarted with a back-off.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

E2E_FCGI=${FRAMUGA_FCGI_ECHO:-$top_builddir/tests/e2e/framuga-fcgi-echo}
[ -x "$E2E_FCGI" ] || skip_all "no $E2E_FCGI (make check builds it)"
[ -x "$NGINX" ] || skip_all "nginx not found"
command -v curl >/dev/null || skip_all "curl not found"
ulimit -c 0 2>/dev/null		# /crash and ECHO_CRASH_INIT abort()

E2E_READY_PATH=/
E2E_WORKERS=3
E2E_EXTRA_CONFIG="brand_name = gen1"
e2e_init pool
e2e_start

# ---- helpers ---------------------------------------------------------------

# The pid in the last answer.
answer_pid() { sed -n 's/^echo pid=\([0-9]*\) .*/\1/p' "$HTTP_BODY"; }
answer_brand() { sed -n 's/^echo .* brand=\([^ ]*\) .*/\1/p' "$HTTP_BODY"; }
workers() { e2e_children "$E2E_FCGI_PID" | sort -n; }
nworkers() { workers | wc -l | tr -d ' '; }
has_workers() { [ "$(nworkers)" -eq "$1" ]; }
# GET PATH COUNT times; BAD counts answers other than 200, PIDS collects
# the pids that answered.
hammer() {
	BAD=0 PIDS=
	_k=0
	while [ $_k -lt "$2" ]; do
		http_get "$1"
		[ "$HTTP_STATUS" = 200 ] || BAD=$((BAD + 1))
		PIDS="$PIDS $(answer_pid)"
		_k=$((_k + 1))
	done
	PIDS=$(echo $PIDS | tr ' ' '\n' | sort -nu | tr '\n' ' ')
}
in_list() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }
# Lines of the pool's log written since log_mark.
log_mark() { _mark=$(wc -l <"$E2E_FCGI_LOG"); }
log_new() { tail -n +$((_mark + 1)) "$E2E_FCGI_LOG"; }
log_has() { log_new | grep -Eq -- "$1"; }
set_config() { E2E_EXTRA_CONFIG=$1; e2e_write_config; }
brand_is() { http_get /; [ "$(answer_brand)" = "$1" ]; }
pid_gone() { ! e2e_alive "$1"; }
all_gone() { for _q in $1; do e2e_alive "$_q" && return 1; done; return 0; }
none_of() { for _q in $(workers); do in_list "$_q" "$1" && return 1; done; return 0; }

# ---- N workers serve ------------------------------------------------------

is "$(stat -c %a "$E2E_SOCKET")" 660 "the socket is mode 0660"
ok "the master runs 3 workers" e2e_wait_for 5 has_workers 3
hammer / 30
is "$BAD" 0 "30 requests through nginx all answer 200"
all=$(workers | tr '\n' ' ')
bad_pid=
for p in $PIDS; do in_list "$p" "$all" || bad_pid="$bad_pid $p"; done
is "$bad_pid" "" "every answer came from one of the pool's workers"

echo "accel works" >"$E2E_DATADIR/hello.txt"
http_get /accel/hello.txt
is "$HTTP_STATUS:$(http_body)" "200:accel works" \
    "X-Accel-Redirect: nginx sends the file from the data dir"
http_get /_accel/hello.txt
is "$HTTP_STATUS" 404 "/_accel/ is internal: not reachable directly"

# ---- a worker killed or crashing is replaced ----------------------------

victim=$(workers | head -1)
log_mark
kill -KILL "$victim"
replaced() { has_workers 3 && ! in_list "$victim" "$(workers | tr '\n' ' ')"; }
ok "a worker killed with -9 is replaced" e2e_wait_for 5 replaced
ok "the master logged the death and the restart" \
    log_has "worker $victim \\(generation 1\\) was killed by signal 9"
hammer / 20
is "$BAD" 0 "then 20 requests all answer 200"

log_mark
http_get /crash
is "$HTTP_STATUS" 502 "a worker crashing mid-request gives 502"
ok "and is replaced" e2e_wait_for 5 has_workers 3
ok "the crash is logged" log_has "was killed by signal 6"
hammer / 10
is "$BAD" 0 "then 10 requests all answer 200"

# ---- SIGHUP: reload --------------------------------------------------------

old=$(workers | tr '\n' ' ')
log_mark
http_get_bg slow "/sleep?ms=3000"
# a steady stream of requests across the reload
(
	i=0
	while [ $i -lt 150 ]; do
		curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 "$E2E_URL/"
		i=$((i + 1))
	done
) >"$E2E_RUNDIR/during-reload" 2>&1 &
stream=$!
e2e_track $stream
sleep 0.2
set_config "brand_name = gen2"
e2e_alive $stream || diag "(the stream of requests ended before the reload)"
kill -HUP "$E2E_FCGI_PID"
# Wait until the new generation serves and the idle old workers have gone
# (a request that arrives at the switch may be served by either
# generation; both are right).
switched() {
	log_has "generation 2 serves" || return 1
	_nleft=0
	for _q in $old; do e2e_alive "$_q" && _nleft=$((_nleft + 1)); done
	[ $_nleft -le 1 ]
}
ok "SIGHUP: a new generation takes over" e2e_wait_for 10 switched
ok "new requests see the new configuration" brand_is gen2
wait $stream
is "$(grep -c "^200$" "$E2E_RUNDIR/during-reload")" 150 \
    "150 requests in a row across the reload all answer 200"
hammer / 15
is "$BAD" 0 "then 15 requests answer 200"
stale=
for p in $PIDS; do in_list "$p" "$old" && stale="$stale $p"; done
is "$stale" "" "new requests are served by new-generation workers"
http_wait_bg slow
is "$HTTP_STATUS" 200 "a long request started before the reload completes"
like "$(http_body)" "brand=gen1 " "it was served by the old generation"
ok "the old workers exit once done" e2e_wait_for 10 all_gone "$old"
ok "three new-generation workers remain" e2e_wait_for 5 has_workers 3

# ---- broken reloads leave the serving generation alone --------------------

cur=$(workers | tr '\n' ' ')
log_mark
set_config "brand_name = gen2
no_such_key = 1"
kill -HUP "$E2E_FCGI_PID"
ok "a config file with errors: reload abandoned" \
    e2e_wait_for 5 log_has "reload abandoned"
ok "the workers serving keep serving it" brand_is gen2

log_mark
set_config "brand_name = FAIL_INIT"
kill -HUP "$E2E_FCGI_PID"
ok "new workers failing app_init: reload abandoned" \
    e2e_wait_for 5 log_has "reload abandoned: worker [0-9]+ of generation [0-9]+ could not start"
sleep 1
is "$(log_new | grep -c 'started (generation')" 3 \
    "the failed generation was forked once, not in a loop"
hammer / 10
is "$BAD:$(answer_brand)" "0:gen2" "requests are still served by the old configuration"
is "$(workers | tr '\n' ' ')" "$cur" "by the same workers"
set_config "brand_name = gen2"

# ---- SIGTERM: drain and stop ------------------------------------------------

old=$(workers | tr '\n' ' ')
log_mark
http_get_bg drain "/sleep?ms=2000"
sleep 0.5
kill -TERM "$E2E_FCGI_PID"
http_wait_bg drain
is "$HTTP_STATUS" 200 "SIGTERM: the request in hand completes"
e2e_wait_exit "$E2E_FCGI_PID" 10
is "$E2E_EXIT_STATUS" 0 "then the master exits with status 0"
ok "the socket is gone" test ! -e "$E2E_SOCKET"
ok "no worker is left" all_gone "$old"
http_get /
is "$HTTP_STATUS" 502 "nginx now answers 502"
E2E_FCGI_PID=

# ---- stale and live sockets --------------------------------------------------

e2e_start_fcgi
e2e_wait_ready / 10
"$E2E_FCGI" -f -c "$E2E_CONF" >"$E2E_RUNDIR/second.log" 2>&1
is "$?" 1 "a second pool on the same live socket refuses to start"
like "$(cat "$E2E_RUNDIR/second.log")" "another server accepts" "and says why"
ok "the first one still serves" brand_is gen2

old=$(workers | tr '\n' ' ')
kill -KILL "$E2E_FCGI_PID"
wait "$E2E_FCGI_PID" 2>/dev/null
E2E_FCGI_PID=
ok "workers of a master killed with -9 exit too" e2e_wait_for 5 all_gone "$old"
ok "its socket file stays behind" test -S "$E2E_SOCKET"
log_mark
e2e_start_fcgi
ok "a new pool takes the stale socket over" e2e_wait_ready / 10
ok "and says so" log_has "removed stale socket"
e2e_stop_fcgi

# ---- max_requests ------------------------------------------------------------

E2E_WORKERS=1
set_config "brand_name = gen2
max_requests = 3"
log_mark
e2e_start_fcgi
e2e_wait_ready / 10		# request 1
first=$(answer_pid)
hammer / 2			# requests 2 and 3
is "$BAD:$PIDS" "0:$first " "max_requests = 3: three requests from one worker"
http_get /
is "$HTTP_STATUS" 200 "the fourth request is served too"
isnt "$(answer_pid)" "$first" "by a new worker"
ok "the recycling is logged" log_has "exited after .* \\(recycled\\); restarting"
e2e_stop_fcgi

# ---- the stop timeout ------------------------------------------------------

set_config "brand_name = gen2"
log_mark
E2E_FCGI_ARGS="-t 1"
e2e_start_fcgi
e2e_wait_ready / 10
http_get_bg stuck "/sleep?ms=6000"
sleep 0.5
kill -TERM "$E2E_FCGI_PID"
e2e_wait_exit "$E2E_FCGI_PID" 4
is "$E2E_EXIT_STATUS" 0 "-t 1: the master stops within the timeout"
http_wait_bg stuck
is "$HTTP_STATUS" 502 "the request still running is cut off"
ok "the kill is logged" log_has "killed: still busy at the stop timeout"
E2E_FCGI_PID=
E2E_FCGI_ARGS=

# ---- app_init failing stops the pool ----------------------------------------

E2E_WORKERS=3
set_config "brand_name = gen2"
log_mark
export ECHO_FAIL_INIT=1
e2e_start_fcgi
unset ECHO_FAIL_INIT
e2e_wait_exit "$E2E_FCGI_PID" 10
is "$E2E_EXIT_STATUS" 78 "workers failing app_init stop the pool with status 78"
E2E_FCGI_PID=
ok "with a clear message" \
    log_has "app_init failed .*stopping the pool instead of restarting"
ok "the worker's own reason is logged" log_has "told to fail app_init"
is "$(log_new | grep -c 'started (generation')" 3 "no fork loop: 3 forks for 3 workers"
ok "the socket is removed" test ! -e "$E2E_SOCKET"

# ---- workers dying at start back off ------------------------------------------

E2E_WORKERS=1
set_config "brand_name = gen2"
log_mark
export ECHO_CRASH_INIT=1
e2e_start_fcgi
unset ECHO_CRASH_INIT
sleep 3
starts=$(log_new | grep -c 'started (generation')
ok "workers crashing at start are restarted with a back-off ($starts forks in 3 s)" \
    test "$starts" -ge 3 -a "$starts" -le 8
ok "the back-off is logged" log_has "at start \\([0-9]+ in a row\\); restarting in [0-9.]+ s"
kill -TERM "$E2E_FCGI_PID"
e2e_wait_exit "$E2E_FCGI_PID" 5
is "$E2E_EXIT_STATUS" 0 "such a pool still stops on SIGTERM"
E2E_FCGI_PID=

done_testing
