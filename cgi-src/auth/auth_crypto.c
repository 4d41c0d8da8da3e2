/*
 * auth_crypto.c: the pure parts of the accounts module, which touch no
 * database: random tokens and their SHA-256, base32, HOTP/TOTP (RFC 4226,
 * RFC 6238), the login throttle's delay, the clock, and the permission
 * arithmetic (names, masks, who may grant what).  tests/unit/test_auth.c
 * drives all of it directly.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "arena.h"
#include "auth.h"
#include "cfg.h"
#include "log.h"
#include "perm.h"
#include "util.h"

const uint64_t auth_customer_perms =
    AUTH_BIT(PERM_ORDERS_VIEW) | AUTH_BIT(PERM_ORDERS_PLACE) |
    AUTH_BIT(PERM_ORDERS_APPROVE) | AUTH_BIT(PERM_PRICES_VIEW) |
    AUTH_BIT(PERM_INVOICES_VIEW) | AUTH_BIT(PERM_COMPLAINTS_FILE) |
    AUTH_BIT(PERM_RFQ_CREATE) | AUTH_BIT(PERM_MAIL_USE) |
    AUTH_BIT(PERM_TASKS_USE) | AUTH_BIT(PERM_USERS_MANAGE);
const uint64_t auth_staff_perms =
    AUTH_BIT(PERM_CMS) | AUTH_BIT(PERM_CMS_SYNC) | AUTH_BIT(PERM_CMS_USERS) |
    AUTH_BIT(PERM_CMS_CONTENT) | AUTH_BIT(PERM_CMS_TRANSLATIONS) |
    AUTH_BIT(PERM_CMS_COMPLAINTS) | AUTH_BIT(PERM_CMS_ORDERS) |
    AUTH_BIT(PERM_CMS_STAFF) | AUTH_BIT(PERM_CMS_AUDIT) |
    AUTH_BIT(PERM_CMS_IMPERSONATE);

/* ---- clock ---- */

int64_t
auth_now(const struct config *cfg)
{
	int64_t now = (int64_t)time(NULL);
	const char *path;
	FILE *f;
	long long skew;

	if (cfg == NULL || !cfg->test_routes ||
	    (path = getenv("FRAMUGA_CLOCK_SKEW_FILE")) == NULL || *path == '\0')
		return now;
	if ((f = fopen(path, "r")) == NULL)
		return now;
	/* "@T": the clock stands at T (timing tests that must not depend on
	 * how fast a loaded machine runs them); "N": N seconds ahead. */
	if (fscanf(f, "@%lld", &skew) == 1)
		now = skew;
	else if (fscanf(f, "%lld", &skew) == 1)
		now += skew;
	fclose(f);
	return now;
}

/* ---- tokens ---- */

static void
random_bytes(void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom((char *)p + got, n - got, 0);

		if (r <= 0) {
			log_err("getrandom failed");
			abort();	/* no safe way on without randomness */
		}
		got += (size_t)r;
	}
}

void
auth_token_new(char out[65])
{
	unsigned char b[32];

	random_bytes(b, sizeof(b));
	util_hex(b, sizeof(b), out);
}

void
auth_token_hash(const char *token, char out[65])
{
	if (util_sha256_hex(token, strlen(token), out) == -1) {
		log_err("sha256 failed");
		abort();
	}
}

/* ---- base32 (RFC 4648) ---- */

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static void
base32_encode(const unsigned char *p, size_t n, char *out)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | p[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = b32[(acc << (5 - bits)) & 31];
	out[o] = '\0';
}

int
auth_base32_decode(const char *s, unsigned char *out, size_t outsz)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	for (; *s; s++) {
		const char *at;
		int c = toupper((unsigned char)*s);

		if (c == ' ' || c == '=' || c == '-')
			continue;
		if ((at = strchr(b32, c)) == NULL || c == '\0')
			return -1;
		acc = (acc << 5) | (uint32_t)(at - b32);
		bits += 5;
		if (bits >= 8) {
			if (o >= outsz)
				return -1;
			out[o++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return (int)o;
}

/* ---- TOTP ---- */

void
auth_totp_new_secret(char out[33])
{
	unsigned char b[20];

	random_bytes(b, sizeof(b));
	base32_encode(b, sizeof(b), out);
}

int
auth_hotp(const unsigned char *key, size_t keylen, uint64_t counter)
{
	unsigned char msg[8], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	uint32_t bin;
	int off;

	for (int i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	if (HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof(msg), md,
	    &mdlen) == NULL || mdlen != 20)
		return -1;
	off = md[19] & 0x0f;
	bin = ((uint32_t)(md[off] & 0x7f) << 24) |
	    ((uint32_t)md[off + 1] << 16) | ((uint32_t)md[off + 2] << 8) |
	    (uint32_t)md[off + 3];
	return (int)(bin % 1000000);
}

int
auth_totp_verify(const char *secret_b32, const char *code, int64_t now,
    int64_t last_step, int64_t *step_out)
{
	unsigned char key[64];
	int keylen, want, match = 0;
	int64_t step, found = 0;
	char *end;
	long v;

	if (secret_b32 == NULL || code == NULL)
		return 0;
	while (*code == ' ')
		code++;
	if (strlen(code) < 6 || strspn(code, "0123456789") != 6 ||
	    (code[6] != '\0' && code[6] != ' '))
		return 0;
	v = strtol(code, &end, 10);
	want = (int)v;
	if ((keylen = auth_base32_decode(secret_b32, key, sizeof(key))) < 10)
		return 0;
	step = now / 30;
	/* Every candidate is computed, so the time taken does not say which
	 * step matched. */
	for (int64_t s = step - 1; s <= step + 1; s++) {
		if (s < 0)
			continue;
		if (auth_hotp(key, (size_t)keylen, (uint64_t)s) == want &&
		    s > last_step && !match) {
			match = 1;
			found = s;
		}
	}
	if (match && step_out != NULL)
		*step_out = found;
	return match;
}

const char *
auth_totp_uri(struct arena *a, const char *issuer, const char *account,
    const char *secret_b32)
{
	struct buf b = BUF_INIT;
	const char *res;

	buf_puts(&b, "otpauth://totp/");
	for (int pass = 0; pass < 2; pass++) {
		const char *s = pass == 0 ? issuer : account;

		for (; *s; s++) {
			unsigned char c = (unsigned char)*s;

			if (isalnum(c) || c == '.' || c == '-' || c == '_' ||
			    c == '@')
				buf_putc(&b, (char)c);
			else
				buf_printf(&b, "%%%02X", c);
		}
		if (pass == 0)
			buf_puts(&b, ":");
	}
	buf_printf(&b, "?secret=%s&issuer=", secret_b32);
	for (const char *s = issuer; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '.' || c == '-' || c == '_')
			buf_putc(&b, (char)c);
		else
			buf_printf(&b, "%%%02X", c);
	}
	buf_puts(&b, "&algorithm=SHA1&digits=6&period=30");
	res = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return res;
}

/* ---- throttling ---- */

int64_t
auth_throttle_delay(int failures, int free, int cap_s)
{
	int over = failures - free;

	if (over <= 0)
		return 0;
	if (over > 30)
		return cap_s;
	return (int64_t)1 << (over - 1) < cap_s ? (int64_t)1 << (over - 1) :
	    cap_s;
}

/* ---- permissions ---- */

int
auth_perm_by_name(const char *name)
{
	if (name == NULL)
		return -1;
	for (int p = 0; p < PERM__MAX; p++)
		if (strcmp(perm_name((enum perm)p), name) == 0)
			return p;
	return -1;
}

int
auth_can_grant(const struct session *g, uint64_t perms, int target_is_staff)
{
	if (g == NULL || g->impersonator_user_id != 0 || g->must_enrol_totp)
		return 0;
	if (perms & ~(auth_customer_perms | auth_staff_perms))
		return 0;		/* public, login, unknown bits */
	if (!g->is_staff) {
		/* A customer admin: customer permissions they hold, to a
		 * user of their own customer (auth_can_manage_user). */
		if (target_is_staff || !(g->perms & AUTH_BIT(PERM_USERS_MANAGE)))
			return 0;
		return (perms & ~(g->perms & auth_customer_perms)) == 0;
	}
	if (!target_is_staff) {
		/* Staff set up customers' users: customer permissions only. */
		return (g->perms & AUTH_BIT(PERM_CMS_USERS)) &&
		    (perms & ~auth_customer_perms) == 0;
	}
	/* Staff to staff: only what the granter holds. */
	return (g->perms & AUTH_BIT(PERM_CMS_STAFF)) &&
	    (perms & ~g->perms) == 0;
}
