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
		    i18n_number(r->arena, qty, 3), unit) :
		    c->t_available;
	}
	json_object_set_new_nocheck(obj, "stock", json_string_nocheck(text));
	json_object_set_new_nocheck(obj, "stock_level", json_string_nocheck(level));
}

int
cat_init(struct req *r, struct cat *c)
{
	memset(c, 0, sizeof(*c));
	c->r = r;
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

/* A list row's price and stock, computed in the list's own statement:
 * ?14-?17 the pricing (price_bind()), ?18 1 when stock is shown.  Three
 * columns after the list's own. */
#define LIST_EXTRAS(id) \
    ", " PRICE_SQL(id, "?14", "?15", "?16", "?17") ", " \
    "(SELECT qty_milli FROM stock_total WHERE ?18 IS NOT NULL " \
    "  AND product_id = " id ") "

/* Binds LIST_EXTRAS's parameters for c. */
static void
cat_extras_bind(struct cat *c, sqlite3_stmt *st)
{
	price_bind(st, c->prices ? &c->pctx : NULL, 14);
	if (c->stock != STOCK_HIDDEN)
		db_bind_int(st, 18, 1);
}

/* LIST_EXTRAS's columns from col on into row (product id, VAT, unit).
 * 0 or -1. */
static int
cat_extras_json(struct cat *c, json_t *row, sqlite3_stmt *st, int col,
    int64_t id, int vat_bp, const char *unit)
{
	struct price pr;

	if (c->prices) {
		if (price_unpack(&c->pctx, id, vat_bp, st, col, &pr) == -1)
			return -1;
		cat_price_json(c, row, &pr);
	}
	if (c->stock != STOCK_HIDDEN)
		cat_stock_json(c, row, db_col_int(st, col + 2), unit);
	return 0;
}

/* Prices and stock of every row of a list that has no statement of its
 * own to carry them (search: its rows come from several), in one
 * statement over the rows' ids (each row has id, vat_bp, unit).  0 or
 * -1. */
int
cat_rows_extras(struct cat *c, json_t *rows)
{
	static const char q[] =
	    "SELECT j.key" LIST_EXTRAS("j.value") "FROM json_each(?1) j";
	struct req *r = c->r;
	size_t n = json_array_size(rows);
	sqlite3_stmt *st;
	int64_t *ids, k;
	json_t *row;
	size_t i;
	int rc;

	if (n == 0 || (!c->prices && c->stock == STOCK_HIDDEN))
		return 0;
	if ((ids = arena_alloc(r->arena, n * sizeof(*ids))) == NULL)
		return -1;
	json_array_foreach(rows, i, row)
		ids[i] = json_integer_value(json_object_get(row, "id"));
	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_text(st, 1, util_json_ints(ids, n,
	    arena_alloc(r->arena, UTIL_JSON_INTS_SIZE(n))));
	cat_extras_bind(c, st);
	while ((rc = db_step(r->db, st)) == SQLITE_ROW) {
		/* j.key: the row's index */
		if ((k = db_col_int(st, 0)) < 0 || (size_t)k >= n)
			continue;
		row = json_array_get(rows, (size_t)k);
		if (cat_extras_json(c, row, st, 1, ids[k],
		    (int)json_integer_value(json_object_get(row, "vat_bp")),
		    json_string_value(json_object_get(row, "unit"))) == -1) {
			rc = -1;
			break;
		}
	}
	db_done(r->db, st);
	return rc == SQLITE_DONE ? 0 : -1;
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

void
catalog_tree(struct req *r)
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

static const char q_by_name[] =
    "SELECT n.product_id, n.name, p.code, p.unit, p.vat_bp "
    LIST_EXTRAS("n.product_id")
    "FROM catalog_name n JOIN product p ON p.id = n.product_id "
    "WHERE n.category_uuid = ?1 AND n.lang = ?2 "
    "AND (n.name, n.product_id) > (?3, ?4) "
    "AND p.deleted_at IS NULL AND p.active = 1 "
    "AND EXISTS (SELECT 1 FROM product_visibility v "
    "  WHERE v.product_id = n.product_id AND v.lang = ?2) "
    ATTR_FILTER("n.product_id")
    "ORDER BY n.name, n.product_id LIMIT ?5";
static const char q_by_code[] =
    "SELECT p.id, t.name, p.code, p.unit, p.vat_bp "
    LIST_EXTRAS("p.id")
    "FROM product p JOIN product_text t ON t.product_id = p.id "
    "AND t.lang = ?2 "
    "WHERE p.category_uuid = ?1 AND p.deleted_at IS NULL "
    "AND (p.code, p.id) > (?3, ?4) AND p.active = 1 "
    "AND EXISTS (SELECT 1 FROM product_visibility v "
    "  WHERE v.product_id = p.id AND v.lang = ?2) "
    ATTR_FILTER("p.id")
    "ORDER BY p.code, p.id LIMIT ?5";

/* The category's attribute filters (catalog_facet, refreshed by the sync)
 * into ctx "facets": [{name, param, values: [{value, label, selected}]}],
 * and the ones the request chose (?f_CODE=VALUE; only a value the facet
 * offers counts, so the allow-list is the data; the first CATALOG_FILTERS)
 * into f[] (code, value pairs; *nf of them) and ctx "filters" [{param,
 * value}] for the links that keep them.  0 or -1. */
static int
cat_facets(struct req *r, json_t *ctx, const char *uuid,
    const char *f[CATALOG_FILTERS][2], int *nf)
{
	static const char q[] =
	    "SELECT code, name, value, unit, n FROM catalog_facet "
	    "WHERE category_uuid = ?1 AND lang = ?2 ORDER BY code, value";
	json_t *facets = json_array();
	json_t *links = json_array(), *values = NULL;
	const char *code, *want = NULL, *value;
	char *last = NULL, *param = NULL;
	sqlite3_stmt *st;
	int rc, sel;

	*nf = 0;
	if ((st = db_prepare(r->db, q)) == NULL)
		goto fail;
	db_bind_text(st, 1, uuid);
	db_bind_text(st, 2, r->lang);
	while ((rc = db_step(r->db, st)) == SQLITE_ROW) {
		code = db_col_text(st, 0);
		if (last == NULL || strcmp(last, code) != 0) {
			last = arena_strdup(r->arena, code);
			param = arena_printf(r->arena, "f_%s", code);
			want = req_query(r, param);
			values = json_array();
			json_array_append_new(facets, json_pack(
			    "{s:s, s:s, s:o}", "name", db_col_text(st, 1),
			    "param", param, "values", values));
		}
		value = db_col_text(st, 2);
		sel = want != NULL && strcmp(want, value) == 0 &&
		    *nf < CATALOG_FILTERS;
		json_array_append_new(values, json_pack("{s:s, s:s, s:b}",
		    "value", value, "label", arena_printf(r->arena,
		    *db_col_text(st, 3) != '\0' ? "%s %s (%lld)" : "%s%s (%lld)",
		    value, db_col_text(st, 3), (long long)db_col_int(st, 4)),
		    "selected", sel));
		if (sel) {
			f[*nf][0] = last;
			f[*nf][1] = arena_strdup(r->arena, value);
			(*nf)++;
			json_array_append_new(links, json_pack("{s:s, s:s}",
			    "param", param, "value", value));
		}
	}
	db_done(r->db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	json_object_set_new(ctx, "facets", facets);
	json_object_set_new(ctx, "filters", links);
	json_object_set_new(ctx, "filtered", json_boolean(*nf > 0));
	return 0;
fail:
	json_decref(facets);
	json_decref(links);
	return -1;
}

/* The allow-list of sort keys: the name in the URL and which column of
 * its statement (q_by_name, q_by_code: same order) is the cursor's key. */
static const struct {
	const char	*name;
	int		 key_col;
} sort_keys[] = {
	{ "name", 1 },
	{ "code", 2 },
};

void
catalog_category(struct req *r)
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
	const char *sort = req_query(r, "sort"), *key = req_query(r, "k");
	const char *after = req_query(r, "a"), *uuid, *name;
	json_t *ctx, *rows = json_array(), *kids = json_array(), *row;
	int64_t after_id = 0, id, last_id = 0;
	const char *last_key = NULL;
	const char *filter[CATALOG_FILTERS][2];
	struct cat c;
	int nf, i, rc = SQLITE_DONE;
	sqlite3_stmt *st;
	size_t s;
	char *end;
	int n = 0;

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
	if (cat_init(r, &c) == -1 || (st = db_prepare(r->db, q_cat)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, r->iparam[0]);
	db_bind_text(st, 2, r->lang);
	if (db_step(r->db, st) != SQLITE_ROW) {
		db_done(r->db, st);
		page_error(r, 404, NULL);
		return;
	}
	uuid = arena_strdup(r->arena, db_col_text(st, 0));
	name = arena_strdup(r->arena, db_col_text(st, 1));
	ctx = page_ctx(r, name, cat_area(r));
	json_object_set_new(ctx, "category", json_pack("{s:I, s:s}",
	    "id", (json_int_t)r->iparam[0], "name", name));
	{
		const char *parent = arena_strdup(r->arena, db_col_text(st, 2));

		db_done(r->db, st);
		if (parent[0] != '\0' &&
		    (st = db_prepare(r->db, q_parent)) != NULL) {
			db_bind_text(st, 1, parent);
			db_bind_text(st, 2, r->lang);
			if (db_step(r->db, st) == SQLITE_ROW)
				json_object_set_new(ctx, "parent", json_pack(
				    "{s:I, s:s}", "id",
				    (json_int_t)db_col_int(st, 0),
				    "name", db_col_text(st, 1)));
			db_done(r->db, st);
		}
	}
	if ((st = db_prepare(r->db, q_kids)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_text(st, 1, uuid);
	db_bind_text(st, 2, r->lang);
	while (db_step(r->db, st) == SQLITE_ROW)
		json_array_append_new(kids, json_pack("{s:I, s:s}",
		    "id", (json_int_t)db_col_int(st, 0),
		    "name", db_col_text(st, 1)));
	db_done(r->db, st);

	if (cat_facets(r, ctx, uuid, filter, &nf) == -1) {
		page_error(r, 500, NULL);
		return;
	}
	if (s == 0)
		st = db_prepare(r->db, q_by_name);
	else
		st = db_prepare(r->db, q_by_code);
	if (st == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_text(st, 1, uuid);
	db_bind_text(st, 2, r->lang);
	db_bind_text(st, 3, key != NULL ? key : "");
	db_bind_int(st, 4, after_id);
	db_bind_int(st, 5, CATALOG_PAGE + 1);
	for (i = 0; i < nf; i++) {
		db_bind_text(st, 6 + 2 * i, filter[i][0]);
		db_bind_text(st, 7 + 2 * i, filter[i][1]);
	}
	cat_extras_bind(&c, st);
	while ((rc = db_step(r->db, st)) == SQLITE_ROW) {
		if (++n > CATALOG_PAGE)
			break;
		id = db_col_int(st, 0);
		last_id = id;
		last_key = arena_strdup(r->arena,
		    db_col_text(st, sort_keys[s].key_col));
		row = json_object();
		json_object_set_new_nocheck(row, "id", json_integer(id));
		json_object_set_new_nocheck(row, "name",
		    json_string(db_col_text(st, 1)));
		json_object_set_new_nocheck(row, "code",
		    json_string(db_col_text(st, 2)));
		json_array_append_new(rows, row);
		if (cat_extras_json(&c, row, st, 5, id, (int)db_col_int(st, 4),
		    db_col_text(st, 3)) == -1) {
			rc = -1;
			break;
		}
	}
	db_done(r->db, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		page_error(r, 500, NULL);
		return;
	}
	json_object_set_new(ctx, "rows", rows);
	json_object_set_new(ctx, "children", kids);
	json_object_set_new(ctx, "prices", json_boolean(c.prices));
	json_object_set_new(ctx, "stock_shown",
	    json_boolean(c.stock != STOCK_HIDDEN));
	json_object_set_new(ctx, "sort", json_string(sort_keys[s].name));
	json_object_set_new(ctx, "sort_name", json_boolean(s == 0));
	if (n > CATALOG_PAGE && last_key != NULL) {
		json_object_set_new(ctx, "next_key", json_string(last_key));
		json_object_set_new(ctx, "next_id", json_integer(last_id));
	}
	json_object_set_new(ctx, "paged", json_boolean(after != NULL));
	page_render(r, 200, "catalog/category.html", ctx);
}
