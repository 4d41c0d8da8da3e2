/*
 * search.c: full-text search over the catalogue (C5).
 *
 * FTS5 over catalog_fts (db/0005_catalog.sql) in the user's language;
 * each word of the query becomes a quoted term (so the query's own
 * punctuation is never FTS syntax), with ł folded to l as in the index.
 * At most CATALOG_SEARCH_MAX hits, in this order:
 *  1. a product whose code equals the query (case-insensitive for ASCII),
 *     found through the product_code index (not through FTS);
 *  2. products whose name has the words as whole words;
 *  3. products whose name has words starting so (okn finds Okno);
 *  4. products that have them anywhere (code, description), as prefixes;
 * each tier in catalogue order (the FTS rowid, the order the texts were
 * synced), a product only once, and the page says when there are more,
 * so the user narrows the query.
 *
 * Why tiers, not bm25: bm25 is computed for every match before the LIMIT
 * (with a look-up of each document's size), 16,000 instructions a match,
 * so a word in 500 texts cost 12 M a search; a tier is a walk of one
 * doclist in rowid order that stops at the LIMIT.  And a prefix term
 * makes FTS5 merge the doclists of every word it starts, whole, before the
 * first row (12,000 documents for "parapet"*: 6 M instructions), so the
 * whole words come first and the prefixes are only walked when the whole
 * words leave room on the page.  The order is also easy to explain to a
 * dealer: the name before the description, the word before its
 * beginnings.
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

/* ---- GET /catalog/search?q= ---- */

/* The FTS5 query for the user's words: each word a quoted term, a prefix
 * ("word"*) when prefix, " doubled, ł/Ł folded to l/L as in the index.
 * NULL if no word. */
static const char *
fts_query(struct arena *a, const char *q, int prefix)
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
		buf_puts(&b, prefix ? "\"*" : "\"");
	}
	out = words > 0 ? arena_strdup(a, buf_cstr(&b)) : NULL;
	buf_free(&b);
	return out;
}

/* The search's statements, cached (qcache.h): the hits depend only on
 * the query and the language, and the base price (PRICE_BASE_SQL) on the
 * customer's group ?5 and currency ?6 (NULL: no prices), with the
 * stock; the individual price is asked live (cat_items_extras()).  The name from
 * catalog_name and the language from its row (not product_text and the
 * FTS row's own lang column): every match is joined before the LIMIT,
 * and those two would read each match's whole text, description
 * included.  ?1 the FTS query, ?2 the language, ?3 the query as a code,
 * ?4 the limit.  Columns as struct cat_item wants them. */
#define SEARCH_FROM_WHERE \
    "SELECT n.product_id, p.code, n.name, p.unit, p.vat_bp, " \
    PRICE_BASE_SQL("n.product_id", "?5", "?6", "?2") ", " \
    CAT_STOCK_SQL("n.product_id") \
    "FROM catalog_fts f JOIN catalog_name n ON n.id = f.rowid " \
    "JOIN product p ON p.id = n.product_id " \
    "WHERE catalog_fts MATCH ?1 AND n.lang = ?2 AND p.code <> ?3 " \
    "AND p.deleted_at IS NULL AND p.active = 1 " \
    "AND EXISTS (SELECT 1 FROM product_visibility v " \
    "  WHERE v.product_id = n.product_id AND v.lang = ?2) "
/* Catalogue order: FTS5 walks the doclist by rowid and stops at the
 * LIMIT, no bm25 computed. */
static const char q_search_rowid[] =
    SEARCH_FROM_WHERE "ORDER BY f.rowid LIMIT ?4";
/* The exact code, by the product_code index. */
static const char q_search_code[] =
    "SELECT p.id, p.code, n.name, p.unit, p.vat_bp, "
    PRICE_BASE_SQL("p.id", "?5", "?6", "?2") ", " CAT_STOCK_SQL("p.id")
    "FROM product p "
    "JOIN catalog_name n ON n.product_id = p.id AND n.lang = ?2 "
    "WHERE p.code = ?3 AND p.deleted_at IS NULL AND p.active = 1 "
    "AND EXISTS (SELECT 1 FROM product_visibility v "
    "  WHERE v.product_id = p.id AND v.lang = ?2) "
    "ORDER BY p.id LIMIT ?4";

enum search_q { SQ_CODE, SQ_ROWID };
static const char *const search_sql[] = {
	[SQ_CODE] = q_search_code,
	[SQ_ROWID] = q_search_rowid,
};

/* The page being gathered: its items, and their JSON rows. */
struct hits {
	struct cat_item	 it[CATALOG_SEARCH_MAX];
	size_t		 n;
	json_t		*rows;
};

/* Runs one of search_sql (bound ?1 fq, ?2 lang, ?3 code, ?4 limit: enough
 * for a page beyond what h holds, the earlier tiers' rows may come again,
 * ?5 ?6 the base price's group and currency) and appends the products not
 * in h yet while it holds fewer than CATALOG_SEARCH_MAX.  1 if there was
 * one more, 0 if not, -1 on an error. */
static int
search_rows(struct req *r, enum search_q which, const char *fq,
    const char *code, const char *grp, const char *cur, struct hits *h)
{
	const struct qc_rows *q;
	json_t *row;
	int64_t id;
	size_t i, j;

	if ((q = QCACHE_ROWS(r->db, search_sql[which], QC_S(fq),
	    QC_S(r->lang), QC_S(code),
	    QC_I((int64_t)(h->n + CATALOG_SEARCH_MAX + 1)),
	    QC_S(grp), QC_S(cur))) == NULL)
		return -1;
	for (i = 0; i < q->n; i++) {
		id = qc_int(q, i, 0);
		for (j = 0; j < h->n && h->it[j].id != id; j++)
			;
		if (j < h->n)
			continue;	/* an earlier tier's */
		if (h->n >= CATALOG_SEARCH_MAX)
			return 1;
		row = json_object();
		json_object_set_new_nocheck(row, "id", json_integer(id));
		json_object_set_new_nocheck(row, "code",
		    json_string(qc_text(q, i, 1)));
		json_object_set_new_nocheck(row, "name",
		    json_string(qc_text(q, i, 2)));
		json_array_append_new(h->rows, row);
		cat_item_set(&h->it[h->n++], q, i, row);
	}
	return 0;
}

static void
search_page(struct req *r)
{
	const char *q = req_query(r, "q"), *fq, *grp, *cur;
	json_t *ctx = page_ctx(r, _("Szukaj w katalogu"), cat_area(r));
	const char *tier[4];
	struct hits *h;
	struct cat c;
	char *code;
	size_t i;
	int more, t;

	if (q != NULL && strlen(q) > CATALOG_QUERY_MAX) {
		page_error(r, 400, _("Zapytanie jest za długie."));
		return;
	}
	json_object_set_new(ctx, "q", json_string(q != NULL ? q : ""));
	if (q == NULL || (fq = fts_query(r->arena, q, 0)) == NULL) {
		json_object_set_new(ctx, "rows", json_array());
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
	cat_base_params(&c, &grp, &cur);
	h = arena_calloc(r->arena, 1, sizeof(*h));
	h->rows = json_array();
	/* The tiers (above), each while the page has room. */
	tier[0] = fq;
	tier[1] = arena_printf(r->arena, "{name} : (%s)", fq);
	tier[3] = fts_query(r->arena, q, 1);
	tier[2] = arena_printf(r->arena, "{name} : (%s)", tier[3]);
	if ((more = search_rows(r, SQ_CODE, tier[0], code, grp, cur, h)) ==
	    -1)
		goto fail;
	for (t = 1; t < 4 && !more && h->n < CATALOG_SEARCH_MAX; t++)
		if ((more = search_rows(r, SQ_ROWID, tier[t], code, grp, cur,
		    h)) == -1)
			goto fail;
	/* A full page before the last tier: there may be more. */
	if (more || (t < 4 && h->n >= CATALOG_SEARCH_MAX))
		json_object_set_new(ctx, "more", json_true());
	if (cat_items_extras(&c, h->it, h->n) == -1)
		goto fail;
	json_object_set_new(ctx, "rows", h->rows);
	json_object_set_new(ctx, "searched", json_true());
	json_object_set_new(ctx, "prices", json_boolean(c.prices));
	json_object_set_new(ctx, "stock_shown",
	    json_boolean(c.stock != STOCK_HIDDEN));
	page_render(r, 200, "catalog/search.html", ctx);
	return;
fail:
	page_error(r, 500, NULL);
}

void
catalog_search(struct req *r)
{
	cat_snapshot(r, search_page, 1);
}
