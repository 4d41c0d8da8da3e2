/*
 * mkimage.c: writes a test picture for tests/e2e/t_thumbs.sh and the
 * thumbnail benchmark (libgd).
 *
 *	mkimage W H FILE.jpg|FILE.png|FILE.gif|FILE.webp
 *	mkimage size FILE	prints "W H" of a JPEG, PNG, GIF or WebP
 *				(decoded by libgd: a second opinion next to
 *				the test's own header reader)
 *
 * The picture is a colour gradient with a dark diagonal band and some
 * noise, so that JPEG sizes and coding times look like a photo's rather
 * than a flat colour's.  Exit 0, or 1 with a message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gd.h>

int
main(int argc, char *argv[])
{
	gdImagePtr im;
	unsigned seed = 12345;
	int w, h, x, y, n, ok;

	if (argc == 3 && strcmp(argv[1], "size") == 0) {
		if ((im = gdImageCreateFromFile(argv[2])) == NULL) {
			fprintf(stderr, "mkimage: %s: cannot decode\n", argv[2]);
			return 1;
		}
		printf("%d %d\n", gdImageSX(im), gdImageSY(im));
		gdImageDestroy(im);
		return 0;
	}
	if (argc != 4 || (w = atoi(argv[1])) <= 0 || (h = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: mkimage W H FILE.{jpg,png,gif,webp}\n"
		    "       mkimage size FILE\n");
		return 1;
	}
	if ((im = gdImageCreateTrueColor(w, h)) == NULL) {
		fprintf(stderr, "mkimage: cannot allocate %d x %d\n", w, h);
		return 1;
	}
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			seed = seed * 1103515245u + 12345u;
			n = (int)((seed >> 16) % 24);
			if (abs((int)((long)x * h / w) - y) < h / 12)
				gdImageSetPixel(im, x, y, gdTrueColor(30 + n,
				    40 + n, 50 + n));
			else
				gdImageSetPixel(im, x, y, gdTrueColor(
				    (int)((long)x * 230 / w) + n,
				    (int)((long)y * 230 / h) + n, 120 + n));
		}
	/* the format by the file's extension */
	ok = gdImageFile(im, argv[3]) == GD_TRUE;
	gdImageDestroy(im);
	if (!ok) {
		fprintf(stderr, "mkimage: cannot write %s\n", argv[3]);
		return 1;
	}
	return 0;
}
