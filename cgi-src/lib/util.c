/*
 * util.c: see util.h.  Plain loops over caller buffers; SHA-256 through
 * OpenSSL's one-shot EVP_Digest.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "util.h"

void
util_errf(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

void
util_hex(const void *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[s[i] >> 4];
		out[2 * i + 1] = digits[s[i] & 15];
	}
	out[2 * n] = '\0';
}

int
util_sha256_hex(const void *p, size_t n, char out[65])
{
	/* Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up
	 * again on every call, which cost more than hashing a session
	 * token. */
	static EVP_MD *sha256;
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (sha256 == NULL)
		sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	if (sha256 == NULL ||
	    EVP_Digest(p, n, md, &mdlen, sha256, NULL) != 1 || mdlen != 32) {
		out[0] = '\0';
		return -1;
	}
	util_hex(md, 32, out);
	return 0;
}

size_t
util_base64(const void *p, size_t n, char *out, int pad)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = p;
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | s[i];
		bits += 8;
		while (bits >= 6) {
			out[o++] = tab[(acc >> (bits - 6)) & 63];
			bits -= 6;
		}
	}
	if (bits > 0)
		out[o++] = tab[(acc << (6 - bits)) & 63];
	while (pad && o % 4 != 0)
		out[o++] = '=';
	out[o] = '\0';
	return o;
}

int
util_token_eq(const char *a, const char *b)
{
	size_t la, lb;
	unsigned char d = 0;

	if (a == NULL || b == NULL)
		return 0;
	la = strlen(a), lb = strlen(b);
	if (la != lb || la == 0)
		return 0;
	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

char *
util_json_ints(const int64_t *v, size_t n, char *out)
{
	char digits[20], *p = out;
	uint64_t u;
	size_t i;
	int d;

	*p++ = '[';
	for (i = 0; i < n; i++) {	/* not snprintf: a page's ids each time */
		if (i > 0)
			*p++ = ',';
		if (v[i] < 0)
			*p++ = '-';
		u = v[i] < 0 ? -(uint64_t)v[i] : (uint64_t)v[i];
		d = 0;
		do
			digits[d++] = (char)('0' + u % 10);
		while ((u /= 10) > 0);
		while (d > 0)
			*p++ = digits[--d];
	}
	*p++ = ']';
	*p = '\0';
	return out;
}
