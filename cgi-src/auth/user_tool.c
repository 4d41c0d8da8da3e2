/*
 * user_tool.c: framuga-user, accounts from the command line: the first
 * administrator of a new installation, the demo's logins, and disabling a
 * user at once (which ends all their sessions).
 *
 *	framuga-user [-c config] add --email E --name N --password-stdin
 *	    (--staff ROLE | --customer ERP_UUID_OR_CODE --role ROLE)
 *	    [--lang pl|en|de]
 *	framuga-user [-c config] disable EMAIL
 *	framuga-user [-c config] enable EMAIL
 *	framuga-user [-c config] roles
 *
 * The password is read from the first line of standard input (never from
 * the command line, where ps(1) shows it) and must pass the same rules as
 * in the portal.  Every change is in the audit log (ip "cli").  Exit
 * status: 0 done, 1 refused or failed (a message says why), 2 usage.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../auth/auth.h"
#include "cfg.h"
#include "db.h"
#include "log.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: framuga-user [-c config] add --email E --name N "
	    "--password-stdin\n"
	    "           (--staff ROLE | --customer ERP_UUID_OR_CODE --role ROLE)"
	    " [--lang L]\n"
	    "       framuga-user [-c config] disable EMAIL\n"
	    "       framuga-user [-c config] enable EMAIL\n"
	    "       framuga-user [-c config] roles\n");
	exit(2);
}

static int64_t
customer_find(struct db *db, const char *key)
{
	static const char q[] =
	    "SELECT id FROM customer WHERE erp_uuid = ?1 OR code = ?1"
	    " ORDER BY erp_uuid = ?1 DESC LIMIT 1";
	sqlite3_stmt *st = db_prepare(db, q);
	int64_t id = 0;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, key);
	if (db_step(db, st) == SQLITE_ROW)
		id = db_col_int(st, 0);
	db_done(db, st);
	return id;
}

static int64_t
user_find(struct db *db, const char *email)
{
	static const char q[] = "SELECT id FROM user WHERE email = ?";
	sqlite3_stmt *st = db_prepare(db, q);
	int64_t id = 0;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, email);
	if (db_step(db, st) == SQLITE_ROW)
		id = db_col_int(st, 0);
	db_done(db, st);
	return id;
}

static int
cmd_add(struct db *db, const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "email", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "password-stdin", no_argument, NULL, 'p' },
		{ "staff", required_argument, NULL, 's' },
		{ "customer", required_argument, NULL, 'C' },
		{ "role", required_argument, NULL, 'r' },
		{ "lang", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct auth_new_user nu;
	const char *customer = NULL, *staff = NULL, *role = NULL;
	char pw[1024];
	int ch, pw_stdin = 0, rc;
	int64_t id;
	size_t n;

	memset(&nu, 0, sizeof(nu));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 'e': nu.email = optarg; break;
		case 'n': nu.name = optarg; break;
		case 'p': pw_stdin = 1; break;
		case 's': staff = optarg; break;
		case 'C': customer = optarg; break;
		case 'r': role = optarg; break;
		case 'l': nu.lang = optarg; break;
		default: usage();
		}
	if (optind != argc || nu.email == NULL || nu.name == NULL ||
	    !pw_stdin || (staff == NULL) == (customer == NULL) ||
	    (customer != NULL && role == NULL) || (staff && role))
		usage();
	if (fgets(pw, sizeof(pw), stdin) == NULL) {
		fprintf(stderr, "framuga-user: no password on standard input\n");
		return 1;
	}
	n = strlen(pw);
	while (n > 0 && (pw[n - 1] == '\n' || pw[n - 1] == '\r'))
		pw[--n] = '\0';
	if (auth_password_check(pw) != AUTH_PW_FINE) {
		fprintf(stderr, "framuga-user: password refused: %s\n",
		    auth_password_problem_text(auth_password_check(pw)));
		return 1;
	}
	nu.password = pw;
	if (customer != NULL) {
		if ((nu.customer_id = customer_find(db, customer)) <= 0) {
			fprintf(stderr, "framuga-user: no customer with ERP "
			    "uuid or code '%s'\n", customer);
			return 1;
		}
		nu.role = role;
	} else
		nu.role = staff;
	rc = auth_user_create(db, NULL, cfg, &nu, &id);
	memset(pw, 0, sizeof(pw));
	switch (rc) {
	case AUTH_OK:
		printf("user %" PRId64 " %s\n", id, nu.email);
		return 0;
	case AUTH_EXISTS:
		fprintf(stderr, "framuga-user: %s already has an account\n",
		    nu.email);
		return 1;
	case AUTH_INVALID:
		fprintf(stderr, "framuga-user: refused: check the address, the "
		    "name and that role '%s' exists for a %s user "
		    "(framuga-user roles)\n", nu.role, customer ? "customer" :
		    "staff");
		return 1;
	default:
		fprintf(stderr, "framuga-user: could not create the user\n");
		return 1;
	}
}

static int
cmd_disable(struct db *db, const char *email, int disabled)
{
	int64_t id = user_find(db, email);

	if (id <= 0) {
		fprintf(stderr, "framuga-user: no user %s\n", email);
		return 1;
	}
	if (auth_user_set_disabled(db, NULL, id, disabled) != AUTH_OK) {
		fprintf(stderr, "framuga-user: could not change %s\n", email);
		return 1;
	}
	printf("%s %s%s\n", email, disabled ? "disabled" : "enabled",
	    disabled ? ", sessions ended" : "");
	return 0;
}

static int
cmd_roles(struct db *db)
{
	static const char q[] =
	    "SELECT r.name, r.scope, group_concat(p.perm, ' ') FROM role r"
	    " LEFT JOIN role_perm p ON p.role_id = r.id"
	    " GROUP BY r.id ORDER BY r.scope, r.name";
	sqlite3_stmt *st = db_prepare(db, q);

	if (st == NULL)
		return 1;
	while (db_step(db, st) == SQLITE_ROW)
		printf("%-16s %-9s %s\n", db_col_text(st, 0),
		    db_col_text(st, 1), db_col_text(st, 2));
	db_done(db, st);
	return 0;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct db *db;
	const char *path = getenv("FRAMUGA_CONFIG");
	char err[512];
	int rc;

	if (path == NULL || *path == '\0')
		path = SYSCONFDIR "/framuga.conf";
	if (argc >= 3 && strcmp(argv[1], "-c") == 0) {
		path = argv[2];
		argc -= 2, argv += 2;
	}
	if (argc < 2)
		usage();
	log_init("framuga-user", "warn");
	cfg_defaults(&cfg);
	if (cfg_load(&cfg, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "framuga-user: %s\n", err);
		return 1;
	}
	if ((db = db_open(cfg.db_path, 0, cfg.busy_timeout_ms, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "framuga-user: %s\n", err);
		return 1;
	}
	if (strcmp(argv[1], "add") == 0)
		rc = cmd_add(db, &cfg, argc - 1, argv + 1);
	else if (strcmp(argv[1], "disable") == 0 && argc == 3)
		rc = cmd_disable(db, argv[2], 1);
	else if (strcmp(argv[1], "enable") == 0 && argc == 3)
		rc = cmd_disable(db, argv[2], 0);
	else if (strcmp(argv[1], "roles") == 0 && argc == 2)
		rc = cmd_roles(db);
	else
		usage();
	db_close(db);
	cfg_free(&cfg);
	return rc;
}
