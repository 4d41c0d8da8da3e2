#!/bin/sh
# tests/bench/seed-demo.sh CONFIG: the default seed hook of the benchmarks.
#
# Loads the demo data (db/demo/*.sql) into the database that CONFIG names
# (db_path), after framuga-admin migrate has made it.  A benchmark that
# needs other data writes its own hook with the same interface and passes
# it as BENCH_SEED (see tests/bench/run.sh); hooks may call this one first.
set -eu
conf=$1
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
db=$(sed -n 's/^[[:space:]]*db_path[[:space:]]*=[[:space:]]*//p' "$conf" | tail -1)
[ -n "$db" ] || { echo "seed-demo: no db_path in $conf" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "seed-demo: sqlite3 not found" >&2; exit 1; }
for f in "$top_srcdir"/db/demo/*.sql; do
	[ -f "$f" ] || continue
	sqlite3 "$db" <"$f"
done
