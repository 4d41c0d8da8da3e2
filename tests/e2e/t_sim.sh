#!/bin/bash
# t_sim.sh: end-to-end tests of oknoerp-sim over real HTTP (TAP).
#
# Generates a small deterministic store, starts the simulator on a free
# loopback port (it binds port 0 and writes the port it got to a file),
# and drives it with curl: every operation answers well-formed SOAP (and,
# when xmllint is there, valid against the WSDL's schema); keyset paging
# walks every item exactly once; change queues coalesce, redeliver until
# acked, and ack only what they should; CreateOrder and CreateCustomer are
# idempotent on external_ref; operator verbs reach the queues; each fault
# knob does what it says; DOCTYPE/entity requests are refused; auth holds.
# XML is checked with python3 (xml.etree, which refuses nothing we send it
# but reports any malformation).
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
SIM=${OKNOERP_SIM:-$top_builddir/oknoerp-sim}
WSDL=$top_srcdir/doc/oknoerp/oknoerp.wsdl
T=$(mktemp -d "${TMPDIR:-/tmp}/t_sim.XXXXXX")
DB=$T/sim.db
PID=
PID2=

n=0 failed=0
ok()   { n=$((n+1)); echo "ok $n - $1"; }
nok()  { n=$((n+1)); failed=$((failed+1)); echo "not ok $n - $1"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
is()   { if [ "$1" = "$2" ]; then ok "$3"; else nok "$3"; echo "#   got '$1', want '$2'"; fi; }
skip() { n=$((n+1)); echo "ok $n - $1 # SKIP $2"; }

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	[ -n "$PID2" ] && kill "$PID2" 2>/dev/null
	wait 2>/dev/null
	if [ "$failed" -eq 0 ] && [ -z "${T_SIM_KEEP:-}" ]; then
		rm -rf "$T"
	else
		echo "# kept $T"
	fi
}
trap cleanup EXIT

if [ ! -x "$SIM" ]; then
	echo "1..0 # SKIP oknoerp-sim not built"
	exit 0
fi
for tool in curl python3; do
	command -v $tool >/dev/null || { echo "1..0 # SKIP no $tool"; exit 0; }
done

# start DBFILE PORTFILE [auth args]: start a server, echo its pid
start() {
	local db=$1 pf=$2
	shift 2
	rm -f "$pf"
	"$SIM" serve --db "$db" --listen 127.0.0.1:0 --port-file "$pf" "$@" \
	    >>"$T/server.log" 2>&1 &
	local p=$!
	for _ in $(seq 1 100); do
		[ -s "$pf" ] && break
		sleep 0.05
	done
	echo $p
}

URL=
USERPW=portal:s3cret
# soap OP BODY [curl args...]: response body in $T/out, HTTP status in $CODE
soap() {
	local op=$1 body=$2
	shift 2
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:o="urn:oknoerp:portal:1"><soap:Body><o:%s>%s</o:%s></soap:Body></soap:Envelope>' \
	    "$op" "$body" "$op" > "$T/req"
	CODE=$(curl -s -o "$T/out" -w '%{http_code}' -u "$USERPW" \
	    -H 'Content-Type: text/xml; charset=utf-8' \
	    -H "SOAPAction: \"urn:oknoerp:portal:1#$op\"" \
	    --data-binary @"$T/req" "$@" "$URL/soap")
	CURL_RC=$?
}
# raw FILE [curl args]: post a file as is
raw() {
	local f=$1
	shift
	CODE=$(curl -s -o "$T/out" -w '%{http_code}' -u "$USERPW" \
	    -H 'Content-Type: text/xml; charset=utf-8' \
	    --data-binary @"$f" "$@" "$URL/soap")
	CURL_RC=$?
}
wellformed() { python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "${1:-$T/out}" 2>/dev/null; }
# xq EXPR: evaluate a python expression over the response's elements;
# helpers: t(name) first text, ts(name) all texts, n(name) count
xq() {
	python3 - "$T/out" "$1" <<'EOF'
import sys, xml.etree.ElementTree as E
NS = '{urn:oknoerp:portal:1}'
root = E.parse(sys.argv[1]).getroot()
def ts(name): return [(e.text or '') for e in root.iter(NS + name)]
def t(name):
    v = ts(name)
    return v[0] if v else ''
def n(name): return len(ts(name))
def recs(name): return list(root.iter(NS + name))
print(eval(sys.argv[2]))
EOF
}
fault_code() { xq "t('code')"; }

# ---------------------------------------------------------------------
# data
"$SIM" generate --db "$DB" --products 300 --customers 30 \
    --individual-prices 3000 --warehouses 3 --orders 20 --seed 5 \
    2>"$T/gen.log"
check "generate makes a store" test -s "$DB"
"$SIM" generate --db "$T/same.db" --products 300 --customers 30 \
    --individual-prices 3000 --warehouses 3 --orders 20 --seed 5 \
    2>/dev/null
"$SIM" generate --db "$T/other.db" --products 300 --customers 30 \
    --individual-prices 3000 --warehouses 3 --orders 20 --seed 6 \
    2>/dev/null

PID=$(start "$DB" "$T/port" --user portal --password s3cret)
check "server starts and reports its port" test -s "$T/port"
URL=http://127.0.0.1:$(cat "$T/port")

# ---------------------------------------------------------------------
# every operation answers well-formed SOAP
soap Ping ''
is "$CODE" 200 "Ping answers 200"
check "Ping is well-formed" wellformed
is "$(xq "t('version')")" 1 "Ping says contract version 1"

declare -A ELEM=([GetCategories]=category [GetProducts]=product
    [GetPrices]=price [GetCurrencies]=currency [GetWarehouses]=warehouse
    [GetStock]=stock [GetCustomers]=customer [GetRuleSets]=ruleset
    [GetOrders]=order [GetInvoices]=invoice)
XSD=
if command -v xmllint >/dev/null; then
	XSD=$T/oknoerp.xsd
	python3 - "$WSDL" "$XSD" <<'EOF'
import re, sys
s = open(sys.argv[1], encoding='utf-8').read()
m = re.search(r'(<xs:schema .*?</xs:schema>)', s, re.S)
x = m.group(1).replace('<xs:schema ', '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:o="urn:oknoerp:portal:1" ', 1)
open(sys.argv[2], 'w', encoding='utf-8').write('<?xml version="1.0"?>\n' + x)
EOF
fi
# body-of-envelope, as its own document, for the schema check
bodydoc() {
	python3 - "$T/out" "$T/body.xml" <<'EOF'
import sys, xml.etree.ElementTree as E
E.register_namespace('o', 'urn:oknoerp:portal:1')
root = E.parse(sys.argv[1]).getroot()
body = root.find('{http://schemas.xmlsoap.org/soap/envelope/}Body')
E.ElementTree(list(body)[0]).write(sys.argv[2], encoding='utf-8', xml_declaration=True)
EOF
}
valid() {
	[ -z "$XSD" ] && return 0
	bodydoc && xmllint --noout --schema "$XSD" "$T/body.xml" 2>"$T/xsd.err"
}
for op in GetCategories GetProducts GetPrices GetCurrencies GetWarehouses \
    GetStock GetCustomers GetRuleSets GetOrders GetInvoices; do
	soap $op '<o:after/><o:limit>200</o:limit>'
	if [ "$CODE" = 200 ] && wellformed && [ "$(xq "n('${ELEM[$op]}') > 0")" = True ]; then
		ok "$op answers well-formed SOAP with ${ELEM[$op]} records"
	else
		nok "$op answers well-formed SOAP with ${ELEM[$op]} records"
	fi
	if [ -n "$XSD" ]; then
		check "$op response is valid against the WSDL schema" valid
	else
		skip "$op response is valid against the WSDL schema" "no xmllint"
	fi
done
cp "$T/out" "$T/invoices.xml"

# ---------------------------------------------------------------------
# paging: every item exactly once, in uuid order, total matches
walk() {	# walk OP ELEM LIMIT [extra body]: prints uuids, one a line
	local op=$1 el=$2 lim=$3 extra=${4:-} after= pages=0
	: > "$T/walk"
	while :; do
		soap $op "<o:after>$after</o:after><o:limit>$lim</o:limit>$extra"
		[ "$CODE" = 200 ] || { echo "bad page" >>"$T/walk"; break; }
		# one parse per page: total, next, then the uuids
		xq "'\n'.join([t('total'), t('next') or '-'] + [r.find('{urn:oknoerp:portal:1}uuid').text for r in recs('$el')])" \
		    > "$T/page"
		WALK_TOTAL=$(sed -n 1p "$T/page")
		after=$(sed -n 2p "$T/page"); [ "$after" = - ] && after=
		sed '1,2d;/^$/d' "$T/page" >> "$T/walk"
		pages=$((pages+1))
		[ -z "$after" ] && break
		[ $pages -gt 10000 ] && break
	done
	WALK_PAGES=$pages
}
walk GetProducts product 7
is "$(wc -l < "$T/walk")" 300 "a products walk with limit 7 sees 300 items"
is "$(sort -u "$T/walk" | wc -l)" 300 "... each exactly once"
check "... in ascending uuid order" sh -c "LC_ALL=C sort -c '$T/walk'"
is "$WALK_TOTAL" 300 "... and total says 300"
is "$WALK_PAGES" 43 "... in ceil(300/7) = 43 pages"

walk GetPrices price 1000
NPRICES=$(wc -l < "$T/walk")
is "$(sort -u "$T/walk" | wc -l)" "$WALK_TOTAL" "a prices walk sees every price once ($NPRICES)"
walk GetPrices price 500 '<o:kind>customer</o:kind>'
is "$(wc -l < "$T/walk")" 3000 "a walk filtered by kind=customer sees the 3000 individual prices"
is "$WALK_TOTAL" 3000 "... and total counts the filtered list"
soap GetPrices '<o:limit>5000</o:limit>'
is "$(xq "n('price')")" 1000 "limit above 1000 is clamped to 1000"
soap GetPrices '<o:limit>0</o:limit>'
is "$(xq "n('price')")" 100 "limit 0 means 100"
soap GetWarehouses '<o:limit>100</o:limit>'
WH=$(xq "t('uuid')")
walk GetStock stock 250 "<o:warehouse>$WH</o:warehouse>"
is "$(wc -l < "$T/walk")" 298 "a stock walk for one warehouse sees one row per stock product"
soap GetProducts '<o:after>not-a-uuid</o:after>'
is "$(fault_code)" VALIDATION "a bad after is a VALIDATION fault"

# determinism: the same seed gives the same data, another seed does not
PID2=$(start "$T/same.db" "$T/port2")
URL2=http://127.0.0.1:$(cat "$T/port2")
pull_all() {	# pull_all URL OUT
	local u=$URL
	URL=$1
	walk GetCustomers customer 1000
	cp "$T/walk" "$2"
	soap GetProducts '<o:limit>50</o:limit>'
	cat "$T/out" >> "$2"
	URL=$u
}
pull_all "$URL" "$T/a.txt"
pull_all "$URL2" "$T/b.txt"
check "the same seed generates the same data" cmp -s "$T/a.txt" "$T/b.txt"
kill "$PID2"
PID2=$(start "$T/other.db" "$T/port2")
pull_all "http://127.0.0.1:$(cat "$T/port2")" "$T/c.txt"
check "another seed generates other data" sh -c "! cmp -s '$T/a.txt' '$T/c.txt'"
kill "$PID2"; PID2=

# NIPs of Polish customers pass the checksum, foreign ones carry a prefix
soap GetCustomers '<o:limit>1000</o:limit>'
is "$(xq "all((lambda d: len(d)==10 and d.isdigit() and sum(int(a)*b for a,b in zip(d,[6,5,7,2,3,4,5,6,7])) % 11 == int(d[9]))(x) or x[:2].isalpha() for x in ts('nip'))")" True \
    "every generated NIP is valid (checksum) or an EU VAT number"
is "$(xq "sorted(set(ts('group'))) == ['A','B','C']")" True "customers fall in groups A, B and C"
CUST=$(xq "[r.find('{urn:oknoerp:portal:1}uuid').text for r in recs('customer') if r.find('{urn:oknoerp:portal:1}active').text == 'true'][0]")
CCODE=$(xq "[r.find('{urn:oknoerp:portal:1}code').text for r in recs('customer') if r.find('{urn:oknoerp:portal:1}uuid').text == '$CUST'][0]")

soap GetRuleSets ''
is "$(xq "[r.text for r in recs('row') if r.get('h') == '800'][0].split()[0]")" 35400 \
    "the RU1 grid prices 600x800 at 354 PLN (WINDOWS.md)"
is "$(xq "[r.text for r in recs('row') if r.get('h') == '1400'][1].split()[3]")" 105200 \
    "the RU_RU_POST grid prices 1600x1400 at 1052 PLN"
is "$(xq "sorted(set(c.find('{urn:oknoerp:portal:1}id').text for c in recs('constraint')))")" \
    "['R1', 'R10', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'R9']" "the rule set carries R1-R10"
RS=$(xq "t('uuid')")

# ---------------------------------------------------------------------
# files
soap GetProducts '<o:limit>50</o:limit>'
FILE=$(xq "[p.find('{urn:oknoerp:portal:1}uuid').text for p in recs('file')][0]")
FSHA=$(xq "[p.find('{urn:oknoerp:portal:1}sha256').text for p in recs('file')][0]")
PROD=$(xq "[r.find('{urn:oknoerp:portal:1}uuid').text for r in recs('product') if r.find('{urn:oknoerp:portal:1}ruleset_code').text is None and r.find('{urn:oknoerp:portal:1}active').text == 'true'][0]")
PCODE=$(xq "[r.find('{urn:oknoerp:portal:1}code').text for r in recs('product') if r.find('{urn:oknoerp:portal:1}uuid').text == '$PROD'][0]")
soap GetFile "<o:uuid>$FILE</o:uuid>"
xq "t('content')" | base64 -d > "$T/file.bin"
is "$(sha256sum < "$T/file.bin" | cut -c1-64)" "$FSHA" "GetFile content matches the sha256 the product lists"
check "... and it is a PDF datasheet" grep -q '^%PDF-1.4' "$T/file.bin"
soap GetFile "<o:uuid>00000000-0000-4000-8000-000000000000</o:uuid>"
is "$(fault_code)" NOT_FOUND "GetFile of an unknown uuid is NOT_FOUND"

# ---------------------------------------------------------------------
# change queues
soap GetChanges '<o:entity>price</o:entity>'
is "$(xq "t('total')")" 0 "queues start empty after generate"
"$SIM" op --db "$DB" set-price --product "$PCODE" --amount 12399 >"$T/op.out"
PRICE=$(awk '/^price /{print $2}' "$T/op.out")
soap GetChanges '<o:entity>price</o:entity>'
is "$(xq "(t('total'), n('change'), t('kind'), t('amount'), t('uuid'))")" \
    "('1', 1, 'upsert', '12399', '$PRICE')" "set-price queues one upsert carrying the record"
SEQ1=$(xq "t('seq')")
soap GetChanges '<o:entity>price</o:entity>'
is "$(xq "t('seq')")" "$SEQ1" "an unacked change comes back (at least once)"
"$SIM" op --db "$DB" set-price --product "$PCODE" --amount 12499 >/dev/null
soap GetChanges '<o:entity>price</o:entity>'
SEQ2=$(xq "t('seq')")
is "$(xq "(t('total'), t('amount'))")" "('1', '12499')" "a second change of the record coalesces into one entry with the current state"
check "... under a higher seq" test "$SEQ2" -gt "$SEQ1"
soap AckChanges "<o:entity>price</o:entity><o:seq>$SEQ1</o:seq>"
is "$(xq "t('acked')")" 0 "acking the superseded seq removes nothing"
soap AckChanges "<o:entity>product</o:entity><o:seq>$SEQ2</o:seq>"
is "$(xq "t('acked')")" 0 "acking a seq under another entity removes nothing"
soap GetChanges '<o:entity>price</o:entity>'
is "$(xq "t('total')")" 1 "... and the change is still queued"
soap AckChanges "<o:entity>price</o:entity><o:seq>$SEQ2</o:seq>"
is "$(xq "t('acked')")" 1 "acking the current seq removes it"
soap AckChanges "<o:entity>price</o:entity><o:seq>$SEQ2</o:seq>"
is "$(xq "t('acked')")" 0 "acking it again is harmless"
soap GetChanges '<o:entity>price</o:entity>'
is "$(xq "t('total')")" 0 "the price queue is empty"
soap GetChanges '<o:entity>bogus</o:entity>'
is "$(fault_code)" VALIDATION "an unknown entity is a VALIDATION fault"

"$SIM" op --db "$DB" bulk-price --count 25 >/dev/null
soap GetChanges '<o:entity>price</o:entity><o:limit>10</o:limit>'
is "$(xq "(t('total'), n('change'))")" "('25', 10)" "GetChanges pages by limit, total is the backlog"
is "$(xq "ts('seq') == sorted(ts('seq'), key=int)")" True "entries come oldest first"
SEQS=$(xq "''.join('<o:seq>%s</o:seq>' % s for s in ts('seq'))")
soap AckChanges "<o:entity>price</o:entity>$SEQS"
is "$(xq "t('acked')")" 10 "a page is acked in one call"
soap GetChanges '<o:entity>price</o:entity><o:limit>1000</o:limit>'
is "$(xq "t('total')")" 15 "the rest is still queued"
SEQS=$(xq "''.join('<o:seq>%s</o:seq>' % s for s in ts('seq'))")
soap AckChanges "<o:entity>price</o:entity>$SEQS"

"$SIM" op --db "$DB" set-rate --currency EUR --rate 4.3125 >/dev/null
soap GetChanges '<o:entity>currency</o:entity>'
is "$(xq "(t('code'), t('rate'))")" "('EUR', '4312500')" "set-rate queues the currency with rate x 10^6"
"$SIM" op --db "$DB" block --customer "$CCODE" --reason "Zaległe faktury" >/dev/null
soap GetChanges '<o:entity>customer</o:entity>'
is "$(xq "(t('blocked'), t('block_reason'))")" "('true', 'Zaległe faktury')" "block queues the customer with the reason"
SEQ=$(xq "t('seq')")
soap AckChanges "<o:entity>customer</o:entity><o:seq>$SEQ</o:seq>"
"$SIM" op --db "$DB" set-credit-limit --customer "$CCODE" --amount 7500000 >/dev/null
"$SIM" op --db "$DB" unblock --customer "$CCODE" >/dev/null
soap GetChanges '<o:entity>customer</o:entity>'
is "$(xq "(t('total'), t('blocked'), t('credit_limit'))")" "('1', 'false', '7500000')" \
    "unblock and a new credit limit arrive as one current record"
SEQ=$(xq "t('seq')")
soap AckChanges "<o:entity>customer</o:entity><o:seq>$SEQ</o:seq>"

soap GetProducts '<o:limit>100</o:limit>'
DELP=$(xq "[r.find('{urn:oknoerp:portal:1}uuid').text for r in recs('product') if r.find('{urn:oknoerp:portal:1}ruleset_code').text is None and r.find('{urn:oknoerp:portal:1}uuid').text != '$PROD'][5]")
"$SIM" op --db "$DB" delete-product --product "$DELP" >"$T/op.out"
soap GetChanges '<o:entity>product</o:entity><o:limit>1000</o:limit>'
is "$(xq "[c.find('{urn:oknoerp:portal:1}kind').text for c in recs('change') if c.find('{urn:oknoerp:portal:1}uuid').text == '$DELP']")" \
    "['delete']" "delete-product queues a delete without a record"
is "$(xq "[c for c in recs('change') if c.find('{urn:oknoerp:portal:1}kind').text == 'delete' and c.find('{urn:oknoerp:portal:1}product') is not None]")" "[]" \
    "... a delete entry carries no record"
NP=$(awk '/^prices /{print $2}' "$T/op.out")
soap GetChanges '<o:entity>price</o:entity><o:limit>1000</o:limit>'
is "$(xq "(n('change'), set(ts('kind')))")" "($NP, {'delete'})" "... and a delete for each of its $NP prices"
soap GetChanges '<o:entity>stock</o:entity>'
is "$(xq "(n('change'), set(ts('kind')))")" "(3, {'delete'})" "... and for its stock rows in 3 warehouses"
soap GetProducts '<o:limit>1000</o:limit>'
is "$(xq "'$DELP' in ts('uuid')")" False "the deleted product is gone from the pull"

# ---------------------------------------------------------------------
# orders
LINES="<o:line><o:line_no>1</o:line_no><o:product>$PROD</o:product><o:quantity>2000</o:quantity><o:unit_net>12345</o:unit_net></o:line>"
soap CreateOrder "<o:external_ref>WWW/2026/0001</o:external_ref><o:customer>$CUST</o:customer><o:currency>PLN</o:currency><o:notes>Proszę dzwonić &amp; czekać</o:notes>$LINES"
is "$(xq "(t('status'), t('existed'))")" "('new', 'false')" "CreateOrder creates an order"
OUUID=$(xq "t('uuid')"); ONUM=$(xq "t('number')")
soap CreateOrder "<o:external_ref>WWW/2026/0001</o:external_ref><o:customer>$CUST</o:customer><o:currency>PLN</o:currency>$LINES"
is "$(xq "(t('uuid'), t('number'), t('existed'))")" "('$OUUID', '$ONUM', 'true')" \
    "the same external_ref again returns the same order, existed=true"
soap GetOrders '<o:limit>1000</o:limit>'
is "$(xq "ts('external_ref').count('WWW/2026/0001')")" 1 "... and the ERP holds it once"
soap FindOrderByRef "<o:external_ref>WWW/2026/0001</o:external_ref>"
is "$(xq "(t('uuid'), t('net'), t('notes'))")" "('$OUUID', '24690', 'Proszę dzwonić & czekać')" \
    "FindOrderByRef finds it, with net and escaped text intact"
soap FindOrderByRef "<o:external_ref>WWW/2026/9999</o:external_ref>"
is "$CODE/$(fault_code)" "500/NOT_FOUND" "FindOrderByRef of an unknown ref is NOT_FOUND"
soap CreateOrder "<o:external_ref>WWW/2026/0002</o:external_ref><o:customer>$CUST</o:customer><o:currency>PLN</o:currency><o:line><o:line_no>1</o:line_no><o:product>00000000-0000-4000-8000-000000000000</o:product><o:quantity>1000</o:quantity><o:unit_net>1</o:unit_net></o:line>"
is "$(xq "(t('code'), t('field'))")" "('VALIDATION', 'line[1].product')" "an unknown product is a VALIDATION fault naming the line"
soap FindOrderByRef "<o:external_ref>WWW/2026/0002</o:external_ref>"
is "$(fault_code)" NOT_FOUND "... and nothing was written"
CFG="<o:configuration><o:ruleset>$RS</o:ruleset><o:width>1600</o:width><o:height>1400</o:height><o:value attribute=\"type\">RU_RU_POST</o:value><o:value attribute=\"colour\">WHITE</o:value></o:configuration>"
soap GetProducts '<o:limit>1000</o:limit>'
KONF=$(xq "[r.find('{urn:oknoerp:portal:1}uuid').text for r in recs('product') if r.find('{urn:oknoerp:portal:1}ruleset_code').text == 'PVC_WINDOW'][0]")
soap CreateOrder "<o:external_ref>WWW/2026/0003</o:external_ref><o:customer>$CUST</o:customer><o:currency>PLN</o:currency><o:line><o:line_no>1</o:line_no><o:product>$KONF</o:product><o:quantity>1000</o:quantity><o:unit_net>105200</o:unit_net>$CFG</o:line>"
is "$(xq "t('existed')")" false "a configured line is accepted"
soap FindOrderByRef "<o:external_ref>WWW/2026/0003</o:external_ref>"
is "$(xq "(t('width'), t('height'), [v.get('attribute') for v in recs('value')])")" \
    "('1600', '1400', ['type', 'colour'])" "... and comes back with its configuration"
soap CreateOrder "<o:external_ref>WWW/2026/0004</o:external_ref><o:customer>$CUST</o:customer><o:currency>PLN</o:currency><o:line><o:line_no>1</o:line_no><o:product>$KONF</o:product><o:quantity>1000</o:quantity><o:unit_net>1</o:unit_net>${CFG/1600/3000}</o:line>"
is "$(fault_code)" VALIDATION "a configuration outside R2 is refused"

soap GetChanges '<o:entity>order</o:entity>'
is "$(xq "sorted(ts('external_ref'))")" "['WWW/2026/0001', 'WWW/2026/0003']" "new orders are in the order queue"
SEQS=$(xq "''.join('<o:seq>%s</o:seq>' % s for s in ts('seq'))")
soap AckChanges "<o:entity>order</o:entity>$SEQS"
"$SIM" op --db "$DB" correct-order-line --order "WWW/2026/0001" --line 1 --quantity 3000 --note "Zmiana ilości" >/dev/null
soap GetChanges '<o:entity>order</o:entity>'
is "$(xq "(t('revision'), t('correction_note'), t('quantity'), t('net'))")" \
    "('2', 'Zmiana ilości', '3000', '37035')" "an operator correction bumps the revision and requeues the order"
SEQ=$(xq "t('seq')"); soap AckChanges "<o:entity>order</o:entity><o:seq>$SEQ</o:seq>"
"$SIM" op --db "$DB" release --order "$ONUM" >/dev/null
soap GetChanges '<o:entity>order</o:entity>'
is "$(xq "(t('status'), t('wz_number')[:3])")" "('released', 'WZ/')" "release gives a WZ number"
SEQ=$(xq "t('seq')"); soap AckChanges "<o:entity>order</o:entity><o:seq>$SEQ</o:seq>"
"$SIM" op --db "$DB" ship --order "$OUUID" --carrier DPD --waybill 0000123456789 >/dev/null
soap GetChanges '<o:entity>order</o:entity>'
is "$(xq "(t('status'), t('carrier'), t('waybill'))")" "('shipped', 'DPD', '0000123456789')" "ship records carrier and waybill"
SEQ=$(xq "t('seq')"); soap AckChanges "<o:entity>order</o:entity><o:seq>$SEQ</o:seq>"
"$SIM" op --db "$DB" invoice --order "$OUUID" >"$T/op.out"
INV=$(awk '/^invoice /{print $2}' "$T/op.out")
KSEF=$(awk '/^ksef /{print $2}' "$T/op.out")
soap GetChanges '<o:entity>invoice</o:entity>'
is "$(xq "(t('uuid'), t('order'), t('net'), t('vat'), t('gross'))")" "('$INV', '$OUUID', '37035', '8518', '45553')" \
    "invoice queues an invoice with net, 23 % VAT and gross"
check "the KSeF number has the real format" sh -c "echo '$KSEF' | grep -Eq '^[0-9]{10}-[0-9]{8}-[0-9A-F]{12}-[0-9A-F]{2}\$'"
is "$(python3 -c '
import sys
s = sys.argv[1]; c = 0
for b in s[:32].encode():
    c ^= b
    for _ in range(8): c = ((c << 1) ^ 7) & 255 if c & 128 else (c << 1) & 255
print("%02X" % c == s[33:])' "$KSEF")" True "... and a valid CRC-8"
soap GetChanges '<o:entity>order</o:entity>'
is "$(xq "t('status')")" invoiced "the order turns invoiced"
soap GetInvoicePdf "<o:uuid>$INV</o:uuid>"
xq "t('content')" | base64 -d > "$T/inv.pdf"
check "GetInvoicePdf returns a PDF" sh -c "head -c 8 '$T/inv.pdf' | grep -q '%PDF-1.4' && tail -c 6 '$T/inv.pdf' | grep -q '%%EOF'"
is "$(xq "t('size')")" "$(wc -c < "$T/inv.pdf" | tr -d ' ')" "... of the size it states"
soap GetInvoiceXml "<o:uuid>$INV</o:uuid>"
xq "t('content')" | base64 -d > "$T/inv.xml"
check "GetInvoiceXml returns well-formed FA XML" sh -c "python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); assert r.tag.endswith(\"Faktura\")' '$T/inv.xml'"

# ---------------------------------------------------------------------
# customers
REG="<o:name>Okna Nowak sp. z o.o.</o:name><o:email>biuro@okna-nowak.pl</o:email><o:language>pl</o:language><o:currency>PLN</o:currency><o:address><o:name>Okna Nowak</o:name><o:street>ul. Polna 1</o:street><o:postcode>60-100</o:postcode><o:city>Poznań</o:city><o:country>PL</o:country></o:address><o:contact><o:name>Jan Nowak</o:name><o:email>jan@okna-nowak.pl</o:email><o:phone>+48 600 000 000</o:phone><o:role>właściciel</o:role></o:contact>"
soap CreateCustomer "<o:external_ref>REG-1</o:external_ref>${REG/<o:email>/<o:nip>1234567890</o:nip><o:email>}"
is "$(xq "(t('code'), t('field'))")" "('VALIDATION', 'nip')" "CreateCustomer refuses a NIP with a bad checksum"
soap CreateCustomer "<o:external_ref>REG-1</o:external_ref>${REG/<o:email>/<o:nip>1234563218</o:nip><o:email>}"
is "$(xq "t('existed')")" false "CreateCustomer with a valid NIP creates a customer"
NCUST=$(xq "t('uuid')")
soap CreateCustomer "<o:external_ref>REG-1</o:external_ref>${REG/<o:email>/<o:nip>1234563218</o:nip><o:email>}"
is "$(xq "(t('uuid'), t('existed'))")" "('$NCUST', 'true')" "... idempotent on external_ref"
soap CreateCustomer "<o:external_ref>REG-2</o:external_ref>${REG/<o:email>/<o:nip>1234563218</o:nip><o:email>}"
is "$(xq "(t('code'), t('field'))")" "('VALIDATION', 'nip')" "... and a NIP already registered is refused"
soap GetChanges '<o:entity>customer</o:entity>'
is "$(xq "(t('uuid'), t('nip'), t('group'), t('discount'), n('contact'), n('address'))")" \
    "('$NCUST', '1234563218', 'C', '2000', 1, 1)" "the new customer is queued with group C and its contact and address"

# ---------------------------------------------------------------------
# security and protocol
cat > "$T/dtd.xml" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE soap:Envelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:o="urn:oknoerp:portal:1"><soap:Body><o:FindOrderByRef><o:external_ref>&b;</o:external_ref></o:FindOrderByRef></soap:Body></soap:Envelope>
EOF
raw "$T/dtd.xml"
is "$CODE/$(fault_code)" "500/VALIDATION" "a request with a DOCTYPE and entities is refused"
cat > "$T/xxe.xml" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:o="urn:oknoerp:portal:1"><soap:Body><o:FindOrderByRef><o:external_ref>&x;</o:external_ref></o:FindOrderByRef></soap:Body></soap:Envelope>
EOF
raw "$T/xxe.xml"
check "an external entity is refused and nothing leaks" sh -c "[ '$(fault_code)' = VALIDATION ] && ! grep -q 'root:' '$T/out'"
printf '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><o:Ping xmlns:o="urn:oknoerp:portal:1">' > "$T/bad.xml"
raw "$T/bad.xml"
is "$(fault_code)" VALIDATION "a malformed request is a VALIDATION fault"
soap Ping ''
raw "$T/req" -H 'SOAPAction: "urn:oknoerp:portal:1#GetProducts"'
is "$(fault_code)" VALIDATION "a SOAPAction naming another operation is refused"
soap Bogus ''
is "$(fault_code)" VALIDATION "an unknown operation is refused"
USERPW=portal:wrong soap Ping ''
is "$CODE/$(fault_code)" "401/AUTH" "wrong credentials: 401 with an AUTH fault"
CODE=$(curl -s -o "$T/out" -w '%{http_code}' --data-binary @"$T/req" "$URL/soap")
is "$CODE/$(fault_code)" "401/AUTH" "no credentials: 401 with an AUTH fault"
is "$(curl -s -o /dev/null -w '%{http_code}' -u "$USERPW" "$URL/soap")" 405 "GET /soap is 405"
head -c 9000000 /dev/zero | tr '\0' 'a' > "$T/big"
raw "$T/big"
is "$CODE" 413 "a body above 8 MiB is 413"

# ---------------------------------------------------------------------
# fault knobs
"$SIM" fault --db "$DB" latency --ms 400 --count 1 >/dev/null
start_t=$(date +%s%N); soap Ping ''; end_t=$(date +%s%N)
check "latency delays the answer (>= 400 ms)" test $(( (end_t - start_t) / 1000000 )) -ge 400
is "$CODE" 200 "... and the answer is still good"
start_t=$(date +%s%N); soap Ping ''; end_t=$(date +%s%N)
check "a knob with --count 1 fires once" test $(( (end_t - start_t) / 1000000 )) -lt 400

"$SIM" fault --db "$DB" http5xx --status 502 --count 1 >/dev/null
soap Ping ''
check "http5xx answers the status with no SOAP body" sh -c "[ '$CODE' = 502 ] && ! grep -q Envelope '$T/out'"

"$SIM" fault --db "$DB" soapfault --code BUSY --count 1 >/dev/null
soap Ping ''
is "$CODE/$(fault_code)/$(xq "t('retry_after')")" "503/BUSY/1" "soapfault BUSY: 503, code BUSY, retry_after"
"$SIM" fault --db "$DB" soapfault --code INTERNAL --count 1 --op GetStock >/dev/null
soap Ping ''
is "$CODE" 200 "a knob limited to one operation leaves the others alone"
soap GetStock ''
is "$CODE/$(fault_code)" "500/INTERNAL" "... and fires on that operation"
"$SIM" fault --db "$DB" soapfault --code AUTH --count 1 >/dev/null
soap Ping ''
is "$CODE/$(fault_code)" "401/AUTH" "soapfault AUTH answers 401"

"$SIM" fault --db "$DB" truncated --count 1 >/dev/null
soap GetWarehouses ''
cp "$T/out" "$T/trunc"; soap GetWarehouses ''
check "truncated: the body stops halfway and is not well-formed" sh -c \
    "! python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' '$T/trunc' 2>/dev/null && [ \$(wc -c < '$T/trunc') -lt \$(wc -c < '$T/out') ]"
"$SIM" fault --db "$DB" malformed --count 1 >/dev/null
soap GetWarehouses ''
check "malformed: 200 with XML that is not well-formed" sh -c "[ '$CODE' = 200 ] && ! python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' '$T/out' 2>/dev/null"

"$SIM" fault --db "$DB" drop --count 1 --op CreateOrder >/dev/null
soap CreateOrder "<o:external_ref>WWW/2026/0100</o:external_ref><o:customer>$CUST</o:customer><o:currency>PLN</o:currency>$LINES"
check "drop: the connection closes without a response" test "$CURL_RC" -eq 52
soap FindOrderByRef "<o:external_ref>WWW/2026/0100</o:external_ref>"
is "$CODE" 200 "... after the order was committed (FindOrderByRef finds it)"
soap CreateOrder "<o:external_ref>WWW/2026/0100</o:external_ref><o:customer>$CUST</o:customer><o:currency>PLN</o:currency>$LINES"
is "$(xq "t('existed')")" true "... and re-sending it returns the same order"

"$SIM" fault --db "$DB" soapfault --rate 0 >/dev/null
soap Ping ''
is "$CODE" 200 "a knob with rate 0 never fires"
"$SIM" fault --db "$DB" clear >/dev/null
"$SIM" fault --db "$DB" http5xx --rate 0.5 --count 200 >/dev/null
fired=0
for i in $(seq 1 60); do soap Ping ''; [ "$CODE" = 503 ] && fired=$((fired+1)); done
check "rate 0.5 fires on some requests and not on others ($fired/60)" test "$fired" -gt 5 -a "$fired" -lt 55
"$SIM" fault --db "$DB" list > "$T/faults"
check "fault list shows how often a knob fired" grep -q "http5xx \* 0.500000 .* $fired\$" "$T/faults"
"$SIM" fault --db "$DB" clear >/dev/null
soap Ping ''
is "$CODE" 200 "fault clear removes every knob"

# concurrency: parallel clients on separate connections
for i in $(seq 1 8); do
	( curl -s -u "$USERPW" -H 'SOAPAction: ""' --data-binary "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:o=\"urn:oknoerp:portal:1\"><soap:Body><o:CreateOrder><o:external_ref>PAR-$((i % 4))</o:external_ref><o:customer>$CUST</o:customer><o:currency>PLN</o:currency>$LINES</o:CreateOrder></soap:Body></soap:Envelope>" \
	    "$URL/soap" > "$T/par$i" ) &
done
wait
soap GetOrders '<o:limit>1000</o:limit>'
is "$(xq "sorted(r for r in ts('external_ref') if r.startswith('PAR-'))")" "['PAR-0', 'PAR-1', 'PAR-2', 'PAR-3']" \
    "8 parallel CreateOrders on 4 refs make exactly 4 orders"

kill -TERM "$PID"
for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
check "SIGTERM stops the server" sh -c "! kill -0 $PID 2>/dev/null"
PID=

echo "1..$n"
[ "$failed" -eq 0 ]
