#!/bin/sh
# t_admin.sh: framuga-admin end to end, on real files (TAP).
#
# Migrates a fresh database in a temporary directory, then runs status,
# check and backup on it and opens the backup; checks good and bad
# configuration files (the errors must carry file:line); shows that a worker
# would refuse an unmigrated database (status opens it through db_open()'s
# schema check, as framuga-fcgi does); and compares the keys and defaults
# documented in man/framuga.conf.5 with `framuga-admin config-defaults`.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
ADMIN=$top_builddir/framuga-admin
MAN5=$top_srcdir/man/framuga.conf.5

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}
# check NAME COMMAND...: ok when the command succeeds
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name" "$(cat "$T/out" "$T/err" 2>/dev/null)"; fi
}
# run EXPECTED_STATUS ARGS...: framuga-admin with output in $T/out, $T/err
run() {
	want=$1
	shift
	"$ADMIN" "$@" >"$T/out" 2>"$T/err"
	status=$?
	[ "$status" -eq "$want" ]
}
has() {		# has FILE TEXT: fixed-string match
	grep -F -q -e "$2" "$1"
}

if [ ! -x "$ADMIN" ]; then
	echo "1..0 # SKIP framuga-admin not built"
	exit 0
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/t_admin.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
cd "$T" || exit 1

printf 'db_path = %s/portal.db\nbusy_timeout_ms = 2000\n' "$T" >"$T/good.conf"
TARGET=$("$ADMIN" version | sed -n 's/^schema \([0-9]*\) .*/\1/p')

# -- usage and version --
check "version names a schema target" test -n "$TARGET"
check "no command: usage, exit 2" \
    eval 'run 2 && has "$T/err" "usage: framuga-admin [-v] [-c CONFIG] COMMAND"'
check "unknown command: exit 2, named" \
    eval 'run 2 frobnicate && has "$T/err" "unknown command '"'"'frobnicate'"'"'"'
check "backup without a file: exit 2" \
    eval 'run 2 -c "$T/good.conf" backup && has "$T/err" "backup takes FILE"'
check "missing config file: exit 1, named" \
    eval 'run 1 -c "$T/nope.conf" status && has "$T/err" "$T/nope.conf: No such file"'

# -- a database that was never migrated is refused, with the reason --
: >"$T/empty.db"
printf 'db_path = %s/empty.db\n' "$T" >"$T/empty.conf"
check "unmigrated database refused by the open check" \
    eval 'run 1 -c "$T/empty.conf" status && has "$T/err" "database is at schema 0, this build needs $TARGET: run framuga-admin migrate"'
check "status of a missing database fails" \
    eval 'run 1 -c "$T/good.conf" status && has "$T/err" "portal.db: unable to open database file"'

# -- migrate, status, check --
check "migrate creates and migrates a fresh database" \
    eval 'run 0 -c "$T/good.conf" migrate && has "$T/out" "applied 0001_core" && has "$T/out" "portal.db: schema $TARGET" && test -f "$T/portal.db"'
check "migrate again changes nothing" \
    eval 'run 0 -c "$T/good.conf" migrate && ! has "$T/out" "applied" && has "$T/out" "schema $TARGET, up to date"'
check "status: up to date" \
    eval 'run 0 -c "$T/good.conf" status && has "$T/out" "portal.db: schema $TARGET, up to date"'
check "FRAMUGA_CONFIG is read without -c" \
    eval 'env FRAMUGA_CONFIG="$T/good.conf" "$ADMIN" status >"$T/out" 2>"$T/err" && has "$T/out" "up to date"'
check "check: integrity and foreign keys ok" \
    eval 'run 0 -c "$T/good.conf" check && has "$T/out" "portal.db: ok"'

# -- backup, and the backup opens like the original --
check "backup writes the file" \
    eval 'run 0 -c "$T/good.conf" backup "$T/copy.db" && test -s "$T/copy.db" && test ! -e "$T/copy.db.part"'
printf 'db_path = %s/copy.db\n' "$T" >"$T/copy.conf"
check "the backup passes the open check" \
    eval 'run 0 -c "$T/copy.conf" status && has "$T/out" "copy.db: schema $TARGET, up to date"'
check "the backup passes check" \
    eval 'run 0 -c "$T/copy.conf" check'
check "backup refuses to overwrite" \
    eval 'run 1 -c "$T/good.conf" backup "$T/copy.db" && has "$T/err" "exists"'

# -- config-check --
"$ADMIN" config-defaults >"$T/defaults.conf" 2>"$T/err"
check "config-defaults output passes config-check" \
    eval 'run 0 config-check "$T/defaults.conf" && has "$T/out" "defaults.conf: ok"'
check "config-check of a good file" \
    eval 'run 0 config-check "$T/good.conf" && has "$T/out" "good.conf: ok"'
cat >"$T/bad.conf" <<'EOF'
# a comment
db_path = x.db
workers = many
listen = 127.0.0.1
no equals sign here
brand_colour = #000000
EOF
check "config-check of a bad file: exit 1" eval 'run 1 config-check "$T/bad.conf"'
check "config-check names file:line for a bad integer" \
    has "$T/err" "$T/bad.conf:3: workers: 'many' is not an integer"
check "config-check names file:line for a bad listen" \
    has "$T/err" "$T/bad.conf:4: listen: '127.0.0.1' is not unix:PATH or HOST:PORT"
check "config-check names file:line for a missing '='" \
    has "$T/err" "$T/bad.conf:5: missing '='"
check "config-check names file:line for an unknown key" \
    has "$T/err" "$T/bad.conf:6: unknown key 'brand_colour' (did you mean 'brand_color'?)"
check "config-check counts the errors" has "$T/err" "bad.conf: 4 errors"
check "config-check uses -c when given no file" \
    eval 'run 1 -c "$T/bad.conf" config-check && has "$T/err" "bad.conf:3:"'

# -- the man page documents exactly the keys of the table, with defaults --
sed -n 's/^\([a-z0-9_]*\) =.*/\1/p' "$T/defaults.conf" | sort >"$T/keys.table"
sed -n 's/^\.It Cm \([a-z0-9_]*\)$/\1/p' "$MAN5" | sort >"$T/keys.man"
: >"$T/err"
check "framuga.conf.5 has every key of config-defaults and no other" \
    sh -c 'test -s "$1" && cmp -s "$1" "$2" || { diff "$1" "$2" >"$3"; exit 1; }' \
    sh "$T/keys.table" "$T/keys.man" "$T/out"
# "key value" from the table; from the man page, the value after the key's
# "Default:" (".Ql value ." or "empty"); paths set at build time are skipped.
sed -n 's/^\([a-z0-9_]*\) = *\(.*\)$/\1 \2/p' "$T/defaults.conf" |
    sed 's/ $//' | sort >"$T/defs.table"
awk '
	/^\.It Cm / { key = $3; want = 0; next }
	key != "" && /^Default: empty\./ { print key; key = ""; next }
	key != "" && /^Default:$/ { want = 1; next }
	want && /^\.Ql / {
		v = $0; sub(/^\.Ql /, "", v); sub(/ \.$/, "", v)
		gsub(/"/, "", v); print key " " v; key = ""; want = 0; next
	}
	want && /^\.Pa / { key = ""; want = 0; next }
' "$MAN5" | sort >"$T/defs.man"
grep -v -e '^template_dir ' -e '^locale_dir ' "$T/defs.table" >"$T/defs.table2"
check "framuga.conf.5 states the same default for every key" \
    sh -c 'test -s "$1" && cmp -s "$1" "$2" || { diff "$1" "$2" >"$3"; exit 1; }' \
    sh "$T/defs.table2" "$T/defs.man" "$T/out"

echo "1..$n"
[ "$failed" -eq 0 ]
