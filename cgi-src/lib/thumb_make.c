/*
 * thumb_make.c: making the thumbnails of a stored image with libgd (C1).
 * Linked only into the programs that make them (framuga-sync when it
 * stores a photo, framuga-admin thumbs for the backfill, the unit test and
 * the benchmark); the web worker only finds them (thumb.c).  See thumb.h.
 *
 * How it works: when every size is on disk already, nothing is read.
 * Otherwise the original is read into memory (at most THUMB_MAX_FILE),
 * its header is checked by thumb_probe() (a known format, at most
 * THUMB_MAX_PIXELS: libgd checks the multiplication for overflow but would
 * still allocate what a hostile header asks for), then it is decoded once,
 * with libjpeg's warnings (a truncated file, say) taken as errors.  Each
 * size is then resampled from the decoded original by
 * gdImageCopyResampled(), which averages every source pixel under a
 * destination pixel: a clean reduction at any ratio, where a plain
 * bilinear or bicubic kernel would alias at 4 MP -> 160 px.  Transparent
 * pixels (PNG, GIF, WebP) are composed on white, since JPEG has no alpha.
 * A JPEG's EXIF orientation (a phone's portrait stored on its side) is
 * applied to each scaled result, as browsers apply it to the original;
 * the thumbnail carries no EXIF, so it is stored the right way up.
 * Each result is encoded to memory and written through a temporary file
 * in the same directory, fsync'd, chmod 0644 and renamed over the final
 * name: a reader (nginx) sees a whole thumbnail or none.
 *
 * Why JPEG and not WebP: a 160 or 480 px thumbnail is 5-40 KB either way,
 * every browser a dealer may use (older Safari included) and every tool
 * reads JPEG, and its frame header gives the page the width and height
 * without a decoder.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gd.h>

#include "thumb.h"

/* JPEG quality of the thumbnails: no visible artefacts at these sizes. */
#define THUMB_QUALITY	82

/* libgd reports through a callback; keep its last message for "why"
 * (framuga-sync and framuga-admin are single-threaded). */
static char	gd_msg[256];

static void
gd_error(int priority, const char *fmt, va_list ap)
{
	size_t n;

	(void)priority;
	vsnprintf(gd_msg, sizeof(gd_msg), fmt, ap);
	n = strlen(gd_msg);
	while (n > 0 && (gd_msg[n - 1] == '\n' || gd_msg[n - 1] == ' '))
		gd_msg[--n] = '\0';
}

static int
is_file(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The whole file into a malloc'd buffer (the caller frees), at most
 * THUMB_MAX_FILE bytes. */
static enum thumb_err
read_all(const char *path, unsigned char **out, size_t *outn, char *why,
    size_t whysz)
{
	unsigned char *p = NULL;
	struct stat sb;
	size_t n = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		snprintf(why, whysz, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return THUMB_E_IO;
	}
	if (sb.st_size > THUMB_MAX_FILE) {
		snprintf(why, whysz, "%lld bytes, more than %ld",
		    (long long)sb.st_size, (long)THUMB_MAX_FILE);
		close(fd);
		return THUMB_E_TOO_BIG;
	}
	if ((p = malloc((size_t)sb.st_size + 1)) == NULL) {
		snprintf(why, whysz, "out of memory");
		close(fd);
		return THUMB_E_IO;
	}
	while (n < (size_t)sb.st_size) {
		if ((r = read(fd, p + n, (size_t)sb.st_size - n)) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(why, whysz, "%s: %s", path, strerror(errno));
			free(p);
			close(fd);
			return THUMB_E_IO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*out = p;
	*outn = n;
	return THUMB_OK;
}

/* Write p, n to path through a temporary file and rename(): 0 or -1. */
static int
write_atomic(const char *path, const void *p, size_t n, char *why,
    size_t whysz)
{
	char tmp[1100];
	const char *c = p;
	ssize_t w;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(why, whysz, "path too long");
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(why, whysz, "mkstemp %s: %s", tmp, strerror(errno));
		return -1;
	}
	while (n > 0) {
		if ((w = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		c += w;
		n -= (size_t)w;
	}
	/* nginx (another user, the same group or not) sends it */
	if (fchmod(fd, 0644) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	return 0;
fail:
	snprintf(why, whysz, "writing %s: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return -1;
}

static gdImagePtr
decode(enum thumb_type type, unsigned char *p, size_t n)
{
	switch (type) {
	case THUMB_T_JPEG:
		/* ignore_warning 0: libjpeg's warnings (premature end of
		 * data, corrupt entropy data) reach gd_error(), and the
		 * caller refuses the picture: a grey half-photo is no
		 * thumbnail */
		return gdImageCreateFromJpegPtrEx((int)n, p, 0);
	case THUMB_T_PNG:
		return gdImageCreateFromPngPtr((int)n, p);
	case THUMB_T_GIF:
		return gdImageCreateFromGifPtr((int)n, p);
	case THUMB_T_WEBP:
		return gdImageCreateFromWebpPtr((int)n, p);
	case THUMB_T_NONE:
		break;
	}
	return NULL;
}

/* src scaled so that its long side is at most size, on white. */
static gdImagePtr
scale(gdImagePtr src, int size)
{
	int sw = gdImageSX(src), sh = gdImageSY(src), dw, dh;
	gdImagePtr dst;

	if (sw <= size && sh <= size) {
		dw = sw;		/* never upscaled */
		dh = sh;
	} else if (sw >= sh) {
		dw = size;
		dh = (int)(((long)sh * size + sw / 2) / sw);
	} else {
		dh = size;
		dw = (int)(((long)sw * size + sh / 2) / sh);
	}
	if (dw < 1)
		dw = 1;
	if (dh < 1)
		dh = 1;
	if ((dst = gdImageCreateTrueColor(dw, dh)) == NULL)
		return NULL;
	gdImageFilledRectangle(dst, 0, 0, dw - 1, dh - 1,
	    gdTrueColor(255, 255, 255));
	gdImageAlphaBlending(dst, 1);
	gdImageCopyResampled(dst, src, 0, 0, 0, 0, dw, dh, sw, sh);
	return dst;
}

/*
 * im turned as EXIF orientation o (2-8) says, in a new image (im is left
 * alone).  Applied to the scaled thumbnail, not the original: the same
 * result at a fraction of the memory.  NULL when out of memory.
 */
static gdImagePtr
orient(gdImagePtr im, int o)
{
	int sw = gdImageSX(im), sh = gdImageSY(im), x, y, sx, sy;
	int swap = o >= 5;
	gdImagePtr d;

	if ((d = gdImageCreateTrueColor(swap ? sh : sw, swap ? sw : sh)) ==
	    NULL)
		return NULL;
	gdImageAlphaBlending(d, 0);
	for (y = 0; y < gdImageSY(d); y++)
		for (x = 0; x < gdImageSX(d); x++) {
			switch (o) {
			case 2:		/* mirrored */
				sx = sw - 1 - x; sy = y; break;
			case 3:		/* upside down */
				sx = sw - 1 - x; sy = sh - 1 - y; break;
			case 4:		/* mirrored upside down */
				sx = x; sy = sh - 1 - y; break;
			case 5:		/* transposed */
				sx = y; sy = x; break;
			case 6:		/* turned 90 degrees clockwise */
				sx = y; sy = sh - 1 - x; break;
			case 7:		/* transverse */
				sx = sw - 1 - y; sy = sh - 1 - x; break;
			default:	/* 8: turned 90 degrees anticlockwise */
				sx = sw - 1 - y; sy = x; break;
			}
			gdImageSetPixel(d, x, y,
			    gdImageGetTrueColorPixel(im, sx, sy));
		}
	return d;
}

enum thumb_err
thumb_make_to(const char *src, const int *sizes, const char *const *out,
    size_t n, int *made, char *why, size_t whysz)
{
	unsigned char *data = NULL;
	gdImagePtr im = NULL, t;
	enum thumb_type type;
	enum thumb_err e;
	size_t len = 0, i;
	void *jpg;
	int w, h, jn, rc, o = 1;

	if (made != NULL)
		*made = 0;
	*why = '\0';
	for (i = 0; i < n; i++)
		if (!is_file(out[i]))
			break;
	if (i == n)
		return THUMB_OK;		/* all there: idempotent */

	if ((e = read_all(src, &data, &len, why, whysz)) != THUMB_OK)
		return e;
	if ((e = thumb_probe(data, len, &type, &w, &h)) != THUMB_OK) {
		snprintf(why, whysz, "%s", thumb_strerror(e));
		goto out;
	}
	if ((long)w * h > THUMB_MAX_PIXELS) {
		snprintf(why, whysz, "%d x %d pixels, more than %ld", w, h,
		    (long)THUMB_MAX_PIXELS);
		e = THUMB_E_TOO_BIG;
		goto out;
	}
	if (type == THUMB_T_JPEG)
		o = thumb_jpeg_orientation(data, len);
	gd_msg[0] = '\0';
	gdSetErrorMethod(gd_error);
	im = decode(type, data, len);
	gdClearErrorMethod();
	/* libgd returns libjpeg's half-decoded picture after a warning
	 * (premature end, corrupt data) and only reports it */
	if (im != NULL && type == THUMB_T_JPEG && gd_msg[0] != '\0') {
		gdImageDestroy(im);
		im = NULL;
	}
	if (im == NULL || (!gdImageTrueColor(im) &&
	    !gdImagePaletteToTrueColor(im))) {
		snprintf(why, whysz, "does not decode%s%s",
		    gd_msg[0] != '\0' ? ": " : "", gd_msg);
		e = THUMB_E_DECODE;
		goto out;
	}
	/* the decoded pixels are all we need now */
	free(data);
	data = NULL;
	for (i = 0; i < n; i++) {
		if (is_file(out[i]))
			continue;
		if ((t = scale(im, sizes[i])) != NULL && o != 1) {
			gdImagePtr r = orient(t, o);

			gdImageDestroy(t);
			t = r;
		}
		if (t == NULL) {
			snprintf(why, whysz, "out of memory scaling to %d",
			    sizes[i]);
			e = THUMB_E_IO;
			goto out;
		}
		jpg = gdImageJpegPtr(t, &jn, THUMB_QUALITY);
		gdImageDestroy(t);
		if (jpg == NULL) {
			snprintf(why, whysz, "JPEG encoding failed");
			e = THUMB_E_IO;
			goto out;
		}
		rc = write_atomic(out[i], jpg, (size_t)jn, why, whysz);
		gdFree(jpg);
		if (rc == -1) {
			e = THUMB_E_IO;
			goto out;
		}
		if (made != NULL)
			(*made)++;
	}
	e = THUMB_OK;
out:
	if (im != NULL)
		gdImageDestroy(im);
	free(data);
	return e;
}

enum thumb_err
thumb_make(const char *src, int *made, char *why, size_t whysz)
{
	char paths[8][1100];
	const char *out[8];
	size_t i;

	if (thumb_nsizes > 8) {
		snprintf(why, whysz, "too many sizes");
		return THUMB_E_IO;
	}
	for (i = 0; i < thumb_nsizes; i++) {
		if (snprintf(paths[i], sizeof(paths[i]), "%s.t%d.jpg", src,
		    thumb_sizes[i]) >= (int)sizeof(paths[i])) {
			snprintf(why, whysz, "path too long");
			return THUMB_E_IO;
		}
		out[i] = paths[i];
	}
	return thumb_make_to(src, thumb_sizes, out, thumb_nsizes, made, why,
	    whysz);
}
