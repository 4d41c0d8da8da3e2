/*
 * fuzz_multipart.c: libFuzzer harness for the streaming multipart/form-data
 * parser (multipart_new, _feed, _finish, _abort).
 *
 * Input layout:
 *   byte 0        flags: bits 0-1 pick mem_threshold (0, 8, 64 bytes or
 *                 1 MiB), bits 2-4 the number k of chunk bytes that follow,
 *                 bit 5 small limits (4 fields, 2 files, 32-byte values,
 *                 a 1 KiB body) instead of the defaults
 *   bytes 1..k    chunk sizes (value + 1), used in turn until the body is
 *                 fed; with k = 0 the body goes in one call
 *   the rest      the body; the boundary is "fuzzb"
 *
 * The body is parsed twice: in the chunks the input asks for, and whole.
 * The two results must be identical (same error, or the same fields and
 * files with the same bytes, in memory or on disk): the parser's answer may
 * not depend on where the body was split.  It also checks the contract:
 * the limits hold, a file is in memory iff it fits mem_threshold, a temp
 * file is 0600 under tmpdir with the stated size, file names carry no path,
 * an error is sticky, and every temp file is gone after an error and after
 * multipart_abort() (tmpdir is a private directory, checked to be empty).
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

#define BOUNDARY "fuzzb"

struct result {
	struct multipart	*mp;
	int			 rc;
	struct kv		*form;
	size_t			 formn;
	struct upload		*files;
	size_t			 filen;
};

static struct arena	*arena;
static char		 tmpdir[4096];

static void
rm_tmpdir(void)
{
	rmdir(tmpdir);
}

static void
make_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/framuga-fuzz-XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	CHECK(mkdtemp(tmpdir) != NULL);
	atexit(rm_tmpdir);
}

static int
tmpdir_empty(void)
{
	DIR *d;
	struct dirent *e;
	int n = 0;

	CHECK((d = opendir(tmpdir)) != NULL);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n == 0;
}

/* The bytes of an upload, from memory or from its temp file (checked). */
static char *
upload_bytes(const struct upload *u, const struct http_limits *lim)
{
	struct stat st;
	char *p;
	int fd;

	CHECK((u->data == NULL) != (u->path == NULL));
	if (u->data != NULL) {
		CHECK(u->size <= lim->mem_threshold);
		CHECK(u->data[u->size] == '\0');
		p = malloc(u->size + 1);
		CHECK(p != NULL);
		memcpy(p, u->data, u->size);
		return p;
	}
	CHECK(u->size > lim->mem_threshold);
	CHECK(strncmp(u->path, tmpdir, strlen(tmpdir)) == 0 &&
	    u->path[strlen(tmpdir)] == '/');
	CHECK(stat(u->path, &st) == 0 && S_ISREG(st.st_mode));
	CHECK((st.st_mode & 0777) == 0600);
	CHECK((size_t)st.st_size == u->size);
	CHECK((p = malloc(u->size + 1)) != NULL);
	CHECK((fd = open(u->path, O_RDONLY)) != -1);
	CHECK(read(fd, p, u->size) == (ssize_t)u->size);
	close(fd);
	return p;
}

static void
parse(struct result *r, const char *body, size_t n, const uint8_t *cuts,
    size_t k, const struct http_limits *lim)
{
	size_t off = 0, c, i = 0;

	r->mp = multipart_new(arena, BOUNDARY, lim);
	CHECK(r->mp != NULL);
	r->rc = multipart_feed(r->mp, body, 0);
	CHECK(r->rc == HTTP_OK);
	if (k == 0)
		r->rc = multipart_feed(r->mp, body, n);
	while (k > 0 && off < n && r->rc == HTTP_OK) {
		c = (size_t)cuts[i++ % k] + 1;
		if (c > n - off)
			c = n - off;
		r->rc = multipart_feed(r->mp, body + off, c);
		off += c;
	}
	if (r->rc != HTTP_OK) {
		/* Sticky, and the temp files are already gone. */
		CHECK(multipart_feed(r->mp, "x", 1) == r->rc);
		CHECK(tmpdir_empty());
	}
	r->rc = multipart_finish(r->mp, &r->form, &r->formn, &r->files,
	    &r->filen);
	CHECK(r->rc == HTTP_OK || r->rc == HTTP_E_SYNTAX ||
	    r->rc == HTTP_E_TOO_MANY || r->rc == HTTP_E_TOO_BIG);
	if (r->rc != HTTP_OK) {
		CHECK(r->form == NULL && r->formn == 0);
		CHECK(r->files == NULL && r->filen == 0);
		CHECK(tmpdir_empty());
	}
}

static void
compare(const struct result *a, const struct result *b,
    const struct http_limits *lim)
{
	const struct upload *u, *v;
	char *pa, *pb;
	size_t i;

	CHECK(a->rc == b->rc);
	if (a->rc != HTTP_OK)
		return;
	CHECK(a->formn == b->formn && a->filen == b->filen);
	CHECK(a->formn <= lim->max_fields && a->filen <= lim->max_files);
	for (i = 0; i < a->formn; i++) {
		CHECK(strcmp(a->form[i].key, b->form[i].key) == 0);
		CHECK(a->form[i].len == b->form[i].len);
		CHECK(a->form[i].len <= lim->max_field_len);
		CHECK(a->form[i].val[a->form[i].len] == '\0');
		CHECK(memcmp(a->form[i].val, b->form[i].val,
		    a->form[i].len) == 0);
	}
	for (i = 0; i < a->filen; i++) {
		u = &a->files[i];
		v = &b->files[i];
		CHECK(strcmp(u->field, v->field) == 0);
		CHECK(strcmp(u->filename, v->filename) == 0);
		CHECK(strcmp(u->ctype, v->ctype) == 0);
		CHECK(strpbrk(u->filename, "/\\") == NULL);
		CHECK(strcmp(u->filename, ".") != 0 &&
		    strcmp(u->filename, "..") != 0);
		CHECK(u->size == v->size);
		CHECK(u->size > 0 || u->filename[0] != '\0');
		pa = upload_bytes(u, lim);
		pb = upload_bytes(v, lim);
		CHECK(memcmp(pa, pb, u->size) == 0);
		free(pa);
		free(pb);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t thresholds[] = { 0, 8, 64, 1024 * 1024 };
	struct http_limits lim;
	struct result chunked, whole;
	size_t k, i;

	if (size < 1)
		return 0;
	if (arena == NULL) {
		if ((arena = arena_new(16)) == NULL)
			abort();
		make_tmpdir();
	}
	k = (data[0] >> 2) & 7;
	if (size < 1 + k)
		return 0;
	http_limits_default(&lim);
	lim.tmpdir = tmpdir;
	lim.mem_threshold = thresholds[data[0] & 3];
	if (data[0] & 32) {
		lim.max_fields = 4;
		lim.max_files = 2;
		lim.max_field_len = 32;
		lim.max_upload = 1024;
	}

	parse(&chunked, (const char *)data + 1 + k, size - 1 - k, data + 1,
	    k, &lim);
	parse(&whole, (const char *)data + 1 + k, size - 1 - k, NULL, 0,
	    &lim);
	compare(&chunked, &whole, &lim);

	for (i = 0; i < 2; i++) {	/* twice: abort is idempotent */
		multipart_abort(chunked.mp);
		multipart_abort(whole.mp);
	}
	CHECK(tmpdir_empty());
	arena_reset(arena);
	return 0;
}
