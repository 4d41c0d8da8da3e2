/*
 * nip.h: the tax ids a customer types into the portal: a Polish NIP,
 * checked by its checksum, or an EU VAT number (country code + number),
 * accepted by its shape only (VIES is a network service; a request never
 * talks to one).
 *
 * People type "123-456-32-18", "123 45 63 218", "PL1234563218" or
 * "de 123456789"; nip_check() drops blanks, dashes and dots, upper-cases
 * the letters and answers with the one spelling the database keeps:
 * ten digits for a Polish NIP (a "PL" prefix is dropped), the country code
 * and number run together for another member state ("DE123456789").
 */
#ifndef FRAMUGA_NIP_H
#define FRAMUGA_NIP_H

#include <stddef.h>

/* The longest normalized id: 2 letters + 12 characters, and a NUL. */
#define NIP_MAX	15

enum nip_result {
	NIP_OK_PL,	/* a Polish NIP with a valid checksum */
	NIP_OK_EU,	/* another EU member state's VAT number (shape only) */
	NIP_EMPTY,	/* nothing but blanks and separators */
	NIP_BAD_FORMAT,	/* not ten digits, nor an EU country code + number */
	NIP_BAD_CHECKSUM /* ten digits whose check digit is wrong, or whose
			    weighted sum leaves 10 (never issued) */
};

/*
 * Check the typed id in (NUL-terminated, any length).  On NIP_OK_PL and
 * NIP_OK_EU the normalized id is written to out (outsz >= NIP_MAX);
 * otherwise out holds "" (when outsz > 0).  Never reads past in's NUL.
 */
enum nip_result	 nip_check(const char *in, char *out, size_t outsz);

/*
 * The checksum of ten ASCII digits d[0..9]: weights 6 5 7 2 3 4 5 6 7 on
 * the first nine, the sum mod 11 must equal d[9]; a remainder of 10 is
 * invalid (never read as 0).  1 if valid, 0 if not (also for non-digits).
 */
int		 nip_checksum_ok(const char *d);

#endif
