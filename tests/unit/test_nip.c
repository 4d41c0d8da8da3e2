/*
 * test_nip.c: the tax id checks of cgi-src/account/nip.c: the NIP checksum
 * (valid, invalid, the remainder-10 cases that must never read as 0), the
 * spellings people type (dashes, blanks, a PL prefix) and EU VAT numbers.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "nip.h"

static void
test_checksum_known(void **s)
{
	(void)s;
	assert_true(nip_checksum_ok("1234563218"));
	assert_false(nip_checksum_ok("1234567890"));
	assert_false(nip_checksum_ok("1234563217"));
	assert_false(nip_checksum_ok("123456321"));	/* too short */
	assert_false(nip_checksum_ok("12345632x8"));
}

/* 123456789 weighs 230 = 20 * 11 + 10: remainder 10, so no tenth digit
 * makes it valid; reading 10 as 0 would accept 1234567890. */
static void
test_remainder_ten(void **s)
{
	char d[11];
	int found = 0;

	(void)s;
	for (char c = '0'; c <= '9'; c++) {
		snprintf(d, sizeof(d), "123456789%c", c);
		assert_false(nip_checksum_ok(d));
	}
	/* Every nine-digit prefix with remainder 10 in a sample: none valid. */
	for (unsigned v = 100000000; v < 100000000 + 5000; v++) {
		static const int w[9] = { 6, 5, 7, 2, 3, 4, 5, 6, 7 };
		int sum = 0;

		snprintf(d, sizeof(d), "%u0", v);
		for (int i = 0; i < 9; i++)
			sum += w[i] * (d[i] - '0');
		if (sum % 11 != 10)
			continue;
		found++;
		for (char c = '0'; c <= '9'; c++) {
			d[9] = c;
			assert_false(nip_checksum_ok(d));
		}
	}
	assert_true(found > 100);
}

/* Exactly one check digit is right for any prefix whose remainder < 10. */
static void
test_one_digit_fits(void **s)
{
	char d[11];

	(void)s;
	for (unsigned v = 526000000; v < 526000000 + 3000; v++) {
		int good = 0;

		snprintf(d, sizeof(d), "%u0", v);
		for (char c = '0'; c <= '9'; c++) {
			d[9] = c;
			good += nip_checksum_ok(d);
		}
		assert_true(good <= 1);
	}
}

static void
check(const char *in, enum nip_result want, const char *norm)
{
	char out[NIP_MAX];
	enum nip_result got = nip_check(in, out, sizeof(out));

	if (got != want)
		fail_msg("nip_check(\"%s\") = %d, want %d", in, got, want);
	assert_string_equal(out, norm);
}

static void
test_spellings(void **s)
{
	(void)s;
	check("1234563218", NIP_OK_PL, "1234563218");
	check("123-456-32-18", NIP_OK_PL, "1234563218");
	check("123-45-63-218", NIP_OK_PL, "1234563218");
	check(" 123 456 32 18 ", NIP_OK_PL, "1234563218");
	check("PL1234563218", NIP_OK_PL, "1234563218");
	check("pl 123-456-32-18", NIP_OK_PL, "1234563218");
	check("123.456.32.18", NIP_OK_PL, "1234563218");
	check("1234567890", NIP_BAD_CHECKSUM, "");
	check("123-456-78-90", NIP_BAD_CHECKSUM, "");
	check("PL1234567890", NIP_BAD_CHECKSUM, "");
	check("1234563219", NIP_BAD_CHECKSUM, "");
}

static void
test_bad_shapes(void **s)
{
	(void)s;
	check("", NIP_EMPTY, "");
	check(" - ", NIP_EMPTY, "");
	check(NULL, NIP_EMPTY, "");
	check("123456321", NIP_BAD_FORMAT, "");		/* nine digits */
	check("12345632189", NIP_BAD_FORMAT, "");	/* eleven */
	check("123456321a", NIP_BAD_FORMAT, "");
	check("PL123456321", NIP_BAD_FORMAT, "");
	check("PLABCDEFGHIJ", NIP_BAD_FORMAT, "");
	check("1234563218;", NIP_BAD_FORMAT, "");
	check("1234\xc5\x82" "563218", NIP_BAD_FORMAT, "");	/* UTF-8 */
	check("XX123456789", NIP_BAD_FORMAT, "");	/* not a member state */
	check("US123456789", NIP_BAD_FORMAT, "");
	check("DE", NIP_BAD_FORMAT, "");
	check("DEABCDEFG", NIP_BAD_FORMAT, "");		/* no digits */
	check("DE1234567890123", NIP_BAD_FORMAT, "");	/* 13 after DE */
	check("12345678901234567890123456789012345678901234567890",
	    NIP_BAD_FORMAT, "");
}

static void
test_eu(void **s)
{
	(void)s;
	check("DE123456789", NIP_OK_EU, "DE123456789");
	check("de 123 456 789", NIP_OK_EU, "DE123456789");
	check("ATU12345678", NIP_OK_EU, "ATU12345678");
	check("NL123456789B01", NIP_OK_EU, "NL123456789B01");
	check("EL123456789", NIP_OK_EU, "EL123456789");
	check("FR12345678901", NIP_OK_EU, "FR12345678901");
	/* 12 characters after the code is the longest accepted. */
	check("DE123456789012", NIP_OK_EU, "DE123456789012");
}

static void
test_small_buffer(void **s)
{
	char out[4];

	(void)s;
	memset(out, 'x', sizeof(out));
	assert_int_equal(nip_check("1234563218", out, sizeof(out)),
	    NIP_BAD_FORMAT);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_known),
		cmocka_unit_test(test_remainder_ten),
		cmocka_unit_test(test_one_digit_fits),
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_bad_shapes),
		cmocka_unit_test(test_eu),
		cmocka_unit_test(test_small_buffer),
	};

	return cmocka_run_group_tests_name("nip", tests, NULL, NULL);
}
