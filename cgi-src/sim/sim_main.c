/*
 * sim_main.c: oknoerp-sim's entry point: picks the subcommand and parses
 * the options common to all (--db) and those of serve and generate; the
 * operator verbs and fault knobs parse their own (sim_op.c).
 *
 *   oknoerp-sim serve --db FILE --listen ADDR:PORT [--user U --password P]
 *                     [--port-file F] [--verbose]
 *   oknoerp-sim generate --db FILE [--products N] [--customers N]
 *                     [--individual-prices N] [--warehouses N] [--orders N]
 *                     [--seed S]
 *   oknoerp-sim op --db FILE VERB [options]
 *   oknoerp-sim fault --db FILE KIND|list|clear [options]
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "log.h"
#include "sim.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: oknoerp-sim serve --db FILE --listen ADDR:PORT"
	    " [--user U --password P] [--port-file F] [--verbose]\n"
	    "       oknoerp-sim generate --db FILE [--products N]"
	    " [--customers N] [--individual-prices N]\n"
	    "                  [--warehouses N] [--orders N] [--seed S]\n"
	    "       oknoerp-sim op --db FILE VERB [options]   (op help)\n"
	    "       oknoerp-sim fault --db FILE KIND|list|clear [--rate P]"
	    " [--count N] [--op OPERATION]\n"
	    "                  [--ms N] [--status N] [--code CODE]\n");
	exit(2);
}

static long
num(const char *opt, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s ? s : "", &end, 10);
	if (s == NULL || errno || *end || v < 0) {
		fprintf(stderr, "oknoerp-sim: %s wants a number\n", opt);
		exit(2);
	}
	return v;
}

/* Find --db anywhere in argv and remove it; NULL if absent. */
static const char *
take_db(int *argc, char **argv)
{
	const char *db = NULL;
	int i, o = 0;

	for (i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < *argc) {
			db = argv[++i];
			continue;
		}
		argv[o++] = argv[i];
	}
	*argc = o;
	argv[o] = NULL;
	return db;
}

int
main(int argc, char **argv)
{
	const char *cmd, *db;
	int i;

	if (argc < 2)
		usage();
	cmd = argv[1];
	argc -= 2;
	argv += 2;
	db = take_db(&argc, argv);
	if (db == NULL) {
		fprintf(stderr, "oknoerp-sim: --db FILE is required\n");
		usage();
	}
	xmlInitParser();
	log_init("oknoerp-sim", getenv("OKNOERP_SIM_LOG"));

	if (strcmp(cmd, "serve") == 0) {
		const char *listen = NULL, *user = NULL, *pass = NULL;
		const char *port_file = NULL;

		for (i = 0; i < argc; i++) {
			const char *v = i + 1 < argc ? argv[i + 1] : NULL;

			if (strcmp(argv[i], "--listen") == 0 && v)
				listen = argv[++i];
			else if (strcmp(argv[i], "--user") == 0 && v)
				user = argv[++i];
			else if (strcmp(argv[i], "--password") == 0 && v)
				pass = argv[++i];
			else if (strcmp(argv[i], "--port-file") == 0 && v)
				port_file = argv[++i];
			else if (strcmp(argv[i], "--verbose") == 0)
				log_init(NULL, "debug");
			else
				usage();
		}
		if (listen == NULL)
			usage();
		if ((user == NULL) != (pass == NULL)) {
			fprintf(stderr, "oknoerp-sim: --user and --password"
			    " go together\n");
			return 2;
		}
		return sim_serve(db, listen, user, pass, port_file);
	}
	if (strcmp(cmd, "generate") == 0) {
		struct gen_opts o = { 2000, 200, 20000, 5, 200, 1 };

		for (i = 0; i < argc; i++) {
			const char *v = i + 1 < argc ? argv[i + 1] : NULL;

			if (v == NULL)
				usage();
			if (strcmp(argv[i], "--products") == 0)
				o.products = num(argv[i], v);
			else if (strcmp(argv[i], "--customers") == 0)
				o.customers = num(argv[i], v);
			else if (strcmp(argv[i], "--individual-prices") == 0)
				o.individual = num(argv[i], v);
			else if (strcmp(argv[i], "--warehouses") == 0)
				o.warehouses = num(argv[i], v);
			else if (strcmp(argv[i], "--orders") == 0)
				o.orders = num(argv[i], v);
			else if (strcmp(argv[i], "--seed") == 0)
				o.seed = (uint64_t)num(argv[i], v);
			else
				usage();
			i++;
		}
		if (o.products < 10 || o.customers < 1 || o.warehouses < 1 ||
		    o.warehouses > 50) {
			fprintf(stderr, "oknoerp-sim: need at least 10 products,"
			    " 1 customer and 1..50 warehouses\n");
			return 2;
		}
		return sim_generate(db, &o) == 0 ? 0 : 1;
	}
	if (strcmp(cmd, "op") == 0)
		return sim_op(db, argc, argv);
	if (strcmp(cmd, "fault") == 0)
		return sim_fault(db, argc, argv);
	usage();
	return 2;
}
