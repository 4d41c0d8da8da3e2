/*
 * fuzz_cookie.c: libFuzzer harness for the request header values the
 * worker parses: Cookie (http_parse_cookies), Accept-Language
 * (http_accept_language) and the multipart Content-Type
 * (http_multipart_boundary).  The input, cut at its first NUL as a header
 * value from FastCGI would be, goes to all three.  Beyond "no crash":
 *   - every cookie has a non-empty token name and a value without control
 *     characters whose len is its strlen, within the limits; writing the
 *     pairs back as name="value" parses to the same pairs;
 *   - the language is NULL or one of the supported tags (the same
 *     pointer); reversing the supported list does not change whether one
 *     is found, and the winner alone is still accepted;
 *   - a boundary is 1-70 RFC 2046 characters, not ending in a space, and
 *     multipart_new() accepts it.
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
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static void
check_cookies(const char *s)
{
	struct http_limits lim;
	struct kv *kv, *kv2;
	struct buf b = BUF_INIT;
	size_t n, n2, i;
	const char *k;
	int rc;

	http_limits_default(&lim);
	rc = http_parse_cookies(arena, s, &lim, &kv, &n);
	CHECK(rc == HTTP_OK || rc == HTTP_E_TOO_MANY || rc == HTTP_E_TOO_BIG);
	if (rc != HTTP_OK) {
		CHECK(kv == NULL && n == 0);
		return;
	}
	CHECK(n <= lim.max_cookies);
	for (i = 0; i < n; i++) {
		CHECK(kv[i].key[0] != '\0');
		for (k = kv[i].key; *k != '\0'; k++)
			CHECK(is_tchar((unsigned char)*k));
		CHECK(strlen(kv[i].val) == kv[i].len);
		CHECK(kv[i].len <= lim.max_field_len);
		for (k = kv[i].val; *k != '\0'; k++)
			CHECK(((unsigned char)*k >= 0x20 && *k != 0x7f) ||
			    *k == '\t');
		buf_printf(&b, "%s%s=\"%s\"", i ? "; " : "", kv[i].key,
		    kv[i].val);
	}
	rc = http_parse_cookies(arena, buf_cstr(&b), &lim, &kv2, &n2);
	CHECK(rc == HTTP_OK && n2 == n);
	for (i = 0; i < n; i++)
		CHECK(strcmp(kv[i].key, kv2[i].key) == 0 &&
		    strcmp(kv[i].val, kv2[i].val) == 0);
	buf_free(&b);
}

static void
check_language(const char *s)
{
	static const char *const sup[] = { "pl", "en", "de", "pt-BR" };
	static const char *const rev[] = { "pt-BR", "de", "en", "pl" };
	const char *l, *l2;
	size_t i;

	l = http_accept_language(s, sup, 4);
	l2 = http_accept_language(s, rev, 4);
	CHECK((l == NULL) == (l2 == NULL));
	if (l == NULL)
		return;
	for (i = 0; i < 4 && sup[i] != l; i++)
		;
	CHECK(i < 4);
	/* Alone, the winner is still accepted. */
	CHECK(http_accept_language(s, &sup[i], 1) == sup[i]);
}

static void
check_boundary(const char *s)
{
	const char *b;
	size_t n, i;

	if ((b = http_multipart_boundary(arena, s)) == NULL)
		return;
	n = strlen(b);
	CHECK(n >= 1 && n <= 70 && b[n - 1] != ' ');
	for (i = 0; i < n; i++)
		CHECK((b[i] >= 'a' && b[i] <= 'z') ||
		    (b[i] >= 'A' && b[i] <= 'Z') ||
		    (b[i] >= '0' && b[i] <= '9') ||
		    strchr("'()+_,-./:=? ", b[i]) != NULL);
	CHECK(multipart_new(arena, b, NULL) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (arena == NULL && (arena = arena_new(16)) == NULL)
		abort();
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	check_cookies(s);
	check_language(s);
	check_boundary(s);
	free(s);
	arena_reset(arena);
	return 0;
}
