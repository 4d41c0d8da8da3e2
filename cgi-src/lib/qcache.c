/*
 * qcache.c: a worker's cache of query results (qcache.h).
 *
 * An open-addressed table of QC_SLOTS entries, each a key (the statement's
 * address and its bound values, with their types, as bytes) and the rows,
 * all in one arena of the cache's own that a drop resets at once: no
 * entry is ever freed alone, so there is no eviction order to keep and no
 * fragmentation.  The table is dropped whole when the generation changes
 * or the arena has grown past the limit, and only at the start of a
 * request, so a result handed out stays valid to the request's end.
 *
 * What may be cached is checked, not trusted: the first time a worker
 * meets a statement it prepares it once more under an authorizer that
 * lists the tables it reads, and caches its results only when every one
 * of them is covered: it has a trigger that bumps the generation (found in
 * sqlite_master by the generation's key), or the caller names it as kept
 * by such tables' triggers (a full-text index).  Anything else is logged
 * once and runs live every time, so a new statement that reads a table
 * without the triggers is slower, never stale.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "arena.h"
#include "db.h"
#include "log.h"
#include "qcache.h"

#define QC_SLOTS	4096		/* a power of two */
#define QC_ENTRIES_MAX	(QC_SLOTS / 4 * 3)
#define QC_KEY_MAX	1024		/* longer keys are not cached */
#define QC_STMTS_MAX	64		/* statements checked per worker */
#define QC_TABLES_MAX	64

struct entry {
	uint64_t		 hash;
	size_t			 keylen;
	const unsigned char	*key;
	struct qc_rows		 rows;
};

static struct {
	struct arena		*a;
	struct entry		*slot[QC_SLOTS];
	size_t			 limit;		/* bytes; 0: off */
	int64_t			 gen;
	int			 have_gen;
	int			 active;	/* qcache_begin() this request */
	struct qc_val		*tmp;		/* rows while a statement runs */
	size_t			 tmpcap;
	/* the covered tables (malloc), loaded at the first qcache_begin() */
	char			*table[QC_TABLES_MAX];
	int			 derived[QC_TABLES_MAX];
	size_t			 ntable;
	int			 have_tables;
	/* statements checked: their text's address and whether cacheable */
	const char		*stmt[QC_STMTS_MAX];
	int			 stmt_ok[QC_STMTS_MAX];
	size_t			 nstmt;
	struct qcache_stats	 st;
} qc;

void
qcache_configure(size_t kb)
{
	qcache_drop();
	qc.limit = kb * 1024;
}

void
qcache_drop(void)
{
	if (qc.a != NULL)
		arena_reset(qc.a);
	memset(qc.slot, 0, sizeof(qc.slot));
	if (qc.st.entries > 0)
		qc.st.drops++;
	qc.st.entries = 0;
	qc.have_gen = 0;
}

/* The covered tables: those with a trigger that names gen_key, and the
 * caller's derived ones.  0 or -1. */
static int
load_tables(struct db *db, const char *gen_key, const char *const *derived)
{
	static const char q[] =
	    "SELECT DISTINCT tbl_name FROM sqlite_master "
	    "WHERE type = 'trigger' AND instr(sql, ?1) > 0";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(db, q)) == NULL)
		return -1;
	db_bind_text(st, 1, gen_key);
	while ((rc = db_step(db, st)) == SQLITE_ROW)
		if (qc.ntable < QC_TABLES_MAX)
			qc.table[qc.ntable++] = xstrdup(db_col_text(st, 0));
	db_done(db, st);
	if (rc != SQLITE_DONE) {	/* again at the next request */
		while (qc.ntable > 0)
			free(qc.table[--qc.ntable]);
		return -1;
	}
	for (; derived != NULL && *derived != NULL; derived++)
		if (qc.ntable < QC_TABLES_MAX) {
			qc.derived[qc.ntable] = 1;
			qc.table[qc.ntable++] = xstrdup(*derived);
		}
	qc.have_tables = 1;
	return 0;
}

/* The authorizer of the check: every table read must be covered; the
 * first one that is not is kept in *arg for the log. */
static int
check_auth(void *arg, int action, const char *a, const char *b,
    const char *c, const char *d)
{
	const char **bad = arg;
	size_t i, len;

	(void)b;
	(void)c;
	(void)d;
	if (action != SQLITE_READ || a == NULL || *bad != NULL)
		return SQLITE_OK;
	/* the schema (a full-text table reads it when it connects): a
	 * worker refuses a changed schema anyway (db.c) */
	if (strcmp(a, "sqlite_master") == 0 || strcmp(a, "sqlite_schema") == 0)
		return SQLITE_OK;
	for (i = 0; i < qc.ntable; i++) {
		len = strlen(qc.table[i]);
		/* a derived table's shadow tables (NAME_data ...) with it */
		if (strncmp(qc.table[i], a, len) == 0 && (a[len] == '\0' ||
		    (qc.derived[i] && a[len] == '_')))
			return SQLITE_OK;
	}
	*bad = a;
	return SQLITE_OK;
}

/* May sql's results be cached?  Checked once per worker (above). */
static int
cacheable(struct db *db, const char *sql)
{
	static char badname[64];
	const char *bad = NULL;
	sqlite3_stmt *st = NULL;
	sqlite3 *h = db_handle(db);
	size_t i;
	int ok;

	for (i = 0; i < qc.nstmt; i++)
		if (qc.stmt[i] == sql)
			return qc.stmt_ok[i];
	if (qc.nstmt == QC_STMTS_MAX)
		return 0;
	sqlite3_set_authorizer(h, check_auth, &bad);
	ok = sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK;
	sqlite3_set_authorizer(h, NULL, NULL);
	sqlite3_finalize(st);
	if (bad != NULL) {
		/* the name lives in SQLite's parse; copy it for the log */
		snprintf(badname, sizeof(badname), "%s", bad);
		log_err("qcache: %.60s...: reads %s, which does not bump the "
		    "generation: not cached", sql, badname);
		ok = 0;
	}
	qc.stmt[qc.nstmt] = sql;
	qc.stmt_ok[qc.nstmt++] = ok;
	return ok;
}

int
qcache_begin(struct db *db, const char *gen_key, const char *const *derived)
{
	static const char q[] = "SELECT value FROM meta WHERE key = ?";
	sqlite3_stmt *st;
	int64_t gen = 0;
	int rc, full;

	qc.active = 0;
	if (!qc.have_tables && load_tables(db, gen_key, derived) == -1)
		return -1;
	if ((st = db_prepare(db, q)) == NULL)
		return -1;
	db_bind_text(st, 1, gen_key);
	if ((rc = db_step(db, st)) == SQLITE_ROW)
		gen = db_col_int(st, 0);
	db_done(db, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (qc.a == NULL && qc.limit > 0)
		qc.a = arena_new(64 * 1024);
	full = qc.a != NULL && arena_used(qc.a) > qc.limit;
	if (!qc.have_gen || gen != qc.gen || full) {
		if (full && qc.st.entries > 0)
			qc.st.full++;
		qcache_drop();
		qc.gen = gen;
		qc.have_gen = 1;
	}
	qc.active = 1;
	return 0;
}

void
qcache_end(void)
{
	qc.active = 0;
}

void
qcache_stats(struct qcache_stats *out)
{
	*out = qc.st;
	out->bytes = qc.a != NULL ? arena_used(qc.a) : 0;
}

/* FNV-1a, 64 bits. */
static uint64_t
hash_bytes(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n-- > 0) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The key of (sql, args) into key; its length, or 0 when it does not fit
 * (then the result is not cached). */
static size_t
make_key(unsigned char *key, const char *sql, const struct qc_arg *args,
    size_t nargs)
{
	uintptr_t addr = (uintptr_t)sql;
	size_t n, k, len;
	uint32_t len32;

	memcpy(key, &addr, sizeof(addr));
	n = sizeof(addr);
	for (k = 0; k < nargs; k++) {
		if (args[k].type == 'i') {
			if (n + 1 + sizeof(args[k].i) > QC_KEY_MAX)
				return 0;
			key[n++] = 'i';
			memcpy(key + n, &args[k].i, sizeof(args[k].i));
			n += sizeof(args[k].i);
		} else if (args[k].s == NULL) {
			if (n + 1 > QC_KEY_MAX)
				return 0;
			key[n++] = 'n';
		} else {
			len = strlen(args[k].s);
			if (len > QC_KEY_MAX ||
			    n + 1 + sizeof(len32) + len > QC_KEY_MAX)
				return 0;
			key[n++] = 's';
			len32 = (uint32_t)len;
			memcpy(key + n, &len32, sizeof(len32));
			n += sizeof(len32);
			memcpy(key + n, args[k].s, len);
			n += len;
		}
	}
	return n;
}

/* Runs sql with args into out, its values and texts in arena a.  0 or
 * -1. */
static int
run(struct db *db, const char *sql, const struct qc_arg *args, size_t nargs,
    struct arena *a, struct qc_rows *out)
{
	sqlite3_stmt *st;
	struct qc_val *v;
	size_t n = 0, need, k;
	int c, ncol, rc;

	if ((st = db_prepare(db, sql)) == NULL)
		return -1;
	if ((size_t)sqlite3_bind_parameter_count(st) != nargs) {
		log_err("qcache: %.60s...: %zu values for %d parameters", sql,
		    nargs, sqlite3_bind_parameter_count(st));
		db_done(db, st);
		return -1;
	}
	for (k = 0; k < nargs; k++)
		if (args[k].type == 'i')
			db_bind_int(st, (int)k + 1, args[k].i);
		else
			db_bind_text(st, (int)k + 1, args[k].s);
	ncol = sqlite3_column_count(st);
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		need = (n + 1) * (size_t)ncol;
		if (need > qc.tmpcap) {
			qc.tmpcap = need < 256 ? 256 : need * 2;
			qc.tmp = xrealloc(qc.tmp, qc.tmpcap * sizeof(*qc.tmp));
		}
		v = qc.tmp + n * (size_t)ncol;
		for (c = 0; c < ncol; c++, v++) {
			v->s = NULL;
			v->i = 0;
			v->null = 0;
			switch (sqlite3_column_type(st, c)) {
			case SQLITE_INTEGER:
				v->i = sqlite3_column_int64(st, c);
				break;
			case SQLITE_NULL:
				v->null = 1;
				break;
			default:
				v->s = arena_strdup(a, db_col_text(st, c));
				break;
			}
		}
		n++;
	}
	db_done(db, st);
	if (rc != SQLITE_DONE)
		return -1;
	out->n = n;
	out->ncol = ncol;
	out->v = n > 0 ? arena_memdup(a, qc.tmp, n * (size_t)ncol *
	    sizeof(*qc.tmp)) : NULL;
	return 0;
}

const struct qc_rows *
qcache_rows(struct db *db, const char *sql, const struct qc_arg *args,
    size_t nargs)
{
	unsigned char key[QC_KEY_MAX];
	struct entry *e;
	struct qc_rows rows;
	uint64_t h = 0;
	size_t keylen, i = 0;
	int cache;

	if (!qc.active || !db_in_tx(db)) {
		log_err("qcache: %.40s...: not in a request's read "
		    "transaction", sql);
		return NULL;
	}
	keylen = make_key(key, sql, args, nargs);
	cache = qc.limit > 0 && qc.a != NULL && keylen > 0 &&
	    cacheable(db, sql);
	if (cache) {
		h = hash_bytes(key, keylen);
		for (i = h & (QC_SLOTS - 1); (e = qc.slot[i]) != NULL;
		    i = (i + 1) & (QC_SLOTS - 1))
			if (e->hash == h && e->keylen == keylen &&
			    memcmp(e->key, key, keylen) == 0) {
				qc.st.hits++;
				return &e->rows;
			}
		/* full: the next qcache_begin() drops the lot */
		if (qc.st.entries >= QC_ENTRIES_MAX ||
		    arena_used(qc.a) > qc.limit)
			cache = 0;
	}
	qc.st.misses++;
	if (run(db, sql, args, nargs, cache ? qc.a : arena_current, &rows) ==
	    -1)
		return NULL;
	if (!cache)
		return arena_memdup(arena_current, &rows, sizeof(rows));
	e = arena_alloc(qc.a, sizeof(*e));
	e->hash = h;
	e->keylen = keylen;
	e->key = arena_memdup(qc.a, key, keylen);
	e->rows = rows;
	qc.slot[i] = e;
	qc.st.entries++;
	return &e->rows;
}
