/*
 * fuzz_query.c: libFuzzer harness for a request target, "path?query".
 *
 * The bytes before the first '?' are percent-decoded as a path
 * (http_urldecode, '+' literal); the rest is parsed as a query string
 * (http_parse_urlencoded, default limits), as the worker does with
 * DOCUMENT_URI and QUERY_STRING.  Beyond "no crash", it checks:
 *   - the path decodes iff every '%' starts a valid escape, to the expected
 *     length, NUL-terminated, and encoding the result then decoding it gives
 *     the same bytes back;
 *   - a parsed query has one pair per non-empty piece, within the limits,
 *     NUL-terminated values whose len is right, kv_get() finds the first
 *     pair of each key, and re-encoding the pairs parses to the same pairs.
 * The arena is made with tiny chunks, so every allocation is its own malloc
 * block and ASan sees an overflow of any of them.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static struct arena *arena;

static int
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* The reference: every '%' followed by two hex digits; *npct escapes. */
static int
escapes_ok(const char *s, size_t n, size_t *npct)
{
	size_t i;

	*npct = 0;
	for (i = 0; i < n; i++) {
		if (s[i] != '%')
			continue;
		if (n - i < 3 || !is_hex((unsigned char)s[i + 1]) ||
		    !is_hex((unsigned char)s[i + 2]))
			return 0;
		(*npct)++;
		i += 2;
	}
	return 1;
}

/* Percent-encode all but RFC 3986 unreserved bytes. */
static void
encode(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			buf_putc(b, (char)c);
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

static size_t
count_pieces(const char *s, size_t n)
{
	size_t i, start = 0, pieces = 0;

	for (i = 0; i <= n; i++)
		if (i == n || s[i] == '&') {
			if (i > start)
				pieces++;
			start = i + 1;
		}
	return pieces;
}

static void
check_pairs(const char *s, size_t n, const struct http_limits *lim)
{
	struct http_limits big = *lim;
	struct kv *kv, *kv2;
	struct buf b = BUF_INIT;
	size_t kvn, kvn2, i, npct;
	int rc;

	rc = http_parse_urlencoded(arena, s, n, lim, &kv, &kvn);
	CHECK(rc == HTTP_OK || rc == HTTP_E_SYNTAX || rc == HTTP_E_TOO_MANY ||
	    rc == HTTP_E_TOO_BIG);
	if (rc != HTTP_OK) {
		CHECK(kv == NULL && kvn == 0);
		if (rc == HTTP_E_SYNTAX)
			CHECK(!escapes_ok(s, n, &npct) ||
			    memmem(s, n, "%00", 3) != NULL ||
			    memchr(s, '\0', n) != NULL);
		if (rc == HTTP_E_TOO_MANY)
			CHECK(count_pieces(s, n) > lim->max_fields);
		return;
	}
	CHECK(escapes_ok(s, n, &npct));
	CHECK(kvn == count_pieces(s, n) && kvn <= lim->max_fields);
	for (i = 0; i < kvn; i++) {
		CHECK(strlen(kv[i].key) <= lim->max_field_len);
		CHECK(kv[i].len <= lim->max_field_len);
		CHECK(kv[i].val[kv[i].len] == '\0');
		CHECK(kv_get(kv, kvn, kv[i].key) <= &kv[i]);
		CHECK(strcmp(kv_get(kv, kvn, kv[i].key)->key, kv[i].key) == 0);
		if (i > 0)
			buf_putc(&b, '&');
		encode(&b, kv[i].key, strlen(kv[i].key));
		buf_putc(&b, '=');
		encode(&b, kv[i].val, kv[i].len);
	}
	big.max_body = SIZE_MAX;
	rc = http_parse_urlencoded(arena, b.p, b.len, &big, &kv2, &kvn2);
	CHECK(rc == HTTP_OK && kvn2 == kvn);
	for (i = 0; i < kvn; i++) {
		CHECK(strcmp(kv[i].key, kv2[i].key) == 0);
		CHECK(kv[i].len == kv2[i].len);
		CHECK(memcmp(kv[i].val, kv2[i].val, kv[i].len) == 0);
	}
	buf_free(&b);
}

static void
check_decode(const char *s, size_t n, int plus)
{
	struct buf b = BUF_INIT;
	char *out, *out2;
	size_t outlen, outlen2, npct, i;
	int ok, rc;

	ok = escapes_ok(s, n, &npct);
	rc = http_urldecode(arena, s, n, plus, &out, &outlen);
	CHECK((rc == HTTP_OK) == ok);
	if (rc != HTTP_OK) {
		CHECK(rc == HTTP_E_SYNTAX && out == NULL);
		return;
	}
	CHECK(outlen == n - 2 * npct && out[outlen] == '\0');
	if (npct == 0)
		for (i = 0; i < n; i++)
			CHECK(out[i] == (plus && s[i] == '+' ? ' ' : s[i]));
	encode(&b, out, outlen);
	rc = http_urldecode(arena, b.p ? b.p : "", b.len, plus, &out2,
	    &outlen2);
	CHECK(rc == HTTP_OK && outlen2 == outlen &&
	    memcmp(out, out2, outlen) == 0);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_limits lim;
	const char *s = (const char *)data, *q;
	size_t plen;

	if (arena == NULL && (arena = arena_new(16)) == NULL)
		abort();
	q = memchr(s, '?', size);
	plen = q ? (size_t)(q - s) : size;
	check_decode(s, plen, 0);
	if (q != NULL) {
		http_limits_default(&lim);
		check_pairs(q + 1, size - plen - 1, &lim);
	}
	arena_reset(arena);
	return 0;
}
