/*
 * price.c: the price a customer sees (contract in price.h).
 *
 * One constant statement for a whole list of products: the three steps
 * (individual, group, catalogue) as UNION ALL branches, each, for each
 * product, one seek of price_lookup (product_id, kind, customer_id, grp,
 * currency, lang) on its first four columns, currency and lang filtered:
 * no scan, no sorter and no temporary table (a per-probe ORDER BY and IN
 * lists used as index constraints built temporary B-trees, which were
 * most of a list page's time: tests/bench/catalog_bench.sh).
 * price_get_many() picks, per product, among the hits, the most specific
 * step, then the customer's currency, then the language version's own
 * price before the one for every version.  Division rounds with quotient
 * and remainder, so no intermediate doubles an amount (2 x 9 x 10^18
 * would not fit).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "price.h"
#include "util.h"

/* Amounts at or above this are refused rather than overflowed. */
#define PRICE_MAX	9000000000000LL

int64_t
price_div_round(int64_t num, int64_t den)
{
	int64_t q, rem, a;

	a = num < 0 ? -num : num;
	q = a / den;
	rem = a % den;
	if (rem >= den - rem)	/* 2 x rem >= den, without the doubling */
		q++;
	return num < 0 ? -q : q;
}

int
price_from_pln(int64_t pln, int64_t rate_e6, int minor_digits, int64_t *out)
{
	static const int64_t pow10[] = { 1, 10, 100, 1000, 10000 };
	int64_t num, den, limit;

	if (rate_e6 <= 0 || minor_digits < 0 || minor_digits > 4)
		return -1;
	/* p x 10^6 x 10^d / (r x 10^2) = p x 10^(4+d) / r; for d <= 2
	 * keep the numerator at p x 10^6 and scale the rate instead. */
	if (minor_digits <= 2) {
		limit = PRICE_MAX;
		num = 1000000;
		den = rate_e6 * pow10[2 - minor_digits];
	} else {
		limit = PRICE_MAX / pow10[minor_digits - 2];
		num = 1000000 * pow10[minor_digits - 2];
		den = rate_e6;
	}
	if (pln >= limit || pln <= -limit)
		return -1;
	*out = price_div_round(pln * num, den);
	return 0;
}

int64_t
price_gross(int64_t net, int vat_bp)
{
	return net + price_div_round(net * vat_bp, 10000);
}

int
price_ctx_load(struct db *db, int64_t customer_id, const char *lang,
    struct price_ctx *ctx)
{
	static const char q[] =
	    "SELECT c.grp, c.currency, k.minor_digits, k.rate_e6 "
	    "FROM customer c LEFT JOIN currency k ON k.code = c.currency "
	    "WHERE c.id = ? AND c.deleted_at IS NULL";
	sqlite3_stmt *st;
	int rc = 1;

	memset(ctx, 0, sizeof(*ctx));
	if ((st = db_prepare(db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, customer_id);
	switch (db_step(db, st)) {
	case SQLITE_ROW:
		ctx->customer_id = customer_id;
		snprintf(ctx->grp, sizeof(ctx->grp), "%s", db_col_text(st, 0));
		snprintf(ctx->currency, sizeof(ctx->currency), "%s",
		    db_col_text(st, 1));
		snprintf(ctx->lang, sizeof(ctx->lang), "%s", lang);
		ctx->minor_digits = (int)db_col_int(st, 2);
		ctx->rate_e6 = db_col_int(st, 3);
		/* PLN needs no rate; another currency without one cannot be
		 * priced. */
		if (strcmp(ctx->currency, "PLN") == 0) {
			ctx->rate_e6 = 1000000;
			if (db_col_is_null(st, 2))
				ctx->minor_digits = 2;
			rc = 0;
		} else if (!db_col_is_null(st, 3) && ctx->rate_e6 > 0)
			rc = 0;
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = -1;
	}
	db_done(db, st);
	return rc;
}

/* The three steps in one statement for a list of products: ?1 the
 * products' ids as a JSON array (j.key, the index in it, comes back), ?2
 * customer, ?3 currency, ?4 lang, ?5 group ('' none).  json_each drives
 * both branches (CROSS JOIN keeps it the outer loop):
 *  - the individual step: one equality seek of price_lookup (product_id,
 *    kind, customer_id, grp, ...) on its first four columns;
 *  - the group and catalogue steps together: one seek of price_base, the
 *    small partial index of the rows without a customer (product_id, grp,
 *    ...), and a walk over that product's few rows (a catalogue price per
 *    currency and version, one per group that has its own), the group
 *    filtered (by the schema's CHECKs grp '' is the catalogue price, any
 *    other the group's).
 * Currency, lang (and the group) are filters, not index constraints (the
 * unary +): as IN-list constraints they built a temporary table per
 * execution.  Both indexes cover the columns read.  UNION ALL and no ORDER
 * BY, so no sorter: price_get_many() picks the best of the rows, as the
 * steps' ORDER BY currency = ?3 DESC, lang DESC would have.  One execution
 * for a page of 50 products, two seeks each: the per-product statement of
 * before (three seeks, a table look-up per price found, the statement's
 * start each time) cost about three times as much
 * (tests/bench/profile_page.sh). */
static const char q_steps[] =
    "SELECT j.key, 1, p.currency, p.lang, p.amount "
    "FROM json_each(?1) j CROSS JOIN price p "
    "WHERE p.product_id = j.value AND p.kind = 'individual' "
    "AND p.customer_id = ?2 AND p.grp = '' "
    "AND +p.currency IN (?3, 'PLN') AND +p.lang IN (?4, '') "
    "UNION ALL "
    "SELECT j.key, CASE p.grp WHEN '' THEN 3 ELSE 2 END, p.currency, "
    "p.lang, p.amount "
    "FROM json_each(?1) j CROSS JOIN price p INDEXED BY price_base "
    "WHERE p.product_id = j.value AND p.customer_id IS NULL "
    "AND +p.grp IN (?5, '') "
    "AND +p.currency IN (?3, 'PLN') AND +p.lang IN (?4, '')";

/* The best row seen for one product. */
struct price_best {
	int		 score;		/* -1: none yet; lower is better */
	int		 is_pln;
	int64_t		 amount;
};

/* out from the best row: the kind, net converted when it was PLN, gross.
 * 0 or -1. */
static int
price_finish(const struct price_ctx *ctx, int64_t product_id, int vat_bp,
    const struct price_best *b, struct price *out)
{
	static const enum price_kind kinds[] = {
		PRICE_NONE, PRICE_INDIVIDUAL, PRICE_GROUP, PRICE_CATALOGUE
	};
	int64_t net = b->amount;

	memset(out, 0, sizeof(*out));
	memcpy(out->currency, ctx->currency, sizeof(out->currency));
	if (b->score == -1)
		return 0;
	if (b->is_pln) {
		if (price_from_pln(b->amount, ctx->rate_e6, ctx->minor_digits,
		    &net) == -1) {
			log_err("price: product %lld: %lld PLN cannot be "
			    "converted to %s", (long long)product_id,
			    (long long)b->amount, ctx->currency);
			return -1;
		}
		out->converted = 1;
	} else if (b->amount >= PRICE_MAX)
		return -1;
	out->kind = kinds[b->score / 4];
	out->net = net;
	out->gross = price_gross(net, vat_bp);
	return 0;
}

int
price_get_many(struct db *db, const struct price_ctx *ctx, size_t n,
    const int64_t *ids, const int *vat_bp, struct price *out)
{
	struct price_best *best;
	sqlite3_stmt *st;
	char *json;
	size_t i;
	int64_t k;
	int rc, score, pln, ret = -1;

	if (n == 0)
		return 0;
	best = calloc(n, sizeof(*best));
	json = malloc(UTIL_JSON_INTS_SIZE(n));
	if (best == NULL || json == NULL) {
		log_err("price: out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		best[i].score = -1;
	util_json_ints(ids, n, json);
	if ((st = db_prepare(db, q_steps)) == NULL)
		goto out;
	db_bind_text(st, 1, json);
	db_bind_int(st, 2, ctx->customer_id);
	db_bind_text(st, 3, ctx->currency);
	db_bind_text(st, 4, ctx->lang);
	db_bind_text(st, 5, ctx->grp);
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		/* j.key: the product's index in ids */
		if ((k = db_col_int(st, 0)) < 0 || (size_t)k >= n)
			continue;
		i = (size_t)k;
		/* lower is better: the step, then the customer's currency,
		 * then the language version's own price */
		pln = strcmp(db_col_text(st, 2), ctx->currency) != 0;
		score = (int)db_col_int(st, 1) * 4 + pln * 2 +
		    (db_col_text(st, 3)[0] == '\0');
		if (best[i].score == -1 || score < best[i].score) {
			best[i].score = score;
			best[i].is_pln = pln;
			best[i].amount = db_col_int(st, 4);
		}
	}
	db_done(db, st);
	if (rc != SQLITE_DONE)
		goto out;
	for (i = 0; i < n; i++)
		if (price_finish(ctx, ids[i], vat_bp[i], &best[i],
		    &out[i]) == -1)
			goto out;
	ret = 0;
out:
	free(best);
	free(json);
	return ret;
}

int
price_get(struct db *db, const struct price_ctx *ctx, int64_t product_id,
    int vat_bp, struct price *out)
{
	return price_get_many(db, ctx, 1, &product_id, &vat_bp, out);
}
