/*
 * product.c: a product's page (C1-C4) and its files.
 *
 * Files and photos (C1): the product page links each stored file as
 * /catalog/p/ID/f/SHA256; catalog_file() answers it only to a logged-in
 * user for a product visible in their language version (else 404, like a
 * missing file) and lets nginx send DATA_DIR/store/XX/SHA256 (the sync's
 * file store, doc/sync.md 7) through X-Accel-Redirect.  The type comes
 * from an allow-list (anything else is application/octet-stream), and the
 * answer is always an attachment, so a file the ERP sent never renders as
 * a page of ours.
 *
 * Thumbnails (C1): framuga-sync makes a 160 and a 480 px JPEG of each
 * stored photo once (cgi-src/lib/thumb.h: DATA_DIR/store/XX/SHA.tN.jpg).
 * The page shows the small one, with the width and height read from its
 * JPEG header (a 4 KiB read; nothing is decoded or made here), linking to
 * the large one.  A photo without thumbnails (not made yet, an SVG, or an
 * image that did not decode) is shown as its original, scaled by the
 * browser, as before.  catalog_thumb() authorises a thumbnail exactly like
 * catalog_file() and lets nginx send it inline as image/jpeg with a long
 * private max-age: the URL names the content (its hash), so it never
 * changes.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "../auth/auth.h"
#include "catalog_int.h"
#include "catalog_pages.h"
#include "cfg.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "page.h"
#include "perm.h"
#include "price.h"
#include "req.h"
#include "thumb.h"

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

/*
 * Adds to a photo's object what the page needs for its thumbnail: "thumb"
 * (the small one's URL), "tw" and "th" (its size) and "href" (the large
 * one, else the original), when the small one is on disk and reads as a
 * JPEG.  Otherwise the photo stays as it was: the page shows the original.
 */
static void
photo_thumb(struct req *r, json_t *photo, int64_t id, const char *sha)
{
	char path[1024];
	enum thumb_type type;
	struct stat sb;
	int w, h;

	if (strlen(sha) != 64 || r->cfg == NULL ||
	    thumb_path(path, sizeof(path), r->cfg->data_dir, sha,
	    THUMB_SMALL) == -1 ||
	    thumb_probe_file(path, &type, &w, &h) != THUMB_OK ||
	    type != THUMB_T_JPEG)
		return;
	json_object_set_new_nocheck(photo, "thumb", json_string(arena_printf(
	    r->arena, "/catalog/p/%" PRId64 "/t/%s/%d", id, sha,
	    THUMB_SMALL)));
	json_object_set_new_nocheck(photo, "tw", json_integer(w));
	json_object_set_new_nocheck(photo, "th", json_integer(h));
	if (thumb_path(path, sizeof(path), r->cfg->data_dir, sha,
	    THUMB_LARGE) == 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
		json_object_set_new_nocheck(photo, "href", json_string(
		    arena_printf(r->arena, "/catalog/p/%" PRId64 "/t/%s/%d",
		    id, sha, THUMB_LARGE)));
	else
		json_object_set_new_nocheck(photo, "href", json_string(
		    arena_printf(r->arena, "/catalog/p/%" PRId64 "/f/%s", id,
		    sha)));
}

/* 1 if a file of this type can be shown in an <img>. */
static int
image_type(const char *mime)
{
	const char *t = file_type(mime);

	return t != NULL && strncmp(t, "image/", 6) == 0;
}

static void
product_page(struct req *r)
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
	ctx = page_ctx(r, db_col_text(st, 3), cat_area(r));
	unit = arena_strdup(r->arena, db_col_text(st, 1));
	vat_bp = (int)db_col_int(st, 2);
	item = json_object();
	json_object_set_new_nocheck(item, "id", json_integer(id));
	json_object_set_new_nocheck(item, "code", json_string(db_col_text(st, 0)));
	json_object_set_new_nocheck(item, "unit",
	    json_string(cat_unit(&c, unit)));
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
	while (db_step(r->db, st) == SQLITE_ROW) {
		int photo = strcmp(db_col_text(st, 0), "photo") == 0 &&
		    image_type(db_col_text(st, 2));
		json_t *f = json_pack("{s:s, s:s, s:s, s:s}",
		    "name", db_col_text(st, 1), "mime", db_col_text(st, 2),
		    "size", i18n_number(r->arena,
		    (db_col_int(st, 3) + 1023) / 1024, 0),
		    "sha", db_col_text(st, 4));

		if (photo)
			photo_thumb(r, f, id, db_col_text(st, 4));
		json_array_append_new(photo ? photos : files, f);
	}
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
catalog_product(struct req *r)
{
	cat_snapshot(r, product_page, 0);
}

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

/* ---- GET /catalog/p/{id}/t/{sha256}/{size} ---- */

/*
 * A photo's thumbnail: the same rule as catalog_file() (the product is
 * visible in the user's language version and has this file), a size from
 * thumb_sizes, and the thumbnail on disk; else 404, never made here.
 * Inline (the JPEG is ours, not the ERP's), cached privately for a year:
 * the address names the content.
 */
void
catalog_thumb(struct req *r)
{
	static const char q[] =
	    "SELECT 1 FROM product_file f "
	    "JOIN product p ON p.id = f.product_id "
	    "WHERE f.product_id = ?1 AND f.sha256 = ?2 AND f.stored = 1 "
	    "AND p.deleted_at IS NULL AND p.active = 1 "
	    "AND EXISTS (SELECT 1 FROM product_visibility v "
	    "  WHERE v.product_id = p.id AND v.lang = ?3) "
	    "LIMIT 1";
	const char *sha = r->param[1];
	int size = r->iparam[2] > 0 && r->iparam[2] < 100000 ?
	    (int)r->iparam[2] : 0;
	char path[1024];
	struct stat sb;
	sqlite3_stmt *st;
	int found;

	if (strlen(sha) != 64 || !thumb_size_ok(size)) {
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
	found = db_step(r->db, st) == SQLITE_ROW;
	db_done(r->db, st);
	/* not made (yet, or the image did not decode): the page links the
	 * original instead; nginx would answer 404 too, but with its page */
	if (!found || thumb_path(path, sizeof(path), r->cfg->data_dir, sha,
	    size) == -1 || stat(path, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		page_error(r, 404, NULL);
		return;
	}
	resp_accel(r, arena_printf(r->arena, "/_accel/store/%.2s/%s.t%d.jpg",
	    sha, sha, size), NULL, "image/jpeg");
	resp_cache(r, "private, max-age=31536000, immutable");
}
