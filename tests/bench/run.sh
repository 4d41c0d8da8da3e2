#!/bin/sh
# tests/bench/run.sh: FastCGI throughput and latency behind a real nginx.
#
#	tests/bench/run.sh [-a POOL-BINARY] [NAME PATH]...
#
# Starts nginx (nginx/local.conf.in, through tests/e2e/lib.sh) in front of
#   (a) tests/bench/bare-fcgi: a bare libfcgi responder, the same 2 KB
#       page in the plain FCGX_Accept_r loop, forked N times: the ceiling;
#   (b) framuga-fcgi (or -a another build of the pool, such as
#       tests/e2e/framuga-fcgi-echo for the pool without the portal), on a
#       database made by framuga-admin migrate and the seed hook;
# runs `wrk --latency` against the bare page and each page of the list,
# and prints req/s, p50, p99 and the share of the bare rate (with the
# status and size of one answer, so that a fast 404 is not taken for a
# fast page), then the peak RSS (VmHWM) of every pool worker after the
# load.  Figures only: it
# passes or fails nothing, and make check does not run it.
#
# Pages: NAME PATH pairs on the command line, else the list below; add a
# line to measure another page.
PAGES='
healthz  /healthz
news     /news
'
# Settings (environment):
#   BENCH_WORKERS=4          workers of both pools (4 beat 2 on 2 cores)
#   BENCH_THREADS=2 BENCH_CONNECTIONS=32 BENCH_DURATION=10s   wrk -t -c -d
#   BENCH_WARMUP=2s          unmeasured wrk run before each measurement
#   BENCH_NGINX_WORKERS=auto nginx worker_processes (one per CPU: with one,
#                            nginx itself capped the bare rate)
#   BENCH_SEED=HOOK          prepares the data: a script run as HOOK CONFIG
#                            (FRAMUGA_CONFIG is set too), or the name of a
#                            shell function defined in BENCH_HOOKS, a file
#                            this script sources; default
#                            tests/bench/seed-platform.sh (db/demo/*.sql and
#                            100k news rows, so /news renders 50 rows)
#   BENCH_EXTRA_CONFIG       more lines for the pool's configuration
#   E2E_KEEP=1               keep the run directory (logs, database)
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir

POOL=$top_builddir/framuga-fcgi
while getopts a: opt; do
	case $opt in
	a) POOL=$OPTARG ;;
	*) echo "usage: $0 [-a pool-binary] [NAME PATH]..." >&2; exit 64 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] && PAGES=$*
case $POOL in /*) ;; *) POOL=$(pwd)/$POOL ;; esac

: "${BENCH_WORKERS:=4}" "${BENCH_THREADS:=2}" "${BENCH_CONNECTIONS:=32}"
: "${BENCH_DURATION:=10s}" "${BENCH_WARMUP:=2s}" "${BENCH_NGINX_WORKERS:=auto}"
: "${BENCH_SEED:=$top_srcdir/tests/bench/seed-platform.sh}"
[ -n "${BENCH_HOOKS:-}" ] && . "$BENCH_HOOKS"

. "$top_srcdir/tests/e2e/lib.sh"

die() { echo "bench: $*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk not found (Debian: apt-get install wrk)"
[ -x "$NGINX" ] || die "nginx not found"
BARE=$top_builddir/tests/bench/bare-fcgi
[ -x "$BARE" ] || make -C "$top_builddir" tests/bench/bare-fcgi >/dev/null ||
    die "cannot build $BARE"
[ -x "$POOL" ] || die "no pool binary $POOL (make; or -a tests/e2e/framuga-fcgi-echo)"

E2E_FCGI=$POOL
E2E_WORKERS=$BENCH_WORKERS
E2E_NGINX_WORKERS=$BENCH_NGINX_WORKERS
E2E_EXTRA_CONFIG=${BENCH_EXTRA_CONFIG:-}
e2e_init bench

# wrk PATH: run it (a warm-up first) and set RPS P50 P99 ERRORS.
measure() {
	wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_WARMUP" \
	    "$E2E_URL$1" >/dev/null 2>&1
	wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" \
	    --latency "$E2E_URL$1" >"$E2E_RUNDIR/wrk.out" 2>&1
	cat "$E2E_RUNDIR/wrk.out" >>"$E2E_RUNDIR/wrk.log"
	eval "$(awk '
		/^Requests\/sec:/ { rps = $2 }
		$1 == "50%" { p50 = $2 }
		$1 == "99%" { p99 = $2 }
		/Non-2xx or 3xx responses:/ { err += $NF }
		/Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
		END { printf "RPS=%s P50=%s P99=%s ERRORS=%d\n",
		    rps == "" ? 0 : rps, p50 == "" ? "-" : p50,
		    p99 == "" ? "-" : p99, err }' "$E2E_RUNDIR/wrk.out")"
}

ROWS=
row() {		# TARGET PAGE PATH: measure and remember a table row
	http_get "$3"
	_bytes=$(wc -c <"$HTTP_BODY" | tr -d ' ')
	measure "$3"
	[ "$1" = bare ] && BARE_RPS=$RPS
	ROWS="$ROWS$1 $2 $3 $HTTP_STATUS $_bytes $RPS $P50 $P99 $ERRORS
"
}

# Peak RSS of PID's children, "pid:kB" words.
peak_rss() {
	for _c in $(e2e_children "$1"); do
		printf '%s:%s ' "$_c" "$(awk '/^VmHWM:/ { print $2 }' \
		    "/proc/$_c/status" 2>/dev/null)"
	done
}

load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)

# ---- (a) the bare responder ---------------------------------------------

"$BARE" -s "$E2E_SOCKET" -n "$BENCH_WORKERS" >>"$E2E_RUNDIR/bare.log" 2>&1 &
bare_pid=$!
e2e_track "$bare_pid"
e2e_wait_for 5 test -S "$E2E_SOCKET" || die "bare-fcgi did not start"
e2e_start_nginx || die "nginx did not start"
BARE_RPS=0
row bare page /
bare_rss=$(peak_rss "$bare_pid")
kill -TERM "$bare_pid"
e2e_wait_exit "$bare_pid" 5

# ---- (b) the pool -------------------------------------------------------

e2e_write_config
e2e_migrate
if [ -n "$BENCH_SEED" ]; then
	if [ -f "$BENCH_SEED" ]; then
		FRAMUGA_CONFIG=$E2E_CONF "$BENCH_SEED" "$E2E_CONF" ||
		    die "seed hook $BENCH_SEED failed"
	else
		"$BENCH_SEED" "$E2E_CONF" || die "seed hook $BENCH_SEED failed"
	fi
fi
e2e_start_fcgi || die "$POOL did not start: $(tail -3 "$E2E_FCGI_LOG")"
set -- $PAGES
e2e_wait_ready "$2" 20 || die "no answer on $2: $(tail -3 "$E2E_FCGI_LOG")"
pool_name=$(basename "$POOL")
while [ $# -ge 2 ]; do
	row "$pool_name" "$1" "$2"
	shift 2
done
pool_rss=$(peak_rss "$E2E_FCGI_PID")

# ---- the table ------------------------------------------------------------

maxreq=$(sed -n 's/^[[:space:]]*max_requests[[:space:]]*=[[:space:]]*//p' "$E2E_CONF")
echo "wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION --latency;" \
    "$BENCH_WORKERS workers (max_requests ${maxreq:-default});" \
    "nginx worker_processes $BENCH_NGINX_WORKERS;" \
    "$(nproc 2>/dev/null || echo '?') CPUs; load before: $load0"
printf '%s' "$ROWS" | awk -v bare="$BARE_RPS" '
	BEGIN { printf "%-18s %-9s %-12s %6s %6s %8s %8s %8s %6s %6s\n",
	    "target", "page", "path", "status", "bytes", "req/s", "p50",
	    "p99", "%bare", "errors" }
	{ printf "%-18s %-9s %-12s %6s %6s %8.0f %8s %8s %5.0f%% %6d\n",
	    $1, $2, $3, $4, $5, $6, $7, $8,
	    (bare > 0 ? 100 * $6 / bare : 0), $9 }'
echo
echo "peak RSS (VmHWM) after the load, kB:"
echo "  bare-fcgi workers: $bare_rss"
echo "  $pool_name workers: $pool_rss"
[ "${E2E_KEEP:-0}" = 1 ] && echo "run directory: $E2E_RUNDIR"
exit 0
