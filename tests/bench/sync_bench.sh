#!/bin/sh
# sync_bench.sh: framuga-sync at scale against oknoerp-sim (prints figures;
# not a pass/fail test).
#
#	tests/bench/sync_bench.sh [DIR]
#
# Scale (environment): PRODUCTS (50000), CUSTOMERS (2000), PRICES
# (1000000 individual prices), WAREHOUSES (5; stock = products x
# warehouses).  DIR keeps the simulator's store between runs (generating
# the full scale takes about a minute); default a fresh temporary
# directory, removed at the end unless KEEP=1.
#
# It measures, in one run on this machine:
#  1. the full sync (each list's full pull, one `framuga-sync run` per
#     operation): wall time, rows written, framuga-sync's peak RSS (the
#     highest of the runs, /usr/bin/time's maximum resident set size);
#  2. a bare SQLite upsert loop over the same rows (sync_bare_upsert: the
#     same schema, statements, look-ups, pragmas and batch size, no ERP,
#     HTTP, XML or sync logic): rows/s, and the sync's rate as a share of
#     it, over the tables both write (products, customers, prices, stock);
#  3. incremental runs carrying 100, 1000 and 5000 changed prices, and the
#     same 1000 changes against a catalogue a tenth the size: the cost
#     follows the number of changes, not the catalogue;
#  4. the simulator's side: the time it takes to serve the full price list
#     page by page (curl, no parsing).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
SIM=$top_builddir/oknoerp-sim
SYNC=$top_builddir/framuga-sync
ADMIN=$top_builddir/framuga-admin
BARE=$top_builddir/tests/bench/sync_bare_upsert
PRODUCTS=${PRODUCTS:-50000}
CUSTOMERS=${CUSTOMERS:-2000}
PRICES=${PRICES:-1000000}
WAREHOUSES=${WAREHOUSES:-5}
TIME=/usr/bin/time

for b in "$SIM" "$SYNC" "$ADMIN" "$BARE"; do
	[ -x "$b" ] || { echo "sync_bench: build $b first (make check)" >&2; exit 1; }
done
[ -x "$TIME" ] || { echo "sync_bench: needs $TIME (Debian: time)" >&2; exit 1; }
if [ $# -gt 0 ]; then
	DIR=$1
	mkdir -p "$DIR"
else
	DIR=$(mktemp -d "${TMPDIR:-/tmp}/sync-bench.XXXXXX")
fi
DIR=$(cd "$DIR" && pwd)
SIMPID=
cleanup() {
	[ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null
	[ $# -eq 0 ] && [ "${KEEP:-0}" != 1 ] && rm -rf "$DIR/portal" "$DIR/bare"
}
trap cleanup EXIT

# generate DB PRODUCTS CUSTOMERS PRICES WAREHOUSES (kept if the scale matches)
generate() {
	_db=$1 _scale="$2 $3 $4 $5"
	if [ -f "$_db" ] && [ "$(cat "$_db.scale" 2>/dev/null)" = "$_scale" ]; then
		return 0
	fi
	rm -f "$_db" "$_db-wal" "$_db-shm"
	echo "generating $2 products, $3 customers, $4 individual prices, $5 warehouses ..."
	"$SIM" generate --db "$_db" --products "$2" --customers "$3" \
	    --individual-prices "$4" --warehouses "$5" --seed 1 >"$_db.log" 2>&1 ||
	    { cat "$_db.log"; exit 1; }
	echo "$_scale" >"$_db.scale"
}

# start_sim DB: serve it on a free port; sets URL
start_sim() {
	[ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null && wait "$SIMPID" 2>/dev/null
	rm -f "$DIR/sim.port"
	"$SIM" serve --db "$1" --listen 127.0.0.1:0 --port-file "$DIR/sim.port" \
	    >"$DIR/sim.log" 2>&1 &
	SIMPID=$!
	_i=0
	while [ ! -s "$DIR/sim.port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	URL=http://127.0.0.1:$(cat "$DIR/sim.port")/soap
}

# portal NAME: a fresh portal database and its configuration (CONF, PDB)
portal() {
	rm -rf "$DIR/$1"
	mkdir -p "$DIR/$1/data"
	PDB=$DIR/$1/portal.db
	CONF=$DIR/$1/framuga.conf
	cat >"$CONF" <<EOC
db_path = $PDB
data_dir = $DIR/$1/data
erp_url = $URL
erp_timeout_s = 60
EOC
	"$ADMIN" -c "$CONF" migrate >/dev/null || exit 1
}

# calc EXPR: arithmetic with fractions (awk; no bc needed)
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

# timed OP...: framuga-sync run; adds to ELAPSED, raises PEAK (KiB)
timed() {
	"$TIME" -f '%e %M' -o "$DIR/time.out" "$SYNC" -c "$CONF" run "$@" \
	    >>"$DIR/sync.log" 2>&1 || echo "  (framuga-sync run $* failed: see $DIR/sync.log)"
	# the last line: GNU time puts "Command exited ..." before it
	read -r _e _m <<EOT
$(tail -1 "$DIR/time.out")
EOT
	LAST=$_e LAST_RSS=$_m
	ELAPSED=$(calc "$ELAPSED + $_e")
	[ "$_m" -gt "$PEAK" ] && PEAK=$_m
	return 0
}

rows_of() {
	sqlite3 "$PDB" "SELECT ifnull(sum(upserted), 0) FROM sync_run WHERE
	    operation IN ($1)"
}

generate "$DIR/sim.db" "$PRODUCTS" "$CUSTOMERS" "$PRICES" "$WAREHOUSES"
start_sim "$DIR/sim.db"
portal portal
echo "scale: $(sqlite3 "$DIR/sim.db" "SELECT (SELECT count(*) FROM product)
    || ' products, ' || (SELECT count(*) FROM customer) || ' customers, '
    || (SELECT count(*) FROM price) || ' prices, ' || (SELECT count(*) FROM stock)
    || ' stock rows'")"

# ---- 1. the full sync ----------------------------------------------------------
echo "full sync (one run per operation; seconds, rows written, peak RSS):"
ELAPSED=0 PEAK=0
CORE=0
for op in rates warehouses categories products customers prices stock \
    rulesets orders invoices; do
	timed "$op"
	case $op in products|customers|prices|stock)
		CORE=$(calc "$CORE + $LAST") ;; esac
	printf '  %-11s %8.2f s %9s rows, peak RSS %6d KiB\n' "$op" "$LAST" \
	    "$(rows_of "'$op'")" "$LAST_RSS"
done
SYNC_ROWS=$(rows_of "'products', 'customers', 'prices', 'stock'")
ALL_ROWS=$(rows_of "'rates', 'warehouses', 'categories', 'products',
    'customers', 'prices', 'stock', 'rulesets', 'orders', 'invoices'")
FULL_ELAPSED=$ELAPSED FULL_PEAK=$PEAK
printf '  total       %8.2f s %9s rows, peak RSS %d KiB (%.1f MiB)\n' \
    "$ELAPSED" "$ALL_ROWS" "$PEAK" "$(calc "$PEAK / 1024")"
wc -c "$PDB" | awk '{ printf "  portal database: %.0f MiB\n", $1 / 1048576 }'

# ---- 2. the bare loop ------------------------------------------------------------
portal bare
"$TIME" -f '%e %M' -o "$DIR/time.out" "$BARE" "$PDB" "$DIR/sim.db" 1000 \
    >"$DIR/bare.out" || exit 1
read -r BARE_E BARE_M <<EOT
$(tail -1 "$DIR/time.out")
EOT
BARE_ROWS=$(awk '$1 == "total" { print $2 }' "$DIR/bare.out")
BARE_T=$(awk '$1 == "total" { print $3 }' "$DIR/bare.out")
echo "bare SQLite upsert loop over the same rows:"
awk '$1 != "total" { printf "  %-11s %8.2f s %9d rows\n", $1, $3, $2 }' "$DIR/bare.out"
BARE_RATE=$(calc "$BARE_ROWS / $BARE_T")
SYNC_RATE=$(calc "$SYNC_ROWS / $CORE")
printf '  bare: %d rows in %.2f s = %.0f rows/s (peak RSS %d KiB)\n' \
    "$BARE_ROWS" "$BARE_T" "$BARE_RATE" "$BARE_M"
printf '  sync: %d rows in %.2f s = %.0f rows/s end to end (same tables)\n' \
    "$SYNC_ROWS" "$CORE" "$SYNC_RATE"
printf '  sync / bare = %.0f %% (target >= 40 %%)\n' \
    "$(calc "100 * $SYNC_RATE / $BARE_RATE")"

# ---- 3. incremental ----------------------------------------------------------------
echo "incremental (framuga-sync run prices, process start to exit):"
CONF_BIG=$CONF PDB_BIG=$PDB
portal_back() { CONF=$DIR/portal/framuga.conf PDB=$DIR/portal/portal.db; }
portal_back
for n in 100 1000 5000; do
	"$SIM" op --db "$DIR/sim.db" bulk-price --count "$n" --percent 3 >/dev/null
	ELAPSED=0 PEAK=0
	timed prices
	printf '  %5d changes, %d prices held: %6.2f s, %s rows written, peak RSS %d KiB\n' \
	    "$n" "$(sqlite3 "$PDB" "SELECT count(*) FROM price")" "$LAST" \
	    "$(sqlite3 "$PDB" "SELECT upserted FROM sync_run ORDER BY id DESC LIMIT 1")" "$PEAK"
done
# the same 1000 changes, a catalogue a tenth the size
generate "$DIR/small.db" $((PRODUCTS / 10)) $((CUSTOMERS / 10)) $((PRICES / 10)) "$WAREHOUSES"
start_sim "$DIR/small.db"
portal small
for op in rates warehouses categories products customers prices; do
	timed "$op"
done
"$SIM" op --db "$DIR/small.db" bulk-price --count 1000 --percent 3 >/dev/null
timed prices
printf '  %5d changes, %d prices held: %6.2f s (a tenth of the catalogue)\n' \
    1000 "$(sqlite3 "$PDB" "SELECT count(*) FROM price")" "$LAST"

# ---- 4. the simulator's side ----------------------------------------------------------
start_sim "$DIR/sim.db"
echo "the simulator serving the full price list (curl, pages of 1000):"
after= pages=0 total=0
t0=$(date +%s.%N)
while :; do
	curl -s -o "$DIR/page.xml" -w '%{time_total}\n' -H 'Content-Type: text/xml' \
	    -H 'SOAPAction: "urn:oknoerp:portal:1#GetPrices"' --data-binary \
	    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:o=\"urn:oknoerp:portal:1\"><soap:Body><o:GetPrices><o:after>$after</o:after><o:limit>1000</o:limit></o:GetPrices></soap:Body></soap:Envelope>" \
	    "$URL" >>"$DIR/curl.times" || break
	pages=$((pages + 1))
	after=$(sed -n 's|.*<o:next>\([^<]*\)</o:next>.*|\1|p' "$DIR/page.xml" | head -1)
	[ -n "$after" ] || break
done
t1=$(date +%s.%N)
printf '  %d pages in %.2f s (%.2f s inside curl, %.1f MB of XML)\n' "$pages" \
    "$(calc "$t1 - $t0")" "$(awk '{ s += $1 } END { print s }' "$DIR/curl.times")" \
    "$(calc "$(wc -c <"$DIR/page.xml") * $pages / 1000000")"
printf 'summary: full sync %.1f s, %d rows; peak RSS %.1f MiB; sync/bare %.0f %%\n' \
    "$FULL_ELAPSED" "$ALL_ROWS" "$(calc "$FULL_PEAK / 1024")" \
    "$(calc "100 * $SYNC_RATE / $BARE_RATE")"
