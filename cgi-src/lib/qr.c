/*
 * qr.c: a QR code as SVG path data (qr.h).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <qrencode.h>

#include "arena.h"
#include "log.h"
#include "qr.h"

const char *
qr_svg_path(struct arena *a, const char *text, int *size)
{
	struct buf b = BUF_INIT;
	QRcode *qr;
	const char *out;
	int x, y, run, w;

	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8,
	    1)) == NULL) {
		log_err("qr: cannot encode %zu bytes: %s", strlen(text),
		    strerror(errno));
		return NULL;
	}
	w = qr->width;
	for (y = 0; y < w; y++)
		for (x = 0; x < w; x += run > 0 ? run : 1) {
			/* bit 0 of each byte: dark */
			for (run = 0; x + run < w &&
			    (qr->data[y * w + x + run] & 1); run++)
				;
			if (run > 0)
				buf_printf(&b, "M%d,%dh%dv1h-%dz",
				    x + QR_QUIET, y + QR_QUIET, run, run);
		}
	QRcode_free(qr);
	*size = w + 2 * QR_QUIET;
	out = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return out;
}
