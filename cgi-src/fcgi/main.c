/*
 * main.c: framuga-fcgi, the FastCGI worker pool that nginx talks to.
 *
 *	framuga-fcgi [-c config] [-n workers] [-t seconds] -f
 *
 * Reads the options, picks the configuration file (-c, else
 * $FRAMUGA_CONFIG, else SYSCONFDIR/framuga.conf) and hands over to
 * pool_run() (pool.c), which does the work.  The program runs in the
 * foreground and logs to stderr; putting it in the background is the
 * supervisor's job (nginx/framuga-fcgi.service), so -f is required for now:
 * a later background mode would need a log destination other than stderr.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "pool.h"

#define EX_USAGE_	64

static void
usage(void)
{
	fprintf(stderr, "usage: framuga-fcgi [-c config] [-n workers] "
	    "[-t stop-timeout] -f\n");
	exit(EX_USAGE_);
}

/* A decimal in [lo, hi], or usage(). */
static int
number(const char *s, int lo, int hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		usage();
	return (int)v;
}

int
main(int argc, char *argv[])
{
	struct pool_opts opts = { NULL, 0, 0 };
	int ch, foreground = 0;

	opts.config_path = getenv("FRAMUGA_CONFIG");
	if (opts.config_path == NULL || *opts.config_path == '\0')
		opts.config_path = SYSCONFDIR "/framuga.conf";
	while ((ch = getopt(argc, argv, "c:fn:t:")) != -1)
		switch (ch) {
		case 'c':
			opts.config_path = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'n':
			opts.workers = number(optarg, 1, 1024);
			break;
		case 't':
			opts.stop_timeout = number(optarg, 1, 3600);
			break;
		default:
			usage();
		}
	if (optind != argc)
		usage();
	if (!foreground) {
		fprintf(stderr, "framuga-fcgi: give -f: the program runs in "
		    "the foreground and logs to stderr; let systemd (see "
		    "framuga-fcgi.service) put it in the background\n");
		return EX_USAGE_;
	}
	log_init("framuga-fcgi", NULL);
	return pool_run(&opts);
}
