/*
 * fuzz_thumb.c: libFuzzer harness for the image header reader of the
 * photo thumbnails (thumb_probe(), cgi-src/lib/thumb.c), which reads the
 * ERP's files before libgd sees them (to refuse a picture too large to
 * decode) and the thumbnails' headers for the product page.  The input is
 * the start of a file, given to thumb_probe() and to
 * thumb_jpeg_orientation() (the EXIF tag of a JPEG).  Beyond "no crash"
 * (no read past the bytes given):
 *   - THUMB_OK gives a known type and a width and height above 0 that
 *     fit the format (16 bits for JPEG and GIF, 14 for VP8/VP8L, 24 for
 *     VP8X, 31 for PNG);
 *   - the type follows the magic bytes alone, whatever the result;
 *   - the answer depends only on the header: the same bytes followed by
 *     more give the same answer when the first gave THUMB_OK, and a
 *     THUMB_E_TYPE answer never turns into anything else;
 *   - the orientation is 1 to 8, and 1 for anything that is not a JPEG.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thumb.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

/* The type the first bytes announce, as thumb_probe() must read them. */
static enum thumb_type
magic(const uint8_t *p, size_t n)
{
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return THUMB_T_JPEG;
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return THUMB_T_PNG;
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 ||
	    memcmp(p, "GIF89a", 6) == 0))
		return THUMB_T_GIF;
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return THUMB_T_WEBP;
	return THUMB_T_NONE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum thumb_type t, t2;
	enum thumb_err e, e2;
	uint8_t *more;
	int w, h, w2, h2, o;

	e = thumb_probe(data, size, &t, &w, &h);
	CHECK(t == magic(data, size));
	CHECK((e == THUMB_E_TYPE) == (t == THUMB_T_NONE));
	CHECK(e == THUMB_OK || e == THUMB_E_TYPE || e == THUMB_E_HEADER);
	if (e == THUMB_OK) {
		CHECK(w > 0 && h > 0);
		switch (t) {
		case THUMB_T_JPEG:
		case THUMB_T_GIF:
			CHECK(w <= 65535 && h <= 65535);
			break;
		case THUMB_T_WEBP:
			CHECK(w <= (1 << 24) && h <= (1 << 24));
			break;
		default:
			break;
		}
	}
	o = thumb_jpeg_orientation(data, size);
	CHECK(o >= 1 && o <= 8);
	CHECK(t == THUMB_T_JPEG || o == 1);
	/* the same bytes and then some */
	if ((more = malloc(size + 64)) == NULL)
		return 0;
	if (size > 0)
		memcpy(more, data, size);
	memset(more + size, 0xff, 64);
	e2 = thumb_probe(more, size + 64, &t2, &w2, &h2);
	if (e == THUMB_OK)
		CHECK(e2 == THUMB_OK && t2 == t && w2 == w && h2 == h);
	if (e == THUMB_E_TYPE && size >= 12)
		CHECK(e2 == THUMB_E_TYPE);
	free(more);
	return 0;
}
