/*
 * test_db.c: unit tests of db.c and of the schema in db/ (cmocka, TAP).
 *
 * Every test works on real SQLite files in a private temporary directory
 * (made by the group setup, removed by the teardown), because WAL, locking
 * and the busy handler only behave as in production on a file.  A second
 * connection, opened with the plain SQLite API, plays the other worker.
 * Tests that need the other worker to act while this one waits fork a child
 * that opens its own connection after the fork.  Log lines are captured by
 * pointing stderr at a file around the call.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "log.h"

static char tmpdir[512];

/* ---- helpers ---- */

static int64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
tpath(const char *name)
{
	static char buf[4][640];
	static int n;
	char *p = buf[n++ & 3];

	snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
	return p;
}

/* A migrated database at tmpdir/name, opened normally. */
static struct db *
fresh(const char *name, int busy_ms)
{
	char err[256], path[640];
	struct db *db;

	snprintf(path, sizeof(path), "%s", tpath(name));
	unlink(path);
	db = db_open(path, DB_CREATE | DB_NOCHECK, busy_ms, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(db_migrate(db, err, sizeof(err)), 0);
	return db;
}

static sqlite3 *
raw_open(const char *path)
{
	sqlite3 *h = NULL;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	return h;
}

static int64_t
raw_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int64_t
q_int(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	st = db_prepare_once(db, sql);
	assert_non_null(st);
	if (db_step(db, st) == SQLITE_ROW)
		v = db_col_int(st, 0);
	db_done(db, st);
	return v;
}

static int
count_stmts(struct db *db)
{
	sqlite3_stmt *st = NULL;
	int n = 0;

	while ((st = sqlite3_next_stmt(db_handle(db), st)) != NULL)
		n++;
	return n;
}

/* Capture what is written to stderr between cap_start() and cap_end(). */
static int cap_saved = -1;
static char cap_file[640];

static void
cap_start(void)
{
	int fd;

	fflush(stderr);
	snprintf(cap_file, sizeof(cap_file), "%s/stderr.txt", tmpdir);
	fd = open(cap_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	cap_saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
}

static char *
cap_end(void)
{
	static char text[16384];
	FILE *f;
	size_t n;

	fflush(stderr);
	dup2(cap_saved, STDERR_FILENO);
	close(cap_saved);
	f = fopen(cap_file, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static int
occurrences(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static void
insert_news(struct db *db, int64_t id, const char *lang, int64_t when)
{
	static const char q[] =
	    "INSERT INTO news (id, slug, lang, title, published_at, "
	    "created_at) VALUES (?, ?, ?, 'title', ?, ?)";
	char slug[32];
	sqlite3_stmt *st;

	snprintf(slug, sizeof(slug), "n-%lld", (long long)id);
	st = db_prepare(db, q);
	assert_non_null(st);
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, lang);
	db_bind_int(st, 4, when);
	db_bind_int(st, 5, when);
	assert_int_equal(db_step(db, st), SQLITE_DONE);
	db_done(db, st);
}

/* ---- open, pragmas, schema check ---- */

static void
test_open_pragmas(void **state)
{
	struct db *db = fresh("pragmas.db", 1000);
	sqlite3_stmt *st;

	st = db_prepare_once(db, "PRAGMA journal_mode");
	assert_int_equal(db_step(db, st), SQLITE_ROW);
	assert_string_equal(db_col_text(st, 0), "wal");
	db_done(db, st);
	assert_int_equal(q_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(q_int(db, "PRAGMA synchronous"), 2);	/* FULL */
	assert_int_equal(q_int(db, "PRAGMA temp_store"), 2);	/* MEMORY */
	assert_int_equal(q_int(db, "PRAGMA cache_size"), -8192);
	assert_int_equal(db_set_cache_kb(db, 1024), 0);
	assert_int_equal(q_int(db, "PRAGMA cache_size"), -1024);
	assert_int_equal(db_set_cache_kb(db, 0), -1);
	db_close(db);
}

static void
test_open_missing_file(void **state)
{
	char err[256] = "";
	struct db *db;

	db = db_open(tpath("nonexistent.db"), 0, 100, err, sizeof(err));
	assert_null(db);
	assert_non_null(strstr(err, "nonexistent.db"));
	assert_non_null(strstr(err, "unable to open"));
	/* and it was not created */
	assert_int_equal(access(tpath("nonexistent.db"), F_OK), -1);
}

static void
test_open_not_a_database(void **state)
{
	char err[256] = "";
	const char *p = tpath("garbage.db");
	struct db *db;
	FILE *f;
	int i;

	f = fopen(p, "w");
	assert_non_null(f);
	for (i = 0; i < 512; i++)
		fputs("this is not sqlite ", f);
	fclose(f);
	db = db_open(p, DB_NOCHECK, 100, err, sizeof(err));
	assert_null(db);
	assert_non_null(strstr(err, "not a database"));
}

static void
test_open_refuses_unmigrated(void **state)
{
	char err[256] = "", want[256];
	const char *p = tpath("unmigrated.db");
	struct db *db;
	int fd;

	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT, 0600);	/* an empty database */
	assert_true(fd >= 0);
	close(fd);
	db = db_open(p, 0, 100, err, sizeof(err));
	assert_null(db);
	snprintf(want, sizeof(want), "database is at schema 0, this build "
	    "needs %d: run framuga-admin migrate", db_schema_target());
	assert_string_equal(err, want);
	/* DB_NOCHECK opens it. */
	db = db_open(p, DB_NOCHECK, 100, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(db_schema_version(db), 0);
	db_close(db);
}

static void
test_open_refuses_newer(void **state)
{
	struct db *db = fresh("newer.db", 100);
	char err[256] = "", want[256];
	sqlite3 *h;

	db_close(db);
	h = raw_open(tpath("newer.db"));
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 999", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	db = db_open(tpath("newer.db"), 0, 100, err, sizeof(err));
	assert_null(db);
	snprintf(want, sizeof(want), "database is at schema 999, newer than "
	    "this build (%d)", db_schema_target());
	assert_non_null(strstr(err, want));
	/* migrate refuses to touch it */
	db = db_open(tpath("newer.db"), DB_NOCHECK, 100, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(db_migrate(db, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "newer than this build"));
	assert_int_equal(db_schema_version(db), 999);
	db_close(db);
}

static void
test_readonly(void **state)
{
	struct db *db = fresh("ro.db", 100);
	char err[256];
	sqlite3_stmt *st;

	db_close(db);
	db = db_open(tpath("ro.db"), DB_READONLY, 100, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(db_schema_version(db), db_schema_target());
	cap_start();
	st = db_prepare_once(db, "INSERT INTO meta VALUES ('x', 'y')");
	assert_int_equal(db_step(db, st), SQLITE_READONLY);
	db_done(db, st);
	(void)cap_end();
	db_close(db);
}

/* ---- migrations ---- */

static void
test_migrations_table(void **state)
{
	size_t i;

	assert_true(db_migrations_len >= 1);
	for (i = 0; i < db_migrations_len; i++) {
		assert_int_equal(db_migrations[i].version, (int)i + 1);
		assert_non_null(db_migrations[i].name);
		assert_non_null(db_migrations[i].sql);
	}
	assert_int_equal(db_schema_target(),
	    db_migrations[db_migrations_len - 1].version);
	assert_string_equal(db_migrations[0].name, "core");
}

static void
test_migrate_idempotent(void **state)
{
	static const char q_objects[] =
	    "SELECT count(*) FROM sqlite_schema";
	struct db *db = fresh("idem.db", 1000);
	char err[256];
	int64_t objects;

	assert_int_equal(db_schema_version(db), db_schema_target());
	objects = q_int(db, q_objects);
	assert_true(objects >= 8);	/* 4 tables, 3 triggers, indexes */
	assert_int_equal(db_migrate(db, err, sizeof(err)), 0);
	assert_int_equal(db_migrate(db, err, sizeof(err)), 0);
	assert_int_equal(db_schema_version(db), db_schema_target());
	assert_int_equal(q_int(db, q_objects), objects);
	/* foreign keys are back on after migrating */
	assert_int_equal(q_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(db_in_tx(db), 0);
	db_close(db);

	/* and the file now passes the check on open */
	db = db_open(tpath("idem.db"), 0, 100, err, sizeof(err));
	assert_non_null(db);
	db_close(db);
}

static void
test_migrate_concurrent_processes(void **state)
{
	const char *p = tpath("concurrent.db");
	char err[256];
	struct db *db;
	pid_t pid[4];
	int i, st;

	unlink(p);
	db = db_open(p, DB_CREATE | DB_NOCHECK, 1000, err, sizeof(err));
	assert_non_null(db);
	db_close(db);
	/* Four processes migrate the same file at once: each migration must
	 * be applied exactly once (CREATE TABLE would fail the second time). */
	for (i = 0; i < 4; i++) {
		if ((pid[i] = fork()) == 0) {
			struct db *c = db_open(p, DB_NOCHECK, 5000, err,
			    sizeof(err));

			_exit(c != NULL && db_migrate(c, err,
			    sizeof(err)) == 0 ? 0 : 1);
		}
		assert_true(pid[i] > 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(waitpid(pid[i], &st, 0), pid[i]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	db = db_open(p, 0, 100, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(q_int(db,
	    "SELECT count(*) FROM meta WHERE key = 'i18n_generation'"), 1);
	db_close(db);
}

/* ---- schema 0001 ---- */

static void
test_schema_i18n_generation(void **state)
{
	static const char q_gen[] =
	    "SELECT value FROM meta WHERE key = 'i18n_generation'";
	struct db *db = fresh("i18n.db", 1000);
	sqlite3_stmt *st;

	assert_int_equal(q_int(db, q_gen), 0);
	assert_int_equal(db_exec(db, "INSERT INTO i18n_override VALUES "
	    "('pl', 'Save', 'Zapisz', 1)"), SQLITE_OK);
	assert_int_equal(q_int(db, q_gen), 1);
	assert_int_equal(db_exec(db, "UPDATE i18n_override SET msgstr = "
	    "'Zachowaj' WHERE lang = 'pl'"), SQLITE_OK);
	assert_int_equal(q_int(db, q_gen), 2);
	assert_int_equal(db_exec(db, "DELETE FROM i18n_override"),
	    SQLITE_OK);
	assert_int_equal(q_int(db, q_gen), 3);
	/* the value is text (i18n.c compares it with strcmp) */
	st = db_prepare(db, q_gen);
	assert_int_equal(db_step(db, st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(st, 0), SQLITE_TEXT);
	assert_string_equal(db_col_text(st, 0), "3");
	db_done(db, st);
	/* a missing meta row is recreated */
	assert_int_equal(db_exec(db, "DELETE FROM meta"), SQLITE_OK);
	assert_int_equal(db_exec(db, "INSERT INTO i18n_override VALUES "
	    "('en', 'Save', 'Store', 2)"), SQLITE_OK);
	assert_int_equal(q_int(db, q_gen), 1);
	db_close(db);
}

static void
test_schema_strict_and_checks(void **state)
{
	struct db *db = fresh("strict.db", 1000);

	cap_start();
	/* STRICT: text in an INTEGER column is refused */
	assert_int_equal(db_exec(db, "INSERT INTO news (slug, lang, title, "
	    "published_at, created_at) VALUES ('a', 'pl', 't', 'soon', 1)"),
	    SQLITE_CONSTRAINT);
	/* slug is unique */
	assert_int_equal(db_exec(db, "INSERT INTO news (slug, lang, title, "
	    "published_at, created_at) VALUES ('a', 'pl', 't', 1, 1)"),
	    SQLITE_OK);
	assert_int_equal(db_exec(db, "INSERT INTO news (slug, lang, title, "
	    "published_at, created_at) VALUES ('a', 'en', 't', 1, 1)"),
	    SQLITE_CONSTRAINT);
	/* outbox: status values, sent needs sent_at */
	assert_int_equal(db_exec(db, "INSERT INTO mail_outbox (created_at, "
	    "to_addr, subject, body_text, status) VALUES (1, 'a@b.pl', 's', "
	    "'t', 'bogus')"), SQLITE_CONSTRAINT);
	assert_int_equal(db_exec(db, "INSERT INTO mail_outbox (created_at, "
	    "to_addr, subject, body_text, status) VALUES (1, 'a@b.pl', 's', "
	    "'t', 'sent')"), SQLITE_CONSTRAINT);
	assert_int_equal(db_exec(db, "INSERT INTO mail_outbox (created_at, "
	    "to_addr, subject, body_text) VALUES (1, 'a@b.pl', 's', 't')"),
	    SQLITE_OK);
	assert_int_equal(db_exec(db, "UPDATE mail_outbox SET status = "
	    "'sent', sent_at = 2, attempts = 1"), SQLITE_OK);
	(void)cap_end();
	assert_int_equal(q_int(db, "SELECT count(*) FROM mail_outbox "
	    "WHERE status = 'sent' AND body_html = ''"), 1);
	db_close(db);
}

static void
test_keyset_uses_index(void **state)
{
	static const char q_plan[] =
	    "EXPLAIN QUERY PLAN "
	    "SELECT id, slug, title, published_at FROM news "
	    "WHERE lang = ? AND (published_at, id) < (?, ?) "
	    "ORDER BY published_at DESC, id DESC LIMIT ?";
	static const char q_page[] =
	    "SELECT id FROM news "
	    "WHERE lang = ? AND (published_at, id) < (?, ?) "
	    "ORDER BY published_at DESC, id DESC LIMIT ?";
	struct db *db = fresh("keyset.db", 1000);
	char plan[2048] = "";
	sqlite3_stmt *st;
	int64_t id, pub, i, got[8];
	int n;

	/* Three items share a timestamp: the id breaks the tie. */
	assert_int_equal(db_begin_write(db), SQLITE_OK);
	for (i = 1; i <= 200; i++)
		insert_news(db, i, i % 2 ? "pl" : "en", 1000 + i / 3);
	assert_int_equal(db_commit(db), SQLITE_OK);
	assert_int_equal(db_exec(db, "ANALYZE"), SQLITE_OK);

	st = db_prepare(db, q_plan);
	assert_non_null(st);
	db_bind_text(st, 1, "pl");
	db_bind_int(st, 2, 1050);
	db_bind_int(st, 3, 150);
	db_bind_int(st, 4, 20);
	while (db_step(db, st) == SQLITE_ROW) {
		strncat(plan, db_col_text(st, 3),
		    sizeof(plan) - strlen(plan) - 2);
		strcat(plan, "; ");
	}
	db_done(db, st);
	print_message("# plan: %s\n", plan);
	assert_non_null(strstr(plan, "news_lang_published"));
	assert_null(strstr(plan, "SCAN news"));
	assert_null(strstr(plan, "TEMP B-TREE"));

	/* and the pages are right: walk all 'pl' rows, newest first */
	pub = INT64_MAX;
	id = INT64_MAX;
	n = 0;
	for (;;) {
		int k = 0;

		st = db_prepare(db, q_page);
		db_bind_text(st, 1, "pl");
		db_bind_int(st, 2, pub);
		db_bind_int(st, 3, id);
		db_bind_int(st, 4, 8);
		while (db_step(db, st) == SQLITE_ROW)
			got[k++] = db_col_int(st, 0);
		db_done(db, st);
		if (k == 0)
			break;
		for (i = 0; i < k; i++) {
			int64_t want = 199 - 2 * (n + i);	/* odd ids */

			assert_int_equal(got[i], want);
		}
		n += k;
		id = got[k - 1];
		pub = 1000 + id / 3;
	}
	assert_int_equal(n, 100);
	db_close(db);
}

/* ---- statement cache ---- */

static void
test_cache_hit_same_stmt(void **state)
{
	static const char q[] = "SELECT ? + 1";
	char copy[sizeof(q)];
	struct db *db = fresh("cache.db", 1000);
	sqlite3_stmt *a, *b, *c;
	int before;

	a = db_prepare(db, q);
	assert_non_null(a);
	db_done(db, a);
	before = count_stmts(db);
	b = db_prepare(db, q);
	assert_ptr_equal(a, b);
	assert_int_equal(count_stmts(db), before);	/* nothing prepared */
	db_done(db, b);
	/* The key is the address: the same text elsewhere is another
	 * statement (which is why SQL must be constant text). */
	memcpy(copy, q, sizeof(q));
	c = db_prepare(db, copy);
	assert_non_null(c);
	assert_ptr_not_equal(a, c);
	db_done(db, c);
	db_close(db);
}

static void
test_cache_done_resets_and_clears(void **state)
{
	static const char q[] = "SELECT ?";
	struct db *db = fresh("clear.db", 1000);
	sqlite3_stmt *st;

	st = db_prepare(db, q);
	db_bind_int(st, 1, 42);
	assert_int_equal(db_step(db, st), SQLITE_ROW);
	assert_int_equal(db_col_int(st, 0), 42);
	db_done(db, st);
	assert_false(sqlite3_stmt_busy(st));
	st = db_prepare(db, q);
	assert_int_equal(db_step(db, st), SQLITE_ROW);
	assert_true(db_col_is_null(st, 0));	/* binding was cleared */
	assert_string_equal(db_col_text(st, 0), "");
	db_done(db, st);
	db_close(db);
}

static void
test_cache_grows(void **state)
{
	static char sqls[500][40];	/* 500 distinct, stable addresses */
	static sqlite3_stmt *first[500];
	struct db *db = fresh("grow.db", 1000);
	int i;

	for (i = 0; i < 500; i++) {
		snprintf(sqls[i], sizeof(sqls[i]), "SELECT %d", i);
		first[i] = db_prepare(db, sqls[i]);
		assert_non_null(first[i]);
		db_done(db, first[i]);
	}
	for (i = 499; i >= 0; i--) {
		sqlite3_stmt *st = db_prepare(db, sqls[i]);

		assert_ptr_equal(st, first[i]);
		assert_int_equal(db_step(db, st), SQLITE_ROW);
		assert_int_equal(db_col_int(st, 0), i);
		db_done(db, st);
	}
	db_close(db);
}

static void
test_cache_busy_gets_private_copy(void **state)
{
	static const char q2[] = "SELECT id FROM news ORDER BY id";
	struct db *db = fresh("private.db", 1000);
	sqlite3_stmt *outer, *inner, *again;
	int before;

	insert_news(db, 1, "pl", 1);
	insert_news(db, 2, "pl", 2);
	outer = db_prepare(db, q2);
	assert_int_equal(db_step(db, outer), SQLITE_ROW);
	/* the same text while the first is still running */
	before = count_stmts(db);
	inner = db_prepare(db, q2);
	assert_non_null(inner);
	assert_ptr_not_equal(inner, outer);
	assert_int_equal(db_step(db, inner), SQLITE_ROW);
	assert_int_equal(db_col_int(inner, 0), 1);
	db_done(db, inner);			/* finalized */
	assert_int_equal(count_stmts(db), before);
	assert_int_equal(db_step(db, outer), SQLITE_ROW);
	assert_int_equal(db_col_int(outer, 0), 2);
	db_done(db, outer);
	again = db_prepare(db, q2);
	assert_ptr_equal(again, outer);
	db_done(db, again);
	db_close(db);
}

static void
test_prepare_once_finalized(void **state)
{
	struct db *db = fresh("once.db", 1000);
	sqlite3_stmt *a, *b;
	int before;

	before = count_stmts(db);
	a = db_prepare_once(db, "SELECT 1");
	b = db_prepare_once(db, "SELECT 2");
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(count_stmts(db), before + 2);
	db_done(db, a);
	assert_int_equal(count_stmts(db), before + 1);
	db_done(db, b);
	assert_int_equal(count_stmts(db), before);
	db_close(db);
}

static void
test_errors_logged_once_with_sql(void **state)
{
	static const char bad[] = "SELEKT nonsense FROM nowhere";
	static const char q_ins[] =
	    "INSERT INTO meta (key, value) VALUES ('k', NULL)";
	struct db *db = fresh("errors.db", 1000);
	sqlite3_stmt *st;
	char *log;

	log_init("test_db", "info");	/* constraint errors log at info */
	cap_start();
	assert_null(db_prepare(db, bad));
	st = db_prepare(db, q_ins);
	assert_non_null(st);
	assert_int_equal(db_step(db, st), SQLITE_CONSTRAINT);
	db_done(db, st);
	assert_int_equal(db_exec(db, "DROP TABLE no_such_table"),
	    SQLITE_ERROR);
	log = cap_end();
	assert_int_equal(occurrences(log, bad), 1);
	assert_int_equal(occurrences(log, q_ins), 1);
	assert_int_equal(occurrences(log, "DROP TABLE no_such_table"), 1);
	assert_non_null(strstr(log, "syntax error"));
	assert_non_null(strstr(log, "NOT NULL constraint failed"));
	log_init("test_db", "warn");
	db_close(db);
}

/* ---- transactions ---- */

static void
test_tx_nested_commit(void **state)
{
	struct db *db = fresh("nest.db", 1000);
	sqlite3 *other = raw_open(tpath("nest.db"));

	assert_int_equal(db_in_tx(db), 0);
	assert_int_equal(db_begin_write(db), SQLITE_OK);
	assert_int_equal(db_begin_write(db), SQLITE_OK);
	assert_int_equal(db_in_tx(db), 2);
	insert_news(db, 1, "pl", 1);
	assert_int_equal(db_commit(db), SQLITE_OK);	/* inner: no COMMIT */
	assert_int_equal(db_in_tx(db), 1);
	assert_int_equal(sqlite3_get_autocommit(db_handle(db)), 0);
	assert_int_equal(raw_int(other, "SELECT count(*) FROM news"), 0);
	assert_int_equal(db_begin_read(db), SQLITE_OK);	/* read in write */
	assert_int_equal(db_commit(db), SQLITE_OK);
	assert_int_equal(db_commit(db), SQLITE_OK);	/* outer: COMMIT */
	assert_int_equal(db_in_tx(db), 0);
	assert_int_equal(sqlite3_get_autocommit(db_handle(db)), 1);
	assert_int_equal(raw_int(other, "SELECT count(*) FROM news"), 1);
	sqlite3_close(other);
	db_close(db);
}

static void
test_tx_rollback_whole_nest(void **state)
{
	struct db *db = fresh("nestrb.db", 1000);
	sqlite3 *other = raw_open(tpath("nestrb.db"));
	sqlite3_stmt *st;

	assert_int_equal(db_begin_write(db), SQLITE_OK);
	insert_news(db, 1, "pl", 1);
	assert_int_equal(db_begin_write(db), SQLITE_OK);
	assert_int_equal(db_begin_write(db), SQLITE_OK);
	insert_news(db, 2, "pl", 2);
	db_rollback(db);			/* innermost: all of it goes */
	assert_int_equal(sqlite3_get_autocommit(db_handle(db)), 1);
	assert_int_equal(db_in_tx(db), 2);	/* two levels to unwind */
	/* the write lock is free at once: another writer gets in */
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE; COMMIT",
	    NULL, NULL, NULL), SQLITE_OK);
	/* nothing runs outside the transaction by accident */
	cap_start();
	st = db_prepare(db, "SELECT 1");
	assert_int_equal(db_step(db, st), SQLITE_ABORT);
	db_done(db, st);
	assert_int_equal(db_exec(db, "INSERT INTO meta VALUES ('a', 'b')"),
	    SQLITE_ABORT);
	assert_int_equal(db_begin_write(db), SQLITE_ABORT);
	(void)cap_end();
	assert_int_equal(db_commit(db), SQLITE_ABORT);	/* middle level */
	assert_int_equal(db_in_tx(db), 1);
	assert_int_equal(db_commit(db), SQLITE_ABORT);	/* outer level */
	assert_int_equal(db_in_tx(db), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM news"), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM meta WHERE key = "
	    "'a'"), 0);
	/* usable again */
	assert_int_equal(db_begin_write(db), SQLITE_OK);
	insert_news(db, 3, "pl", 3);
	assert_int_equal(db_commit(db), SQLITE_OK);
	assert_int_equal(raw_int(other, "SELECT count(*) FROM news"), 1);
	sqlite3_close(other);
	db_close(db);
}

static void
test_tx_rollback_then_outer_rollback(void **state)
{
	struct db *db = fresh("nestrb2.db", 1000);

	assert_int_equal(db_begin_write(db), SQLITE_OK);
	assert_int_equal(db_begin_write(db), SQLITE_OK);
	insert_news(db, 1, "pl", 1);
	db_rollback(db);
	db_rollback(db);
	assert_int_equal(db_in_tx(db), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM news"), 0);
	db_close(db);
}

static void
test_tx_misuse(void **state)
{
	struct db *db = fresh("misuse.db", 1000);

	cap_start();
	assert_int_equal(db_commit(db), SQLITE_MISUSE);
	assert_int_equal(db_begin_read(db), SQLITE_OK);
	/* a write cannot start inside a deferred read transaction */
	assert_int_equal(db_begin_write(db), SQLITE_MISUSE);
	assert_int_equal(db_in_tx(db), 1);
	assert_int_equal(db_commit(db), SQLITE_OK);
	(void)cap_end();
	assert_int_equal(db_in_tx(db), 0);
	db_close(db);
}

static void
test_end_request_cleans_up(void **state)
{
	struct db *db = fresh("endreq.db", 1000);
	sqlite3_stmt *st, *once;
	char *log;

	insert_news(db, 1, "pl", 1);
	insert_news(db, 2, "pl", 2);
	assert_int_equal(db_end_request(db), 0);
	assert_int_equal(db_begin_write(db), SQLITE_OK);
	st = db_prepare(db, "SELECT id FROM news");
	assert_int_equal(db_step(db, st), SQLITE_ROW);	/* left running */
	once = db_prepare_once(db, "SELECT 1");		/* never done */
	assert_non_null(once);
	cap_start();
	assert_int_equal(db_end_request(db), 3);
	log = cap_end();
	assert_non_null(strstr(log, "inside a transaction"));
	assert_non_null(strstr(log, "SELECT id FROM news"));
	assert_int_equal(db_in_tx(db), 0);
	assert_int_equal(sqlite3_get_autocommit(db_handle(db)), 1);
	assert_false(sqlite3_stmt_busy(st));
	assert_int_equal(db_end_request(db), 0);
	db_close(db);
}

static void
test_changes_and_rowid(void **state)
{
	struct db *db = fresh("rowid.db", 1000);

	insert_news(db, 41, "pl", 1);
	assert_int_equal(db_last_rowid(db), 41);
	assert_int_equal(db_changes(db), 1);
	assert_int_equal(db_exec(db, "UPDATE news SET title = 'x'"),
	    SQLITE_OK);
	assert_int_equal(db_changes(db), 1);
	db_close(db);
}

/* ---- busy handler ---- */

static void
test_busy_times_out(void **state)
{
	struct db *db = fresh("busy.db", 300);
	sqlite3 *other = raw_open(tpath("busy.db"));
	struct db_stats s0, s1;
	int64_t t0, dt;

	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	db_stats(db, &s0);
	cap_start();
	t0 = ms_now();
	assert_int_equal(db_begin_write(db), SQLITE_BUSY);
	dt = ms_now() - t0;
	assert_non_null(strstr(cap_end(), "BEGIN IMMEDIATE"));
	db_stats(db, &s1);
	print_message("# gave up after %lld ms, %llu waits, %llu us asleep\n",
	    (long long)dt, (unsigned long long)(s1.busy_calls - s0.busy_calls),
	    (unsigned long long)(s1.busy_us - s0.busy_us));
	assert_true(dt >= 295);
	assert_true(dt < 1500);		/* a loaded machine, not a spin */
	/* small steps: hundreds of waits, not SQLite's dozen */
	assert_true(s1.busy_calls - s0.busy_calls >= 100);
	assert_true(s1.busy_us - s0.busy_us >= 250000);
	assert_int_equal(db_in_tx(db), 0);
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(db_begin_write(db), SQLITE_OK);
	assert_int_equal(db_commit(db), SQLITE_OK);
	sqlite3_close(other);
	db_close(db);
}

static void
test_busy_waits_then_gets_lock(void **state)
{
	struct db *db = fresh("busy2.db", 1000);
	int fds[2], st;
	char c;
	pid_t pid;
	int64_t t0, dt;

	db_close(db);
	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		/* the other worker: its own connection, opened after fork */
		sqlite3 *h = NULL;

		close(fds[0]);
		if (sqlite3_open(tpath("busy2.db"), &h) != SQLITE_OK ||
		    sqlite3_exec(h, "BEGIN IMMEDIATE; INSERT INTO meta "
		    "VALUES ('child', 'x')", NULL, NULL, NULL) != SQLITE_OK)
			_exit(1);
		(void)!write(fds[1], "L", 1);
		usleep(150000);
		_exit(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) ==
		    SQLITE_OK ? 0 : 1);
	}
	assert_true(pid > 0);
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	db = db_open(tpath("busy2.db"), 0, 2000, NULL, 0);
	assert_non_null(db);
	t0 = ms_now();
	assert_int_equal(db_begin_write(db), SQLITE_OK);
	dt = ms_now() - t0;
	print_message("# got the lock after %lld ms\n", (long long)dt);
	assert_true(dt >= 50);
	assert_true(dt < 1500);
	/* BEGIN IMMEDIATE took a fresh snapshot: the child's row is seen */
	assert_int_equal(q_int(db, "SELECT count(*) FROM meta WHERE key = "
	    "'child'"), 1);
	assert_int_equal(db_commit(db), SQLITE_OK);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	db_close(db);
}

/* ---- backup and check ---- */

static void
test_backup_round_trip(void **state)
{
	struct db *db = fresh("src.db", 1000), *b;
	const char *dst = tpath("copy.db");
	char err[256] = "", big[2048];
	sqlite3_stmt *st;
	int i;

	unlink(dst);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(db_begin_write(db), SQLITE_OK);
	for (i = 1; i <= 500; i++) {	/* several hundred pages */
		insert_news(db, i, "pl", i);
		st = db_prepare(db, "UPDATE news SET body = ? WHERE id = ?");
		db_bind_text(st, 1, big);
		db_bind_int(st, 2, i);
		assert_int_equal(db_step(db, st), SQLITE_DONE);
		db_done(db, st);
	}
	assert_int_equal(db_commit(db), SQLITE_OK);
	assert_int_equal(db_backup(db, dst, err, sizeof(err)), 0);
	assert_int_equal(db_in_tx(db), 0);
	/* the backup opens with the normal schema check */
	b = db_open(dst, 0, 1000, err, sizeof(err));
	assert_non_null(b);
	assert_int_equal(q_int(b, "SELECT count(*) FROM news"), 500);
	assert_int_equal(q_int(b, "SELECT sum(length(body)) FROM news"),
	    500 * 2047);
	assert_int_equal(db_check(b), 0);
	db_close(b);
	/* no .part left behind; an existing file is not overwritten */
	assert_int_equal(access(tpath("copy.db.part"), F_OK), -1);
	assert_int_equal(db_backup(db, dst, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exists"));
	db_close(db);
}

static void
test_check_finds_fk_violation(void **state)
{
	struct db *db = fresh("fk.db", 1000);
	char *log;

	assert_int_equal(db_check(db), 0);
	assert_int_equal(db_exec(db,
	    "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE child (id INTEGER PRIMARY KEY, "
	    "  parent_id INTEGER REFERENCES parent (id));"
	    "PRAGMA foreign_keys = OFF;"
	    "INSERT INTO child VALUES (1, 77);"
	    "PRAGMA foreign_keys = ON;"), SQLITE_OK);
	cap_start();
	assert_int_equal(db_check(db), 1);
	log = cap_end();
	assert_non_null(strstr(log, "foreign key: child row 1"));
	assert_non_null(strstr(log, "parent"));
	db_close(db);
}

/* ---- setup ---- */

static int
rm_tree(const char *dir)
{
	char p[1024];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	closedir(d);
	return rmdir(dir);
}

static int
group_setup(void **state)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_db.XXXXXX",
	    t && *t ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	log_init("test_db", "warn");	/* keep the TAP output readable */
	return 0;
}

static int
group_teardown(void **state)
{
	return rm_tree(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_pragmas),
		cmocka_unit_test(test_open_missing_file),
		cmocka_unit_test(test_open_not_a_database),
		cmocka_unit_test(test_open_refuses_unmigrated),
		cmocka_unit_test(test_open_refuses_newer),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_migrations_table),
		cmocka_unit_test(test_migrate_idempotent),
		cmocka_unit_test(test_migrate_concurrent_processes),
		cmocka_unit_test(test_schema_i18n_generation),
		cmocka_unit_test(test_schema_strict_and_checks),
		cmocka_unit_test(test_keyset_uses_index),
		cmocka_unit_test(test_cache_hit_same_stmt),
		cmocka_unit_test(test_cache_done_resets_and_clears),
		cmocka_unit_test(test_cache_grows),
		cmocka_unit_test(test_cache_busy_gets_private_copy),
		cmocka_unit_test(test_prepare_once_finalized),
		cmocka_unit_test(test_errors_logged_once_with_sql),
		cmocka_unit_test(test_tx_nested_commit),
		cmocka_unit_test(test_tx_rollback_whole_nest),
		cmocka_unit_test(test_tx_rollback_then_outer_rollback),
		cmocka_unit_test(test_tx_misuse),
		cmocka_unit_test(test_end_request_cleans_up),
		cmocka_unit_test(test_changes_and_rowid),
		cmocka_unit_test(test_busy_times_out),
		cmocka_unit_test(test_busy_waits_then_gets_lock),
		cmocka_unit_test(test_backup_round_trip),
		cmocka_unit_test(test_check_finds_fk_violation),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
