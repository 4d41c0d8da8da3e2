#!/bin/sh
# demo.sh: build Framuga and run the demo in the foreground until Ctrl-C:
# oknoerp-sim (the ERP, with generated demo data) on 127.0.0.1:8090, a first
# full framuga-sync, the portal (nginx + framuga-fcgi) on 127.0.0.1:8080,
# and framuga-sync --due every minute, as cron would.  State lives in
# run/demo/ and is made fresh at each start.
#
#   scripts/demo.sh            as root on Debian 12: installs what is missing
#   FRAMUGA_NO_INSTALL=1 scripts/demo.sh    skip the package step
#   DEMO_PORT=8081 scripts/demo.sh          another port for the portal
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ "${FRAMUGA_NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ]; then
	scripts/install-deps.sh
fi
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure --quiet
make -j"$(nproc)" >/dev/null

top_srcdir=$top top_builddir=$top
export top_srcdir top_builddir
E2E_FIXED_RUNDIR=$top/run/demo
E2E_FIXED_PORT=${DEMO_PORT:-8080}
E2E_KEEP=1
E2E_WORKERS=4
sim_port=${DEMO_ERP_PORT:-8090}
rm -rf "$E2E_FIXED_RUNDIR"
. "$top/tests/e2e/lib.sh"
e2e_init demo
E2E_EXTRA_CONFIG="erp_url = http://127.0.0.1:$sim_port/soap
erp_user = portal
erp_password = demo-only"

say() { printf '%s\n' "$*" >&2; }

# The ERP first: the portal's data comes from it.
sim_db=$E2E_RUNDIR/oknoerp-sim.db
say "demo: generating OknoERP demo data ..."
./oknoerp-sim generate --db "$sim_db" --products 2000 --customers 50 \
    --individual-prices 5000 --warehouses 3 >"$E2E_RUNDIR/sim-generate.log" 2>&1 ||
    bail_out "oknoerp-sim generate failed: $(tail -3 "$E2E_RUNDIR/sim-generate.log")"
./oknoerp-sim serve --db "$sim_db" --listen "127.0.0.1:$sim_port" \
    --user portal --password demo-only >"$E2E_RUNDIR/oknoerp-sim.log" 2>&1 &
e2e_track $!
e2e_wait_for 10 sh -c "curl -s -o /dev/null http://127.0.0.1:$sim_port/" ||
    bail_out "oknoerp-sim did not start: $(tail -3 "$E2E_RUNDIR/oknoerp-sim.log")"

e2e_write_config
e2e_migrate
sqlite3 "$E2E_DB" <"$top/db/demo/news.sql"
say "demo: first full sync from OknoERP ..."
./framuga-sync -c "$E2E_CONF" --due >>"$E2E_RUNDIR/sync.log" 2>&1 ||
    say "demo: the first sync reported problems (see run/demo/sync.log)"

e2e_start_fcgi || bail_out "framuga-fcgi did not start: $(tail -5 "$E2E_FCGI_LOG")"
e2e_start_nginx || bail_out "nginx did not start (is port $E2E_PORT free?)"
e2e_wait_ready || bail_out "the portal does not answer: $(tail -5 "$E2E_FCGI_LOG")"

# Demo logins (accounts, issue 3): a staff administrator, and a dealer who
# is the portal admin of the first synced customer, with a co-worker.
ADMIN_EMAIL=admin@framuga.example ADMIN_PW=demo-admin-2026
DEALER_EMAIL=dealer@dealer.example DEALER_PW=demo-dealer-2026
BUYER_EMAIL=kupiec@dealer.example BUYER_PW=demo-kupiec-2026
echo "$ADMIN_PW" | ./framuga-user -c "$E2E_CONF" add --email "$ADMIN_EMAIL" \
    --name "Administrator" --password-stdin --staff admin >/dev/null ||
    say "demo: could not create the staff login"
dealer=$(sqlite3 "$E2E_DB" "SELECT erp_uuid FROM customer WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
dealer_name=$(sqlite3 "$E2E_DB" "SELECT name FROM customer WHERE erp_uuid = '$dealer'")
if [ -n "$dealer" ]; then
	echo "$DEALER_PW" | ./framuga-user -c "$E2E_CONF" add --email "$DEALER_EMAIL" \
	    --name "Dealer Demo" --password-stdin --customer "$dealer" \
	    --role customer_admin >/dev/null || say "demo: could not create the dealer login"
	echo "$BUYER_PW" | ./framuga-user -c "$E2E_CONF" add --email "$BUYER_EMAIL" \
	    --name "Kupiec Demo" --password-stdin --customer "$dealer" \
	    --role buyer >/dev/null || say "demo: could not create the co-worker login"
else
	say "demo: no customer synced: no dealer login"
fi

# Mail is only queued (mail_outbox); the demo shows each new message
# (password links, invitations) here and in run/demo/mail.log.
(last=0; while sleep 3; do
	for id in $(sqlite3 "$E2E_DB" "SELECT id FROM mail_outbox WHERE id > $last ORDER BY id"); do
		sqlite3 "$E2E_DB" "SELECT '--- demo mail to ' || to_addr || ': ' || subject || char(10) || body_text FROM mail_outbox WHERE id = $id" |
		    tee -a "$E2E_RUNDIR/mail.log" >&2
		last=$id
	done
done) &
e2e_track $!

# cron's part: framuga-sync --due every minute.
(while sleep 60; do ./framuga-sync -c "$E2E_CONF" --due >>"$E2E_RUNDIR/sync.log" 2>&1; done) &
e2e_track $!

cat >&2 <<MSG

  Framuga demo is running:  $E2E_URL/
  CMS:                      $E2E_URL/cms
  OknoERP simulator:        http://127.0.0.1:$sim_port/soap  (user portal)
  Sync status:              ./framuga-sync -c run/demo/framuga.conf status
  ERP operator:             ./oknoerp-sim op --db run/demo/oknoerp-sim.db help
  Logs:                     run/demo/*.log

  Demo logins (log in at $E2E_URL/login):
    staff admin (CMS):      $ADMIN_EMAIL / $ADMIN_PW
    dealer (customer admin): $DEALER_EMAIL / $DEALER_PW   ($dealer_name)
    dealer's co-worker:     $BUYER_EMAIL / $BUYER_PW   (buyer)
  Queued mail (password links): printed below and in run/demo/mail.log
  Press Ctrl-C to stop.

MSG
wait "$E2E_FCGI_PID"
