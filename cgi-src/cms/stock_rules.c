/*
 * stock_rules.c: what the catalogue shows of stock, per customer group
 * (C4), in the CMS, PERM_CMS_CONTENT (the permission that already guards
 * the catalogue's other setting, catalog_public, in news.c: how the
 * catalogue presents itself to customers is content, not accounts or ERP).
 *
 * The rules are meta rows that cgi-src/catalog/catalog.c reads
 * (cat_stock_rule()): key 'catalog.stock.GRP' for the price group GRP
 * (customer.grp), key 'catalog.stock.' for every group without a rule of
 * its own; value 'exact', 'hidden' or 'level:LOW' (LOW in thousandths of
 * the unit: "available", "low" below LOW, "none").  No row at all for the
 * default means level:10000 there; this page shows that as the level rule
 * with a threshold of 10, so what is selected is what customers get.
 *
 * One table, one form: a row for every group (the distinct customer.grp of
 * live customers, plus any group that still has a rule) with a select
 * (exact, level, hidden, or "inherit": delete the group's row), and the
 * "all groups" row (without "inherit").  The threshold is typed in units
 * with decimals in the user's language (2,5 in Polish and German, 2.5 in
 * English), at most three of them.  A bad threshold sends the form back
 * (422) with everything as typed and the problem named at its row; nothing
 * is saved.  Otherwise every changed row is written and audited
 * ("setting.catalog_stock", detail "KEY: OLD -> NEW") in one transaction.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../account/acct.h"
#include "../auth/auth.h"
#include "db.h"
#include "handlers.h"
#include "i18n.h"
#include "page.h"
#include "req.h"

#define SR_LOW_DEFAULT	10000		/* catalog.c: STOCK_LOW_DEFAULT */
#define SR_LOW_MAX	((int64_t)1000000000)	/* a million units */
#define SR_PREFIX	"catalog.stock."

/* One row of the table: a group ("" for all groups) and its rule. */
struct sr_row {
	const char	*grp;
	int64_t		 customers;
	const char	*old;		/* the meta value, NULL when none */
	const char	*rule;		/* exact, level, hidden, inherit */
	const char	*low;		/* the threshold as shown or typed */
	const char	*error;		/* translated, or NULL */
	const char	*value;		/* what to store, NULL: delete */
};

static const char *const sr_rules[] = { "exact", "level", "hidden",
    "inherit", NULL };

/* The decimal separator of the request's language, as i18n.c formats
 * numbers (the one table of those rules): the character after "0". */
static char
sr_decimal(struct req *r)
{
	const char *s = i18n_number(r->arena, 1, 1);	/* "0,1" or "0.1" */

	return s[0] != '\0' && s[1] != '\0' ? s[1] : ',';
}

/* Thousandths of a unit as units for the input box: no grouping, the
 * language's separator, no trailing zeros ("10", "2,5", "0,125"). */
static const char *
sr_fmt_low(struct req *r, int64_t milli)
{
	char frac[8];
	int n;

	if (milli % 1000 == 0)
		return arena_printf(r->arena, "%" PRId64, milli / 1000);
	n = snprintf(frac, sizeof(frac), "%03d", (int)(milli % 1000));
	while (n > 0 && frac[n - 1] == '0')
		frac[--n] = '\0';
	return arena_printf(r->arena, "%" PRId64 "%c%s", milli / 1000,
	    sr_decimal(r), frac);
}

/* Units typed with the language's separator into thousandths: digits,
 * then optionally the separator and one to three digits; at most
 * SR_LOW_MAX.  0 or -1. */
static int
sr_parse_low(struct req *r, const char *s, int64_t *out)
{
	char sep = sr_decimal(r);
	int64_t whole = 0, frac = 0;
	int nd = 0, nf = 0;

	for (; *s >= '0' && *s <= '9'; s++, nd++) {
		if (nd >= 7)
			return -1;
		whole = whole * 10 + (*s - '0');
	}
	if (nd == 0)
		return -1;
	if (*s == sep) {
		for (s++; *s >= '0' && *s <= '9'; s++, nf++) {
			if (nf >= 3)
				return -1;
			frac = frac * 10 + (*s - '0');
		}
		if (nf == 0)
			return -1;
		while (nf++ < 3)
			frac *= 10;
	}
	if (*s != '\0')
		return -1;
	*out = whole * 1000 + frac;
	return *out <= SR_LOW_MAX ? 0 : -1;
}

/* A stored value into rule and threshold, as catalog.c reads it (a value
 * it cannot read counts as the default there, so it does here). */
static void
sr_read_value(struct req *r, struct sr_row *row)
{
	const char *v = row->old;
	char *end;
	long long low;

	row->rule = "level";
	row->low = sr_fmt_low(r, SR_LOW_DEFAULT);
	if (v == NULL) {
		if (*row->grp != '\0')
			row->rule = "inherit";
	} else if (strcmp(v, "exact") == 0)
		row->rule = "exact";
	else if (strcmp(v, "hidden") == 0)
		row->rule = "hidden";
	else if (strncmp(v, "level:", 6) == 0 &&
	    (low = strtoll(v + 6, &end, 10), end != v + 6) && *end == '\0' &&
	    low >= 0)
		row->low = sr_fmt_low(r, (int64_t)low);
}

/* Every group and its stored rule, the default ("") first.  *rowsp is
 * arena memory.  0 or -1. */
static int
sr_load(struct req *r, struct sr_row **rowsp, size_t *np)
{
	static const char q[] =
	    "SELECT g.grp, sum(g.n), "
	    "(SELECT value FROM meta WHERE key = 'catalog.stock.' || g.grp) "
	    "FROM (SELECT '' AS grp, 0 AS n "
	    "UNION ALL SELECT grp, 1 FROM customer WHERE deleted_at IS NULL "
	    "UNION ALL SELECT substr(key, 15), 0 FROM meta "
	    "WHERE substr(key, 1, 14) = 'catalog.stock.') g "
	    "GROUP BY g.grp ORDER BY g.grp";
	struct sr_row *rows = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	while ((rc = db_step(r->db, st)) == SQLITE_ROW) {
		struct sr_row *row;

		if (n == cap) {
			struct sr_row *nr;

			cap = cap ? cap * 2 : 16;
			nr = arena_calloc(r->arena, cap, sizeof(*nr));
			if (n > 0)
				memcpy(nr, rows, n * sizeof(*nr));
			rows = nr;
		}
		row = &rows[n++];
		row->grp = arena_strdup(r->arena, db_col_text(st, 0));
		row->customers = db_col_int(st, 1);
		row->old = db_col_is_null(st, 2) ? NULL :
		    arena_strdup(r->arena, db_col_text(st, 2));
	}
	db_done(r->db, st);
	if (rc != SQLITE_DONE)
		return -1;
	*rowsp = rows;
	*np = n;
	return 0;
}

static json_t *
sr_options(struct req *r, const struct sr_row *row)
{
	static const char *const labels[] = {
		N_("dokładna ilość"),
		N_("dostępny / mało / brak"),
		N_("ukryte"),
		N_("jak dla wszystkich grup"),
	};
	json_t *a = json_array();

	(void)r;
	for (size_t i = 0; sr_rules[i] != NULL; i++) {
		if (strcmp(sr_rules[i], "inherit") == 0 && *row->grp == '\0')
			continue;	/* the default has nothing to inherit */
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}",
		    "v", sr_rules[i], "t", _(labels[i]),
		    "sel", strcmp(sr_rules[i], row->rule) == 0));
	}
	return a;
}

static void
sr_render(struct req *r, int status, const struct sr_row *rows, size_t n,
    int saved)
{
	json_t *ctx = page_ctx(r, _("Stany magazynowe w katalogu"), AREA_CMS);
	json_t *a = json_array(), *problems = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct sr_row *row = &rows[i];
		const char *label = *row->grp ? row->grp :
		    _("Wszystkie grupy (domyślnie)");
		json_t *o = json_pack("{s:s, s:s, s:I, s:b, s:o, s:s}",
		    "grp", row->grp, "label", label,
		    "customers", (json_int_t)row->customers,
		    "is_default", *row->grp == '\0',
		    "options", sr_options(r, row), "low", row->low);

		json_object_set_new(o, "i", json_integer((json_int_t)i));
		if (row->error != NULL) {
			json_object_set_new(o, "error",
			    json_string(row->error));
			json_array_append_new(problems, json_pack(
			    "{s:s, s:s, s:s}", "id", arena_printf(r->arena,
			    "sr-low-%zu", i), "label", label,
			    "error", row->error));
		}
		json_array_append_new(a, o);
	}
	json_object_set_new(ctx, "rows", a);
	if (json_array_size(problems) > 0)
		json_object_set_new(ctx, "problems", problems);
	else
		json_decref(problems);
	json_object_set_new(ctx, "saved", json_boolean(saved));
	page_render(r, status, "cms/stock_rules.html", ctx);
}

/* GET /cms/stock-rules (PERM_CMS_CONTENT) */
void
cms_stock_rules(struct req *r)
{
	struct sr_row *rows;
	size_t n;

	if (sr_load(r, &rows, &n) != 0) {
		page_error(r, 500, NULL);
		return;
	}
	for (size_t i = 0; i < n; i++)
		sr_read_value(r, &rows[i]);
	sr_render(r, 200, rows, n, req_query(r, "saved") != NULL);
}

/* POST /cms/stock-rules (PERM_CMS_CONTENT): fields rule_GRP (one of
 * sr_rules) and low_GRP (units) for each group, GRP "" for all groups.  A
 * group missing from the form (one that appeared since it was shown)
 * keeps its rule. */
void
cms_stock_rules_save(struct req *r)
{
	static const char q_set[] =
	    "INSERT INTO meta (key, value) VALUES (?, ?) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	static const char q_del[] = "DELETE FROM meta WHERE key = ?";
	struct sr_row *rows;
	sqlite3_stmt *st;
	size_t n, i;
	int bad = 0;

	if (sr_load(r, &rows, &n) != 0) {
		page_error(r, 500, NULL);
		return;
	}
	for (i = 0; i < n; i++) {
		struct sr_row *row = &rows[i];
		const char *rule, *low;
		int64_t milli;
		size_t k;

		sr_read_value(r, row);
		rule = req_form(r, arena_printf(r->arena, "rule_%s",
		    row->grp));
		low = req_form(r, arena_printf(r->arena, "low_%s", row->grp));
		if (rule == NULL) {
			row->value = row->old;		/* unchanged */
			continue;
		}
		for (k = 0; sr_rules[k] != NULL; k++)
			if (strcmp(rule, sr_rules[k]) == 0)
				break;
		if (sr_rules[k] == NULL || (*row->grp == '\0' &&
		    strcmp(rule, "inherit") == 0)) {
			page_error(r, 400, NULL);	/* not offered */
			return;
		}
		row->rule = sr_rules[k];
		if (low != NULL) {
			/* Kept as typed (cleaned) for the form sent back. */
			const char *c = acct_clean(r, low, 0, NULL);

			row->low = c != NULL ? c : "";
		}
		if (strcmp(rule, "exact") == 0)
			row->value = "exact";
		else if (strcmp(rule, "hidden") == 0)
			row->value = "hidden";
		else if (strcmp(rule, "inherit") == 0)
			row->value = NULL;
		else if (low == NULL || sr_parse_low(r, row->low, &milli) != 0) {
			row->error = _("Podaj próg w jednostkach, np. 10 lub "
			    "2,5 (najwyżej trzy cyfry po przecinku, "
			    "do 1000000).");
			bad++;
		} else
			row->value = arena_printf(r->arena, "level:%" PRId64,
			    milli);
	}
	if (bad > 0) {
		sr_render(r, 422, rows, n, 0);
		return;
	}
	if (acct_begin(r) != 0)
		return;
	for (i = 0; i < n; i++) {
		struct sr_row *row = &rows[i];
		const char *key = arena_printf(r->arena, SR_PREFIX "%s",
		    row->grp);

		if (row->old == NULL ? row->value == NULL :
		    row->value != NULL && strcmp(row->old, row->value) == 0)
			continue;
		if (row->value != NULL)
			st = db_prepare(r->db, q_set);
		else
			st = db_prepare(r->db, q_del);
		if (st == NULL)
			goto fail;
		db_bind_text(st, 1, key);
		if (row->value != NULL)
			db_bind_text(st, 2, row->value);
		if (db_step_done(r->db, st) != SQLITE_DONE ||
		    auth_audit(r->db, r, 0, "setting.catalog_stock", "setting",
		    0, 0, arena_printf(r->arena, "%s: %s -> %s", key,
		    row->old ? row->old : "-", row->value ? row->value : "-"))
		    != 0)
			goto fail;
	}
	acct_commit_and_go(r, "/cms/stock-rules?saved=1");
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}
