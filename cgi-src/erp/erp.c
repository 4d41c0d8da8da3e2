/*
 * erp.c: the transport-independent half of the ERP client (see erp.h):
 * entity and error names, the dispatch of each call to the transport's ops,
 * and the value conversions every transport and the sync share (1C dates,
 * fixed-point decimals, the contract's currency conversion).
 *
 * How it works: struct erp is the first member of each transport's own
 * client, so erp_open() returns the transport's object as a struct erp and
 * each erp_*() call clears the last error and calls through ops.  The
 * conversions use integers only (int64, and __int128 for the products of
 * the currency conversion), never floating point.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "erp.h"

static const char *const erp_entity_names[ERP_ENTITY__MAX] = {
	[ERP_CATEGORY] = "category",
	[ERP_PRODUCT] = "product",
	[ERP_PRICE] = "price",
	[ERP_CURRENCY] = "currency",
	[ERP_WAREHOUSE] = "warehouse",
	[ERP_STOCK] = "stock",
	[ERP_CUSTOMER] = "customer",
	[ERP_RULESET] = "ruleset",
	[ERP_ORDER] = "order",
	[ERP_INVOICE] = "invoice",
};

static const char *const erp_err_names[ERP_ERR__MAX] = {
	[ERP_OK] = "OK",
	[ERP_E_AUTH] = "AUTH",
	[ERP_E_NOT_FOUND] = "NOT_FOUND",
	[ERP_E_VALIDATION] = "VALIDATION",
	[ERP_E_BUSY] = "BUSY",
	[ERP_E_INTERNAL] = "INTERNAL",
	[ERP_E_CONNECT] = "CONNECT",
	[ERP_E_TIMEOUT] = "TIMEOUT",
	[ERP_E_DROPPED] = "DROPPED",
	[ERP_E_HTTP] = "HTTP",
	[ERP_E_XML] = "MALFORMED_XML",
	[ERP_E_TRUNCATED] = "TRUNCATED",
	[ERP_E_PROTOCOL] = "PROTOCOL",
	[ERP_E_ABORTED] = "ABORTED",
	[ERP_E_LOCAL] = "LOCAL",
};

const char *
erp_entity_name(enum erp_entity e)
{
	if ((int)e < 0 || e >= ERP_ENTITY__MAX)
		return "?";
	return erp_entity_names[e];
}

int
erp_entity_from_name(const char *s)
{
	int i;

	for (i = 0; i < ERP_ENTITY__MAX; i++)
		if (strcmp(s, erp_entity_names[i]) == 0)
			return i;
	return -1;
}

const char *
erp_err_name(enum erp_err e)
{
	if ((int)e < 0 || e >= ERP_ERR__MAX)
		return "?";
	return erp_err_names[e];
}

int
erp_err_unknown_outcome(enum erp_err e)
{
	switch (e) {
	case ERP_E_BUSY:	/* contract 8.5: look before sending again */
	case ERP_E_INTERNAL:
	case ERP_E_TIMEOUT:
	case ERP_E_DROPPED:
	case ERP_E_HTTP:
	case ERP_E_XML:
	case ERP_E_TRUNCATED:
	case ERP_E_PROTOCOL:
		return 1;
	default:
		return 0;
	}
}

int
erp_err_transient(enum erp_err e)
{
	return e == ERP_E_CONNECT || erp_err_unknown_outcome(e);
}

/* ---- dispatch ---- */

struct erp *
erp_open(const struct erp_config *cfg, char *err, size_t errsz)
{
	if (cfg == NULL || cfg->url == NULL || *cfg->url == '\0') {
		snprintf(err, errsz, "no ERP URL configured (erp_url)");
		return NULL;
	}
	if (strncmp(cfg->url, "http://", 7) == 0 ||
	    strncmp(cfg->url, "https://", 8) == 0)
		return erp_soap_open(cfg, err, errsz);
	snprintf(err, errsz, "erp_url: no transport for \"%s\" (http or "
	    "https only)", cfg->url);
	return NULL;
}

void
erp_close(struct erp *c)
{
	if (c != NULL)
		c->ops->close(c);
}

const struct erp_error *
erp_last_error(const struct erp *c)
{
	return &c->err;
}

const char *
erp_transport(const struct erp *c)
{
	return c->ops->name;
}

void
erp_clear_error(struct erp *c)
{
	memset(&c->err, 0, sizeof(c->err));
}

enum erp_err
erp_fail(struct erp *c, enum erp_err code, const char *fmt, ...)
{
	va_list ap;

	c->err.code = code;
	va_start(ap, fmt);
	vsnprintf(c->err.message, sizeof(c->err.message), fmt, ap);
	va_end(ap);
	return code;
}

void
erp_set_utc_offset(struct erp *c, int64_t minutes)
{
	c->utc_offset_min = minutes;
	c->utc_offset_known = 1;
}

enum erp_err
erp_ping(struct erp *c, struct erp_ping *out)
{
	enum erp_err e;

	erp_clear_error(c);
	if ((e = c->ops->ping(c, out)) == ERP_OK)
		erp_set_utc_offset(c, out->utc_offset_min);
	return e;
}

enum erp_err
erp_pull(struct erp *c, enum erp_entity ent, const char *after, int limit,
    struct arena *a, erp_record_cb cb, void *ctx, struct erp_page *out)
{
	erp_clear_error(c);
	return c->ops->pull(c, ent, after == NULL ? "" : after, limit, a, cb,
	    ctx, out);
}

enum erp_err
erp_changes(struct erp *c, enum erp_entity ent, int limit, struct arena *a,
    erp_record_cb cb, void *ctx, struct erp_page *out)
{
	erp_clear_error(c);
	return c->ops->changes(c, ent, limit, a, cb, ctx, out);
}

enum erp_err
erp_ack(struct erp *c, enum erp_entity ent, const int64_t *seqs, size_t n,
    int64_t *acked)
{
	int64_t total = 0, one;
	enum erp_err e = ERP_OK;
	size_t i, k;

	erp_clear_error(c);
	for (i = 0; i < n; i += k) {
		k = n - i > 1000 ? 1000 : n - i;
		one = 0;
		if ((e = c->ops->ack(c, ent, seqs + i, k, &one)) != ERP_OK)
			break;
		total += one;
	}
	if (acked != NULL)
		*acked = total;
	return e;
}

enum erp_err
erp_decode(struct erp *c, enum erp_entity ent, const char *payload,
    size_t len, struct arena *a, erp_record_cb cb, void *ctx)
{
	erp_clear_error(c);
	return c->ops->decode(c, ent, payload, len, a, cb, ctx);
}

enum erp_err
erp_order_create(struct erp *c, const struct erp_order_new *o,
    struct erp_order_created *out)
{
	erp_clear_error(c);
	memset(out, 0, sizeof(*out));
	if (o->external_ref == NULL || *o->external_ref == '\0' ||
	    strlen(o->external_ref) > 64)
		return erp_fail(c, ERP_E_LOCAL, "external_ref must be 1-64 "
		    "characters");
	return c->ops->order_create(c, o, out);
}

enum erp_err
erp_order_find(struct erp *c, const char *ref, struct arena *a,
    struct erp_order **out)
{
	erp_clear_error(c);
	*out = NULL;
	return c->ops->order_find(c, ref, a, out);
}

enum erp_err
erp_customer_create(struct erp *c, const struct erp_customer_new *cu,
    struct erp_customer_created *out)
{
	erp_clear_error(c);
	memset(out, 0, sizeof(*out));
	return c->ops->customer_create(c, cu, out);
}

enum erp_err
erp_document(struct erp *c, enum erp_doc kind, const char *uuid,
    erp_sink_cb sink, void *ctx, struct erp_file_meta *meta)
{
	erp_clear_error(c);
	memset(meta, 0, sizeof(*meta));
	return c->ops->document(c, kind, uuid, sink, ctx, meta);
}

/* ---- values ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp, yy;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* n digits at s into *v; 0 or -1. */
static int
digits(const char *s, int n, int64_t *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
erp_date_parse(const char *s, int64_t utc_offset_min, int64_t *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int64_t d, mo, y, h, mi, se, t;

	*out = 0;
	if (s == NULL || *s == '\0')
		return 0;
	/* DD.MM.YYYY hh:mm:ss */
	if (strlen(s) != 19 || s[2] != '.' || s[5] != '.' || s[10] != ' ' ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	if (digits(s, 2, &d) || digits(s + 3, 2, &mo) ||
	    digits(s + 6, 4, &y) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
		return -1;
	if (strcmp(s, "01.01.0001 00:00:00") == 0)
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59)
		return -1;
	if (d > mdays[mo - 1] + (mo == 2 && is_leap(y)))
		return -1;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	t -= utc_offset_min * 60;
	if (t <= 0)
		return -1;	/* before 1970: only the empty date is allowed */
	*out = t;
	return 0;
}

void
erp_date_format(int64_t t, int64_t utc_offset_min, char *buf, size_t bufsz)
{
	int64_t local, days, secs;
	int y, m, d;

	if (t == 0) {
		snprintf(buf, bufsz, "01.01.0001 00:00:00");
		return;
	}
	local = t + utc_offset_min * 60;
	days = local / 86400;
	secs = local % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, bufsz, "%02d.%02d.%04d %02d:%02d:%02d", d, m, y,
	    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

int
erp_int_parse(const char *s, int64_t *out)
{
	uint64_t v = 0, lim;
	int neg = 0;

	*out = 0;
	if (s == NULL)
		return -1;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s == '\0')
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (lim - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int
erp_fixed_parse(const char *s, int scale, int64_t *out)
{
	__int128 v = 0;
	int neg = 0, ndig = 0, frac = -1, round = 0;

	*out = 0;
	if (s == NULL || scale < 0 || scale > 18)
		return -1;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s != '\0'; s++) {
		if (*s == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -1;
		ndig++;
		if (frac >= 0 && frac >= scale) {
			/* beyond the scale: only the first digit rounds */
			if (frac == scale)
				round = *s >= '5';
			frac++;
			continue;
		}
		v = v * 10 + (*s - '0');
		if (v > (__int128)INT64_MAX * 10)
			return -1;
		if (frac >= 0)
			frac++;
	}
	if (ndig == 0)
		return -1;
	if (frac < 0)
		frac = 0;
	for (; frac < scale; frac++)
		v *= 10;
	v += round;
	if (v > (__int128)INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

void
erp_fixed_format(int64_t v, int scale, char *buf, size_t bufsz)
{
	uint64_t u, p = 1;
	int i;

	u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	for (i = 0; i < scale; i++)
		p *= 10;
	if (scale == 0)
		snprintf(buf, bufsz, "%s%llu", v < 0 ? "-" : "",
		    (unsigned long long)u);
	else
		snprintf(buf, bufsz, "%s%llu.%0*llu", v < 0 ? "-" : "",
		    (unsigned long long)(u / p), scale,
		    (unsigned long long)(u % p));
}

/* num / den rounded half away from zero; den > 0. */
static __int128
div_half_away(__int128 num, __int128 den)
{
	if (num >= 0)
		return (2 * num + den) / (2 * den);
	return -((2 * -num + den) / (2 * den));
}

static __int128
pow10_128(int n)
{
	__int128 p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

/* The contract refuses amounts from 9 * 10^12 minor units up. */
#define ERP_AMOUNT_MAX	9000000000000LL

int
erp_from_pln(int64_t p, int64_t rate_e6, int dx, int64_t *out)
{
	__int128 r;

	*out = 0;
	if (rate_e6 <= 0 || dx < 0 || dx > 4 || p >= ERP_AMOUNT_MAX ||
	    p <= -ERP_AMOUNT_MAX)
		return -1;
	/* x = p * 10^6 * 10^dx / (r * 10^2) */
	r = div_half_away((__int128)p * 1000000 * pow10_128(dx),
	    (__int128)rate_e6 * 100);
	if (r >= ERP_AMOUNT_MAX || r <= -ERP_AMOUNT_MAX)
		return -1;
	*out = (int64_t)r;
	return 0;
}

int
erp_to_pln(int64_t x, int64_t rate_e6, int dx, int64_t *out)
{
	__int128 r;

	*out = 0;
	if (rate_e6 <= 0 || dx < 0 || dx > 4 || x >= ERP_AMOUNT_MAX ||
	    x <= -ERP_AMOUNT_MAX)
		return -1;
	/* p = x * r * 10^2 / (10^6 * 10^dx) */
	r = div_half_away((__int128)x * rate_e6 * 100,
	    (__int128)1000000 * pow10_128(dx));
	if (r >= ERP_AMOUNT_MAX || r <= -ERP_AMOUNT_MAX)
		return -1;
	*out = (int64_t)r;
	return 0;
}

int
erp_uuid_valid(const char *s)
{
	int i;

	if (s == NULL || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}
