#!/bin/bash
# sim_pull.sh: how fast oknoerp-sim generates the full-scale demo store and
# serves the full pull of every entity (figures, never pass/fail).
#
# Scale (override in the environment): SIM_PRODUCTS=50000 SIM_CUSTOMERS=2000
# SIM_INDIVIDUAL=1000000 SIM_WAREHOUSES=5 SIM_ORDERS=2000; SIM_LIMIT=1000
# items a page.  The store is generated into SIM_BENCH_DIR (a temporary
# directory unless given; give one to keep the store between runs and
# skip generation with SIM_REUSE=1).  Each entity is walked page by page
# over one keep-alive connection, following `next` the way a
# client does; the output is one line per entity with
# items, pages, bytes, seconds and items/s, then an incremental figure:
# 1000 price changes drained through GetChanges + AckChanges.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
SIM=${OKNOERP_SIM:-$top_builddir/oknoerp-sim}
P=${SIM_PRODUCTS:-50000}; C=${SIM_CUSTOMERS:-2000}; I=${SIM_INDIVIDUAL:-1000000}
W=${SIM_WAREHOUSES:-5}; O=${SIM_ORDERS:-2000}; LIMIT=${SIM_LIMIT:-1000}
DIR=${SIM_BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/sim_bench.XXXXXX")}
DB=$DIR/sim.db
PID=

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	[ -z "${SIM_BENCH_DIR:-}" ] && rm -rf "$DIR"
}
trap cleanup EXIT

now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }

if [ -z "${SIM_REUSE:-}" ] || [ ! -s "$DB" ]; then
	echo "# generate: $P products, $C customers, $I individual prices, $W warehouses, $O orders"
	t0=$(now)
	"$SIM" generate --db "$DB" --products "$P" --customers "$C" \
	    --individual-prices "$I" --warehouses "$W" --orders "$O" --seed 1 \
	    2>&1 | sed 's/^/#   /'
	echo "generate_seconds $(secs "$t0" "$(now)")"
	echo "store_bytes $(wc -c < "$DB")"
fi

rm -f "$DIR/port"
"$SIM" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$DIR/port" \
    >"$DIR/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do [ -s "$DIR/port" ] && break; sleep 0.05; done
URL=http://127.0.0.1:$(cat "$DIR/port")/soap

req() {	# req OP BODY > response
	curl -s -H "SOAPAction: \"urn:oknoerp:portal:1#$1\"" --data-binary \
	    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:o=\"urn:oknoerp:portal:1\"><soap:Body><o:$1>$2</o:$1></soap:Body></soap:Envelope>" \
	    "$URL"
}

# The walk runs in python3 over one keep-alive connection so that the
# figures are the server's, not a shell's process spawning.
python3 - "$URL" "$LIMIT" <<'PYEOF'
import http.client, re, sys, time, urllib.parse
url, limit = urllib.parse.urlparse(sys.argv[1]), int(sys.argv[2])
conn = http.client.HTTPConnection(url.hostname, url.port)
env = ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
       ' xmlns:o="urn:oknoerp:portal:1"><soap:Body><o:%s><o:after>%s</o:after>'
       '<o:limit>%d</o:limit></o:%s></soap:Body></soap:Envelope>')
nxt = re.compile(rb'<o:next>([^<]*)</o:next>')
print('%-10s %9s %6s %12s %8s %10s %8s' % ('entity', 'items', 'pages', 'bytes',
      'seconds', 'items/s', 'MB/s'))
for op, el in (('GetCategories', 'category'), ('GetCurrencies', 'currency'),
               ('GetWarehouses', 'warehouse'), ('GetRuleSets', 'ruleset'),
               ('GetCustomers', 'customer'), ('GetProducts', 'product'),
               ('GetPrices', 'price'), ('GetStock', 'stock'),
               ('GetOrders', 'order'), ('GetInvoices', 'invoice')):
    after, pages, size, items = '', 0, 0, 0
    tag = ('<o:%s><o:uuid>' % el).encode()
    t0 = time.monotonic()
    while True:
        conn.request('POST', url.path, (env % (op, after, limit, op)).encode(),
                     {'Content-Type': 'text/xml; charset=utf-8',
                      'SOAPAction': '"urn:oknoerp:portal:1#%s"' % op})
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            sys.exit('%s: HTTP %d' % (op, r.status))
        pages += 1
        size += len(body)
        items += body.count(tag)
        m = nxt.search(body)
        after = m.group(1).decode() if m else ''
        if not after:
            break
    t = time.monotonic() - t0
    print('%-10s %9d %6d %12d %8.2f %10.0f %8.1f' % (el, items, pages, size, t,
          items / t if t else 0, size / t / 1e6 if t else 0))
PYEOF

# incremental: 1000 changed prices, drained and acked in pages of 1000
"$SIM" op --db "$DB" bulk-price --count 1000 --percent 3 >/dev/null
t0=$(now)
n=0
while :; do
	req GetChanges "<o:entity>price</o:entity><o:limit>$LIMIT</o:limit>" > "$DIR/page"
	seqs=$(grep -o '<o:seq>[0-9]*</o:seq>' "$DIR/page" | tr -d '\n')
	[ -z "$seqs" ] && break
	n=$((n + $(echo "$seqs" | grep -o '<o:seq>' | wc -l)))
	req AckChanges "<o:entity>price</o:entity>$seqs" > /dev/null
done
echo "changes_1000: drained $n price changes in $(secs "$t0" "$(now)") s"
