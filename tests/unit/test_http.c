/*
 * test_http.c: unit tests for the request parsers (cgi-src/lib/http.c).
 *
 * Every exported function is driven directly with literal input: limits at
 * and one past each bound, malformed input of every kind the parsers refuse
 * or skip, and for multipart the split-anywhere property: a body fed in two
 * pieces cut at every offset, in three pieces cut at every pair of offsets,
 * and byte by byte, must give the very same fields and files as the body fed
 * whole.  Temp files go to a private directory that each test's teardown
 * checks is empty, so a test that leaks an upload fails.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "http.h"

static struct arena	*A;
static char		 tmpdir[PATH_MAX];

/* --- fixtures and helpers --------------------------------------------- */

static int
group_setup(void **state)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_http.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	if ((A = arena_new(0)) == NULL)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	arena_free(A);
	return rmdir(tmpdir);
}

static size_t
tmpdir_count(void)
{
	DIR *d;
	struct dirent *e;
	size_t n = 0;

	if ((d = opendir(tmpdir)) == NULL)
		return (size_t)-1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* After each test: nothing left in tmpdir, arena emptied. */
static int
test_teardown(void **state)
{
	arena_reset(A);
	assert_int_equal(tmpdir_count(), 0);
	return 0;
}

#define T(f)	cmocka_unit_test_teardown(f, test_teardown)

static struct http_limits
lims(void)
{
	struct http_limits l;

	http_limits_default(&l);
	l.tmpdir = tmpdir;
	return l;
}

static char *
read_file(const char *path, size_t *len)
{
	struct stat st;
	char *p;
	int fd;

	assert_int_equal(stat(path, &st), 0);
	p = arena_alloc(A, (size_t)st.st_size + 1);
	assert_true((fd = open(path, O_RDONLY)) != -1);
	assert_int_equal(read(fd, p, (size_t)st.st_size), st.st_size);
	close(fd);
	p[st.st_size] = '\0';
	*len = (size_t)st.st_size;
	return p;
}

/* --- limits, kv_get ----------------------------------------------------- */

static void
test_limits_default(void **state)
{
	struct http_limits l;

	memset(&l, 0xff, sizeof(l));
	http_limits_default(&l);
	assert_int_equal(l.max_fields, 256);
	assert_int_equal(l.max_cookies, 64);
	assert_int_equal(l.max_field_len, 64 * 1024);
	assert_int_equal(l.max_body, 1024 * 1024);
	assert_int_equal(l.max_upload, 64 * 1024 * 1024);
	assert_int_equal(l.max_files, 16);
	assert_int_equal(l.mem_threshold, 64 * 1024);
	assert_string_equal(l.tmpdir, "/tmp");
}

static void
test_kv_get(void **state)
{
	const struct kv kv[] = {
		{ "a", "1", 1 }, { "b", "2", 1 }, { "a", "3", 1 }, { "", "e", 1 }
	};

	assert_ptr_equal(kv_get(kv, 4, "a"), &kv[0]);
	assert_ptr_equal(kv_get(kv, 4, "b"), &kv[1]);
	assert_ptr_equal(kv_get(kv, 4, ""), &kv[3]);
	assert_null(kv_get(kv, 4, "c"));
	assert_null(kv_get(kv, 4, "A"));
	assert_null(kv_get(kv, 1, "b"));
	assert_null(kv_get(kv, 0, "a"));
	assert_null(kv_get(NULL, 0, "a"));
	assert_null(kv_get(kv, 4, NULL));
}

/* --- http_urldecode ----------------------------------------------------- */

static void
urldecode_ok(const char *in, int plus, const char *want, size_t wantlen)
{
	char *out;
	size_t n = 99;

	assert_int_equal(http_urldecode(A, in, strlen(in), plus, &out, &n),
	    HTTP_OK);
	assert_int_equal(n, wantlen);
	assert_memory_equal(out, want, wantlen);
	assert_int_equal(out[n], '\0');
}

static void
test_urldecode(void **state)
{
	urldecode_ok("", 1, "", 0);
	urldecode_ok("plain", 1, "plain", 5);
	urldecode_ok("a%20b+c", 1, "a b c", 5);
	urldecode_ok("a%20b+c", 0, "a b+c", 5);
	urldecode_ok("%41%6a%6A%2b", 0, "Ajj+", 4);
	urldecode_ok("%C5%82%c3%B3d%C5%BA", 0, "\xc5\x82\xc3\xb3" "d\xc5\xba", 7);
	urldecode_ok("%25%2525", 0, "%%25", 4);
	urldecode_ok("a%00b", 0, "a\0b", 3);
	urldecode_ok("%ff%FE", 0, "\xff\xfe", 2);
}

static void
test_urldecode_length_bound(void **state)
{
	char *out;
	size_t n;

	/* Only the first len bytes are read: the "%4" past it is unseen. */
	assert_int_equal(http_urldecode(A, "ab%41%4", 5, 0, &out, &n), HTTP_OK);
	assert_string_equal(out, "abA");
	/* NULL outlen is allowed. */
	assert_int_equal(http_urldecode(A, "x", 1, 0, &out, NULL), HTTP_OK);
	assert_string_equal(out, "x");
	assert_int_equal(http_urldecode(A, NULL, 0, 0, &out, &n), HTTP_OK);
	assert_string_equal(out, "");
	assert_int_equal(n, 0);
}

static void
test_urldecode_bad(void **state)
{
	static const char *const bad[] = {
		"%", "%4", "%zz", "%g1", "%1g", "abc%", "ab%2", "%%41", "% 41",
		"%+1", "%-1", "%\xc5\x82"
	};
	char *out;
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = (char *)"x";
		assert_int_equal(http_urldecode(A, bad[i], strlen(bad[i]), 1,
		    &out, &n), HTTP_E_SYNTAX);
		assert_null(out);
	}
}

/* --- http_parse_urlencoded ---------------------------------------------- */

static int
urlenc(const char *s, const struct http_limits *l, struct kv **kv, size_t *n)
{
	return http_parse_urlencoded(A, s, strlen(s), l, kv, n);
}

static void
test_urlencoded_basic(void **state)
{
	struct http_limits l = lims();
	struct kv *kv;
	size_t n;

	assert_int_equal(urlenc("a=1&b=hello+world&c=%C5%82%C3%B3d%C5%BA",
	    &l, &kv, &n), HTTP_OK);
	assert_int_equal(n, 3);
	assert_string_equal(kv[0].key, "a");
	assert_string_equal(kv[0].val, "1");
	assert_int_equal(kv[0].len, 1);
	assert_string_equal(kv[1].key, "b");
	assert_string_equal(kv[1].val, "hello world");
	assert_int_equal(kv[1].len, 11);
	assert_string_equal(kv[2].val, "\xc5\x82\xc3\xb3" "d\xc5\xba");
	assert_int_equal(kv[2].len, 7);
}

static void
test_urlencoded_pieces(void **state)
{
	struct kv *kv;
	size_t n;

	/* Empty pieces skipped; a piece without '=' has an empty value. */
	assert_int_equal(urlenc("&&a=1&&flag&", NULL, &kv, &n), HTTP_OK);
	assert_int_equal(n, 2);
	assert_string_equal(kv[0].key, "a");
	assert_string_equal(kv[1].key, "flag");
	assert_string_equal(kv[1].val, "");
	assert_int_equal(kv[1].len, 0);

	/* Only the first '=' splits; an empty key is a key. */
	assert_int_equal(urlenc("a=b=c&=x&==&b=", NULL, &kv, &n), HTTP_OK);
	assert_int_equal(n, 4);
	assert_string_equal(kv[0].val, "b=c");
	assert_string_equal(kv[1].key, "");
	assert_string_equal(kv[1].val, "x");
	assert_string_equal(kv[2].key, "");
	assert_string_equal(kv[2].val, "=");
	assert_string_equal(kv[3].key, "b");
	assert_string_equal(kv[3].val, "");

	/* Keys are decoded too; encoded separators are data. */
	assert_int_equal(urlenc("a+b=1&c%3Dd=%26&e%26=2", NULL, &kv, &n),
	    HTTP_OK);
	assert_int_equal(n, 3);
	assert_string_equal(kv[0].key, "a b");
	assert_string_equal(kv[1].key, "c=d");
	assert_string_equal(kv[1].val, "&");
	assert_string_equal(kv[2].key, "e&");

	/* ';' is not a separator. */
	assert_int_equal(urlenc("a=1;b=2", NULL, &kv, &n), HTTP_OK);
	assert_int_equal(n, 1);
	assert_string_equal(kv[0].val, "1;b=2");
}

static void
test_urlencoded_empty(void **state)
{
	struct kv *kv = (struct kv *)1;
	size_t n = 7;

	assert_int_equal(http_parse_urlencoded(A, NULL, 0, NULL, &kv, &n),
	    HTTP_OK);
	assert_null(kv);
	assert_int_equal(n, 0);
	assert_int_equal(urlenc("", NULL, &kv, &n), HTTP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(urlenc("&&&", NULL, &kv, &n), HTTP_OK);
	assert_null(kv);
	assert_int_equal(n, 0);
	/* len bounds the input: what follows is not read. */
	assert_int_equal(http_parse_urlencoded(A, "a=1&b=%zz", 3, NULL, &kv,
	    &n), HTTP_OK);
	assert_int_equal(n, 1);
	assert_string_equal(kv[0].val, "1");
}

static void
test_urlencoded_syntax(void **state)
{
	static const char *const bad[] = {
		"a=1&b=%zz", "a%=1", "a=%", "a=%4", "%=", "a=1&%", "x=%g0",
		"a%00b=1", "%00=1", "a=1&b%00=2"
	};
	struct kv *kv;
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kv = (struct kv *)1;
		n = 5;
		assert_int_equal(urlenc(bad[i], NULL, &kv, &n), HTTP_E_SYNTAX);
		assert_null(kv);
		assert_int_equal(n, 0);
	}
}

static void
test_urlencoded_nul_value(void **state)
{
	struct kv *kv;
	size_t n;

	/* A NUL in a value is data (len tells); in a key it is refused. */
	assert_int_equal(urlenc("a=x%00y", NULL, &kv, &n), HTTP_OK);
	assert_int_equal(kv[0].len, 3);
	assert_memory_equal(kv[0].val, "x\0y", 4);
}

static void
test_urlencoded_dup(void **state)
{
	struct kv *kv;
	size_t n;

	assert_int_equal(urlenc("a=1&b=2&a=3", NULL, &kv, &n), HTTP_OK);
	assert_int_equal(n, 3);
	assert_string_equal(kv_get(kv, n, "a")->val, "1");
	assert_string_equal(kv[2].val, "3");
}

static void
test_urlencoded_max_fields(void **state)
{
	struct http_limits l = lims();
	struct kv *kv;
	size_t n;

	l.max_fields = 3;
	assert_int_equal(urlenc("a&b&c", &l, &kv, &n), HTTP_OK);
	assert_int_equal(n, 3);
	assert_int_equal(urlenc("&a&&b&&c&&", &l, &kv, &n), HTTP_OK);
	assert_int_equal(n, 3);
	assert_int_equal(urlenc("a&b&c&d", &l, &kv, &n), HTTP_E_TOO_MANY);
	assert_null(kv);
	assert_int_equal(n, 0);
	/* Counting comes first: a flood is refused even if malformed. */
	assert_int_equal(urlenc("%&b&c&d", &l, &kv, &n), HTTP_E_TOO_MANY);
	l.max_fields = 0;
	assert_int_equal(urlenc("a", &l, &kv, &n), HTTP_E_TOO_MANY);
	assert_int_equal(urlenc("&", &l, &kv, &n), HTTP_OK);
}

static void
test_urlencoded_max_field_len(void **state)
{
	struct http_limits l = lims();
	struct kv *kv;
	size_t n;

	l.max_field_len = 4;
	assert_int_equal(urlenc("abcd=abcd", &l, &kv, &n), HTTP_OK);
	assert_int_equal(urlenc("a=%41%41%41%41", &l, &kv, &n), HTTP_OK);
	assert_int_equal(kv[0].len, 4);
	assert_int_equal(urlenc("a=abcde", &l, &kv, &n), HTTP_E_TOO_BIG);
	assert_int_equal(urlenc("abcde=1", &l, &kv, &n), HTTP_E_TOO_BIG);
	assert_int_equal(urlenc("abcde", &l, &kv, &n), HTTP_E_TOO_BIG);
	assert_int_equal(urlenc("x=1&a=%41%41%41%41%41", &l, &kv, &n),
	    HTTP_E_TOO_BIG);
	assert_null(kv);
}

static void
test_urlencoded_max_body(void **state)
{
	struct http_limits l = lims();
	struct kv *kv;
	size_t n;

	l.max_body = 8;
	assert_int_equal(urlenc("a=123456", &l, &kv, &n), HTTP_OK);
	assert_int_equal(urlenc("a=1234567", &l, &kv, &n), HTTP_E_TOO_BIG);
	assert_null(kv);
}

static void
test_urlencoded_many(void **state)
{
	struct buf b = BUF_INIT;
	struct kv *kv;
	size_t i, n;

	for (i = 0; i < 256; i++)
		buf_printf(&b, "%sk%zu=v%zu", i ? "&" : "", i, i);
	assert_int_equal(http_parse_urlencoded(A, b.p, b.len, NULL, &kv, &n),
	    HTTP_OK);
	assert_int_equal(n, 256);
	assert_string_equal(kv[255].key, "k255");
	assert_string_equal(kv[255].val, "v255");
	assert_string_equal(kv_get(kv, n, "k128")->val, "v128");
	buf_puts(&b, "&one=more");
	assert_int_equal(http_parse_urlencoded(A, b.p, b.len, NULL, &kv, &n),
	    HTTP_E_TOO_MANY);
	buf_free(&b);
}

/* --- http_parse_cookies ------------------------------------------------- */

static void
test_cookies_basic(void **state)
{
	struct http_limits l = lims();
	struct kv *kv;
	size_t n;

	assert_int_equal(http_parse_cookies(A, "a=1; b=2", &l, &kv, &n),
	    HTTP_OK);
	assert_int_equal(n, 2);
	assert_string_equal(kv[0].key, "a");
	assert_string_equal(kv[0].val, "1");
	assert_int_equal(kv[0].len, 1);
	assert_string_equal(kv[1].key, "b");
	assert_string_equal(kv[1].val, "2");

	assert_int_equal(http_parse_cookies(A,
	    "__Host-sid=AbC-_.~09; lang=pl", NULL, &kv, &n), HTTP_OK);
	assert_int_equal(n, 2);
	assert_string_equal(kv_get(kv, n, "__Host-sid")->val, "AbC-_.~09");
}

static void
test_cookies_whitespace(void **state)
{
	struct kv *kv;
	size_t n;

	assert_int_equal(http_parse_cookies(A,
	    "  a = 1 ;\tb=2\t;c= x y ;d=\t\"q\"", NULL, &kv, &n), HTTP_OK);
	assert_int_equal(n, 4);
	assert_string_equal(kv[0].key, "a");
	assert_string_equal(kv[0].val, "1");
	assert_string_equal(kv[1].val, "2");
	assert_string_equal(kv[2].val, "x y");
	assert_int_equal(kv[2].len, 3);
	assert_string_equal(kv[3].val, "q");
}

static void
test_cookies_quotes(void **state)
{
	struct kv *kv;
	size_t n;

	assert_int_equal(http_parse_cookies(A,
	    "a=\"x y\"; b=\"\"; c=\"; d=\"x; e=x\"; f=\"\"z\"\"", NULL, &kv, &n),
	    HTTP_OK);
	assert_int_equal(n, 6);
	assert_string_equal(kv[0].val, "x y");
	assert_string_equal(kv[1].val, "");
	assert_int_equal(kv[1].len, 0);
	assert_string_equal(kv[2].val, "\"");	/* one quote is kept */
	assert_string_equal(kv[3].val, "\"x");
	assert_string_equal(kv[4].val, "x\"");
	assert_string_equal(kv[5].val, "\"z\"");	/* one pair removed */
}

static void
test_cookies_malformed(void **state)
{
	struct kv *kv;
	size_t n;

	/* No '=', empty name, non-token names: skipped. */
	assert_int_equal(http_parse_cookies(A,
	    "noeq; =v; a b=1; ok=1; na\"me=2; (x)=3; a,b=4; x@y=5; x=y; "
	    "\xc5\x82=6", NULL, &kv, &n), HTTP_OK);
	assert_int_equal(n, 2);
	assert_string_equal(kv[0].key, "ok");
	assert_string_equal(kv[1].key, "x");
	assert_string_equal(kv[1].val, "y");

	/* Control characters in a value: skipped; HTAB is allowed. */
	assert_int_equal(http_parse_cookies(A,
	    "a=\x01; b=2; c=x\x7fy; d=x\ty; e=\x1f", NULL, &kv, &n), HTTP_OK);
	assert_int_equal(n, 2);
	assert_string_equal(kv[0].key, "b");
	assert_string_equal(kv[1].key, "d");
	assert_string_equal(kv[1].val, "x\ty");
}

static void
test_cookies_values(void **state)
{
	struct kv *kv;
	size_t n;

	assert_int_equal(http_parse_cookies(A,
	    ";;a=; b==c;;c=za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87;", NULL, &kv, &n),
	    HTTP_OK);
	assert_int_equal(n, 3);
	assert_string_equal(kv[0].val, "");
	assert_string_equal(kv[1].val, "=c");
	assert_string_equal(kv[2].val, "za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87");
	assert_int_equal(kv[2].len, 10);

	/* Values are not decoded. */
	assert_int_equal(http_parse_cookies(A, "a=%41+b", NULL, &kv, &n),
	    HTTP_OK);
	assert_string_equal(kv[0].val, "%41+b");

	/* Duplicates are kept in order; kv_get finds the first. */
	assert_int_equal(http_parse_cookies(A, "a=1; a=2", NULL, &kv, &n),
	    HTTP_OK);
	assert_int_equal(n, 2);
	assert_string_equal(kv_get(kv, n, "a")->val, "1");
}

static void
test_cookies_empty(void **state)
{
	struct kv *kv = (struct kv *)1;
	size_t n = 3;

	assert_int_equal(http_parse_cookies(A, NULL, NULL, &kv, &n), HTTP_OK);
	assert_null(kv);
	assert_int_equal(n, 0);
	assert_int_equal(http_parse_cookies(A, "", NULL, &kv, &n), HTTP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(http_parse_cookies(A, " ; ;junk", NULL, &kv, &n),
	    HTTP_OK);
	assert_null(kv);
	assert_int_equal(n, 0);
}

static void
test_cookies_limits(void **state)
{
	struct http_limits l = lims();
	struct kv *kv;
	size_t n;

	l.max_cookies = 2;
	assert_int_equal(http_parse_cookies(A, "a=1; b=2", &l, &kv, &n),
	    HTTP_OK);
	assert_int_equal(http_parse_cookies(A, "a=1; junk; b=2; =x; c d=3",
	    &l, &kv, &n), HTTP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(http_parse_cookies(A, "a=1; b=2; c=3", &l, &kv, &n),
	    HTTP_E_TOO_MANY);
	assert_null(kv);
	assert_int_equal(n, 0);
	l.max_cookies = 0;
	assert_int_equal(http_parse_cookies(A, "a=1", &l, &kv, &n),
	    HTTP_E_TOO_MANY);
	assert_int_equal(http_parse_cookies(A, "junk", &l, &kv, &n), HTTP_OK);

	l = lims();
	l.max_field_len = 3;
	assert_int_equal(http_parse_cookies(A, "a=abc; b=\"abc\"", &l, &kv, &n),
	    HTTP_OK);
	assert_int_equal(http_parse_cookies(A, "a=abcd", &l, &kv, &n),
	    HTTP_E_TOO_BIG);
}

/* --- http_multipart_boundary -------------------------------------------- */

static void
test_boundary_ok(void **state)
{
	const char *b;
	char ct[128];

	assert_string_equal(http_multipart_boundary(A,
	    "multipart/form-data; boundary=AaB03x"), "AaB03x");
	assert_string_equal(http_multipart_boundary(A,
	    "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"),
	    "----WebKitFormBoundary7MA4YWxkTrZu0gW");
	assert_string_equal(http_multipart_boundary(A,
	    "Multipart/Form-Data;BOUNDARY=x"), "x");
	assert_string_equal(http_multipart_boundary(A,
	    "  multipart/form-data ; charset=utf-8 ; boundary = \"a b:c\" ;"),
	    "a b:c");
	assert_string_equal(http_multipart_boundary(A,
	    "multipart/form-data; boundary=x; charset=\"u;tf\""), "x");
	assert_string_equal(http_multipart_boundary(A,
	    "multipart/form-data; boundary=\"ab\\c\""), "abc");
	assert_string_equal(http_multipart_boundary(A,
	    "multipart/form-data; boundary=\"'()+_,-./:=?\""), "'()+_,-./:=?");
	/* 70 characters: the most RFC 2046 allows. */
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%.70s",
	    "0123456789012345678901234567890123456789012345678901234567890123456789");
	b = http_multipart_boundary(A, ct);
	assert_non_null(b);
	assert_int_equal(strlen(b), 70);
}

static void
test_boundary_bad(void **state)
{
	static const char *const bad[] = {
		"", "text/plain; boundary=x", "multipart/mixed; boundary=x",
		"multipart/form-dataX; boundary=x", "multipart/form-data",
		"multipart/form-data;", "multipart/form-data; boundary=",
		"multipart/form-data; boundary=\"\"",
		"multipart/form-data; boundary=\"ab \"",
		"multipart/form-data; boundary=a{b",
		"multipart/form-data; boundary=\"a\\\"b\"",
		"multipart/form-data; boundary=x; boundary=y",
		"multipart/form-data; boundary=\"abc",
		"multipart/form-data boundary=x",
		"multipart/form-data; charset; boundary=x",
		"multipart/form-data; boundary=x y",
		"multipart/form-data; boundary=\"a\rb\"",
		"multipart/form-data; boundary=\xc5\x82",
		"application/x-www-form-urlencoded",
		("multipart/form-data; boundary=0123456789012345678901234567890"
		    "1234567890123456789012345678901234567890"),
	};
	size_t i;

	assert_null(http_multipart_boundary(A, NULL));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (http_multipart_boundary(A, bad[i]) != NULL)
			fail_msg("accepted: %s", bad[i]);
}

/* --- multipart ---------------------------------------------------------- */

#define BND	"AaB03x"
#define DL	"--" BND "\r\n"
#define CLOSE	"\r\n--" BND "--\r\n"
#define NEXT	"\r\n--" BND "\r\n"
#define CD(n)	"Content-Disposition: form-data; name=\"" n "\"\r\n"
#define CDF(n, f) \
	"Content-Disposition: form-data; name=\"" n "\"; filename=\"" f "\"\r\n"

struct mpres {
	struct multipart	*mp;
	int			 rc;
	struct kv		*form;
	size_t			 formn;
	struct upload		*files;
	size_t			 filen;
};

/*
 * Feed body in pieces cut at the ascending offsets cuts[0..ncuts) (none:
 * whole), then finish.  rc is the first error of a feed, or finish's
 * result.  The caller aborts r->mp (which removes the temp files).
 */
static int
mp_parse(const char *body, size_t len, const size_t *cuts, size_t ncuts,
    const struct http_limits *l, struct mpres *r)
{
	size_t i, off = 0, end;
	int rc = HTTP_OK;

	memset(r, 0, sizeof(*r));
	r->mp = multipart_new(A, BND, l);
	assert_non_null(r->mp);
	for (i = 0; i <= ncuts && rc == HTTP_OK; i++) {
		end = i < ncuts ? cuts[i] : len;
		rc = multipart_feed(r->mp, body + off, end - off);
		off = end;
	}
	r->rc = multipart_finish(r->mp, &r->form, &r->formn, &r->files,
	    &r->filen);
	if (rc != HTTP_OK)
		assert_int_equal(r->rc, rc);	/* errors are sticky */
	return r->rc;
}

static int
mp_whole(const char *body, size_t len, const struct http_limits *l,
    struct mpres *r)
{
	return mp_parse(body, len, NULL, 0, l, r);
}

#define MP(body, l, r)	mp_whole(body, sizeof(body) - 1, l, r)

static void
put_escaped(struct buf *b, const char *p, size_t n)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (c < 0x20 || c >= 0x7f || c == '\\')
			buf_printf(b, "\\x%02x", c);
		else
			buf_putc(b, (char)c);
	}
}

/* Everything the parse produced, as text, for comparing two parses; then
 * the parser is aborted. */
static char *
mp_describe(struct mpres *r)
{
	struct buf b = BUF_INIT;
	const struct upload *u;
	const char *data;
	size_t i, n;
	char *s;

	buf_printf(&b, "rc %d\n", r->rc);
	for (i = 0; i < r->formn; i++) {
		buf_printf(&b, "F %s=", r->form[i].key);
		put_escaped(&b, r->form[i].val, r->form[i].len);
		buf_putc(&b, '\n');
	}
	for (i = 0; i < r->filen; i++) {
		u = &r->files[i];
		if (u->path != NULL) {
			data = read_file(u->path, &n);
			assert_int_equal(n, u->size);
		} else
			data = u->data;
		buf_printf(&b, "U %s|%s|%s|%zu|%s|", u->field, u->filename,
		    u->ctype, u->size, u->path ? "disk" : "mem");
		put_escaped(&b, data, u->size);
		buf_putc(&b, '\n');
	}
	multipart_abort(r->mp);
	s = arena_strdup(A, buf_cstr(&b));
	buf_free(&b);
	return s;
}

static void
test_mp_new(void **state)
{
	struct http_limits l = lims();
	char b71[72];

	memset(b71, 'a', 71);
	b71[71] = '\0';
	assert_null(multipart_new(A, NULL, &l));
	assert_null(multipart_new(A, "", &l));
	assert_null(multipart_new(A, b71, &l));
	assert_null(multipart_new(A, "a\rb", &l));
	assert_null(multipart_new(A, "a\nb", &l));
	assert_null(multipart_new(A, "ab ", &l));
	assert_null(multipart_new(A, "a\"b", &l));
	b71[70] = '\0';
	assert_non_null(multipart_new(A, b71, &l));
	assert_non_null(multipart_new(A, "a b", &l));
	assert_non_null(multipart_new(A, BND, NULL));	/* default limits */
}

static void
test_mp_fields(void **state)
{
	static const char body[] =
	    "This is the preamble.  It is to be ignored.\r\n"
	    DL CD("a") "\r\nvalue a"
	    NEXT CD("b") "Content-Type: text/plain; charset=utf-8\r\n"
	    "\r\nline1\r\nline2\r\n"
	    NEXT CD("empty") "\r\n"
	    NEXT CD("a") "\r\nsecond a"
	    CLOSE "This is the epilogue.\r\n--" BND "\r\nignored\r\n";
	struct http_limits l = lims();
	struct mpres r;

	assert_int_equal(MP(body, &l, &r), HTTP_OK);
	assert_int_equal(r.formn, 4);
	assert_int_equal(r.filen, 0);
	assert_null(r.files);
	assert_string_equal(r.form[0].key, "a");
	assert_string_equal(r.form[0].val, "value a");
	assert_int_equal(r.form[0].len, 7);
	assert_string_equal(r.form[1].key, "b");
	assert_string_equal(r.form[1].val, "line1\r\nline2\r\n");
	assert_string_equal(r.form[2].key, "empty");
	assert_string_equal(r.form[2].val, "");
	assert_int_equal(r.form[2].len, 0);
	assert_string_equal(kv_get(r.form, r.formn, "a")->val, "value a");
	assert_string_equal(r.form[3].val, "second a");
	multipart_abort(r.mp);
}

static void
test_mp_file_memory(void **state)
{
	static const char body[] =
	    DL CDF("doc", "report.pdf") "Content-Type: application/pdf\r\n"
	    "\r\n%PDF-1.4\r\n\x00\x01\xff"
	    NEXT CD("note") "\r\nhi" CLOSE;
	struct http_limits l = lims();
	struct mpres r;

	assert_int_equal(MP(body, &l, &r), HTTP_OK);
	assert_int_equal(r.filen, 1);
	assert_string_equal(r.files[0].field, "doc");
	assert_string_equal(r.files[0].filename, "report.pdf");
	assert_string_equal(r.files[0].ctype, "application/pdf");
	assert_int_equal(r.files[0].size, 13);
	assert_non_null(r.files[0].data);
	assert_null(r.files[0].path);
	assert_memory_equal(r.files[0].data, "%PDF-1.4\r\n\x00\x01\xff", 13);
	assert_int_equal(r.files[0].data[13], '\0');
	assert_int_equal(r.formn, 1);
	assert_string_equal(r.form[0].val, "hi");
	assert_int_equal(tmpdir_count(), 0);
	multipart_abort(r.mp);
}

static void
test_mp_file_spill(void **state)
{
	struct http_limits l = lims();
	struct buf b = BUF_INIT;
	struct mpres r;
	struct stat st;
	const char *data;
	char content[1000];
	size_t i, n;

	for (i = 0; i < sizeof(content); i++)
		content[i] = (char)(i * 7 + i / 256);
	l.mem_threshold = 16;
	buf_puts(&b, DL CDF("big", "big.bin") "\r\n");
	buf_put(&b, content, sizeof(content));
	buf_puts(&b, NEXT CDF("small", "s.txt") "\r\n0123456789abcdef");
	buf_puts(&b, NEXT CDF("seventeen", "s17.txt") "\r\n0123456789abcdefg");
	buf_puts(&b, CLOSE);
	assert_int_equal(mp_whole(b.p, b.len, &l, &r), HTTP_OK);
	assert_int_equal(r.filen, 3);

	/* Above the threshold: on disk, 0600, under tmpdir, as sent. */
	assert_null(r.files[0].data);
	assert_non_null(r.files[0].path);
	assert_int_equal(r.files[0].size, sizeof(content));
	assert_int_equal(strncmp(r.files[0].path, tmpdir, strlen(tmpdir)), 0);
	assert_int_equal(r.files[0].path[strlen(tmpdir)], '/');
	assert_int_equal(stat(r.files[0].path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	data = read_file(r.files[0].path, &n);
	assert_int_equal(n, sizeof(content));
	assert_memory_equal(data, content, sizeof(content));
	/* Exactly the threshold stays in memory; one more byte does not. */
	assert_non_null(r.files[1].data);
	assert_int_equal(r.files[1].size, 16);
	assert_null(r.files[2].data);
	assert_int_equal(r.files[2].size, 17);
	data = read_file(r.files[2].path, &n);
	assert_memory_equal(data, "0123456789abcdefg", 17);
	assert_int_equal(tmpdir_count(), 2);

	/* abort after a successful finish removes the files, once. */
	multipart_abort(r.mp);
	assert_int_equal(tmpdir_count(), 0);
	multipart_abort(r.mp);
	assert_int_equal(multipart_feed(r.mp, "x", 1), HTTP_E_IO);
	buf_free(&b);
}

static void
test_mp_threshold_zero(void **state)
{
	static const char body[] = DL CDF("f", "a") "\r\nx"
	    NEXT CDF("g", "b") "\r\n" CLOSE;
	struct http_limits l = lims();
	struct mpres r;

	/* Every non-empty file goes to disk; an empty one stays in memory. */
	l.mem_threshold = 0;
	assert_int_equal(MP(body, &l, &r), HTTP_OK);
	assert_int_equal(r.filen, 2);
	assert_non_null(r.files[0].path);
	assert_int_equal(r.files[0].size, 1);
	assert_non_null(r.files[1].data);
	assert_int_equal(r.files[1].size, 0);
	assert_int_equal(tmpdir_count(), 1);
	multipart_abort(r.mp);
}

/* A large upload streamed in odd chunks, its data full of near-delimiters. */
static void
test_mp_large_stream(void **state)
{
	struct http_limits l = lims();
	struct buf b = BUF_INIT;
	struct mpres r;
	const char *data;
	char *content;
	size_t i, n, off, c, size = 1024 * 1024 + 13;
	size_t start;
	static const char *const traps[] = {
		"\r", "\r\n", "\r\n-", "\r\n--", "\r\n--A", "\r\n--AaB03",
		"\r\n--AaB03X", "--AaB03x", "\r\r\n--AaB0", "\n--AaB03x\r\n"
	};
	uint32_t x = 12345;

	content = malloc(size);
	assert_non_null(content);
	for (i = 0; i < size; i++) {
		x = x * 1103515245 + 12345;
		content[i] = (char)(x >> 16);
	}
	/* Each trap between two plain bytes, so that no random byte around
	 * it completes a real delimiter. */
	for (i = 0, off = 100; off + 16 < size; i++, off += 4099) {
		n = strlen(traps[i % 10]);
		content[off - 2] = content[off - 1] = 'a';
		memcpy(content + off, traps[i % 10], n);
		content[off + n] = 'q';
	}
	buf_puts(&b, DL CDF("f", "big.bin") "Content-Type: "
	    "application/octet-stream\r\n\r\n");
	start = b.len;
	buf_put(&b, content, size);
	buf_puts(&b, CLOSE);
	assert_int_equal(b.len, start + size + strlen(CLOSE));

	r.mp = multipart_new(A, BND, &l);
	for (off = 0; off < b.len; off += c) {
		c = 4093 + off % 7;
		if (c > b.len - off)
			c = b.len - off;
		assert_int_equal(multipart_feed(r.mp, b.p + off, c), HTTP_OK);
	}
	assert_int_equal(multipart_finish(r.mp, &r.form, &r.formn, &r.files,
	    &r.filen), HTTP_OK);
	assert_int_equal(r.filen, 1);
	assert_int_equal(r.files[0].size, size);
	data = read_file(r.files[0].path, &n);
	assert_int_equal(n, size);
	assert_memory_equal(data, content, size);
	multipart_abort(r.mp);
	free(content);
	buf_free(&b);
}

static void
test_mp_filename_paths(void **state)
{
	static const char body[] =
	    DL CDF("f1", "C:\\Users\\x\\a.pdf") "\r\n1"
	    NEXT CDF("f2", "/etc/passwd") "\r\n2"
	    NEXT CDF("f3", "../../a b.txt") "\r\n3"
	    NEXT CDF("f4", "dir/") "\r\n4"
	    NEXT CDF("f5", "..") "\r\n5"
	    NEXT CDF("f6", "x/.") "\r\n6"
	    NEXT CDF("f7", "..\\..\\win.ini") "\r\n7"
	    NEXT CDF("f8", "za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87.txt") "\r\n8"
	    NEXT CDF("f9", "...") "\r\n9"
	    CLOSE;
	static const char *const want[] = {
		"a.pdf", "passwd", "a b.txt", "", "", "", "win.ini",
		"za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87.txt", "..."
	};
	struct http_limits l = lims();
	struct mpres r;
	size_t i;

	assert_int_equal(MP(body, &l, &r), HTTP_OK);
	assert_int_equal(r.filen, 9);
	for (i = 0; i < 9; i++) {
		assert_string_equal(r.files[i].filename, want[i]);
		assert_int_equal(r.files[i].size, 1);
		assert_int_equal(r.files[i].data[0], (char)('1' + i));
	}
	multipart_abort(r.mp);
}

static void
test_mp_filename_ext(void **state)
{
	static const char body[] =
	    DL "Content-Disposition: form-data; name=\"a\"; "
	    "filename*=UTF-8''%E2%82%AC%20rates.pdf\r\n\r\n1"
	    NEXT "Content-Disposition: form-data; name=\"b\"; "
	    "filename=\"fallback.pdf\"; filename*=utf-8'pl'%C5%82.pdf\r\n\r\n2"
	    NEXT "Content-Disposition: form-data; name=\"c\"; "
	    "filename=\"latin.pdf\"; filename*=iso-8859-1''%A3.pdf\r\n\r\n3"
	    NEXT "Content-Disposition: form-data; name=\"d\"; "
	    "filename*=UTF-8''..%2F..%2Fetc%2Fx%0A%00y\r\n\r\n4"
	    NEXT "Content-Disposition: form-data; name=\"e\"; "
	    "filename=\"ok.txt\"; filename*=UTF-8''%zz\r\n\r\n5"
	    NEXT "Content-Disposition: form-data; name=\"f\"; "
	    "filename*=UTF-8\r\n\r\n6"
	    CLOSE;
	struct http_limits l = lims();
	struct mpres r;

	assert_int_equal(MP(body, &l, &r), HTTP_OK);
	assert_int_equal(r.filen, 6);
	assert_string_equal(r.files[0].filename, "\xe2\x82\xac rates.pdf");
	assert_string_equal(r.files[1].filename, "\xc5\x82.pdf");
	assert_string_equal(r.files[2].filename, "latin.pdf");
	assert_string_equal(r.files[3].filename, "x__y");
	assert_string_equal(r.files[4].filename, "ok.txt");
	assert_string_equal(r.files[5].filename, "");
	multipart_abort(r.mp);
}

static void
test_mp_empty_file_input(void **state)
{
	static const char body[] =
	    DL CDF("nofile", "") "Content-Type: application/octet-stream\r\n"
	    "\r\n"
	    NEXT CDF("noname", "") "\r\ndata"
	    NEXT CDF("emptyfile", "empty.txt") "\r\n"
	    CLOSE;
	struct http_limits l = lims();
	struct mpres r;

	/* filename="" with no data is "no file chosen": dropped. */
	assert_int_equal(MP(body, &l, &r), HTTP_OK);
	assert_int_equal(r.filen, 2);
	assert_string_equal(r.files[0].field, "noname");
	assert_string_equal(r.files[0].filename, "");
	assert_int_equal(r.files[0].size, 4);
	assert_string_equal(r.files[1].field, "emptyfile");
	assert_int_equal(r.files[1].size, 0);
	assert_string_equal(r.files[1].data, "");
	multipart_abort(r.mp);
}

static void
test_mp_header_forms(void **state)
{
	static const char body[] =
	    DL "content-disposition: FORM-DATA; NAME=f1\r\n"
	    "content-type:image/png  \r\n"
	    "X-Other: ignored\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n1"
	    NEXT "Content-Disposition:form-data;name=\"q\\\"x\";"
	    "filename=\"C:\\dir\\x.txt\"\r\n\r\n2"
	    NEXT "Content-Disposition: form-data ; name = \"sp\" ;\r\n\r\n3"
	    NEXT "Content-Disposition: form-data; name=\"\"\r\n\r\n4"
	    NEXT "Content-Disposition: form-data; name=\"x\"; charset=utf-8; "
	    "other=\"a;b\"\r\n\r\n5"
	    NEXT "Content-Disposition: form-data; name=\"za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87\"\r\n\r\n6"
	    CLOSE;
	struct http_limits l = lims();
	struct mpres r;

	assert_int_equal(MP(body, &l, &r), HTTP_OK);
	assert_int_equal(r.formn, 5);
	assert_int_equal(r.filen, 1);
	assert_string_equal(r.form[0].key, "f1");
	assert_string_equal(r.form[0].val, "1");
	assert_string_equal(r.files[0].field, "q\"x");
	assert_string_equal(r.files[0].filename, "x.txt");
	assert_string_equal(r.files[0].ctype, "");
	assert_string_equal(r.form[1].key, "sp");
	assert_string_equal(r.form[2].key, "");
	assert_string_equal(r.form[3].key, "x");
	assert_string_equal(r.form[3].val, "5");
	assert_string_equal(r.form[4].key,
	    "za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87");
	multipart_abort(r.mp);

	/* The part's Content-Type is kept, trimmed, for files. */
	{
		static const char b2[] = DL CDF("img", "a.png")
		    "Content-Type:   image/png  \r\n\r\nPNG" CLOSE;

		assert_int_equal(MP(b2, &l, &r), HTTP_OK);
		assert_string_equal(r.files[0].ctype, "image/png");
		multipart_abort(r.mp);
	}
}

static void
test_mp_framing(void **state)
{
	struct http_limits l = lims();
	struct mpres r;

	/* A body may start with the delimiter, or after a CRLF preamble. */
	{
		static const char b[] = DL CD("a") "\r\n1" CLOSE;
		assert_int_equal(MP(b, &l, &r), HTTP_OK);
		assert_string_equal(r.form[0].val, "1");
		multipart_abort(r.mp);
	}
	{
		static const char b[] = "\r\n" DL CD("a") "\r\n1" CLOSE;
		assert_int_equal(MP(b, &l, &r), HTTP_OK);
		assert_int_equal(r.formn, 1);
		multipart_abort(r.mp);
	}
	/* A "--boundary" not at a line start is preamble. */
	{
		static const char b[] = "x--" BND "\r\n" DL CD("a") "\r\n1" CLOSE;
		assert_int_equal(MP(b, &l, &r), HTTP_OK);
		assert_int_equal(r.formn, 1);
		multipart_abort(r.mp);
	}
	/* Transport padding after a delimiter. */
	{
		static const char b[] = "--" BND " \t \r\n" CD("a") "\r\n1"
		    "\r\n--" BND "\t\r\n" CD("b") "\r\n2" CLOSE;
		assert_int_equal(MP(b, &l, &r), HTTP_OK);
		assert_int_equal(r.formn, 2);
		assert_string_equal(r.form[1].val, "2");
		multipart_abort(r.mp);
	}
	/* The close delimiter without CRLF, or followed by anything. */
	{
		static const char b[] = DL CD("a") "\r\n1\r\n--" BND "--";
		assert_int_equal(MP(b, &l, &r), HTTP_OK);
		multipart_abort(r.mp);
	}
	{
		static const char b[] = DL CD("a") "\r\n1\r\n--" BND "--junk\r\n"
		    "--" BND "\r\nContent-Disposition: bogus\r\n\r\n";
		assert_int_equal(MP(b, &l, &r), HTTP_OK);
		assert_int_equal(r.formn, 1);
		multipart_abort(r.mp);
	}
	/* An empty form: just the close delimiter. */
	{
		static const char b[] = "--" BND "--\r\n";
		assert_int_equal(MP(b, &l, &r), HTTP_OK);
		assert_int_equal(r.formn, 0);
		assert_int_equal(r.filen, 0);
		multipart_abort(r.mp);
	}
}

static void
test_mp_lookalikes(void **state)
{
	/* Content that looks like, or starts like, a delimiter is content. */
	static const char body[] =
	    DL CD("a") "\r\nx\r"
	    NEXT CD("c") "\r\n--" BND "\r\n\r\n-\r\n--\r\n--A\r\n--AaB03"
	    NEXT CD("d") "\r\n\r\r\n\r\n--\r--AaB03x"
	    CLOSE;
	/* A line that starts with the delimiter but goes on is an error:
	 * RFC 2046 forbids the boundary inside content. */
	static const char bad[] =
	    DL CD("b") "\r\n\r\n--" BND "X" CLOSE;
	struct http_limits l = lims();
	struct mpres r;

	assert_int_equal(MP(body, &l, &r), HTTP_OK);
	assert_int_equal(r.formn, 3);
	assert_string_equal(r.form[0].val, "x\r");
	/* Just after the blank line, "--AaB03x" has no CRLF before it. */
	assert_string_equal(r.form[1].val,
	    "--" BND "\r\n\r\n-\r\n--\r\n--A\r\n--AaB03");
	assert_string_equal(r.form[2].val, "\r\r\n\r\n--\r--AaB03x");
	multipart_abort(r.mp);
	assert_int_equal(MP(bad, &l, &r), HTTP_E_SYNTAX);
	multipart_abort(r.mp);
}

static void
test_mp_binary(void **state)
{
	struct http_limits l = lims();
	struct buf b = BUF_INIT;
	struct mpres r;
	char all[256];
	int i;

	for (i = 0; i < 256; i++)
		all[i] = (char)i;
	buf_puts(&b, DL CD("bin") "\r\n");
	buf_put(&b, all, 256);
	buf_puts(&b, NEXT CDF("f", "all.bin") "\r\n");
	buf_put(&b, all, 256);
	buf_put(&b, all, 256);
	buf_puts(&b, CLOSE);
	assert_int_equal(mp_whole(b.p, b.len, &l, &r), HTTP_OK);
	assert_int_equal(r.form[0].len, 256);
	assert_memory_equal(r.form[0].val, all, 256);
	assert_int_equal(r.files[0].size, 512);
	assert_memory_equal(r.files[0].data, all, 256);
	assert_memory_equal(r.files[0].data + 256, all, 256);
	multipart_abort(r.mp);
	buf_free(&b);
}

static void
test_mp_syntax(void **state)
{
	static const char *const bad[] = {
		/* no Content-Disposition; not form-data; no name */
		DL "Content-Type: text/plain\r\n\r\nx" CLOSE,
		DL "Content-Disposition: attachment; name=\"a\"\r\n\r\nx" CLOSE,
		DL "Content-Disposition: form-datax; name=\"a\"\r\n\r\nx" CLOSE,
		DL "Content-Disposition: form-data\r\n\r\nx" CLOSE,
		DL "Content-Disposition: form-data; filename=\"a\"\r\n\r\nx" CLOSE,
		DL "\r\nx" CLOSE,
		/* malformed header lines */
		DL "Content-Disposition form-data; name=a\r\n\r\nx" CLOSE,
		DL "Content-Disposition : form-data; name=a\r\n\r\nx" CLOSE,
		DL ": x\r\n" CD("a") "\r\nx" CLOSE,
		DL CD("a") " folded: line\r\n\r\nx" CLOSE,
		DL CD("a") "X-A: b\nX-B: c\r\n\r\nx" CLOSE,
		DL CD("a") "X-A: b\rX-B: c\r\n\r\nx" CLOSE,
		DL CD("a") "X-A: b\x01\r\n\r\nx" CLOSE,
		DL CD("a") "X-A: \x7f\r\n\r\nx" CLOSE,
		/* duplicates */
		DL CD("a") CD("b") "\r\nx" CLOSE,
		DL "Content-Disposition: form-data; name=a; name=b\r\n\r\nx" CLOSE,
		DL "Content-Disposition: form-data; name=a; filename=x; "
		    "filename=y\r\n\r\nx" CLOSE,
		DL CD("a") "Content-Type: a\r\nContent-Type: b\r\n\r\nx" CLOSE,
		/* bad parameters */
		DL "Content-Disposition: form-data; name=\"a\r\n\r\nx" CLOSE,
		DL "Content-Disposition: form-data; name=\r\n\r\nx" CLOSE,
		DL "Content-Disposition: form-data; name\r\n\r\nx" CLOSE,
		DL "Content-Disposition: form-data name=a\r\n\r\nx" CLOSE,
		DL "Content-Disposition: form-data; name=a b\r\n\r\nx" CLOSE,
		DL "Content-Disposition: form-data; =a\r\n\r\nx" CLOSE,
		/* framing */
		"--" BND "x\r\n" CD("a") "\r\nx" CLOSE,
		"--" BND "-\r\n" CD("a") "\r\nx" CLOSE,
		"--" BND "\n" CD("a") "\r\nx" CLOSE,
		"--" BND "\rx" CD("a") "\r\nx" CLOSE,
		"--" BND " x\r\n" CD("a") "\r\nx" CLOSE,
		DL CD("a") "\r\nx\r\n--" BND "y\r\n",
	};
	struct http_limits l = lims();
	struct mpres r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mp_whole(bad[i], strlen(bad[i]), &l, &r) != HTTP_E_SYNTAX)
			fail_msg("case %zu: rc %d", i, r.rc);
		assert_null(r.form);
		assert_int_equal(r.formn, 0);
		multipart_abort(r.mp);
	}
}

static void
test_mp_truncated(void **state)
{
	static const char body[] = "pre\r\n" DL CD("a") "\r\nvalue"
	    NEXT CDF("f", "f.txt") "\r\ndata" CLOSE;
	struct http_limits l = lims();
	struct mpres r;
	size_t n;

	/* Every proper prefix lacks the close delimiter. */
	for (n = 0; n < sizeof(body) - 3; n++) {
		assert_int_equal(mp_whole(body, n, &l, &r), HTTP_E_SYNTAX);
		multipart_abort(r.mp);
	}
	/* "--AaB03x--" is complete; the final CRLF is epilogue. */
	assert_int_equal(mp_whole(body, sizeof(body) - 3, &l, &r), HTTP_OK);
	multipart_abort(r.mp);
}

static void
test_mp_missing_close_cleans(void **state)
{
	struct http_limits l = lims();
	struct buf b = BUF_INIT;
	struct mpres r;
	char chunk[500];

	memset(chunk, 'z', sizeof(chunk));
	l.mem_threshold = 100;
	buf_puts(&b, DL CDF("f", "a.bin") "\r\n");
	buf_put(&b, chunk, sizeof(chunk));
	buf_puts(&b, NEXT CDF("g", "b.bin") "\r\n");
	buf_put(&b, chunk, sizeof(chunk));	/* truncated here */
	r.mp = multipart_new(A, BND, &l);
	assert_int_equal(multipart_feed(r.mp, b.p, b.len), HTTP_OK);
	assert_int_equal(tmpdir_count(), 2);
	assert_int_equal(multipart_finish(r.mp, &r.form, &r.formn, &r.files,
	    &r.filen), HTTP_E_SYNTAX);
	assert_null(r.files);
	assert_int_equal(r.filen, 0);
	assert_int_equal(tmpdir_count(), 0);
	multipart_abort(r.mp);
	buf_free(&b);
}

static void
test_mp_abort_midway(void **state)
{
	struct http_limits l = lims();
	struct multipart *mp;
	static const char head[] = DL CDF("f", "a.bin") "\r\n0123456789";

	l.mem_threshold = 4;
	mp = multipart_new(A, BND, &l);
	assert_int_equal(multipart_feed(mp, head, sizeof(head) - 1), HTTP_OK);
	assert_int_equal(tmpdir_count(), 1);
	multipart_abort(mp);
	assert_int_equal(tmpdir_count(), 0);
	assert_int_equal(multipart_feed(mp, "x", 1), HTTP_E_IO);
	assert_int_equal(multipart_finish(mp, NULL, NULL, NULL, NULL),
	    HTTP_E_IO);
	multipart_abort(NULL);	/* harmless */
}

static void
test_mp_header_limit(void **state)
{
	struct http_limits l = lims();
	struct buf b = BUF_INIT;
	struct mpres r;
	size_t pad;

	/* The header block, blank line included, may be 8192 bytes. */
	buf_puts(&b, DL CD("a") "X-Pad: ");
	pad = 8192 - (b.len - strlen(DL)) - 4;
	while (pad-- > 0)
		buf_putc(&b, 'p');
	buf_puts(&b, "\r\n\r\nv" CLOSE);
	assert_int_equal(mp_whole(b.p, b.len, &l, &r), HTTP_OK);
	assert_string_equal(r.form[0].val, "v");
	multipart_abort(r.mp);

	buf_reset(&b);
	buf_puts(&b, DL CD("a") "X-Pad: ");
	pad = 8192 - (b.len - strlen(DL)) - 3;
	while (pad-- > 0)
		buf_putc(&b, 'p');
	buf_puts(&b, "\r\n\r\nv" CLOSE);
	assert_int_equal(mp_whole(b.p, b.len, &l, &r), HTTP_E_TOO_BIG);
	multipart_abort(r.mp);

	/* A header block that never ends. */
	buf_reset(&b);
	buf_puts(&b, DL);
	for (pad = 0; pad < 10000; pad++)
		buf_putc(&b, 'h');
	assert_int_equal(mp_whole(b.p, b.len, &l, &r), HTTP_E_TOO_BIG);
	multipart_abort(r.mp);
	buf_free(&b);
}

static void
test_mp_field_len(void **state)
{
	static const char ok[] = DL CD("a") "\r\n0123456789" CLOSE;
	static const char big[] = DL CD("a") "\r\n0123456789a" CLOSE;
	static const char file[] = DL CDF("a", "f") "\r\n0123456789abc" CLOSE;
	struct http_limits l = lims();
	struct mpres r;

	l.max_field_len = 10;
	assert_int_equal(MP(ok, &l, &r), HTTP_OK);
	assert_int_equal(r.form[0].len, 10);
	multipart_abort(r.mp);
	assert_int_equal(MP(big, &l, &r), HTTP_E_TOO_BIG);
	multipart_abort(r.mp);
	/* max_field_len is for fields, not files. */
	assert_int_equal(MP(file, &l, &r), HTTP_OK);
	assert_int_equal(r.files[0].size, 13);
	multipart_abort(r.mp);
}

static void
test_mp_counts(void **state)
{
	static const char fields3[] = DL CD("a") "\r\n1" NEXT CD("b") "\r\n2"
	    NEXT CD("c") "\r\n3" CLOSE;
	static const char files2[] = DL CDF("a", "x") "\r\n1"
	    NEXT CDF("b", "y") "\r\n2" NEXT CD("c") "\r\n3" CLOSE;
	struct http_limits l = lims();
	struct mpres r;

	l.max_fields = 3;
	assert_int_equal(MP(fields3, &l, &r), HTTP_OK);
	multipart_abort(r.mp);
	l.max_fields = 2;
	assert_int_equal(MP(fields3, &l, &r), HTTP_E_TOO_MANY);
	multipart_abort(r.mp);

	l = lims();
	l.max_files = 2;
	assert_int_equal(MP(files2, &l, &r), HTTP_OK);
	assert_int_equal(r.filen, 2);
	assert_int_equal(r.formn, 1);
	multipart_abort(r.mp);
	l.max_files = 1;
	l.mem_threshold = 0;	/* the first file is on disk when it fails */
	assert_int_equal(MP(files2, &l, &r), HTTP_E_TOO_MANY);
	assert_int_equal(tmpdir_count(), 0);
	multipart_abort(r.mp);
}

/* A body of n "no file chosen" parts. */
static void
empty_file_parts(struct buf *b, size_t n)
{
	size_t i;

	buf_reset(b);
	buf_puts(b, "--" BND);
	for (i = 0; i < n; i++)
		buf_puts(b, "\r\n" CDF("f", "") "\r\n\r\n--" BND);
	buf_puts(b, "--");
}

static void
test_mp_parts_bound(void **state)
{
	struct http_limits l = lims();
	struct buf b = BUF_INIT;
	struct mpres r;

	/* Dropped "no file" parts still count towards fields + files, so
	 * that a body of empty parts cannot run on for ever. */
	l.max_fields = 3;
	l.max_files = 2;
	empty_file_parts(&b, 5);
	assert_int_equal(mp_whole(b.p, b.len, &l, &r), HTTP_OK);
	assert_int_equal(r.filen, 0);
	assert_int_equal(r.formn, 0);
	multipart_abort(r.mp);
	empty_file_parts(&b, 6);
	assert_int_equal(mp_whole(b.p, b.len, &l, &r), HTTP_E_TOO_MANY);
	multipart_abort(r.mp);
	buf_free(&b);
}

static void
test_mp_max_upload(void **state)
{
	static const char body[] = DL CDF("f", "a.bin") "\r\n0123456789abcdef"
	    "0123456789abcdef" CLOSE;
	struct http_limits l = lims();
	struct multipart *mp;
	struct mpres r;
	size_t len = sizeof(body) - 1, cut;

	l.mem_threshold = 8;
	l.max_upload = len;
	assert_int_equal(MP(body, &l, &r), HTTP_OK);
	multipart_abort(r.mp);
	l.max_upload = len - 1;
	assert_int_equal(MP(body, &l, &r), HTTP_E_TOO_BIG);
	multipart_abort(r.mp);

	/* Split anywhere, the error is the same, and the half-written file
	 * is removed at once. */
	for (cut = 1; cut < len; cut++) {
		mp = multipart_new(A, BND, &l);
		if (multipart_feed(mp, body, cut) == HTTP_OK)
			assert_int_equal(multipart_feed(mp, body + cut,
			    len - cut), HTTP_E_TOO_BIG);
		assert_int_equal(tmpdir_count(), 0);
		assert_int_equal(multipart_feed(mp, "", 0), HTTP_E_TOO_BIG);
		assert_int_equal(multipart_finish(mp, NULL, NULL, NULL, NULL),
		    HTTP_E_TOO_BIG);
		multipart_abort(mp);
	}

	/* An error earlier in the body than the limit wins. */
	{
		static const char b2[] = "--" BND "x0123456789";
		l.max_upload = 12;
		assert_int_equal(MP(b2, &l, &r), HTTP_E_SYNTAX);
		multipart_abort(r.mp);
	}
}

static void
test_mp_sticky(void **state)
{
	static const char bad[] = DL "X: y\r\n\r\n";
	static const char good[] = DL CD("a") "\r\n1" CLOSE;
	struct http_limits l = lims();
	struct multipart *mp;

	mp = multipart_new(A, BND, &l);
	assert_int_equal(multipart_feed(mp, bad, sizeof(bad) - 1),
	    HTTP_E_SYNTAX);
	assert_int_equal(multipart_feed(mp, good, sizeof(good) - 1),
	    HTTP_E_SYNTAX);
	assert_int_equal(multipart_finish(mp, NULL, NULL, NULL, NULL),
	    HTTP_E_SYNTAX);
	assert_int_equal(multipart_finish(mp, NULL, NULL, NULL, NULL),
	    HTTP_E_SYNTAX);
	multipart_abort(mp);
}

static void
test_mp_io_error(void **state)
{
	static const char body[] = DL CDF("f", "a") "\r\n0123456789" CLOSE;
	static const char small[] = DL CDF("f", "a") "\r\n01" CLOSE;
	struct http_limits l = lims();
	struct mpres r;

	l.tmpdir = "/nonexistent/framuga-test";
	l.mem_threshold = 4;
	assert_int_equal(MP(body, &l, &r), HTTP_E_IO);
	multipart_abort(r.mp);
	/* Files that stay in memory never touch tmpdir. */
	assert_int_equal(MP(small, &l, &r), HTTP_OK);
	multipart_abort(r.mp);
}

/* The split-anywhere property. */
static const char split_body[] =
    "preamble \r\n--AaB03 \r\n"
    DL CD("title") "\r\nWindows \xe2\x80\x93 PVC\r\n"
    NEXT CD("empty") "\r\n"
    NEXT CD("crlf") "Content-Type: text/plain\r\n\r\n\r\nx\r\n--AaB\r\r\n"
    NEXT CDF("photo", "C:\\tmp\\okno.jpg") "Content-Type: image/jpeg\r\n"
    "\r\n\xff\xd8\xff\xe0\r\n--AaB03y\x00\x01--\r\n"
    NEXT "Content-Disposition: form-data; name=\"doc\"; "
    "filename*=UTF-8''oferta%20%C5%82.pdf\r\n\r\n%PDF-1.7 0123456789"
    NEXT CDF("nofile", "") "\r\n"
    NEXT CD("last") "\r\n--"
    "\r\n--" BND "--  \t\r\nepilogue \r\n--" BND "--\r\n";

static void
split_check(const struct http_limits *l, const char *want, size_t maxpair)
{
	struct mpres r;
	size_t len = sizeof(split_body) - 1, i, j, cuts[2], *all;
	const char *got;

	/* Two pieces, cut at every offset (empty pieces included). */
	for (i = 0; i <= len; i++) {
		cuts[0] = i;
		mp_parse(split_body, len, cuts, 1, l, &r);
		got = mp_describe(&r);
		if (strcmp(got, want) != 0)
			fail_msg("cut at %zu:\n%s\nwant:\n%s", i, got, want);
	}
	/* Byte by byte. */
	all = malloc(len * sizeof(*all));
	assert_non_null(all);
	for (i = 0; i < len; i++)
		all[i] = i + 1;
	mp_parse(split_body, len, all, len - 1, l, &r);
	assert_string_equal(mp_describe(&r), want);
	free(all);
	/* Three pieces, cut at every pair of offsets in [0, maxpair]. */
	for (i = 0; i <= maxpair && i <= len; i++)
		for (j = i; j <= maxpair && j <= len; j++) {
			cuts[0] = i;
			cuts[1] = j;
			mp_parse(split_body, len, cuts, 2, l, &r);
			got = mp_describe(&r);
			if (strcmp(got, want) != 0)
				fail_msg("cuts at %zu, %zu:\n%s", i, j, got);
			arena_reset(A);
		}
}

static void
test_mp_split_memory(void **state)
{
	struct http_limits l = lims();
	struct mpres r;
	const char *want;

	assert_int_equal(mp_whole(split_body, sizeof(split_body) - 1, &l, &r),
	    HTTP_OK);
	want = arena_strdup(A, mp_describe(&r));
	assert_string_equal(want,
	    "rc 0\n"
	    "F title=Windows \\xe2\\x80\\x93 PVC\\x0d\\x0a\n"
	    "F empty=\n"
	    "F crlf=\\x0d\\x0ax\\x0d\\x0a--AaB\\x0d\\x0d\\x0a\n"
	    "F last=--\n"
	    "U photo|okno.jpg|image/jpeg|20|mem|\\xff\\xd8\\xff\\xe0\\x0d\\x0a"
	    "--AaB03y\\x00\\x01--\\x0d\\x0a\n"
	    "U doc|oferta \xc5\x82.pdf||19|mem|%PDF-1.7 0123456789\n");
	{
		/* want lives in the arena, which split_check resets: keep a
		 * copy outside it. */
		char *copy = strdup(want);

		assert_non_null(copy);
		split_check(&l, copy, sizeof(split_body) - 1);
		free(copy);
	}
}

static void
test_mp_split_spill(void **state)
{
	struct http_limits l = lims();
	struct mpres r;
	char *want;

	l.mem_threshold = 8;	/* both files go to disk */
	assert_int_equal(mp_whole(split_body, sizeof(split_body) - 1, &l, &r),
	    HTTP_OK);
	assert_non_null(r.files[0].path);
	assert_non_null(r.files[1].path);
	want = strdup(mp_describe(&r));
	assert_non_null(want);
	assert_non_null(strstr(want, "|20|disk|"));
	split_check(&l, want, 40);
	free(want);
}

static void
test_mp_split_errors(void **state)
{
	/* An error, too, is the same wherever the body is cut. */
	static const char *const bodies[] = {
		DL CD("a") "\r\n0123456789" NEXT CD("b") "\r\nx" CLOSE,
		DL CD("a") "\r\nv\r\n--" BND "Q\r\n",
		DL "Content-Disposition: form-data\r\n\r\nx" CLOSE,
	};
	static const int want[] = { HTTP_E_TOO_BIG, HTTP_E_SYNTAX,
	    HTTP_E_SYNTAX };
	struct http_limits l = lims();
	struct mpres r;
	size_t i, cut, len;

	l.max_field_len = 5;
	for (i = 0; i < 3; i++) {
		len = strlen(bodies[i]);
		for (cut = 0; cut <= len; cut++) {
			mp_parse(bodies[i], len, &cut, 1, &l, &r);
			assert_int_equal(r.rc, want[i]);
			multipart_abort(r.mp);
		}
	}
}

/* --- http_accept_language ----------------------------------------------- */

static const char *const langs[] = { "pl", "en", "de" };

#define AL(h)	http_accept_language(h, langs, 3)

static void
test_al_basic(void **state)
{
	assert_string_equal(AL("en"), "en");
	assert_ptr_equal(AL("en"), langs[1]);
	assert_string_equal(AL("de-DE,de;q=0.9,en;q=0.8"), "de");
	assert_string_equal(AL("fr-FR, fr;q=0.9, en-US;q=0.8, en;q=0.7"), "en");
	assert_string_equal(AL("pl-PL,pl;q=0.9,en-US;q=0.8,en;q=0.7"), "pl");
	assert_null(AL("fr, es;q=0.5"));
	assert_null(AL(""));
	assert_null(AL(" , ,"));
	assert_null(AL(NULL));
	assert_null(http_accept_language("en", langs, 0));
	assert_null(http_accept_language("en", NULL, 0));
}

static void
test_al_q(void **state)
{
	assert_string_equal(AL("en;q=0.5, de;q=0.8"), "de");
	assert_string_equal(AL("en;q=0.5,de;q=0.8,pl;q=0.9"), "pl");
	assert_string_equal(AL("en;q=1.000, de;q=0.999"), "en");
	assert_string_equal(AL("de;q=0.999, en;q=1"), "en");
	assert_string_equal(AL("en;q=0.001, de;q=0"), "en");
	assert_string_equal(AL("en ; q=0.5 , de ;q=0.6"), "de");
	assert_string_equal(AL("en;Q=0.5, de;q=0.4"), "en");
	assert_string_equal(AL("en;level=1;q=0.5, de;q=0.4"), "en");
	assert_string_equal(AL("de;q=0., en;q=0.1"), "en");
	/* ties: header order */
	assert_string_equal(AL("de, en"), "de");
	assert_string_equal(AL("en, de"), "en");
	assert_string_equal(AL("en;q=0.5, de;q=0.5"), "en");
	assert_string_equal(AL("de;q=0.5, en;q=0.50"), "de");
}

static void
test_al_prefix(void **state)
{
	static const char *const sup[] = { "pt-BR", "en" };

	assert_string_equal(AL("pl-PL"), "pl");
	assert_string_equal(AL("PL-pl"), "pl");
	assert_string_equal(AL("EN"), "en");
	assert_string_equal(AL("de-AT-1996;q=0.9, en;q=0.8"), "de");
	assert_null(AL("pla, e, d"));
	assert_null(AL("enx"));
	assert_string_equal(http_accept_language("pt", sup, 2), "pt-BR");
	assert_string_equal(http_accept_language("PT-br", sup, 2), "pt-BR");
	assert_string_equal(http_accept_language("pt-PT, en;q=0.5", sup, 2),
	    "en");
	/* The most specific entry decides a tag's q: the exact "pl" at 0.2
	 * outweighs "pl-PL" at 0.9, so en (0.5) wins. */
	assert_string_equal(AL("pl-PL;q=0.9, pl;q=0.2, en;q=0.5"), "en");
	assert_string_equal(AL("pl-PL;q=0.1, pl-XX;q=0.6, en;q=0.5"), "pl");
}

static void
test_al_exclusion(void **state)
{
	assert_string_equal(AL("pl;q=0, en;q=0.1"), "en");
	assert_null(AL("pl;q=0"));
	assert_null(AL("pl-PL, pl;q=0"));
	assert_null(AL("en;q=0.0, de;q=0.000"));
	/* "*" is anything not named, in supported order */
	assert_string_equal(AL("fr, *;q=0.5"), "pl");
	assert_string_equal(AL("*, pl;q=0"), "en");
	assert_string_equal(AL("*;q=0.5, de"), "de");
	assert_string_equal(AL("*;q=0.5, de;q=0.4"), "pl");
	assert_null(AL("*;q=0"));
	assert_null(AL("*;q=0, pl;q=0"));
	assert_string_equal(AL("*;q=0, en"), "en");
}

static void
test_al_malformed(void **state)
{
	assert_string_equal(AL("en_US, de;q=abc, pl;q=2, en;q=0.5x, de"), "de");
	assert_string_equal(AL("pl;q=1.0001, en;q=0.1234, de;q=0.5"), "de");
	assert_string_equal(AL("-pl, pl-, en-;q=1, de"), "de");
	assert_string_equal(AL("pl;q=, en;q=.5, de;q=0.3"), "de");
	assert_string_equal(AL("\xc5\x82, de"), "de");
	assert_string_equal(AL(",,,de,,,"), "de");
	assert_string_equal(AL("pl q=0.5, en"), "en");
}

/* --- methods and status ------------------------------------------------- */

static void
test_methods(void **state)
{
	static const struct {
		const char *name;
		enum http_method m;
	} t[] = {
		{ "GET", M_GET }, { "HEAD", M_HEAD }, { "POST", M_POST },
		{ "PUT", M_PUT }, { "DELETE", M_DELETE }, { "PATCH", M_PATCH },
		{ "OPTIONS", M_OPTIONS },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(http_method_parse(t[i].name), t[i].m);
		assert_string_equal(http_method_name(t[i].m), t[i].name);
	}
	assert_int_equal(http_method_parse("get"), M_OTHER);
	assert_int_equal(http_method_parse("GETX"), M_OTHER);
	assert_int_equal(http_method_parse("GE"), M_OTHER);
	assert_int_equal(http_method_parse(""), M_OTHER);
	assert_int_equal(http_method_parse("TRACE"), M_OTHER);
	assert_int_equal(http_method_parse("CONNECT"), M_OTHER);
	assert_int_equal(http_method_parse(NULL), M_OTHER);
	assert_string_equal(http_method_name(M_OTHER), "OTHER");
	assert_string_equal(http_method_name(M_GET | M_POST), "OTHER");
	assert_string_equal(http_method_name((enum http_method)0), "OTHER");
}

static void
test_status_text(void **state)
{
	assert_string_equal(http_status_text(200), "OK");
	assert_string_equal(http_status_text(204), "No Content");
	assert_string_equal(http_status_text(303), "See Other");
	assert_string_equal(http_status_text(304), "Not Modified");
	assert_string_equal(http_status_text(400), "Bad Request");
	assert_string_equal(http_status_text(403), "Forbidden");
	assert_string_equal(http_status_text(404), "Not Found");
	assert_string_equal(http_status_text(405), "Method Not Allowed");
	assert_string_equal(http_status_text(413), "Content Too Large");
	assert_string_equal(http_status_text(415), "Unsupported Media Type");
	assert_string_equal(http_status_text(429), "Too Many Requests");
	assert_string_equal(http_status_text(500), "Internal Server Error");
	assert_string_equal(http_status_text(503), "Service Unavailable");
	assert_string_equal(http_status_text(299), "Success");
	assert_string_equal(http_status_text(499), "Client Error");
	assert_string_equal(http_status_text(599), "Server Error");
	assert_string_equal(http_status_text(0), "Unknown");
	assert_string_equal(http_status_text(-200), "Unknown");
	assert_string_equal(http_status_text(600), "Unknown");
	assert_string_equal(http_status_text(1000), "Unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_limits_default),
		T(test_kv_get),
		T(test_urldecode),
		T(test_urldecode_length_bound),
		T(test_urldecode_bad),
		T(test_urlencoded_basic),
		T(test_urlencoded_pieces),
		T(test_urlencoded_empty),
		T(test_urlencoded_syntax),
		T(test_urlencoded_nul_value),
		T(test_urlencoded_dup),
		T(test_urlencoded_max_fields),
		T(test_urlencoded_max_field_len),
		T(test_urlencoded_max_body),
		T(test_urlencoded_many),
		T(test_cookies_basic),
		T(test_cookies_whitespace),
		T(test_cookies_quotes),
		T(test_cookies_malformed),
		T(test_cookies_values),
		T(test_cookies_empty),
		T(test_cookies_limits),
		T(test_boundary_ok),
		T(test_boundary_bad),
		T(test_mp_new),
		T(test_mp_fields),
		T(test_mp_file_memory),
		T(test_mp_file_spill),
		T(test_mp_threshold_zero),
		T(test_mp_large_stream),
		T(test_mp_filename_paths),
		T(test_mp_filename_ext),
		T(test_mp_empty_file_input),
		T(test_mp_header_forms),
		T(test_mp_framing),
		T(test_mp_lookalikes),
		T(test_mp_binary),
		T(test_mp_syntax),
		T(test_mp_truncated),
		T(test_mp_missing_close_cleans),
		T(test_mp_abort_midway),
		T(test_mp_header_limit),
		T(test_mp_field_len),
		T(test_mp_counts),
		T(test_mp_parts_bound),
		T(test_mp_max_upload),
		T(test_mp_sticky),
		T(test_mp_io_error),
		T(test_mp_split_memory),
		T(test_mp_split_spill),
		T(test_mp_split_errors),
		T(test_al_basic),
		T(test_al_q),
		T(test_al_prefix),
		T(test_al_exclusion),
		T(test_al_malformed),
		T(test_methods),
		T(test_status_text),
	};

	return cmocka_run_group_tests_name("http", tests, group_setup,
	    group_teardown);
}
