/*
 * thumb.h: product photo thumbnails (C1), made once when framuga-sync
 * stores an image, never while a customer waits.
 *
 * A stored image DATA_DIR/store/XX/SHA256 gets one JPEG per size on the
 * allow-list next to it: DATA_DIR/store/XX/SHA256.tN.jpg, N the long side
 * in pixels (aspect kept, never upscaled).  A missing thumbnail means "not
 * made" (not yet, or the image could not be decoded): the page then shows
 * the original.  No database column records them; the file is the record.
 *
 * Two files implement it so that the web worker does not link libgd:
 *  - thumb.c (libframuga): the sizes, the paths, reading an image's
 *    format and dimensions from its header;
 *  - thumb_make.c (framuga-sync, framuga-admin): decoding, scaling and
 *    writing with libgd.
 */
#ifndef FRAMUGA_THUMB_H
#define FRAMUGA_THUMB_H

#include <stddef.h>

/* The sizes made, smallest first: the long side in pixels. */
#define THUMB_SMALL	160
#define THUMB_LARGE	480
extern const int	thumb_sizes[];
extern const size_t	thumb_nsizes;

/* Refused above this many pixels (width x height from the header, before
 * anything is decoded): a 40 MP image already takes 160 MB decoded as
 * libgd's truecolor ints; a hostile header could claim far more. */
#define THUMB_MAX_PIXELS	(40L * 1000 * 1000)
/* Originals larger than this are not read into memory. */
#define THUMB_MAX_FILE		(64L * 1024 * 1024)

enum thumb_type {
	THUMB_T_NONE = 0,	/* not an image format we decode */
	THUMB_T_JPEG,
	THUMB_T_PNG,
	THUMB_T_GIF,
	THUMB_T_WEBP
};

enum thumb_err {
	THUMB_OK = 0,
	THUMB_E_TYPE,		/* not JPEG, PNG, GIF or WebP */
	THUMB_E_HEADER,		/* header truncated or malformed */
	THUMB_E_TOO_BIG,	/* above THUMB_MAX_PIXELS or THUMB_MAX_FILE */
	THUMB_E_DECODE,		/* libgd could not decode it */
	THUMB_E_IO		/* reading the original or writing a thumbnail */
};

/* 1 if size is on the allow-list (thumb_sizes), else 0. */
int	thumb_size_ok(int size);

/*
 * The path of a stored content's thumbnail: DATA_DIR/store/XX/SHA.tN.jpg.
 * sha must be 64 lowercase hex digits.  0, or -1 if it does not fit buf.
 */
int	thumb_path(char *buf, size_t bufsz, const char *data_dir,
	    const char *sha, int size);

/*
 * Format and dimensions from the first bytes of an image (p, n; 64 KiB
 * is plenty for every format here except a JPEG with large metadata
 * before its frame header, which then reads as THUMB_E_HEADER).  Nothing
 * is decoded or allocated.  THUMB_OK with *type, *w, *h set (w, h > 0),
 * THUMB_E_TYPE for another format, THUMB_E_HEADER for a header that is
 * cut short or makes no sense.
 */
enum thumb_err	thumb_probe(const unsigned char *p, size_t n,
		    enum thumb_type *type, int *w, int *h);

/*
 * thumb_probe() on the first 64 KiB of a file.  THUMB_E_IO if it cannot
 * be opened or read (a missing thumbnail, say).
 */
enum thumb_err	thumb_probe_file(const char *path, enum thumb_type *type,
		    int *w, int *h);

/*
 * The EXIF orientation of a JPEG (p, n: the file or its start): 1 (as
 * stored) to 8, read from the APP1 "Exif" segment's first IFD (tag
 * 0x0112) before the scan; 1 when there is none or it makes no sense.
 * Cameras and phones store pictures as the sensor saw them and say in
 * this tag how to turn them; browsers honour it, so the thumbnails must.
 */
int	thumb_jpeg_orientation(const unsigned char *p, size_t n);

/* The short English name of an error, for log lines. */
const char	*thumb_strerror(enum thumb_err);

/*
 * thumb_make.c (link with libgd): make every missing thumbnail of the
 * original at src (DATA_DIR/store/XX/SHA; each written as src.tN.jpg).
 * The header is checked first (type, THUMB_MAX_PIXELS), then the image is
 * decoded once and each size is scaled from it (area-averaging resampling,
 * aspect kept, never upscaled: a small original gives a JPEG of its own
 * size, turned as a JPEG's EXIF orientation says) and written to a temporary file in the same directory, fsync'd,
 * made 0644 and renamed into place, so a reader sees a whole thumbnail
 * or none.  Thumbnails already there are left alone (idempotent).
 * *made (may be NULL) counts the files written.  THUMB_OK, or the first
 * error with why (a sentence for the log) set; on an error no partial
 * file is left, but thumbnails finished before it stay.
 */
enum thumb_err	thumb_make(const char *src, int *made, char *why,
		    size_t whysz);

/*
 * Like thumb_make() but to explicit sizes and output paths, for the unit
 * tests and the benchmark: out[i] gets the long side sizes[i].
 */
enum thumb_err	thumb_make_to(const char *src, const int *sizes,
		    const char *const *out, size_t n, int *made, char *why,
		    size_t whysz);

#endif
