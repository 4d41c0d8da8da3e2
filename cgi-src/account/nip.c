/*
 * nip.c: the checks behind nip.h.
 *
 * The input is scanned once into a small buffer of the characters that
 * count (digits and letters, upper-cased); separators people type
 * (blanks, '-', '.', '/') are dropped, anything else makes the id
 * malformed.  Then: ten digits, or "PL" + ten digits, is a Polish NIP and
 * must pass the checksum (domain/WINDOWS.md section 3); a member state's
 * code + 2..12 letters or digits (at least two digits) is an EU VAT number,
 * accepted as typed, since only VIES could say more.
 */
#include "config.h"

#include <string.h>

#include "nip.h"

/* The member states' VAT prefixes (VIES): Greece is EL, Northern Ireland
 * XI; PL is handled as a Polish NIP. */
static const char eu_codes[][3] = {
	"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI",
	"FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PT",
	"RO", "SE", "SI", "SK", "XI"
};

int
nip_checksum_ok(const char *d)
{
	static const int w[9] = { 6, 5, 7, 2, 3, 4, 5, 6, 7 };
	int sum = 0;

	for (int i = 0; i < 10; i++)
		if (d[i] < '0' || d[i] > '9')
			return 0;
	for (int i = 0; i < 9; i++)
		sum += w[i] * (d[i] - '0');
	sum %= 11;
	return sum != 10 && sum == d[9] - '0';
}

static int
is_eu_code(const char *c)
{
	for (size_t i = 0; i < sizeof(eu_codes) / sizeof(eu_codes[0]); i++)
		if (c[0] == eu_codes[i][0] && c[1] == eu_codes[i][1])
			return 1;
	return 0;
}

enum nip_result
nip_check(const char *in, char *out, size_t outsz)
{
	char b[NIP_MAX + 1];
	size_t n = 0, digits = 0;

	if (outsz > 0)
		out[0] = '\0';
	for (const char *p = in ? in : ""; *p != '\0'; p++) {
		char c = *p;

		if (c == ' ' || c == '\t' || c == '-' || c == '.' || c == '/')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
			return NIP_BAD_FORMAT;
		if (n == NIP_MAX - 1)	/* longer than any id we accept */
			return NIP_BAD_FORMAT;
		b[n++] = c;
		digits += c >= '0' && c <= '9';
	}
	b[n] = '\0';
	if (n == 0)
		return NIP_EMPTY;

	/* Polish: ten digits, with or without the PL prefix. */
	if (n == 12 && b[0] == 'P' && b[1] == 'L') {
		memmove(b, b + 2, 11);
		n = 10;
	}
	if (n == 10 && digits == 10) {
		if (!nip_checksum_ok(b))
			return NIP_BAD_CHECKSUM;
		if (outsz < 11)
			return NIP_BAD_FORMAT;
		memcpy(out, b, 11);
		return NIP_OK_PL;
	}
	if (b[0] == 'P' && b[1] == 'L')
		return NIP_BAD_FORMAT;	/* PL, but not ten digits */

	/* Another member state: code + 2..12 letters/digits, 2+ digits. */
	if (n >= 4 && b[0] >= 'A' && b[0] <= 'Z' && b[1] >= 'A' &&
	    b[1] <= 'Z' && is_eu_code(b) && digits >= 2) {
		if (outsz < n + 1)
			return NIP_BAD_FORMAT;
		memcpy(out, b, n + 1);
		return NIP_OK_EU;
	}
	return NIP_BAD_FORMAT;
}
