/*
 * apply.c: one ERP record into the portal's tables (db/0002_erp.sql).
 *
 * How it works.  The caller (entity.c) holds a write transaction around a
 * page of records and calls apply_record() for each; this file never
 * begins or commits, so a page is all or nothing.
 *
 * Idempotence without rewriting.  Records with children (products,
 * customers, categories, rule sets, orders, invoices) carry erp_hash, a
 * 64-bit FNV-1a of the record's canonical payload (for products seeded
 * with the field-master bits): if the stored hash equals the new one,
 * nothing is written at all.  Flat records (prices, stock, warehouses,
 * currencies) are one INSERT ... ON CONFLICT DO UPDATE ... WHERE some
 * column differs, so an unchanged row is not touched either.  When a
 * record did change, its child rows are synchronised one by one the same
 * way (upsert where different, then delete the rows the record no longer
 * has), so child rows keep their ids and an unchanged child is not
 * rewritten.  A multi-statement record runs inside SAVEPOINT rec, so a
 * failure half-way leaves none of it.
 *
 * Field masters (I4): a product field the portal owns is written when the
 * product is created, never after.  The bits come from field_master once
 * per run and seed the product hash, so changing a master makes the next
 * full pull revisit every product.
 *
 * Validation failures (a bad language code, a price for a product the
 * portal does not know yet ...) return 1 with the reason; entity.c keeps
 * the record in sync_failure and retries it later.  Products and
 * customers are deleted softly (deleted_at; their prices and stock go);
 * everything else is deleted for real, children by cascade.
 *
 * Statements are constant text, cached by db_prepare(); all memory is the
 * run's scratch arena.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "db.h"
#include "log.h"
#include "sync.h"

uint64_t
apply_hash(uint64_t seed, const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL ^ seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int
why(char *buf, size_t sz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
why(char *buf, size_t sz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
	return 1;
}

/* ---- validation helpers ---- */

static int
lang_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 2 || n > 8)
		return 0;
	for (i = 0; i < n; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && s[i] != '-')
			return 0;
	return 1;
}

static int
currency_ok(const char *s)
{
	return strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' &&
	    s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z';
}

static int
group_ok(const char *s)
{
	return strcmp(s, "A") == 0 || strcmp(s, "B") == 0 ||
	    strcmp(s, "C") == 0;
}

static int
ltexts_ok(const struct erp_ltexts *t, const char *what, char *w, size_t wsz)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!lang_ok(t->v[i].lang))
			return why(w, wsz, "%s: bad language \"%.16s\"", what,
			    t->v[i].lang);
	return 0;
}

/* The text for lang in t, or NULL. */
static const char *
ltext(const struct erp_ltexts *t, const char *lang)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].lang, lang) == 0)
			return t->v[i].text;
	return NULL;
}

/* The text in the portal's default language, else the first, else "". */
static const char *
ltext_default(struct sctx *x, const struct erp_ltexts *t)
{
	const char *s = ltext(t, x->default_lang);

	if (s != NULL)
		return s;
	return t->n > 0 ? t->v[0].text : "";
}

/* ---- statement helpers ---- */

static int
step_done(struct sctx *x, sqlite3_stmt *st)
{
	int rc = db_step(x->db, st);

	db_done(x->db, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* id of the row whose erp_uuid is uuid: st is the prepared "SELECT id ...
 * WHERE erp_uuid = ?" (done here); 0 if none, -1 on error. */
static int64_t
lookup_id(struct sctx *x, sqlite3_stmt *st, const char *uuid)
{
	int64_t id = 0;
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, uuid);
	rc = db_step(x->db, st);
	if (rc == SQLITE_ROW)
		id = db_col_int(st, 0);
	db_done(x->db, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	return id;
}

/* For hashed records: the row's id, hash and (soft) deletion, or id 0. */
struct prior {
	int64_t	 id;
	int64_t	 hash;
	int	 deleted;
	int64_t	 extra;		/* entity specific (order revision) */
};

/* st: the prepared "SELECT id, erp_hash, deleted, extra ... WHERE
 * erp_uuid = ?" (done here). */
static int
prior_get(struct sctx *x, sqlite3_stmt *st, const char *uuid, struct prior *p)
{
	int rc;

	memset(p, 0, sizeof(*p));
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, uuid);
	if ((rc = db_step(x->db, st)) == SQLITE_ROW) {
		p->id = db_col_int(st, 0);
		p->hash = db_col_int(st, 1);
		p->deleted = (int)db_col_int(st, 2);
		p->extra = db_col_int(st, 3);
	}
	db_done(x->db, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int
savepoint(struct sctx *x)
{
	return db_exec(x->db, "SAVEPOINT rec") == SQLITE_OK ? 0 : -1;
}

static void
release(struct sctx *x, int ok)
{
	if (!ok)
		db_exec(x->db, "ROLLBACK TO rec");
	db_exec(x->db, "RELEASE rec");
}

/*
 * Pruning children: the keys the record has (one or two text columns);
 * the rows of the parent whose key is not among them are deleted.
 */
struct keys {
	const char	**a;
	const char	**b;
	size_t		  n, cap;
};

static void
keys_add(struct sctx *x, struct keys *k, const char *a, const char *b)
{
	const char **na, **nb;

	if (k->n == k->cap) {
		k->cap = k->cap == 0 ? 16 : k->cap * 2;
		na = arena_alloc(x->scratch, k->cap * sizeof(*na));
		nb = arena_alloc(x->scratch, k->cap * sizeof(*nb));
		if (k->n > 0) {
			memcpy(na, k->a, k->n * sizeof(*na));
			memcpy(nb, k->b, k->n * sizeof(*nb));
		}
		k->a = na;
		k->b = nb;
	}
	k->a[k->n] = a;
	k->b[k->n] = b != NULL ? b : "";
	k->n++;
}

static int
keys_has(const struct keys *k, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->a[i], a) == 0 && strcmp(k->b[i], b) == 0)
			return 1;
	return 0;
}

/* The child tables, their keys (one or two text columns) and how to
 * delete one row: SELECT key1[, key2] WHERE parent = ?; DELETE ... WHERE
 * parent = ?1 AND key1 = ?2 [AND key2 = ?3]. */
enum child {
	CH_CATEGORY_TEXT,
	CH_PRODUCT_TEXT,
	CH_PRODUCT_ATTR,
	CH_PRODUCT_FILE,
	CH_PRODUCT_RELATION,
	CH_PRODUCT_VISIBILITY,
	CH_CONTACT,
	CH_ADDRESS,
	CH_ORDER_LINE,
	CH_INVOICE_LINE,
	CH__MAX
};

static const char *sql_child_keys[] = {
	[CH_CATEGORY_TEXT] =
	    "SELECT lang FROM category_text WHERE category_id = ?",
	[CH_PRODUCT_TEXT] =
	    "SELECT lang FROM product_text WHERE product_id = ?",
	[CH_PRODUCT_ATTR] =
	    "SELECT code, lang FROM product_attr WHERE product_id = ?",
	[CH_PRODUCT_FILE] =
	    "SELECT erp_uuid FROM product_file WHERE product_id = ?",
	[CH_PRODUCT_RELATION] =
	    "SELECT kind, other_uuid FROM product_relation WHERE product_id = ?",
	[CH_PRODUCT_VISIBILITY] =
	    "SELECT lang FROM product_visibility WHERE product_id = ?",
	[CH_CONTACT] =
	    "SELECT erp_uuid FROM customer_contact WHERE customer_id = ?",
	[CH_ADDRESS] =
	    "SELECT erp_uuid FROM customer_address WHERE customer_id = ?",
	[CH_ORDER_LINE] =
	    "SELECT CAST(line_no AS TEXT) FROM erp_order_line"
	    " WHERE order_id = ?",
	[CH_INVOICE_LINE] =
	    "SELECT CAST(line_no AS TEXT) FROM invoice_line"
	    " WHERE invoice_id = ?",
};

static const char *sql_child_delete[] = {
	[CH_CATEGORY_TEXT] =
	    "DELETE FROM category_text WHERE category_id = ?1 AND lang = ?2",
	[CH_PRODUCT_TEXT] =
	    "DELETE FROM product_text WHERE product_id = ?1 AND lang = ?2",
	[CH_PRODUCT_ATTR] =
	    "DELETE FROM product_attr WHERE product_id = ?1 AND code = ?2"
	    " AND lang = ?3",
	[CH_PRODUCT_FILE] =
	    "DELETE FROM product_file WHERE product_id = ?1 AND erp_uuid = ?2",
	[CH_PRODUCT_RELATION] =
	    "DELETE FROM product_relation WHERE product_id = ?1 AND kind = ?2"
	    " AND other_uuid = ?3",
	[CH_PRODUCT_VISIBILITY] =
	    "DELETE FROM product_visibility WHERE product_id = ?1 AND lang = ?2",
	[CH_CONTACT] =
	    "DELETE FROM customer_contact WHERE customer_id = ?1"
	    " AND erp_uuid = ?2",
	[CH_ADDRESS] =
	    "DELETE FROM customer_address WHERE customer_id = ?1"
	    " AND erp_uuid = ?2",
	[CH_ORDER_LINE] =
	    "DELETE FROM erp_order_line WHERE order_id = ?1"
	    " AND line_no = CAST(?2 AS INTEGER)",
	[CH_INVOICE_LINE] =
	    "DELETE FROM invoice_line WHERE invoice_id = ?1"
	    " AND line_no = CAST(?2 AS INTEGER)",
};

_Static_assert(sizeof(sql_child_keys) / sizeof(sql_child_keys[0]) ==
    CH__MAX, "a key query per child table");
_Static_assert(sizeof(sql_child_delete) / sizeof(sql_child_delete[0]) ==
    CH__MAX, "a delete per child table");

/* Delete the rows of child table ch under parent whose key is not in
 * keep; adds deletions to *changed. */
static int
prune(struct sctx *x, enum child ch, int64_t parent, const struct keys *keep,
    int *changed)
{
	sqlite3_stmt *st;
	struct keys gone = { NULL, NULL, 0, 0 };
	size_t i;
	int rc, two = ch == CH_PRODUCT_ATTR || ch == CH_PRODUCT_RELATION;

	if ((st = db_prepare(x->db, sql_child_keys[ch])) == NULL)
		return -1;
	db_bind_int(st, 1, parent);
	while ((rc = db_step(x->db, st)) == SQLITE_ROW) {
		const char *a = db_col_text(st, 0);
		const char *b = two ? db_col_text(st, 1) : "";

		if (!keys_has(keep, a, b))
			keys_add(x, &gone, arena_strdup(x->scratch, a),
			    arena_strdup(x->scratch, b));
	}
	db_done(x->db, st);
	if (rc != SQLITE_DONE)
		return -1;
	for (i = 0; i < gone.n; i++) {
		if ((st = db_prepare(x->db, sql_child_delete[ch])) == NULL)
			return -1;
		db_bind_int(st, 1, parent);
		db_bind_text(st, 2, gone.a[i]);
		if (two)
			db_bind_text(st, 3, gone.b[i]);
		if (step_done(x, st) == -1)
			return -1;
		*changed = 1;
	}
	return 0;
}

static void
bind_date(sqlite3_stmt *st, int i, int64_t t)
{
	if (t == 0)
		db_bind_null(st, i);
	else
		db_bind_int(st, i, t);
}

/* ---- categories ---- */

static int
apply_category(struct sctx *x, const struct erp_record *rec, int *changed,
    char *w, size_t wsz)
{
	static const char sql_prior[] =
	    "SELECT id, erp_hash, 0, 0 FROM category WHERE erp_uuid = ?";
	static const char sql_up[] =
	    "INSERT INTO category (erp_uuid, parent_uuid, code, sort, active,"
	    " erp_hash, sync_run_id, updated_at) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7, ?8) ON CONFLICT (erp_uuid) DO UPDATE SET"
	    " parent_uuid = excluded.parent_uuid, code = excluded.code,"
	    " sort = excluded.sort, active = excluded.active,"
	    " erp_hash = excluded.erp_hash, sync_run_id = excluded.sync_run_id,"
	    " updated_at = excluded.updated_at";
	static const char sql_text[] =
	    "INSERT INTO category_text (category_id, lang, name)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (category_id, lang) DO UPDATE"
	    " SET name = excluded.name WHERE name IS NOT excluded.name";
	const struct erp_category *c = rec->u.category;
	struct keys keep = { NULL, NULL, 0, 0 };
	struct prior p;
	sqlite3_stmt *st;
	int64_t h, id;
	size_t i;

	if (ltexts_ok(&c->name, "name", w, wsz))
		return 1;
	if (c->name.n == 0)
		return why(w, wsz, "no name");
	if (strcmp(c->parent, c->uuid) == 0)
		return why(w, wsz, "its own parent");
	h = (int64_t)apply_hash(0, rec->payload, rec->payload_len);
	if (prior_get(x, db_prepare(x->db, sql_prior), c->uuid, &p) == -1)
		return -1;
	if (p.id != 0 && p.hash == h)
		return 0;
	if (savepoint(x) == -1)
		return -1;
	if ((st = db_prepare(x->db, sql_up)) == NULL)
		goto fail;
	db_bind_text(st, 1, c->uuid);
	db_bind_text(st, 2, c->parent);
	db_bind_text(st, 3, c->code);
	db_bind_int(st, 4, c->sort);
	db_bind_int(st, 5, c->active);
	db_bind_int(st, 6, h);
	db_bind_int(st, 7, x->run_id);
	db_bind_int(st, 8, x->started);
	if (step_done(x, st) == -1)
		goto fail;
	if ((id = p.id) == 0 && (id = lookup_id(x, db_prepare(x->db,
	    "SELECT id FROM category WHERE erp_uuid = ?"), c->uuid)) <= 0)
		goto fail;
	for (i = 0; i < c->name.n; i++) {
		if ((st = db_prepare(x->db, sql_text)) == NULL)
			goto fail;
		db_bind_int(st, 1, id);
		db_bind_text(st, 2, c->name.v[i].lang);
		db_bind_text(st, 3, c->name.v[i].text);
		if (step_done(x, st) == -1)
			goto fail;
		keys_add(x, &keep, c->name.v[i].lang, NULL);
	}
	if (prune(x, CH_CATEGORY_TEXT, id, &keep, changed) == -1)
		goto fail;
	release(x, 1);
	*changed = 1;
	return 0;
fail:
	release(x, 0);
	return -1;
}

/* ---- products ---- */

static int
product_texts(struct sctx *x, const struct erp_product *p, int64_t id,
    int is_new, int *changed)
{
	static const char sql[] =
	    "INSERT INTO product_text (product_id, lang, name, description)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (product_id, lang) DO UPDATE"
	    " SET name = CASE WHEN ?5 THEN name ELSE excluded.name END,"
	    " description = CASE WHEN ?6 THEN description"
	    "   ELSE excluded.description END"
	    " WHERE (NOT ?5 AND name IS NOT excluded.name)"
	    " OR (NOT ?6 AND description IS NOT excluded.description)";
	int own_name = !is_new && (x->masters & FM_NAME);
	int own_desc = !is_new && (x->masters & FM_DESCRIPTION);
	struct keys keep = { NULL, NULL, 0, 0 };
	sqlite3_stmt *st;
	const char *lang, *name, *desc;
	size_t i;

	if (own_name && own_desc)
		return 0;
	for (i = 0; i < p->name.n + p->description.n; i++) {
		lang = i < p->name.n ? p->name.v[i].lang :
		    p->description.v[i - p->name.n].lang;
		if (keys_has(&keep, lang, ""))
			continue;
		keys_add(x, &keep, lang, NULL);
		name = ltext(&p->name, lang);
		desc = ltext(&p->description, lang);
		if ((st = db_prepare(x->db, sql)) == NULL)
			return -1;
		db_bind_int(st, 1, id);
		db_bind_text(st, 2, lang);
		db_bind_text(st, 3, name != NULL ? name : "");
		db_bind_text(st, 4, desc != NULL ? desc : "");
		db_bind_int(st, 5, own_name);
		db_bind_int(st, 6, own_desc);
		if (step_done(x, st) == -1)
			return -1;
	}
	/* a language the ERP dropped goes only if the ERP owns both texts */
	if (own_name || own_desc)
		return 0;
	return prune(x, CH_PRODUCT_TEXT, id, &keep, changed);
}

static int
product_attrs(struct sctx *x, const struct erp_product *p, int64_t id,
    int *changed)
{
	static const char sql[] =
	    "INSERT INTO product_attr (product_id, code, lang, name, value, sort)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	    " ON CONFLICT (product_id, code, lang) DO UPDATE SET"
	    " name = excluded.name, value = excluded.value, sort = excluded.sort"
	    " WHERE name IS NOT excluded.name OR value IS NOT excluded.value"
	    " OR sort IS NOT excluded.sort";
	struct keys keep = { NULL, NULL, 0, 0 };
	const struct erp_pattr *a;
	sqlite3_stmt *st;
	const char *lang, *name, *value;
	size_t i, j;

	for (i = 0; i < p->nattrs; i++) {
		a = &p->attrs[i];
		for (j = 0; j < a->name.n + a->value.n; j++) {
			lang = j < a->name.n ? a->name.v[j].lang :
			    a->value.v[j - a->name.n].lang;
			if (keys_has(&keep, a->code, lang))
				continue;
			keys_add(x, &keep, a->code, lang);
			name = ltext(&a->name, lang);
			value = ltext(&a->value, lang);
			if ((st = db_prepare(x->db, sql)) == NULL)
				return -1;
			db_bind_int(st, 1, id);
			db_bind_text(st, 2, a->code);
			db_bind_text(st, 3, lang);
			db_bind_text(st, 4, name != NULL ? name : "");
			db_bind_text(st, 5, value != NULL ? value : "");
			db_bind_int(st, 6, (int64_t)i);
			if (step_done(x, st) == -1)
				return -1;
		}
	}
	return prune(x, CH_PRODUCT_ATTR, id, &keep, changed);
}

static int
product_files(struct sctx *x, const struct erp_product *p, int64_t id,
    int *changed)
{
	static const char sql[] =
	    "INSERT INTO product_file (product_id, erp_uuid, kind, name, mime,"
	    " size, sha256, sort) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	    " ON CONFLICT (product_id, erp_uuid) DO UPDATE SET"
	    " kind = excluded.kind, name = excluded.name, mime = excluded.mime,"
	    " size = excluded.size, sort = excluded.sort,"
	    " stored = CASE WHEN sha256 = excluded.sha256 THEN stored ELSE 0 END,"
	    " sha256 = excluded.sha256"
	    " WHERE kind IS NOT excluded.kind OR name IS NOT excluded.name"
	    " OR mime IS NOT excluded.mime OR size IS NOT excluded.size"
	    " OR sort IS NOT excluded.sort OR sha256 IS NOT excluded.sha256";
	struct keys keep = { NULL, NULL, 0, 0 };
	const struct erp_fileref *f;
	sqlite3_stmt *st;
	size_t i, n = p->nphotos + p->nfiles;

	for (i = 0; i < n; i++) {
		f = i < p->nphotos ? &p->photos[i] : &p->files[i - p->nphotos];
		if (keys_has(&keep, f->uuid, ""))
			continue;
		keys_add(x, &keep, f->uuid, NULL);
		if ((st = db_prepare(x->db, sql)) == NULL)
			return -1;
		db_bind_int(st, 1, id);
		db_bind_text(st, 2, f->uuid);
		db_bind_text(st, 3, i < p->nphotos ? "photo" : "file");
		db_bind_text(st, 4, f->file_name);
		db_bind_text(st, 5, f->content_type);
		db_bind_int(st, 6, f->size);
		db_bind_text(st, 7, f->sha256);
		db_bind_int(st, 8, (int64_t)i);
		if (step_done(x, st) == -1)
			return -1;
	}
	return prune(x, CH_PRODUCT_FILE, id, &keep, changed);
}

static int
product_relations(struct sctx *x, const struct erp_product *p, int64_t id,
    int *changed)
{
	static const char sql[] =
	    "INSERT INTO product_relation (product_id, kind, other_uuid, sort)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (product_id, kind, other_uuid)"
	    " DO UPDATE SET sort = excluded.sort WHERE sort IS NOT excluded.sort";
	struct keys keep = { NULL, NULL, 0, 0 };
	sqlite3_stmt *st;
	const char *kind, *other;
	size_t i, n = p->related.n + p->substitutes.n;

	for (i = 0; i < n; i++) {
		if (i < p->related.n) {
			kind = "related";
			other = p->related.v[i];
		} else {
			kind = "substitute";
			other = p->substitutes.v[i - p->related.n];
		}
		if (keys_has(&keep, kind, other))
			continue;
		keys_add(x, &keep, kind, other);
		if ((st = db_prepare(x->db, sql)) == NULL)
			return -1;
		db_bind_int(st, 1, id);
		db_bind_text(st, 2, kind);
		db_bind_text(st, 3, other);
		db_bind_int(st, 4, (int64_t)i);
		if (step_done(x, st) == -1)
			return -1;
	}
	return prune(x, CH_PRODUCT_RELATION, id, &keep, changed);
}

static int
product_visibility(struct sctx *x, const struct erp_product *p, int64_t id,
    int *changed)
{
	static const char sql[] =
	    "INSERT INTO product_visibility (product_id, lang) VALUES (?1, ?2)"
	    " ON CONFLICT DO NOTHING";
	struct keys keep = { NULL, NULL, 0, 0 };
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < p->visible_in.n; i++) {
		if (keys_has(&keep, p->visible_in.v[i], ""))
			continue;
		keys_add(x, &keep, p->visible_in.v[i], NULL);
		if ((st = db_prepare(x->db, sql)) == NULL)
			return -1;
		db_bind_int(st, 1, id);
		db_bind_text(st, 2, p->visible_in.v[i]);
		if (step_done(x, st) == -1)
			return -1;
	}
	return prune(x, CH_PRODUCT_VISIBILITY, id, &keep, changed);
}

static int
apply_product(struct sctx *x, const struct erp_record *rec, int *changed,
    char *w, size_t wsz)
{
	static const char sql_prior[] =
	    "SELECT id, erp_hash, deleted_at IS NOT NULL, 0 FROM product"
	    " WHERE erp_uuid = ?";
	static const char sql_ins[] =
	    "INSERT INTO product (erp_uuid, code, unit, vat_bp, category_uuid,"
	    " default_warehouse_uuid, ruleset_code, active, erp_hash,"
	    " sync_run_id, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	    " ?9, ?10, ?11)";
	/* ?12: the FM_* bits: a field the portal owns keeps its value */
	static const char sql_upd[] =
	    "UPDATE product SET"
	    " code = CASE WHEN ?12 & 1 THEN code ELSE ?2 END,"
	    " unit = CASE WHEN ?12 & 2 THEN unit ELSE ?3 END,"
	    " vat_bp = CASE WHEN ?12 & 4 THEN vat_bp ELSE ?4 END,"
	    " category_uuid = CASE WHEN ?12 & 8 THEN category_uuid ELSE ?5 END,"
	    " default_warehouse_uuid = CASE WHEN ?12 & 16"
	    "   THEN default_warehouse_uuid ELSE ?6 END,"
	    " ruleset_code = CASE WHEN ?12 & 32 THEN ruleset_code ELSE ?7 END,"
	    " active = CASE WHEN ?12 & 64 THEN active ELSE ?8 END,"
	    " deleted_at = NULL, erp_hash = ?9, sync_run_id = ?10,"
	    " updated_at = ?11 WHERE erp_uuid = ?1";
	const struct erp_product *p = rec->u.product;
	struct prior pr;
	sqlite3_stmt *st;
	int64_t h, id;
	size_t i;
	int is_new;

	if (p->name.n == 0)
		return why(w, wsz, "no name");
	if (ltexts_ok(&p->name, "name", w, wsz) ||
	    ltexts_ok(&p->description, "description", w, wsz))
		return 1;
	if (*p->unit == '\0')
		return why(w, wsz, "no unit");
	if (p->vat_bp < 0 || p->vat_bp > 10000)
		return why(w, wsz, "vat out of range: %lld",
		    (long long)p->vat_bp);
	for (i = 0; i < p->nattrs; i++)
		if (*p->attrs[i].code == '\0' ||
		    ltexts_ok(&p->attrs[i].name, "attribute name", w, wsz) ||
		    ltexts_ok(&p->attrs[i].value, "attribute value", w, wsz))
			return *w != '\0' ? 1 : why(w, wsz, "attribute "
			    "without a code");
	for (i = 0; i < p->visible_in.n; i++)
		if (!lang_ok(p->visible_in.v[i]))
			return why(w, wsz, "visible_in: bad language "
			    "\"%.16s\"", p->visible_in.v[i]);
	h = (int64_t)apply_hash((uint64_t)x->masters, rec->payload,
	    rec->payload_len);
	if (prior_get(x, db_prepare(x->db, sql_prior), p->uuid, &pr) == -1)
		return -1;
	if (pr.id != 0 && pr.hash == h && !pr.deleted)
		return 0;
	is_new = pr.id == 0;
	if (savepoint(x) == -1)
		return -1;
	if (is_new)
		st = db_prepare(x->db, sql_ins);
	else
		st = db_prepare(x->db, sql_upd);
	if (st == NULL)
		goto fail;
	db_bind_text(st, 1, p->uuid);
	db_bind_text(st, 2, p->code);
	db_bind_text(st, 3, p->unit);
	db_bind_int(st, 4, p->vat_bp);
	db_bind_text(st, 5, p->category);
	db_bind_text(st, 6, p->default_warehouse);
	db_bind_text(st, 7, p->ruleset_code);
	db_bind_int(st, 8, p->active);
	db_bind_int(st, 9, h);
	db_bind_int(st, 10, x->run_id);
	db_bind_int(st, 11, x->started);
	if (!is_new)
		db_bind_int(st, 12, x->masters);
	if (step_done(x, st) == -1)
		goto fail;
	id = is_new ? db_last_rowid(x->db) : pr.id;
	if (product_texts(x, p, id, is_new, changed) == -1)
		goto fail;
	if ((is_new || !(x->masters & FM_ATTRIBUTES)) &&
	    product_attrs(x, p, id, changed) == -1)
		goto fail;
	if ((is_new || !(x->masters & FM_FILES)) &&
	    product_files(x, p, id, changed) == -1)
		goto fail;
	if ((is_new || !(x->masters & FM_RELATIONS)) &&
	    product_relations(x, p, id, changed) == -1)
		goto fail;
	if ((is_new || !(x->masters & FM_VISIBILITY)) &&
	    product_visibility(x, p, id, changed) == -1)
		goto fail;
	release(x, 1);
	*changed = 1;
	return 0;
fail:
	release(x, 0);
	return -1;
}

/* ---- prices, stock ---- */

static const char sql_product_id[] =
    "SELECT id FROM product WHERE erp_uuid = ? AND deleted_at IS NULL";
static const char sql_customer_id[] =
    "SELECT id FROM customer WHERE erp_uuid = ? AND deleted_at IS NULL";
static const char sql_warehouse_id[] =
    "SELECT id FROM warehouse WHERE erp_uuid = ?";

static int
apply_price(struct sctx *x, const struct erp_record *rec, int *changed,
    char *w, size_t wsz)
{
	static const char sql[] =
	    "INSERT INTO price (erp_uuid, product_id, kind, customer_id, grp,"
	    " currency, lang, amount, sync_run_id, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
	    " ON CONFLICT (erp_uuid) DO UPDATE SET"
	    " product_id = excluded.product_id, kind = excluded.kind,"
	    " customer_id = excluded.customer_id, grp = excluded.grp,"
	    " currency = excluded.currency, lang = excluded.lang,"
	    " amount = excluded.amount, sync_run_id = excluded.sync_run_id,"
	    " updated_at = excluded.updated_at"
	    " WHERE product_id IS NOT excluded.product_id"
	    " OR kind IS NOT excluded.kind"
	    " OR customer_id IS NOT excluded.customer_id"
	    " OR grp IS NOT excluded.grp OR currency IS NOT excluded.currency"
	    " OR lang IS NOT excluded.lang OR amount IS NOT excluded.amount";
	static const char *const kinds[] = { "catalogue", "group",
	    "individual" };
	const struct erp_price *p = rec->u.price;
	sqlite3_stmt *st;
	int64_t pid, cid = 0;

	if (p->kind < 0)
		return why(w, wsz, "unknown price kind");
	if (!currency_ok(p->currency))
		return why(w, wsz, "bad currency \"%.8s\"", p->currency);
	if (p->amount < 0)
		return why(w, wsz, "negative amount");
	if (*p->langver != '\0' && !lang_ok(p->langver))
		return why(w, wsz, "bad langver \"%.16s\"", p->langver);
	if (p->kind == ERP_PRICE_GROUP && !group_ok(p->group))
		return why(w, wsz, "group price without a group");
	if (p->kind == ERP_PRICE_CUSTOMER && *p->customer == '\0')
		return why(w, wsz, "customer price without a customer");
	pid = lookup_id(x, db_prepare(x->db, sql_product_id), p->product);
	if (pid == -1)
		return -1;
	if (pid == 0)
		return why(w, wsz, "unknown product %s", p->product);
	if (p->kind == ERP_PRICE_CUSTOMER) {
		cid = lookup_id(x, db_prepare(x->db, sql_customer_id),
		    p->customer);
		if (cid == -1)
			return -1;
		if (cid == 0)
			return why(w, wsz, "unknown customer %s", p->customer);
	}
	if ((st = db_prepare(x->db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, p->uuid);
	db_bind_int(st, 2, pid);
	db_bind_text(st, 3, kinds[p->kind]);
	if (cid != 0)
		db_bind_int(st, 4, cid);
	else
		db_bind_null(st, 4);
	db_bind_text(st, 5, p->kind == ERP_PRICE_GROUP ? p->group : "");
	db_bind_text(st, 6, p->currency);
	db_bind_text(st, 7, p->langver);
	db_bind_int(st, 8, p->amount);
	db_bind_int(st, 9, x->run_id);
	db_bind_int(st, 10, x->started);
	if (step_done(x, st) == -1)
		return -1;
	*changed = db_changes(x->db) > 0;
	return 0;
}

static int
apply_stock(struct sctx *x, const struct erp_record *rec, int *changed,
    char *w, size_t wsz)
{
	static const char sql[] =
	    "INSERT INTO stock (erp_uuid, product_id, warehouse_id, qty_milli,"
	    " sync_run_id, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	    " ON CONFLICT (erp_uuid) DO UPDATE SET"
	    " product_id = excluded.product_id,"
	    " warehouse_id = excluded.warehouse_id,"
	    " qty_milli = excluded.qty_milli, sync_run_id = excluded.sync_run_id,"
	    " updated_at = excluded.updated_at"
	    " WHERE product_id IS NOT excluded.product_id"
	    " OR warehouse_id IS NOT excluded.warehouse_id"
	    " OR qty_milli IS NOT excluded.qty_milli";
	const struct erp_stock *s = rec->u.stock;
	sqlite3_stmt *st;
	int64_t pid, wid;

	pid = lookup_id(x, db_prepare(x->db, sql_product_id), s->product);
	if (pid == -1)
		return -1;
	wid = lookup_id(x, db_prepare(x->db, sql_warehouse_id), s->warehouse);
	if (wid == -1)
		return -1;
	if (pid == 0)
		return why(w, wsz, "unknown product %s", s->product);
	if (wid == 0)
		return why(w, wsz, "unknown warehouse %s", s->warehouse);
	if ((st = db_prepare(x->db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, s->uuid);
	db_bind_int(st, 2, pid);
	db_bind_int(st, 3, wid);
	db_bind_int(st, 4, s->qty_milli);
	db_bind_int(st, 5, x->run_id);
	db_bind_int(st, 6, x->started);
	if (step_done(x, st) == -1)
		return -1;
	*changed = db_changes(x->db) > 0;
	return 0;
}

/* ---- currencies, warehouses ---- */

static int
apply_currency(struct sctx *x, const struct erp_record *rec, int *changed,
    char *w, size_t wsz)
{
	static const char sql[] =
	    "INSERT INTO currency (code, erp_uuid, name, minor_digits, rate_e6,"
	    " rate_date, sync_run_id, updated_at) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7, ?8) ON CONFLICT (code) DO UPDATE SET"
	    " erp_uuid = excluded.erp_uuid, name = excluded.name,"
	    " minor_digits = excluded.minor_digits, rate_e6 = excluded.rate_e6,"
	    " rate_date = excluded.rate_date, sync_run_id = excluded.sync_run_id,"
	    " updated_at = excluded.updated_at"
	    " WHERE erp_uuid IS NOT excluded.erp_uuid"
	    " OR name IS NOT excluded.name"
	    " OR minor_digits IS NOT excluded.minor_digits"
	    " OR rate_e6 IS NOT excluded.rate_e6"
	    " OR rate_date IS NOT excluded.rate_date";
	static const char sql_rate[] =
	    "INSERT INTO exchange_rate (currency, valid_from, rate_e6,"
	    " sync_run_id, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (currency, valid_from) DO UPDATE SET"
	    " rate_e6 = excluded.rate_e6, sync_run_id = excluded.sync_run_id,"
	    " updated_at = excluded.updated_at"
	    " WHERE rate_e6 IS NOT excluded.rate_e6";
	const struct erp_currency *c = rec->u.currency;
	sqlite3_stmt *st;
	int clash;

	if (!currency_ok(c->code))
		return why(w, wsz, "bad currency code \"%.8s\"", c->code);
	if (c->minor_digits < 0 || c->minor_digits > 4)
		return why(w, wsz, "minor_digits out of range");
	if (c->rate_e6 <= 0)
		return why(w, wsz, "rate must be positive");
	if (ltexts_ok(&c->name, "name", w, wsz))
		return 1;
	if (savepoint(x) == -1)
		return -1;
	if ((st = db_prepare(x->db, sql)) == NULL)
		goto fail;
	db_bind_text(st, 1, c->code);
	db_bind_text(st, 2, c->uuid);
	db_bind_text(st, 3, ltext_default(x, &c->name));
	db_bind_int(st, 4, c->minor_digits);
	db_bind_int(st, 5, c->rate_e6);
	bind_date(st, 6, c->rate_date);
	db_bind_int(st, 7, x->run_id);
	db_bind_int(st, 8, x->started);
	if (step_done(x, st) == -1)
		goto fail;
	if (db_changes(x->db) > 0)
		*changed = 1;
	if ((st = db_prepare(x->db, sql_rate)) == NULL)
		goto fail;
	db_bind_text(st, 1, c->code);
	db_bind_int(st, 2, c->rate_date != 0 ? c->rate_date : x->started);
	db_bind_int(st, 3, c->rate_e6);
	db_bind_int(st, 4, x->run_id);
	db_bind_int(st, 5, x->started);
	if (step_done(x, st) == -1)
		goto fail;
	if (db_changes(x->db) > 0)
		*changed = 1;
	release(x, 1);
	return 0;
fail:
	/* a uuid or code clash is the ERP's data, not our database */
	clash = strstr(db_errmsg(x->db), "UNIQUE") != NULL;
	release(x, 0);
	if (clash)
		return why(w, wsz, "uuid or code of another currency");
	return -1;
}

static int
apply_warehouse(struct sctx *x, const struct erp_record *rec, int *changed,
    char *w, size_t wsz)
{
	static const char sql[] =
	    "INSERT INTO warehouse (erp_uuid, code, name, city, active,"
	    " sync_run_id, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT (erp_uuid) DO UPDATE SET code = excluded.code,"
	    " name = excluded.name, city = excluded.city,"
	    " active = excluded.active, sync_run_id = excluded.sync_run_id,"
	    " updated_at = excluded.updated_at"
	    " WHERE code IS NOT excluded.code OR name IS NOT excluded.name"
	    " OR city IS NOT excluded.city OR active IS NOT excluded.active";
	const struct erp_warehouse *h = rec->u.warehouse;
	sqlite3_stmt *st;

	if (ltexts_ok(&h->name, "name", w, wsz))
		return 1;
	if ((st = db_prepare(x->db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, h->uuid);
	db_bind_text(st, 2, h->code);
	db_bind_text(st, 3, ltext_default(x, &h->name));
	db_bind_text(st, 4, h->city);
	db_bind_int(st, 5, h->active);
	db_bind_int(st, 6, x->run_id);
	db_bind_int(st, 7, x->started);
	if (step_done(x, st) == -1)
		return -1;
	*changed = db_changes(x->db) > 0;
	return 0;
}

/* ---- customers ---- */

static int
apply_customer(struct sctx *x, const struct erp_record *rec, int *changed,
    char *w, size_t wsz)
{
	static const char sql_prior[] =
	    "SELECT id, erp_hash, deleted_at IS NOT NULL, 0 FROM customer"
	    " WHERE erp_uuid = ?";
	static const char sql_up[] =
	    "INSERT INTO customer (erp_uuid, code, name, nip, grp, lang,"
	    " currency, payment_days, discount_bp, credit_limit, credit_used,"
	    " overdue, blocked, blocked_reason, active, email, phone,"
	    " default_warehouse_uuid, deleted_at, erp_hash, sync_run_id,"
	    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	    " ?12, ?13, ?14, ?15, ?16, ?17, ?18, NULL, ?19, ?20, ?21)"
	    " ON CONFLICT (erp_uuid) DO UPDATE SET code = excluded.code,"
	    " name = excluded.name, nip = excluded.nip, grp = excluded.grp,"
	    " lang = excluded.lang, currency = excluded.currency,"
	    " payment_days = excluded.payment_days,"
	    " discount_bp = excluded.discount_bp,"
	    " credit_limit = excluded.credit_limit,"
	    " credit_used = excluded.credit_used, overdue = excluded.overdue,"
	    " blocked = excluded.blocked,"
	    " blocked_reason = excluded.blocked_reason,"
	    " active = excluded.active, email = excluded.email,"
	    " phone = excluded.phone,"
	    " default_warehouse_uuid = excluded.default_warehouse_uuid,"
	    " deleted_at = NULL, erp_hash = excluded.erp_hash,"
	    " sync_run_id = excluded.sync_run_id,"
	    " updated_at = excluded.updated_at";
	static const char sql_contact[] =
	    "INSERT INTO customer_contact (customer_id, erp_uuid, name, role,"
	    " email, phone) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	    " ON CONFLICT (customer_id, erp_uuid) DO UPDATE SET"
	    " name = excluded.name, role = excluded.role,"
	    " email = excluded.email, phone = excluded.phone"
	    " WHERE name IS NOT excluded.name OR role IS NOT excluded.role"
	    " OR email IS NOT excluded.email OR phone IS NOT excluded.phone";
	static const char sql_address[] =
	    "INSERT INTO customer_address (customer_id, erp_uuid, kind, name,"
	    " street, postcode, city, country, is_default)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
	    " ON CONFLICT (customer_id, erp_uuid) DO UPDATE SET"
	    " kind = excluded.kind, name = excluded.name,"
	    " street = excluded.street, postcode = excluded.postcode,"
	    " city = excluded.city, country = excluded.country,"
	    " is_default = excluded.is_default"
	    " WHERE kind IS NOT excluded.kind OR name IS NOT excluded.name"
	    " OR street IS NOT excluded.street"
	    " OR postcode IS NOT excluded.postcode OR city IS NOT excluded.city"
	    " OR country IS NOT excluded.country"
	    " OR is_default IS NOT excluded.is_default";
	const struct erp_customer *c = rec->u.customer;
	struct keys keep = { NULL, NULL, 0, 0 };
	const struct erp_address *ad;
	const char *key, *kind;
	struct prior pr;
	sqlite3_stmt *st;
	int64_t h, id;
	size_t i;
	int first_delivery = 1;

	if (!lang_ok(c->language))
		return why(w, wsz, "bad language \"%.16s\"", c->language);
	if (!currency_ok(c->currency))
		return why(w, wsz, "bad currency \"%.8s\"", c->currency);
	if (*c->group != '\0' && !group_ok(c->group))
		return why(w, wsz, "bad group \"%.8s\"", c->group);
	if (c->payment_days < 0)
		return why(w, wsz, "negative payment_days");
	if (c->discount_bp < 0 || c->discount_bp > 10000)
		return why(w, wsz, "discount out of range");
	for (i = 0; i < c->naddresses; i++) {
		kind = c->addresses[i].kind;
		if (*kind != '\0' && strcmp(kind, "main") != 0 &&
		    strcmp(kind, "invoice") != 0 &&
		    strcmp(kind, "delivery") != 0)
			return why(w, wsz, "address: bad kind \"%.16s\"", kind);
	}
	h = (int64_t)apply_hash(0, rec->payload, rec->payload_len);
	if (prior_get(x, db_prepare(x->db, sql_prior), c->uuid, &pr) == -1)
		return -1;
	if (pr.id != 0 && pr.hash == h && !pr.deleted)
		return 0;
	if (savepoint(x) == -1)
		return -1;
	if ((st = db_prepare(x->db, sql_up)) == NULL)
		goto fail;
	db_bind_text(st, 1, c->uuid);
	db_bind_text(st, 2, c->code);
	db_bind_text(st, 3, c->name);
	db_bind_text(st, 4, c->nip);
	db_bind_text(st, 5, c->group);
	db_bind_text(st, 6, c->language);
	db_bind_text(st, 7, c->currency);
	db_bind_int(st, 8, c->payment_days);
	db_bind_int(st, 9, c->discount_bp);
	db_bind_int(st, 10, c->credit_limit);
	db_bind_int(st, 11, c->credit_used);
	db_bind_int(st, 12, c->overdue);
	db_bind_int(st, 13, c->blocked);
	db_bind_text(st, 14, c->block_reason);
	db_bind_int(st, 15, c->active);
	db_bind_text(st, 16, c->email);
	db_bind_text(st, 17, c->phone);
	db_bind_text(st, 18, c->default_warehouse);
	db_bind_int(st, 19, h);
	db_bind_int(st, 20, x->run_id);
	db_bind_int(st, 21, x->started);
	if (step_done(x, st) == -1)
		goto fail;
	if ((id = pr.id) == 0 && (id = lookup_id(x, db_prepare(x->db,
	    "SELECT id FROM customer WHERE erp_uuid = ?"), c->uuid)) <= 0)
		goto fail;
	/* children without a uuid are keyed by their position */
	for (i = 0; i < c->ncontacts; i++) {
		const struct erp_contact *ct = &c->contacts[i];

		key = *ct->uuid != '\0' ? ct->uuid :
		    arena_printf(x->scratch, "#%zu", i + 1);
		if (keys_has(&keep, key, ""))
			continue;
		keys_add(x, &keep, key, NULL);
		if ((st = db_prepare(x->db, sql_contact)) == NULL)
			goto fail;
		db_bind_int(st, 1, id);
		db_bind_text(st, 2, key);
		db_bind_text(st, 3, ct->name);
		db_bind_text(st, 4, ct->role);
		db_bind_text(st, 5, ct->email);
		db_bind_text(st, 6, ct->phone);
		if (step_done(x, st) == -1)
			goto fail;
	}
	if (prune(x, CH_CONTACT, id, &keep, changed) == -1)
		goto fail;
	memset(&keep, 0, sizeof(keep));
	for (i = 0; i < c->naddresses; i++) {
		ad = &c->addresses[i];
		key = *ad->uuid != '\0' ? ad->uuid :
		    arena_printf(x->scratch, "#%zu", i + 1);
		if (keys_has(&keep, key, ""))
			continue;
		keys_add(x, &keep, key, NULL);
		kind = *ad->kind != '\0' ? ad->kind : "delivery";
		if ((st = db_prepare(x->db, sql_address)) == NULL)
			goto fail;
		db_bind_int(st, 1, id);
		db_bind_text(st, 2, key);
		db_bind_text(st, 3, kind);
		db_bind_text(st, 4, ad->name);
		db_bind_text(st, 5, ad->street);
		db_bind_text(st, 6, ad->postcode);
		db_bind_text(st, 7, ad->city);
		db_bind_text(st, 8, ad->country);
		/* the ERP's first delivery address is the default one */
		db_bind_int(st, 9, strcmp(kind, "delivery") == 0 &&
		    first_delivery);
		if (strcmp(kind, "delivery") == 0)
			first_delivery = 0;
		if (step_done(x, st) == -1)
			goto fail;
	}
	if (prune(x, CH_ADDRESS, id, &keep, changed) == -1)
		goto fail;
	release(x, 1);
	*changed = 1;
	return 0;
fail:
	release(x, 0);
	return -1;
}

/* ---- rule sets ---- */

static int
apply_ruleset(struct sctx *x, const struct erp_record *rec, int *changed,
    char *w, size_t wsz)
{
	static const char sql[] =
	    "INSERT INTO ruleset (erp_uuid, code, version, valid_from, name,"
	    " currency, bundle, erp_hash, sync_run_id, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
	    " ON CONFLICT (erp_uuid) DO UPDATE SET code = excluded.code,"
	    " version = excluded.version, valid_from = excluded.valid_from,"
	    " name = excluded.name, currency = excluded.currency,"
	    " bundle = excluded.bundle, erp_hash = excluded.erp_hash,"
	    " sync_run_id = excluded.sync_run_id,"
	    " updated_at = excluded.updated_at"
	    " WHERE erp_hash IS NOT excluded.erp_hash";
	const struct erp_ruleset *r = rec->u.ruleset;
	sqlite3_stmt *st;

	if (*r->code == '\0')
		return why(w, wsz, "no family code");
	if (r->version <= 0)
		return why(w, wsz, "version must be positive");
	if (*r->bundle == '\0')
		return why(w, wsz, "no bundle");
	if (!currency_ok(r->currency))
		return why(w, wsz, "bad currency \"%.8s\"", r->currency);
	if ((st = db_prepare(x->db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, r->uuid);
	db_bind_text(st, 2, r->code);
	db_bind_int(st, 3, r->version);
	bind_date(st, 4, r->valid_from);
	db_bind_text(st, 5, ltext_default(x, &r->name));
	db_bind_text(st, 6, r->currency);
	db_bind_text(st, 7, r->bundle);
	db_bind_int(st, 8, (int64_t)apply_hash(0, rec->payload,
	    rec->payload_len));
	db_bind_int(st, 9, x->run_id);
	db_bind_int(st, 10, x->started);
	if (step_done(x, st) == -1)
		return -1;
	*changed = db_changes(x->db) > 0;
	return 0;
}

/* ---- orders ---- */

static int
status_ok(const char *s)
{
	static const char *const v[] = { "new", "accepted", "in_production",
	    "ready", "released", "shipped", "invoiced", "cancelled" };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strcmp(s, v[i]) == 0)
			return 1;
	return 0;
}

static int
apply_order(struct sctx *x, const struct erp_record *rec, int *changed,
    char *w, size_t wsz)
{
	static const char sql_prior[] =
	    "SELECT id, erp_hash, 0, revision FROM erp_order WHERE erp_uuid = ?";
	/* ?24: corrected_at when this revision is a correction */
	static const char sql_up[] =
	    "INSERT INTO erp_order (erp_uuid, external_ref, number,"
	    " customer_uuid, status, status_at, created_at, currency, net,"
	    " notes, delivery_uuid, delivery_name, delivery_street,"
	    " delivery_postcode, delivery_city, delivery_country, revision,"
	    " corrected_at, correction_note, release_wz, released_at, carrier,"
	    " waybill, shipped_at, erp_hash, sync_run_id, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17, ?24, ?18, ?19, ?20, ?21, ?22, ?23, ?25, ?26,"
	    " ?27) ON CONFLICT (erp_uuid) DO UPDATE SET"
	    " external_ref = excluded.external_ref, number = excluded.number,"
	    " customer_uuid = excluded.customer_uuid, status = excluded.status,"
	    " status_at = excluded.status_at, created_at = excluded.created_at,"
	    " currency = excluded.currency, net = excluded.net,"
	    " notes = excluded.notes, delivery_uuid = excluded.delivery_uuid,"
	    " delivery_name = excluded.delivery_name,"
	    " delivery_street = excluded.delivery_street,"
	    " delivery_postcode = excluded.delivery_postcode,"
	    " delivery_city = excluded.delivery_city,"
	    " delivery_country = excluded.delivery_country,"
	    " revision = excluded.revision,"
	    " corrected_at = ifnull(excluded.corrected_at, corrected_at),"
	    " correction_note = excluded.correction_note,"
	    " release_wz = excluded.release_wz,"
	    " released_at = excluded.released_at, carrier = excluded.carrier,"
	    " waybill = excluded.waybill, shipped_at = excluded.shipped_at,"
	    " erp_hash = excluded.erp_hash, sync_run_id = excluded.sync_run_id,"
	    " updated_at = excluded.updated_at";
	static const char sql_line[] =
	    "INSERT INTO erp_order_line (order_id, line_no, product_uuid, name,"
	    " qty_milli, unit_net, net, configuration)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	    " ON CONFLICT (order_id, line_no) DO UPDATE SET"
	    " product_uuid = excluded.product_uuid, name = excluded.name,"
	    " qty_milli = excluded.qty_milli, unit_net = excluded.unit_net,"
	    " net = excluded.net, configuration = excluded.configuration"
	    " WHERE product_uuid IS NOT excluded.product_uuid"
	    " OR name IS NOT excluded.name OR qty_milli IS NOT excluded.qty_milli"
	    " OR unit_net IS NOT excluded.unit_net OR net IS NOT excluded.net"
	    " OR configuration IS NOT excluded.configuration";
	const struct erp_order *o = rec->u.order;
	struct keys keep = { NULL, NULL, 0, 0 };
	struct prior pr;
	sqlite3_stmt *st;
	int64_t h, id, held;
	const char *key;
	size_t i;

	if (!status_ok(o->status))
		return why(w, wsz, "unknown status \"%.24s\"", o->status);
	if (!currency_ok(o->currency))
		return why(w, wsz, "bad currency \"%.8s\"", o->currency);
	if (o->revision < 1)
		return why(w, wsz, "revision must be positive");
	h = (int64_t)apply_hash(0, rec->payload, rec->payload_len);
	if (prior_get(x, db_prepare(x->db, sql_prior), o->uuid, &pr) == -1)
		return -1;
	if (pr.id != 0 && pr.hash == h)
		return 0;
	/* contract 8.6: a revision above what the portal holds (and above
	 * the first) is an operator's correction */
	held = pr.id != 0 ? pr.extra : 1;
	if (held < 1)
		held = 1;
	if (savepoint(x) == -1)
		return -1;
	if ((st = db_prepare(x->db, sql_up)) == NULL)
		goto fail;
	db_bind_text(st, 1, o->uuid);
	db_bind_text(st, 2, o->external_ref);
	db_bind_text(st, 3, o->number);
	db_bind_text(st, 4, o->customer);
	db_bind_text(st, 5, o->status);
	bind_date(st, 6, o->status_changed);
	bind_date(st, 7, o->created);
	db_bind_text(st, 8, o->currency);
	db_bind_int(st, 9, o->net);
	db_bind_text(st, 10, o->notes);
	db_bind_text(st, 11, o->delivery.uuid);
	db_bind_text(st, 12, o->delivery.name);
	db_bind_text(st, 13, o->delivery.street);
	db_bind_text(st, 14, o->delivery.postcode);
	db_bind_text(st, 15, o->delivery.city);
	db_bind_text(st, 16, o->delivery.country);
	db_bind_int(st, 17, o->revision);
	db_bind_text(st, 18, o->correction_note);
	db_bind_text(st, 19, o->has_release ? o->wz_number : "");
	bind_date(st, 20, o->has_release ? o->release_date : 0);
	db_bind_text(st, 21, o->has_shipment ? o->carrier : "");
	db_bind_text(st, 22, o->has_shipment ? o->waybill : "");
	bind_date(st, 23, o->has_shipment ? o->ship_date : 0);
	if (o->revision > held)
		db_bind_int(st, 24, x->started);
	else
		db_bind_null(st, 24);
	db_bind_int(st, 25, h);
	db_bind_int(st, 26, x->run_id);
	db_bind_int(st, 27, x->started);
	if (step_done(x, st) == -1)
		goto fail;
	if ((id = pr.id) == 0 && (id = lookup_id(x, db_prepare(x->db,
	    "SELECT id FROM erp_order WHERE erp_uuid = ?"), o->uuid)) <= 0)
		goto fail;
	for (i = 0; i < o->nlines; i++) {
		const struct erp_order_line *l = &o->lines[i];

		key = arena_printf(x->scratch, "%lld", (long long)l->line_no);
		if (keys_has(&keep, key, ""))
			continue;
		keys_add(x, &keep, key, NULL);
		if ((st = db_prepare(x->db, sql_line)) == NULL)
			goto fail;
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, l->line_no);
		db_bind_text(st, 3, l->product);
		db_bind_text(st, 4, l->name);
		db_bind_int(st, 5, l->qty_milli);
		db_bind_int(st, 6, l->unit_net);
		db_bind_int(st, 7, l->net);
		db_bind_text(st, 8, l->configuration_xml);
		if (step_done(x, st) == -1)
			goto fail;
	}
	if (prune(x, CH_ORDER_LINE, id, &keep, changed) == -1)
		goto fail;
	release(x, 1);
	*changed = 1;
	return 0;
fail:
	release(x, 0);
	return -1;
}

/* ---- invoices ---- */

static int
apply_invoice(struct sctx *x, const struct erp_record *rec, int *changed,
    char *w, size_t wsz)
{
	static const char sql_prior[] =
	    "SELECT id, erp_hash, 0, 0 FROM invoice WHERE erp_uuid = ?";
	/* a changed invoice gets its documents fetched again */
	static const char sql_up[] =
	    "INSERT INTO invoice (erp_uuid, number, customer_uuid, order_uuid,"
	    " issued_at, sale_date, due_at, currency, net, vat, gross, paid,"
	    " ksef_number, erp_hash, sync_run_id, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16) ON CONFLICT (erp_uuid) DO UPDATE SET"
	    " number = excluded.number, customer_uuid = excluded.customer_uuid,"
	    " order_uuid = excluded.order_uuid, issued_at = excluded.issued_at,"
	    " sale_date = excluded.sale_date, due_at = excluded.due_at,"
	    " currency = excluded.currency, net = excluded.net,"
	    " vat = excluded.vat, gross = excluded.gross, paid = excluded.paid,"
	    " ksef_number = excluded.ksef_number, pdf_sha256 = NULL,"
	    " pdf_size = NULL, xml_sha256 = NULL, xml_size = NULL,"
	    " erp_hash = excluded.erp_hash, sync_run_id = excluded.sync_run_id,"
	    " updated_at = excluded.updated_at";
	static const char sql_line[] =
	    "INSERT INTO invoice_line (invoice_id, line_no, product_uuid, name,"
	    " qty_milli, unit_net, net, vat_bp, vat, gross)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
	    " ON CONFLICT (invoice_id, line_no) DO UPDATE SET"
	    " product_uuid = excluded.product_uuid, name = excluded.name,"
	    " qty_milli = excluded.qty_milli, unit_net = excluded.unit_net,"
	    " net = excluded.net, vat_bp = excluded.vat_bp,"
	    " vat = excluded.vat, gross = excluded.gross"
	    " WHERE product_uuid IS NOT excluded.product_uuid"
	    " OR name IS NOT excluded.name OR qty_milli IS NOT excluded.qty_milli"
	    " OR unit_net IS NOT excluded.unit_net OR net IS NOT excluded.net"
	    " OR vat_bp IS NOT excluded.vat_bp OR vat IS NOT excluded.vat"
	    " OR gross IS NOT excluded.gross";
	const struct erp_invoice *v = rec->u.invoice;
	struct keys keep = { NULL, NULL, 0, 0 };
	struct prior pr;
	sqlite3_stmt *st;
	int64_t h, id;
	const char *key;
	size_t i;

	if (!currency_ok(v->currency))
		return why(w, wsz, "bad currency \"%.8s\"", v->currency);
	if (*v->number == '\0')
		return why(w, wsz, "no number");
	h = (int64_t)apply_hash(0, rec->payload, rec->payload_len);
	if (prior_get(x, db_prepare(x->db, sql_prior), v->uuid, &pr) == -1)
		return -1;
	if (pr.id != 0 && pr.hash == h)
		return 0;
	if (savepoint(x) == -1)
		return -1;
	if ((st = db_prepare(x->db, sql_up)) == NULL)
		goto fail;
	db_bind_text(st, 1, v->uuid);
	db_bind_text(st, 2, v->number);
	db_bind_text(st, 3, v->customer);
	db_bind_text(st, 4, v->order);
	bind_date(st, 5, v->issued);
	bind_date(st, 6, v->sale_date);
	bind_date(st, 7, v->due_date);
	db_bind_text(st, 8, v->currency);
	db_bind_int(st, 9, v->net);
	db_bind_int(st, 10, v->vat);
	db_bind_int(st, 11, v->gross);
	db_bind_int(st, 12, v->paid);
	db_bind_text(st, 13, v->ksef_number);
	db_bind_int(st, 14, h);
	db_bind_int(st, 15, x->run_id);
	db_bind_int(st, 16, x->started);
	if (step_done(x, st) == -1)
		goto fail;
	if ((id = pr.id) == 0 && (id = lookup_id(x, db_prepare(x->db,
	    "SELECT id FROM invoice WHERE erp_uuid = ?"), v->uuid)) <= 0)
		goto fail;
	for (i = 0; i < v->nlines; i++) {
		const struct erp_invoice_line *l = &v->lines[i];

		key = arena_printf(x->scratch, "%lld", (long long)l->line_no);
		if (keys_has(&keep, key, ""))
			continue;
		keys_add(x, &keep, key, NULL);
		if ((st = db_prepare(x->db, sql_line)) == NULL)
			goto fail;
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, l->line_no);
		db_bind_text(st, 3, l->product);
		db_bind_text(st, 4, l->name);
		db_bind_int(st, 5, l->qty_milli);
		db_bind_int(st, 6, l->unit_net);
		db_bind_int(st, 7, l->net);
		db_bind_int(st, 8, l->vat_rate_bp);
		db_bind_int(st, 9, l->vat);
		db_bind_int(st, 10, l->gross);
		if (step_done(x, st) == -1)
			goto fail;
	}
	if (prune(x, CH_INVOICE_LINE, id, &keep, changed) == -1)
		goto fail;
	release(x, 1);
	*changed = 1;
	return 0;
fail:
	release(x, 0);
	return -1;
}

/* ---- dispatch ---- */

typedef int (*apply_fn)(struct sctx *, const struct erp_record *, int *,
    char *, size_t);

static const apply_fn appliers[ERP_ENTITY__MAX] = {
	[ERP_CATEGORY] = apply_category,
	[ERP_PRODUCT] = apply_product,
	[ERP_PRICE] = apply_price,
	[ERP_CURRENCY] = apply_currency,
	[ERP_WAREHOUSE] = apply_warehouse,
	[ERP_STOCK] = apply_stock,
	[ERP_CUSTOMER] = apply_customer,
	[ERP_RULESET] = apply_ruleset,
	[ERP_ORDER] = apply_order,
	[ERP_INVOICE] = apply_invoice,
};

int
apply_record(struct sctx *x, const struct erp_record *rec, int *changed,
    char *w, size_t wsz)
{
	*changed = 0;
	*w = '\0';
	if (rec->invalid != NULL)
		return why(w, wsz, "%s", rec->invalid);
	if (rec->u.any == NULL)
		return why(w, wsz, "no record");
	return appliers[rec->entity](x, rec, changed, w, wsz);
}

/* Deleting by uuid: products and customers softly (the row stays for
 * what refers to it; prices and stock go), everything else for real. */
static const char *sql_delete[] = {
	[ERP_CATEGORY] = "DELETE FROM category WHERE erp_uuid = ?1",
	[ERP_PRICE] = "DELETE FROM price WHERE erp_uuid = ?1",
	[ERP_CURRENCY] = "DELETE FROM currency WHERE erp_uuid = ?1",
	[ERP_WAREHOUSE] = "DELETE FROM warehouse WHERE erp_uuid = ?1",
	[ERP_STOCK] = "DELETE FROM stock WHERE erp_uuid = ?1",
	[ERP_RULESET] = "DELETE FROM ruleset WHERE erp_uuid = ?1",
	[ERP_ORDER] = "DELETE FROM erp_order WHERE erp_uuid = ?1",
	[ERP_INVOICE] = "DELETE FROM invoice WHERE erp_uuid = ?1",
	[ERP_PRODUCT] = "UPDATE product SET deleted_at = ?2, active = 0,"
	    " erp_hash = 0, sync_run_id = ?3, updated_at = ?2"
	    " WHERE erp_uuid = ?1 AND deleted_at IS NULL",
	[ERP_CUSTOMER] = "UPDATE customer SET deleted_at = ?2, active = 0,"
	    " erp_hash = 0, sync_run_id = ?3, updated_at = ?2"
	    " WHERE erp_uuid = ?1 AND deleted_at IS NULL",
};

static const char sql_product_prices[] =
    "DELETE FROM price WHERE product_id ="
    " (SELECT id FROM product WHERE erp_uuid = ?)";
static const char sql_product_stock[] =
    "DELETE FROM stock WHERE product_id ="
    " (SELECT id FROM product WHERE erp_uuid = ?)";
static const char sql_customer_prices[] =
    "DELETE FROM price WHERE customer_id ="
    " (SELECT id FROM customer WHERE erp_uuid = ?)";

int
apply_delete(struct sctx *x, enum erp_entity ent, const char *uuid,
    int *changed)
{
	sqlite3_stmt *st;
	int soft = ent == ERP_PRODUCT || ent == ERP_CUSTOMER;

	*changed = 0;
	if ((st = db_prepare(x->db, sql_delete[ent])) == NULL)
		return -1;
	db_bind_text(st, 1, uuid);
	if (soft) {
		db_bind_int(st, 2, x->started);
		db_bind_int(st, 3, x->run_id);
	}
	if (step_done(x, st) == -1)
		return -1;
	if (db_changes(x->db) == 0)
		return 0;
	*changed = 1;
	/* what goes with it counts too (the ERP queues those deletions
	 * separately; they then find nothing to delete) */
	if (ent == ERP_PRODUCT) {
		if ((st = db_prepare(x->db, sql_product_prices)) == NULL)
			return -1;
		db_bind_text(st, 1, uuid);
		if (step_done(x, st) == -1)
			return -1;
		*changed += db_changes(x->db);
		if ((st = db_prepare(x->db, sql_product_stock)) == NULL)
			return -1;
		db_bind_text(st, 1, uuid);
		if (step_done(x, st) == -1)
			return -1;
		*changed += db_changes(x->db);
	} else if (ent == ERP_CUSTOMER) {
		if ((st = db_prepare(x->db, sql_customer_prices)) == NULL)
			return -1;
		db_bind_text(st, 1, uuid);
		if (step_done(x, st) == -1)
			return -1;
		*changed += db_changes(x->db);
	}
	return 0;
}

/* The uuids held in a range, for the sweep of a full pull.  With an
 * upper bound the index range scan stops there (one statement OR-ing the
 * two cases would scan to the end of the index every time).  The open
 * range of the last page stops below 'g': every ERP uuid is lowercase hex,
 * and a key that is not one (a customer the portal made before the ERP
 * had it, 'portal:...', db/0003) is never the ERP's to delete. */
#define RANGE_CLOSED(t, extra) "SELECT erp_uuid FROM " t \
    " WHERE erp_uuid > ?1 AND erp_uuid <= ?2" extra " ORDER BY erp_uuid"
#define RANGE_OPEN(t, extra) "SELECT erp_uuid FROM " t \
    " WHERE erp_uuid > ?1 AND erp_uuid < 'g'" extra " ORDER BY erp_uuid"

static const char *sql_range_closed[] = {
	[ERP_CATEGORY] = RANGE_CLOSED("category", ""),
	[ERP_PRODUCT] = RANGE_CLOSED("product", " AND deleted_at IS NULL"),
	[ERP_PRICE] = RANGE_CLOSED("price", ""),
	[ERP_CURRENCY] = RANGE_CLOSED("currency", ""),
	[ERP_WAREHOUSE] = RANGE_CLOSED("warehouse", ""),
	[ERP_STOCK] = RANGE_CLOSED("stock", ""),
	[ERP_CUSTOMER] = RANGE_CLOSED("customer", " AND deleted_at IS NULL"),
	[ERP_RULESET] = RANGE_CLOSED("ruleset", ""),
	[ERP_ORDER] = RANGE_CLOSED("erp_order", ""),
	[ERP_INVOICE] = RANGE_CLOSED("invoice", ""),
};

static const char *sql_range_open[] = {
	[ERP_CATEGORY] = RANGE_OPEN("category", ""),
	[ERP_PRODUCT] = RANGE_OPEN("product", " AND deleted_at IS NULL"),
	[ERP_PRICE] = RANGE_OPEN("price", ""),
	[ERP_CURRENCY] = RANGE_OPEN("currency", ""),
	[ERP_WAREHOUSE] = RANGE_OPEN("warehouse", ""),
	[ERP_STOCK] = RANGE_OPEN("stock", ""),
	[ERP_CUSTOMER] = RANGE_OPEN("customer", " AND deleted_at IS NULL"),
	[ERP_RULESET] = RANGE_OPEN("ruleset", ""),
	[ERP_ORDER] = RANGE_OPEN("erp_order", ""),
	[ERP_INVOICE] = RANGE_OPEN("invoice", ""),
};

_Static_assert(sizeof(sql_delete) / sizeof(sql_delete[0]) ==
    ERP_ENTITY__MAX, "a delete per entity");
_Static_assert(sizeof(sql_range_open) / sizeof(sql_range_open[0]) ==
    ERP_ENTITY__MAX, "a range per entity");
_Static_assert(sizeof(sql_range_closed) / sizeof(sql_range_closed[0]) ==
    ERP_ENTITY__MAX, "a range per entity");

int
apply_range(struct sctx *x, enum erp_entity ent, const char *lo,
    const char *hi, int (*fn)(void *, const char *), void *arg)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (*hi != '\0')
		st = db_prepare(x->db, sql_range_closed[ent]);
	else
		st = db_prepare(x->db, sql_range_open[ent]);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, lo);
	if (*hi != '\0')
		db_bind_text(st, 2, hi);
	while (!stop && (rc = db_step(x->db, st)) == SQLITE_ROW)
		stop = fn(arg, db_col_text(st, 0));
	db_done(x->db, st);
	if (stop)
		return -1;
	return rc == SQLITE_DONE ? 0 : -1;
}

int
apply_load_masters(struct sctx *x)
{
	static const char sql[] =
	    "SELECT field FROM field_master WHERE master = 'portal'";
	static const struct {
		const char *field;
		int bit;
	} map[] = {
		{ "product.code", FM_CODE },
		{ "product.unit", FM_UNIT },
		{ "product.vat", FM_VAT },
		{ "product.category", FM_CATEGORY },
		{ "product.default_warehouse", FM_WAREHOUSE },
		{ "product.ruleset", FM_RULESET },
		{ "product.active", FM_ACTIVE },
		{ "product.name", FM_NAME },
		{ "product.description", FM_DESCRIPTION },
		{ "product.attributes", FM_ATTRIBUTES },
		{ "product.files", FM_FILES },
		{ "product.relations", FM_RELATIONS },
		{ "product.visibility", FM_VISIBILITY },
	};
	sqlite3_stmt *st;
	size_t i;
	int rc;

	x->masters = 0;
	if ((st = db_prepare(x->db, sql)) == NULL)
		return -1;
	while ((rc = db_step(x->db, st)) == SQLITE_ROW) {
		const char *f = db_col_text(st, 0);

		for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (strcmp(f, map[i].field) == 0)
				x->masters |= map[i].bit;
	}
	db_done(x->db, st);
	return rc == SQLITE_DONE ? 0 : -1;
}
