#!/bin/sh
# cms_lists.sh: the CMS list pages with 10,000 users (and 200 customers,
# 100,000 audit rows), against the platform's 50-row page (/news with 100k
# news rows) measured in the same run, through the real nginx and 4
# workers, as a logged-in staff administrator.  Prints figures only.
#
#   tests/bench/cms_lists.sh          (BENCH_DURATION=10s by default)
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"
command -v wrk >/dev/null || { echo "cms_lists: wrk not installed" >&2; exit 1; }
: "${BENCH_DURATION:=10s}"

e2e_init cms-bench
E2E_WORKERS=4
E2E_NGINX_WORKERS=auto
e2e_start
"$top_srcdir/tests/bench/seed-platform.sh" "$E2E_CONF" || bail_out "seed"
sqlite3 "$E2E_DB" <<'SQL' || bail_out "seed users"
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
INSERT INTO customer (erp_uuid, code, name, nip, grp, updated_at)
SELECT 'bench-' || i, 'K' || printf('%05d', i), 'Okna i Drzwi ' || i || ' sp. z o.o.',
       '', char(65 + i % 3), strftime('%s','now') FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO user (customer_id, email, name, created_at, updated_at)
SELECT (SELECT id FROM customer WHERE erp_uuid = 'bench-' || (1 + i % 200)),
       'handlowiec' || i || '@okna' || (i % 200) || '.pl', 'Handlowiec ' || i,
       strftime('%s','now') - i, strftime('%s','now') FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO audit_log (at, actor_user_id, action, target_type, target_id, ip, detail)
SELECT strftime('%s','now') - 100000 + i, 1 + i % 10000,
       CASE i % 3 WHEN 0 THEN 'login.ok' WHEN 1 THEN 'login.fail' ELSE 'session.revoke' END,
       'user', 1 + i % 10000, '192.0.2.' || (i % 250), 'bench' FROM n;
PRAGMA optimize;
SQL
printf '%s\n' 'okno-drzwi-parapet-99' | "$top_builddir/framuga-user" -c "$E2E_CONF" add \
    --email admin@bench.pl --name Admin --password-stdin --staff admin >/dev/null ||
    bail_out "framuga-user"
jar=$E2E_RUNDIR/jar
tok=$(curl -s -c "$jar" "$E2E_URL/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$tok" \
    --data-urlencode email=admin@bench.pl --data-urlencode password=okno-drzwi-parapet-99 \
    "$E2E_URL/login"
cookie=$(sed 's/^#HttpOnly_//' "$jar" | awk '!/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep = "; " }')

echo "wrk -t2 -c32 -d$BENCH_DURATION --latency; 4 workers; 10,000 users, 200 customers, 100,000 audit rows"
printf '%-20s %7s %8s %9s %9s %6s\n' page status bytes req/s p99 share
ref=
for page in /news /cms/users /cms/customers /cms/audit /cms/registrations; do
	st=$(curl -s -o "$E2E_RUNDIR/one" -w '%{http_code}' -H "Cookie: $cookie" "$E2E_URL$page")
	size=$(wc -c <"$E2E_RUNDIR/one" | tr -d ' ')
	wrk -t2 -c32 -d2s -H "Cookie: $cookie" "$E2E_URL$page" >/dev/null 2>&1
	out=$(wrk -t2 -c32 -d"$BENCH_DURATION" --latency -H "Cookie: $cookie" "$E2E_URL$page" 2>&1)
	rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec/ { printf "%d", $2 }')
	p99=$(printf '%s\n' "$out" | awk '$1 == "99%" { print $2 }')
	[ -n "$ref" ] || ref=$rps
	printf '%-20s %7s %8s %9s %9s %5d%%\n' "$page" "$st" "$size" "$rps" "$p99" $((rps * 100 / ref))
done
done_testing >/dev/null
