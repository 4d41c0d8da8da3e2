#!/bin/sh
# tests/bench/seed-platform.sh CONFIG: seed hook of the platform benchmark:
# the demo data, then 100,000 news entries (seed-news.sql), so that /news
# renders a full page of 50 rows from SQLite by keyset through the layout.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
"$here/seed-demo.sh" "$1"
db=$(sed -n 's/^[[:space:]]*db_path[[:space:]]*=[[:space:]]*//p' "$1" | tail -1)
sqlite3 "$db" <"$here/seed-news.sql"
sqlite3 "$db" 'PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
