/*
 * qr.h: a QR code as SVG path data, for the second factor's enrolment
 * page (an authenticator app scans the otpauth:// URI; A1).
 *
 * The encoding is libqrencode's (error correction level M, 8-bit mode,
 * the smallest version that holds the text); this file only draws the
 * dark modules as one SVG path, a rectangle per run of a row:
 *
 *	<svg viewBox="0 0 SIZE SIZE"><path d="PATH"/></svg>
 *
 * SIZE includes the quiet zone of 4 modules the standard asks for.  The
 * path holds digits, "M", "h", "v", "z", "," and "-" only, so a template
 * prints it escaped, unchanged.
 */
#ifndef FRAMUGA_QR_H
#define FRAMUGA_QR_H

struct arena;

#define QR_QUIET	4	/* modules of white around the code */

/* text's QR code: the path (in a) and the side in modules, quiet zone
 * included, into *size; NULL (logged) when it cannot be encoded (text
 * too long for a QR code, out of memory). */
const char	*qr_svg_path(struct arena *, const char *text, int *size);

#endif
