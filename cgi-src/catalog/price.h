/*
 * price.h: the price a customer sees (C2, C3).
 *
 * The price of a product for a customer is the most specific one the ERP
 * gave: the customer's individual price, else their group's price, else
 * the catalogue price (db/0002_erp.sql, table price; each step is one
 * probe of the index price_lookup).  Within a step a price in the
 * customer's currency wins over one in PLN, and a price of the user's
 * language version over one of every version (lang '').  A PLN price for a
 * customer who buys in another currency is converted at the rate the
 * portal holds (currency.rate_e6, PLN per unit x 10^6) by the contract's
 * rule (doc/oknoerp/contract.md 2.1): integers only, half away from zero,
 * to the currency's minor unit.  Gross is net plus VAT at the product's
 * rate, the VAT rounded half-up to the minor unit (WINDOWS.md 2, step 7).
 *
 * THE CUSTOMER-SCOPE RULE: price_ctx_load() takes the customer id from the
 * caller, who passes r->session->customer_id and nothing else; a user
 * without PERM_PRICES_VIEW (and staff, who have no customer) never gets
 * here, so they see no price at all.
 */
#ifndef FRAMUGA_PRICE_H
#define FRAMUGA_PRICE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct db;

/* Who is being priced: filled once per request by price_ctx_load(). */
struct price_ctx {
	int64_t		 customer_id;
	char		 grp[16];	/* price group, "" if none */
	char		 currency[4];	/* the customer's ISO 4217 code */
	char		 lang[9];	/* the language version */
	int		 minor_digits;	/* of currency */
	int64_t		 rate_e6;	/* PLN per unit x 10^6 (PLN: 10^6) */
};

enum price_kind {
	PRICE_NONE = 0,		/* no price at any step */
	PRICE_INDIVIDUAL,
	PRICE_GROUP,
	PRICE_CATALOGUE
};

struct price {
	enum price_kind	 kind;
	int64_t		 net;		/* minor units of currency */
	int64_t		 gross;
	int		 converted;	/* 1: from a PLN price at rate_e6 */
	char		 currency[4];	/* the customer's ISO 4217 code */
};

/* Fill ctx for customer_id (> 0) in language version lang: the customer's
 * group and currency and that currency's rate.  0; 1 when the customer is
 * unknown or deleted, or their currency has no rate (then no prices are
 * shown); -1 on a database error (logged). */
int	 price_ctx_load(struct db *, int64_t customer_id, const char *lang,
	    struct price_ctx *ctx);

/* The price of product_id (whose VAT rate is vat_bp, basis points) for
 * ctx into *out.  0 (out->kind PRICE_NONE when there is none), or -1 on a
 * database error or an amount too large to convert (logged). */
int	 price_get(struct db *, const struct price_ctx *, int64_t product_id,
	    int vat_bp, struct price *out);
/* Amounts at or above this are refused rather than overflowed. */
#define PRICE_MAX	9000000000000LL
/* The packing of a price's precedence and amount (price.c). */
#define PRICE_PACK	10000000000000LL

/*
 * Two SQL result columns: the packed best individual price and the packed
 * best group-or-catalogue price of the product whose id is the SQL
 * expression id, for the parameters cust, grp, cur, lang (bound in that
 * order by price_bind(); cur NULL: no prices, both NULL).  Each is one seek
 * of a covering index; price_unpack() reads them.  The two halves are
 * also apart: PRICE_BASE_SQL depends on the customer only through its
 * group and currency, so a list can keep it in a cache (qcache.h) and ask
 * the individual price live.  PRICE_IND_PACK is the packing of one
 * individual price row t, for a join that takes the minimum itself.
 */
#define PRICE_IND_PACK(t, cur) \
    "(4 + 2 * (" t ".currency <> " cur ") + (" t ".lang = '')) " \
    "  * 10000000000000 + min(" t ".amount, 9999999999999)"
#define PRICE_IND_SQL(id, cust, cur, lang) \
    "(SELECT min(" PRICE_IND_PACK("price", cur) ") FROM price " \
    "  WHERE " cur " IS NOT NULL AND product_id = " id " " \
    "  AND kind = 'individual' AND customer_id = " cust " AND grp = '' " \
    "  AND +currency IN (" cur ", 'PLN') AND +lang IN (" lang ", ''))"
#define PRICE_BASE_SQL(id, grp, cur, lang) \
    "(SELECT min((CASE grp WHEN '' THEN 12 ELSE 8 END " \
    "  + 2 * (currency <> " cur ") + (lang = '')) " \
    "  * 10000000000000 + min(amount, 9999999999999)) " \
    "  FROM price INDEXED BY price_base " \
    "  WHERE " cur " IS NOT NULL AND product_id = " id " " \
    "  AND customer_id IS NULL AND +grp IN (" grp ", '') " \
    "  AND +currency IN (" cur ", 'PLN') AND +lang IN (" lang ", ''))"
#define PRICE_SQL(id, cust, grp, cur, lang) \
    PRICE_IND_SQL(id, cust, cur, lang) ", " PRICE_BASE_SQL(id, grp, cur, lang)
/* Binds ctx's customer, group, currency and lang as parameters first ..
 * first + 3 of a statement with PRICE_SQL; ctx NULL: no prices. */
void	 price_bind(sqlite3_stmt *, const struct price_ctx *, int first);
/* The price from PRICE_SQL's two columns col, col + 1 of st into *out (for
 * product_id, VAT vat_bp): 0 (kind PRICE_NONE when both are NULL), or -1
 * on an amount too large or that cannot be converted (logged). */
int	 price_unpack(const struct price_ctx *, int64_t product_id,
	    int vat_bp, sqlite3_stmt *, int col, struct price *out);
/* The same from the two values themselves (-1 for NULL). */
int	 price_unpack2(const struct price_ctx *, int64_t product_id,
	    int vat_bp, int64_t ind, int64_t base, struct price *out);

/* ---- the arithmetic (pure; exported for the unit tests) ---- */

/* round_half_up(num / den) for den > 0, half away from zero (symmetric).
 * The caller keeps |num| + den within int64. */
int64_t	 price_div_round(int64_t num, int64_t den);
/* PLN minor units -> minor units of a currency with rate_e6 and
 * minor_digits (0..4): round_half_up(p x 10^6 x 10^d / (r x 10^2)).
 * 0, or -1 when |pln| >= 9 x 10^12 or the arguments are out of range. */
int	 price_from_pln(int64_t pln, int64_t rate_e6, int minor_digits,
	    int64_t *out);
/* net plus VAT: net + round_half_up(net x vat_bp / 10000). */
int64_t	 price_gross(int64_t net, int vat_bp);

#endif
