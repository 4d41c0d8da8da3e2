#!/bin/sh
# run-all.sh: build Framuga and run every test: unit (cmocka), fuzz corpus
# replay, end-to-end (real nginx + framuga-fcgi + oknoerp-sim on loopback),
# and browser journeys (Playwright driving Debian's Chromium).  The README's
# test command.  Ends with one line: "N passed, N failed, N skipped".
#
#   tests/run-all.sh            install what is missing (as root), build, test
#   FRAMUGA_NO_INSTALL=1 ...    skip the package step (not root, or offline)
#
# Every test speaks TAP, so the counts are test cases, not files.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ "${FRAMUGA_NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ]; then
	scripts/install-deps.sh
fi
if [ -d tests/browser ] && [ -f tests/browser/package.json ]; then
	(cd tests/browser && { [ -d node_modules/playwright-core ] &&
	    [ -d node_modules/html-validate ] ||
	    npm install --no-audit --no-fund --loglevel=error; })
fi

[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure --quiet
make -j"$(nproc)" >/dev/null

# make check's own exit status is not ours: the summary decides.
rc=0
make -j"$(nproc)" check FRAMUGA_REQUIRE_BROWSER=1 || rc=$?

log=test-suite.log
if [ ! -f "$log" ]; then
	echo "no test-suite.log: the build or the test harness failed" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
# Per-test counts from the .trs files (TAP test cases).
pass=0 fail=0 skip=0
for t in $(find . -name '*.trs' -not -path './framuga-*' 2>/dev/null); do
	p=$(grep -c '^:test-result: PASS' "$t" || true)
	x=$(grep -c '^:test-result: XFAIL' "$t" || true)
	f=$(grep -c '^:test-result: \(FAIL\|XPASS\|ERROR\)' "$t" || true)
	s=$(grep -c '^:test-result: SKIP' "$t" || true)
	pass=$((pass + p + x)) fail=$((fail + f)) skip=$((skip + s))
done
if [ "$rc" != 0 ] && [ "$fail" = 0 ]; then
	fail=1	# the harness failed outside any counted test
fi
grep -h '^\(FAIL\|ERROR\|XPASS\)' "$log" 2>/dev/null | head -50 || true
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
