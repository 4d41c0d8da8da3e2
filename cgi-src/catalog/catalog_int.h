/* catalog_int.h: what the catalogue's pages (catalog.c, product.c,
 * search.c) share: the caller's pricing and stock context. */
#ifndef FRAMUGA_CATALOG_INT_H
#define FRAMUGA_CATALOG_INT_H

#include <stdint.h>

#include <jansson.h>

#include "page.h"
#include "price.h"
#include "qcache.h"

struct req;

#define CATALOG_PAGE		50
#define CATALOG_SEARCH_MAX	50
#define CATALOG_FILTERS		4	/* attribute filters at once */
#define CATALOG_QUERY_MAX	200	/* bytes of a search query */

#define STOCK_LOW_DEFAULT	10000	/* thousandths: 10 units */
#define CATALOG_UNITS		4	/* unit codes with a translation */

enum stock_mode {
	STOCK_EXACT,
	STOCK_LEVEL,
	STOCK_HIDDEN
};

/* What a request knows about pricing and stock. */
struct cat {
	struct req		*r;
	int			 prices;	/* show prices */
	struct price_ctx	 pctx;
	enum stock_mode		 stock;
	int64_t			 stock_low;	/* STOCK_LEVEL: "low" below */
	const char		*warehouse;	/* customer's default, "" none */
	/* The labels every row repeats, translated once per page. */
	const char		*t_kind[4];	/* by enum price_kind */
	const char		*t_none, *t_low, *t_available;
	const char		*t_unit[CATALOG_UNITS];	/* cat_units' labels */
};

/* The unit the ERP wrote (a Polish abbreviation: szt, mb, m2, kpl) in
 * the user's language; a code the portal does not know as written. */
const char	*cat_unit(const struct cat *, const char *code);

/* AREA_PORTAL for a logged-in user, AREA_PUBLIC for a visitor of the
 * public catalogue. */
enum page_area	cat_area(const struct req *);
/* Loads the caller's stock rule and, for a customer's user with
 * prices.view, the pricing context.  0 or -1. */
int	cat_init(struct req *, struct cat *);
/* A price into a row: net, gross, price_kind. */
void	cat_price_json(struct cat *, json_t *, const struct price *);
/* Stock quantity (thousandths) by the rule into obj. */
void	cat_stock_json(struct cat *, json_t *, int64_t, const char *);
/* Price and stock of one product into a row.  0 or -1. */
int	cat_row_extras(struct cat *, json_t *, int64_t, int, const char *);

/* A list row's stock over the active warehouses (thousandths of the
 * unit; 0 when it has none), for the product whose id is the SQL
 * expression id. */
#define CAT_STOCK_SQL(id) \
    "coalesce((SELECT qty_milli FROM stock_total WHERE product_id = " id \
    "), 0) "

/* A row of a list: a cached statement's columns 0 id, 3 unit, 4 VAT
 * (basis points), 5 PRICE_BASE_SQL, 6 CAT_STOCK_SQL (the lists' and the
 * search's layout), and the row's JSON object that gets the price and
 * stock. */
struct cat_item {
	int64_t		 id;
	int		 vat_bp;
	const char	*unit;
	int64_t		 base;		/* packed; -1: none */
	int64_t		 qty;		/* thousandths */
	json_t		*row;
};
void	cat_item_set(struct cat_item *, const struct qc_rows *, size_t,
	    json_t *);
/* The price (the individual one asked live, weighed against the base)
 * and the stock of n items, into each row.  0 or -1. */
int	cat_items_extras(struct cat *, struct cat_item *, size_t);
/* PRICE_BASE_SQL's group and currency for c (NULL, NULL: no prices). */
void	cat_base_params(const struct cat *, const char **, const char **);
/* Runs a page in one read transaction, with the worker's cache checked
 * (qcache_begin()) when the third argument says the page reads it. */
void	cat_snapshot(struct req *, void (*)(struct req *), int);

#endif
