#!/bin/sh
# replay.sh: replay every fuzz corpus through its harness, as a TAP test.
#
# For each harness NAME, that is each tests/fuzz/corpus/NAME/ directory and
# each harness this file insists on (OWNED), run the replay driver
# $top_builddir/tests/fuzz/replay_NAME (the harness linked with replay.c,
# no fuzzing engine) over the corpus: one TAP line per harness.  A harness
# that finds a bug aborts, and the line is "not ok" with its output below.
# A missing driver is "not ok" for the OWNED harnesses and skipped for the
# others (a module that is not built yet).  make check sets top_srcdir and
# top_builddir; run by hand, they default to this tree and ".".

OWNED="query cookie urlencoded multipart"

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
corpora=$top_srcdir/tests/fuzz/corpus

names=$OWNED
for d in "$corpora"/*/; do
	[ -d "$d" ] || continue
	n=$(basename "$d")
	case " $names " in
	*" $n "*) ;;
	*) names="$names $n" ;;
	esac
done

set -- $names
echo "1..$#"
i=0
log=${TMPDIR:-/tmp}/replay.$$.log
trap 'rm -f "$log"' EXIT
for name in $names; do
	i=$((i + 1))
	bin=$top_builddir/tests/fuzz/replay_$name
	dir=$corpora/$name
	owned=no
	case " $OWNED " in *" $name "*) owned=yes ;; esac
	if [ ! -x "$bin" ]; then
		if [ $owned = yes ]; then
			echo "not ok $i - $name: $bin not built"
		else
			echo "ok $i - $name # SKIP replay_$name not built"
		fi
		continue
	fi
	if [ ! -d "$dir" ]; then
		echo "not ok $i - $name: no corpus $dir"
		continue
	fi
	if "$bin" "$dir" >"$log" 2>&1; then
		echo "ok $i - $name: $(tail -n 1 "$log" | sed 's/^replay: //')"
	else
		echo "not ok $i - $name: replay failed"
		sed 's/^/# /' "$log"
	fi
done
exit 0
