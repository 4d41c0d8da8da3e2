/*
 * thumb.c: the part of the thumbnails (C1) every program may link: the
 * sizes on the allow-list, the paths, and reading an image's format and
 * dimensions from its first bytes.  No image library: the web worker uses
 * it to find a thumbnail and its width and height for the page, and
 * thumb_make.c uses it to refuse a huge image before libgd allocates
 * anything for it.  See thumb.h.
 *
 * The header readers trust nothing: every read is bounds-checked against
 * the bytes given, and a header that ends early or claims a zero or
 * absurd size is THUMB_E_HEADER.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "thumb.h"

const int	thumb_sizes[] = { THUMB_SMALL, THUMB_LARGE };
const size_t	thumb_nsizes = sizeof(thumb_sizes) / sizeof(thumb_sizes[0]);

/* How much of a file thumb_probe_file() reads. */
#define PROBE_BYTES	(64 * 1024)

int
thumb_size_ok(int size)
{
	size_t i;

	for (i = 0; i < thumb_nsizes; i++)
		if (thumb_sizes[i] == size)
			return 1;
	return 0;
}

int
thumb_path(char *buf, size_t bufsz, const char *data_dir, const char *sha,
    int size)
{
	int n;

	n = snprintf(buf, bufsz, "%s/store/%.2s/%s.t%d.jpg", data_dir, sha,
	    sha, size);
	return n < 0 || (size_t)n >= bufsz ? -1 : 0;
}

static unsigned
be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static unsigned
le16(const unsigned char *p)
{
	return (unsigned)p[1] << 8 | p[0];
}

static uint32_t
le24(const unsigned char *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/*
 * JPEG: walk the marker segments after SOI up to the first frame header
 * (SOFn: precision, height, width).  Reaching the scan (SOS) or the end
 * of the bytes first means no usable header.
 */
static enum thumb_err
probe_jpeg(const unsigned char *p, size_t n, int *w, int *h)
{
	size_t i = 2;
	unsigned m, len;

	for (;;) {
		/* a marker is FF xx, possibly after FF fill bytes */
		if (i >= n || p[i] != 0xff)
			return THUMB_E_HEADER;
		while (i < n && p[i] == 0xff)
			i++;
		if (i >= n)
			return THUMB_E_HEADER;
		m = p[i++];
		if (m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7))
			continue;		/* no length */
		if (m == 0xd9 || m == 0xda)
			return THUMB_E_HEADER;	/* end or scan before a frame */
		if (i + 2 > n)
			return THUMB_E_HEADER;
		len = be16(p + i);
		if (len < 2)
			return THUMB_E_HEADER;
		/* SOF0-SOF15 but DHT (C4), JPG (C8) and DAC (CC) */
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 &&
		    m != 0xcc) {
			if (len < 7 || i + 7 > n)
				return THUMB_E_HEADER;
			*h = (int)be16(p + i + 3);
			*w = (int)be16(p + i + 5);
			/* height 0: given later by DNL, which libjpeg
			 * refuses anyway */
			return *w > 0 && *h > 0 ? THUMB_OK : THUMB_E_HEADER;
		}
		i += len;
	}
}

/* PNG: the signature, then IHDR must come first (width, height). */
static enum thumb_err
probe_png(const unsigned char *p, size_t n, int *w, int *h)
{
	uint32_t pw, ph;

	if (n < 24 || be32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4) != 0)
		return THUMB_E_HEADER;
	pw = be32(p + 16);
	ph = be32(p + 20);
	/* the PNG limit is 2^31 - 1 */
	if (pw == 0 || ph == 0 || pw > INT32_MAX || ph > INT32_MAX)
		return THUMB_E_HEADER;
	*w = (int)pw;
	*h = (int)ph;
	return THUMB_OK;
}

/*
 * GIF: the logical screen's size.  libgd refuses a frame that does not
 * fit in the screen, so the screen bounds what it allocates.
 */
static enum thumb_err
probe_gif(const unsigned char *p, size_t n, int *w, int *h)
{
	if (n < 10)
		return THUMB_E_HEADER;
	*w = (int)le16(p + 6);
	*h = (int)le16(p + 8);
	return *w > 0 && *h > 0 ? THUMB_OK : THUMB_E_HEADER;
}

/*
 * WebP: RIFF....WEBP and its first chunk: VP8X (extended: the canvas),
 * VP8 (lossy: the key frame's header) or VP8L (lossless: 14-bit sizes).
 */
static enum thumb_err
probe_webp(const unsigned char *p, size_t n, int *w, int *h)
{
	uint32_t b;

	if (n < 30)
		return THUMB_E_HEADER;
	if (memcmp(p + 12, "VP8X", 4) == 0) {
		*w = (int)le24(p + 24) + 1;
		*h = (int)le24(p + 27) + 1;
	} else if (memcmp(p + 12, "VP8 ", 4) == 0) {
		if (p[23] != 0x9d || p[24] != 0x01 || p[25] != 0x2a)
			return THUMB_E_HEADER;
		*w = (int)(le16(p + 26) & 0x3fff);
		*h = (int)(le16(p + 28) & 0x3fff);
	} else if (memcmp(p + 12, "VP8L", 4) == 0) {
		if (p[20] != 0x2f)
			return THUMB_E_HEADER;
		b = (uint32_t)p[21] | (uint32_t)p[22] << 8 |
		    (uint32_t)p[23] << 16 | (uint32_t)p[24] << 24;
		*w = (int)(b & 0x3fff) + 1;
		*h = (int)((b >> 14) & 0x3fff) + 1;
	} else
		return THUMB_E_HEADER;
	return *w > 0 && *h > 0 ? THUMB_OK : THUMB_E_HEADER;
}

/*
 * The TIFF structure inside APP1 "Exif\0\0": a byte order mark ("II"
 * little-endian, "MM" big-endian), 42, the offset of IFD0; IFD0 is a
 * count and 12-byte entries (tag, type, count, value).  Orientation is a
 * SHORT, so its value sits in the first two bytes of the value field.
 * Every offset is checked against the segment's length.
 */
static int
exif_orientation(const unsigned char *t, size_t n)
{
	size_t ifd, cnt, i, e;
	unsigned v;
	int le;

	if (n < 8)
		return 1;
	if (t[0] == 'I' && t[1] == 'I')
		le = 1;
	else if (t[0] == 'M' && t[1] == 'M')
		le = 0;
	else
		return 1;
#define R16(q)	(le ? le16(q) : be16(q))
#define R32(q)	(le ? ((uint32_t)le16((q) + 2) << 16 | le16(q)) : be32(q))
	if (R16(t + 2) != 42)
		return 1;
	ifd = R32(t + 4);
	if (ifd < 8 || ifd > n - 2)
		return 1;
	cnt = R16(t + ifd);
	for (i = 0; i < cnt; i++) {
		e = ifd + 2 + i * 12;
		if (e + 12 > n)
			break;
		if (R16(t + e) != 0x0112)
			continue;
		/* type SHORT (3), count 1 */
		if (R16(t + e + 2) != 3 || R32(t + e + 4) != 1)
			return 1;
		v = R16(t + e + 8);
		return v >= 1 && v <= 8 ? (int)v : 1;
	}
#undef R16
#undef R32
	return 1;
}

int
thumb_jpeg_orientation(const unsigned char *p, size_t n)
{
	size_t i = 2;
	unsigned m, len;

	if (n < 4 || p[0] != 0xff || p[1] != 0xd8)
		return 1;
	for (;;) {
		if (i >= n || p[i] != 0xff)
			return 1;
		while (i < n && p[i] == 0xff)
			i++;
		if (i >= n)
			return 1;
		m = p[i++];
		if (m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7))
			continue;
		if (m == 0xd9 || m == 0xda || i + 2 > n)
			return 1;
		len = be16(p + i);
		if (len < 2 || i + len > n)
			return 1;
		if (m == 0xe1 && len >= 2 + 6 &&
		    memcmp(p + i + 2, "Exif\0\0", 6) == 0)
			return exif_orientation(p + i + 8, len - 8);
		i += len;
	}
}

enum thumb_err
thumb_probe(const unsigned char *p, size_t n, enum thumb_type *type, int *w,
    int *h)
{
	static const unsigned char png_sig[8] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
	};

	*type = THUMB_T_NONE;
	*w = *h = 0;
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) {
		*type = THUMB_T_JPEG;
		return probe_jpeg(p, n, w, h);
	}
	if (n >= 8 && memcmp(p, png_sig, 8) == 0) {
		*type = THUMB_T_PNG;
		return probe_png(p, n, w, h);
	}
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 ||
	    memcmp(p, "GIF89a", 6) == 0)) {
		*type = THUMB_T_GIF;
		return probe_gif(p, n, w, h);
	}
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0) {
		*type = THUMB_T_WEBP;
		return probe_webp(p, n, w, h);
	}
	return THUMB_E_TYPE;
}

/*
 * Reads 4 KiB first (a thumbnail of ours has its frame header within the
 * first few hundred bytes: the page asks for two per photo), and up to
 * PROBE_BYTES only when a header does not end within that.
 */
enum thumb_err
thumb_probe_file(const char *path, enum thumb_type *type, int *w, int *h)
{
	unsigned char buf[PROBE_BYTES];
	size_t n = 0, want = 4096;
	enum thumb_err e = THUMB_E_IO;
	ssize_t r;
	int fd;

	*type = THUMB_T_NONE;
	*w = *h = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return THUMB_E_IO;
	for (;;) {
		while (n < want) {
			if ((r = read(fd, buf + n, want - n)) == -1) {
				if (errno == EINTR)
					continue;
				e = THUMB_E_IO;
				goto out;
			}
			if (r == 0)
				break;
			n += (size_t)r;
		}
		e = thumb_probe(buf, n, type, w, h);
		if (e != THUMB_E_HEADER || n < want || want == sizeof(buf))
			break;
		want = sizeof(buf);
	}
out:
	close(fd);
	return e;
}

const char *
thumb_strerror(enum thumb_err e)
{
	switch (e) {
	case THUMB_OK:
		return "ok";
	case THUMB_E_TYPE:
		return "not a JPEG, PNG, GIF or WebP image";
	case THUMB_E_HEADER:
		return "image header truncated or malformed";
	case THUMB_E_TOO_BIG:
		return "image too large";
	case THUMB_E_DECODE:
		return "image does not decode";
	case THUMB_E_IO:
		return "input/output error";
	}
	return "unknown error";
}
