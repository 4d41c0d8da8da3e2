/*
 * main.c: framuga-sync, the cron-driven integrator with OknoERP.  See
 * framuga-sync(8) and doc/sync.md.
 *
 *	framuga-sync [-v] [-c CONFIG] --due
 *	framuga-sync [-v] [-c CONFIG] run OPERATION [--full]
 *	framuga-sync [-c CONFIG] status
 *	framuga-sync [-c CONFIG] schedule OPERATION --interval hh:mm:ss |
 *	    --enable | --disable | --once-in SECONDS | --cancel-once
 *	framuga-sync [-c CONFIG] runs [OPERATION]
 *	framuga-sync [-c CONFIG] failures [OPERATION]
 *	framuga-sync [-c CONFIG] retry OPERATION [ID]
 *	framuga-sync [-c CONFIG] resend ORDER_NO
 *
 * How it works: main() reads the configuration (-c, else $FRAMUGA_CONFIG,
 * else SYSCONFDIR/framuga.conf), opens the database (which must be at this
 * build's schema), and for --due and run an ERP client, then hands over to
 * runner.c (one operation) or schedule.c (the schedule commands, the same
 * functions the CMS control panel calls).  Exit status: 0 success (or
 * nothing due), 1 a run failed or a command was refused, 2 bad usage,
 * 75 (EX_TEMPFAIL) the operation is already running elsewhere.
 *
 * A short-lived program: memory is freed at exit.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "cfg.h"
#include "db.h"
#include "erp.h"
#include "log.h"
#include "schedule.h"
#include "sync.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/usr/local/etc"
#endif

#define PROG		"framuga-sync"
#define EX_TEMPFAIL	75

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " [-v] [-c CONFIG] --due\n"
	    "       " PROG " [-v] [-c CONFIG] run OPERATION [--full]\n"
	    "       " PROG " [-c CONFIG] status\n"
	    "       " PROG " [-c CONFIG] schedule OPERATION --interval hh:mm:ss"
	    " | --enable\n"
	    "              | --disable | --once-in SECONDS | --cancel-once\n"
	    "       " PROG " [-c CONFIG] runs [OPERATION]\n"
	    "       " PROG " [-c CONFIG] failures [OPERATION]\n"
	    "       " PROG " [-c CONFIG] retry OPERATION [ID]\n"
	    "       " PROG " [-c CONFIG] resend ORDER_NO\n");
}

static int
env_int(const char *name, int def, int lo, int hi)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return def;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < lo || v > hi) {
		log_warn("%s=%s ignored (%d-%d)", name, s, lo, hi);
		return def;
	}
	return (int)v;
}

static void
fmt_time(int64_t t, char *buf, size_t bufsz)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0) {
		snprintf(buf, bufsz, "-");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(buf, bufsz, "%Y-%m-%d %H:%M:%S", &tm);
}

/* ---- the commands that run operations ---- */

static struct erp *
open_erp(const struct config *cfg)
{
	struct erp_config ec;
	struct erp *erp;
	char err[256];

	memset(&ec, 0, sizeof(ec));
	ec.url = cfg->erp_url;
	ec.user = cfg->erp_user;
	ec.password = cfg->erp_password;
	ec.ca_file = cfg->erp_ca_file;
	ec.timeout_s = cfg->erp_timeout_s;
	if ((erp = erp_open(&ec, err, sizeof(err))) == NULL)
		fprintf(stderr, PROG ": %s\n", err);
	else if (strncmp(cfg->erp_url, "http://", 7) == 0 &&
	    *cfg->erp_user != '\0' && strstr(cfg->erp_url, "://127.") == NULL &&
	    strstr(cfg->erp_url, "://localhost") == NULL)
		log_warn("erp_url is plain http: the ERP password travels in "
		    "clear; use https");
	return erp;
}

static int
cmd_due(struct db *db, const struct config *cfg,
    const struct sync_opts *opts)
{
	struct arena *a = arena_new(0);
	struct sched_op *ops;
	struct erp *erp = NULL;
	char err[256];
	size_t n, i;
	int64_t now;
	int ret = 0, auth = 0, r;

	if (sched_list(db, a, &ops, &n, err, sizeof(err)) == -1) {
		fprintf(stderr, PROG ": %s\n", err);
		arena_free(a);
		return 1;
	}
	now = sched_now();
	for (i = 0; i < n && !auth; i++) {
		if (!sched_is_due(&ops[i], now))
			continue;
		if (!sync_op_known(ops[i].name)) {
			log_warn("unknown operation %s in the schedule",
			    ops[i].name);
			continue;
		}
		if (erp == NULL && (erp = open_erp(cfg)) == NULL) {
			ret = 1;
			break;
		}
		r = sync_run_op(db, erp, cfg, opts, ops[i].name, &auth);
		if (r == -1)
			ret = 1;
	}
	if (auth)
		log_err("the ERP refused our credentials (AUTH): stopped this "
		    "pass; check erp_user and erp_password");
	erp_close(erp);
	arena_free(a);
	return ret;
}

static int
cmd_run(struct db *db, const struct config *cfg, struct sync_opts *opts,
    int argc, char **argv)
{
	struct erp *erp;
	int r;

	if (argc < 1 || argc > 2 || (argc == 2 && strcmp(argv[1], "--full"))) {
		usage(stderr);
		return 2;
	}
	if (!sync_op_known(argv[0])) {
		fprintf(stderr, PROG ": no such operation: %s\n", argv[0]);
		return 2;
	}
	opts->force_full = argc == 2;
	if ((erp = open_erp(cfg)) == NULL)
		return 1;
	r = sync_run_op(db, erp, cfg, opts, argv[0], NULL);
	erp_close(erp);
	if (r == 1) {
		fprintf(stderr, PROG ": %s is running already; not started\n",
		    argv[0]);
		return EX_TEMPFAIL;
	}
	return r == 0 ? 0 : 1;
}

/* ---- the commands that read or change the schedule ---- */

static int64_t
outbox_left(struct db *db)
{
	static const char sql[] =
	    "SELECT count(*) FROM order_outbox WHERE state IN ('queued',"
	    " 'sending')";
	sqlite3_stmt *st;
	int64_t n = 0;

	if ((st = db_prepare(db, sql)) == NULL)
		return 0;
	if (db_step(db, st) == SQLITE_ROW)
		n = db_col_int(st, 0);
	db_done(db, st);
	return n;
}

static int
cmd_status(struct db *db)
{
	struct arena *a = arena_new(0);
	struct sched_op *ops, *o;
	char err[256], iv[16], last[24], next[24], dur[16];
	size_t n, i;
	int64_t now = sched_now(), backlog;

	if (sched_list(db, a, &ops, &n, err, sizeof(err)) == -1) {
		fprintf(stderr, PROG ": %s\n", err);
		arena_free(a);
		return 1;
	}
	printf("%-11s %-3s %-9s %-19s %-8s %8s %8s %8s %7s %6s %-19s %7s %5s\n",
	    "OPERATION", "ON", "INTERVAL", "LAST RUN (UTC)", "STATUS", "TIME",
	    "FETCHED", "CHANGED", "DELETED", "FAILED", "NEXT RUN (UTC)",
	    "BACKLOG", "OPEN");
	for (i = 0; i < n; i++) {
		o = &ops[i];
		sched_hms_format(o->interval_s, iv, sizeof(iv));
		fmt_time(o->last_started_at, last, sizeof(last));
		if (o->lock_owner[0] != '\0' && o->lock_until > now)
			snprintf(next, sizeof(next), "running");
		else if (o->run_once_at > 0 && (!o->enabled ||
		    o->run_once_at < o->next_run_at))
			fmt_time(o->run_once_at, next, sizeof(next));
		else if (o->enabled)
			fmt_time(o->next_run_at < now ? now : o->next_run_at,
			    next, sizeof(next));
		else
			snprintf(next, sizeof(next), "disabled");
		if (o->last_run_id != 0)
			snprintf(dur, sizeof(dur), "%.1fs",
			    (double)o->last_duration_ms / 1000.0);
		else
			snprintf(dur, sizeof(dur), "-");
		backlog = strcmp(o->name, "order_push") == 0 ?
		    outbox_left(db) : o->backlog;
		printf("%-11s %-3s %-9s %-19s %-8s %8s %8lld %8lld %7lld %6lld "
		    "%-19s %7lld %5lld\n", o->name, o->enabled ? "yes" : "no",
		    iv, last, o->last_status[0] != '\0' ? o->last_status : "-",
		    dur, (long long)o->last_fetched,
		    (long long)o->last_upserted, (long long)o->last_deleted,
		    (long long)o->last_failed, next, (long long)backlog,
		    (long long)o->open_failures);
	}
	for (i = 0; i < n; i++)
		if (ops[i].last_error[0] != '\0' &&
		    strcmp(ops[i].last_status, "ok") != 0)
			printf("%s: %s\n", ops[i].name, ops[i].last_error);
	arena_free(a);
	return 0;
}

static int
cmd_schedule(struct db *db, int argc, char **argv)
{
	char err[256], *end;
	int64_t v;
	long long d;
	int r;

	if (argc < 2 || argc > 3) {
		usage(stderr);
		return 2;
	}
	if (!sync_op_known(argv[0])) {
		fprintf(stderr, PROG ": no such operation: %s\n", argv[0]);
		return 2;
	}
	if (strcmp(argv[1], "--interval") == 0 && argc == 3) {
		if (sched_hms_parse(argv[2], &v) == -1) {
			fprintf(stderr, PROG ": bad interval \"%s\": give "
			    "hh:mm:ss, 00:00:01 to 999:59:59\n", argv[2]);
			return 2;
		}
		r = sched_set_interval(db, argv[0], v, err, sizeof(err));
	} else if (strcmp(argv[1], "--once-in") == 0 && argc == 3) {
		d = strtoll(argv[2], &end, 10);
		if (*argv[2] == '\0' || *end != '\0' || d < 0 ||
		    d > SCHED_INTERVAL_MAX) {
			fprintf(stderr, PROG ": bad delay \"%s\": give "
			    "seconds, 0 to %d\n", argv[2], SCHED_INTERVAL_MAX);
			return 2;
		}
		r = sched_run_once_in(db, argv[0], d, err, sizeof(err));
	} else if (strcmp(argv[1], "--enable") == 0 && argc == 2)
		r = sched_set_enabled(db, argv[0], 1, err, sizeof(err));
	else if (strcmp(argv[1], "--disable") == 0 && argc == 2)
		r = sched_set_enabled(db, argv[0], 0, err, sizeof(err));
	else if (strcmp(argv[1], "--cancel-once") == 0 && argc == 2)
		r = sched_run_once_cancel(db, argv[0], err, sizeof(err));
	else {
		usage(stderr);
		return 2;
	}
	if (r == -1) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	return 0;
}

static int
cmd_runs(struct db *db, int argc, char **argv)
{
	struct arena *a = arena_new(0);
	struct sched_run *v;
	char err[256], t[24];
	size_t n, i;

	if (sched_runs(db, a, argc > 0 ? argv[0] : NULL, 0, 50, &v, &n, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, PROG ": %s\n", err);
		arena_free(a);
		return 1;
	}
	printf("%-7s %-11s %-19s %-8s %-8s %9s %8s %8s %7s %6s %7s  %s\n",
	    "RUN", "OPERATION", "STARTED (UTC)", "MODE", "STATUS", "TIME",
	    "FETCHED", "CHANGED", "DELETED", "FAILED", "ACKED", "ERROR");
	for (i = 0; i < n; i++) {
		fmt_time(v[i].started_at, t, sizeof(t));
		printf("%-7lld %-11s %-19s %-8s %-8s %8.1fs %8lld %8lld %7lld "
		    "%6lld %7lld  %s\n", (long long)v[i].id, v[i].operation, t,
		    v[i].mode, v[i].status,
		    (double)v[i].duration_ms / 1000.0, (long long)v[i].fetched,
		    (long long)v[i].upserted, (long long)v[i].deleted,
		    (long long)v[i].failed, (long long)v[i].acked,
		    v[i].error);
	}
	arena_free(a);
	return 0;
}

static int
cmd_failures(struct db *db, int argc, char **argv)
{
	struct arena *a = arena_new(0);
	struct sched_failure *v;
	char err[256], t[24];
	size_t n, i;

	if (sched_failures(db, a, argc > 0 ? argv[0] : NULL, 1000, &v, &n,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, PROG ": %s\n", err);
		arena_free(a);
		return 1;
	}
	printf("%-6s %-11s %-9s %-36s %4s %-19s  %s\n", "ID", "OPERATION",
	    "ENTITY", "UUID", "TRY", "LAST (UTC)", "REASON");
	for (i = 0; i < n; i++) {
		fmt_time(v[i].last_at, t, sizeof(t));
		printf("%-6lld %-11s %-9s %-36s %4lld %-19s  %s\n",
		    (long long)v[i].id, v[i].operation, v[i].entity, v[i].uuid,
		    (long long)v[i].attempts, t, v[i].reason);
	}
	arena_free(a);
	return 0;
}

static int
cmd_retry(struct db *db, int argc, char **argv)
{
	char err[256], *end;
	long long id = 0;

	if (argc < 1 || argc > 2) {
		usage(stderr);
		return 2;
	}
	if (argc == 2) {
		id = strtoll(argv[1], &end, 10);
		if (*end != '\0' || id <= 0) {
			fprintf(stderr, PROG ": bad failure id \"%s\"\n",
			    argv[1]);
			return 2;
		}
	}
	if (sched_failure_retry(db, argv[0], id, err, sizeof(err)) == -1) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	return 0;
}

static int
cmd_resend(struct db *db, int argc, char **argv)
{
	char err[256];

	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	if (sched_outbox_resend(db, argv[0], err, sizeof(err)) == -1) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	return 0;
}

static void
print_config_error(void *arg, const char *msg)
{
	fprintf(stderr, PROG ": %s\n", msg);
}

int
main(int argc, char *argv[])
{
	struct config cfg;
	struct sync_opts opts;
	struct db *db;
	const char *cfg_path, *env, *cmd;
	char err[512];
	int ch, verbose = 0, due = 0, ret = 2;

	if ((env = getenv("FRAMUGA_CONFIG")) != NULL && *env != '\0')
		cfg_path = env;
	else
		cfg_path = SYSCONFDIR "/framuga.conf";

	/* --due is the cron form; it may come before or after -c */
	for (ch = 1; ch < argc; ch++)
		if (strcmp(argv[ch], "--due") == 0) {
			due = 1;
			memmove(&argv[ch], &argv[ch + 1],
			    (size_t)(argc - ch) * sizeof(*argv));
			argc--;
			break;
		}
	while ((ch = getopt(argc, argv, "+c:hv")) != -1) {
		switch (ch) {
		case 'c':
			cfg_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			verbose = 1;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (due == (argc > 0)) {
		usage(stderr);
		return 2;
	}
	cmd = due ? "--due" : argv[0];
	if (!due) {
		argc--;
		argv++;
	}

	cfg_defaults(&cfg);
	if (cfg_load_report(&cfg, cfg_path, err, sizeof(err),
	    print_config_error, NULL) == -1)
		return 1;
	log_init(PROG, verbose ? "debug" : cfg.log_level);

	memset(&opts, 0, sizeof(opts));
	opts.page = env_int("FRAMUGA_SYNC_PAGE", 1000, 1, 1000);
	opts.budget_s = env_int("FRAMUGA_SYNC_BUDGET", 300, 1, 86400);
	opts.lease_s = env_int("FRAMUGA_SYNC_LEASE", 600, 10, 86400);
	opts.retry_max = env_int("FRAMUGA_SYNC_RETRY_MAX", 500, 1, 100000);
	opts.docs_max = env_int("FRAMUGA_SYNC_DOCS_MAX", 200, 1, 100000);
	opts.push_max = env_int("FRAMUGA_SYNC_PUSH_MAX", 2000, 1, 100000);
	/* a lease must outlast the longest request */
	if (opts.lease_s < cfg.erp_timeout_s * 3)
		opts.lease_s = cfg.erp_timeout_s * 3;

	if ((db = db_open(cfg.db_path, 0, cfg.busy_timeout_ms, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		cfg_free(&cfg);
		return 1;
	}
	if (db_set_cache_kb(db, cfg.cache_kb) == -1) {
		db_close(db);
		cfg_free(&cfg);
		return 1;
	}

	if (due)
		ret = cmd_due(db, &cfg, &opts);
	else if (strcmp(cmd, "run") == 0)
		ret = cmd_run(db, &cfg, &opts, argc, argv);
	else if (strcmp(cmd, "status") == 0 && argc == 0)
		ret = cmd_status(db);
	else if (strcmp(cmd, "schedule") == 0)
		ret = cmd_schedule(db, argc, argv);
	else if (strcmp(cmd, "runs") == 0 && argc <= 1)
		ret = cmd_runs(db, argc, argv);
	else if (strcmp(cmd, "failures") == 0 && argc <= 1)
		ret = cmd_failures(db, argc, argv);
	else if (strcmp(cmd, "retry") == 0)
		ret = cmd_retry(db, argc, argv);
	else if (strcmp(cmd, "resend") == 0)
		ret = cmd_resend(db, argc, argv);
	else {
		fprintf(stderr, PROG ": unknown command '%s'\n", cmd);
		usage(stderr);
		ret = 2;
	}
	db_close(db);
	cfg_free(&cfg);
	return ret;
}
