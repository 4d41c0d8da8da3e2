/*
 * fuzz_urlencoded.c: libFuzzer harness for application/x-www-form-urlencoded
 * bodies (http_parse_urlencoded, http_urldecode with '+' as space).
 *
 * Input: byte 0 picks the limits, the rest is the body.  Bits 0-2 of byte 0
 * give max_fields (1..7, or the default when 0), bits 3-5 max_field_len
 * (4 x 0..6 bytes, or the default when 7), bit 6 a max_body of 64 bytes;
 * so the limit paths are reached with small inputs.  Beyond "no crash" it
 * checks what fuzz_query.c checks (pairs, lengths, first-match lookup, the
 * encode/parse round trip), that an error is the one the limits call for,
 * and that the whole body decodes as a single value iff its escapes are
 * valid.
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

static void
encode(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == ' ')
			buf_putc(b, '+');
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '*')
			buf_putc(b, (char)c);
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

/* Non-empty pieces, and the longest raw key or value (a key ends at the
 * first '=' of its piece, the value is the rest). */
static size_t
count_pieces(const char *s, size_t n, size_t *longest_raw)
{
	size_t i, start = 0, pieces = 0, eq;

	*longest_raw = 0;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '&')
			continue;
		if (i > start) {
			pieces++;
			for (eq = start; eq < i && s[eq] != '='; eq++)
				;
			if (eq - start > *longest_raw)
				*longest_raw = eq - start;
			if (eq < i && i - eq - 1 > *longest_raw)
				*longest_raw = i - eq - 1;
		}
		start = i + 1;
	}
	return pieces;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_limits lim, big;
	struct buf b = BUF_INIT;
	struct kv *kv, *kv2;
	const char *s;
	char *out;
	size_t n, kvn, kvn2, i, npct, longest, pieces, outlen;
	int rc;

	if (size < 1)
		return 0;
	if (arena == NULL && (arena = arena_new(16)) == NULL)
		abort();
	http_limits_default(&lim);
	if (data[0] & 7)
		lim.max_fields = data[0] & 7;
	if (((data[0] >> 3) & 7) != 7)
		lim.max_field_len = 4 * ((data[0] >> 3) & 7);
	if (data[0] & 64)
		lim.max_body = 64;
	s = (const char *)data + 1;
	n = size - 1;
	pieces = count_pieces(s, n, &longest);

	rc = http_parse_urlencoded(arena, s, n, &lim, &kv, &kvn);
	switch (rc) {
	case HTTP_OK:
		CHECK(n <= lim.max_body && escapes_ok(s, n, &npct));
		CHECK(kvn == pieces && kvn <= lim.max_fields);
		break;
	case HTTP_E_TOO_BIG:
		/* A decoded key or value is at least a third of its raw
		 * length. */
		CHECK(n > lim.max_body || longest > lim.max_field_len);
		break;
	case HTTP_E_TOO_MANY:
		CHECK(n <= lim.max_body && pieces > lim.max_fields);
		break;
	case HTTP_E_SYNTAX:
		/* a bad escape, or a NUL (raw or %00) in a key */
		CHECK(!escapes_ok(s, n, &npct) || memmem(s, n, "%00", 3) ||
		    memchr(s, '\0', n));
		break;
	default:
		CHECK(!"unexpected result");
	}
	if (rc != HTTP_OK) {
		CHECK(kv == NULL && kvn == 0);
	} else {
		for (i = 0; i < kvn; i++) {
			CHECK(strlen(kv[i].key) <= lim.max_field_len);
			CHECK(kv[i].len <= lim.max_field_len);
			CHECK(kv[i].val[kv[i].len] == '\0');
			CHECK(kv_get(kv, kvn, kv[i].key) <= &kv[i]);
			if (i > 0)
				buf_putc(&b, '&');
			encode(&b, kv[i].key, strlen(kv[i].key));
			buf_putc(&b, '=');
			encode(&b, kv[i].val, kv[i].len);
		}
		big = lim;
		big.max_body = SIZE_MAX;
		rc = http_parse_urlencoded(arena, b.p, b.len, &big, &kv2,
		    &kvn2);
		CHECK(rc == HTTP_OK && kvn2 == kvn);
		for (i = 0; i < kvn; i++) {
			CHECK(strcmp(kv[i].key, kv2[i].key) == 0);
			CHECK(kv[i].len == kv2[i].len);
			CHECK(memcmp(kv[i].val, kv2[i].val, kv[i].len) == 0);
		}
		buf_free(&b);
	}

	rc = http_urldecode(arena, s, n, 1, &out, &outlen);
	CHECK((rc == HTTP_OK) == escapes_ok(s, n, &npct));
	if (rc == HTTP_OK)
		CHECK(outlen == n - 2 * npct && out[outlen] == '\0' &&
		    (npct > 0 || memchr(out, '+', outlen) == NULL));
	arena_reset(arena);
	return 0;
}
