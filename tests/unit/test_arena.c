/*
 * test_arena.c: the per-request arena and struct buf, and util.c's
 * formatting helpers that the hot pages use.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "util.h"

static void
test_alignment_and_content(void **s)
{
	struct arena *a = arena_new(1024);

	(void)s;
	for (int i = 1; i < 300; i++) {
		char *p = arena_alloc(a, (size_t)i);

		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 'x', (size_t)i);
	}
	assert_string_equal(arena_strdup(a, "okno"), "okno");
	assert_string_equal(arena_strndup(a, "drzwi", 3), "drz");
	assert_string_equal(arena_printf(a, "%s-%d", "RU", 1), "RU-1");
	arena_free(a);
}

static void
test_big_blocks_and_reset(void **s)
{
	struct arena *a = arena_new(4096);
	size_t held0 = arena_held(a);
	char *small, *big;

	(void)s;
	small = arena_alloc(a, 100);
	big = arena_alloc(a, 1 << 20);		/* own chunk */
	memset(big, 1, 1 << 20);
	memset(small, 2, 100);
	assert_true(arena_held(a) > (1 << 20));
	for (int i = 0; i < 1000; i++)
		arena_alloc(a, 200);
	assert_true(arena_used(a) >= (1 << 20) + 200 * 1000);
	arena_reset(a);
	/* the first chunk is kept, the rest returned */
	assert_int_equal(arena_held(a), held0);
	assert_int_equal(arena_used(a), 0);
	/* usable again, many times: no growth across requests */
	for (int round = 0; round < 100; round++) {
		arena_alloc(a, 3000);
		arena_alloc(a, 50000);
		arena_reset(a);
		assert_int_equal(arena_held(a), held0);
	}
	arena_free(a);
}

static void
test_big_block_first(void **s)
{
	struct arena *a = arena_new(4096);
	size_t held0 = arena_held(a);

	(void)s;
	/* a big block while the head is still the first chunk */
	memset(arena_alloc(a, 10000), 0, 10000);
	memset(arena_alloc(a, 10), 0, 10);
	memset(arena_alloc(a, 20000), 0, 20000);
	arena_reset(a);
	assert_int_equal(arena_held(a), held0);
	arena_free(a);
}

static void
test_calloc_zero(void **s)
{
	struct arena *a = arena_new(0);
	unsigned char *p;

	(void)s;
	p = arena_calloc(a, 10, 10);
	for (int i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	assert_non_null(arena_alloc(a, 0));
	arena_free(a);
}

static void
test_buf(void **s)
{
	struct buf b = BUF_INIT;

	(void)s;
	assert_string_equal(buf_cstr(&b), "");
	buf_puts(&b, "Okno ");
	buf_printf(&b, "%dx%d", 1200, 1400);
	buf_putc(&b, '!');
	assert_string_equal(buf_cstr(&b), "Okno 1200x1400!");
	assert_int_equal(b.len, 15);
	buf_reset(&b);
	assert_string_equal(buf_cstr(&b), "");
	for (int i = 0; i < 10000; i++)
		buf_put(&b, "0123456789", 10);
	assert_int_equal(b.len, 100000);
	buf_free(&b);
	assert_null(b.p);
}

/* The ids of a page as the JSON list json_each() reads. */
static void
test_json_ints(void **s)
{
	static const int64_t v[] = { 0, 7, -12, 9223372036854775807LL,
	    (-9223372036854775807LL - 1), 1000 };
	char out[UTIL_JSON_INTS_SIZE(6)];

	(void)s;
	assert_string_equal(util_json_ints(v, 0, out), "[]");
	assert_string_equal(util_json_ints(v, 2, out), "[0,7]");
	assert_string_equal(util_json_ints(v, 6, out), "[0,7,-12,"
	    "9223372036854775807,-9223372036854775808,1000]");
}

/* SHA-256 of the empty string and of "abc" (FIPS 180-2), twice each: the
 * digest is fetched once and kept. */
static void
test_sha256_hex(void **s)
{
	char out[65];
	int i;

	(void)s;
	for (i = 0; i < 2; i++) {
		assert_int_equal(util_sha256_hex("", 0, out), 0);
		assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb924"
		    "27ae41e4649b934ca495991b7852b855");
		assert_int_equal(util_sha256_hex("abc", 3, out), 0);
		assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223"
		    "b00361a396177a9cb410ff61f20015ad");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment_and_content),
		cmocka_unit_test(test_big_blocks_and_reset),
		cmocka_unit_test(test_big_block_first),
		cmocka_unit_test(test_calloc_zero),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_json_ints),
		cmocka_unit_test(test_sha256_hex),
	};

	return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
