#!/bin/sh
# t_lint.sh: source checks that a compiler does not make (TAP).
#  - SQL is constant text: no sqlite3_*printf anywhere in cgi-src, and every
#    db_prepare()/db_prepare_once() and the result cache's QCACHE_ROWS()
#    take a string literal or a static const array (or a static const
#    table of them) declared in the same file (never a built string);
#  - raw template output ({{ raw! }}) appears only where allowed;
#  - po/template-strings.c is current with the templates;
#  - no source file mentions a machine path.
set -u
src=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src" || exit 1
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }

hits=$(grep -rnE 'sqlite3_(v?mprintf|snprintf)\(' cgi-src 2>/dev/null)
[ -z "$hits" ] && ok "no sqlite3_*printf in cgi-src" || nok "no sqlite3_*printf in cgi-src" "$hits"

bad=
for f in $(grep -rlE '(db_prepare(_once)?|QCACHE_ROWS|qcache_rows)\(' cgi-src --include='*.c'); do
	# (the layers that pass their caller's SQL on)
	case $f in cgi-src/lib/db.c|cgi-src/lib/qcache.c) continue ;; esac
	# the second argument of each call
	for arg in $(grep -oE '(db_prepare(_once)?|QCACHE_ROWS|qcache_rows)\([^,]+, *[A-Za-z_"][A-Za-z0-9_]*' "$f" |
	    sed -E 's/.*, *//'); do
		case $arg in
		\"*) ;;
		*) grep -qE "static const char[[:space:]]+\**$arg(\[\])?[[:space:]]*=" "$f" ||
		   grep -qE "static const char[[:space:]]+$arg\[\]" "$f" ||
		   grep -qE "static const char[[:space:]]*\*[[:space:]]*const[[:space:]]+$arg\[\]" "$f" ||
		   bad="$bad $f:$arg" ;;
		esac
	done
done
[ -z "$bad" ] && ok "db_prepare takes constant SQL only" ||
    nok "db_prepare takes constant SQL only" "not a static const char array in the same file:$bad"

raw=$(grep -rn 'raw!' www/templates 2>/dev/null | grep -v '{{!' || true)
[ -z "$raw" ] && ok "no raw template output" || nok "no raw template output (review and allow-list here)" "$raw"

tmp=$(mktemp)
scripts/tmpl-strings.sh www/templates > "$tmp"
if cmp -s "$tmp" po/template-strings.c; then ok "po/template-strings.c is current"
else nok "po/template-strings.c is current" "run: make i18n-update"; fi
rm -f "$tmp"

paths=$(git grep -nIE '/(work|home|root)/[A-Za-z]' -- cgi-src www db nginx scripts tests/*.sh tests/e2e tests/unit 2>/dev/null | grep -v 't_lint.sh' || true)
[ -z "$paths" ] && ok "no machine paths in sources" || nok "no machine paths in sources" "$paths"

echo "1..$n"
[ "$fails" = 0 ]
