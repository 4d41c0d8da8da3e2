/*
 * schedule.h: the schedule of framuga-sync's operations (features I3, J5),
 * shared by framuga-sync and the CMS control panel.
 *
 * Each operation (products, prices, order_push ...) is a row of
 * sync_operation (db/0002_erp.sql): enabled, interval, next run, a one-off
 * "run once at", and a lock.  These functions are the only writers of
 * those columns, so the control panel and the command line behave alike:
 *
 *   due        (enabled AND next_run_at <= now) OR run_once_at <= now.
 *              A run-once fires even when the operation is disabled: it is
 *              an explicit request ("run once after a delay"), and
 *              disabling only stops the interval schedule.
 *   after a run
 *              run_once_at is cleared if it had fired; next_run_at =
 *              start + interval after a good run (so a run taking longer
 *              than its interval is due again at once, never twice at
 *              once), or, after a failed one, end + back-off: 30 s doubling
 *              per consecutive failure, capped at the interval, at least
 *              the ERP's retry_after.
 *   interval   hh:mm:ss, 00:00:01 to 999:59:59; changing it moves
 *              next_run_at to the last start + the new interval (an
 *              operation that never ran stays due when it was).
 *   run now    = run once in 0 seconds: the next cron tick (each minute)
 *              runs it.  A web request never talks to the ERP itself.
 *   lock       lock_owner "pid@host#random" until lock_until; taking it
 *              succeeds when it is free or expired (a crashed run's lock
 *              simply runs out; the run it left 'running' is closed as
 *              failed).  The holder renews it with every batch it commits
 *              and gives up at once if the renewal finds it taken.
 *
 * The clock is sched_now(): sched_clock if set (tests, the CMS's own
 * clock), else $FRAMUGA_NOW (unix seconds; the e2e tests move time with
 * it), else time(NULL).
 *
 * Everything takes the caller's struct db (opened after fork) and returns
 * 0, or -1 with a reason in err (which is also the message to show a
 * person); lists are allocated from the caller's arena.  Writes are one
 * short BEGIN IMMEDIATE transaction each; nothing here touches the network.
 */
#ifndef FRAMUGA_SCHEDULE_H
#define FRAMUGA_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct arena;

#define SCHED_INTERVAL_MAX	3599999		/* 999:59:59 */
#define SCHED_BACKOFF_MIN	30
#define SCHED_NAME_MAX		32

/* The clock; NULL: $FRAMUGA_NOW or time(NULL). */
extern int64_t	(*sched_clock)(void);
int64_t		 sched_now(void);

/* "hh:mm:ss" to seconds in *out: hours of 1 to 3 digits (0-999), minutes
 * and seconds of exactly two digits (00-59), nothing else (no spaces, no
 * sign).  The total must be 1..SCHED_INTERVAL_MAX.  0 or -1. */
int		 sched_hms_parse(const char *s, int64_t *out);
/* Seconds to "hh:mm:ss" (at least two hour digits). */
void		 sched_hms_format(int64_t secs, char *buf, size_t bufsz);

/* One operation as the control panel shows it. */
struct sched_op {
	char	 name[SCHED_NAME_MAX];
	int	 enabled;
	int64_t	 interval_s;
	int64_t	 next_run_at;
	int64_t	 run_once_at;	/* 0: none */
	char	 lock_owner[128];	/* "" : not running */
	int64_t	 lock_until;
	int64_t	 last_full_at;	/* 0: never */
	int64_t	 backlog;
	int64_t	 failures;	/* consecutive failed runs */
	int64_t	 open_failures;	/* records waiting for a retry */
	/* the last run (id 0: never ran) */
	int64_t	 last_run_id;
	int64_t	 last_started_at;
	int64_t	 last_finished_at;
	int64_t	 last_duration_ms;
	char	 last_status[16];
	int64_t	 last_fetched, last_upserted, last_deleted, last_failed,
		 last_acked;
	char	 last_error[256];
};

/* Pure decisions (unit tested). */
int		 sched_is_due(const struct sched_op *, int64_t now);
int64_t		 sched_next_run(int64_t started, int64_t finished,
		    int64_t interval_s, int64_t failures, int64_t retry_after);

/* Every operation in run order (the arena owns the array). */
int		 sched_list(struct db *, struct arena *, struct sched_op **out,
		    size_t *n, char *err, size_t errsz);
/* One operation; -1 with "no such operation" if unknown. */
int		 sched_get(struct db *, const char *name, struct sched_op *out,
		    char *err, size_t errsz);

/* Control panel actions. */
int		 sched_set_interval(struct db *, const char *name,
		    int64_t interval_s, char *err, size_t errsz);
int		 sched_set_enabled(struct db *, const char *name, int on,
		    char *err, size_t errsz);
/* Run once delay_s seconds from now (0: at the next tick). */
int		 sched_run_once_in(struct db *, const char *name,
		    int64_t delay_s, char *err, size_t errsz);
int		 sched_run_once_cancel(struct db *, const char *name,
		    char *err, size_t errsz);

/* Run history, newest first: runs with id < before (0: from the newest). */
struct sched_run {
	int64_t	 id;
	char	 operation[SCHED_NAME_MAX];
	int64_t	 started_at, finished_at, duration_ms;
	char	 status[16];
	char	 mode[16];
	int64_t	 fetched, upserted, deleted, failed, acked;
	char	 error[256];
};
int		 sched_runs(struct db *, struct arena *, const char *name,
		    int64_t before, int limit, struct sched_run **out,
		    size_t *n, char *err, size_t errsz);

/* Open per-record failures of an operation (name NULL: all). */
struct sched_failure {
	int64_t	 id;
	char	 operation[SCHED_NAME_MAX];
	char	 entity[16];
	char	 uuid[64];
	char	 reason[256];
	int64_t	 attempts, first_at, last_at, next_retry_at;
};
int		 sched_failures(struct db *, struct arena *, const char *name,
		    int limit, struct sched_failure **out, size_t *n,
		    char *err, size_t errsz);
/* "Retry" button: retry the failure at the operation's next run (id 0:
 * every open failure of name), and ask for that run now. */
int		 sched_failure_retry(struct db *, const char *name, int64_t id,
		    char *err, size_t errsz);
/* Re-send an order (J3, I2): a 'failed' outbox row goes back to 'queued'
 * (the next push looks it up in the ERP first); order_push runs at the
 * next tick. */
int		 sched_outbox_resend(struct db *, const char *order_no,
		    char *err, size_t errsz);

/* ---- for framuga-sync itself ---- */

/* Take the lock of name for owner until now + lease_s.  0 taken; 1 held
 * by another (why says by whom and until when); -1 error.  A stale lock
 * taken over closes the run it left behind. */
int		 sched_lock(struct db *, const char *name, const char *owner,
		    int64_t lease_s, char *why, size_t whysz);
/* Renew inside the caller's write transaction: 0, or -1 when the lock is
 * no longer the owner's (the caller must roll back and stop). */
int		 sched_lock_renew(struct db *, const char *name,
		    const char *owner, int64_t lease_s);
void		 sched_unlock(struct db *, const char *name, const char *owner);
/* A fresh lock owner "pid@host#16 hex" into buf. */
void		 sched_owner(char *buf, size_t bufsz);

/* Open a run row ('running'); its id, or -1. */
int64_t		 sched_run_begin(struct db *, const char *name,
		    const char *mode);
struct sched_counts {
	int64_t	 fetched, upserted, deleted, failed, acked;
};
/* Close the run and move the schedule (see the top of this file); status
 * "ok", "partial" or "failed"; backlog < 0 leaves it alone. */
int		 sched_run_end(struct db *, const char *name, int64_t run_id,
		    const char *status, const struct sched_counts *,
		    const char *error, int64_t duration_ms, int64_t started,
		    int64_t retry_after, int64_t backlog);

#endif
