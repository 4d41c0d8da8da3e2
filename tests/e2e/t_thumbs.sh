#!/bin/sh
# t_thumbs.sh: product photo thumbnails end to end (C1; TAP).
#
# oknoerp-sim generates a small catalogue whose photos are SVG drawings;
# before the first sync the test gives them real raster content in the
# simulator's store (tests/e2e/mkimage draws them with libgd):
#  - every product's first photo: one 1200 x 800 JPEG (one content, stored
#    once, shared by all the products);
#  - product X: a 600 x 900 PNG (portrait);
#  - product Y: a JPEG cut in the middle of its data (corrupt).
# Then framuga-sync stores them the real way and must have made the
# thumbnails (160 and 480 px on the long side) of the good ones, read back
# here from the JPEG frame header (python3, stdlib only) and by libgd, and
# none of the corrupt one, with a log line, while the sync still succeeds.
# Through nginx: the route answers 200 image/jpeg inline with a long
# private max-age to a logged-in user, 404 for an unknown size, another
# product's photo, a product hidden in the user's language version and a
# photo without thumbnails; anonymous users are refused.  The product page
# shows the gallery (width, height, alt, loading=lazy) and falls back to
# the original for the corrupt photo.  `framuga-admin thumbs` remakes
# removed thumbnails, and a second run makes none.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/sync_lib.sh"

MKIMAGE=$top_builddir/tests/e2e/mkimage
ADMIN=$top_builddir/framuga-admin
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
[ -x "$MKIMAGE" ] || bail_out "no tests/e2e/mkimage (make check builds it)"

sync_init thumbs --products 40 --customers 3 --orders 0 --seed 7

# ---- raster photos in the simulator's store ------------------------------------------
IMG=$E2E_RUNDIR/img
mkdir -p "$IMG"
"$MKIMAGE" 1200 800 "$IMG/photo.jpg" || bail_out "mkimage photo.jpg"
"$MKIMAGE" 600 900 "$IMG/tall.png" || bail_out "mkimage tall.png"
"$MKIMAGE" 800 600 "$IMG/whole.jpg" || bail_out "mkimage whole.jpg"
head -c 4000 "$IMG/whole.jpg" >"$IMG/cut.jpg"
sha() { sha256sum "$1" | cut -d' ' -f1; }
bytes() { wc -c <"$1" | tr -d ' '; }
JSHA=$(sha "$IMG/photo.jpg") PSHA=$(sha "$IMG/tall.png") CSHA=$(sha "$IMG/cut.jpg")
# set_photo PRODUCT-UUID-SQL FILE TYPE NAME
set_photo() {
	sq "UPDATE file SET content = readfile('$2'), content_type = '$3',
	    file_name = '$4', size = $(bytes "$2"), sha256 = '$(sha "$2")'
	    WHERE kind = 0 AND pos = (SELECT min(pos) FROM file f
	      WHERE f.product = file.product AND f.kind = 0) AND product IN ($1)"
}
XU=$(sq "SELECT uuid FROM product WHERE uuid IN (SELECT product FROM file WHERE kind = 0) ORDER BY code LIMIT 1")
YU=$(sq "SELECT uuid FROM product WHERE uuid IN (SELECT product FROM file WHERE kind = 0) ORDER BY code LIMIT 1 OFFSET 1")
[ -n "$YU" ] || bail_out "the simulator made no photos"
set_photo "SELECT uuid FROM product" "$IMG/photo.jpg" image/jpeg foto.jpg
set_photo "'$XU'" "$IMG/tall.png" image/png pion.png
set_photo "'$YU'" "$IMG/cut.jpg" image/jpeg uszkodzone.jpg
is "$(sq "SELECT count(DISTINCT sha256) FROM file WHERE kind = 0 AND content_type LIKE 'image/%g'")" 3 \
    "the simulator's photos: one JPEG, one PNG, one corrupt JPEG"

# ---- the sync stores them and makes the thumbnails --------------------------------------
ok "framuga-sync fills the portal" sync --due
n=0
while [ "$(pq "SELECT count(*) FROM product_file WHERE stored = 0")" -gt 0 ] && [ $n -lt 5 ]; do
	sync run files; n=$((n + 1))
done
is "$(pq "SELECT count(*) FROM product_file WHERE stored = 0")" 0 "every file is stored"
is "$SYNC_STATUS" 0 "the sync succeeded, the corrupt photo notwithstanding"
is "$(pq "SELECT count(*) FROM product_file WHERE sha256 = '$CSHA' AND stored = 1")" 1 \
    "the corrupt photo's original is stored (and downloadable)"

STORE=$E2E_DATADIR/store
tpath() { echo "$STORE/$(echo "$1" | cut -c1-2)/$1.t$2.jpg"; }
# The size in a JPEG's frame header (SOFn), "W H"; python3 stdlib only.
jpeg_size() {
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
assert d[:2] == b'\xff\xd8', 'not a JPEG'
i = 2
while i < len(d):
    while d[i] == 0xff:
        i += 1
    m = d[i]; i += 1
    if m in (0xd8, 0x01) or 0xd0 <= m <= 0xd7:
        continue
    n = struct.unpack('>H', d[i:i + 2])[0]
    if 0xc0 <= m <= 0xcf and m not in (0xc4, 0xc8, 0xcc):
        h, w = struct.unpack('>HH', d[i + 3:i + 7])
        print(w, h); break
    i += n
EOF
}
is "$(jpeg_size "$(tpath "$JSHA" 160)")" "160 107" "the JPEG's small thumbnail: 160 x 107 (1200 x 800, aspect kept)"
is "$(jpeg_size "$(tpath "$JSHA" 480)")" "480 320" "its large one: 480 x 320"
is "$(jpeg_size "$(tpath "$PSHA" 160)")" "107 160" "the portrait PNG's small thumbnail: 107 x 160, a JPEG"
is "$(jpeg_size "$(tpath "$PSHA" 480)")" "320 480" "its large one: 320 x 480"
is "$("$MKIMAGE" size "$(tpath "$JSHA" 480)")" "480 320" "libgd decodes the thumbnail to the same size"
is "$(stat -c %a "$(tpath "$JSHA" 160)")" 644 "thumbnails are 0644 (nginx reads them)"
ok "the corrupt photo has no thumbnail" test ! -e "$(tpath "$CSHA" 160)" -a ! -e "$(tpath "$CSHA" 480)"
like "$(cat "$SYNC_LOG")" "no thumbnails: image does not decode" "and a log line says why"
is "$(find "$STORE" -name '*.jpg.*' | wc -l | tr -d ' ')" 0 "no temporary file is left in the store"
is "$(find "$STORE" -name '*.t160.jpg' | wc -l | tr -d ' ')" 2 "thumbnails only for the two raster photos (none for the SVGs, PDFs)"

# ---- serving -------------------------------------------------------------------------------
e2e_start
PW=okno-drzwi-parapet
CUST=$(pq "SELECT code FROM customer ORDER BY id LIMIT 1")
echo "$PW" | "$top_builddir/framuga-user" -c "$E2E_CONF" add --email foto@a.test \
    --name "Foto A" --password-stdin --customer "$CUST" --role buyer \
    >>"$E2E_RUNDIR/users.log" 2>&1 || bail_out "framuga-user add failed"
J=$E2E_RUNDIR/a.jar
http_get /login -b "$J" -c "$J"
T=$(http_body | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
http_request POST /login -b "$J" -c "$J" --data-urlencode "csrf=$T" \
    --data-urlencode "email=foto@a.test" --data-urlencode "password=$PW"
[ "$HTTP_STATUS" = 303 ] || bail_out "login failed ($HTTP_STATUS)"

vis="p.deleted_at IS NULL AND p.active = 1 AND EXISTS (SELECT 1 FROM
    product_visibility v WHERE v.product_id = p.id AND v.lang = 'pl')"
# P: a visible product with the JPEG; H: another, hidden in Polish later
P=$(pq "SELECT p.id FROM product p JOIN product_file f ON f.product_id = p.id
    WHERE f.sha256 = '$JSHA' AND $vis ORDER BY p.id LIMIT 1")
H=$(pq "SELECT p.id FROM product p JOIN product_file f ON f.product_id = p.id
    WHERE f.sha256 = '$JSHA' AND $vis ORDER BY p.id LIMIT 1 OFFSET 1")
X=$(pq "SELECT product_id FROM product_file WHERE sha256 = '$PSHA'")
Y=$(pq "SELECT product_id FROM product_file WHERE sha256 = '$CSHA'")
[ -n "$P" ] && [ -n "$H" ] || bail_out "no two visible products with the JPEG"
NAME=$(pq "SELECT name FROM product_text WHERE product_id = $P AND lang = 'pl'")

http_get "/catalog/p/$P/t/$JSHA/160" -b "$J"
is "$HTTP_STATUS" 200 "the small thumbnail answers 200 through nginx"
is "$(http_header Content-Type)" image/jpeg "as image/jpeg"
ok "the very file nginx read from the store" cmp -s "$HTTP_BODY" "$(tpath "$JSHA" 160)"
is "$(http_header Content-Disposition)" "" "inline (no attachment)"
like "$(http_header Cache-Control)" "^private, max-age=31536000" "cached privately for a year (the URL names the content)"
unlike "$(http_header Cache-Control)" "no-store" "and not no-store"
is "$(http_header X-Content-Type-Options)" nosniff "with the security headers"
http_get "/catalog/p/$P/t/$JSHA/480" -b "$J"
is "$HTTP_STATUS $(jpeg_size "$HTTP_BODY")" "200 480 320" "the large one: 480 x 320"
http_get "/catalog/p/$X/t/$PSHA/160" -b "$J"
is "$HTTP_STATUS $(http_header Content-Type)" "200 image/jpeg" "the PNG's thumbnail is a JPEG"
http_get "/catalog/p/$P/f/$JSHA" -b "$J"
like "$HTTP_STATUS $(http_header Content-Disposition)" "^200 attachment" "the original stays an attachment"

http_get "/catalog/p/$P/t/$JSHA/200" -b "$J"
is "$HTTP_STATUS" 404 "a size off the allow-list: 404"
http_get "/catalog/p/$P/t/$JSHA/0" -b "$J"
is "$HTTP_STATUS" 404 "size 0: 404"
http_get "/catalog/p/$P/t/$PSHA/160" -b "$J"
is "$HTTP_STATUS" 404 "another product's photo: 404"
http_get "/catalog/p/$P/t/$(printf '%064d' 0)/160" -b "$J"
is "$HTTP_STATUS" 404 "a photo nobody has: 404"
http_get "/catalog/p/$Y/t/$CSHA/160" -b "$J"
is "$HTTP_STATUS" 404 "the corrupt photo (no thumbnail): 404, nothing made in the request"
ok "still none on disk" test ! -e "$(tpath "$CSHA" 160)"
http_get "/catalog/p/$Y/f/$CSHA" -b "$J"
is "$HTTP_STATUS" 200 "its original stays downloadable"
http_get "/catalog/p/$P/t/$JSHA/160"
is "$HTTP_STATUS" 403 "a thumbnail needs a login"
unlike "$(http_header Content-Type)" "image/" "and shows no image to an anonymous user"

http_get "/catalog/p/$H/t/$JSHA/160" -b "$J"
is "$HTTP_STATUS" 200 "H's thumbnail answers while H is visible in Polish"
pq "DELETE FROM product_visibility WHERE product_id = $H AND lang = 'pl';
    INSERT OR IGNORE INTO product_visibility (product_id, lang) VALUES ($H, 'de')"
http_get "/catalog/p/$H/t/$JSHA/160" -b "$J"
is "$HTTP_STATUS" 404 "hidden in the Polish version (visible in German): 404 to a Polish user"
http_get "/catalog/p/$H/t/$JSHA/480" -b "$J"
is "$HTTP_STATUS" 404 "for every size"

# ---- the product page -----------------------------------------------------------------------
http_get "/catalog/p/$P" -b "$J"
is "$HTTP_STATUS" 200 "the product page answers"
page=$(tr -d '\n' <"$HTTP_BODY")
like "$page" "<a href=\"/catalog/p/$P/t/$JSHA/480\"><img class=\"product-thumb\" src=\"/catalog/p/$P/t/$JSHA/160\"" \
    "the gallery shows the small thumbnail, linking to the large one"
like "$page" "src=\"/catalog/p/$P/t/$JSHA/160\" alt=\"[^\"]+\" width=\"160\" height=\"107\" loading=\"lazy\"" \
    "with alt text, its width and height, loaded lazily"
like "$page" "alt=\"$(printf '%s' "$NAME" | sed 's/[][\.*^$|+?(){}]/\\&/g')\"" "the alt text is the product's name"
unlike "$page" "src=\"/catalog/p/$P/f/$JSHA\"" "the original is no longer put in an <img>"
http_get "/catalog/p/$X" -b "$J"
like "$(http_body)" "src=\"/catalog/p/$X/t/$PSHA/160\"[^>]* width=\"107\" height=\"160\"" "the portrait: 107 x 160"
http_get "/catalog/p/$Y" -b "$J"
like "$(http_body)" "<img class=\"product-photo\" src=\"/catalog/p/$Y/f/$CSHA\"" \
    "the corrupt photo: the page falls back to the original"
unlike "$(http_body)" "/t/$CSHA/" "and links no thumbnail of it"

# ---- the backfill ---------------------------------------------------------------------------
rm -f "$(tpath "$JSHA" 160)" "$(tpath "$JSHA" 480)" "$(tpath "$PSHA" 480)"
http_get "/catalog/p/$P" -b "$J"
like "$(http_body)" "<img class=\"product-photo\" src=\"/catalog/p/$P/f/$JSHA\"" \
    "thumbnails removed: the page shows the original again"
out=$("$ADMIN" -c "$E2E_CONF" thumbs 2>"$E2E_RUNDIR/thumbs.err")
is "$?" 0 "framuga-admin thumbs succeeds (a refused photo is no failure)"
like "$out" "^thumbnails: 3 photos, 2 made now, 0 had them, 1 refused" "it remade the missing ones and refused the corrupt one"
like "$(cat "$E2E_RUNDIR/thumbs.err")" "$CSHA: image does not decode" "naming the corrupt file"
is "$(jpeg_size "$(tpath "$JSHA" 160)") $(jpeg_size "$(tpath "$PSHA" 480)")" "160 107 320 480" "the same sizes as the sync's"
ino=$(stat -c %i "$(tpath "$JSHA" 160)")
out=$("$ADMIN" -c "$E2E_CONF" thumbs 2>/dev/null)
like "$out" "^thumbnails: 3 photos, 0 made now, 2 had them, 1 refused" "a second run makes nothing (idempotent)"
is "$(stat -c %i "$(tpath "$JSHA" 160)")" "$ino" "and leaves the files alone"
http_get "/catalog/p/$P" -b "$J"
like "$(http_body)" "src=\"/catalog/p/$P/t/$JSHA/160\"" "the page shows the thumbnail again"

done_testing
