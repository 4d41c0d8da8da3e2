#!/bin/sh
# t_sync_schedule.sh: the schedule of the operations, with the injectable
# clock (FRAMUGA_NOW) (TAP).
#
# Interval (hh:mm:ss, validated), what --due runs at which time, disable,
# "run once after a delay" (also for a disabled operation), the lock: an
# overlapping run is refused with a clear message (a lock in the database,
# and a real second process), and a crashed run's stale lock is recovered.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/sync_lib.sh"

sync_init schedule --products 150 --customers 20 --individual-prices 400 \
    --warehouses 2 --orders 10 --seed 9

T0=1900000000
FRAMUGA_NOW=$T0
export FRAMUGA_NOW

ran_since() {
	pq "SELECT group_concat(operation, ' ') FROM (SELECT operation
	    FROM sync_run WHERE id > $1 ORDER BY operation)"
}

# ---- intervals ------------------------------------------------------------------

ok "schedule products --interval 00:15:00" \
    sync schedule products --interval 00:15:00
for bad in 00:00:00 1:2:3 25:61:00 00:00:60 1000:00:00 abc "" 00:10; do
	sync schedule products --interval "$bad"
	is "$SYNC_STATUS" 2 "interval \"$bad\" is refused"
done
like "$("$SYNC" -c "$E2E_CONF" schedule products --interval 99:99:99 2>&1)" \
    'hh:mm:ss' "the refusal says what to give"
sync schedule nosuch --interval 00:01:00
is "$SYNC_STATUS" 2 "an unknown operation is refused"
sync run nosuch
is "$SYNC_STATUS" 2 "run: an unknown operation is refused"
sync schedule products --once-in -5
is "$SYNC_STATUS" 2 "a negative delay is refused"

# ---- what --due runs when ------------------------------------------------------

R=$(pq "SELECT ifnull(max(id), 0) FROM sync_run")
ok "--due at T0 runs everything (never ran)" sync --due
is "$(pq "SELECT count(*) FROM sync_run WHERE id > $R")" 13 "all 13 operations"
R=$(pq "SELECT max(id) FROM sync_run")
FRAMUGA_NOW=$((T0 + 1))
sync --due
is "$(ran_since "$R")" "" "a second later: nothing is due"
FRAMUGA_NOW=$((T0 + 301))
sync --due
is "$(ran_since "$R")" "customers order_push orders stock" \
    "301 s later: the operations with intervals up to 5 minutes"
R=$(pq "SELECT max(id) FROM sync_run")
ok "schedule products --interval 00:02:00" \
    sync schedule products --interval 00:02:00
is "$(pq "SELECT interval_s || ' ' || (next_run_at - $T0) FROM sync_operation
    WHERE name = 'products'")" "120 120" \
    "the new interval counts from the last start"
like "$(sync_out status)" 'products +yes +00:02:00 ' "status shows 00:02:00"
FRAMUGA_NOW=$((T0 + 302))
sync --due
is "$(ran_since "$R")" "products" "so products is due at once, alone"

# ---- disable, run once ----------------------------------------------------------

ok "schedule stock --disable" sync schedule stock --disable
R=$(pq "SELECT max(id) FROM sync_run")
T1=$((T0 + 10000))
FRAMUGA_NOW=$T1
sync --due
unlike "$(ran_since "$R")" 'stock' "a disabled operation does not run"
like "$(ran_since "$R")" 'customers' "the others do"
like "$(sync_out status)" 'stock +no +00:05:00 .* disabled ' \
    "status says disabled"
ok "schedule stock --once-in 100" sync schedule stock --once-in 100
is "$(pq "SELECT run_once_at - $T1 FROM sync_operation WHERE name = 'stock'")" \
    100 "run_once_at is 100 s ahead"
R=$(pq "SELECT max(id) FROM sync_run")
FRAMUGA_NOW=$((T1 + 50))
sync --due
unlike "$(ran_since "$R")" 'stock' "50 s later it has not run"
FRAMUGA_NOW=$((T1 + 100))
sync --due
like "$(ran_since "$R")" 'stock' "100 s later it runs once, disabled as it is"
is "$(pq "SELECT ifnull(run_once_at, 'none') FROM sync_operation
    WHERE name = 'stock'")" none "and the one-off request is cleared"
R=$(pq "SELECT max(id) FROM sync_run")
FRAMUGA_NOW=$((T1 + 5000))
sync --due
unlike "$(ran_since "$R")" 'stock' "it does not run again"
sync schedule stock --once-in 10
ok "a one-off run can be cancelled" sync schedule stock --cancel-once
is "$(pq "SELECT ifnull(run_once_at, 'none') FROM sync_operation
    WHERE name = 'stock'")" none "(cancelled)"
ok "schedule stock --enable" sync schedule stock --enable
R=$(pq "SELECT max(id) FROM sync_run")
FRAMUGA_NOW=$((T1 + 5001))
sync --due
like "$(ran_since "$R")" 'stock' "enabled again, it is due at once"

# ---- the lock: overlap refused ---------------------------------------------------

T2=$((T0 + 100000))
FRAMUGA_NOW=$T2
pq "UPDATE sync_operation SET lock_owner = '4242@elsewhere#00ff00ff00ff00ff',
    lock_until = $((T2 + 300)) WHERE name = 'prices'"
sync run prices
is "$SYNC_STATUS" 75 "run prices while another run holds the lock: exit 75"
like "$(tail -3 "$SYNC_LOG")" 'prices is already running \(lock held by 4242@elsewhere#00ff00ff00ff00ff for 300 s more\)' \
    "the message names the holder and how long"
R=$(pq "SELECT max(id) FROM sync_run")
ok "--due goes on with the others" sync --due
unlike "$(ran_since "$R")" 'prices' "and skips prices"
like "$(sync_out status)" 'prices .* running ' "status shows it running"

# a real second process
pq "UPDATE sync_operation SET lock_owner = NULL, lock_until = NULL
    WHERE name = 'prices'"
simfault latency --ms 400 --op GetPrices
FRAMUGA_SYNC_PAGE=100 "$SYNC" -c "$E2E_CONF" run prices --full \
    >>"$E2E_RUNDIR/bg.log" 2>&1 &
bg=$!
prices_locked() {
	[ "$(pq "SELECT count(*) FROM sync_operation WHERE name = 'prices'
	    AND lock_owner IS NOT NULL")" = 1 ]
}
e2e_wait_for 10 prices_locked
sync run prices
is "$SYNC_STATUS" 75 "a second process is refused while the first runs"
like "$(tail -3 "$SYNC_LOG")" "prices is already running \(lock held by $bg@" \
    "it names the first one's pid"
e2e_wait_exit "$bg" 60
is "$E2E_EXIT_STATUS" 0 "the first one completes undisturbed"
simfault clear
is "$(pq "SELECT count(*) FROM sync_operation WHERE lock_owner IS NOT NULL")" 0 \
    "and gives the lock back"

# ---- a crashed run's lock expires ---------------------------------------------------

pq "INSERT INTO sync_run (operation, started_at, mode) VALUES ('prices', $T2, 'changes');
    UPDATE sync_operation SET lock_owner = '999@crashed#0123456789abcdef',
      lock_until = $((T2 + 600)), last_run_id = last_insert_rowid()
    WHERE name = 'prices'"
crashed=$(pq "SELECT last_run_id FROM sync_operation WHERE name = 'prices'")
FRAMUGA_NOW=$((T2 + 599))
sync run prices
is "$SYNC_STATUS" 75 "before its lease runs out, the crashed run's lock holds"
FRAMUGA_NOW=$((T2 + 600))
sync run prices
is "$SYNC_STATUS" 0 "once it has expired, the next run takes over"
like "$(grep 'stale lock' "$SYNC_LOG" | tail -1)" \
    'prices: took over the stale lock of 999@crashed#0123456789abcdef' \
    "and says so in the log"
like "$(pq "SELECT status || ' ' || error FROM sync_run WHERE id = $crashed")" \
    '^failed abandoned: the lock of 999@crashed' \
    "the crashed run is closed as failed (abandoned)"
is "$(pq "SELECT count(*) FROM sync_run WHERE status = 'running'")" 0 \
    "no run is left 'running'"

# ---- the run log ------------------------------------------------------------------

like "$(sync_out runs prices)" '^RUN +OPERATION' "runs prints the history"
is "$(sync_out runs prices | grep -c ' prices ')" \
    "$(pq "SELECT count(*) FROM sync_run WHERE operation = 'prices'")" \
    "one line per run of prices"
is "$(pq "SELECT count(*) FROM sync_run WHERE finished_at IS NULL
    OR duration_ms IS NULL")" 0 "every run has its end and duration"

done_testing
