/*
 * thumb_bench.c: what making the thumbnails of one photo costs (C1).
 *
 *	tests/bench/thumb_bench [W H [RUNS]]	(default 2000 x 1500, 5 runs)
 *
 * Draws a W x H test picture (tests/e2e/mkimage's kind: a gradient with
 * noise, coded as a JPEG at quality 85 like a camera's), then runs
 * thumb_make() on it RUNS times, removing the thumbnails between runs,
 * and prints the JPEG's size, the median and worst wall time of one
 * thumb_make() (decode once, two sizes, two atomic writes) and the peak
 * RSS of the process (getrusage).  A figure, never a pass or fail.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gd.h>

#include "thumb.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	char dir[] = "/tmp/thumb_bench.XXXXXX", src[256], t[300], why[256];
	int w = argc >= 3 ? atoi(argv[1]) : 2000;
	int h = argc >= 3 ? atoi(argv[2]) : 1500;
	int runs = argc >= 4 ? atoi(argv[3]) : 5, i, x, y, n, made;
	double *secs, t0;
	unsigned seed = 1;
	struct rusage ru;
	struct stat sb;
	gdImagePtr im;
	void *p;
	FILE *f;
	size_t k;

	if (w <= 0 || h <= 0 || runs <= 0 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: thumb_bench [W H [RUNS]]\n");
		return 1;
	}
	snprintf(src, sizeof(src), "%s/photo", dir);
	if ((im = gdImageCreateTrueColor(w, h)) == NULL)
		return 1;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			seed = seed * 1103515245u + 12345u;
			n = (int)((seed >> 16) % 24);
			gdImageSetPixel(im, x, y, gdTrueColor(
			    (int)((long)x * 230 / w) + n,
			    (int)((long)y * 230 / h) + n, 120 + n));
		}
	p = gdImageJpegPtr(im, &n, 85);
	gdImageDestroy(im);
	if (p == NULL || (f = fopen(src, "wb")) == NULL)
		return 1;
	fwrite(p, 1, (size_t)n, f);
	fclose(f);
	gdFree(p);
	stat(src, &sb);
	/* the RSS so far is the drawing's: report the peak of the runs as
	 * a separate process would see it, by resetting nothing but noting
	 * the level before */
	getrusage(RUSAGE_SELF, &ru);
	printf("picture: %d x %d (%.1f MP), JPEG %lld KiB; peak RSS after "
	    "drawing it: %ld MiB\n", w, h, (double)w * h / 1e6,
	    (long long)sb.st_size / 1024, ru.ru_maxrss / 1024);
	secs = calloc((size_t)runs, sizeof(*secs));
	for (i = 0; i < runs; i++) {
		for (k = 0; k < thumb_nsizes; k++) {
			snprintf(t, sizeof(t), "%s.t%d.jpg", src,
			    thumb_sizes[k]);
			unlink(t);
		}
		t0 = now();
		if (thumb_make(src, &made, why, sizeof(why)) != THUMB_OK) {
			fprintf(stderr, "thumb_make: %s\n", why);
			return 1;
		}
		secs[i] = now() - t0;
	}
	qsort(secs, (size_t)runs, sizeof(*secs), cmp);
	getrusage(RUSAGE_SELF, &ru);
	printf("thumb_make (decode, %d and %d px, write): median %.0f ms, "
	    "worst %.0f ms over %d runs\n", thumb_sizes[0], thumb_sizes[1],
	    secs[runs / 2] * 1e3, secs[runs - 1] * 1e3, runs);
	printf("peak RSS: %ld MiB (a decoded picture takes 4 bytes a pixel: "
	    "%.0f MiB)\n", ru.ru_maxrss / 1024, (double)w * h * 4 / 1048576);
	for (k = 0; k < thumb_nsizes; k++) {
		snprintf(t, sizeof(t), "%s.t%d.jpg", src, thumb_sizes[k]);
		if (stat(t, &sb) == 0)
			printf("thumbnail %d px: %lld bytes\n", thumb_sizes[k],
			    (long long)sb.st_size);
		unlink(t);
	}
	unlink(src);
	rmdir(dir);
	free(secs);
	return 0;
}
