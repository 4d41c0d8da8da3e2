#!/bin/sh
# profile_page.sh: where one page's instructions go, at the catalogue
# benchmark's scale (a tool for speed work, not a test).
#
#	tests/bench/profile_page.sh PATH [PATH ...]
#
# Takes the database catalog_bench.sh cached (run it once first), logs in
# one dealer (a buyer of the customer with the most individual prices, or
# CUSTOMER=code), then runs framuga-fcgi with one worker under callgrind,
# counting only inside app_handle() (a request, without the pool's loop or
# the start), sends N (200) requests of each PATH in turn, and prints the
# instructions per request and the top of callgrind_annotate (inclusive).  The output file stays in the run
# directory for kcachegrind.  BENCH_CACHE_KB=0 turns the result cache off
# (the cost of a page's first view after a change).  Instructions, unlike req/s, do not depend on
# what else the machine is doing, so a change can be judged on a busy box.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
CACHE=${CACHE:-$top_builddir/run/catalog-bench}
N=${N:-200}
PW=okno-drzwi-parapet

. "$top_srcdir/tests/e2e/lib.sh"
die() { echo "profile_page: $*" >&2; exit 1; }
[ $# -ge 1 ] || die "usage: profile_page.sh PATH [PATH ...]"
[ -s "$CACHE/portal.db" ] || die "no $CACHE/portal.db: run tests/bench/catalog_bench.sh once"
command -v valgrind >/dev/null || die "valgrind not found"

E2E_WORKERS=1
E2E_EXTRA_CONFIG="argon2_memory_kib = 8
argon2_iterations = 1
max_requests = 0${BENCH_CACHE_KB:+
result_cache_kb = $BENCH_CACHE_KB}"
e2e_init profile
cp "$CACHE/portal.db" "$E2E_DB" || die "copy the database"
e2e_write_config
e2e_migrate
pq() { sqlite3 -batch -noheader -cmd '.timeout 10000' "$E2E_DB" "$1"; }

code=${CUSTOMER:-$(pq "SELECT c.code FROM price p JOIN customer c ON
    c.id = p.customer_id WHERE p.kind = 'individual' GROUP BY c.id
    ORDER BY count(*) DESC LIMIT 1")}
echo "$PW" | "$top_builddir/framuga-user" -c "$E2E_CONF" add \
    --email prof@bench.test --name Profile --password-stdin \
    --customer "$code" --role buyer \
    >>"$E2E_RUNDIR/users.log" 2>&1 || die "framuga-user add"

# The real pool under callgrind: one worker, so one profile.
E2E_FCGI_REAL=${E2E_FCGI:-$top_builddir/framuga-fcgi}
cat >"$E2E_RUNDIR/fcgi-cg" <<EOF
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$E2E_RUNDIR/cg.%p \
    --dump-instr=no --toggle-collect=app_handle "$E2E_FCGI_REAL" "\$@"
EOF
chmod +x "$E2E_RUNDIR/fcgi-cg"
E2E_FCGI=$E2E_RUNDIR/fcgi-cg
e2e_start_fcgi || die "framuga-fcgi did not start: $(tail -3 "$E2E_FCGI_LOG")"
e2e_start_nginx || die "nginx did not start"
e2e_wait_ready /login 60 || die "no answer: $(tail -3 "$E2E_FCGI_LOG")"

jar=$E2E_RUNDIR/jar
t=$(curl -s -c "$jar" -b "$jar" "$E2E_URL/login" |
    sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
st=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
    --data-urlencode "csrf=$t" --data-urlencode "email=prof@bench.test" \
    --data-urlencode "password=$PW" "$E2E_URL/login")
[ "$st" = 303 ] || die "login: $st"

hit() {		# COUNT: every PATH COUNT times
	_i=0
	while [ "$_i" -lt "$1" ]; do
		for _p in $PATHS; do
			curl -s -o /dev/null -b "$jar" "$E2E_URL$_p" ||
			    die "request $_p"
		done
		_i=$((_i + 1))
	done
}
PATHS=$*
for _p in $PATHS; do
	s=$(curl -s -o "$E2E_RUNDIR/sample.html" -w '%{http_code}' -b "$jar" "$E2E_URL$_p")
	echo "$_p: $s, $(wc -c <"$E2E_RUNDIR/sample.html") bytes," \
	    "$(grep -c 'price-net' "$E2E_RUNDIR/sample.html") prices"
done
# The worker is the callgrind process whose parent is the master.
worker=$(pgrep -P "$E2E_FCGI_PID" | head -1)
[ -n "$worker" ] || die "no worker"
hit "$N"
# The worker writes its profile as it exits.
e2e_stop_fcgi
out=$E2E_RUNDIR/cg.$worker
[ -s "$out" ] || die "no profile $out"
total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(/,/, "", $1); print $1; exit }')
# requests counted: the samples above, then N of each PATH
nreq=$(( (N + 1) * $# ))
echo "instructions per request: $((total / nreq)) ($nreq requests)"
callgrind_annotate --inclusive=yes "$out" 2>/dev/null | sed -n '/^Ir/,$p' | head -${TOP:-45}
echo "profile: $out"
E2E_KEEP=1
