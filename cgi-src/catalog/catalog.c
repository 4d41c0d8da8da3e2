/*
 * catalog.c: the catalogue pages (C1, C5) with the customer's own prices
 * (C2, C3): the category tree and a category's products, and the pricing
 * and stock context every catalogue page shares.
 *
 * Visibility: a product is shown in language version L only when it has a
 * product_visibility row (product, L), is active and not deleted; every
 * query here says so, so a hidden product is absent from lists and search
 * and its direct URL answers 404 like a missing one.
 *
 * Prices: only for a customer's user holding prices.view (staff have no
 * customer and see none); price.c takes the customer from the session
 * (THE CUSTOMER-SCOPE RULE, cgi-src/auth/auth.h), never from the URL.
 *
 * Lists page by keyset (never OFFSET): sort by name walks catalog_name_sort
 * (category, lang, name, product id), by code product_category (category,
 * code, id); the cursor is the last row's key and id (?k=KEY&a=ID).  The
 * sort key comes from an allow-list (sort_keys below).
 *
 * Stock (C4): shown by the rule of the customer's price group, kept as a
 * setting in meta (key 'catalog.stock.GRP', the group's rule, else key
 * 'catalog.stock.' for every group; value 'exact', 'hidden' or
 * 'level:LOW' with LOW in thousandths of the unit): the exact quantity;
 * "available" / "low" (below LOW) / "none"; or nothing at all.  Without a
 * setting: 'level:10000' (10 units), so a dealer sees no exact figures
 * until the maker decides so; staff (no customer) see exact quantities;
 * a visitor of the public catalogue (B3: no login) sees neither stock nor
 * prices.
 * The quantity is the sum over the active warehouses (stock_total, kept
 * by triggers: db/0007_catalog_lists.sql); the product page
 * adds the default warehouse (the customer's default_warehouse_uuid, else
 * the product's) and its stock by the same rule.
 *
 * Speed: every page runs in one read transaction (cat_snapshot()), and
 * the lists' customer-independent rows (names, codes, order, base price
 * for a group and currency, stock) and the category's header and filters
 * come from the worker's cache (qcache.h; valid until the catalogue
 * changes: db/0010_catalog_generation.sql); only the customer's
 * individual prices are asked on every request (q_live).
 *
 * The product page and file downloads are in product.c, search in
 * search.c; what they share (struct cat: the caller's pricing and stock
 * rule) is declared in catalog_int.h.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "../auth/auth.h"
#include "catalog_int.h"
#include "catalog_pages.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "page.h"
#include "perm.h"
#include "price.h"
#include "qcache.h"
#include "req.h"
#include "util.h"

/* The stock rule and default warehouse of the caller's customer into c.
 * 0 or -1. */
static int
cat_stock_rule(struct req *r, struct cat *c)
{
	static const char q[] =
	    "SELECT c.default_warehouse_uuid, coalesce("
	    "  (SELECT value FROM meta WHERE key = 'catalog.stock.' || c.grp), "
	    "  (SELECT value FROM meta WHERE key = 'catalog.stock.')) "
	    "FROM customer c WHERE c.id = ?";
	sqlite3_stmt *st;
	const char *v = NULL;
	char *end;
	int rc;

	c->stock = STOCK_EXACT;
	c->stock_low = 0;
	c->warehouse = "";
	if (r->session == NULL) {
		/* a visitor of the public catalogue: no stock, like no
		 * prices (the maker's figures are for its customers) */
		c->stock = STOCK_HIDDEN;
		return 0;
	}
	if (r->session->customer_id <= 0)
		return 0;	/* staff */
	c->stock = STOCK_LEVEL;
	c->stock_low = STOCK_LOW_DEFAULT;
	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, r->session->customer_id);
	if ((rc = db_step(r->db, st)) == SQLITE_ROW) {
		c->warehouse = arena_strdup(r->arena, db_col_text(st, 0));
		if (!db_col_is_null(st, 1))
			v = db_col_text(st, 1);
	}
	if (v == NULL)
		;
	else if (strcmp(v, "exact") == 0)
		c->stock = STOCK_EXACT;
	else if (strcmp(v, "hidden") == 0)
		c->stock = STOCK_HIDDEN;
	else if (strncmp(v, "level:", 6) == 0 &&
	    (c->stock_low = strtoll(v + 6, &end, 10), end != v + 6) &&
	    *end == '\0' && c->stock_low >= 0)
		c->stock = STOCK_LEVEL;
	else {
		log_err("catalog: meta catalog.stock.*: bad rule '%s', "
		    "using level:%d", v, STOCK_LOW_DEFAULT);
		c->stock_low = STOCK_LOW_DEFAULT;
	}
	db_done(r->db, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Stock qty (thousandths of unit) by the rule into obj: "stock" (text)
 * and "stock_level" (available, low, none: a CSS class). */
void
cat_stock_json(struct cat *c, json_t *obj, int64_t qty, const char *unit)
{
	struct req *r = c->r;
	const char *text, *level;

	if (c->stock == STOCK_HIDDEN)
		return;
	if (qty <= 0) {
		level = "none";
		text = c->t_none;
	} else if (c->stock == STOCK_LEVEL && qty < c->stock_low) {
		level = "low";
		text = c->t_low;
	} else {
		level = "available";
		/* Thousandths of a unit: whole units without decimals. */
		text = c->stock == STOCK_EXACT ? arena_printf(r->arena,
		    "%s %s", qty % 1000 == 0 ?
		    i18n_number(r->arena, qty / 1000, 0) :
		    i18n_number(r->arena, qty, 3), cat_unit(c, unit)) :
		    c->t_available;
	}
	json_object_set_new_nocheck(obj, "stock", json_string_nocheck(text));
	json_object_set_new_nocheck(obj, "stock_level", json_string_nocheck(level));
}

/* The ERP's units of sale (doc/oknoerp/contract.md 5.2: Product.unit),
 * each translated once a page; a code not listed here is shown as the ERP
 * wrote it, and attribute units (mm, kg) are international. */
static const char *const cat_units[CATALOG_UNITS][2] = {
	/* TRANSLATORS: a unit of sale, short: pieces (sztuki) */
	{ "szt", N_("szt") },
	/* TRANSLATORS: a unit of sale, short: linear metre (metr bieżący) */
	{ "mb", N_("mb") },
	/* TRANSLATORS: a unit of sale, short: square metre */
	{ "m2", N_("m²") },
	/* TRANSLATORS: a unit of sale, short: set (komplet) */
	{ "kpl", N_("kpl") },
};

const char *
cat_unit(const struct cat *c, const char *code)
{
	size_t i;

	for (i = 0; i < CATALOG_UNITS; i++)
		if (strcmp(cat_units[i][0], code) == 0)
			return c->t_unit[i];
	return code;
}

int
cat_init(struct req *r, struct cat *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->r = r;
	for (i = 0; i < CATALOG_UNITS; i++)
		c->t_unit[i] = _(cat_units[i][1]);
	c->t_kind[PRICE_INDIVIDUAL] = _("cena indywidualna");
	c->t_kind[PRICE_GROUP] = _("cena grupowa");
	c->t_kind[PRICE_CATALOGUE] = _("cena katalogowa");
	c->t_none = _("brak");
	c->t_low = _("mało");
	c->t_available = _("dostępny");
	if (cat_stock_rule(r, c) == -1)
		return -1;
	if (r->session == NULL || r->session->customer_id <= 0 ||
	    !perm_allows(r, PERM_PRICES_VIEW))
		return 0;
	switch (price_ctx_load(r->db, r->session->customer_id, r->lang,
	    &c->pctx)) {
	case 0:
		c->prices = 1;
		return 0;
	case 1:
		return 0;
	default:
		return -1;
	}
}

/* The price p into row: net, gross and which step it came from. */
void
cat_price_json(struct cat *c, json_t *row, const struct price *p)
{
	struct req *r = c->r;

	if (p->kind == PRICE_NONE)
		return;
	json_object_set_new_nocheck(row, "net", json_string_nocheck(
	    i18n_money(r->arena, p->net, p->currency)));
	json_object_set_new_nocheck(row, "gross", json_string_nocheck(
	    i18n_money(r->arena, p->gross, p->currency)));
	json_object_set_new_nocheck(row, "price_kind",
	    json_string_nocheck(c->t_kind[p->kind]));
}

/* The layout area of a catalogue page: the portal's for a logged-in
 * user, the public site's for a visitor of the public catalogue. */
enum page_area
cat_area(const struct req *r)
{
	return r->session != NULL ? AREA_PORTAL : AREA_PUBLIC;
}

/* Price and stock of one product into row.  0 or -1. */
int
cat_row_extras(struct cat *c, json_t *row, int64_t product_id, int vat_bp,
    const char *unit)
{
	static const char q_stock[] =
	    "SELECT qty_milli FROM stock_total WHERE product_id = ?";
	struct req *r = c->r;
	struct price p;
	sqlite3_stmt *st;
	int64_t qty = 0;

	if (c->prices) {
		if (price_get(r->db, &c->pctx, product_id, vat_bp, &p) == -1)
			return -1;
		cat_price_json(c, row, &p);
	}
	if (c->stock == STOCK_HIDDEN)
		return 0;
	if ((st = db_prepare(r->db, q_stock)) == NULL)
		return -1;
	db_bind_int(st, 1, product_id);
	if (db_step(r->db, st) == SQLITE_ROW)
		qty = db_col_int(st, 0);
	db_done(r->db, st);
	cat_stock_json(c, row, qty, unit);
	return 0;
}

/* The live half of a list's rows: the customer's individual prices, in
 * one statement over the rows' ids (?1, a JSON list); ?2-?4 the pricing
 * (customer, currency, language).  A join, not a subquery per row, so the
 * index's cursor is opened once for the page; a CROSS JOIN, so that the
 * ids lead (else SQLite walks the customer's whole list and the ids for
 * each of its rows); and by the index that puts the customer first, so
 * the seeks stay in the few pages of that customer's list.  A product
 * with individual prices in both currencies or languages comes once for
 * each, and the lowest packed value wins (price.h).  The rest of a row
 * (names, base price, stock) comes from the worker's cache. */
static const char q_live[] =
    "SELECT j.key, " PRICE_IND_PACK("i", "?3") " "
    "FROM json_each(?1) j "
    "CROSS JOIN price i INDEXED BY price_customer "
    "  ON i.customer_id = ?2 AND i.product_id = j.value "
    "  AND i.kind = 'individual' AND i.grp = '' "
    "  AND +i.currency IN (?3, 'PLN') AND +i.lang IN (?4, '')";

void
cat_item_set(struct cat_item *it, const struct qc_rows *q, size_t i,
    json_t *row)
{
	it->id = qc_int(q, i, 0);
	it->unit = qc_text(q, i, 3);
	it->vat_bp = (int)qc_int(q, i, 4);
	it->base = qc_null(q, i, 5) ? -1 : qc_int(q, i, 5);
	it->qty = qc_int(q, i, 6);
	it->row = row;
}

int
cat_items_extras(struct cat *c, struct cat_item *it, size_t n)
{
	struct req *r = c->r;
	sqlite3_stmt *st;
	struct price pr;
	int64_t *ids, *ind, k, v;
	size_t i;
	int rc = SQLITE_DONE;

	if (n == 0)
		return 0;
	if (c->prices) {
		ids = arena_alloc(r->arena, n * sizeof(*ids));
		ind = arena_alloc(r->arena, n * sizeof(*ind));
		for (i = 0; i < n; i++) {
			ids[i] = it[i].id;
			ind[i] = -1;
		}
		if ((st = db_prepare(r->db, q_live)) == NULL)
			return -1;
		db_bind_text(st, 1, util_json_ints(ids, n,
		    arena_alloc(r->arena, UTIL_JSON_INTS_SIZE(n))));
		db_bind_int(st, 2, c->pctx.customer_id);
		db_bind_text(st, 3, c->pctx.currency);
		db_bind_text(st, 4, c->pctx.lang);
		while ((rc = db_step(r->db, st)) == SQLITE_ROW) {
			/* j.key: the item's index */
			if ((k = db_col_int(st, 0)) < 0 || (size_t)k >= n)
				continue;
			v = db_col_int(st, 1);
			if (ind[k] == -1 || v < ind[k])
				ind[k] = v;
		}
		db_done(r->db, st);
		if (rc != SQLITE_DONE)
			return -1;
		/* net and gross, "–" without a price (the row template
		 * prints them as they are) */
		for (i = 0; i < n; i++) {
			if (price_unpack2(&c->pctx, it[i].id, it[i].vat_bp,
			    ind[i], it[i].base, &pr) == -1)
				return -1;
			json_object_set_new_nocheck(it[i].row, "net",
			    json_string_nocheck(pr.kind == PRICE_NONE ? "–" :
			    i18n_money(r->arena, pr.net, pr.currency)));
			json_object_set_new_nocheck(it[i].row, "gross",
			    json_string_nocheck(pr.kind == PRICE_NONE ? "–" :
			    i18n_money(r->arena, pr.gross, pr.currency)));
		}
	}
	if (c->stock != STOCK_HIDDEN)
		for (i = 0; i < n; i++)
			cat_stock_json(c, it[i].row, it[i].qty, it[i].unit);
	return 0;
}

/* The parameters of PRICE_BASE_SQL for c: group and currency, both NULL
 * (no prices) for a caller who sees none. */
void
cat_base_params(const struct cat *c, const char **grp, const char **cur)
{
	*grp = c->prices ? c->pctx.grp : NULL;
	*cur = c->prices ? c->pctx.currency : NULL;
}

/* The tables the cached statements read that have no generation trigger
 * of their own (qcache_begin()). */
static const char *const cat_derived[] = {
	"catalog_fts",	/* kept by the triggers of product, product_text */
	NULL
};

/* Runs page in one read transaction: every statement of the page sees
 * one snapshot (a sync committing between two of them cannot mix two
 * catalogues on one page) and the database's locks are taken once, not
 * once a statement.  cached: the page reads the worker's cache, which is
 * checked first (the others skip that look-up). */
void
cat_snapshot(struct req *r, void (*page)(struct req *), int cached)
{
	switch (db_begin_read(r->db)) {
	case SQLITE_OK:
		break;
	case SQLITE_BUSY:
		page_error(r, 503, NULL);
		return;
	default:
		page_error(r, 500, NULL);
		return;
	}
	if (cached &&
	    qcache_begin(r->db, "catalog_generation", cat_derived) == -1) {
		db_rollback(r->db);
		page_error(r, 500, NULL);
		return;
	}
	page(r);
	if (db_commit(r->db) != SQLITE_OK)
		log_err("catalog: the read transaction did not end cleanly");
}

/* ---- GET /catalog ---- */

/* The tree in depth-first order as a flat list: each item says how many
 * open lists end before it ("close": a list of that many nulls, for
 * {{#each}}) and whether a nested list opens after it. */
struct node {
	int64_t		 id;
	const char	*uuid, *parent, *name;
	int		 used;
};

static void
tree_walk(json_t *out, struct node *n, size_t nn, const char *parent,
    int depth, int *open_depth)
{
	size_t i, j;
	json_t *item, *close;
	int has_kids;

	for (i = 0; i < nn; i++) {
		if (n[i].used || strcmp(n[i].parent, parent) != 0)
			continue;
		n[i].used = 1;	/* also stops a cycle in the ERP's data */
		item = json_object();
		close = json_array();
		for (; *open_depth > depth; (*open_depth)--)
			json_array_append_new(close, json_null());
		has_kids = 0;
		for (j = 0; j < nn; j++)
			if (!n[j].used && strcmp(n[j].parent, n[i].uuid) == 0) {
				has_kids = 1;
				break;
			}
		json_object_set_new_nocheck(item, "close", close);
		json_object_set_new_nocheck(item, "id", json_integer(n[i].id));
		json_object_set_new_nocheck(item, "name", json_string(n[i].name));
		json_object_set_new_nocheck(item, "opens", json_boolean(has_kids));
		json_array_append_new(out, item);
		if (has_kids) {
			*open_depth = depth + 1;
			tree_walk(out, n, nn, n[i].uuid, depth + 1, open_depth);
		}
	}
}

static void
tree_page(struct req *r)
{
	static const char q[] =
	    "SELECT c.id, c.erp_uuid, c.parent_uuid, "
	    "coalesce(t.name, c.code) FROM category c "
	    "LEFT JOIN category_text t ON t.category_id = c.id AND t.lang = ? "
	    "WHERE c.active = 1 ORDER BY c.parent_uuid, c.sort, c.id";
	json_t *ctx = page_ctx(r, _("Katalog"), cat_area(r));
	json_t *items = json_array(), *tail = json_array();
	struct node *n = NULL;
	size_t nn = 0, cap = 0, i;
	sqlite3_stmt *st;
	int open_depth = 0, found;

	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_text(st, 1, r->lang);
	while (db_step(r->db, st) == SQLITE_ROW) {
		if (nn == cap) {
			struct node *m;

			cap = cap ? cap * 2 : 64;
			m = arena_alloc(r->arena, cap * sizeof(*m));
			if (nn > 0)
				memcpy(m, n, nn * sizeof(*m));
			n = m;
		}
		n[nn].id = db_col_int(st, 0);
		n[nn].uuid = arena_strdup(r->arena, db_col_text(st, 1));
		n[nn].parent = arena_strdup(r->arena, db_col_text(st, 2));
		n[nn].name = arena_strdup(r->arena, db_col_text(st, 3));
		n[nn].used = 0;
		nn++;
	}
	db_done(r->db, st);
	/* Roots: no parent, or a parent that is not (or not yet) here. */
	for (i = 0; i < nn; i++) {
		size_t j;

		if (n[i].used)
			continue;
		found = 0;
		for (j = 0; j < nn && n[i].parent[0] != '\0'; j++)
			if (strcmp(n[j].uuid, n[i].parent) == 0) {
				found = 1;
				break;
			}
		if (!found)
			tree_walk(items, n, nn, n[i].parent, 0, &open_depth);
	}
	for (; open_depth > 0; open_depth--)
		json_array_append_new(tail, json_null());
	json_object_set_new(ctx, "items", items);
	json_object_set_new(ctx, "tail", tail);
	page_render(r, 200, "catalog/tree.html", ctx);
}

void
catalog_tree(struct req *r)
{
	cat_snapshot(r, tree_page, 0);
}

/* ---- GET /catalog/c/{id}[?sort=name|code&k=KEY&a=ID] ---- */

/* The attribute filters: up to CATALOG_FILTERS (code, value) pairs in
 * ?6/?7, ?8/?9, ?10/?11, ?12/?13 (a NULL code skips its test), each to hold
 * for the product in its language version or language-neutral.  One
 * constant statement for any choice; each filter is one seek of
 * product_attr's key (product_id, code, lang) per row walked (a JSON list
 * through json_each cost a virtual table opened per row, four times as
 * much).  The keyset walk stays on its index, so a selective filter walks
 * more of the category to fill a page (bounded by the category's size). */
#define ATTR_TEST(id, c, v) \
    "AND (" c " IS NULL OR EXISTS (SELECT 1 FROM product_attr a " \
    "  WHERE a.product_id = " id " AND a.code = " c " " \
    "  AND a.lang IN (?2, '') AND a.value = " v ")) "
#define ATTR_FILTER(id) \
    ATTR_TEST(id, "?6", "?7") ATTR_TEST(id, "?8", "?9") \
    ATTR_TEST(id, "?10", "?11") ATTR_TEST(id, "?12", "?13")

/* The page's rows, cached (qcache.h): every product's id, name, code,
 * unit, VAT, its base price (PRICE_BASE_SQL: the group's or the
 * catalogue's, for the group ?14 and currency ?15; both NULL: none) and
 * its stock.  The individual price is asked live (q_live). */
static const char q_by_name[] =
    "SELECT n.product_id, n.name, p.code, p.unit, p.vat_bp, "
    PRICE_BASE_SQL("n.product_id", "?14", "?15", "?2") ", "
    CAT_STOCK_SQL("n.product_id")
    "FROM catalog_name n JOIN product p ON p.id = n.product_id "
    "WHERE n.category_uuid = ?1 AND n.lang = ?2 "
    "AND (n.name, n.product_id) > (?3, ?4) "
    "AND p.deleted_at IS NULL AND p.active = 1 "
    "AND EXISTS (SELECT 1 FROM product_visibility v "
    "  WHERE v.product_id = n.product_id AND v.lang = ?2) "
    ATTR_FILTER("n.product_id")
    "ORDER BY n.name, n.product_id LIMIT ?5";
static const char q_by_code[] =
    "SELECT p.id, t.name, p.code, p.unit, p.vat_bp, "
    PRICE_BASE_SQL("p.id", "?14", "?15", "?2") ", "
    CAT_STOCK_SQL("p.id")
    "FROM product p JOIN product_text t ON t.product_id = p.id "
    "AND t.lang = ?2 "
    "WHERE p.category_uuid = ?1 AND p.deleted_at IS NULL "
    "AND (p.code, p.id) > (?3, ?4) AND p.active = 1 "
    "AND EXISTS (SELECT 1 FROM product_visibility v "
    "  WHERE v.product_id = p.id AND v.lang = ?2) "
    ATTR_FILTER("p.id")
    "ORDER BY p.code, p.id LIMIT ?5";

/* The products of the category ?1 in language ?2 that pass the filters
 * of ?6-?13 (ATTR_FILTER), counted by attribute value, for the code ?3
 * only (NULL: every code); ?4 and ?5 are unused.  The products are
 * chosen first (MATERIALIZED: each filter is tested once a product, not
 * once an attribute row), then their attributes grouped.  It walks the
 * whole category: 125 M instructions (about 10 ms) for 6,000 products,
 * once per choice of filters, worker and catalogue generation (cached). */
static const char q_narrow[] =
    "WITH m AS MATERIALIZED (SELECT n.product_id FROM catalog_name n "
    "  JOIN product p ON p.id = n.product_id "
    "  WHERE n.category_uuid = ?1 AND n.lang = ?2 "
    "  AND p.deleted_at IS NULL AND p.active = 1 "
    "  AND EXISTS (SELECT 1 FROM product_visibility v "
    "    WHERE v.product_id = n.product_id AND v.lang = ?2) "
    "  " ATTR_FILTER("n.product_id") ") "
    "SELECT g.code, g.value, count(DISTINCT g.product_id) "
    "FROM m JOIN product_attr g ON g.product_id = m.product_id "
    "  AND g.lang IN (?2, '') AND g.value <> '' "
    "WHERE ?3 IS NULL OR g.code = ?3 "
    "GROUP BY g.code, g.value";

/* The count of (code, value) in a q_narrow result; 0 when absent. */
static int64_t
narrowed(const struct qc_rows *q, const char *code, const char *value)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		if (strcmp(qc_text(q, i, 0), code) == 0 &&
		    strcmp(qc_text(q, i, 1), value) == 0)
			return qc_int(q, i, 2);
	return 0;
}

/* q_narrow for only (NULL: every code) with the filters f[0..nf) but the
 * one numbered skip (-1: none). */
static const struct qc_rows *
narrow_rows(struct req *r, const char *uuid, const char *only,
    const char *f[CATALOG_FILTERS][2], int nf, int skip)
{
	const char *v[CATALOG_FILTERS][2] = { { NULL } };
	int i;

	for (i = 0; i < nf; i++)
		if (i != skip) {
			v[i][0] = f[i][0];
			v[i][1] = f[i][1];
		}
	return QCACHE_ROWS(r->db, q_narrow, QC_S(uuid), QC_S(r->lang),
	    QC_S(only), QC_S(NULL), QC_S(NULL),
	    QC_S(v[0][0]), QC_S(v[0][1]), QC_S(v[1][0]), QC_S(v[1][1]),
	    QC_S(v[2][0]), QC_S(v[2][1]), QC_S(v[3][0]), QC_S(v[3][1]));
}

/* The category's attribute filters (catalog_facet, refreshed by the sync)
 * into ctx "facets": [{name, param, values: [{value, label, selected}]}],
 * and the ones the request chose (?f_CODE=VALUE; only a value the facet
 * offers counts, so the allow-list is the data; the first CATALOG_FILTERS)
 * into f[] (code, value pairs; *nf of them) and ctx "filters" [{param,
 * value}] for the links that keep them.
 *
 * A label counts the products the value would give: with no filter
 * chosen, the category's (catalog_facet); with some, those that pass the
 * other attributes' chosen filters (q_narrow): a value of an attribute
 * not chosen is counted among the products that pass every filter, a
 * value of a chosen attribute among those that pass the others, since
 * picking it replaces that attribute's choice.  0 or -1. */
static int
cat_facets(struct req *r, json_t *ctx, const char *uuid,
    const char *f[CATALOG_FILTERS][2], int *nf)
{
	static const char q[] =
	    "SELECT code, name, value, value "
	    "  || CASE unit WHEN '' THEN '' ELSE ' ' || unit END "
	    "  || ' (' || n || ')', unit "
	    "FROM catalog_facet "
	    "WHERE category_uuid = ?1 AND lang = ?2 ORDER BY code, value";
	const struct qc_rows *q_rows, *all = NULL, *own[CATALOG_FILTERS];
	json_t *facets, *links, *values = NULL, *v;
	const char *code, *want = NULL, *value, *last = NULL, *unit, *label;
	char *param = NULL;
	size_t i;
	int k, sel;

	*nf = 0;
	if ((q_rows = QCACHE_ROWS(r->db, q, QC_S(uuid), QC_S(r->lang))) == NULL)
		return -1;
	/* the filters chosen among the values offered */
	for (i = 0; i < q_rows->n; i++) {
		code = qc_text(q_rows, i, 0);
		if (last == NULL || strcmp(last, code) != 0) {
			last = code;
			want = req_query(r, arena_printf(r->arena, "f_%s", code));
		}
		value = qc_text(q_rows, i, 2);
		if (want != NULL && strcmp(want, value) == 0 &&
		    *nf < CATALOG_FILTERS) {
			f[*nf][0] = code;
			f[*nf][1] = value;
			(*nf)++;
		}
	}
	/* the counts under them: one grouping for the attributes not
	 * chosen, one for each chosen one without its own filter (with a
	 * single filter that is the category's count) */
	if (*nf > 0 && (all = narrow_rows(r, uuid, NULL, f, *nf, -1)) == NULL)
		return -1;
	for (k = 0; k < *nf; k++)
		if (*nf > 1 && (own[k] = narrow_rows(r, uuid, f[k][0], f, *nf,
		    k)) == NULL)
			return -1;
	facets = json_array();
	links = json_array();
	last = NULL;
	for (i = 0; i < q_rows->n; i++) {
		code = qc_text(q_rows, i, 0);
		if (last == NULL || strcmp(last, code) != 0) {
			last = code;
			param = arena_printf(r->arena, "f_%s", code);
			values = json_array();
			json_array_append_new(facets, json_pack(
			    "{s:s, s:s, s:o}", "name", qc_text(q_rows, i, 1),
			    "param", param, "values", values));
		}
		value = qc_text(q_rows, i, 2);
		unit = qc_text(q_rows, i, 4);
		for (k = 0; k < *nf && strcmp(f[k][0], code) != 0; k++)
			;
		sel = k < *nf && strcmp(f[k][1], value) == 0;
		if (*nf == 0 || (k < *nf && *nf == 1))
			label = qc_text(q_rows, i, 3);
		else
			label = arena_printf(r->arena, *unit != '\0' ?
			    "%s %s (%lld)" : "%s%s (%lld)", value, unit,
			    (long long)narrowed(k < *nf ? own[k] : all, code,
			    value));
		v = json_object();
		json_object_set_new_nocheck(v, "value", json_string(value));
		json_object_set_new_nocheck(v, "label", json_string(label));
		if (sel) {
			json_object_set_new_nocheck(v, "selected", json_true());
			json_array_append_new(links, json_pack("{s:s, s:s}",
			    "param", param, "value", value));
		}
		json_array_append_new(values, v);
	}
	json_object_set_new(ctx, "facets", facets);
	json_object_set_new(ctx, "filters", links);
	json_object_set_new(ctx, "filtered", json_boolean(*nf > 0));
	return 0;
}

/* The allow-list of sort keys: the name in the URL and which column of
 * its statement (list_sql: the same columns) is the cursor's key. */
static const struct {
	const char	*name;
	int		 key_col;
} sort_keys[] = {
	{ "name", 1 },
	{ "code", 2 },
};
static const char *const list_sql[] = { q_by_name, q_by_code };

/* The category id's row (uuid, name, parent's uuid), its parent and its
 * children into ctx; the uuid, or NULL with the error page answered. */
static const char *
cat_header(struct req *r, json_t *ctx)
{
	static const char q_cat[] =
	    "SELECT c.erp_uuid, coalesce(t.name, c.code), c.parent_uuid "
	    "FROM category c LEFT JOIN category_text t ON t.category_id = c.id "
	    "AND t.lang = ?2 WHERE c.id = ?1 AND c.active = 1";
	static const char q_kids[] =
	    "SELECT c.id, coalesce(t.name, c.code) FROM category c "
	    "LEFT JOIN category_text t ON t.category_id = c.id AND t.lang = ?2 "
	    "WHERE c.parent_uuid = ?1 AND c.active = 1 ORDER BY c.sort, c.id";
	static const char q_parent[] =
	    "SELECT c.id, coalesce(t.name, c.code) FROM category c "
	    "LEFT JOIN category_text t ON t.category_id = c.id AND t.lang = ?2 "
	    "WHERE c.erp_uuid = ?1 AND c.active = 1";
	const struct qc_rows *cat, *q_rows;
	const char *uuid, *parent;
	json_t *kids;
	size_t i;

	if ((cat = QCACHE_ROWS(r->db, q_cat, QC_I(r->iparam[0]),
	    QC_S(r->lang))) == NULL) {
		page_error(r, 500, NULL);
		return NULL;
	}
	if (cat->n == 0) {
		page_error(r, 404, NULL);
		return NULL;
	}
	uuid = qc_text(cat, 0, 0);
	parent = qc_text(cat, 0, 2);
	json_object_set_new(ctx, "title", json_string(qc_text(cat, 0, 1)));
	json_object_set_new(ctx, "category", json_pack("{s:I, s:s}",
	    "id", (json_int_t)r->iparam[0], "name", qc_text(cat, 0, 1)));
	if (parent[0] != '\0') {
		if ((q_rows = QCACHE_ROWS(r->db, q_parent, QC_S(parent),
		    QC_S(r->lang))) == NULL) {
			page_error(r, 500, NULL);
			return NULL;
		}
		if (q_rows->n > 0)
			json_object_set_new(ctx, "parent", json_pack(
			    "{s:I, s:s}", "id",
			    (json_int_t)qc_int(q_rows, 0, 0),
			    "name", qc_text(q_rows, 0, 1)));
	}
	if ((q_rows = QCACHE_ROWS(r->db, q_kids, QC_S(uuid), QC_S(r->lang))) ==
	    NULL) {
		page_error(r, 500, NULL);
		return NULL;
	}
	kids = json_array();
	for (i = 0; i < q_rows->n; i++)
		json_array_append_new(kids, json_pack("{s:I, s:s}",
		    "id", (json_int_t)qc_int(q_rows, i, 0),
		    "name", qc_text(q_rows, i, 1)));
	json_object_set_new(ctx, "children", kids);
	return uuid;
}

static void
category_page(struct req *r)
{
	const char *sort = req_query(r, "sort"), *key = req_query(r, "k");
	const char *after = req_query(r, "a"), *uuid, *grp, *cur;
	const char *filter[CATALOG_FILTERS][2] = { { NULL } };
	const struct qc_rows *q_rows;
	struct cat_item *it;
	json_t *ctx, *rows, *row;
	int64_t after_id = 0;
	struct cat c;
	size_t s, i, n;
	char *end;
	int nf;

	for (s = 0; sort != NULL && s < sizeof(sort_keys) / sizeof(sort_keys[0]);
	    s++)
		if (strcmp(sort, sort_keys[s].name) == 0)
			break;
	if (sort == NULL)
		s = 0;
	if (s == sizeof(sort_keys) / sizeof(sort_keys[0]) ||
	    (after != NULL && (after_id = strtoll(after, &end, 10),
	    *after == '\0' || *end != '\0' || after_id < 0)) ||
	    (after != NULL) != (key != NULL)) {
		page_error(r, 400, _("Nieprawidłowy numer strony."));
		return;
	}
	if (cat_init(r, &c) == -1) {
		page_error(r, 500, NULL);
		return;
	}
	ctx = page_ctx(r, "", cat_area(r));
	if ((uuid = cat_header(r, ctx)) == NULL)
		return;
	if (cat_facets(r, ctx, uuid, filter, &nf) == -1) {
		page_error(r, 500, NULL);
		return;
	}
	cat_base_params(&c, &grp, &cur);
	if ((q_rows = QCACHE_ROWS(r->db, list_sql[s], QC_S(uuid),
	    QC_S(r->lang), QC_S(key != NULL ? key : ""), QC_I(after_id),
	    QC_I(CATALOG_PAGE + 1),
	    QC_S(filter[0][0]), QC_S(filter[0][1]),
	    QC_S(filter[1][0]), QC_S(filter[1][1]),
	    QC_S(filter[2][0]), QC_S(filter[2][1]),
	    QC_S(filter[3][0]), QC_S(filter[3][1]),
	    QC_S(grp), QC_S(cur))) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	n = q_rows->n > CATALOG_PAGE ? CATALOG_PAGE : q_rows->n;
	rows = json_array();
	it = arena_alloc(r->arena, (n + 1) * sizeof(*it));
	for (i = 0; i < n; i++) {
		row = json_object();
		json_object_set_new_nocheck(row, "id",
		    json_integer(qc_int(q_rows, i, 0)));
		json_object_set_new_nocheck(row, "name",
		    json_string(qc_text(q_rows, i, 1)));
		json_object_set_new_nocheck(row, "code",
		    json_string(qc_text(q_rows, i, 2)));
		json_array_append_new(rows, row);
		cat_item_set(&it[i], q_rows, i, row);
	}
	if (cat_items_extras(&c, it, n) == -1) {
		page_error(r, 500, NULL);
		return;
	}
	json_object_set_new(ctx, "rows", rows);
	json_object_set_new(ctx, "prices", json_boolean(c.prices));
	json_object_set_new(ctx, "stock_shown",
	    json_boolean(c.stock != STOCK_HIDDEN));
	json_object_set_new(ctx, "sort", json_string(sort_keys[s].name));
	json_object_set_new(ctx, "sort_name", json_boolean(s == 0));
	if (q_rows->n > CATALOG_PAGE) {
		json_object_set_new(ctx, "next_key", json_string(
		    qc_text(q_rows, n - 1, sort_keys[s].key_col)));
		json_object_set_new(ctx, "next_id",
		    json_integer(qc_int(q_rows, n - 1, 0)));
	}
	json_object_set_new(ctx, "paged", json_boolean(after != NULL));
	page_render(r, 200, "catalog/category.html", ctx);
}

void
catalog_category(struct req *r)
{
	cat_snapshot(r, category_page, 1);
}
