#!/bin/sh
# run-fuzz.sh: build one libFuzzer harness with ASan + UBSan and fuzz it.
#
#   tests/fuzz/run-fuzz.sh NAME SECONDS    fuzz NAME for SECONDS
#   tests/fuzz/run-fuzz.sh -merge NAME     fold into the seed corpus the run's
#                                          inputs that reach new code
#
# Run from the build tree (where config.h is; top_builddir overrides).  The
# harness tests/fuzz/fuzz_NAME.c and the library sources it needs (the
# table in harness_sources below: the only place that lists them) are built
# with clang -fsanitize=fuzzer,address,undefined -g -O1 outside the
# autotools build, into run/fuzz/NAME/ under the build tree.  The seed
# corpus tests/fuzz/corpus/NAME/ is copied to run/fuzz/NAME/corpus/, which
# the fuzzer grows; crashes land in run/fuzz/NAME/artifacts/.  At the end it
# prints the executions, exec/s, new inputs and findings (exit status 1 when
# there are findings).  CC (default clang) and FUZZ_FLAGS (extra libFuzzer
# flags) may be set.
set -eu

usage() {
	echo "usage: $0 NAME SECONDS | $0 -merge NAME" >&2
	exit 2
}

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=${top_builddir:-$PWD}
builddir=$(cd "$builddir" && pwd)
if [ ! -f "$builddir/config.h" ]; then
	echo "$0: no config.h in $builddir: run from the build tree" >&2
	exit 2
fi
CC=${CC:-clang}

# Library sources (relative to the source tree) and extra compiler and
# linker flags of each harness.
harness_sources() {
	case $1 in
	query|cookie|urlencoded|multipart)
		echo "cgi-src/lib/http.c cgi-src/lib/arena.c cgi-src/lib/log.c" ;;
	tmpl)
		echo "cgi-src/lib/tmpl.c cgi-src/lib/arena.c cgi-src/lib/log.c" ;;
	soap)
		echo "cgi-src/erp/erp.c cgi-src/erp/erp_soap.c" \
		    "cgi-src/lib/arena.c cgi-src/lib/log.c" ;;
	thumb)
		echo "cgi-src/lib/thumb.c" ;;
	*)
		echo "cgi-src/lib/arena.c cgi-src/lib/log.c" ;;
	esac
}
harness_flags() {
	case $1 in
	tmpl) pkg-config --cflags --libs jansson ;;
	soap)
		echo "-I$srcdir/cgi-src/erp"
		pkg-config --cflags --libs libxml-2.0 libcurl ;;
	esac
}

# libFuzzer dictionaries: tokens the parsers look for (inline, or in
# tests/fuzz/NAME.dict).
harness_dict() {
	case $1 in
	tmpl|soap)
		if [ -f "$srcdir/tests/fuzz/$1.dict" ]; then
			cat "$srcdir/tests/fuzz/$1.dict"
		fi ;;
	query|urlencoded) cat <<'DICT'
"&"
"="
"+"
"%"
"%00"
"%25"
"%2"
"%zz"
"%26"
"%3D"
DICT
	;;
	cookie) cat <<'DICT'
"; "
"="
"\""
"\x09"
"\x7f"
"__Host-"
","
";q="
"q=0"
"q=1.000"
"*"
"-"
"pl-PL"
"pt-br"
"multipart/form-data"
"boundary="
"; boundary=\"a b\""
"\\\""
DICT
	;;
	multipart) cat <<'DICT'
"\x0d\x0a"
"\x0d\x0a\x0d\x0a"
"--fuzzb"
"\x0d\x0a--fuzzb"
"\x0d\x0a--fuzzb\x0d\x0a"
"\x0d\x0a--fuzzb--"
"--"
"Content-Disposition: "
"form-data"
"; name="
"; filename="
"; filename*=UTF-8''"
"Content-Type: "
"\\\""
"C:\\"
"../"
"\x0d\x0a "
DICT
	;;
	esac
}

if [ $# -ge 1 ] && [ "$1" = -merge ]; then
	[ $# -eq 2 ] || usage
	name=$2
	secs=
else
	[ $# -eq 2 ] || usage
	name=$1
	secs=$2
	case $secs in ''|*[!0-9]*) usage ;; esac
fi
harness=$srcdir/tests/fuzz/fuzz_$name.c
seeds=$srcdir/tests/fuzz/corpus/$name
out=$builddir/run/fuzz/$name
[ -f "$harness" ] || { echo "$0: no harness $harness" >&2; exit 2; }
mkdir -p "$out/artifacts" "$seeds"

if [ -z "$secs" ]; then
	[ -x "$out/fuzz_$name" ] && [ -d "$out/corpus" ] ||
	    { echo "$0: run $name first" >&2; exit 2; }
	# Edges only (no hit counters) and short inputs: the seed corpus stays
	# a few dozen small files rather than every input libFuzzer kept.
	case $name in multipart) maxlen=2048 ;; soap) maxlen=4096 ;;
	*) maxlen=512 ;; esac
	before=$(ls "$seeds" | wc -l)
	"$out/fuzz_$name" -merge=1 -use_counters=0 -max_len=$maxlen \
	    "$seeds" "$out/corpus" >"$out/merge.log" 2>&1
	after=$(ls "$seeds" | wc -l)
	echo "$name: merged $((after - before)) new inputs into $seeds"
	exit 0
fi

srcs=$harness
for f in $(harness_sources "$name"); do
	srcs="$srcs $srcdir/$f"
done
echo "$name: building $out/fuzz_$name"
# shellcheck disable=SC2046,SC2086
$CC -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -fno-omit-frame-pointer -g -O1 -I"$builddir" -I"$srcdir/cgi-src/lib" \
    -o "$out/fuzz_$name" $srcs $(harness_flags "$name")

rm -rf "$out/corpus"
mkdir -p "$out/corpus"
if [ -n "$(ls "$seeds")" ]; then
	cp "$seeds"/* "$out/corpus/"
fi
dict=
harness_dict "$name" >"$out/$name.dict"
[ -s "$out/$name.dict" ] && dict=-dict=$out/$name.dict
findings_before=$(ls "$out/artifacts" | wc -l)

echo "$name: fuzzing for $secs s (log: $out/fuzz.log)"
set +e
# shellcheck disable=SC2086
(cd "$out" && ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    "./fuzz_$name" -max_total_time="$secs" -print_final_stats=1 \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix=artifacts/ \
    $dict ${FUZZ_FLAGS:-} corpus/) >"$out/fuzz.log" 2>&1
rc=$?
set -e

final_stat() {
	sed -n "s/^stat::$1: *//p" "$out/fuzz.log" | tail -n 1
}
findings=$(( $(ls "$out/artifacts" | wc -l) - findings_before ))
echo "$name: executions $(final_stat number_of_executed_units)," \
    "exec/s $(final_stat average_exec_per_sec)," \
    "new inputs $(final_stat new_units_added)," \
    "corpus $(ls "$out/corpus" | wc -l) files," \
    "peak RSS $(final_stat peak_rss_mb) MB"
if [ "$findings" -gt 0 ] || [ $rc -ne 0 ]; then
	echo "$name: FINDINGS: $findings (libFuzzer exit $rc)"
	ls "$out/artifacts"
	grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*check failed)' \
	    "$out/fuzz.log" | head -n 20
	exit 1
fi
echo "$name: findings: none"
