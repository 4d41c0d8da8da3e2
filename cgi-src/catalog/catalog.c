/*
 * catalog.c: the catalogue pages (C1, C5) with the customer's own prices
 * (C2, C3): the category tree, a category's products, a product, search.
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
 * until the maker decides so; staff (no customer) see exact quantities.
 * The quantity is the sum over the active warehouses; the product page
 * adds the default warehouse (the customer's default_warehouse_uuid, else
 * the product's) and its stock by the same rule.
 *
 * Files and photos (C1): the product page links each stored file as
 * /catalog/p/ID/f/SHA256; catalog_file() answers it only to a logged-in
 * user for a product visible in their language version (else 404, like a
 * missing file) and lets nginx send DATA_DIR/store/XX/SHA256 (the sync's
 * file store, doc/sync.md 7) through X-Accel-Redirect.  The type comes
 * from an allow-list (anything else is application/octet-stream), and the
 * answer is always an attachment, so a file the ERP sent never renders as
 * a page of ours.  Photos are shown as those same originals, scaled by
 * the browser (img width): no image library is linked, so there are no
 * thumbnails.
 *
 * Search: FTS5 over catalog_fts (db/0005_catalog.sql) in the user's
 * language; each word of the query becomes a quoted prefix term (so the
 * query's own punctuation is never FTS syntax), with ł folded to l as in
 * the index.  At most CATALOG_SEARCH_MAX hits, in this order:
 *  1. a product whose code equals the query (case-insensitive for ASCII),
 *     found through the product_code index (not through FTS);
 *  2. the other matches: by bm25 when there are at most CATALOG_RANK_MAX
 *     of them in the user's language; else (a broad query, e.g. a common
 *     word's prefix: thousands of matches) in catalogue order (the FTS
 *     rowid, the order the texts were synced) and the page says there are
 *     more, so the user narrows the query.  bm25 costs a computation per
 *     match before the LIMIT (about 14 ms for ~4,400 matches at 50,000
 *     products); the rowid order lets FTS5 stop at the LIMIT.  A probe in
 *     rowid order, LIMIT CATALOG_RANK_MAX + 1, tells the two apart.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "../auth/auth.h"
#include "catalog_pages.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "page.h"
#include "perm.h"
#include "price.h"
#include "req.h"

#define CATALOG_PAGE		50
#define CATALOG_SEARCH_MAX	50
#define CATALOG_RANK_MAX	200	/* matches ranked by bm25 at most */
#define CATALOG_QUERY_MAX	200	/* bytes of a search query */

#define STOCK_LOW_DEFAULT	10000	/* thousandths: 10 units */

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
};

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
	if (r->session == NULL || r->session->customer_id <= 0)
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
static void
cat_stock_json(struct cat *c, json_t *obj, int64_t qty, const char *unit)
{
	struct req *r = c->r;
	const char *text, *level;

	if (c->stock == STOCK_HIDDEN)
		return;
	if (qty <= 0) {
		level = "none";
		text = _("brak");
	} else if (c->stock == STOCK_LEVEL && qty < c->stock_low) {
		level = "low";
		text = _("mało");
	} else {
		level = "available";
		/* Thousandths of a unit: whole units without decimals. */
		text = c->stock == STOCK_EXACT ? arena_printf(r->arena,
		    "%s %s", qty % 1000 == 0 ?
		    i18n_number(r->arena, qty / 1000, 0) :
		    i18n_number(r->arena, qty, 3), unit) :
		    _("dostępny");
	}
	json_object_set_new_nocheck(obj, "stock", json_string(text));
	json_object_set_new_nocheck(obj, "stock_level", json_string(level));
}

static int
cat_init(struct req *r, struct cat *c)
{
	memset(c, 0, sizeof(*c));
	c->r = r;
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

/* Price and stock of one product into row.  0 or -1. */
static int
cat_row_extras(struct cat *c, json_t *row, int64_t product_id, int vat_bp,
    const char *unit)
{
	static const char q_stock[] =
	    "SELECT coalesce(sum(s.qty_milli), 0) FROM stock s "
	    "JOIN warehouse w ON w.id = s.warehouse_id AND w.active = 1 "
	    "WHERE s.product_id = ? AND s.qty_milli > 0";
	struct req *r = c->r;
	struct price p;
	sqlite3_stmt *st;
	int64_t qty = 0;

	if (c->prices) {
		if (price_get(r->db, &c->pctx, product_id, vat_bp, &p) == -1)
			return -1;
		if (p.kind != PRICE_NONE) {
			json_object_set_new_nocheck(row, "net", json_string(
			    i18n_money(r->arena, p.net, p.currency)));
			json_object_set_new_nocheck(row, "gross", json_string(
			    i18n_money(r->arena, p.gross, p.currency)));
			json_object_set_new_nocheck(row, "price_kind",
			    json_string(p.kind == PRICE_INDIVIDUAL ?
			    _("cena indywidualna") : p.kind == PRICE_GROUP ?
			    _("cena grupowa") : _("cena katalogowa")));
		}
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

/* Prices and stock of every row of a list (each has id, vat_bp, unit),
 * in one read transaction: one snapshot for the page, and one lock and
 * WAL look-up instead of one per statement.  0 or -1. */
static int
cat_rows_extras(struct cat *c, json_t *rows)
{
	struct db *db = c->r->db;
	json_t *row;
	size_t i;
	int rc = 0;

	if (json_array_size(rows) == 0)
		return 0;
	if (db_begin_read(db) != SQLITE_OK)
		return -1;
	json_array_foreach(rows, i, row) {
		if (cat_row_extras(c, row,
		    json_integer_value(json_object_get(row, "id")),
		    (int)json_integer_value(json_object_get(row, "vat_bp")),
		    json_string_value(json_object_get(row, "unit"))) == -1) {
			rc = -1;
			break;
		}
	}
	if (rc == -1)
		db_rollback(db);
	else if (db_commit(db) != SQLITE_OK)
		rc = -1;
	return rc;
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
	json_t *ctx = page_ctx(r, _("Katalog"), AREA_PORTAL);
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

static const char q_by_name[] =
    "SELECT n.product_id, n.name, p.code, p.unit, p.vat_bp "
    "FROM catalog_name n JOIN product p ON p.id = n.product_id "
    "WHERE n.category_uuid = ?1 AND n.lang = ?2 "
    "AND (n.name, n.product_id) > (?3, ?4) "
    "AND p.deleted_at IS NULL AND p.active = 1 "
    "AND EXISTS (SELECT 1 FROM product_visibility v "
    "  WHERE v.product_id = n.product_id AND v.lang = ?2) "
    "ORDER BY n.name, n.product_id LIMIT ?5";
static const char q_by_code[] =
    "SELECT p.id, t.name, p.code, p.unit, p.vat_bp "
    "FROM product p JOIN product_text t ON t.product_id = p.id "
    "AND t.lang = ?2 "
    "WHERE p.category_uuid = ?1 AND p.deleted_at IS NULL "
    "AND (p.code, p.id) > (?3, ?4) AND p.active = 1 "
    "AND EXISTS (SELECT 1 FROM product_visibility v "
    "  WHERE v.product_id = p.id AND v.lang = ?2) "
    "ORDER BY p.code, p.id LIMIT ?5";

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
	struct cat c;
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
	ctx = page_ctx(r, name, AREA_PORTAL);
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
	while (db_step(r->db, st) == SQLITE_ROW) {
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
		json_object_set_new_nocheck(row, "unit",
		    json_string(db_col_text(st, 3)));
		json_object_set_new_nocheck(row, "vat_bp",
		    json_integer(db_col_int(st, 4)));
		json_array_append_new(rows, row);
	}
	db_done(r->db, st);
	/* Prices and stock after the list's statement is done. */
	if (cat_rows_extras(&c, rows) == -1) {
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

/* ---- GET /catalog/p/{id} ---- */

/* The Content-Type a stored file is sent with: the ERP's type when it is
 * on this list, else NULL (application/octet-stream). */
static const char *
file_type(const char *mime)
{
	static const char *const ok[] = {
		"image/jpeg", "image/png", "image/webp", "image/gif",
		"image/svg+xml", "application/pdf", "application/zip",
		"text/plain",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(mime, ok[i]) == 0)
			return ok[i];
	return NULL;
}

/* 1 if a file of this type can be shown in an <img>. */
static int
image_type(const char *mime)
{
	const char *t = file_type(mime);

	return t != NULL && strncmp(t, "image/", 6) == 0;
}

void
catalog_product(struct req *r)
{
	static const char q_prod[] =
	    "SELECT p.code, p.unit, p.vat_bp, t.name, t.description, "
	    "c.id, coalesce(ct.name, c.code), p.default_warehouse_uuid "
	    "FROM product p "
	    "JOIN product_visibility v ON v.product_id = p.id AND v.lang = ?2 "
	    "JOIN product_text t ON t.product_id = p.id AND t.lang = ?2 "
	    "LEFT JOIN category c ON c.erp_uuid = p.category_uuid "
	    "AND c.active = 1 "
	    "LEFT JOIN category_text ct ON ct.category_id = c.id "
	    "AND ct.lang = ?2 "
	    "WHERE p.id = ?1 AND p.deleted_at IS NULL AND p.active = 1";
	static const char q_attr[] =
	    "SELECT name, value, unit FROM product_attr "
	    "WHERE product_id = ? AND lang = ? ORDER BY sort, code";
	static const char q_files[] =
	    "SELECT kind, name, mime, size, sha256 FROM product_file "
	    "WHERE product_id = ? AND stored = 1 ORDER BY kind, sort, name";
	static const char q_rel[] =
	    "SELECT r.kind, o.id, o.code, t.name FROM product_relation r "
	    "JOIN product o ON o.erp_uuid = r.other_uuid "
	    "JOIN product_visibility v ON v.product_id = o.id AND v.lang = ?2 "
	    "JOIN product_text t ON t.product_id = o.id AND t.lang = ?2 "
	    "WHERE r.product_id = ?1 AND o.deleted_at IS NULL AND o.active = 1 "
	    "ORDER BY r.kind, r.sort";
	/* ?1 product, ?2 the warehouse's uuid */
	static const char q_wh[] =
	    "SELECT w.name, coalesce((SELECT sum(s.qty_milli) FROM stock s "
	    "  WHERE s.product_id = ?1 AND s.warehouse_id = w.id "
	    "  AND s.qty_milli > 0), 0) "
	    "FROM warehouse w WHERE w.erp_uuid = ?2 AND w.active = 1";
	json_t *ctx, *item, *attrs = json_array(), *files = json_array();
	json_t *related = json_array(), *subs = json_array();
	json_t *photos = json_array();
	int64_t id = r->iparam[0];
	const char *unit, *wh;
	sqlite3_stmt *st;
	struct cat c;
	int vat_bp;

	if (cat_init(r, &c) == -1 || (st = db_prepare(r->db, q_prod)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, r->lang);
	if (db_step(r->db, st) != SQLITE_ROW) {
		db_done(r->db, st);
		page_error(r, 404, NULL);
		return;
	}
	ctx = page_ctx(r, db_col_text(st, 3), AREA_PORTAL);
	unit = arena_strdup(r->arena, db_col_text(st, 1));
	vat_bp = (int)db_col_int(st, 2);
	item = json_object();
	json_object_set_new_nocheck(item, "id", json_integer(id));
	json_object_set_new_nocheck(item, "code", json_string(db_col_text(st, 0)));
	json_object_set_new_nocheck(item, "unit", json_string(unit));
	json_object_set_new_nocheck(item, "vat", json_string(
	    i18n_number(r->arena, vat_bp, 2)));
	json_object_set_new_nocheck(item, "name", json_string(db_col_text(st, 3)));
	json_object_set_new_nocheck(item, "description",
	    json_string(db_col_text(st, 4)));
	if (!db_col_is_null(st, 5)) {
		json_object_set_new_nocheck(item, "category_id",
		    json_integer(db_col_int(st, 5)));
		json_object_set_new_nocheck(item, "category",
		    json_string(db_col_text(st, 6)));
	}
	/* The default warehouse: the customer's, else the product's. */
	wh = c.warehouse[0] != '\0' ? c.warehouse :
	    arena_strdup(r->arena, db_col_text(st, 7));
	db_done(r->db, st);

	if (wh[0] != '\0' && c.stock != STOCK_HIDDEN) {
		if ((st = db_prepare(r->db, q_wh)) == NULL)
			goto fail;
		db_bind_int(st, 1, id);
		db_bind_text(st, 2, wh);
		if (db_step(r->db, st) == SQLITE_ROW) {
			json_t *w = json_object();

			json_object_set_new_nocheck(w, "name",
			    json_string(db_col_text(st, 0)));
			cat_stock_json(&c, w, db_col_int(st, 1), unit);
			json_object_set_new_nocheck(item, "warehouse", w);
		}
		db_done(r->db, st);
	}

	if ((st = db_prepare(r->db, q_attr)) == NULL)
		goto fail;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, r->lang);
	while (db_step(r->db, st) == SQLITE_ROW)
		json_array_append_new(attrs, json_pack("{s:s, s:s, s:s}",
		    "name", db_col_text(st, 0), "value", db_col_text(st, 1),
		    "unit", db_col_text(st, 2)));
	db_done(r->db, st);

	if ((st = db_prepare(r->db, q_files)) == NULL)
		goto fail;
	db_bind_int(st, 1, id);
	while (db_step(r->db, st) == SQLITE_ROW)
		json_array_append_new(strcmp(db_col_text(st, 0), "photo") == 0 &&
		    image_type(db_col_text(st, 2)) ? photos : files,
		    json_pack("{s:s, s:s, s:s, s:s}",
		    "name", db_col_text(st, 1), "mime", db_col_text(st, 2),
		    "size", i18n_number(r->arena,
		    (db_col_int(st, 3) + 1023) / 1024, 0),
		    "sha", db_col_text(st, 4)));
	db_done(r->db, st);

	if ((st = db_prepare(r->db, q_rel)) == NULL)
		goto fail;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, r->lang);
	while (db_step(r->db, st) == SQLITE_ROW)
		json_array_append_new(strcmp(db_col_text(st, 0), "substitute")
		    == 0 ? subs : related, json_pack("{s:I, s:s, s:s}",
		    "id", (json_int_t)db_col_int(st, 1),
		    "code", db_col_text(st, 2), "name", db_col_text(st, 3)));
	db_done(r->db, st);

	if (cat_row_extras(&c, item, id, vat_bp, unit) == -1)
		goto fail;
	json_object_set_new(ctx, "item", item);
	json_object_set_new(ctx, "attrs", attrs);
	json_object_set_new(ctx, "files", files);
	json_object_set_new(ctx, "photos", photos);
	json_object_set_new(ctx, "related", related);
	json_object_set_new(ctx, "substitutes", subs);
	json_object_set_new(ctx, "prices", json_boolean(c.prices));
	json_object_set_new(ctx, "stock_shown",
	    json_boolean(c.stock != STOCK_HIDDEN));
	page_render(r, 200, "catalog/product.html", ctx);
	return;
fail:
	page_error(r, 500, NULL);
}

/* ---- GET /catalog/p/{id}/f/{sha256} ---- */

void
catalog_file(struct req *r)
{
	static const char q[] =
	    "SELECT f.name, f.mime FROM product_file f "
	    "JOIN product p ON p.id = f.product_id "
	    "WHERE f.product_id = ?1 AND f.sha256 = ?2 AND f.stored = 1 "
	    "AND p.deleted_at IS NULL AND p.active = 1 "
	    "AND EXISTS (SELECT 1 FROM product_visibility v "
	    "  WHERE v.product_id = p.id AND v.lang = ?3) "
	    "ORDER BY f.kind, f.sort LIMIT 1";
	const char *sha = r->param[1], *name, *type;
	sqlite3_stmt *st;

	/* the store's names: 64 lowercase hex digits (the route allows
	 * [0-9a-f] only) */
	if (strlen(sha) != 64) {
		page_error(r, 404, NULL);
		return;
	}
	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, r->iparam[0]);
	db_bind_text(st, 2, sha);
	db_bind_text(st, 3, r->lang);
	if (db_step(r->db, st) != SQLITE_ROW) {
		db_done(r->db, st);
		page_error(r, 404, NULL);
		return;
	}
	name = arena_strdup(r->arena, db_col_text(st, 0));
	type = file_type(db_col_text(st, 1));
	db_done(r->db, st);
	resp_accel(r, arena_printf(r->arena, "/_accel/store/%.2s/%s", sha,
	    sha), name[0] != '\0' ? name : sha, type);
}

/* ---- GET /catalog/search?q= ---- */

/* The FTS5 query for the user's words: each word a quoted prefix term
 * ("word"*), " doubled, ł/Ł folded to l/L as in the index.  NULL if no
 * word. */
static const char *
fts_query(struct arena *a, const char *q)
{
	struct buf b = BUF_INIT;
	const char *p = q, *out;
	int words = 0;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		if (words++ > 0)
			buf_putc(&b, ' ');
		buf_putc(&b, '"');
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != '\r') {
			if (*p == '"')
				buf_puts(&b, "\"\"");
			else if ((unsigned char)p[0] == 0xc5 &&
			    ((unsigned char)p[1] == 0x82 ||
			    (unsigned char)p[1] == 0x81)) {
				/* ł U+0142, Ł U+0141 */
				buf_putc(&b, (unsigned char)p[1] == 0x82 ?
				    'l' : 'L');
				p++;
			} else
				buf_putc(&b, *p);
			p++;
		}
		buf_puts(&b, "\"*");
	}
	out = words > 0 ? arena_strdup(a, buf_cstr(&b)) : NULL;
	buf_free(&b);
	return out;
}

/* The search's statements.  The name from catalog_name and the language
 * from its row (not product_text and the FTS row's own lang column): every
 * match is joined before the LIMIT (or the ORDER BY), and those two would
 * read each match's whole text, description included.  ?1 the FTS query,
 * ?2 the language, ?3 the query as a code, ?4 the limit. */
#define SEARCH_FROM_WHERE \
    "SELECT n.product_id, p.code, n.name, p.unit, p.vat_bp " \
    "FROM catalog_fts f JOIN catalog_name n ON n.id = f.rowid " \
    "JOIN product p ON p.id = n.product_id " \
    "WHERE catalog_fts MATCH ?1 AND n.lang = ?2 AND p.code <> ?3 " \
    "AND p.deleted_at IS NULL AND p.active = 1 " \
    "AND EXISTS (SELECT 1 FROM product_visibility v " \
    "  WHERE v.product_id = n.product_id AND v.lang = ?2) "
/* Catalogue order: FTS5 walks the doclist by rowid and stops at the
 * LIMIT, no bm25 computed. */
static const char q_search_probe[] =
    SEARCH_FROM_WHERE "ORDER BY f.rowid LIMIT ?4";
/* By bm25: computed for each match in the language, so only run when
 * the probe found at most CATALOG_RANK_MAX. */
static const char q_search_ranked[] =
    SEARCH_FROM_WHERE "ORDER BY f.rank, f.rowid LIMIT ?4";
/* The exact code, by the product_code index. */
static const char q_search_code[] =
    "SELECT p.id, p.code, n.name, p.unit, p.vat_bp FROM product p "
    "JOIN catalog_name n ON n.product_id = p.id AND n.lang = ?2 "
    "WHERE p.code = ?3 AND p.deleted_at IS NULL AND p.active = 1 "
    "AND EXISTS (SELECT 1 FROM product_visibility v "
    "  WHERE v.product_id = p.id AND v.lang = ?2) "
    "ORDER BY p.id LIMIT ?4";

/* Runs q (bound ?1 fq, ?2 lang, ?3 code, ?4 limit) and appends its rows to
 * rows while rows holds fewer than keep.  The number of rows the statement
 * gave, or -1. */
static int
search_rows(struct req *r, const char *q, const char *fq, const char *code,
    int limit, json_t *rows, size_t keep)
{
	sqlite3_stmt *st;
	json_t *row;
	int n = 0, rc;

	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_text(st, 1, fq);
	db_bind_text(st, 2, r->lang);
	db_bind_text(st, 3, code);
	db_bind_int(st, 4, limit);
	while ((rc = db_step(r->db, st)) == SQLITE_ROW) {
		n++;
		if (json_array_size(rows) >= keep)
			continue;
		row = json_object();
		json_object_set_new_nocheck(row, "id",
		    json_integer(db_col_int(st, 0)));
		json_object_set_new_nocheck(row, "code",
		    json_string(db_col_text(st, 1)));
		json_object_set_new_nocheck(row, "name",
		    json_string(db_col_text(st, 2)));
		json_object_set_new_nocheck(row, "unit",
		    json_string(db_col_text(st, 3)));
		json_object_set_new_nocheck(row, "vat_bp",
		    json_integer(db_col_int(st, 4)));
		json_array_append_new(rows, row);
	}
	db_done(r->db, st);
	return rc == SQLITE_DONE ? n : -1;
}

void
catalog_search(struct req *r)
{
	const char *q = req_query(r, "q"), *fq;
	json_t *ctx = page_ctx(r, _("Szukaj w katalogu"), AREA_PORTAL);
	json_t *rows = json_array();
	struct cat c;
	char *code;
	size_t i, ncode, keep;
	int n;

	if (q != NULL && strlen(q) > CATALOG_QUERY_MAX) {
		page_error(r, 400, _("Zapytanie jest za długie."));
		return;
	}
	json_object_set_new(ctx, "q", json_string(q != NULL ? q : ""));
	if (q == NULL || (fq = fts_query(r->arena, q)) == NULL) {
		json_object_set_new(ctx, "rows", rows);
		page_render(r, 200, "catalog/search.html", ctx);
		return;
	}
	/* The code as the ERP writes it: upper case (ASCII), trimmed. */
	while (*q == ' ')
		q++;
	code = arena_strdup(r->arena, q);
	for (i = 0; code[i] != '\0'; i++)
		code[i] = (char)toupper((unsigned char)code[i]);
	while (i > 0 && code[i - 1] == ' ')
		code[--i] = '\0';
	if (cat_init(r, &c) == -1)
		goto fail;
	/* 1. the exact code; 2. the probe in catalogue order, keeping what
	 * fits; 3. few matches: drop the probe's rows, rank them instead. */
	if (search_rows(r, q_search_code, fq, code, CATALOG_SEARCH_MAX, rows,
	    CATALOG_SEARCH_MAX) == -1)
		goto fail;
	ncode = json_array_size(rows);
	keep = CATALOG_SEARCH_MAX - ncode;
	if ((n = search_rows(r, q_search_probe, fq, code, CATALOG_RANK_MAX + 1,
	    rows, CATALOG_SEARCH_MAX)) == -1)
		goto fail;
	if (n <= CATALOG_RANK_MAX) {
		while (json_array_size(rows) > ncode)
			json_array_remove(rows, ncode);
		if ((n = search_rows(r, q_search_ranked, fq, code,
		    (int)keep + 1, rows, CATALOG_SEARCH_MAX)) == -1)
			goto fail;
	}
	if ((size_t)n > keep)
		json_object_set_new(ctx, "more", json_true());
	if (cat_rows_extras(&c, rows) == -1)
		goto fail;
	json_object_set_new(ctx, "rows", rows);
	json_object_set_new(ctx, "searched", json_true());
	json_object_set_new(ctx, "prices", json_boolean(c.prices));
	json_object_set_new(ctx, "stock_shown",
	    json_boolean(c.stock != STOCK_HIDDEN));
	page_render(r, 200, "catalog/search.html", ctx);
	return;
fail:
	json_decref(rows);
	page_error(r, 500, NULL);
}
