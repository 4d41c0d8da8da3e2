/*
 * keyset_vs_offset.c: paging news newest first, OFFSET against keyset, on
 * 100,000 rows; and what db_prepare() costs on a cache hit.  Prints
 * figures; never passes or fails on time.
 *
 *	tests/bench/keyset_vs_offset [-n ROWS] [DIR]
 *
 * How it works: a fresh migrated database in DIR (default ".") gets ROWS
 * news items in one language, several sharing each timestamp so that the id
 * must break ties.  For pages of 20 at several depths it times
 *
 *   OFFSET: ... WHERE lang = ? ORDER BY published_at DESC, id DESC
 *           LIMIT 20 OFFSET ?
 *   keyset: ... WHERE lang = ? AND (published_at, id) < (?, ?)
 *           ORDER BY published_at DESC, id DESC LIMIT 20
 *
 * (the keyset cursor is the last row of the page before, as a "next" link
 * carries it), each the median of several runs, then a walk through every
 * page both ways.  OFFSET must step over every row before the page, so its
 * cost grows with the depth; keyset seeks in news_lang_published.
 *
 * The last lines time db_prepare() on a cache hit (the cost a handler pays
 * per statement), with and without the db_done() that follows it, against
 * sqlite3_prepare_v2() + sqlite3_finalize() of the same text.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "log.h"

#define PAGE	20
#define REPS	15

static const char q_offset[] =
    "SELECT id, slug, title, published_at FROM news WHERE lang = ? "
    "ORDER BY published_at DESC, id DESC LIMIT ? OFFSET ?";
static const char q_keyset[] =
    "SELECT id, slug, title, published_at FROM news WHERE lang = ? "
    "AND (published_at, id) < (?, ?) "
    "ORDER BY published_at DESC, id DESC LIMIT ?";

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* One page by OFFSET; returns rows, leaves the last row's key. */
static int
page_offset(struct db *db, int64_t off, int64_t *pub, int64_t *id)
{
	sqlite3_stmt *st = db_prepare(db, q_offset);
	int n = 0;

	db_bind_text(st, 1, "pl");
	db_bind_int(st, 2, PAGE);
	db_bind_int(st, 3, off);
	while (db_step(db, st) == SQLITE_ROW) {
		*id = db_col_int(st, 0);
		*pub = db_col_int(st, 3);
		(void)db_col_text(st, 2);
		n++;
	}
	db_done(db, st);
	return n;
}

/* One page after the key (pub, id); updates them to the page's last row. */
static int
page_keyset(struct db *db, int64_t *pub, int64_t *id)
{
	sqlite3_stmt *st = db_prepare(db, q_keyset);
	int n = 0;

	db_bind_text(st, 1, "pl");
	db_bind_int(st, 2, *pub);
	db_bind_int(st, 3, *id);
	db_bind_int(st, 4, PAGE);
	while (db_step(db, st) == SQLITE_ROW) {
		*id = db_col_int(st, 0);
		*pub = db_col_int(st, 3);
		(void)db_col_text(st, 2);
		n++;
	}
	db_done(db, st);
	return n;
}

static void
fill(struct db *db, int rows)
{
	static const char q[] =
	    "INSERT INTO news (id, slug, lang, title, summary, body, "
	    "published_at, created_at) VALUES (?, ?, 'pl', ?, ?, ?, ?, ?)";
	char slug[32], title[64];
	sqlite3_stmt *st;
	int i;

	db_begin_write(db);
	for (i = 1; i <= rows; i++) {
		snprintf(slug, sizeof(slug), "news-%d", i);
		snprintf(title, sizeof(title), "Nowe okna PCV, seria %d", i);
		st = db_prepare(db, q);
		db_bind_int(st, 1, i);
		db_bind_text(st, 2, slug);
		db_bind_text(st, 3, title);
		db_bind_text(st, 4, "Krótki opis nowości w ofercie.");
		db_bind_text(st, 5, "Treść artykułu, kilka zdań o produkcie, "
		    "cenach i terminach dostaw.");
		db_bind_int(st, 6, 1700000000 + i / 4);	/* 4 per second */
		db_bind_int(st, 7, 1700000000 + i / 4);
		if (db_step(db, st) != SQLITE_DONE)
			exit(1);
		db_done(db, st);
	}
	if (db_commit(db) != SQLITE_OK)
		exit(1);
	db_exec(db, "ANALYZE");
}

static void
bench_prepare(struct db *db)
{
	static const char q[] = "SELECT value FROM meta WHERE key = ?";
	const long n = 10000000;
	sqlite3_stmt *st;
	int64_t t0, t1, t2, t3;
	long i;
	volatile uintptr_t sink = 0;

	st = db_prepare(db, q);		/* miss: prepared once */
	db_done(db, st);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		sink += (uintptr_t)db_prepare(db, q);
	t1 = now_ns();
	for (i = 0; i < n; i++) {
		st = db_prepare(db, q);
		db_done(db, st);
	}
	t2 = now_ns();
	for (i = 0; i < n / 100; i++) {
		sqlite3_prepare_v2(db_handle(db), q, -1, &st, NULL);
		sqlite3_finalize(st);
	}
	t3 = now_ns();
	printf("db_prepare cache hit:            %6.1f ns\n",
	    (double)(t1 - t0) / n);
	printf("db_prepare + db_done (reset):    %6.1f ns\n",
	    (double)(t2 - t1) / n);
	printf("sqlite3_prepare_v2 + finalize:   %6.1f ns\n",
	    (double)(t3 - t2) / (n / 100));
	(void)sink;
}

int
main(int argc, char *argv[])
{
	static const int64_t depths[] = { 0, 1000, 10000, 50000, 99980 };
	struct db *db;
	char path[1024], err[256], side[1100];
	const char *dir = ".";
	int64_t t[REPS], pub, id, t0, toff, tkey, pages;
	int rows = 100000, ch, r, n;
	size_t d;

	while ((ch = getopt(argc, argv, "n:")) != -1) {
		if (ch == 'n')
			rows = atoi(optarg);
		else {
			fprintf(stderr, "usage: keyset_vs_offset [-n ROWS] "
			    "[DIR]\n");
			return 2;
		}
	}
	if (optind < argc)
		dir = argv[optind];
	if (rows < 1000) {
		fprintf(stderr, "keyset_vs_offset: at least 1000 rows\n");
		return 2;
	}
	log_init("keyset_vs_offset", "error");
	snprintf(path, sizeof(path), "%s/keyset.%d.db", dir, (int)getpid());
	unlink(path);
	if ((db = db_open(path, DB_CREATE | DB_NOCHECK, 5000, err,
	    sizeof(err))) == NULL || db_migrate(db, err, sizeof(err)) == -1) {
		fprintf(stderr, "keyset_vs_offset: %s\n", err);
		return 1;
	}
	t0 = now_ns();
	fill(db, rows);
	printf("# %d news rows inserted in %.0f ms; pages of %d; SQLite %s\n",
	    rows, (now_ns() - t0) / 1e6, PAGE, sqlite3_libversion());

	printf("%-8s %12s %12s %8s\n", "depth", "OFFSET ms", "keyset ms",
	    "ratio");
	for (d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
		int64_t off = depths[d] < rows - PAGE ? depths[d] : rows - PAGE;
		int64_t kpub = INT64_MAX, kid = INT64_MAX;

		if (d > 0 && off <= depths[d - 1])
			break;		/* fewer rows than the depth */
		/* the cursor: the last row of the page before */
		if (off > 0) {
			sqlite3_stmt *st = db_prepare(db, q_offset);

			db_bind_text(st, 1, "pl");
			db_bind_int(st, 2, 1);
			db_bind_int(st, 3, off - 1);
			if (db_step(db, st) == SQLITE_ROW) {
				kid = db_col_int(st, 0);
				kpub = db_col_int(st, 3);
			}
			db_done(db, st);
		}
		for (r = 0; r < REPS; r++) {
			t0 = now_ns();
			n = page_offset(db, off, &pub, &id);
			t[r] = now_ns() - t0;
			if (n != PAGE)
				return 1;
		}
		qsort(t, REPS, sizeof(t[0]), cmp_i64);
		toff = t[REPS / 2];
		for (r = 0; r < REPS; r++) {
			int64_t p2 = kpub, i2 = kid;

			t0 = now_ns();
			n = page_keyset(db, &p2, &i2);
			t[r] = now_ns() - t0;
			/* the same page both ways */
			if (n != PAGE || p2 != pub || i2 != id)
				return 1;
		}
		qsort(t, REPS, sizeof(t[0]), cmp_i64);
		tkey = t[REPS / 2];
		printf("%-8lld %12.3f %12.3f %7.0fx\n", (long long)off,
		    toff / 1e6, tkey / 1e6, (double)toff / (double)tkey);
	}

	/* every page, both ways */
	pages = 0;
	t0 = now_ns();
	pub = INT64_MAX;
	id = INT64_MAX;
	while (page_keyset(db, &pub, &id) > 0)
		pages++;
	tkey = now_ns() - t0;
	t0 = now_ns();
	for (int64_t p = 0; p < pages; p++)
		(void)page_offset(db, p * PAGE, &pub, &id);
	toff = now_ns() - t0;
	printf("walk all %lld pages: OFFSET %.0f ms, keyset %.0f ms\n",
	    (long long)pages, toff / 1e6, tkey / 1e6);

	bench_prepare(db);

	db_close(db);
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	return 0;
}
