/*
 * test_thumb.c: unit tests of the thumbnails (cgi-src/lib/thumb.c and
 * thumb_make.c; cmocka, TAP).
 *
 * The header reader on hand-written headers of every format and on
 * garbage; then thumb_make_to() on images drawn with libgd into a private
 * temporary directory: a landscape PNG and a portrait JPEG scaled to both
 * sizes with the aspect kept, a small image never upscaled, transparency
 * on white, a JPEG's EXIF orientation applied, a truncated JPEG and PNG
 * refused, headers claiming more than
 * THUMB_MAX_PIXELS refused before decoding, and the output written whole
 * (0644, no temporary file left, an existing thumbnail left alone, a
 * directory that cannot be written leaves nothing).
 */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <gd.h>

#include "thumb.h"

static char tmpdir[256];

static void
path_in(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", tmpdir, name);
}

static void
write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* A w x h picture (a gradient and a dark diagonal band) as PNG or JPEG;
 * keep > 0 writes only the first keep bytes (a truncated file). */
static void
draw(const char *path, int w, int h, int jpeg, int keep)
{
	gdImagePtr im = gdImageCreateTrueColor(w, h);
	void *p;
	int x, y, n;

	assert_non_null(im);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			gdImageSetPixel(im, x, y, abs(x * h / w - y) < h / 10 ?
			    gdTrueColor(20, 30, 40) :
			    gdTrueColor(x * 255 / w, y * 255 / h, 128));
	p = jpeg ? gdImageJpegPtr(im, &n, 85) : gdImagePngPtr(im, &n);
	assert_non_null(p);
	write_file(path, p, keep > 0 && keep < n ? (size_t)keep : (size_t)n);
	gdFree(p);
	gdImageDestroy(im);
}

static void
assert_jpeg_size(const char *path, int w, int h)
{
	enum thumb_type type;
	int pw, ph;

	assert_int_equal(thumb_probe_file(path, &type, &pw, &ph), THUMB_OK);
	assert_int_equal(type, THUMB_T_JPEG);
	assert_int_equal(pw, w);
	assert_int_equal(ph, h);
}

static int
exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* Number of directory entries whose name contains s (".t160.jpg.": a
 * temporary file left over). */
static int
count_named(const char *s)
{
	struct dirent *d;
	DIR *dir = opendir(tmpdir);
	int n = 0;

	assert_non_null(dir);
	while ((d = readdir(dir)) != NULL)
		if (strstr(d->d_name, s) != NULL)
			n++;
	closedir(dir);
	return n;
}

/* ---- the header reader ---- */

static void
test_probe_headers(void **state)
{
	/* JPEG: SOI, an APP0 of 4 bytes, SOF0 of 400 x 300 */
	static const unsigned char jpg[] = {
		0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00,
		0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0x2c, 0x01, 0x90, 0x03
	};
	static const unsigned char png[] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
		0, 0, 0, 13, 'I', 'H', 'D', 'R',
		0, 0, 0x03, 0x20, 0, 0, 0x02, 0x58, 8, 2, 0, 0, 0
	};
	static const unsigned char gif[] = {
		'G', 'I', 'F', '8', '9', 'a', 0x40, 0x01, 0xf0, 0x00, 0, 0, 0
	};
	/* WebP extended: canvas 1024 x 768 stored minus one, 24-bit LE */
	static const unsigned char webpx[30] = {
		'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P',
		'V', 'P', '8', 'X', 10, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0x03, 0x00, 0xff, 0x02, 0x00
	};
	/* WebP lossless: 0x2f, then 14 bits width-1 (99), 14 bits
	 * height-1 (49) */
	static const unsigned char webpl[30] = {
		'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P',
		'V', 'P', '8', 'L', 10, 0, 0, 0, 0x2f,
		99 & 0xff, ((99 >> 8) & 0x3f) | ((49 & 0x3) << 6),
		(49 >> 2) & 0xff, 0, 0, 0, 0, 0, 0
	};
	enum thumb_type t;
	int w, h;

	(void)state;
	assert_int_equal(thumb_probe(jpg, sizeof(jpg), &t, &w, &h), THUMB_OK);
	assert_int_equal(t, THUMB_T_JPEG);
	assert_int_equal(w, 400);
	assert_int_equal(h, 300);
	assert_int_equal(thumb_probe(png, sizeof(png), &t, &w, &h), THUMB_OK);
	assert_int_equal(t, THUMB_T_PNG);
	assert_int_equal(w, 800);
	assert_int_equal(h, 600);
	assert_int_equal(thumb_probe(gif, sizeof(gif), &t, &w, &h), THUMB_OK);
	assert_int_equal(t, THUMB_T_GIF);
	assert_int_equal(w, 320);
	assert_int_equal(h, 240);
	assert_int_equal(thumb_probe(webpx, sizeof(webpx), &t, &w, &h),
	    THUMB_OK);
	assert_int_equal(t, THUMB_T_WEBP);
	assert_int_equal(w, 1024);
	assert_int_equal(h, 768);
	assert_int_equal(thumb_probe(webpl, sizeof(webpl), &t, &w, &h),
	    THUMB_OK);
	assert_int_equal(w, 100);
	assert_int_equal(h, 50);

	/* cut short anywhere: a header error, never a read past the end */
	for (size_t n = 3; n < 17; n++)	/* 17: through the width */
		assert_int_equal(thumb_probe(jpg, n, &t, &w, &h),
		    THUMB_E_HEADER);
	for (size_t n = 8; n < 24; n++)
		assert_int_equal(thumb_probe(png, n, &t, &w, &h),
		    THUMB_E_HEADER);
	assert_int_equal(thumb_probe((const unsigned char *)"%PDF-1.4\n", 9,
	    &t, &w, &h), THUMB_E_TYPE);
	assert_int_equal(thumb_probe((const unsigned char *)"<svg/>", 6, &t,
	    &w, &h), THUMB_E_TYPE);
	assert_int_equal(thumb_probe((const unsigned char *)"", 0, &t, &w,
	    &h), THUMB_E_TYPE);
}

static void
test_sizes_and_paths(void **state)
{
	char p[200];

	(void)state;
	assert_int_equal(thumb_size_ok(THUMB_SMALL), 1);
	assert_int_equal(thumb_size_ok(THUMB_LARGE), 1);
	assert_int_equal(thumb_size_ok(0), 0);
	assert_int_equal(thumb_size_ok(161), 0);
	assert_int_equal(thumb_path(p, sizeof(p), "/d", "ab01" "0000000000"
	    "000000000000000000000000000000000000000000000000000000", 160), 0);
	assert_string_equal(p, "/d/store/ab/ab010000000000000000000000000000"
	    "000000000000000000000000000000000000.t160.jpg");
	assert_int_equal(thumb_path(p, 10, "/d", "ab01", 160), -1);
}

/* ---- making them ---- */

static void
make_two(const char *src, char o1[600], char o2[600], int *made,
    enum thumb_err want)
{
	static const int sizes[] = { THUMB_SMALL, THUMB_LARGE };
	const char *out[2];
	char why[256];

	snprintf(o1, 600, "%s.t%d.jpg", src, THUMB_SMALL);
	snprintf(o2, 600, "%s.t%d.jpg", src, THUMB_LARGE);
	out[0] = o1;
	out[1] = o2;
	assert_int_equal(thumb_make_to(src, sizes, out, 2, made, why,
	    sizeof(why)), want);
	if (want != THUMB_OK)
		assert_true(why[0] != '\0');
}

static void
test_landscape_png(void **state)
{
	char src[512], o1[600], o2[600];
	struct stat sb;
	int made;

	(void)state;
	path_in(src, sizeof(src), "land.png");
	draw(src, 1000, 500, 0, 0);
	make_two(src, o1, o2, &made, THUMB_OK);
	assert_int_equal(made, 2);
	assert_jpeg_size(o1, 160, 80);
	assert_jpeg_size(o2, 480, 240);
	/* readable by nginx, whatever the umask */
	assert_int_equal(stat(o1, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	assert_int_equal(count_named(".t160.jpg.") + count_named(".t480.jpg."), 0);
	assert_int_equal(count_named("land.png"), 3);	/* no temp left */
}

static void
test_portrait_jpeg(void **state)
{
	char src[512], o1[600], o2[600];
	int made;

	(void)state;
	path_in(src, sizeof(src), "port.jpg");
	draw(src, 300, 900, 1, 0);
	make_two(src, o1, o2, &made, THUMB_OK);
	assert_int_equal(made, 2);
	assert_jpeg_size(o1, 53, 160);		/* 300 x 160 / 900 = 53.3 */
	assert_jpeg_size(o2, 160, 480);
}

static void
test_no_upscaling(void **state)
{
	char src[512], o1[600], o2[600];
	int made;

	(void)state;
	path_in(src, sizeof(src), "small.png");
	draw(src, 120, 90, 0, 0);
	make_two(src, o1, o2, &made, THUMB_OK);
	assert_jpeg_size(o1, 120, 90);
	assert_jpeg_size(o2, 120, 90);
}

static void
test_transparent_on_white(void **state)
{
	char src[512], o1[600], o2[600];
	gdImagePtr im;
	void *p;
	int n, made, c;

	(void)state;
	path_in(src, sizeof(src), "alpha.png");
	im = gdImageCreateTrueColor(200, 100);
	gdImageAlphaBlending(im, 0);
	gdImageSaveAlpha(im, 1);
	gdImageFilledRectangle(im, 0, 0, 199, 99,
	    gdTrueColorAlpha(0, 0, 0, gdAlphaTransparent));
	p = gdImagePngPtr(im, &n);
	write_file(src, p, (size_t)n);
	gdFree(p);
	gdImageDestroy(im);
	make_two(src, o1, o2, &made, THUMB_OK);
	im = gdImageCreateFromFile(o1);
	assert_non_null(im);
	c = gdImageGetTrueColorPixel(im, 50, 40);
	/* white (JPEG may be off by a step or two), not black */
	assert_true(gdTrueColorGetRed(c) > 245 && gdTrueColorGetGreen(c) > 245 &&
	    gdTrueColorGetBlue(c) > 245);
	gdImageDestroy(im);
}

static void
test_truncated_refused(void **state)
{
	char src[512], o1[600], o2[600];
	int made = -1;

	(void)state;
	/* a JPEG cut in the middle of its scan: libjpeg would fill the rest
	 * with grey and warn; the warning is an error here */
	path_in(src, sizeof(src), "cut.jpg");
	draw(src, 800, 600, 1, 3000);
	make_two(src, o1, o2, &made, THUMB_E_DECODE);
	assert_int_equal(made, 0);
	assert_false(exists(o1));
	assert_false(exists(o2));
	path_in(src, sizeof(src), "cut.png");
	draw(src, 800, 600, 0, 2000);
	make_two(src, o1, o2, &made, THUMB_E_DECODE);
	assert_false(exists(o1));
	assert_false(exists(o2));
	/* a header and nothing else */
	path_in(src, sizeof(src), "head.jpg");
	draw(src, 800, 600, 1, 0);
	{
		FILE *f = fopen(src, "r+b");

		assert_non_null(f);
		assert_int_equal(ftruncate(fileno(f), 12), 0);
		fclose(f);
	}
	make_two(src, o1, o2, &made, THUMB_E_HEADER);
	assert_false(exists(o1));
	assert_int_equal(count_named(".t160.jpg.") + count_named(".t480.jpg."), 0);
	/* not an image */
	path_in(src, sizeof(src), "text.jpg");
	write_file(src, "hello, world\n", 13);
	make_two(src, o1, o2, &made, THUMB_E_TYPE);
	assert_false(exists(o1));
	/* missing */
	path_in(src, sizeof(src), "missing.png");
	make_two(src, o1, o2, &made, THUMB_E_IO);
}

static void
test_oversized_header_refused(void **state)
{
	/* a PNG claiming 10000 x 10000 (100 MP), and nothing else */
	static const unsigned char png[] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
		0, 0, 0, 13, 'I', 'H', 'D', 'R',
		0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10, 8, 2, 0, 0, 0,
		0x12, 0x34, 0x56, 0x78
	};
	/* a JPEG claiming 65535 x 65535 */
	static const unsigned char jpg[] = {
		0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0xff, 0xff, 0xff,
		0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1
	};
	char src[512], o1[600], o2[600];
	int made;

	(void)state;
	path_in(src, sizeof(src), "huge.png");
	write_file(src, png, sizeof(png));
	make_two(src, o1, o2, &made, THUMB_E_TOO_BIG);
	assert_false(exists(o1));
	path_in(src, sizeof(src), "huge.jpg");
	write_file(src, jpg, sizeof(jpg));
	make_two(src, o1, o2, &made, THUMB_E_TOO_BIG);
	assert_false(exists(o1));
	assert_false(exists(o2));
}

static void
test_idempotent_and_atomic(void **state)
{
	char src[512], o1[600], o2[600], dir[600], why[256];
	struct stat a, b;
	int made;

	(void)state;
	path_in(src, sizeof(src), "again.png");
	draw(src, 640, 480, 0, 0);
	make_two(src, o1, o2, &made, THUMB_OK);
	assert_int_equal(made, 2);
	assert_int_equal(stat(o1, &a), 0);
	/* again: nothing made, the file is the same one */
	make_two(src, o1, o2, &made, THUMB_OK);
	assert_int_equal(made, 0);
	assert_int_equal(stat(o1, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	/* one missing: only that one is made */
	assert_int_equal(unlink(o2), 0);
	make_two(src, o1, o2, &made, THUMB_OK);
	assert_int_equal(made, 1);
	assert_jpeg_size(o2, 480, 360);

	/* thumb_make(): the production names, next to the original */
	path_in(dir, sizeof(dir), "store");
	assert_int_equal(mkdir(dir, 0755), 0);
	path_in(src, sizeof(src), "store/abcd");
	draw(src, 2000, 1000, 1, 0);
	assert_int_equal(thumb_make(src, &made, why, sizeof(why)), THUMB_OK);
	assert_int_equal(made, 2);
	snprintf(o1, sizeof(o1), "%s.t160.jpg", src);
	assert_jpeg_size(o1, 160, 80);
	snprintf(o1, sizeof(o1), "%s.t480.jpg", src);
	assert_jpeg_size(o1, 480, 240);

	/* a directory nothing can be written to: an error, no file (root
	 * ignores permissions, so only when not root) */
	if (geteuid() != 0) {
		path_in(dir, sizeof(dir), "ro");
		assert_int_equal(mkdir(dir, 0755), 0);
		path_in(src, sizeof(src), "ro/x.png");
		draw(src, 400, 300, 0, 0);
		assert_int_equal(chmod(dir, 0555), 0);
		make_two(src, o1, o2, &made, THUMB_E_IO);
		assert_false(exists(o1));
		assert_int_equal(chmod(dir, 0755), 0);
	}
}

/* A 400 x 200 JPEG, left half red, right half blue, with an APP1 Exif
 * segment saying orientation o (big-endian TIFF when be); the test draws
 * it as a sensor would store it, the tag says how to turn it. */
static void
draw_oriented(const char *path, int o, int be)
{
	unsigned char app1[2 + 2 + 6 + 8 + 2 + 12 + 4];
	gdImagePtr im = gdImageCreateTrueColor(400, 200);
	unsigned char *p, *t;
	FILE *f;
	int n;

	assert_non_null(im);
	gdImageFilledRectangle(im, 0, 0, 199, 199, gdTrueColor(255, 0, 0));
	gdImageFilledRectangle(im, 200, 0, 399, 199, gdTrueColor(0, 0, 255));
	p = gdImageJpegPtr(im, &n, 90);
	gdImageDestroy(im);
	assert_non_null(p);
	memset(app1, 0, sizeof(app1));
	app1[0] = 0xff;
	app1[1] = 0xe1;
	app1[3] = sizeof(app1) - 2;
	memcpy(app1 + 4, "Exif\0\0", 6);
	t = app1 + 10;
	if (be) {
		memcpy(t, "MM\0*\0\0\0\x08", 8);
		memcpy(t + 8, "\0\x01\x01\x12\0\x03\0\0\0\x01", 10);
		t[18] = 0;
		t[19] = (unsigned char)o;
	} else {
		memcpy(t, "II*\0\x08\0\0\0", 8);
		memcpy(t + 8, "\x01\0\x12\x01\x03\0\x01\0\0\0", 10);
		t[18] = (unsigned char)o;
		t[19] = 0;
	}
	f = fopen(path, "wb");
	assert_non_null(f);
	fwrite(p, 1, 2, f);			/* SOI */
	fwrite(app1, 1, sizeof(app1), f);
	fwrite(p + 2, 1, (size_t)n - 2, f);
	fclose(f);
	gdFree(p);
}

/* 'r' or 'b': the dominant colour of a thumbnail's pixel. */
static char
colour_at(const char *path, int x, int y)
{
	gdImagePtr im = gdImageCreateFromFile(path);
	int c;

	assert_non_null(im);
	c = gdImageGetTrueColorPixel(im, x, y);
	gdImageDestroy(im);
	return gdTrueColorGetRed(c) > gdTrueColorGetBlue(c) ? 'r' : 'b';
}

static void
test_exif_orientation(void **state)
{
	char src[512], o1[600], o2[600];
	unsigned char buf[4096];
	FILE *f;
	size_t n;
	int made;

	(void)state;
	path_in(src, sizeof(src), "exif6.jpg");
	draw_oriented(src, 6, 0);
	f = fopen(src, "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(thumb_jpeg_orientation(buf, n), 6);
	/* cut anywhere before the tag's value: no orientation, no over-read */
	for (size_t k = 0; k < 2 + 4 + 6 + 8 + 2 + 10; k++)
		assert_int_equal(thumb_jpeg_orientation(buf, k), 1);
	/* turned 90 degrees clockwise: the left (red) comes on top */
	make_two(src, o1, o2, &made, THUMB_OK);
	assert_jpeg_size(o1, 80, 160);
	assert_jpeg_size(o2, 200, 400);	/* 400 x 200 not upscaled, turned */
	assert_int_equal(colour_at(o1, 40, 20), 'r');
	assert_int_equal(colour_at(o1, 40, 140), 'b');
	/* 8, big-endian TIFF: anticlockwise, the right (blue) on top */
	path_in(src, sizeof(src), "exif8.jpg");
	draw_oriented(src, 8, 1);
	make_two(src, o1, o2, &made, THUMB_OK);
	assert_jpeg_size(o1, 80, 160);
	assert_int_equal(colour_at(o1, 40, 20), 'b');
	assert_int_equal(colour_at(o1, 40, 140), 'r');
	/* 3: upside down, the same size, blue on the left */
	path_in(src, sizeof(src), "exif3.jpg");
	draw_oriented(src, 3, 0);
	make_two(src, o1, o2, &made, THUMB_OK);
	assert_jpeg_size(o1, 160, 80);
	assert_int_equal(colour_at(o1, 20, 40), 'b');
	assert_int_equal(colour_at(o1, 140, 40), 'r');
	/* 1 and nonsense (9): as stored */
	path_in(src, sizeof(src), "exif9.jpg");
	draw_oriented(src, 9, 0);
	make_two(src, o1, o2, &made, THUMB_OK);
	assert_jpeg_size(o1, 160, 80);
	assert_int_equal(colour_at(o1, 20, 40), 'r');
}

static int
setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_thumb.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_headers),
		cmocka_unit_test(test_sizes_and_paths),
		cmocka_unit_test(test_landscape_png),
		cmocka_unit_test(test_portrait_jpeg),
		cmocka_unit_test(test_no_upscaling),
		cmocka_unit_test(test_transparent_on_white),
		cmocka_unit_test(test_exif_orientation),
		cmocka_unit_test(test_truncated_refused),
		cmocka_unit_test(test_oversized_header_refused),
		cmocka_unit_test(test_idempotent_and_atomic),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
