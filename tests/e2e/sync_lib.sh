# tests/e2e/sync_lib.sh: the rig of framuga-sync's end-to-end tests (POSIX
# sh), on top of lib.sh (run directory, TAP helpers, cleanup).
#
# It generates demo data with the real oknoerp-sim, starts it on a free
# loopback port (port 0, the port read back from --port-file) with HTTP
# Basic auth, writes a framuga configuration pointing at it, migrates a
# fresh portal database with framuga-admin, and gives the tests a few
# helpers.  The simulator is stopped when the test exits.
#
#	. "$top_srcdir/tests/e2e/sync_lib.sh"
#	sync_init full --products 300 --customers 40
#	sync --due			# framuga-sync -c CONF --due (log: SYNC_LOG)
#	is "$(pq 'SELECT count(*) FROM product')" "$(sq 'SELECT count(*) FROM product')" ...
#	done_testing
#
# Functions:
#   sync_init NAME [GENERATE-ARGS]  run dir, sim data, sim server, config, db
#   sync ARGS...        framuga-sync; output appended to $SYNC_LOG; status kept
#   sync_out ARGS...    the same, output to stdout (for status, failures)
#   pq SQL / sq SQL     a query on the portal / simulator database
#   simop VERB ...      oknoerp-sim op (an ERP operator's action)
#   simfault KIND ...   oknoerp-sim fault (fault knobs, read per request)
#   sim_stop / sim_start  stop and restart the simulator (same port)
#   last_run OP COL     a column of the newest sync_run of OP
#   same NAME SQL-PORTAL SQL-SIM  pass if both queries give the same rows
# Variables: SIM SYNC SIM_DB SIM_PORT SIM_URL SYNC_LOG ERP_USER ERP_PASSWORD

. "$top_srcdir/tests/e2e/lib.sh"

SIM=$top_builddir/oknoerp-sim
SYNC=$top_builddir/framuga-sync
ERP_USER=portal
ERP_PASSWORD=okno-secret

sync_init() {
	_name=$1; shift
	command -v sqlite3 >/dev/null 2>&1 || skip_all "no sqlite3 command"
	[ -x "$SIM" ] || skip_all "no oknoerp-sim in the build"
	[ -x "$SYNC" ] || bail_out "no framuga-sync (make check builds it)"
	[ -x "$top_builddir/framuga-admin" ] || bail_out "no framuga-admin"
	e2e_init "sync-$_name"
	SIM_DB=$E2E_RUNDIR/sim.db
	SYNC_LOG=$E2E_RUNDIR/sync.log
	"$SIM" generate --db "$SIM_DB" "$@" >"$E2E_RUNDIR/generate.log" 2>&1 ||
	    bail_out "oknoerp-sim generate failed: $(tail -3 "$E2E_RUNDIR/generate.log")"
	sim_start
	E2E_EXTRA_CONFIG="erp_url = $SIM_URL
erp_user = $ERP_USER
erp_password = $ERP_PASSWORD
erp_timeout_s = ${SYNC_TIMEOUT:-5}
${SYNC_EXTRA_CONFIG:-}"
	e2e_write_config
	e2e_migrate
	: >"$SYNC_LOG"
}

_sim_port_known() { [ -s "$E2E_RUNDIR/sim.port" ]; }

# Start (or restart) the simulator; a restart keeps the port it had.
sim_start() {
	rm -f "$E2E_RUNDIR/sim.port"
	"$SIM" serve --db "$SIM_DB" --listen "127.0.0.1:${SIM_PORT:-0}" \
	    --user "$ERP_USER" --password "$ERP_PASSWORD" \
	    --port-file "$E2E_RUNDIR/sim.port" >>"$E2E_RUNDIR/sim.log" 2>&1 &
	SIM_PID=$!
	e2e_track "$SIM_PID"
	e2e_wait_for 10 _sim_port_known || bail_out "oknoerp-sim did not start: $(tail -3 "$E2E_RUNDIR/sim.log")"
	SIM_PORT=$(cat "$E2E_RUNDIR/sim.port")
	SIM_URL=http://127.0.0.1:$SIM_PORT/soap
}

sim_stop() {
	[ -n "${SIM_PID:-}" ] || return 0
	kill "$SIM_PID" 2>/dev/null
	e2e_wait_exit "$SIM_PID" 10 || kill -KILL "$SIM_PID" 2>/dev/null
	SIM_PID=
}

# framuga-sync with the test's configuration; the exit status is kept in
# SYNC_STATUS and returned.
sync() {
	echo "### framuga-sync $*" >>"$SYNC_LOG"
	"$SYNC" -c "$E2E_CONF" "$@" >>"$SYNC_LOG" 2>&1
	SYNC_STATUS=$?
	echo "### exit $SYNC_STATUS" >>"$SYNC_LOG"
	return $SYNC_STATUS
}

sync_out() {
	"$SYNC" -c "$E2E_CONF" "$@" 2>>"$SYNC_LOG"
}

# (a busy timeout: the simulator or framuga-sync may be writing)
pq() { sqlite3 -batch -noheader -cmd '.timeout 10000' "$E2E_DB" "$1"; }
sq() { sqlite3 -batch -noheader -cmd '.timeout 10000' "$SIM_DB" "$1"; }
simop() { "$SIM" op --db "$SIM_DB" "$@" >>"$E2E_RUNDIR/simop.log" 2>&1; }
simfault() { "$SIM" fault --db "$SIM_DB" "$@" >>"$E2E_RUNDIR/simop.log" 2>&1; }

last_run() {
	pq "SELECT $2 FROM sync_run WHERE operation = '$1' ORDER BY id DESC LIMIT 1"
}

# same NAME PORTAL-SQL SIM-SQL: both databases give the same rows.
same() {
	pq "$2" >"$E2E_RUNDIR/same.portal"
	sq "$3" >"$E2E_RUNDIR/same.sim"
	if cmp -s "$E2E_RUNDIR/same.portal" "$E2E_RUNDIR/same.sim" &&
	    [ -s "$E2E_RUNDIR/same.sim" ]; then
		pass "$1 ($(wc -l <"$E2E_RUNDIR/same.sim") rows)"
		return 0
	fi
	fail "$1"
	diag "portal rows: $(wc -l <"$E2E_RUNDIR/same.portal"), simulator rows: $(wc -l <"$E2E_RUNDIR/same.sim")"
	diag "$(diff "$E2E_RUNDIR/same.portal" "$E2E_RUNDIR/same.sim" | head -6)"
	return 1
}
