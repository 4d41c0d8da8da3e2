/*
 * price.c: the price a customer sees (contract in price.h).
 *
 * The price of a product is two scalar subqueries (PRICE_SQL in price.h)
 * that a list's own statement carries per row: the best individual price,
 * and the best group or catalogue price, each one seek of a covering
 * index (price_lookup; price_base, the small partial index of the prices
 * without a customer) and the minimum of a packed number:
 *	(step x 4 + other currency x 2 + every version x 1) x 10^13 + amount
 * so the smallest is the most specific step, then the customer's currency,
 * then the language version's own price, exactly the precedence, and
 * price_unpack() reads the score and the amount back (amounts are below
 * 9 x 10^12: PRICE_MAX).  A category page has them in its list statement
 * (no second statement), search in one over its rows' ids (catalog.c),
 * the product page in q_one (price_get()).  No scan,
 * no sorter, no temporary table (a per-probe ORDER BY and IN lists used as
 * index constraints built temporary B-trees, which were most of a list
 * page's time: tests/bench/catalog_bench.sh).  Division rounds with
 * quotient and remainder, so no intermediate doubles an amount
 * (2 x 9 x 10^18 would not fit).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "price.h"


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

/* One product's price: ?1 its id, ?2.. the pricing (price_bind()).  A
 * list carries PRICE_SQL in its own statement instead (catalog.c). */
static const char q_one[] =
    "SELECT " PRICE_SQL("?1", "?2", "?3", "?4", "?5");

void
price_bind(sqlite3_stmt *st, const struct price_ctx *ctx, int first)
{
	if (ctx == NULL) {	/* no prices: the subqueries stop at once */
		sqlite3_bind_null(st, first + 2);
		return;
	}
	db_bind_int(st, first, ctx->customer_id);
	db_bind_text(st, first + 1, ctx->grp);
	db_bind_text(st, first + 2, ctx->currency);
	db_bind_text(st, first + 3, ctx->lang);
}

int
price_unpack(const struct price_ctx *ctx, int64_t product_id, int vat_bp,
    sqlite3_stmt *st, int col, struct price *out)
{
	return price_unpack2(ctx, product_id, vat_bp,
	    db_col_is_null(st, col) ? -1 : db_col_int(st, col),
	    db_col_is_null(st, col + 1) ? -1 : db_col_int(st, col + 1), out);
}

int
price_unpack2(const struct price_ctx *ctx, int64_t product_id, int vat_bp,
    int64_t ind, int64_t base, struct price *out)
{
	static const enum price_kind kinds[] = {
		PRICE_NONE, PRICE_INDIVIDUAL, PRICE_GROUP, PRICE_CATALOGUE
	};
	int64_t best, amount, net;
	int score, pln;

	memset(out, 0, sizeof(*out));
	memcpy(out->currency, ctx->currency, sizeof(out->currency));
	/* the lower packed value is the more specific step */
	best = ind < 0 || (base >= 0 && base < ind) ? base : ind;
	if (best < 0)
		return 0;
	score = (int)(best / PRICE_PACK);
	amount = best % PRICE_PACK;
	pln = (score & 2) != 0;
	net = amount;
	if (amount >= PRICE_MAX)
		return -1;
	if (pln) {
		if (price_from_pln(amount, ctx->rate_e6, ctx->minor_digits,
		    &net) == -1) {
			log_err("price: product %lld: %lld PLN cannot be "
			    "converted to %s", (long long)product_id,
			    (long long)amount, ctx->currency);
			return -1;
		}
		out->converted = 1;
	}
	out->kind = kinds[score / 4];
	out->net = net;
	out->gross = price_gross(net, vat_bp);
	return 0;
}

int
price_get(struct db *db, const struct price_ctx *ctx, int64_t product_id,
    int vat_bp, struct price *out)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	memcpy(out->currency, ctx->currency, sizeof(out->currency));
	if ((st = db_prepare(db, q_one)) == NULL)
		return -1;
	db_bind_int(st, 1, product_id);
	price_bind(st, ctx, 2);
	if ((rc = db_step(db, st)) == SQLITE_ROW)
		rc = price_unpack(ctx, product_id, vat_bp, st, 0, out);
	else
		rc = -1;
	db_done(db, st);
	return rc;
}
