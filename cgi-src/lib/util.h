/*
 * util.h: small helpers shared by every program: error text into a
 * caller's buffer, hex and base64 encoding, SHA-256 in hex, a
 * constant-time comparison of tokens, a list of ids as JSON.  None allocates; the caller owns
 * every buffer.
 */
#ifndef FRAMUGA_UTIL_H
#define FRAMUGA_UTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * printf into err[errsz] (truncating); does nothing when err is NULL or
 * errsz is 0.
 */
void	util_errf(char *err, size_t errsz, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Lower-case hex of p[n] into out, which holds 2 * n + 1 bytes (NUL-ended). */
void	util_hex(const void *p, size_t n, char *out);

/*
 * SHA-256 of p[n] as 64 lower-case hex digits into out.  Returns 0, or -1
 * when OpenSSL fails (out is then the empty string).
 */
int	util_sha256_hex(const void *p, size_t n, char out[65]);

/*
 * Base64 (RFC 4648, standard alphabet) of p[n] into out, NUL-ended.  With
 * pad, '=' fills the last group: out holds 4 * ((n + 2) / 3) + 1 bytes;
 * without, the output stops at the last character (as in PHC strings).
 * Returns the number of characters written (without the NUL).
 */
size_t	util_base64(const void *p, size_t n, char *out, int pad);

/*
 * Constant-time comparison of two NUL-terminated tokens (the time depends
 * only on the lengths).  Returns 1 when both are non-NULL, non-empty and
 * equal, else 0.
 */
int	util_token_eq(const char *a, const char *b);

/*
 * v[n] as a JSON array of integers ("[1,2,3]") into out, which holds
 * UTIL_JSON_INTS_SIZE(n) bytes: a list of ids bound as one SQL parameter
 * and read back with json_each() (one statement for a page of rows).
 * Returns out.
 */
#define UTIL_JSON_INTS_SIZE(n)	((n) * 21 + 3)
char	*util_json_ints(const int64_t *v, size_t n, char *out);

#endif
