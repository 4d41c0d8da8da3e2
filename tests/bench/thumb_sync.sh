#!/bin/sh
# thumb_sync.sh: what the photo thumbnails (C1) cost framuga-sync (prints
# figures; not a pass/fail test).
#
#	tests/bench/thumb_sync.sh	(PHOTOS=50, W=2000, H=1500: 3 MP)
#
# oknoerp-sim generates PHOTOS products; each product's photo is replaced
# by a distinct W x H JPEG (tests/e2e/mkimage, quality 75, like a
# camera's export).  After a first full sync, the file fetch is run twice
# under /usr/bin/time on the same rows, the store emptied in between:
#  1. the photos declared as a type the sync does not thumbnail (the cost
#     of fetching and storing alone);
#  2. declared image/jpeg: the same plus two thumbnails per photo.
# It prints wall time and peak RSS of each run, the difference per photo,
# and tests/bench/thumb_bench's figures for one photo of that size.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
PHOTOS=${PHOTOS:-50}
W=${W:-2000}
H=${H:-1500}
MKIMAGE=$top_builddir/tests/e2e/mkimage
TB=$top_builddir/tests/bench/thumb_bench
for b in "$MKIMAGE" "$TB" "$top_builddir/framuga-sync"; do
	[ -x "$b" ] || { echo "thumb_sync: build $b first (make check)" >&2; exit 1; }
done
. "$top_srcdir/tests/e2e/sync_lib.sh"

sync_init thumb-bench --products "$PHOTOS" --customers 3 --orders 0 --seed 5
IMG=$E2E_RUNDIR/img
mkdir -p "$IMG"
i=0
for u in $(sq "SELECT product FROM file WHERE kind = 0 ORDER BY product"); do
	# a distinct content each: one pixel wider every time
	"$MKIMAGE" $((W + i)) "$H" "$IMG/$i.jpg" || exit 1
	s=$(sha256sum "$IMG/$i.jpg" | cut -d' ' -f1)
	sq "UPDATE file SET content = readfile('$IMG/$i.jpg'),
	    content_type = 'image/jpeg', size = $(wc -c <"$IMG/$i.jpg"),
	    sha256 = '$s' WHERE kind = 0 AND product = '$u'"
	i=$((i + 1))
done
echo "# $i photos of ${W}x${H} ($(du -sk "$IMG" | cut -f1) KiB of JPEG)"
FRAMUGA_SYNC_DOCS_MAX=1000 sync --due
export FRAMUGA_SYNC_DOCS_MAX=1000

# run_files LABEL: the file fetch of every product file, from scratch
run_files() {
	rm -rf "$E2E_DATADIR/store"
	pq "UPDATE product_file SET stored = 0"
	/usr/bin/time -f '%e %M' -o "$E2E_RUNDIR/time" \
	    "$SYNC" -c "$E2E_CONF" run files >>"$SYNC_LOG" 2>&1
	read -r secs kb <"$E2E_RUNDIR/time"
	n=$(find "$E2E_DATADIR/store" -name '*.t160.jpg' | wc -l)
	echo "$1: $secs s, peak RSS $((kb / 1024)) MiB, $n photos with thumbnails"
	eval "${2}_s=$secs ${2}_kb=$kb"
}
pq "UPDATE product_file SET mime = 'image/x-bench' WHERE kind = 'photo'"
run_files "files run, no thumbnails" plain
pq "UPDATE product_file SET mime = 'image/jpeg' WHERE kind = 'photo'"
run_files "files run, 2 thumbnails per photo" thumbs
awk -v a="$plain_s" -v b="$thumbs_s" -v n="$i" \
    'BEGIN { printf "thumbnails cost %.0f ms a photo in the sync\n", (b - a) * 1000 / n }'
echo "one photo alone (tests/bench/thumb_bench $W $H):"
"$TB" "$W" "$H" 5 | sed 's/^/  /'
done_testing >/dev/null
