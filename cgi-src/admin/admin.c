/*
 * admin.c: framuga-admin, the operator's tool for the database and the
 * configuration file.  See framuga-admin(8).
 *
 *	framuga-admin [-v] [-c CONFIG] COMMAND [ARG]
 *
 * How it works: a const table maps each command to its handler, the number
 * of arguments it takes and whether it needs the configuration file read
 * first.  main() parses options, finds the command, reads the configuration
 * (-c, else $FRAMUGA_CONFIG, else SYSCONFDIR/framuga.conf) and runs the
 * handler, whose return value is the exit status: 0 success, 1 a problem
 * found or an operation failed, 2 bad usage.  Results go to stdout, problems
 * to stderr prefixed with the program name.  The log (stderr) is kept at
 * "warn" unless -v asks for the configured log_level.
 *
 * A short-lived program: memory is freed at exit, not before.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "db.h"
#include "log.h"
#include "thumb.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/usr/local/etc"
#endif

#define PROG	"framuga-admin"

struct admin {
	struct config	 cfg;
	const char	*cfg_path;
	int		 argc;		/* command arguments */
	char		**argv;
};

struct command {
	const char	*name;
	const char	*args;		/* for the usage text */
	int		 min, max;	/* number of arguments */
	int		 need_config;
	int		(*run)(struct admin *);
	const char	*help;
};

static int	cmd_migrate(struct admin *);
static int	cmd_backup(struct admin *);
static int	cmd_check(struct admin *);
static int	cmd_config_check(struct admin *);
static int	cmd_config_defaults(struct admin *);
static int	cmd_version(struct admin *);
static int	cmd_status(struct admin *);
static int	cmd_thumbs(struct admin *);

static const struct command commands[] = {
	{ "migrate", "", 0, 0, 1, cmd_migrate,
	    "create the database if missing and apply new migrations" },
	{ "status", "", 0, 0, 1, cmd_status,
	    "schema version of the database against this build" },
	{ "backup", "FILE", 1, 1, 1, cmd_backup,
	    "copy the live database to FILE (which must not exist)" },
	{ "check", "", 0, 0, 1, cmd_check,
	    "integrity and foreign key check; exit 1 on a problem" },
	{ "config-check", "[FILE]", 0, 1, 0, cmd_config_check,
	    "validate a configuration file (default: the one in use)" },
	{ "config-defaults", "", 0, 0, 0, cmd_config_defaults,
	    "print every configuration key with its default" },
	{ "thumbs", "", 0, 0, 1, cmd_thumbs,
	    "make the missing thumbnails of stored product photos" },
	{ "version", "", 0, 0, 0, cmd_version,
	    "program version and the schema version it needs" },
};

#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: " PROG " [-v] [-c CONFIG] COMMAND [ARG]\n\n"
	    "  -c CONFIG  configuration file (default: $FRAMUGA_CONFIG, "
	    "else %s)\n"
	    "  -v         log at the configured log_level (default: "
	    "warnings only)\n\ncommands:\n", SYSCONFDIR "/framuga.conf");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-16s %-7s %s\n", commands[i].name,
		    commands[i].args, commands[i].help);
}

static struct db *
open_db(struct admin *a, int flags)
{
	char err[512];
	struct db *db;

	db = db_open(a->cfg.db_path, flags, a->cfg.busy_timeout_ms, err,
	    sizeof(err));
	if (db == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return NULL;
	}
	if (db_set_cache_kb(db, a->cfg.cache_kb) == -1) {
		db_close(db);
		return NULL;
	}
	return db;
}

static int
cmd_migrate(struct admin *a)
{
	char err[512];
	struct db *db;
	size_t i;
	int before, after, ret = 1;

	if ((db = open_db(a, DB_CREATE | DB_NOCHECK)) == NULL)
		return 1;
	if ((before = db_schema_version(db)) < 0)
		goto out;
	if (db_migrate(db, err, sizeof(err)) == -1) {
		fprintf(stderr, PROG ": %s: %s\n", a->cfg.db_path, err);
		/* Report what did get applied before the failure. */
	}
	after = db_schema_version(db);
	for (i = 0; i < db_migrations_len; i++) {
		const struct db_migration *m = &db_migrations[i];

		if (m->version > before && m->version <= after)
			printf("applied %04d_%s\n", m->version, m->name);
	}
	if (after == db_schema_target()) {
		printf("%s: schema %d%s\n", a->cfg.db_path, after,
		    after == before ? ", up to date" : "");
		ret = 0;
	}
out:
	db_close(db);
	return ret;
}

static int
cmd_status(struct admin *a)
{
	struct db *db;

	/* The same check a worker makes on open: a database that is behind
	 * (or ahead of) this build is refused with the reason. */
	if ((db = open_db(a, DB_READONLY)) == NULL)
		return 1;
	printf("%s: schema %d, up to date\n", a->cfg.db_path,
	    db_schema_version(db));
	db_close(db);
	return 0;
}

/*
 * thumbs: the backfill of the photo thumbnails (C1).  framuga-sync makes
 * them when it stores a photo; this makes the missing ones of every
 * stored photo of a raster type, for files stored before thumbnails
 * existed (or after a failed write).  Idempotent: a photo whose
 * thumbnails are all there is not even read.  Reads the database only,
 * so it may run beside the portal and the sync.  A photo that does not
 * decode is reported and skipped (the page shows its original); exit 1
 * only when the store could not be read or written.
 */
static int
cmd_thumbs(struct admin *a)
{
	static const char q[] =
	    "SELECT DISTINCT sha256 FROM product_file"
	    " WHERE stored = 1 AND kind = 'photo' AND mime IN"
	    " ('image/jpeg', 'image/png', 'image/webp', 'image/gif')"
	    " AND length(sha256) = 64 ORDER BY sha256";
	char path[1024], why[512];
	long photos = 0, made = 0, present = 0, refused = 0, ioerr = 0;
	sqlite3_stmt *st;
	enum thumb_err e;
	struct db *db;
	const char *sha;
	int n, rc;

	if ((db = open_db(a, DB_READONLY)) == NULL)
		return 1;
	if ((st = db_prepare(db, q)) == NULL) {
		fprintf(stderr, PROG ": %s\n", db_errmsg(db));
		db_close(db);
		return 1;
	}
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		sha = db_col_text(st, 0);
		photos++;
		snprintf(path, sizeof(path), "%s/store/%.2s/%s",
		    a->cfg.data_dir, sha, sha);
		e = thumb_make(path, &n, why, sizeof(why));
		if (e == THUMB_OK && n == 0)
			present++;
		else if (e == THUMB_OK)
			made++;
		else {
			fprintf(stderr, PROG ": %s: %s: %s\n", path,
			    thumb_strerror(e), why);
			if (e == THUMB_E_IO)
				ioerr++;
			else
				refused++;
		}
	}
	db_done(db, st);
	db_close(db);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, PROG ": database error listing photos\n");
		return 1;
	}
	printf("thumbnails: %ld photos, %ld made now, %ld had them, "
	    "%ld refused, %ld could not be read or written\n", photos, made,
	    present, refused, ioerr);
	return ioerr > 0 ? 1 : 0;
}

static int
cmd_backup(struct admin *a)
{
	char err[512];
	struct db *db;
	int ret = 0;

	if ((db = open_db(a, DB_NOCHECK)) == NULL)
		return 1;
	if (db_backup(db, a->argv[0], err, sizeof(err)) == -1) {
		fprintf(stderr, PROG ": backup: %s\n", err);
		ret = 1;
	} else
		printf("%s: backed up to %s\n", a->cfg.db_path, a->argv[0]);
	db_close(db);
	return ret;
}

static int
cmd_check(struct admin *a)
{
	struct db *db;
	int n;

	if ((db = open_db(a, DB_NOCHECK)) == NULL)
		return 1;
	n = db_check(db);
	db_close(db);
	if (n == 0) {
		printf("%s: ok\n", a->cfg.db_path);
		return 0;
	}
	if (n > 0)
		fprintf(stderr, PROG ": %s: %d problem%s\n", a->cfg.db_path, n,
		    n == 1 ? "" : "s");
	else
		fprintf(stderr, PROG ": %s: could not run the checks\n",
		    a->cfg.db_path);
	return 1;
}

static void
print_problem(void *arg, const char *msg)
{
	int *n = arg;

	(*n)++;
	fprintf(stderr, "%s\n", msg);
}

static int
cmd_config_check(struct admin *a)
{
	const char *path = a->argc > 0 ? a->argv[0] : a->cfg_path;
	struct config c;
	char err[512];
	int n = 0, rc;

	cfg_defaults(&c);
	rc = cfg_load_report(&c, path, err, sizeof(err), print_problem, &n);
	cfg_free(&c);
	if (rc == 0) {
		printf("%s: ok\n", path);
		return 0;
	}
	fprintf(stderr, PROG ": %s: %d error%s\n", path, n, n == 1 ? "" : "s");
	return 1;
}

static int
cmd_config_defaults(struct admin *a)
{
	cfg_print_defaults();
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

static int
cmd_version(struct admin *a)
{
	const struct db_migration *m;

	printf(PROG " (" PACKAGE_NAME ") " PACKAGE_VERSION "\n");
	if (db_migrations_len > 0) {
		m = &db_migrations[db_migrations_len - 1];
		printf("schema %d (%04d_%s)\n", db_schema_target(),
		    m->version, m->name);
	}
	printf("SQLite %s\n", sqlite3_libversion());
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
	struct admin a;
	const struct command *cmd = NULL;
	const char *env;
	char err[512];
	size_t i;
	int ch, verbose = 0, ret;

	memset(&a, 0, sizeof(a));
	if ((env = getenv("FRAMUGA_CONFIG")) != NULL && *env != '\0')
		a.cfg_path = env;
	else
		a.cfg_path = SYSCONFDIR "/framuga.conf";

	while ((ch = getopt(argc, argv, "c:hv")) != -1) {
		switch (ch) {
		case 'c':
			a.cfg_path = optarg;
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
	if (argc == 0) {
		fprintf(stderr, PROG ": no command given\n");
		usage(stderr);
		return 2;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		fprintf(stderr, PROG ": unknown command '%s'\n", argv[0]);
		usage(stderr);
		return 2;
	}
	a.argc = argc - 1;
	a.argv = argv + 1;
	if (a.argc < cmd->min || a.argc > cmd->max) {
		fprintf(stderr, PROG ": %s takes %s\n", cmd->name,
		    cmd->max == 0 ? "no arguments" : cmd->args);
		usage(stderr);
		return 2;
	}

	cfg_defaults(&a.cfg);
	if (cmd->need_config && cfg_load_report(&a.cfg, a.cfg_path, err,
	    sizeof(err), print_config_error, NULL) == -1)
		return 1;
	log_init(PROG, verbose ? a.cfg.log_level : "warn");
	ret = cmd->run(&a);
	cfg_free(&a.cfg);
	return ret;
}
