#!/bin/sh
# login_bench.sh: what logging in costs, through the real nginx and
# framuga-fcgi (prints figures; never passes or fails on time).
#
#   tests/bench/login_bench.sh [WORKERS] [BURST]     (defaults 8, 100)
#
# 1. Login time, one at a time: p50/p99 of 50 logins with the configured
#    argon2id parameters (argon2_memory_kib, argon2_iterations,
#    argon2_lanes: the defaults unless BENCH_CONFIG adds lines).
# 2. A burst of BURST logins at once, twice: with the cap on concurrent
#    hashes (argon2_max_parallel = 2, the default) and without it (256):
#    the peak of the pool's memory (sum of the RSS of the master and every
#    worker, sampled every 20 ms), how the logins were answered (303, 503),
#    and the latency of /news measured with wrk during the burst, against
#    /news with no burst.
# Needs wrk.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

WORKERS=${1:-8}
BURST=${2:-100}
command -v wrk >/dev/null || { echo "login_bench: wrk not installed" >&2; exit 1; }
PW=okno-drzwi-parapet

rss_kb() {	# sum of VmRSS of the pool (master + children), in KiB
	_t=0
	for _p in $E2E_FCGI_PID $(e2e_children "$E2E_FCGI_PID"); do
		_r=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$_p/status" 2>/dev/null)
		_t=$((_t + ${_r:-0}))
	done
	echo "$_t"
}
pct() {	# FILE P: the P-th percentile of the numbers in FILE
	sort -n "$1" | awk -v p="$2" '{ a[NR] = $1 } END {
		i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; print a[i] }'
}
token() {	# JAR: an anonymous form token
	curl -s -c "$1" "$E2E_URL/login" |
	    sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1
}
run() {	# CAP: start a fresh stack with argon2_max_parallel = CAP
	e2e_init "login-bench-$1"
	E2E_WORKERS=$WORKERS
	E2E_EXTRA_CONFIG="argon2_max_parallel = $1
argon2_wait_ms = 5000
login_ip_free_attempts = 100000
${BENCH_CONFIG:-}"
	e2e_start
	sqlite3 "$E2E_DB" <"$top_srcdir/db/demo/news.sql" >/dev/null 2>&1
	sqlite3 "$E2E_DB" "INSERT INTO customer (erp_uuid, code, name, updated_at) VALUES ('b-1', 'B1', 'Bench', 0)"
	i=0
	while [ $i -lt "$BURST" ]; do
		echo "$PW" | "$top_builddir/framuga-user" -c "$E2E_CONF" add \
		    --email "u$i@bench.pl" --name "U$i" --password-stdin \
		    --customer B1 --role buyer >/dev/null
		i=$((i + 1))
	done
}
burst() {	# CAP
	d=$E2E_RUNDIR/burst
	mkdir -p "$d"
	i=0
	while [ $i -lt "$BURST" ]; do
		token "$d/j$i" >"$d/t$i"
		i=$((i + 1))
	done
	base=$(rss_kb)
	wrk -t1 -c4 -d3s --latency "$E2E_URL/news" >"$d/wrk-idle.txt" 2>&1
	# sample memory while the burst runs
	( peak=0; while [ ! -f "$d/done" ]; do
		r=$(rss_kb); [ "$r" -gt "$peak" ] && peak=$r; echo "$peak" >"$d/peak"
		sleep 0.02
	done ) &
	sampler=$!
	wrk -t1 -c4 -d6s --latency "$E2E_URL/news" >"$d/wrk-burst.txt" 2>&1 &
	wrkpid=$!
	sleep 0.5
	start=$(date +%s.%N)
	i=0
	while [ $i -lt "$BURST" ]; do
		curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -b "$d/j$i" \
		    --data-urlencode "csrf=$(cat "$d/t$i")" --data-urlencode "email=u$i@bench.pl" \
		    --data-urlencode "password=$PW" "$E2E_URL/login" >"$d/r$i" &
		i=$((i + 1))
	done
	i=0
	while [ $i -lt "$BURST" ]; do
		while [ ! -s "$d/r$i" ]; do sleep 0.05; done
		i=$((i + 1))
	done
	end=$(date +%s.%N)
	touch "$d/done"
	wait "$sampler" 2>/dev/null
	wait "$wrkpid" 2>/dev/null
	cat "$d"/r* | awk '{ print $2 * 1000 }' >"$d/lat"
	echo "argon2_max_parallel = $1, $WORKERS workers, $BURST logins at once:"
	echo "  answers:          $(cat "$d"/r* | awk '{ print $1 }' | sort | uniq -c | awk '{ printf "%s x %s  ", $1, $2 }')"
	printf '  burst took:       %.2f s; login p50 %s ms, p99 %s ms\n' \
	    "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$(pct "$d/lat" 50)" "$(pct "$d/lat" 99)"
	echo "  pool memory:      $((base / 1024)) MiB before, peak $(($(cat "$d/peak") / 1024)) MiB during the burst (sum of RSS)"
	echo "  /news, idle:      $(grep -E '^ +(50|99)%' "$d/wrk-idle.txt" | awk '{ printf "p%s %s  ", $1, $2 }')$(grep Requests/sec "$d/wrk-idle.txt" | awk '{ print $2 " req/s" }')"
	echo "  /news, in burst:  $(grep -E '^ +(50|99)%' "$d/wrk-burst.txt" | awk '{ printf "p%s %s  ", $1, $2 }')$(grep Requests/sec "$d/wrk-burst.txt" | awk '{ print $2 " req/s" }')"
}

run 2
grep -E '^argon2' "$E2E_CONF" || echo "argon2 parameters: the defaults ($("$top_builddir/framuga-admin" config-defaults | grep -E '^argon2_(memory|iter|lanes)' | tr '\n' ' '))"
: >"$E2E_RUNDIR/seq"
i=0
while [ $i -lt 50 ]; do
	j=$E2E_RUNDIR/seqjar
	rm -f "$j"
	t=$(token "$j")
	curl -s -o /dev/null -w '%{time_total}\n' -b "$j" --data-urlencode "csrf=$t" \
	    --data-urlencode "email=u$((i % BURST))@bench.pl" --data-urlencode "password=$PW" \
	    "$E2E_URL/login" | awk '{ print $1 * 1000 }' >>"$E2E_RUNDIR/seq"
	i=$((i + 1))
done
echo "login, one at a time (50): p50 $(pct "$E2E_RUNDIR/seq" 50) ms, p99 $(pct "$E2E_RUNDIR/seq" 99) ms"
burst 2
e2e_stop_nginx; e2e_stop_fcgi
rm -rf "$E2E_RUNDIR"
run 256
burst 256
