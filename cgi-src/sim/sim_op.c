/*
 * sim_op.c: the operator CLI (`oknoerp-sim op`) and the fault knobs
 * (`oknoerp-sim fault`).
 *
 * Each operator verb changes the store the way an ERP operator would and
 * registers the change (sim_change) in the same BEGIN IMMEDIATE
 * transaction, so a running server and the portal see the change and its
 * queue entry together or not at all.  Records are named by code, number
 * or uuid (products by code or uuid; customers by code or uuid; orders by
 * number, external reference or uuid).  A verb prints what it changed, one
 * "key value" per line, for scripts.
 *
 * Fault knobs are rows of the `faults` table, read by the server on every
 * request (sim_http.c describes what each kind does).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct args {
	int	 argc;
	char	**argv;
};

/* Value of --name, or NULL. */
static const char *
opt(const struct args *a, const char *name)
{
	for (int i = 0; i + 1 < a->argc; i++)
		if (strcmp(a->argv[i], name) == 0)
			return a->argv[i + 1];
	return NULL;
}

static int
flag(const struct args *a, const char *name)
{
	for (int i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], name) == 0)
			return 1;
	return 0;
}

static const char *
need(const struct args *a, const char *name)
{
	const char *v = opt(a, name);

	if (v == NULL) {
		fprintf(stderr, "oknoerp-sim: %s is required\n", name);
		exit(2);
	}
	return v;
}

static int64_t
need_int(const struct args *a, const char *name)
{
	const char *v = need(a, name);
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || end == v) {
		fprintf(stderr, "oknoerp-sim: %s wants an integer\n", name);
		exit(2);
	}
	return n;
}

/* uuid of the row of table whose uuid or key column equals v; 0 or -1. */
static int
resolve(struct sdb *db, const char *sql, const char *v, char out[37])
{
	sqlite3_stmt *st = sdb_stmt(db, sql);
	int ok = 0;

	sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out, 37, "%s", sqlite3_column_text(st, 0));
		ok = 1;
	}
	sdb_done(st);
	if (!ok)
		fprintf(stderr, "oknoerp-sim: not found: %s\n", v);
	return ok ? 0 : -1;
}

static const char sql_product[] =
    "SELECT uuid FROM product WHERE uuid = ?1 OR code = ?1";
static const char sql_customer[] =
    "SELECT uuid FROM customer WHERE uuid = ?1 OR code = ?1";
static const char sql_order[] = "SELECT uuid FROM orders WHERE uuid = ?1"
    " OR number = ?1 OR external_ref = ?1";
static const char sql_warehouse[] =
    "SELECT uuid FROM warehouse WHERE uuid = ?1 OR code = ?1";
static const char sql_category[] =
    "SELECT uuid FROM category WHERE uuid = ?1 OR code = ?1";

static int
exec1(struct sdb *db, const char *sql, const char *t1, const char *t2,
    int64_t i3)
{
	sqlite3_stmt *st = sdb_stmt(db, sql);
	int rc;

	if (st == NULL)
		return -1;
	if (t1)
		sqlite3_bind_text(st, 1, t1, -1, SQLITE_STATIC);
	if (t2)
		sqlite3_bind_text(st, 2, t2, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, i3);
	rc = sqlite3_step(st);
	sdb_done(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "oknoerp-sim: %s\n", sqlite3_errmsg(db->h));
		return -1;
	}
	return 0;
}

static int
v_set_price(struct sdb *db, const struct args *a, int64_t now)
{
	static const char sql[] = "INSERT INTO price(uuid, kind, product,"
	    " currency, amount, grp, customer, langver)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	    " ON CONFLICT(product, kind, currency, grp, customer, langver)"
	    " DO UPDATE SET amount = excluded.amount RETURNING uuid";
	const char *kind = opt(a, "--kind"), *grp = opt(a, "--group");
	const char *cust = opt(a, "--customer"), *lv = opt(a, "--langver");
	char prod[37], cu[37] = "", nu[37], uuid[37];
	int64_t amount = need_int(a, "--amount");
	sqlite3_stmt *st;

	if (kind == NULL)
		kind = cust ? "customer" : grp ? "group" : "catalogue";
	if (resolve(db, sql_product, need(a, "--product"), prod))
		return -1;
	if (cust && resolve(db, sql_customer, cust, cu))
		return -1;
	if ((strcmp(kind, "group") == 0) != (grp != NULL) ||
	    (strcmp(kind, "customer") == 0) != (cust != NULL)) {
		fprintf(stderr, "oknoerp-sim: --group goes with kind group,"
		    " --customer with kind customer\n");
		return -1;
	}
	sim_uuid_random(nu);
	st = sdb_stmt(db, sql);
	sqlite3_bind_text(st, 1, nu, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, prod, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, opt(a, "--currency") ? opt(a, "--currency") :
	    "PLN", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, amount);
	sqlite3_bind_text(st, 6, grp ? grp : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, cu, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, lv ? lv : "", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		fprintf(stderr, "oknoerp-sim: %s\n", sqlite3_errmsg(db->h));
		sdb_done(st);
		return -1;
	}
	snprintf(uuid, sizeof(uuid), "%s", sqlite3_column_text(st, 0));
	sdb_done(st);
	printf("price %s\n", uuid);
	return sim_change(db, "price", uuid, now);
}

static int
v_bulk_price(struct sdb *db, const struct args *a, int64_t now)
{
	static const char sql_sel[] = "SELECT uuid FROM price"
	    " WHERE kind = 'catalogue' AND currency = 'PLN' ORDER BY uuid"
	    " LIMIT ?1";
	static const char sql_upd[] = "UPDATE price SET amount ="
	    " (amount * (100 + ?3) + 50) / 100 WHERE uuid = ?1";
	int64_t n = need_int(a, "--count"), pct = 5;
	char **uu;
	int64_t k = 0;
	sqlite3_stmt *st;

	if (opt(a, "--percent"))
		pct = need_int(a, "--percent");
	uu = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*uu));
	st = sdb_stmt(db, sql_sel);
	sqlite3_bind_int64(st, 1, n);
	while (k < n && sqlite3_step(st) == SQLITE_ROW)
		uu[k++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	sdb_done(st);
	for (int64_t i = 0; i < k; i++) {
		if (exec1(db, sql_upd, uu[i], NULL, pct) ||
		    sim_change(db, "price", uu[i], now))
			return -1;
		free(uu[i]);
	}
	free(uu);
	printf("prices %lld\n", (long long)k);
	return 0;
}

static int
v_set_rate(struct sdb *db, const struct args *a, int64_t now)
{
	static const char sql[] = "UPDATE currency SET rate = ?3, rate_date = ?2"
	    " WHERE code = ?1 RETURNING uuid";
	const char *cur = need(a, "--currency"), *d = opt(a, "--date");
	int64_t rate, t = now;
	sqlite3_stmt *st;
	char uuid[37];
	int ok;

	if (sim_parse_fixed(need(a, "--rate"), 6, &rate) != 0 || rate <= 0) {
		fprintf(stderr, "oknoerp-sim: --rate wants a decimal with at"
		    " most 6 places, e.g. 4.2713\n");
		return -1;
	}
	if (d && sim_parse_date1c(d, &t) != 0) {
		fprintf(stderr, "oknoerp-sim: --date wants DD.MM.YYYY hh:mm:ss\n");
		return -1;
	}
	st = sdb_stmt(db, sql);
	sqlite3_bind_text(st, 1, cur, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, t);
	sqlite3_bind_int64(st, 3, rate);
	ok = sqlite3_step(st) == SQLITE_ROW;
	if (ok)
		snprintf(uuid, sizeof(uuid), "%s", sqlite3_column_text(st, 0));
	sdb_done(st);
	if (!ok) {
		fprintf(stderr, "oknoerp-sim: unknown currency %s\n", cur);
		return -1;
	}
	printf("currency %s\nrate %lld\n", uuid, (long long)rate);
	return sim_change(db, "currency", uuid, now);
}

static int
v_block(struct sdb *db, const struct args *a, int64_t now, int block)
{
	static const char sql[] = "UPDATE customer SET blocked = ?3,"
	    " block_reason = ?2 WHERE uuid = ?1";
	char cu[37];

	if (resolve(db, sql_customer, need(a, "--customer"), cu))
		return -1;
	if (exec1(db, sql, cu, block ? need(a, "--reason") : "", block))
		return -1;
	printf("customer %s\n", cu);
	return sim_change(db, "customer", cu, now);
}

static int
v_credit(struct sdb *db, const struct args *a, int64_t now)
{
	static const char sql[] = "UPDATE customer SET credit_limit = ?3"
	    " WHERE uuid = ?1";
	char cu[37];

	if (resolve(db, sql_customer, need(a, "--customer"), cu) ||
	    exec1(db, sql, cu, NULL, need_int(a, "--amount")))
		return -1;
	printf("customer %s\n", cu);
	return sim_change(db, "customer", cu, now);
}

static int
v_set_stock(struct sdb *db, const struct args *a, int64_t now)
{
	static const char sql[] = "INSERT INTO stock(uuid, warehouse, product,"
	    " quantity) VALUES(?4, ?1, ?2, ?3) ON CONFLICT(product, warehouse)"
	    " DO UPDATE SET quantity = excluded.quantity RETURNING uuid";
	char wh[37], pr[37], nu[37], uuid[37];
	sqlite3_stmt *st;
	int ok;

	if (resolve(db, sql_warehouse, need(a, "--warehouse"), wh) ||
	    resolve(db, sql_product, need(a, "--product"), pr))
		return -1;
	sim_uuid_random(nu);
	st = sdb_stmt(db, sql);
	sqlite3_bind_text(st, 1, wh, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, need_int(a, "--quantity"));
	sqlite3_bind_text(st, 4, nu, -1, SQLITE_STATIC);
	ok = sqlite3_step(st) == SQLITE_ROW;
	if (ok)
		snprintf(uuid, sizeof(uuid), "%s", sqlite3_column_text(st, 0));
	sdb_done(st);
	if (!ok)
		return -1;
	printf("stock %s\n", uuid);
	return sim_change(db, "stock", uuid, now);
}

static int
v_set_status(struct sdb *db, const struct args *a, int64_t now)
{
	static const char sql[] = "UPDATE orders SET status = ?2,"
	    " status_changed = ?3 WHERE uuid = ?1";
	static const char *const ok[] = { "new", "accepted", "in_production",
	    "ready", "released", "shipped", "invoiced", "cancelled" };
	const char *s = need(a, "--status");
	char ou[37];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(ok[i], s) == 0)
			break;
	if (i == sizeof(ok) / sizeof(ok[0])) {
		fprintf(stderr, "oknoerp-sim: unknown status %s\n", s);
		return -1;
	}
	if (resolve(db, sql_order, need(a, "--order"), ou) ||
	    exec1(db, sql, ou, s, now))
		return -1;
	printf("order %s\n", ou);
	return sim_change(db, "order", ou, now);
}

static int
v_correct(struct sdb *db, const struct args *a, int64_t now)
{
	static const char sql_q[] = "UPDATE order_line SET quantity = ?3"
	    " WHERE order_uuid = ?1 AND line_no = CAST(?2 AS INTEGER)";
	static const char sql_u[] = "UPDATE order_line SET unit_net = ?3"
	    " WHERE order_uuid = ?1 AND line_no = CAST(?2 AS INTEGER)";
	static const char sql_o[] = "UPDATE orders SET revision = revision + 1,"
	    " correction_note = ?2, status_changed = ?3 WHERE uuid = ?1";
	const char *line = need(a, "--line"), *note = opt(a, "--note");
	char ou[37];

	if (resolve(db, sql_order, need(a, "--order"), ou))
		return -1;
	if (!opt(a, "--quantity") && !opt(a, "--unit-net")) {
		fprintf(stderr, "oknoerp-sim: --quantity and/or --unit-net\n");
		return -1;
	}
	if (opt(a, "--quantity") && (exec1(db, sql_q, ou, line,
	    need_int(a, "--quantity")) || sqlite3_changes(db->h) != 1))
		goto noline;
	if (opt(a, "--unit-net") && (exec1(db, sql_u, ou, line,
	    need_int(a, "--unit-net")) || sqlite3_changes(db->h) != 1))
		goto noline;
	if (exec1(db, sql_o, ou, note ? note : "Korekta operatora", now))
		return -1;
	printf("order %s\n", ou);
	return sim_change(db, "order", ou, now);
noline:
	fprintf(stderr, "oknoerp-sim: no line %s in that order\n", line);
	return -1;
}

static int
v_release(struct sdb *db, const struct args *a, int64_t now)
{
	static const char sql[] = "UPDATE orders SET status = 'released',"
	    " wz_number = ?2, wz_date = ?3, status_changed = ?3 WHERE uuid = ?1";
	char ou[37], wz[40];
	const char *w = opt(a, "--wz");

	if (resolve(db, sql_order, need(a, "--order"), ou))
		return -1;
	if (w == NULL) {
		struct tm tm;
		time_t tt = (time_t)now;

		localtime_r(&tt, &tm);
		snprintf(wz, sizeof(wz), "WZ/%04d/%06lld", tm.tm_year + 1900,
		    (long long)sim_counter_next(db, "wz_no"));
		w = wz;
	}
	if (exec1(db, sql, ou, w, now))
		return -1;
	printf("order %s\nwz %s\n", ou, w);
	return sim_change(db, "order", ou, now);
}

static int
v_ship(struct sdb *db, const struct args *a, int64_t now)
{
	static const char sql_c[] = "UPDATE orders SET carrier = ?2 WHERE uuid = ?1";
	static const char sql[] = "UPDATE orders SET status = 'shipped',"
	    " waybill = ?2, shipped = ?3, status_changed = ?3 WHERE uuid = ?1";
	char ou[37];

	if (resolve(db, sql_order, need(a, "--order"), ou) ||
	    exec1(db, sql_c, ou, need(a, "--carrier"), 0) ||
	    exec1(db, sql, ou, need(a, "--waybill"), now))
		return -1;
	printf("order %s\n", ou);
	return sim_change(db, "order", ou, now);
}

static int
v_invoice(struct sdb *db, const struct args *a, int64_t now)
{
	static const char sql[] = "SELECT number, ksef FROM invoice WHERE uuid = ?1";
	char ou[37], iu[37];
	uint64_t rnd;
	sqlite3_stmt *st;

	if (resolve(db, sql_order, need(a, "--order"), ou))
		return -1;
	sim_uuid_random(iu);
	memcpy(&rnd, iu, sizeof(rnd));	/* hex text bytes: random enough */
	rnd ^= (uint64_t)now * 0x9e3779b97f4a7c15ULL;
	if (sim_invoice_create(db, ou, iu, now, rnd, flag(a, "--paid")) != 0)
		return -1;
	st = sdb_stmt(db, sql);
	sqlite3_bind_text(st, 1, iu, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		printf("invoice %s\nnumber %s\nksef %s\n", iu,
		    sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
	sdb_done(st);
	return 0;
}

/* The product into another category (the catalogue reorganised). */
static int
v_move_product(struct sdb *db, const struct args *a, int64_t now)
{
	static const char sql[] =
	    "UPDATE product SET category = ?2 WHERE uuid = ?1";
	char pu[37], cu[37];

	if (resolve(db, sql_product, need(a, "--product"), pu) ||
	    resolve(db, sql_category, need(a, "--category"), cu) ||
	    exec1(db, sql, pu, cu, 0))
		return -1;
	printf("product %s\ncategory %s\n", pu, cu);
	return sim_change(db, "product", pu, now);
}

static int
v_delete_product(struct sdb *db, const struct args *a, int64_t now)
{
	static const char sel_price[] = "SELECT uuid FROM price WHERE product = ?1";
	static const char sel_stock[] = "SELECT uuid FROM stock WHERE product = ?1";
	static const char *const dels[] = {
		"DELETE FROM price WHERE product = ?1",
		"DELETE FROM stock WHERE product = ?1",
		"DELETE FROM file WHERE product = ?1",
		"DELETE FROM product_attr WHERE product = ?1",
		"DELETE FROM product_rel WHERE product = ?1 OR other = ?1",
		"DELETE FROM product WHERE uuid = ?1",
	};
	const char *sels[2] = { sel_price, sel_stock };
	const char *ents[2] = { "price", "stock" };
	char pu[37];
	long n[2] = { 0, 0 };

	if (resolve(db, sql_product, need(a, "--product"), pu))
		return -1;
	for (int k = 0; k < 2; k++) {
		sqlite3_stmt *st = sdb_stmt(db, sels[k]);
		char **uu = NULL;
		long cap = 0;

		sqlite3_bind_text(st, 1, pu, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (n[k] == cap) {
				cap = cap ? cap * 2 : 64;
				uu = xrealloc(uu, (size_t)cap * sizeof(*uu));
			}
			uu[n[k]++] = xstrdup((const char *)
			    sqlite3_column_text(st, 0));
		}
		sdb_done(st);
		for (long i = 0; i < n[k]; i++) {
			if (sim_change(db, ents[k], uu[i], now))
				return -1;
			free(uu[i]);
		}
		free(uu);
	}
	/* products whose relations pointed here change too */
	{
		static const char sel_rel[] = "SELECT DISTINCT product FROM"
		    " product_rel WHERE other = ?1 AND product <> ?1";
		sqlite3_stmt *st = sdb_stmt(db, sel_rel);
		char **uu = NULL;
		long cnt = 0, cap = 0;

		sqlite3_bind_text(st, 1, pu, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (cnt == cap) {
				cap = cap ? cap * 2 : 16;
				uu = xrealloc(uu, (size_t)cap * sizeof(*uu));
			}
			uu[cnt++] = xstrdup((const char *)
			    sqlite3_column_text(st, 0));
		}
		sdb_done(st);
		for (long i = 0; i < cnt; i++) {
			if (sim_change(db, "product", uu[i], now))
				return -1;
			free(uu[i]);
		}
		free(uu);
	}
	for (size_t i = 0; i < sizeof(dels) / sizeof(dels[0]); i++)
		if (exec1(db, dels[i], pu, NULL, 0))
			return -1;
	printf("product %s\nprices %ld\nstock %ld\n", pu, n[0], n[1]);
	return sim_change(db, "product", pu, now);
}

struct verb {
	const char	*name;
	int		(*fn)(struct sdb *, const struct args *, int64_t);
	const char	*help;
};

static int v_blk(struct sdb *d, const struct args *a, int64_t t) { return v_block(d, a, t, 1); }
static int v_unblk(struct sdb *d, const struct args *a, int64_t t) { return v_block(d, a, t, 0); }

static const struct verb verbs[] = {
	{ "set-price", v_set_price, "--product P --amount MINOR [--currency C]"
	    " [--kind K] [--group G | --customer C] [--langver L]" },
	{ "bulk-price", v_bulk_price, "--count N [--percent P]   (N catalogue"
	    " PLN prices +P %)" },
	{ "set-rate", v_set_rate, "--currency C --rate 4.2713 [--date D]" },
	{ "block", v_blk, "--customer C --reason TEXT" },
	{ "unblock", v_unblk, "--customer C" },
	{ "set-credit-limit", v_credit, "--customer C --amount MINOR" },
	{ "set-stock", v_set_stock, "--warehouse W --product P --quantity MILLI" },
	{ "set-status", v_set_status, "--order O --status S" },
	{ "correct-order-line", v_correct, "--order O --line N [--quantity MILLI]"
	    " [--unit-net MINOR] [--note TEXT]" },
	{ "release", v_release, "--order O [--wz NUMBER]" },
	{ "ship", v_ship, "--order O --carrier NAME --waybill NUMBER" },
	{ "invoice", v_invoice, "--order O [--paid]" },
	{ "move-product", v_move_product, "--product P --category C" },
	{ "delete-product", v_delete_product, "--product P" },
};

int
sim_op(const char *path, int argc, char **argv)
{
	const struct verb *v = NULL;
	struct args a;
	struct sdb *db;
	int rc;

	if (argc >= 1)
		for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
			if (strcmp(verbs[i].name, argv[0]) == 0)
				v = &verbs[i];
	if (v == NULL) {
		fprintf(stderr, "usage: oknoerp-sim op --db FILE VERB ...\n");
		for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
			fprintf(stderr, "  %-20s %s\n", verbs[i].name,
			    verbs[i].help);
		return 2;
	}
	a.argc = argc - 1;
	a.argv = argv + 1;
	if ((db = sdb_open(path, 0)) == NULL)
		return 1;
	if (sdb_begin_write(db) != SQLITE_OK) {
		sdb_close(db);
		return 1;
	}
	rc = v->fn(db, &a, sim_now());
	if (rc == 0 && sdb_commit(db) != SQLITE_OK)
		rc = -1;
	if (rc != 0)
		sdb_rollback(db);
	sdb_close(db);
	return rc == 0 ? 0 : 1;
}

int
sim_fault(const char *path, int argc, char **argv)
{
	static const char *const kinds[] = { "latency", "http5xx", "drop",
	    "malformed", "truncated", "soapfault" };
	static const char sql_ins[] = "INSERT INTO faults(kind, op, rate_ppm,"
	    " count_left, param, code) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
	    " RETURNING id";
	static const char sql_list[] = "SELECT id, kind, op, rate_ppm,"
	    " count_left, param, code, fired FROM faults ORDER BY id";
	struct args a;
	struct sdb *db;
	const char *kind = argc >= 1 ? argv[0] : "";
	int rc = 0;
	size_t i;

	a.argc = argc - 1;
	a.argv = argv + 1;
	if ((db = sdb_open(path, 0)) == NULL)
		return 1;
	if (strcmp(kind, "list") == 0) {
		sqlite3_stmt *st = sdb_stmt(db, sql_list);

		printf("id kind op rate count_left param code fired\n");
		while (sqlite3_step(st) == SQLITE_ROW)
			printf("%lld %s %s %.6f %lld %lld %s %lld\n",
			    (long long)sqlite3_column_int64(st, 0),
			    sqlite3_column_text(st, 1),
			    *sqlite3_column_text(st, 2) ?
			    (const char *)sqlite3_column_text(st, 2) : "*",
			    (double)sqlite3_column_int64(st, 3) / 1e6,
			    (long long)sqlite3_column_int64(st, 4),
			    (long long)sqlite3_column_int64(st, 5),
			    *sqlite3_column_text(st, 6) ?
			    (const char *)sqlite3_column_text(st, 6) : "-",
			    (long long)sqlite3_column_int64(st, 7));
		sdb_done(st);
		goto out;
	}
	if (strcmp(kind, "clear") == 0) {
		rc = sdb_exec(db, "DELETE FROM faults");
		goto out;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i], kind) == 0)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0])) {
		fprintf(stderr, "usage: oknoerp-sim fault --db FILE KIND"
		    " [--rate P] [--count N] [--op OPERATION]\n"
		    "         [--ms N] [--status N] [--code CODE]\n"
		    "       oknoerp-sim fault --db FILE list|clear\n"
		    "KIND: latency (--ms), http5xx (--status, 503), drop,"
		    " malformed, truncated,\n"
		    "      soapfault (--code AUTH|NOT_FOUND|VALIDATION|BUSY|"
		    "INTERNAL)\n");
		rc = 2;
		goto out;
	}
	{
		int64_t ppm = 1000000, count = -1, param = 0;
		const char *code = "";
		sqlite3_stmt *st;

		if (opt(&a, "--rate") && (sim_parse_fixed(opt(&a, "--rate"), 6,
		    &ppm) != 0 || ppm < 0 || ppm > 1000000)) {
			fprintf(stderr, "oknoerp-sim: --rate wants 0..1\n");
			rc = 2;
			goto out;
		}
		if (opt(&a, "--count"))
			count = need_int(&a, "--count");
		if (strcmp(kind, "latency") == 0)
			param = opt(&a, "--ms") ? need_int(&a, "--ms") : 1000;
		if (strcmp(kind, "http5xx") == 0)
			param = opt(&a, "--status") ? need_int(&a, "--status") :
			    503;
		if (strcmp(kind, "soapfault") == 0) {
			code = opt(&a, "--code") ? opt(&a, "--code") : "INTERNAL";
			if (fault_from_name(code) < 0) {
				fprintf(stderr, "oknoerp-sim: unknown code %s\n",
				    code);
				rc = 2;
				goto out;
			}
		}
		st = sdb_stmt(db, sql_ins);
		sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, opt(&a, "--op") ? opt(&a, "--op") : "",
		    -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, ppm);
		sqlite3_bind_int64(st, 4, count);
		sqlite3_bind_int64(st, 5, param);
		sqlite3_bind_text(st, 6, code, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			printf("fault %lld\n", (long long)sqlite3_column_int64(st, 0));
		else
			rc = 1;
		sdb_done(st);
	}
out:
	sdb_close(db);
	return rc;
}
