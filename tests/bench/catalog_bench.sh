#!/bin/sh
# catalog_bench.sh: the catalogue pages at the ERP benchmark's scale behind
# the real nginx, against the bare libfcgi responder in the same run
# (issue 5; prints figures, never passes or fails on time).
#
#	tests/bench/catalog_bench.sh
#
# Data: oknoerp-sim generates PRODUCTS (50000) products, CUSTOMERS (2000)
# customers, PRICES (1000000) individual prices and WAREHOUSES (5)
# warehouses, and framuga-sync pulls them (one `framuga-sync run` per
# operation, as sync_bench.sh does).  Both take minutes, so the synced
# portal database is cached in CACHE (run/catalog-bench) with the scale it
# was made at, and reused while the scale matches; each run migrates a copy
# (so a newer schema applies on top).
#
# Users: DEALERS (200) buyers (prices.view), each of a different customer
# picked at random, log in through the real login form (argon2 set cheap in
# the bench configuration: logging in is not what is measured); their
# session cookies go into a wrk Lua script that picks one at random for
# every request, so every request prices for a random customer.
#
# Pages (4 workers, wrk -t2 -c32 -d10s after a 2 s warm-up, lang pl):
#   list     /catalog/c/ID: the category with the most visible products,
#            first page of 50 with prices and stock;
#   list-p2  the same category's second page (keyset cursor);
#   search   /catalog/search?q=WORD, WORD at random per request from a few
#            words of product names (common: catalogue order, 50 hits);
#   narrow   the same with rarer words (in 2-600 Polish names);
#   product  /catalog/p/ID, ID at random among 500 visible products;
#   dashboard  /portal, the dealer's dashboard (B1; target 40 % of bare).
# BENCH_PAGES (all of the above) names the pages to measure, e.g.
# BENCH_PAGES=dashboard; the bare responder is always measured.
# Then EXPLAIN QUERY PLAN of every statement the pages ran (the pool
# restarted with log_level = debug, which logs them with their values).
#
# Settings (environment): BENCH_WORKERS (4), BENCH_THREADS (2),
# BENCH_CONNECTIONS (32), BENCH_DURATION (10s), BENCH_WARMUP (2s),
# BENCH_CACHE_KB (result_cache_kb; unset: the default; 0: every page runs
# all its statements, the figures of pages nobody viewed since the last
# change),
# CACHE, DEALERS, E2E_KEEP=1 (keep the run directory).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
SIM=$top_builddir/oknoerp-sim
SYNC=$top_builddir/framuga-sync
ADMIN=$top_builddir/framuga-admin
USER_TOOL=$top_builddir/framuga-user
BARE=$top_builddir/tests/bench/bare-fcgi
PRODUCTS=${PRODUCTS:-50000}
CUSTOMERS=${CUSTOMERS:-2000}
PRICES=${PRICES:-1000000}
WAREHOUSES=${WAREHOUSES:-5}
DEALERS=${DEALERS:-200}
CACHE=${CACHE:-$top_builddir/run/catalog-bench}
: "${BENCH_WORKERS:=4}" "${BENCH_THREADS:=2}" "${BENCH_CONNECTIONS:=32}"
: "${BENCH_DURATION:=10s}" "${BENCH_WARMUP:=2s}"
PW=okno-drzwi-parapet

. "$top_srcdir/tests/e2e/lib.sh"
die() { echo "catalog_bench: $*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk not found (Debian: apt-get install wrk)"
command -v jq >/dev/null || die "jq not found (Debian: apt-get install jq)"
command -v sqlite3 >/dev/null || die "sqlite3 not found"
for b in "$SIM" "$SYNC" "$ADMIN" "$USER_TOOL" "$BARE" "$top_builddir/framuga-fcgi"; do
	[ -x "$b" ] || die "build $b first (make; make check)"
done

# ---- the synced portal database (cached) ------------------------------------

SCALE="$PRODUCTS $CUSTOMERS $PRICES $WAREHOUSES"
prepare() {
	rm -rf "$CACHE"
	mkdir -p "$CACHE/data"
	echo "generating $SCALE (products customers prices warehouses) ..."
	"$SIM" generate --db "$CACHE/sim.db" --products "$PRODUCTS" \
	    --customers "$CUSTOMERS" --individual-prices "$PRICES" \
	    --warehouses "$WAREHOUSES" --orders 0 --seed 1 \
	    >"$CACHE/generate.log" 2>&1 || die "generate: $(tail -3 "$CACHE/generate.log")"
	"$SIM" serve --db "$CACHE/sim.db" --listen 127.0.0.1:0 \
	    --port-file "$CACHE/sim.port" >"$CACHE/sim.log" 2>&1 &
	_sim=$!
	_i=0
	while [ ! -s "$CACHE/sim.port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	cat >"$CACHE/prepare.conf" <<EOC
db_path = $CACHE/portal.db
data_dir = $CACHE/data
erp_url = http://127.0.0.1:$(cat "$CACHE/sim.port")/soap
erp_timeout_s = 120
EOC
	"$ADMIN" -c "$CACHE/prepare.conf" migrate >/dev/null || die "migrate"
	echo "syncing ..."
	for op in rates warehouses categories products customers prices stock; do
		"$SYNC" -c "$CACHE/prepare.conf" run "$op" >>"$CACHE/sync.log" 2>&1 ||
		    { kill "$_sim"; die "framuga-sync run $op: see $CACHE/sync.log"; }
	done
	kill "$_sim"
	wait "$_sim" 2>/dev/null
	sqlite3 "$CACHE/portal.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
	echo "$SCALE" >"$CACHE/portal.scale"
}
[ -f "$CACHE/portal.db" ] && [ "$(cat "$CACHE/portal.scale" 2>/dev/null)" = "$SCALE" ] ||
    prepare
[ "${PREPARE_ONLY:-0}" = 1 ] && exit 0

E2E_WORKERS=$BENCH_WORKERS
E2E_NGINX_WORKERS=auto
E2E_EXTRA_CONFIG="argon2_memory_kib = 8
argon2_iterations = 1
login_ip_free_attempts = 100000${BENCH_CACHE_KB:+
result_cache_kb = $BENCH_CACHE_KB}"
e2e_init catalog-bench
cp "$CACHE/portal.db" "$E2E_DB" || die "copy the database"
e2e_write_config
e2e_migrate
pq() { sqlite3 -batch -noheader -cmd '.timeout 10000' "$E2E_DB" "$1"; }
echo "scale: $(pq "SELECT (SELECT count(*) FROM product) || ' products, ' ||
    (SELECT count(*) FROM customer) || ' customers, ' ||
    (SELECT count(*) FROM price WHERE kind = 'individual') ||
    ' individual prices (' || (SELECT count(*) FROM price) || ' in all), ' ||
    (SELECT count(*) FROM stock) || ' stock rows'")"

# ---- the pages' parameters ----------------------------------------------------

VIS="p.deleted_at IS NULL AND p.active = 1 AND EXISTS (SELECT 1 FROM
    product_visibility v WHERE v.product_id = p.id AND v.lang = 'pl')"
CAT_UUID=$(pq "SELECT p.category_uuid FROM product p WHERE $VIS
    GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
CAT=$(pq "SELECT id FROM category WHERE erp_uuid = '$CAT_UUID'")
NCAT=$(pq "SELECT count(*) FROM product p WHERE $VIS AND p.category_uuid = '$CAT_UUID'")
P2=$(pq "SELECT n.name || char(9) || n.product_id FROM catalog_name n
    JOIN product p ON p.id = n.product_id WHERE n.category_uuid = '$CAT_UUID'
    AND n.lang = 'pl' AND $VIS ORDER BY n.name, n.product_id LIMIT 1 OFFSET 49")
P2_KEY=$(jq -rn --arg s "$(printf '%s' "$P2" | cut -f1)" '$s | @uri' 2>/dev/null ||
    printf '%s' "$P2" | cut -f1 | sed 's/ /%20/g; s/,/%2C/g')
P2_ID=$(printf '%s' "$P2" | cut -f2)
PRODUCT_IDS=$(pq "SELECT p.id FROM product p WHERE $VIS ORDER BY random() LIMIT 500")
# Words of product names (the first word of 8 random names, 4+ letters).
WORDS=$(pq "SELECT lower(substr(name, 1, instr(name || ' ', ' ') - 1)) FROM
    product_text WHERE lang = 'pl' ORDER BY random() LIMIT 200" |
    awk 'length($0) >= 4' | sort -u | head -8)
# Narrow words: words of Polish product names (5+ letters) found in 2 to
# 600 names (the generated names have none rarer than about 330), rarer
# than the common first words above.
NARROW=$(pq "SELECT name FROM product_text WHERE lang = 'pl'" |
    tr -s ' ,.()/' '\n' | awk 'length($0) >= 5 && $0 !~ /[0-9]/' |
    sort | uniq -c | awk '$1 >= 2 && $1 <= 600 { print $2 }' |
    shuf -n 8 --random-source=/dev/zero 2>/dev/null | tr 'A-ZĄĆĘŁŃÓŚŹŻ' 'a-ząćęłńóśźż')
[ -n "$CAT" ] && [ -n "$PRODUCT_IDS" ] && [ -n "$WORDS" ] && [ -n "$NARROW" ] ||
    die "no data to browse"
echo "list: category $CAT with $NCAT visible products; search words:" $WORDS
echo "narrow search words:" $NARROW

# ---- dealers and their sessions -------------------------------------------------

e2e_start_fcgi || die "framuga-fcgi did not start: $(tail -3 "$E2E_FCGI_LOG")"
e2e_start_nginx || die "nginx did not start"
e2e_wait_ready /login 20 || die "no answer: $(tail -3 "$E2E_FCGI_LOG")"
echo "making $DEALERS dealers (a buyer each of a random customer) and logging them in ..."
LUA_COOKIES=$E2E_RUNDIR/cookies.lua
: >"$LUA_COOKIES"
i=0
for code in $(pq "SELECT code FROM customer WHERE deleted_at IS NULL
    ORDER BY random() LIMIT $DEALERS"); do
	echo "$PW" | "$USER_TOOL" -c "$E2E_CONF" add --email "d$i@bench.test" \
	    --name "Dealer $i" --password-stdin --customer "$code" \
	    --role buyer >>"$E2E_RUNDIR/users.log" 2>&1 || die "framuga-user add"
	jar=$E2E_RUNDIR/jar$i
	t=$(curl -s -c "$jar" -b "$jar" "$E2E_URL/login" |
	    sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
	st=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
	    --data-urlencode "csrf=$t" --data-urlencode "email=d$i@bench.test" \
	    --data-urlencode "password=$PW" "$E2E_URL/login")
	[ "$st" = 303 ] || die "login of d$i@bench.test: $st"
	sid=$(awk '$6 == "framuga_sid" { print $7 }' "$jar")
	[ -n "$sid" ] || die "no session cookie for d$i"
	echo "\"framuga_sid=$sid\"," >>"$LUA_COOKIES"
	i=$((i + 1))
done

# lua NAME PATH...: a wrk script sending, for each request, one of the
# PATHs and one of the cookies, both at random.
lua() {
	_f=$E2E_RUNDIR/$1.lua
	shift
	{
		echo "local cookies = {"
		cat "$LUA_COOKIES"
		echo "}"
		echo "local paths = {"
		for _p in "$@"; do echo "\"$_p\","; done
		echo "}"
		cat <<'EOL'
local n = 0
function setup(thread)
	n = n + 1
	thread:set("tid", n)
end
function init(args)
	math.randomseed(os.time() * 100 + (tid or 0))
end
function request()
	return wrk.format("GET", paths[math.random(#paths)],
	    { ["Cookie"] = cookies[math.random(#cookies)] })
end
EOL
	} >"$_f"
	echo "$_f"
}

# measure SCRIPT|- PATH: wrk (a warm-up first); sets RPS P50 P99 ERRORS
measure() {
	_s=
	[ "$1" != - ] && _s="-s $1"
	# shellcheck disable=SC2086
	wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_WARMUP" $_s \
	    "$E2E_URL$2" >/dev/null 2>&1
	# shellcheck disable=SC2086
	wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" \
	    --latency $_s "$E2E_URL$2" >"$E2E_RUNDIR/wrk.out" 2>&1
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
row() {		# PAGE TARGET(%) P99-TARGET(ms) SCRIPT|- PATH (a sample)
	case " ${BENCH_PAGES:-list list-p2 search narrow product dashboard} bare " in
	*" $1 "*) ;; *) return 0 ;; esac
	http_get "$5" -H "Cookie: $(head -1 "$LUA_COOKIES" | tr -d '",')"
	_bytes=$(wc -c <"$HTTP_BODY" | tr -d ' ')
	_rows=$(grep -c 'href="/catalog/p/' "$HTTP_BODY")
	_price=$(grep -c 'price-net' "$HTTP_BODY")
	measure "$4" "$5"
	[ "$1" = bare ] && BARE_RPS=$RPS
	ROWS="$ROWS$1 $HTTP_STATUS $_bytes $_rows $_price $RPS $P50 $P99 $ERRORS $2 $3
"
}

PRODUCT_PATHS=$(for p in $PRODUCT_IDS; do printf '/catalog/p/%s ' "$p"; done)
SEARCH_PATHS=$(for w in $WORDS; do printf '/catalog/search?q=%s ' "$w"; done)
NARROW_PATHS=$(for w in $NARROW; do printf '/catalog/search?q=%s ' "$(jq -rn --arg s "$w" '$s | @uri')"; done)
LIST_LUA=$(lua list "/catalog/c/$CAT")
LIST2_LUA=$(lua list2 "/catalog/c/$CAT?k=$P2_KEY&a=$P2_ID")
# shellcheck disable=SC2086
SEARCH_LUA=$(lua search $SEARCH_PATHS)
# shellcheck disable=SC2086
NARROW_LUA=$(lua narrow $NARROW_PATHS)
# shellcheck disable=SC2086
PRODUCT_LUA=$(lua product $PRODUCT_PATHS)

# ---- (b) the pool, then (a) the bare responder on the same nginx -------------

load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
BARE_RPS=0
row list 40 15 "$LIST_LUA" "/catalog/c/$CAT"
row list-p2 40 15 "$LIST2_LUA" "/catalog/c/$CAT?k=$P2_KEY&a=$P2_ID"
row search 30 20 "$SEARCH_LUA" "/catalog/search?q=$(echo $WORDS | cut -d' ' -f1)"
row narrow 30 20 "$NARROW_LUA" "$(echo $NARROW_PATHS | cut -d' ' -f1)"
row product 30 20 "$PRODUCT_LUA" "$(echo $PRODUCT_PATHS | cut -d' ' -f1)"
row dashboard 40 15 "$(lua dashboard /portal)" /portal
POOL_ROWS=$ROWS
# The workers' peak resident set after the load (VmHWM, KiB).
HWM=$(for w in $(pgrep -P "$E2E_FCGI_PID"); do
	awk '/^VmHWM/ { print $2 }' "/proc/$w/status" 2>/dev/null; done |
    sort -n | tr '\n' ' ')
ROWS=
e2e_stop_fcgi
rm -f "$E2E_SOCKET"
"$BARE" -s "$E2E_SOCKET" -n "$BENCH_WORKERS" >>"$E2E_RUNDIR/bare.log" 2>&1 &
bare_pid=$!
e2e_track "$bare_pid"
e2e_wait_for 5 test -S "$E2E_SOCKET" || die "bare-fcgi did not start"
row bare 100 - - /
kill -TERM "$bare_pid"
e2e_wait_exit "$bare_pid" 5

echo "wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION --latency;" \
    "$BENCH_WORKERS workers; $DEALERS dealers at random per request;" \
    "$(nproc 2>/dev/null || echo '?') CPUs; load before: $load0"
echo "workers' peak RSS after the load (VmHWM, KiB): $HWM"
printf '%s%s' "$ROWS" "$POOL_ROWS" | awk -v bare="$BARE_RPS" '
	function ms(s) {	# wrk latency text -> ms
		if (s ~ /us$/) return substr(s, 1, length(s) - 2) / 1000
		if (s ~ /ms$/) return substr(s, 1, length(s) - 2) + 0
		if (s ~ /s$/) return substr(s, 1, length(s) - 1) * 1000
		return -1
	}
	BEGIN { printf "%-8s %6s %6s %5s %6s %8s %8s %8s %6s %6s  %s\n",
	    "page", "status", "bytes", "rows", "prices", "req/s", "p50",
	    "p99", "%bare", "errors", "target" }
	{ share = bare > 0 ? 100 * $6 / bare : 0
	  verdict = ""
	  if ($1 != "bare") {
		met = "MISSED"
		if (share >= $10 + 0 && ms($8) >= 0 && ms($8) < $11 + 0)
			met = "met"
		verdict = ">= " $10 "%, p99 < " $11 " ms: " met
	  }
	  printf "%-8s %6s %6s %5s %6s %8.0f %8s %8s %5.0f%% %6d  %s\n",
	    $1, $2, $3, $4, $5, $6, $7, $8, share, $9, verdict }'

# ---- EXPLAIN QUERY PLAN of the hot statements ---------------------------------
# The statements the pages really ran, not copies: the pool is restarted
# with log_level = debug (db_trace(): each statement logged with its
# values), with the result cache off so that every statement runs, one
# dealer opens each page once, and SQLite explains every distinct SELECT.

e2e_stop_fcgi
printf 'log_level = debug\nresult_cache_kb = 0\n' >>"$E2E_CONF"
: >"$E2E_FCGI_LOG"
e2e_start_fcgi || die "framuga-fcgi did not restart: $(tail -3 "$E2E_FCGI_LOG")"
e2e_wait_ready /login 20 || die "no answer after the restart"
COOKIE=$(head -1 "$LUA_COOKIES" | tr -d '",')
FC=$(pq "SELECT code FROM catalog_facet WHERE category_uuid = '$CAT_UUID'
    AND lang = 'pl' ORDER BY n DESC LIMIT 1")
FV=$(pq "SELECT value FROM catalog_facet WHERE category_uuid = '$CAT_UUID'
    AND lang = 'pl' AND code = '$FC' ORDER BY n DESC LIMIT 1")
W=$(echo $WORDS | cut -d' ' -f1)
P=$(echo $PRODUCT_IDS | cut -d' ' -f1)
for path in "/catalog/c/$CAT" "/catalog/c/$CAT?sort=code" \
    "/catalog/c/$CAT?f_$FC=$(jq -rn --arg s "$FV" '$s | @uri')" \
    "/catalog/search?q=$W" "/catalog/p/$P" /portal; do
	http_get "$path" -H "Cookie: $COOKIE"
	[ "$HTTP_STATUS" = 200 ] || echo "($path: $HTTP_STATUS)"
done
echo
echo "EXPLAIN QUERY PLAN of every SELECT the pages ran (list, by code,"
echo "filtered, search \"$W\", product $P, dashboard; values as bound):"
sed -n 's/^.* debug: sql: //p' "$E2E_FCGI_LOG" | grep '^SELECT' | awk '!seen[$0]++' |
while IFS= read -r sql; do
	echo
	echo "-- $(printf '%s' "$sql" | cut -c1-150)$([ ${#sql} -gt 150 ] && echo ...)"
	pq "EXPLAIN QUERY PLAN $sql" | sed 's/^/   /'
done
[ "${E2E_KEEP:-0}" = 1 ] && echo "run directory: $E2E_RUNDIR"
exit 0
