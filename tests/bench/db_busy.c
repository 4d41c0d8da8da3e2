/*
 * db_busy.c: write contention on one SQLite file, SQLite's busy handler
 * against ours (db.c).  Prints figures; never passes or fails on time.
 *
 *	tests/bench/db_busy [-p PROCS] [-s SECONDS] [-t THINK_US] [DIR]
 *
 * How it works: for each handler in turn, a fresh migrated database is made
 * in DIR (default "."; use a real disk, not tmpfs, or synchronous=FULL costs
 * nothing), then PROCS processes are forked.  Each opens its own connection
 * after the fork (db_open: WAL, synchronous=FULL), waits at a start line,
 * and for SECONDS runs small write transactions back to back
 * (db_begin_write, one INSERT into mail_outbox, db_commit), optionally
 * sleeping THINK_US between them as a request would while it renders.  The
 * latency of each transaction, wait for the lock included, goes into shared
 * memory; the parent merges them and prints commits/s, p50, p99 and max,
 * and the transactions that gave up with SQLITE_BUSY after busy_ms (5 s).
 *
 * "sqlite" is sqlite3_busy_timeout(5000), which sleeps 1, 2, 5, 10, 15, 20,
 * 25, 25, 25, 50, 50, 100 ms...; "framuga" is db.c's handler, which sleeps
 * 50 us growing to 1 ms.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "log.h"

#define MAXLAT	(1 << 20)	/* latencies kept per process */
#define BUSY_MS	5000

struct proc_result {
	uint64_t	n;		/* commits */
	uint64_t	busy;		/* gave up with SQLITE_BUSY */
	uint64_t	errors;
	uint64_t	busy_calls;	/* our handler only */
	uint32_t	lat[MAXLAT];	/* us */
};

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
child(const char *path, int ours, int seconds, int think_us, int startfd,
    struct proc_result *r)
{
	static const char q_ins[] =
	    "INSERT INTO mail_outbox (created_at, to_addr, subject, "
	    "body_text) VALUES (?, 'bench@example.com', 'bench', ?)";
	struct db *db;
	sqlite3_stmt *st;
	char err[256], c;
	int64_t t0, end;
	int rc;

	if ((db = db_open(path, 0, BUSY_MS, err, sizeof(err))) == NULL) {
		fprintf(stderr, "db_busy: %s\n", err);
		_exit(1);
	}
	if (!ours)
		sqlite3_busy_timeout(db_handle(db), BUSY_MS);
	(void)!read(startfd, &c, 1);	/* returns at EOF: the start */
	end = now_us() + (int64_t)seconds * 1000000;
	while ((t0 = now_us()) < end) {
		rc = db_begin_write(db);
		if (rc == SQLITE_BUSY) {
			r->busy++;
			continue;
		}
		if (rc != SQLITE_OK) {
			r->errors++;
			continue;
		}
		st = db_prepare(db, q_ins);
		db_bind_int(st, 1, t0 / 1000000);
		db_bind_text(st, 2, "a small body, as a queued mail would be");
		rc = db_step(db, st);
		db_done(db, st);
		if (rc != SQLITE_DONE) {
			db_rollback(db);
			r->errors++;
			continue;
		}
		if (db_commit(db) != SQLITE_OK) {
			r->errors++;
			continue;
		}
		if (r->n < MAXLAT)
			r->lat[r->n] = (uint32_t)(now_us() - t0);
		r->n++;
		if (think_us > 0)
			usleep((useconds_t)think_us);
	}
	{
		struct db_stats s;

		db_stats(db, &s);
		r->busy_calls = s.busy_calls;
	}
	db_close(db);
	_exit(0);
}

static int
run(const char *dir, int ours, int procs, int seconds, int think_us)
{
	struct proc_result *res;
	char path[1024], err[256], side[1100];
	uint32_t *all;
	uint64_t total = 0, busy = 0, errors = 0, calls = 0, k = 0;
	struct db *db;
	size_t sz = sizeof(struct proc_result) * (size_t)procs;
	pid_t *pids;
	int fds[2], i, st;

	snprintf(path, sizeof(path), "%s/db_busy.%d.db", dir, (int)getpid());
	unlink(path);
	if ((db = db_open(path, DB_CREATE | DB_NOCHECK, BUSY_MS, err,
	    sizeof(err))) == NULL || db_migrate(db, err, sizeof(err)) == -1) {
		fprintf(stderr, "db_busy: %s\n", err);
		return -1;
	}
	db_close(db);	/* nothing open across fork */

	res = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (res == MAP_FAILED || pipe(fds) == -1) {
		perror("db_busy");
		return -1;
	}
	memset(res, 0, sz);
	pids = calloc((size_t)procs, sizeof(*pids));
	for (i = 0; i < procs; i++) {
		if ((pids[i] = fork()) == 0) {
			close(fds[1]);
			child(path, ours, seconds, think_us, fds[0], &res[i]);
		}
		if (pids[i] == -1) {
			perror("fork");
			return -1;
		}
	}
	close(fds[0]);
	usleep(200000);		/* let every child open */
	close(fds[1]);		/* go */
	for (i = 0; i < procs; i++)
		waitpid(pids[i], &st, 0);

	for (i = 0; i < procs; i++) {
		total += res[i].n;
		busy += res[i].busy;
		errors += res[i].errors;
		calls += res[i].busy_calls;
	}
	all = malloc(sizeof(*all) * (total ? total : 1));
	for (i = 0; i < procs; i++) {
		uint64_t n = res[i].n < MAXLAT ? res[i].n : MAXLAT;

		memcpy(all + k, res[i].lat, n * sizeof(*all));
		k += n;
	}
	qsort(all, k, sizeof(*all), cmp_u32);
	printf("%-8s %6d %10.0f %9.2f %9.2f %9.2f %6llu %6llu",
	    ours ? "framuga" : "sqlite", procs, (double)total / seconds,
	    k ? all[k / 2] / 1000.0 : 0, k ? all[k * 99 / 100] / 1000.0 : 0,
	    k ? all[k - 1] / 1000.0 : 0, (unsigned long long)busy,
	    (unsigned long long)errors);
	if (ours)
		printf("  (%llu handler sleeps)", (unsigned long long)calls);
	printf("\n");
	fflush(stdout);

	free(all);
	free(pids);
	munmap(res, sz);
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	return 0;
}

int
main(int argc, char *argv[])
{
	int ch, procs = 8, seconds = 3, think_us = 0;
	const char *dir = ".";

	while ((ch = getopt(argc, argv, "p:s:t:")) != -1) {
		switch (ch) {
		case 'p':
			procs = atoi(optarg);
			break;
		case 's':
			seconds = atoi(optarg);
			break;
		case 't':
			think_us = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: db_busy [-p PROCS] [-s SECONDS] "
			    "[-t THINK_US] [DIR]\n");
			return 2;
		}
	}
	if (optind < argc)
		dir = argv[optind];
	if (procs < 1 || procs > 256 || seconds < 1) {
		fprintf(stderr, "db_busy: bad -p or -s\n");
		return 2;
	}
	log_init("db_busy", "error");
	printf("# %d processes, %d s each, think %d us, synchronous=FULL, "
	    "WAL, dir %s, SQLite %s\n", procs, seconds, think_us, dir,
	    sqlite3_libversion());
	printf("%-8s %6s %10s %9s %9s %9s %6s %6s\n", "handler", "procs",
	    "commits/s", "p50 ms", "p99 ms", "max ms", "busy", "errors");
	if (run(dir, 0, procs, seconds, think_us) == -1 ||
	    run(dir, 1, procs, seconds, think_us) == -1)
		return 1;
	return 0;
}
