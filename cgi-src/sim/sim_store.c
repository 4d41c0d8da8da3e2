/*
 * sim_store.c: the simulator's SQLite store and small shared helpers.
 *
 * The schema mirrors what the contract serves: one table per entity keyed
 * by uuid (text, so that ORDER BY uuid is the contract's keyset order),
 * child tables for repeated elements, `changes` for the change queues and
 * `counts` for the list totals (kept by triggers, so that a page of a
 * million-row list does not count the table).  Dates are Unix seconds,
 * 0 = empty.  Per-language texts are columns _pl/_en/_de.
 *
 * Change queue: one row per (entity, uuid); registering a change deletes
 * the old row and inserts a new one, so the entry gets a fresh seq from
 * AUTOINCREMENT (never reused) and a queue never holds a uuid twice.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>


#include "sim.h"

static const char sim_schema[] =
"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS category(uuid TEXT PRIMARY KEY, parent TEXT NOT NULL DEFAULT '',"
" code TEXT NOT NULL, sort INTEGER NOT NULL DEFAULT 0, active INTEGER NOT NULL DEFAULT 1,"
" name_pl TEXT NOT NULL, name_en TEXT NOT NULL, name_de TEXT NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS product(uuid TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE,"
" category TEXT NOT NULL, unit TEXT NOT NULL, vat INTEGER NOT NULL,"
" name_pl TEXT NOT NULL, name_en TEXT NOT NULL, name_de TEXT NOT NULL,"
" desc_pl TEXT NOT NULL, desc_en TEXT NOT NULL, desc_de TEXT NOT NULL,"
" vis INTEGER NOT NULL DEFAULT 7, default_warehouse TEXT NOT NULL DEFAULT '',"
" ruleset_code TEXT NOT NULL DEFAULT '', active INTEGER NOT NULL DEFAULT 1);\n"
"CREATE TABLE IF NOT EXISTS product_attr(product TEXT NOT NULL, pos INTEGER NOT NULL,"
" code TEXT NOT NULL, name_pl TEXT, name_en TEXT, name_de TEXT,"
" value_pl TEXT, value_en TEXT, value_de TEXT, PRIMARY KEY(product, pos)) WITHOUT ROWID;\n"
"CREATE TABLE IF NOT EXISTS product_rel(product TEXT NOT NULL, kind INTEGER NOT NULL,"
" pos INTEGER NOT NULL, other TEXT NOT NULL, PRIMARY KEY(product, kind, pos)) WITHOUT ROWID;\n"
"CREATE TABLE IF NOT EXISTS file(uuid TEXT PRIMARY KEY, product TEXT NOT NULL,"
" kind INTEGER NOT NULL, pos INTEGER NOT NULL, file_name TEXT NOT NULL,"
" content_type TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,"
" content BLOB NOT NULL);\n"
"CREATE INDEX IF NOT EXISTS file_product ON file(product, kind, pos);\n"
"CREATE TABLE IF NOT EXISTS price(uuid TEXT PRIMARY KEY, kind TEXT NOT NULL,"
" product TEXT NOT NULL, currency TEXT NOT NULL, amount INTEGER NOT NULL,"
" grp TEXT NOT NULL DEFAULT '', customer TEXT NOT NULL DEFAULT '',"
" langver TEXT NOT NULL DEFAULT '',"
" UNIQUE(product, kind, currency, grp, customer, langver)) WITHOUT ROWID;\n"
"CREATE INDEX IF NOT EXISTS price_kind ON price(kind, uuid);\n"
"CREATE TABLE IF NOT EXISTS currency(uuid TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE,"
" name_pl TEXT NOT NULL, name_en TEXT NOT NULL, name_de TEXT NOT NULL,"
" minor_digits INTEGER NOT NULL, rate INTEGER NOT NULL, rate_date INTEGER NOT NULL);\n"
"CREATE TABLE IF NOT EXISTS warehouse(uuid TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE,"
" name_pl TEXT NOT NULL, name_en TEXT NOT NULL, name_de TEXT NOT NULL,"
" city TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1);\n"
"CREATE TABLE IF NOT EXISTS stock(uuid TEXT PRIMARY KEY, warehouse TEXT NOT NULL,"
" product TEXT NOT NULL, quantity INTEGER NOT NULL, UNIQUE(product, warehouse))"
" WITHOUT ROWID;\n"
"CREATE INDEX IF NOT EXISTS stock_wh ON stock(warehouse, uuid);\n"
"CREATE TABLE IF NOT EXISTS customer(uuid TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE,"
" name TEXT NOT NULL, nip TEXT NOT NULL, grp TEXT NOT NULL, lang TEXT NOT NULL,"
" currency TEXT NOT NULL, payment_days INTEGER NOT NULL, discount INTEGER NOT NULL,"
" credit_limit INTEGER NOT NULL, credit_used INTEGER NOT NULL, overdue INTEGER NOT NULL,"
" blocked INTEGER NOT NULL DEFAULT 0, block_reason TEXT NOT NULL DEFAULT '',"
" active INTEGER NOT NULL DEFAULT 1, email TEXT NOT NULL, phone TEXT NOT NULL,"
" default_warehouse TEXT NOT NULL DEFAULT '', external_ref TEXT UNIQUE);\n"
"CREATE INDEX IF NOT EXISTS customer_nip ON customer(nip);\n"
"CREATE TABLE IF NOT EXISTS contact(uuid TEXT PRIMARY KEY, customer TEXT NOT NULL,"
" pos INTEGER NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL, phone TEXT NOT NULL,"
" role TEXT NOT NULL);\n"
"CREATE INDEX IF NOT EXISTS contact_customer ON contact(customer, pos);\n"
"CREATE TABLE IF NOT EXISTS address(uuid TEXT PRIMARY KEY, customer TEXT NOT NULL,"
" pos INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, street TEXT NOT NULL,"
" postcode TEXT NOT NULL, city TEXT NOT NULL, country TEXT NOT NULL);\n"
"CREATE INDEX IF NOT EXISTS address_customer ON address(customer, pos);\n"
"CREATE TABLE IF NOT EXISTS ruleset(uuid TEXT PRIMARY KEY, code TEXT NOT NULL,"
" version INTEGER NOT NULL, valid_from INTEGER NOT NULL, name_pl TEXT NOT NULL,"
" name_en TEXT NOT NULL, name_de TEXT NOT NULL, currency TEXT NOT NULL,"
" bundle TEXT NOT NULL, UNIQUE(code, version));\n"
"CREATE TABLE IF NOT EXISTS orders(uuid TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE,"
" external_ref TEXT UNIQUE, customer TEXT NOT NULL, status TEXT NOT NULL,"
" status_changed INTEGER NOT NULL, created INTEGER NOT NULL,"
" revision INTEGER NOT NULL DEFAULT 1, correction_note TEXT NOT NULL DEFAULT '',"
" currency TEXT NOT NULL, notes TEXT NOT NULL DEFAULT '',"
" da_uuid TEXT NOT NULL DEFAULT '', da_kind TEXT NOT NULL DEFAULT 'delivery',"
" da_name TEXT NOT NULL DEFAULT '', da_street TEXT NOT NULL DEFAULT '',"
" da_postcode TEXT NOT NULL DEFAULT '', da_city TEXT NOT NULL DEFAULT '',"
" da_country TEXT NOT NULL DEFAULT '',"
" wz_number TEXT NOT NULL DEFAULT '', wz_date INTEGER NOT NULL DEFAULT 0,"
" carrier TEXT NOT NULL DEFAULT '', waybill TEXT NOT NULL DEFAULT '',"
" shipped INTEGER NOT NULL DEFAULT 0);\n"
"CREATE INDEX IF NOT EXISTS orders_customer ON orders(customer, uuid);\n"
"CREATE TABLE IF NOT EXISTS order_line(order_uuid TEXT NOT NULL, line_no INTEGER NOT NULL,"
" product TEXT NOT NULL, name TEXT NOT NULL, quantity INTEGER NOT NULL,"
" unit_net INTEGER NOT NULL, config TEXT NOT NULL DEFAULT '',"
" PRIMARY KEY(order_uuid, line_no)) WITHOUT ROWID;\n"
"CREATE TABLE IF NOT EXISTS invoice(uuid TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE,"
" ksef TEXT NOT NULL DEFAULT '', order_uuid TEXT NOT NULL DEFAULT '',"
" customer TEXT NOT NULL, issued INTEGER NOT NULL, sale_date INTEGER NOT NULL,"
" due_date INTEGER NOT NULL, currency TEXT NOT NULL, net INTEGER NOT NULL,"
" vat INTEGER NOT NULL, gross INTEGER NOT NULL, paid INTEGER NOT NULL DEFAULT 0,"
" pdf BLOB, xml BLOB);\n"
"CREATE INDEX IF NOT EXISTS invoice_customer ON invoice(customer, uuid);\n"
"CREATE TABLE IF NOT EXISTS invoice_line(invoice TEXT NOT NULL, line_no INTEGER NOT NULL,"
" product TEXT NOT NULL, name TEXT NOT NULL, quantity INTEGER NOT NULL,"
" unit_net INTEGER NOT NULL, net INTEGER NOT NULL, vat_rate INTEGER NOT NULL,"
" vat INTEGER NOT NULL, gross INTEGER NOT NULL,"
" PRIMARY KEY(invoice, line_no)) WITHOUT ROWID;\n"
"CREATE TABLE IF NOT EXISTS changes(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
" entity TEXT NOT NULL, uuid TEXT NOT NULL, changed INTEGER NOT NULL,"
" UNIQUE(entity, uuid));\n"
"CREATE INDEX IF NOT EXISTS changes_entity ON changes(entity, seq);\n"
"CREATE TABLE IF NOT EXISTS counts(entity TEXT NOT NULL, key TEXT NOT NULL,"
" n INTEGER NOT NULL, PRIMARY KEY(entity, key)) WITHOUT ROWID;\n"
"CREATE TABLE IF NOT EXISTS faults(id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
" op TEXT NOT NULL DEFAULT '', rate_ppm INTEGER NOT NULL DEFAULT 1000000,"
" count_left INTEGER NOT NULL DEFAULT -1, param INTEGER NOT NULL DEFAULT 0,"
" code TEXT NOT NULL DEFAULT '', fired INTEGER NOT NULL DEFAULT 0);\n";

/*
 * Counter triggers: for each list, a total (key '') and, where the pull
 * has a filter, one counter per filter value.  Generated text, but
 * constant: the tables and keys are fixed here.
 */
#define CNT_TRIG(tab, ent) \
"CREATE TRIGGER IF NOT EXISTS cnt_" tab "_ins AFTER INSERT ON " tab " BEGIN" \
" INSERT INTO counts VALUES('" ent "', '', 1) ON CONFLICT DO UPDATE SET n = n + 1; END;\n" \
"CREATE TRIGGER IF NOT EXISTS cnt_" tab "_del AFTER DELETE ON " tab " BEGIN" \
" UPDATE counts SET n = n - 1 WHERE entity = '" ent "' AND key = ''; END;\n"

static const char sim_triggers[] =
CNT_TRIG("category", "category")
CNT_TRIG("product", "product")
CNT_TRIG("currency", "currency")
CNT_TRIG("warehouse", "warehouse")
CNT_TRIG("customer", "customer")
CNT_TRIG("ruleset", "ruleset")
"CREATE TRIGGER IF NOT EXISTS cnt_price_ins AFTER INSERT ON price BEGIN"
" INSERT INTO counts VALUES('price', '', 1) ON CONFLICT DO UPDATE SET n = n + 1;"
" INSERT INTO counts VALUES('price', NEW.kind, 1) ON CONFLICT DO UPDATE SET n = n + 1; END;\n"
"CREATE TRIGGER IF NOT EXISTS cnt_price_del AFTER DELETE ON price BEGIN"
" UPDATE counts SET n = n - 1 WHERE entity = 'price' AND key IN ('', OLD.kind); END;\n"
"CREATE TRIGGER IF NOT EXISTS cnt_stock_ins AFTER INSERT ON stock BEGIN"
" INSERT INTO counts VALUES('stock', '', 1) ON CONFLICT DO UPDATE SET n = n + 1;"
" INSERT INTO counts VALUES('stock', NEW.warehouse, 1) ON CONFLICT DO UPDATE SET n = n + 1; END;\n"
"CREATE TRIGGER IF NOT EXISTS cnt_stock_del AFTER DELETE ON stock BEGIN"
" UPDATE counts SET n = n - 1 WHERE entity = 'stock' AND key IN ('', OLD.warehouse); END;\n"
"CREATE TRIGGER IF NOT EXISTS cnt_orders_ins AFTER INSERT ON orders BEGIN"
" INSERT INTO counts VALUES('order', '', 1) ON CONFLICT DO UPDATE SET n = n + 1;"
" INSERT INTO counts VALUES('order', NEW.customer, 1) ON CONFLICT DO UPDATE SET n = n + 1; END;\n"
"CREATE TRIGGER IF NOT EXISTS cnt_orders_del AFTER DELETE ON orders BEGIN"
" UPDATE counts SET n = n - 1 WHERE entity = 'order' AND key IN ('', OLD.customer); END;\n"
"CREATE TRIGGER IF NOT EXISTS cnt_invoice_ins AFTER INSERT ON invoice BEGIN"
" INSERT INTO counts VALUES('invoice', '', 1) ON CONFLICT DO UPDATE SET n = n + 1;"
" INSERT INTO counts VALUES('invoice', NEW.customer, 1) ON CONFLICT DO UPDATE SET n = n + 1; END;\n"
"CREATE TRIGGER IF NOT EXISTS cnt_invoice_del AFTER DELETE ON invoice BEGIN"
" UPDATE counts SET n = n - 1 WHERE entity = 'invoice' AND key IN ('', OLD.customer); END;\n";

static const char sim_counts_rebuild[] =
"DELETE FROM counts;"
"INSERT INTO counts SELECT 'category', '', count(*) FROM category;"
"INSERT INTO counts SELECT 'product', '', count(*) FROM product;"
"INSERT INTO counts SELECT 'currency', '', count(*) FROM currency;"
"INSERT INTO counts SELECT 'warehouse', '', count(*) FROM warehouse;"
"INSERT INTO counts SELECT 'customer', '', count(*) FROM customer;"
"INSERT INTO counts SELECT 'ruleset', '', count(*) FROM ruleset;"
"INSERT INTO counts SELECT 'price', '', count(*) FROM price;"
"INSERT INTO counts SELECT 'price', kind, count(*) FROM price GROUP BY kind;"
"INSERT INTO counts SELECT 'stock', '', count(*) FROM stock;"
"INSERT INTO counts SELECT 'stock', warehouse, count(*) FROM stock GROUP BY warehouse;"
"INSERT INTO counts SELECT 'order', '', count(*) FROM orders;"
"INSERT INTO counts SELECT 'order', customer, count(*) FROM orders GROUP BY customer;"
"INSERT INTO counts SELECT 'invoice', '', count(*) FROM invoice;"
"INSERT INTO counts SELECT 'invoice', customer, count(*) FROM invoice GROUP BY customer;";

struct sdb *
sdb_open(const char *path, int bulk)
{
	struct sdb *db;
	char *err = NULL;
	int rc;

	db = xcalloc(1, sizeof(*db));
	rc = sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "oknoerp-sim: %s: %s\n", path,
		    db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(db->h, 10000);
	/* the generator writes a fresh file it can throw away on a crash:
	 * no journal while it loads; sim_generate() turns WAL on at the end */
	if (sdb_exec(db, bulk ? "PRAGMA journal_mode=OFF" :
	    "PRAGMA journal_mode=WAL") != 0)
		goto fail;
	if (bulk)
		rc = sqlite3_exec(db->h, "PRAGMA synchronous=OFF;"
		    "PRAGMA cache_size=-1048576;PRAGMA temp_store=MEMORY", NULL,
		    NULL, &err);
	else
		rc = sqlite3_exec(db->h, "PRAGMA synchronous=NORMAL;"
		    "PRAGMA cache_size=-32768;PRAGMA temp_store=MEMORY", NULL,
		    NULL, &err);
	if (rc != SQLITE_OK)
		goto fail_msg;
	/* The schema only once per file: a user_version of 1 says it is in. */
	if (sdb_int1(db, "PRAGMA user_version", NULL, 0) < 1) {
		if (sdb_begin_write(db) != SQLITE_OK)
			goto fail;
		rc = sqlite3_exec(db->h, sim_schema, NULL, NULL, &err);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(db->h, sim_triggers, NULL, NULL, &err);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(db->h, "PRAGMA user_version=1", NULL,
			    NULL, &err);
		if (rc != SQLITE_OK) {
			sdb_rollback(db);
			goto fail_msg;
		}
		if (sdb_commit(db) != SQLITE_OK)
			goto fail;
	}
	return db;
fail_msg:
	fprintf(stderr, "oknoerp-sim: %s: %s\n", path, err ? err : "error");
	sqlite3_free(err);
fail:
	sdb_close(db);
	return NULL;
}

void
sdb_close(struct sdb *db)
{
	if (db == NULL)
		return;
	for (int i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].st);
	sqlite3_close(db->h);
	free(db);
}

sqlite3_stmt *
sdb_stmt(struct sdb *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int i;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql)
			return db->cache[i].st;
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		fprintf(stderr, "oknoerp-sim: prepare: %s: %s\n",
		    sqlite3_errmsg(db->h), sql);
		return NULL;
	}
	if (db->ncache == SDB_CACHE) {
		/* full: evict the oldest; cached statements are never held
		 * across an sdb_stmt() call of another text that long */
		sqlite3_finalize(db->cache[0].st);
		memmove(&db->cache[0], &db->cache[1],
		    sizeof(db->cache[0]) * (SDB_CACHE - 1));
		db->ncache--;
	}
	db->cache[db->ncache].sql = sql;
	db->cache[db->ncache].st = st;
	db->ncache++;
	return st;
}

void
sdb_done(sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int
sdb_exec(struct sdb *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "oknoerp-sim: %s: %s\n", sql,
		    err ? err : "error");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

static int
sdb_simple(struct sdb *db, const char *sql)
{
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		fprintf(stderr, "oknoerp-sim: %s: %s\n", sql,
		    sqlite3_errmsg(db->h));
	return rc;
}

int
sdb_begin_write(struct sdb *db)
{
	return sdb_simple(db, "BEGIN IMMEDIATE");
}

int
sdb_begin_read(struct sdb *db)
{
	return sdb_simple(db, "BEGIN");
}

int
sdb_commit(struct sdb *db)
{
	return sdb_simple(db, "COMMIT");
}

void
sdb_rollback(struct sdb *db)
{
	if (!sqlite3_get_autocommit(db->h))
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int64_t
sdb_int1(struct sdb *db, const char *sql, const char *arg, int64_t def)
{
	sqlite3_stmt *st = sdb_stmt(db, sql);
	int64_t v = def;

	if (st == NULL)
		return def;
	if (arg != NULL)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) !=
	    SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sdb_done(st);
	return v;
}

void
sdb_triggers_drop(struct sdb *db)
{
	static const char *const drops[] = {
		"DROP TRIGGER IF EXISTS cnt_category_ins", "DROP TRIGGER IF EXISTS cnt_category_del",
		"DROP TRIGGER IF EXISTS cnt_product_ins", "DROP TRIGGER IF EXISTS cnt_product_del",
		"DROP TRIGGER IF EXISTS cnt_currency_ins", "DROP TRIGGER IF EXISTS cnt_currency_del",
		"DROP TRIGGER IF EXISTS cnt_warehouse_ins", "DROP TRIGGER IF EXISTS cnt_warehouse_del",
		"DROP TRIGGER IF EXISTS cnt_customer_ins", "DROP TRIGGER IF EXISTS cnt_customer_del",
		"DROP TRIGGER IF EXISTS cnt_ruleset_ins", "DROP TRIGGER IF EXISTS cnt_ruleset_del",
		"DROP TRIGGER IF EXISTS cnt_price_ins", "DROP TRIGGER IF EXISTS cnt_price_del",
		"DROP TRIGGER IF EXISTS cnt_stock_ins", "DROP TRIGGER IF EXISTS cnt_stock_del",
		"DROP TRIGGER IF EXISTS cnt_orders_ins", "DROP TRIGGER IF EXISTS cnt_orders_del",
		"DROP TRIGGER IF EXISTS cnt_invoice_ins", "DROP TRIGGER IF EXISTS cnt_invoice_del",
	};
	for (size_t i = 0; i < sizeof(drops) / sizeof(drops[0]); i++)
		(void)sdb_exec(db, drops[i]);
}

int
sdb_counts_rebuild(struct sdb *db)
{
	if (sdb_exec(db, sim_counts_rebuild) != 0)
		return -1;
	return sdb_exec(db, sim_triggers);
}

int64_t
sdb_count(struct sdb *db, const char *entity, const char *key)
{
	static const char sql[] =
	    "SELECT n FROM counts WHERE entity = ?1 AND key = ?2";
	sqlite3_stmt *st = sdb_stmt(db, sql);
	int64_t n = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_text(st, 1, entity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key ? key : "", -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sdb_done(st);
	return n;
}

int
sim_change(struct sdb *db, const char *entity, const char *uuid, int64_t t)
{
	static const char del[] =
	    "DELETE FROM changes WHERE entity = ?1 AND uuid = ?2";
	static const char ins[] =
	    "INSERT INTO changes(entity, uuid, changed) VALUES(?1, ?2, ?3)";
	sqlite3_stmt *st;
	int rc;

	if ((st = sdb_stmt(db, del)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, entity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sdb_done(st);
	if (rc != SQLITE_DONE)
		return -1;
	if ((st = sdb_stmt(db, ins)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, entity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, t);
	rc = sqlite3_step(st);
	sdb_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int64_t
sim_counter_next(struct sdb *db, const char *name)
{
	static const char sql[] =
	    "INSERT INTO meta(key, value) VALUES(?1, 1) ON CONFLICT(key)"
	    " DO UPDATE SET value = value + 1 RETURNING value";
	sqlite3_stmt *st = sdb_stmt(db, sql);
	int64_t v = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sdb_done(st);
	return v;
}

int64_t
sim_now(void)
{
	return (int64_t)time(NULL);
}

void
sim_uuid_from(const unsigned char r[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	int i, o = 0;

	memcpy(b, r, 16);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
}

void
sim_uuid_random(char out[37])
{
	unsigned char r[16];
	size_t got = 0;

	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			abort();	/* no entropy at all: nothing sane left */
		}
		got += (size_t)n;
	}
	sim_uuid_from(r, out);
}

int
sim_uuid_valid(const char *s)
{
	int i;

	if (s == NULL || strlen(s) != SIM_UUID_LEN)
		return 0;
	for (i = 0; i < SIM_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

void
sim_date1c(int64_t t, char out[20])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0 || localtime_r(&tt, &tm) == NULL) {
		memcpy(out, "01.01.0001 00:00:00", 20);
		return;
	}
	{
		char tmp[80];

		snprintf(tmp, sizeof(tmp), "%02d.%02d.%04d %02d:%02d:%02d",
		    tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
		memcpy(out, tmp, 19);
		out[19] = '\0';
	}
}

int
sim_parse_date1c(const char *s, int64_t *t)
{
	struct tm tm;
	int d, mo, y, h, mi, se;
	char tail;

	if (s == NULL || sscanf(s, "%2d.%2d.%4d %2d:%2d:%2d%c", &d, &mo, &y,
	    &h, &mi, &se, &tail) != 6)
		return -1;
	if (y == 1 && mo == 1 && d == 1 && h == 0 && mi == 0 && se == 0) {
		*t = 0;
		return 0;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 59 || y < 1970)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	tm.tm_isdst = -1;
	*t = (int64_t)mktime(&tm);
	return 0;
}

int
sim_nip_valid(const char *s)
{
	static const int w[9] = { 6, 5, 7, 2, 3, 4, 5, 6, 7 };
	int sum = 0, i;

	if (s == NULL || strlen(s) != 10)
		return 0;
	for (i = 0; i < 10; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	for (i = 0; i < 9; i++)
		sum += w[i] * (s[i] - '0');
	sum %= 11;
	return sum != 10 && sum == s[9] - '0';
}

int
sim_parse_fixed(const char *s, int digits, int64_t *out)
{
	int64_t v = 0, scale = 1;
	int neg = 0, frac = -1, nd = 0;

	if (s == NULL || *s == '\0')
		return -1;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; *s; s++) {
		if (*s == '.' || *s == ',') {
			if (frac >= 0)
				return -1;
			frac = 0;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return -1;
		if (frac >= 0 && ++frac > digits)
			return -1;
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
		nd++;
	}
	if (nd == 0)
		return -1;
	for (int i = frac < 0 ? 0 : frac; i < digits; i++) {
		if (v > INT64_MAX / 10)
			return -1;
		scale *= 10;
		v *= 10;
	}
	(void)scale;
	*out = neg ? -v : v;
	return 0;
}
