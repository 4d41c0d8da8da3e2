/*
 * schedule.c: the schedule, locks and run log of framuga-sync's operations;
 * see schedule.h for the rules.  Linked into libframuga so that the CMS
 * control panel (J5) calls the very functions the command line does.
 *
 * How it works: every function is a few constant SQL statements over
 * sync_operation, sync_run, sync_failure and order_outbox through db.h.
 * The decisions that need no database (is it due, when next, parsing
 * hh:mm:ss) are pure functions, unit tested in tests/unit/test_sync.c.
 * A write is one BEGIN IMMEDIATE transaction; a lock is taken with one
 * conditional UPDATE, so two processes can never both hold it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "arena.h"
#include "db.h"
#include "log.h"
#include "schedule.h"
#include "util.h"

int64_t (*sched_clock)(void);

int64_t
sched_now(void)
{
	const char *s;
	char *end;
	long long v;

	if (sched_clock != NULL)
		return sched_clock();
	if ((s = getenv("FRAMUGA_NOW")) != NULL && *s != '\0') {
		v = strtoll(s, &end, 10);
		if (*end == '\0' && v > 0)
			return v;
	}
	return (int64_t)time(NULL);
}

int
sched_hms_parse(const char *s, int64_t *out)
{
	int64_t h = 0, m, sec;
	int nh = 0;

	*out = 0;
	if (s == NULL)
		return -1;
	while (*s >= '0' && *s <= '9' && nh < 4) {
		h = h * 10 + (*s++ - '0');
		nh++;
	}
	if (nh < 1 || nh > 3 || *s++ != ':')
		return -1;
	if (s[0] < '0' || s[0] > '5' || s[1] < '0' || s[1] > '9' ||
	    s[2] != ':')
		return -1;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	s += 3;
	if (s[0] < '0' || s[0] > '5' || s[1] < '0' || s[1] > '9' ||
	    s[2] != '\0')
		return -1;
	sec = (s[0] - '0') * 10 + (s[1] - '0');
	*out = h * 3600 + m * 60 + sec;
	if (*out < 1 || *out > SCHED_INTERVAL_MAX) {
		*out = 0;
		return -1;
	}
	return 0;
}

void
sched_hms_format(int64_t secs, char *buf, size_t bufsz)
{
	if (secs < 0)
		secs = 0;
	snprintf(buf, bufsz, "%02lld:%02lld:%02lld", (long long)(secs / 3600),
	    (long long)(secs / 60 % 60), (long long)(secs % 60));
}

int
sched_is_due(const struct sched_op *op, int64_t now)
{
	if (op->enabled && op->next_run_at <= now)
		return 1;
	return op->run_once_at > 0 && op->run_once_at <= now;
}

int64_t
sched_next_run(int64_t started, int64_t finished, int64_t interval,
    int64_t failures, int64_t retry_after)
{
	int64_t wait;

	if (failures <= 0)
		return started + interval;
	wait = SCHED_BACKOFF_MIN;
	while (--failures > 0 && wait < interval)
		wait *= 2;
	if (wait > interval)
		wait = interval;
	if (wait < retry_after)
		wait = retry_after;
	return finished + wait;
}

static void
copy(char *dst, size_t dstsz, const char *src)
{
	snprintf(dst, dstsz, "%s", src != NULL ? src : "");
}

/* ---- reading ---- */

static const char sql_ops[] =
    "SELECT o.name, o.enabled, o.interval_s, o.next_run_at,"
    " ifnull(o.run_once_at, 0), ifnull(o.lock_owner, ''),"
    " ifnull(o.lock_until, 0), ifnull(o.last_full_at, 0), o.backlog,"
    " o.failures,"
    " (SELECT count(*) FROM sync_failure f WHERE f.operation = o.name"
    "   AND f.resolved = 0),"
    " ifnull(r.id, 0), ifnull(r.started_at, 0), ifnull(r.finished_at, 0),"
    " ifnull(r.duration_ms, 0), ifnull(r.status, ''), ifnull(r.fetched, 0),"
    " ifnull(r.upserted, 0), ifnull(r.deleted, 0), ifnull(r.failed, 0),"
    " ifnull(r.acked, 0), ifnull(r.error, '')"
    " FROM sync_operation o LEFT JOIN sync_run r ON r.id = o.last_run_id"
    " ORDER BY o.sort, o.name";

static const char sql_op_one[] =
    "SELECT o.name, o.enabled, o.interval_s, o.next_run_at,"
    " ifnull(o.run_once_at, 0), ifnull(o.lock_owner, ''),"
    " ifnull(o.lock_until, 0), ifnull(o.last_full_at, 0), o.backlog,"
    " o.failures,"
    " (SELECT count(*) FROM sync_failure f WHERE f.operation = o.name"
    "   AND f.resolved = 0),"
    " ifnull(r.id, 0), ifnull(r.started_at, 0), ifnull(r.finished_at, 0),"
    " ifnull(r.duration_ms, 0), ifnull(r.status, ''), ifnull(r.fetched, 0),"
    " ifnull(r.upserted, 0), ifnull(r.deleted, 0), ifnull(r.failed, 0),"
    " ifnull(r.acked, 0), ifnull(r.error, '')"
    " FROM sync_operation o LEFT JOIN sync_run r ON r.id = o.last_run_id"
    " WHERE o.name = ?";

static void
op_row(sqlite3_stmt *st, struct sched_op *op)
{
	memset(op, 0, sizeof(*op));
	copy(op->name, sizeof(op->name), db_col_text(st, 0));
	op->enabled = (int)db_col_int(st, 1);
	op->interval_s = db_col_int(st, 2);
	op->next_run_at = db_col_int(st, 3);
	op->run_once_at = db_col_int(st, 4);
	copy(op->lock_owner, sizeof(op->lock_owner), db_col_text(st, 5));
	op->lock_until = db_col_int(st, 6);
	op->last_full_at = db_col_int(st, 7);
	op->backlog = db_col_int(st, 8);
	op->failures = db_col_int(st, 9);
	op->open_failures = db_col_int(st, 10);
	op->last_run_id = db_col_int(st, 11);
	op->last_started_at = db_col_int(st, 12);
	op->last_finished_at = db_col_int(st, 13);
	op->last_duration_ms = db_col_int(st, 14);
	copy(op->last_status, sizeof(op->last_status), db_col_text(st, 15));
	op->last_fetched = db_col_int(st, 16);
	op->last_upserted = db_col_int(st, 17);
	op->last_deleted = db_col_int(st, 18);
	op->last_failed = db_col_int(st, 19);
	op->last_acked = db_col_int(st, 20);
	copy(op->last_error, sizeof(op->last_error), db_col_text(st, 21));
}

int
sched_list(struct db *db, struct arena *a, struct sched_op **out, size_t *n,
    char *err, size_t errsz)
{
	sqlite3_stmt *st;
	struct sched_op *v = NULL, *nv;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = db_prepare(db, sql_ops)) == NULL) {
		util_errf(err, errsz, "cannot read the schedule");
		return -1;
	}
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			nv = arena_alloc(a, cap * sizeof(*v));
			if (*n > 0)
				memcpy(nv, v, *n * sizeof(*v));
			v = nv;
		}
		op_row(st, &v[(*n)++]);
	}
	db_done(db, st);
	if (rc != SQLITE_DONE) {
		util_errf(err, errsz, "cannot read the schedule");
		return -1;
	}
	*out = v;
	return 0;
}

int
sched_get(struct db *db, const char *name, struct sched_op *out, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(db, sql_op_one)) == NULL) {
		util_errf(err, errsz, "cannot read the schedule");
		return -1;
	}
	db_bind_text(st, 1, name);
	rc = db_step(db, st);
	if (rc == SQLITE_ROW)
		op_row(st, out);
	db_done(db, st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE && err != NULL)
		snprintf(err, errsz, "no such operation: %s", name);
	else
		util_errf(err, errsz, "cannot read the schedule");
	return -1;
}

/* ---- changing ---- */

/* Run the prepared statement st with (name, a, b) binds as its own write
 * transaction (st is done here); a statement with fewer parameters gets
 * only its own.  It must touch one row; 0 if it did. */
static int
op_update(struct db *db, sqlite3_stmt *st, const char *name, int64_t a,
    int64_t b, char *err, size_t errsz)
{
	int rc, changed, nparam;

	if (st == NULL) {
		util_errf(err, errsz, "cannot write the schedule");
		return -1;
	}
	if ((rc = db_begin_write(db)) != SQLITE_OK) {
		db_done(db, st);
		util_errf(err, errsz, rc == SQLITE_BUSY ?
		    "the database is busy, try again" :
		    "cannot write the schedule");
		return -1;
	}
	nparam = sqlite3_bind_parameter_count(st);
	db_bind_text(st, 1, name);
	if (nparam >= 2)
		db_bind_int(st, 2, a);
	if (nparam >= 3)
		db_bind_int(st, 3, b);
	rc = db_step_done(db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	changed = db_changes(db);
	if (db_commit(db) != SQLITE_OK) {
		util_errf(err, errsz, "cannot write the schedule");
		return -1;
	}
	if (changed == 0) {
		if (err != NULL)
			snprintf(err, errsz, "no such operation: %s", name);
		return -1;
	}
	return 0;
fail:
	db_rollback(db);
	util_errf(err, errsz, "cannot write the schedule");
	return -1;
}

int
sched_set_interval(struct db *db, const char *name, int64_t interval_s,
    char *err, size_t errsz)
{
	/* The new interval counts from the last start; an operation that
	 * never ran stays due when it was. */
	static const char sql[] =
	    "UPDATE sync_operation SET interval_s = ?2,"
	    " next_run_at = ifnull((SELECT started_at FROM sync_run"
	    "   WHERE id = last_run_id) + ?2, next_run_at)"
	    " WHERE name = ?1";

	if (interval_s < 1 || interval_s > SCHED_INTERVAL_MAX) {
		util_errf(err, errsz, "the interval must be between "
		    "00:00:01 and 999:59:59");
		return -1;
	}
	return op_update(db, db_prepare(db, sql), name, interval_s,
	    sched_now(), err, errsz);
}

int
sched_set_enabled(struct db *db, const char *name, int on, char *err,
    size_t errsz)
{
	static const char sql[] =
	    "UPDATE sync_operation SET enabled = ?2 WHERE name = ?1";

	return op_update(db, db_prepare(db, sql), name, on ? 1 : 0, 0, err,
	    errsz);
}

int
sched_run_once_in(struct db *db, const char *name, int64_t delay_s,
    char *err, size_t errsz)
{
	static const char sql[] =
	    "UPDATE sync_operation SET run_once_at = ?2 WHERE name = ?1";

	if (delay_s < 0 || delay_s > SCHED_INTERVAL_MAX) {
		util_errf(err, errsz, "the delay must be between 0 and 3599999 "
		    "seconds");
		return -1;
	}
	return op_update(db, db_prepare(db, sql), name, sched_now() + delay_s,
	    0, err, errsz);
}

int
sched_run_once_cancel(struct db *db, const char *name, char *err,
    size_t errsz)
{
	static const char sql[] =
	    "UPDATE sync_operation SET run_once_at = NULL WHERE name = ?1";

	return op_update(db, db_prepare(db, sql), name, 0, 0, err, errsz);
}

int
sched_runs(struct db *db, struct arena *a, const char *name, int64_t before,
    int limit, struct sched_run **out, size_t *n, char *err, size_t errsz)
{
	static const char sql[] =
	    "SELECT id, operation, started_at, ifnull(finished_at, 0),"
	    " ifnull(duration_ms, 0), status, mode, fetched, upserted, deleted,"
	    " failed, acked, error FROM sync_run"
	    " WHERE (?1 IS NULL OR operation = ?1) AND id < ?2"
	    " ORDER BY id DESC LIMIT ?3";
	sqlite3_stmt *st;
	struct sched_run *v, *r;
	int rc;

	*n = 0;
	if (limit <= 0 || limit > 1000)
		limit = 50;
	v = arena_calloc(a, (size_t)limit, sizeof(*v));
	*out = v;
	if ((st = db_prepare(db, sql)) == NULL) {
		util_errf(err, errsz, "cannot read the run log");
		return -1;
	}
	db_bind_text(st, 1, name);
	db_bind_int(st, 2, before > 0 ? before : INT64_MAX);
	db_bind_int(st, 3, limit);
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		r = &v[(*n)++];
		r->id = db_col_int(st, 0);
		copy(r->operation, sizeof(r->operation), db_col_text(st, 1));
		r->started_at = db_col_int(st, 2);
		r->finished_at = db_col_int(st, 3);
		r->duration_ms = db_col_int(st, 4);
		copy(r->status, sizeof(r->status), db_col_text(st, 5));
		copy(r->mode, sizeof(r->mode), db_col_text(st, 6));
		r->fetched = db_col_int(st, 7);
		r->upserted = db_col_int(st, 8);
		r->deleted = db_col_int(st, 9);
		r->failed = db_col_int(st, 10);
		r->acked = db_col_int(st, 11);
		copy(r->error, sizeof(r->error), db_col_text(st, 12));
	}
	db_done(db, st);
	if (rc != SQLITE_DONE) {
		util_errf(err, errsz, "cannot read the run log");
		return -1;
	}
	return 0;
}

int
sched_failures(struct db *db, struct arena *a, const char *name, int limit,
    struct sched_failure **out, size_t *n, char *err, size_t errsz)
{
	static const char sql[] =
	    "SELECT id, operation, entity, uuid, reason, attempts, first_at,"
	    " last_at, next_retry_at FROM sync_failure"
	    " WHERE resolved = 0 AND (?1 IS NULL OR operation = ?1)"
	    " ORDER BY id LIMIT ?2";
	sqlite3_stmt *st;
	struct sched_failure *v, *f;
	int rc;

	*n = 0;
	if (limit <= 0 || limit > 10000)
		limit = 100;
	v = arena_calloc(a, (size_t)limit, sizeof(*v));
	*out = v;
	if ((st = db_prepare(db, sql)) == NULL) {
		util_errf(err, errsz, "cannot read the failures");
		return -1;
	}
	db_bind_text(st, 1, name);
	db_bind_int(st, 2, limit);
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		f = &v[(*n)++];
		f->id = db_col_int(st, 0);
		copy(f->operation, sizeof(f->operation), db_col_text(st, 1));
		copy(f->entity, sizeof(f->entity), db_col_text(st, 2));
		copy(f->uuid, sizeof(f->uuid), db_col_text(st, 3));
		copy(f->reason, sizeof(f->reason), db_col_text(st, 4));
		f->attempts = db_col_int(st, 5);
		f->first_at = db_col_int(st, 6);
		f->last_at = db_col_int(st, 7);
		f->next_retry_at = db_col_int(st, 8);
	}
	db_done(db, st);
	if (rc != SQLITE_DONE) {
		util_errf(err, errsz, "cannot read the failures");
		return -1;
	}
	return 0;
}

int
sched_failure_retry(struct db *db, const char *name, int64_t id, char *err,
    size_t errsz)
{
	static const char sql_one[] =
	    "UPDATE sync_failure SET next_retry_at = 0"
	    " WHERE operation = ? AND id = ? AND resolved = 0";
	static const char sql_all[] =
	    "UPDATE sync_failure SET next_retry_at = 0"
	    " WHERE operation = ? AND resolved = 0 AND ? = 0";
	static const char sql_now[] =
	    "UPDATE sync_operation SET run_once_at = ? WHERE name = ?";
	sqlite3_stmt *st;
	int rc, changed;

	if ((rc = db_begin_write(db)) != SQLITE_OK) {
		util_errf(err, errsz, rc == SQLITE_BUSY ?
		    "the database is busy, try again" : "cannot write");
		return -1;
	}
	if (id > 0)
		st = db_prepare(db, sql_one);
	else
		st = db_prepare(db, sql_all);
	if (st == NULL)
		goto fail;
	db_bind_text(st, 1, name);
	db_bind_int(st, 2, id);
	rc = db_step_done(db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	changed = db_changes(db);
	if ((st = db_prepare(db, sql_now)) == NULL)
		goto fail;
	db_bind_int(st, 1, sched_now());
	db_bind_text(st, 2, name);
	rc = db_step_done(db, st);
	if (rc != SQLITE_DONE || db_commit(db) != SQLITE_OK)
		goto fail;
	if (changed == 0 && id > 0) {
		util_errf(err, errsz, "no such open failure");
		return -1;
	}
	return 0;
fail:
	db_rollback(db);
	util_errf(err, errsz, "cannot write");
	return -1;
}

int
sched_outbox_resend(struct db *db, const char *order_no, char *err,
    size_t errsz)
{
	static const char sql[] =
	    "UPDATE order_outbox SET state = 'queued', next_attempt_at = 0,"
	    " lookup_first = 1, updated_at = ?2"
	    " WHERE order_no = ?1 AND state = 'failed'";
	static const char sql_now[] =
	    "UPDATE sync_operation SET run_once_at = ?3"
	    " WHERE name = ?1 AND ?2 = ?2";	/* ?2: unused, keeps ?3 */

	if (op_update(db, db_prepare(db, sql), order_no, sched_now(), 0, NULL,
	    0) == -1) {
		util_errf(err, errsz, "no failed order with that number");
		return -1;
	}
	return op_update(db, db_prepare(db, sql_now), "order_push", 0,
	    sched_now(), err, errsz);
}

/* ---- locks ---- */

void
sched_owner(char *buf, size_t bufsz)
{
	unsigned char r[8];
	char host[64];
	size_t i, got = 0;
	ssize_t k;

	while (got < sizeof(r)) {
		k = getrandom(r + got, sizeof(r) - got, 0);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	if (got < sizeof(r)) {
		/* no randomness: time and pid still make it unique enough
		 * together with the host */
		uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);

		memcpy(r, &t, sizeof(r));
	}
	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(buf, bufsz, "%ld@%s#", (long)getpid(), host);
	for (i = 0; i < sizeof(r); i++) {
		size_t len = strlen(buf);

		snprintf(buf + len, bufsz - len, "%02x", r[i]);
	}
}

int
sched_lock(struct db *db, const char *name, const char *owner,
    int64_t lease_s, char *why, size_t whysz)
{
	static const char sql_read[] =
	    "SELECT ifnull(lock_owner, ''), ifnull(lock_until, 0), last_run_id"
	    " FROM sync_operation WHERE name = ?";
	static const char sql_take[] =
	    "UPDATE sync_operation SET lock_owner = ?2, lock_until = ?3"
	    " WHERE name = ?1 AND (lock_owner IS NULL OR lock_until <= ?4)";
	static const char sql_abandon[] =
	    "UPDATE sync_run SET status = 'failed', finished_at = ?2,"
	    " duration_ms = (?2 - started_at) * 1000, error = ?3"
	    " WHERE id = ?1 AND status = 'running'";
	sqlite3_stmt *st;
	char old[128] = "", msg[256];
	int64_t until = 0, last_run = 0, now = sched_now();
	int rc, found = 0;

	if ((rc = db_begin_write(db)) != SQLITE_OK) {
		util_errf(why, whysz, "database busy");
		return rc == SQLITE_BUSY ? 1 : -1;
	}
	if ((st = db_prepare(db, sql_read)) == NULL)
		goto fail;
	db_bind_text(st, 1, name);
	if ((rc = db_step(db, st)) == SQLITE_ROW) {
		found = 1;
		copy(old, sizeof(old), db_col_text(st, 0));
		until = db_col_int(st, 1);
		last_run = db_col_int(st, 2);
	}
	db_done(db, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto fail;
	if (!found) {
		db_rollback(db);
		if (why != NULL)
			snprintf(why, whysz, "no such operation: %s", name);
		return -1;
	}
	if (old[0] != '\0' && until > now) {
		db_rollback(db);
		if (why != NULL)
			snprintf(why, whysz, "%s is already running (lock held "
			    "by %s for %lld s more)", name, old,
			    (long long)(until - now));
		return 1;
	}
	if ((st = db_prepare(db, sql_take)) == NULL)
		goto fail;
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, owner);
	db_bind_int(st, 3, now + lease_s);
	db_bind_int(st, 4, now);
	rc = db_step_done(db, st);
	if (rc != SQLITE_DONE || db_changes(db) != 1)
		goto fail;
	if (old[0] != '\0') {
		/* a stale lock: its run died; close what it left open */
		snprintf(msg, sizeof(msg), "abandoned: the lock of %s expired",
		    old);
		if ((st = db_prepare(db, sql_abandon)) == NULL)
			goto fail;
		db_bind_int(st, 1, last_run);
		db_bind_int(st, 2, now);
		db_bind_text(st, 3, msg);
		rc = db_step_done(db, st);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	if (db_commit(db) != SQLITE_OK) {
		util_errf(why, whysz, "cannot take the lock");
		return -1;
	}
	if (old[0] != '\0')
		log_warn("%s: took over the stale lock of %s (expired %lld s "
		    "ago)", name, old, (long long)(now - until));
	return 0;
fail:
	db_rollback(db);
	util_errf(why, whysz, "cannot take the lock");
	return -1;
}

int
sched_lock_renew(struct db *db, const char *name, const char *owner,
    int64_t lease_s)
{
	static const char sql[] =
	    "UPDATE sync_operation SET lock_until = ?3"
	    " WHERE name = ?1 AND lock_owner = ?2";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, owner);
	db_bind_int(st, 3, sched_now() + lease_s);
	rc = db_step_done(db, st);
	if (rc != SQLITE_DONE || db_changes(db) != 1)
		return -1;
	return 0;
}

void
sched_unlock(struct db *db, const char *name, const char *owner)
{
	static const char sql[] =
	    "UPDATE sync_operation SET lock_owner = NULL, lock_until = NULL"
	    " WHERE name = ?1 AND lock_owner = ?2";
	sqlite3_stmt *st;

	if (db_begin_write(db) != SQLITE_OK)
		return;	/* the lock expires by itself */
	if ((st = db_prepare(db, sql)) != NULL) {
		db_bind_text(st, 1, name);
		db_bind_text(st, 2, owner);
		db_step(db, st);
		db_done(db, st);
	}
	if (db_commit(db) != SQLITE_OK)
		db_rollback(db);
}

/* ---- the run log ---- */

int64_t
sched_run_begin(struct db *db, const char *name, const char *mode)
{
	static const char sql_ins[] =
	    "INSERT INTO sync_run (operation, started_at, mode)"
	    " VALUES (?, ?, ?)";
	static const char sql_op[] =
	    "UPDATE sync_operation SET last_run_id = ? WHERE name = ?";
	sqlite3_stmt *st;
	int64_t id;
	int rc;

	if (db_begin_write(db) != SQLITE_OK)
		return -1;
	if ((st = db_prepare(db, sql_ins)) == NULL)
		goto fail;
	db_bind_text(st, 1, name);
	db_bind_int(st, 2, sched_now());
	db_bind_text(st, 3, mode);
	rc = db_step_done(db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	id = db_last_rowid(db);
	if ((st = db_prepare(db, sql_op)) == NULL)
		goto fail;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, name);
	rc = db_step_done(db, st);
	if (rc != SQLITE_DONE || db_commit(db) != SQLITE_OK)
		goto fail;
	return id;
fail:
	db_rollback(db);
	return -1;
}

int
sched_run_end(struct db *db, const char *name, int64_t run_id,
    const char *status, const struct sched_counts *n, const char *error,
    int64_t duration_ms, int64_t started, int64_t retry_after,
    int64_t backlog)
{
	static const char sql_run[] =
	    "UPDATE sync_run SET finished_at = ?2, duration_ms = ?3,"
	    " status = ?4, fetched = ?5, upserted = ?6, deleted = ?7,"
	    " failed = ?8, acked = ?9, error = ?10 WHERE id = ?1";
	static const char sql_read[] =
	    "SELECT interval_s, failures, ifnull(run_once_at, 0)"
	    " FROM sync_operation WHERE name = ?";
	static const char sql_op[] =
	    "UPDATE sync_operation SET next_run_at = ?2, failures = ?3,"
	    " run_once_at = CASE WHEN run_once_at <= ?4 THEN NULL"
	    "   ELSE run_once_at END,"
	    " backlog = CASE WHEN ?5 >= 0 THEN ?5 ELSE backlog END"
	    " WHERE name = ?1";
	sqlite3_stmt *st;
	int64_t now = sched_now(), interval = 60, failures = 0;
	int rc, failed = strcmp(status, "failed") == 0;

	if (db_begin_write(db) != SQLITE_OK)
		return -1;
	if ((st = db_prepare(db, sql_run)) == NULL)
		goto fail;
	db_bind_int(st, 1, run_id);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, duration_ms);
	db_bind_text(st, 4, status);
	db_bind_int(st, 5, n->fetched);
	db_bind_int(st, 6, n->upserted);
	db_bind_int(st, 7, n->deleted);
	db_bind_int(st, 8, n->failed);
	db_bind_int(st, 9, n->acked);
	db_bind_text(st, 10, error != NULL ? error : "");
	rc = db_step_done(db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	if ((st = db_prepare(db, sql_read)) == NULL)
		goto fail;
	db_bind_text(st, 1, name);
	if ((rc = db_step(db, st)) == SQLITE_ROW) {
		interval = db_col_int(st, 0);
		failures = db_col_int(st, 1);
	}
	db_done(db, st);
	if (rc != SQLITE_ROW)
		goto fail;
	failures = failed ? failures + 1 : 0;
	if ((st = db_prepare(db, sql_op)) == NULL)
		goto fail;
	db_bind_text(st, 1, name);
	db_bind_int(st, 2, sched_next_run(started, now, interval, failures,
	    retry_after));
	db_bind_int(st, 3, failures);
	db_bind_int(st, 4, started);
	db_bind_int(st, 5, backlog);
	rc = db_step_done(db, st);
	if (rc != SQLITE_DONE || db_commit(db) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}
